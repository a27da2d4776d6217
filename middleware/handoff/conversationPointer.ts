/** The fields of an incoming activity that name its conversation (any host's activity has them). */
export interface ConversationAddress {
  readonly channelId?: string;
  readonly conversation?: { readonly id?: string };
}

/**
 * The key that identifies a conversation across instances: `` `${channelId}/${conversationId}` `` (the `key` of a
 * {@link ConversationPointer}).
 *
 * @example conversationKey(ctx.activity) // 'msteams/a:1xyz'
 */
export const conversationKey = (activity: ConversationAddress): string => `${activity.channelId ?? ''}/${activity.conversation?.id ?? ''}`;
