/**
 * How the local Direct Line channel names the parties and activities of a conversation: the user's account (learnt
 * from the client), the conversation account and activity ids.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { ChannelAccount, ConversationAccount } from 'botbuilder';
import { z } from 'zod';
import type { DirectLineConversation } from './directLineConversations';

// Well-formed (no lone UTF-16 surrogate): the bot's endpoint refuses ids that are not, which would leave the
// conversation unable to reach the bot at all.
const USER_ID = z
  .string()
  .min(1)
  .max(256)
  .refine((id) => (id as string & { isWellFormed(): boolean }).isWellFormed());

/** The user's account as the channel shows it (empty until known). */
export const userAccount = (c: DirectLineConversation): ChannelAccount => ({
  id: c.userId ?? '',
  name: c.userName ?? '',
  role: 'user',
});

/** The conversation as activities name it: always a one-to-one conversation. */
export const conversationAccount = (c: DirectLineConversation): ConversationAccount => ({ id: c.id, isGroup: false, conversationType: 'personal', name: '' });

/** The id of a kept activity: conversation id and zero-padded sequence number. */
export const activityId = (c: DirectLineConversation, seq: number): string => `${c.id}|${String(seq).padStart(7, '0')}`;

/** Takes the user's id (and name) the client gives, once, when it is a valid id. */
export function learnUser(c: DirectLineConversation, id: unknown, name?: unknown): void {
  if (c.userId) return;
  const parsedId = USER_ID.safeParse(id);
  // 'dl_' ids are reserved for ids embedded in tokens by Azure Direct Line; never accept them from a client.
  if (!parsedId.success || parsedId.data.startsWith('dl_')) return;
  c.userId = parsedId.data;
  if (typeof name === 'string' && name.length <= 256) c.userName = name;
}

/**
 * Names the user when the client has not: an id made by the channel (`wl-` and random), as Azure Direct Line does for
 * a client that names no one. Does nothing once the user is known.
 */
export function ensureUser(c: DirectLineConversation): void {
  c.userId ??= `wl-${randomBytes(9).toString('base64url')}`;
}
