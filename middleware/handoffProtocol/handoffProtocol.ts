import { ActivityTypes, EventFactory, type Activity, type Transcript, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { HandoffCase } from '../handoff/handoffCase';
import { defaultRedactor, type Redactor } from '../handoff/redaction';
import { HubAgentSchema, HubStateSchema, type HubStatusState } from '../handoff/hubs/hubStatus';
import { caseEmotions, redactEvidence, redactRecord, type HubEmotion } from '../handoff/hubs/hubCaseView';

/** Name of the event that asks an engagement hub to take a conversation. */
export const HANDOFF_INITIATE = 'handoff.initiate';
/** Name of the event in which the hub reports on the handoff. */
export const HANDOFF_STATUS = 'handoff.status';

/**
 * Channels that must never receive handoff events.
 *
 * @remarks Teams answers 400 to `handoff.initiate` / `handoff.status` activities.
 */
export const HANDOFF_REFUSED_CHANNELS: readonly string[] = ['msteams'];

/** Thrown when a handoff event would go to a channel that rejects it (Teams). */
export class HandoffChannelError extends Error {
  constructor(readonly channelId: string) {
    super(`Handoff events cannot be sent on the "${channelId}" channel: it rejects them (Teams answers 400); use the built-in agent desk there`);
    this.name = 'HandoffChannelError';
  }
}

/** True when `channelId` accepts handoff events (everything but Teams). */
export const handoffChannelAllowed = (channelId: string | undefined): boolean =>
  !!channelId && !HANDOFF_REFUSED_CHANNELS.includes(channelId.toLowerCase());

/**
 * The `value` of a `handoff.initiate` event: Copilot Studio's generic-handoff fields (so hub adapters written for it
 * work as they are) plus Warmline's case.
 *
 * @remarks Every customer phrase is redacted. The customer appears by name and channel only: no channel user id,
 * no profile key, no contact detail. Nothing secret or derived from a secret is in it: the event is posted into the
 * customer's own conversation, where their client (Direct Line, Web Chat) receives it too. The hub authenticates its
 * `handoff.status` with a signature of its own (see `HandoffStatusVerifier` and docs/hubs.md).
 */
export interface HandoffInitiateValue {
  readonly va_Scope: 'bot';
  /** The handoff reason, read as the last topic. */
  readonly va_LastTopic: string;
  /** Topics of the conversation: the reason, the intents that triggered it, `tracking` when a parcel was looked up. */
  readonly va_Topics: readonly string[];
  /** The customer's last phrase (redacted). */
  readonly va_LastPhrases: string;
  /** The customer's phrases, oldest first (redacted, the last `maxPhrases`). */
  readonly va_Phrases: readonly string[];
  readonly va_ConversationId: string;
  /** The message for the agent: the five-second summary. */
  readonly va_AgentMessage: string;
  readonly va_BotId: string;
  readonly va_BotName: string;
  /** The customer's language (`en`, `fr`...). */
  readonly va_Language: string;
  readonly caseId: string;
  readonly reason: string;
  readonly priority: string;
  readonly summary: string;
  readonly emotion: readonly HubEmotion[];
  readonly intents: readonly { readonly name: string; readonly confidence: number; readonly evidence: HubEmotion['evidence'] }[];
  /** Collected data, values redacted. */
  readonly collected: Readonly<Record<string, string>>;
  readonly customer: { readonly name?: string; readonly channel: string };
  readonly channel: string;
  readonly language: string;
  readonly createdAt: string;
  readonly queuedAt?: string;
}

/** Options of {@link buildHandoffContext} and {@link createHandoffInitiate}. */
export interface HandoffProtocolOptions {
  /** `va_BotId`. Default `warmline`. */
  readonly botId?: string;
  /** `va_BotName`. Default `Warmline`. */
  readonly botName?: string;
  /** Redactor applied to every phrase, evidence word and collected value. Default: the built-in one. */
  readonly redactor?: Redactor;
  /** Most customer phrases in `va_Phrases`. Default 20. */
  readonly maxPhrases?: number;
  /** Most activities in the transcript attachment (the latest are kept). Default 200. */
  readonly maxTranscriptActivities?: number;
}

/** The customer's phrases of a case, oldest first, redacted: transcript lines then messages sent while queued. */
export function customerPhrases(c: HandoffCase, redactor: Redactor = defaultRedactor): string[] {
  return [
    ...c.transcript.filter((t) => t.role === 'customer').map((t) => t.text),
    ...c.queuedMessages.map((m) => m.text),
  ].map((t) => redactor.redact(t));
}

/**
 * Builds the `value` of `handoff.initiate` for a case (pure).
 *
 * @example const value = buildHandoffContext(c, { botName: 'Acme care' });
 */
export function buildHandoffContext(c: HandoffCase, options: HandoffProtocolOptions = {}): HandoffInitiateValue {
  const redactor = options.redactor ?? defaultRedactor;
  const phrases = customerPhrases(c, redactor);
  const maxPhrases = options.maxPhrases ?? 20;
  const topics = [...new Set([c.reason, ...c.trigger.intents.map((i) => i.name), ...(c.collected.trackingNumber ? ['tracking'] : [])])];
  const summary = redactor.redact(c.summary);
  return {
    va_Scope: 'bot',
    va_LastTopic: c.reason,
    va_Topics: topics,
    va_LastPhrases: phrases[phrases.length - 1] ?? '',
    va_Phrases: phrases.slice(-maxPhrases),
    va_ConversationId: buildConversationId(c),
    va_AgentMessage: summary,
    va_BotId: options.botId ?? 'warmline',
    va_BotName: options.botName ?? 'Warmline',
    va_Language: c.language,
    caseId: c.id,
    reason: c.reason,
    priority: c.priority,
    summary,
    emotion: caseEmotions(c, redactor),
    intents: c.trigger.intents.map((i) => ({ name: i.name, confidence: i.confidence, evidence: redactEvidence(i.evidence, redactor) })),
    collected: redactRecord(c.collected, redactor),
    customer: { channel: c.customer.channel, ...(c.customer.name ? { name: c.customer.name } : {}) },
    channel: c.conversation.channel,
    language: c.language,
    createdAt: c.timestamps.created,
    ...(c.timestamps.queued ? { queuedAt: c.timestamps.queued } : {}),
  };
}

/**
 * The case's transcript as a Bot Framework `Transcript` (message activities), redacted.
 *
 * @remarks Customer lines are `from.role: "user"` (with the customer's name only), bot and agent lines
 * `from.role: "bot"`; messages sent while queued come last. Only the latest `maxTranscriptActivities` are kept.
 */
export function buildHandoffTranscript(c: HandoffCase, options: HandoffProtocolOptions = {}): Transcript {
  const redactor = options.redactor ?? defaultRedactor;
  const conversationId = buildConversationId(c);
  const customer = { id: 'customer', name: c.customer.name ?? '', role: 'user' };
  const bot = { id: options.botId ?? 'warmline', name: options.botName ?? 'Warmline', role: 'bot' };
  const lines = [
    ...c.transcript.map((t) => ({ role: t.role, text: t.text, at: t.at })),
    ...c.queuedMessages.map((m) => ({ role: 'customer' as const, text: m.text, at: m.at })),
  ];
  const max = options.maxTranscriptActivities ?? 200;
  const activities = lines.slice(-max).map(
    (line, i) =>
      ({
        type: ActivityTypes.Message,
        id: `${c.id}-${i + 1}`,
        text: redactor.redact(line.text),
        timestamp: line.at,
        channelId: c.conversation.channel,
        conversation: { id: conversationId },
        from: line.role === 'customer' ? customer : line.role === 'system' ? { ...bot, name: 'system' } : line.role === 'agent' ? { id: 'agent', name: 'agent', role: 'bot' } : bot,
      }) as unknown as Activity,
  );
  return { activities };
}

function buildConversationId(c: HandoffCase): string {
  const conv = c.conversation.reference.conversation;
  if (conv && typeof conv === 'object' && !Array.isArray(conv) && typeof conv.id === 'string') return conv.id;
  return c.conversation.key.slice(c.conversation.key.indexOf('/') + 1);
}

/**
 * Builds the `handoff.initiate` event for a case in the customer's turn (or a proactive turn on their conversation),
 * with botbuilder's `EventFactory.createHandoffInitiation`: context in `value`, redacted transcript as the
 * `Transcript` attachment.
 *
 * @throws {@link HandoffChannelError} on Teams, which rejects handoff events.
 * @example await ctx.sendActivity(createHandoffInitiate(ctx, handoffCase, { botName: 'Acme care' }));
 */
export function createHandoffInitiate(context: TurnContext, c: HandoffCase, options: HandoffProtocolOptions = {}): Partial<Activity> {
  const channelId = context.activity.channelId;
  if (!handoffChannelAllowed(channelId)) throw new HandoffChannelError(channelId ?? '(none)');
  return EventFactory.createHandoffInitiation(context, buildHandoffContext(c, options), buildHandoffTranscript(c, options));
}

/** A `handoff.status` event, validated. */
export interface HandoffStatusEvent {
  readonly state: HubStatusState;
  /** The word the hub sent (`state`, or `code` when it refines a `failed` / `completed`). */
  readonly rawState: string;
  readonly message?: string;
  /** The case id, when the hub echoed it (required, and signed, when statuses are verified). */
  readonly caseId?: string;
  /** Unix seconds at which the hub signed the status. */
  readonly timestamp?: number;
  /** `base64url(HMAC-SHA256(secret, "${caseId}.${state}.${timestamp}"))` (see `HandoffStatusVerifier`). */
  readonly signature?: string;
  readonly agent?: { readonly id: string; readonly name?: string };
}

const StatusValueSchema = z
  .object({
    state: z.string().min(1).max(40),
    code: z.string().min(1).max(40).optional(),
    message: z.string().max(2000).optional(),
    caseId: z.string().min(1).max(40).optional(),
    timestamp: z
      .union([z.number().int().nonnegative().max(1e12), z.string().regex(/^\d{1,12}$/, 'Unix seconds').transform(Number)])
      .optional(),
    signature: z.string().min(1).max(200).optional(),
    agent: HubAgentSchema.optional(),
  })
  .passthrough();

/** Result of {@link parseHandoffStatus}. */
export type ParsedHandoffStatus =
  | { readonly ok: true; readonly status: HandoffStatusEvent }
  | { readonly ok: false; /** Readable, contains no customer text. */ readonly error: string };

/** True for an `event` activity named `handoff.status` (the name is compared case-insensitively). */
export const isHandoffStatus = (activity: Partial<Activity> | undefined): boolean =>
  activity?.type === ActivityTypes.Event && typeof activity.name === 'string' && activity.name.toLowerCase() === HANDOFF_STATUS;

/**
 * Parses and validates a `handoff.status` event.
 *
 * @remarks `value` may be an object or a JSON string. `state` is one of `accepted`, `failed`, `completed`,
 * `timedOut`, `transferBack`, `endOfConversation` (case-insensitive); a `code` with one of the last three refines a
 * `failed` or `completed` state (`{state: "failed", code: "timedOut"}` is a time-out).
 */
export function parseHandoffStatus(activity: Partial<Activity>): ParsedHandoffStatus {
  if (!isHandoffStatus(activity)) return { ok: false, error: `not a ${HANDOFF_STATUS} event` };
  let value: unknown = activity.value;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { ok: false, error: 'value is a string but not JSON' };
    }
  }
  const parsed = StatusValueSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `invalid value: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'} ${i.message}`).join('; ')}` };
  const v = parsed.data;
  const refined = v.code ? HubStateSchema.safeParse(v.code) : undefined;
  const base = HubStateSchema.safeParse(v.state);
  const useCode = refined?.success && (!base.success || base.data === 'failed' || base.data === 'completed');
  const chosen = useCode ? refined : base;
  if (!chosen?.success) return { ok: false, error: `invalid value: state ${chosen?.error.issues[0]?.message ?? 'unknown'}` };
  return {
    ok: true,
    status: {
      state: chosen.data,
      rawState: useCode ? (v.code as string) : v.state,
      ...(v.message ? { message: v.message } : {}),
      ...(v.caseId ? { caseId: v.caseId } : {}),
      ...(v.timestamp !== undefined ? { timestamp: v.timestamp } : {}),
      ...(v.signature ? { signature: v.signature } : {}),
      ...(v.agent ? { agent: v.agent.name ? { id: v.agent.id, name: v.agent.name } : { id: v.agent.id } } : {}),
    },
  };
}
