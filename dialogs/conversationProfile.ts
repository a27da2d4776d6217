import type { DialogLanguage } from './messages';

/**
 * What the dialogs remember about a conversation besides {@link ConversationFacts}: the language in use and whether
 * the customer was welcomed. Kept in conversation state under {@link CONVERSATION_PROFILE_PROPERTY}; the language is
 * also kept in user state (same property name) so a new conversation is welcomed in the customer's language.
 *
 * @see ../middleware/conversationFacts.ts
 */
export interface ConversationProfile {
  language?: DialogLanguage;
  /**
   * The language the customer switched to by writing confidently in it (conversation state only): it outranks the
   * channel's locale for the rest of the conversation, until they write confidently in another one.
   */
  written?: DialogLanguage;
  welcomed?: boolean;
}

/** State property name of {@link ConversationProfile} (conversation state and user state). */
export const CONVERSATION_PROFILE_PROPERTY = 'warmline.profile';
