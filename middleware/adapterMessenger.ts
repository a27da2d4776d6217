import { ActivityTypes, type Activity, type Attachment, type CloudAdapterBase, type TurnContext } from 'botbuilder-core';
import type { ConversationPointer } from './handoff/handoffCase';
import type { Messenger, OutgoingMessage, SentMessage } from './handoff/messenger';
import { referenceOf } from './conversationReference';
import { markTranscriptRole } from './transcriptRole';

/** Runs botbuilder turns in a stored conversation from any instance (a proactive turn). */
export interface ProactiveMessenger {
  /** Runs `logic` in a proactive turn of the conversation the pointer names. */
  continueConversation(pointer: ConversationPointer, logic: (ctx: TurnContext) => Promise<void>): Promise<void>;
}

/** The botbuilder host's way out: the handoff's {@link Messenger} port and proactive turns for botbuilder pieces. */
export type AdapterMessenger = Messenger & ProactiveMessenger;

/** The message activity for an {@link OutgoingMessage}, marked with its transcript role (see `markTranscriptRole`). */
export function messageActivity(message: OutgoingMessage): Partial<Activity> {
  const activity: Partial<Activity> = {
    type: ActivityTypes.Message,
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.textFormat ? { textFormat: message.textFormat } : {}),
    ...(message.attachments ? { attachments: message.attachments.map((a) => ({ ...a }) as Attachment) } : {}),
    ...(message.summary !== undefined ? { summary: message.summary } : {}),
  };
  // The transcript middleware records the line as the agent's or the bot's.
  return markTranscriptRole(activity, message.role);
}

/**
 * The {@link Messenger} (and {@link ProactiveMessenger}) of a botbuilder `CloudAdapter`:
 * `adapter.continueConversationAsync(appId, reference, logic)`.
 *
 * @remarks The adapter's middleware runs for these turns too (the transcript records what is sent, as the agent's
 * line for a message of role `agent`); the bot does not. A proactive turn's activity has a made-up id, and botbuilder
 * sets every reply's `replyToId` to it: Web Chat then holds such a message back, waiting for an activity it will never
 * see. Messages sent here carry no `replyToId`. `send` resolves when the proactive turn ended, with the channel's ids.
 * @example const messenger = adapterMessenger(adapter, config.MicrosoftAppId ?? '');
 */
export function adapterMessenger(adapter: CloudAdapterBase, appId: string): AdapterMessenger {
  if (!adapter) throw new TypeError('adapterMessenger: adapter is required');
  const continueConversation = (pointer: ConversationPointer, logic: (ctx: TurnContext) => Promise<void>): Promise<void> =>
    adapter.continueConversationAsync(appId, referenceOf(pointer), async (ctx) => {
      ctx.onSendActivities(async (_ctx, activities, next) => {
        for (const activity of activities) delete activity.replyToId;
        return next();
      });
      await logic(ctx);
    });
  return {
    continueConversation,
    async send(to, messages, options) {
      const sent: SentMessage[] = [];
      await continueConversation(to, async (ctx) => {
        for (const message of messages) {
          const response = await ctx.sendActivity(messageActivity(message));
          sent.push(response?.id ? { id: response.id } : {});
        }
        await options?.onSent?.();
      });
      return sent;
    },
  };
}
