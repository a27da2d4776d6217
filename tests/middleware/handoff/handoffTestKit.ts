import { TestAdapter, type TurnContext } from 'botbuilder';
import { draftCase, transition, type CasePriority, type HandoffCase } from '../../../middleware/handoff/handoffCase';
import type { HandoffStore } from '../../../middleware/handoff/stores/handoffStore';
import type { ProactiveMessenger } from '../../../middleware/adapterMessenger';

/** A messenger that records proactive sends instead of calling a channel; `failFor` keys throw like a dead conversation. */
export class RecordingMessenger implements ProactiveMessenger {
  readonly sent: Array<{ key: string; text?: string }> = [];
  readonly failFor = new Set<string>();
  async continueConversation(pointer: { key: string }, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    if (this.failFor.has(pointer.key)) throw new Error('conversation not found');
    const adapter = new TestAdapter(async () => undefined);
    // Send hooks run around the send, as botbuilder's do (each calls next, the last one sends).
    const hooks: Array<(ctx: TurnContext, activities: unknown[], next: () => Promise<unknown>) => Promise<unknown>> = [];
    const ctx = {
      sendActivity: async (a: string | { text?: string }) => {
        const send = async () => {
          this.sent.push({ key: pointer.key, text: typeof a === 'string' ? a : a.text });
          return [{ id: 'x' }];
        };
        const run = (i: number): Promise<unknown> => (i < hooks.length ? (hooks[i] as (typeof hooks)[number])(ctx, [a], () => run(i + 1)) : send());
        await run(0);
        return { id: 'x' };
      },
      onSendActivities: (hook: (typeof hooks)[number]) => {
        hooks.push(hook);
        return ctx;
      },
      activity: { type: 'event', channelId: 'test', conversation: { id: pointer.key } },
      adapter,
      turnState: new Map(),
    } as unknown as TurnContext;
    await logic(ctx);
  }
  textsTo(key: string): string[] {
    return this.sent.filter((s) => s.key === key).map((s) => s.text ?? '');
  }
}

/** Stores a queued case for a customer conversation `key`. */
export function queuedCase(store: HandoffStore, key: string, queuedAt: Date, priority: CasePriority = 'normal'): Promise<HandoffCase> {
  return store.create(
    transition(
      draftCase(
        {
          conversation: { key, channel: 'test', reference: {} },
          customer: { id: key, channel: 'test', name: 'Jo Customer' },
          reason: 'human_request',
          priority,
          trigger: { intents: [], emotions: [], explanation: 't' },
          language: 'en',
        },
        queuedAt,
      ),
      'queued',
      { by: 'bot', at: queuedAt },
    ),
  );
}
