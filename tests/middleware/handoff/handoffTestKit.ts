import { draftCase, transition, type CasePriority, type ConversationPointer, type HandoffCase } from '../../../middleware/handoff/handoffCase';
import type { Messenger, OutgoingMessage, SendOptions, SentMessage } from '../../../middleware/handoff/messenger';
import type { HandoffStore } from '../../../middleware/handoff/stores/handoffStore';

/** A messenger that records proactive sends instead of calling a channel; `failFor` keys throw like a dead conversation. */
export class RecordingMessenger implements Messenger {
  readonly sent: Array<{ key: string; text?: string }> = [];
  /** Every message as sent, with its conversation. */
  readonly messages: Array<{ key: string; message: OutgoingMessage }> = [];
  readonly failFor = new Set<string>();
  /** Keys whose sends are taken by the channel, then fail (the host's work after the send). */
  readonly failAfterSendFor = new Set<string>();
  /** Every in-place update (`update`), with its conversation and the id of the message it replaced. */
  readonly updates: Array<{ key: string; messageId: string; message: OutgoingMessage }> = [];
  private sentCount = 0;
  async send(to: ConversationPointer, messages: readonly OutgoingMessage[], options?: SendOptions): Promise<SentMessage[]> {
    if (this.failFor.has(to.key)) throw new Error('conversation not found');
    for (const message of messages) {
      this.sent.push({ key: to.key, text: message.text });
      this.messages.push({ key: to.key, message });
    }
    await options?.onSent?.();
    if (this.failAfterSendFor.has(to.key)) throw new Error('after-send work failed');
    return messages.map(() => ({ id: `m-${++this.sentCount}` }));
  }
  async update(to: ConversationPointer, messageId: string, message: OutgoingMessage): Promise<void> {
    if (this.failFor.has(to.key)) throw new Error('conversation not found');
    this.updates.push({ key: to.key, messageId, message });
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
