import type { CloudAdapterBase, TurnContext } from 'botbuilder-core';
import type { ConversationPointer } from './handoffCase';
import { referenceOf } from './conversationPointer';

/** Sends into a stored conversation from any instance (a proactive turn). */
export interface ProactiveMessenger {
  /** Runs `logic` in a proactive turn of the conversation the pointer names. */
  continueConversation(pointer: ConversationPointer, logic: (ctx: TurnContext) => Promise<void>): Promise<void>;
}

/**
 * A {@link ProactiveMessenger} on a botbuilder `CloudAdapter`: `adapter.continueConversationAsync(appId, reference, logic)`.
 *
 * @remarks The adapter's middleware runs for these turns too (the transcript records what is sent); the bot does not.
 * @example const messenger = adapterMessenger(adapter, config.MicrosoftAppId ?? '');
 */
export function adapterMessenger(adapter: CloudAdapterBase, appId: string): ProactiveMessenger {
  if (!adapter) throw new TypeError('adapterMessenger: adapter is required');
  return {
    continueConversation: (pointer, logic) => adapter.continueConversationAsync(appId, referenceOf(pointer), logic),
  };
}
