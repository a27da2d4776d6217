import type { CloudAdapterBase, TurnContext } from 'botbuilder-core';
import type { ConversationPointer } from './handoff/handoffCase';
import { referenceOf } from './handoff/conversationPointer';

/** Sends into a stored conversation from any instance (a proactive turn). */
export interface ProactiveMessenger {
  /** Runs `logic` in a proactive turn of the conversation the pointer names. */
  continueConversation(pointer: ConversationPointer, logic: (ctx: TurnContext) => Promise<void>): Promise<void>;
}

/**
 * A {@link ProactiveMessenger} on a botbuilder `CloudAdapter`: `adapter.continueConversationAsync(appId, reference, logic)`.
 *
 * @remarks The adapter's middleware runs for these turns too (the transcript records what is sent); the bot does not.
 * A proactive turn's activity has a made-up id, and botbuilder sets every reply's `replyToId` to it: Web Chat then
 * holds such a message back, waiting for an activity it will never see. Messages sent here carry no `replyToId`.
 * @example const messenger = adapterMessenger(adapter, config.MicrosoftAppId ?? '');
 */
export function adapterMessenger(adapter: CloudAdapterBase, appId: string): ProactiveMessenger {
  if (!adapter) throw new TypeError('adapterMessenger: adapter is required');
  return {
    continueConversation: (pointer, logic) =>
      adapter.continueConversationAsync(appId, referenceOf(pointer), async (ctx) => {
        ctx.onSendActivities(async (_ctx, activities, next) => {
          for (const activity of activities) delete activity.replyToId;
          return next();
        });
        await logic(ctx);
      }),
  };
}
