import type { HandoffCase, QueuedMessage, StateChange } from '../handoffCase';
import { defaultRedactor, type Redactor } from '../redaction';
import { caseEmotions, redactRecord, type HubEmotion } from './hubCaseView';

/** Events a webhook receives. */
export type WebhookEvent = 'case.created' | 'case.updated' | 'case.message';

/** The case as a webhook receives it: everything an agent needs, personal data redacted. */
export interface WebhookCase {
  readonly id: string;
  /** Grows with every change of the case: order events of one case by it. */
  readonly version: number;
  readonly state: string;
  readonly reason: string;
  readonly priority: string;
  readonly summary: string;
  readonly explanation: string;
  readonly emotion: readonly HubEmotion[];
  readonly intents: readonly { readonly name: string; readonly confidence: number }[];
  readonly transcript: readonly { readonly role: string; readonly text: string; readonly at: string }[];
  readonly queuedMessages: readonly { readonly text: string; readonly at: string }[];
  readonly collected: Readonly<Record<string, string>>;
  readonly language: string;
  readonly channel: string;
  /** Name, channel and the cross-channel profile key if any; never the channel user id or contact details. */
  readonly customer: { readonly name?: string; readonly channel: string; readonly profileKey?: string };
  readonly agent?: { readonly id: string; readonly name?: string; readonly channel: string };
  readonly timestamps: HandoffCase['timestamps'];
  readonly history: readonly { readonly from: string; readonly to: string; readonly at: string; readonly by: string }[];
}

/** The JSON body POSTed to a webhook. */
export interface WebhookPayload {
  readonly event: WebhookEvent;
  /** Same as the `X-Warmline-Delivery` header: deduplicate on it. */
  readonly deliveryId: string;
  /** ISO instant at which the event happened. */
  readonly occurredAt: string;
  readonly case: WebhookCase;
  /** For `case.updated`: the state change, when there was one. */
  readonly change?: { readonly from: string; readonly to: string; readonly at: string; readonly by: string; readonly note?: string };
  /** For `case.message`: what the customer wrote while waiting (redacted). */
  readonly message?: { readonly text: string; readonly at: string };
}

/**
 * Builds the redacted webhook view of a case (pure).
 *
 * @remarks Transcript lines, queued messages, collected values, the summary, evidence words and notes are all run
 * through the redactor, even when the store already holds redacted text.
 */
export function toWebhookCase(c: HandoffCase, redactor: Redactor = defaultRedactor): WebhookCase {
  return {
    id: c.id,
    version: c.version,
    state: c.state,
    reason: c.reason,
    priority: c.priority,
    summary: redactor.redact(c.summary),
    explanation: redactor.redact(c.trigger.explanation),
    emotion: caseEmotions(c, redactor),
    intents: c.trigger.intents.map((i) => ({ name: i.name, confidence: i.confidence })),
    transcript: c.transcript.map((t) => ({ role: t.role, text: redactor.redact(t.text), at: t.at })),
    queuedMessages: c.queuedMessages.map((m) => ({ text: redactor.redact(m.text), at: m.at })),
    collected: redactRecord(c.collected, redactor),
    language: c.language,
    channel: c.conversation.channel,
    customer: {
      channel: c.customer.channel,
      ...(c.customer.name ? { name: c.customer.name } : {}),
      ...(c.customer.profileKey ? { profileKey: c.customer.profileKey } : {}),
    },
    ...(c.agent ? { agent: { id: c.agent.id, channel: c.agent.channel, ...(c.agent.name ? { name: c.agent.name } : {}) } } : {}),
    timestamps: { ...c.timestamps },
    history: c.history.map((h) => ({ from: h.from, to: h.to, at: h.at, by: h.by })),
  };
}

/** Builds a webhook body (pure); `extra` carries the change or the queued message. */
export function buildWebhookPayload(
  event: WebhookEvent,
  deliveryId: string,
  c: HandoffCase,
  extra: { change?: StateChange; message?: QueuedMessage; occurredAt?: Date } = {},
  redactor: Redactor = defaultRedactor,
): WebhookPayload {
  return {
    event,
    deliveryId,
    occurredAt: (extra.occurredAt ?? new Date()).toISOString(),
    case: toWebhookCase(c, redactor),
    ...(extra.change
      ? {
          change: {
            from: extra.change.from,
            to: extra.change.to,
            at: extra.change.at,
            by: extra.change.by,
            ...(extra.change.note ? { note: redactor.redact(extra.change.note) } : {}),
          },
        }
      : {}),
    ...(extra.message ? { message: { text: redactor.redact(extra.message.text), at: extra.message.at } } : {}),
  };
}
