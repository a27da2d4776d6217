/**
 * Facts a conversation has accumulated, kept in conversation state under {@link CONVERSATION_FACTS_PROPERTY}.
 *
 * @remarks Dialogs write them (what the customer already said, how often the bot failed to understand);
 * the handoff middleware reads them to decide and to give the agent the data already collected.
 */
export interface ConversationFacts {
  /** Consecutive customer messages the bot did not understand. Reset on any understood message. */
  misunderstandings: number;
  /** Normalised recent requests (newest last), to notice the same request asked three times. */
  recentRequests: string[];
  /** Data collected from the customer (e.g. `trackingNumber`, `carrier`, `parcelStatus`). */
  collected: Record<string, string>;
  /**
   * The language the conversation is held in (`en`, `fr`), as the dialogs decided it for the last message: the
   * channel's locale, unless the customer writes confidently in another language. The handoff answers in it too.
   */
  language?: string;
}

/** Conversation-state property name for {@link ConversationFacts}. */
export const CONVERSATION_FACTS_PROPERTY = 'warmline.facts';

/** An empty facts record. */
export const emptyFacts = (): ConversationFacts => ({ misunderstandings: 0, recentRequests: [], collected: {} });
