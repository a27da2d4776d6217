import { randomInt } from 'node:crypto';
import type { EmotionScore, IntentHit, LanguageCode, Signals } from '../signals/signals';

/**
 * Where a handoff case stands.
 *
 * @remarks `bot` -> `queued` -> `assigned` -> `resolved` is the happy path; `abandoned` (the customer left or
 * cancelled), `timed_out` (waited too long or no agent online) and `callback_requested` (the customer asked to be
 * called back or for a ticket) are the others. `resolved` and `abandoned` are final.
 */
export type CaseState = 'bot' | 'queued' | 'assigned' | 'resolved' | 'abandoned' | 'timed_out' | 'callback_requested';

/** Why a human is needed. Custom policies may use their own reason names. */
export type HandoffReason =
  | 'bereavement'
  | 'fraud'
  | 'distress'
  | 'human_request'
  | 'anger'
  | 'frustration'
  | 'misunderstood'
  | 'repeated_request'
  | (string & {});

/** Queue priority of a case: `high` cases are served first, then the oldest. */
export type CasePriority = 'high' | 'normal' | 'low';

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * A conversation the handoff must reach again later, proactively.
 *
 * @remarks `reference` is opaque to the domain: the host stores its own conversation reference there (the Bot
 * Framework host a `ConversationReference`, see `middleware/conversationReference.ts`; an Agents SDK host its own). `key` identifies the conversation
 * across instances, conventionally `` `${channelId}/${conversationId}` ``.
 */
export interface ConversationPointer {
  readonly key: string;
  readonly channel: string;
  readonly reference: JsonObject;
}

/** Who the customer is. */
export interface CustomerIdentity {
  /** Channel-specific user id (e.g. `from.id`). */
  readonly id: string;
  readonly name?: string;
  /** Channel id the customer writes from (`msteams`, `slack`, `webchat`, `directline`...). */
  readonly channel: string;
  /** A profile key that stays the same across channels once the customer is identified (CRM id, e-mail hash...). */
  readonly profileKey?: string;
}

/** An agent of the contact centre. */
export interface AgentIdentity {
  readonly id: string;
  readonly name?: string;
  /** Channel the agent works from (`msteams`, `slack`, `console`...). */
  readonly channel: string;
}

/** One line of the redacted transcript. */
export interface TranscriptEntry {
  readonly role: 'customer' | 'bot' | 'agent' | 'system';
  /** Already redacted (see `Redactor`). */
  readonly text: string;
  /** ISO 8601 instant. */
  readonly at: string;
}

/** A message the customer sent while waiting for an agent; relayed to the agent who claims the case. */
export interface QueuedMessage {
  readonly text: string;
  /** ISO 8601 instant. */
  readonly at: string;
  /** Channel activity id, when known. */
  readonly activityId?: string;
}

/** One state change, kept in the case history. */
export interface StateChange {
  readonly from: CaseState;
  readonly to: CaseState;
  /** ISO 8601 instant. */
  readonly at: string;
  /** Who caused it: `bot`, `customer`, `system`, or an agent id. */
  readonly by: string;
  readonly note?: string;
}

/** A note an agent wrote on the case. */
export interface AgentNote {
  readonly by: string;
  readonly text: string;
  /** ISO 8601 instant. */
  readonly at: string;
}

/** What made the bot hand the conversation over, with the evidence an agent can read. */
export interface CaseTrigger {
  /** Intents that triggered the decision (with their evidence). */
  readonly intents: readonly IntentHit[];
  /** Emotions that triggered the decision (with their evidence). */
  readonly emotions: readonly EmotionScore[];
  /** The full signals of the triggering message, when available. */
  readonly signals?: Signals;
  /** The policy's one-line explanation. */
  readonly explanation: string;
}

/** Timestamps of a case (ISO 8601 instants). */
export interface CaseTimestamps {
  readonly created: string;
  readonly updated: string;
  readonly queued?: string;
  readonly assigned?: string;
  readonly resolved?: string;
}

/** A customer's request to be called back or to get a ticket instead of waiting. */
export interface CallbackRequest {
  /** How to reach them (`phone`, `email`, `chat`...), as chosen by the customer. */
  readonly preference: string;
  /** The contact detail, if given. Personal data: never log it. */
  readonly contact?: string;
  /** ISO 8601 instant. */
  readonly at: string;
}

/** Customer satisfaction score given after the case is closed. */
export type Satisfaction = 1 | 2 | 3 | 4 | 5;

/**
 * A warm handoff case: everything an agent needs so the customer never repeats anything.
 *
 * @remarks Plain JSON-serialisable data; stores copy it in and out. `version` is maintained by the store and
 * grows on every write (optimistic concurrency). `queuedMessages` is append-only through
 * `HandoffStore.appendCustomerMessage`; `update` ignores changes to it.
 */
export interface HandoffCase {
  /** Short readable id, e.g. `C-7K3P`. */
  readonly id: string;
  readonly version: number;
  readonly state: CaseState;
  /** The customer's conversation (for proactive messages back to them). */
  readonly conversation: ConversationPointer;
  readonly customer: CustomerIdentity;
  readonly reason: HandoffReason;
  readonly priority: CasePriority;
  readonly trigger: CaseTrigger;
  /** Five-second summary for the agent (see `summarizeCase`). */
  readonly summary: string;
  readonly transcript: readonly TranscriptEntry[];
  /** Data the bot collected (e.g. `trackingNumber`, `carrier`, `parcelStatus`). */
  readonly collected: Readonly<Record<string, string>>;
  /**
   * Keys of `collected` the customer gave for a purpose and kept in clear for the agent who takes the case (e.g.
   * `orderEmail`): shown only to that agent, and erased when the case closes. Every other value is redacted.
   */
  readonly purposeKeys?: readonly string[];
  readonly language: LanguageCode;
  readonly timestamps: CaseTimestamps;
  /** The agent who claimed the case. */
  readonly agent?: AgentIdentity;
  /** The conversation the agent works in (for relaying customer messages to the agent). */
  readonly agentConversation?: ConversationPointer;
  readonly agentNotes: readonly AgentNote[];
  readonly satisfaction?: Satisfaction;
  /** The customer was asked for a 1–5 rating at the close and has not answered yet (the store is the truth). */
  readonly ratingRequested?: boolean;
  readonly callback?: CallbackRequest;
  readonly history: readonly StateChange[];
  readonly queuedMessages: readonly QueuedMessage[];
  /**
   * The live chat once an agent holds the case (customer and agent lines, redacted, oldest first, bounded), for
   * every kind of agent. Append-only through `HandoffStore.appendLiveLine`; `update` ignores changes to it. Absent
   * while empty.
   */
  readonly liveChat?: readonly TranscriptEntry[];
  /** Customer messages the agent's conversation could not receive (relay failures), oldest first. */
  readonly undelivered?: readonly QueuedMessage[];
  /** Consecutive failed relays to the agent; the case goes back to the queue at the limit. */
  readonly relayFailures?: number;
}

/** A case before a store gave it an id and a version. */
export type CaseDraft = Omit<HandoffCase, 'id' | 'version'>;

/** What a new case is made from. */
export interface NewCaseInput {
  readonly conversation: ConversationPointer;
  readonly customer: CustomerIdentity;
  readonly reason: HandoffReason;
  readonly priority: CasePriority;
  readonly trigger: CaseTrigger;
  readonly language: LanguageCode;
  readonly summary?: string;
  readonly transcript?: readonly TranscriptEntry[];
  readonly collected?: Readonly<Record<string, string>>;
}

/** States a case may not leave. */
export const FINAL_STATES: readonly CaseState[] = ['resolved', 'abandoned'];

/** States in which a case is still open (a conversation has at most one open case). */
export const OPEN_STATES: readonly CaseState[] = ['bot', 'queued', 'assigned', 'timed_out', 'callback_requested'];

/** States in which an agent may claim the case. */
export const CLAIMABLE_STATES: readonly CaseState[] = ['queued', 'timed_out', 'callback_requested'];

/** States in which customer messages are kept on the case for the agent to come. */
export const WAITING_STATES: readonly CaseState[] = ['queued', 'timed_out', 'callback_requested'];

const TRANSITIONS: Readonly<Record<CaseState, readonly CaseState[]>> = {
  bot: ['queued', 'callback_requested', 'abandoned'],
  queued: ['assigned', 'abandoned', 'timed_out', 'callback_requested'],
  // An agent may release a case back to the queue (transfer, shift end).
  assigned: ['resolved', 'abandoned', 'queued'],
  timed_out: ['callback_requested', 'queued', 'assigned', 'abandoned'],
  callback_requested: ['assigned', 'resolved', 'abandoned'],
  resolved: [],
  abandoned: [],
};

/** True when the state machine allows `from` -> `to`. */
export const canTransition = (from: CaseState, to: CaseState): boolean => TRANSITIONS[from].includes(to);

/** True while the case is not `resolved` or `abandoned`. */
export const isOpen = (state: CaseState): boolean => OPEN_STATES.includes(state);

/** Thrown on a state change the state machine does not allow. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: CaseState,
    readonly to: CaseState,
    readonly caseId?: string,
  ) {
    super(`Handoff case${caseId ? ` ${caseId}` : ''}: cannot go from "${from}" to "${to}"`);
    this.name = 'IllegalTransitionError';
  }
}

/** Who and when for a state change. */
export interface TransitionInput {
  /** `bot`, `customer`, `system`, or an agent id. */
  readonly by: string;
  readonly note?: string;
  /** Defaults to now. */
  readonly at?: Date;
}

/**
 * Moves a case to a new state: returns a new case with the history entry and the matching timestamp.
 *
 * @throws {@link IllegalTransitionError} when the state machine does not allow the change.
 * @example const queued = transition(draftCase(input), 'queued', { by: 'bot' });
 */
export function transition<T extends CaseDraft>(c: T, to: CaseState, input: TransitionInput): T {
  const id = (c as Partial<HandoffCase>).id;
  if (!canTransition(c.state, to)) throw new IllegalTransitionError(c.state, to, id);
  const at = (input.at ?? new Date()).toISOString();
  const change: StateChange = { from: c.state, to, at, by: input.by, ...(input.note ? { note: input.note } : {}) };
  const timestamps: CaseTimestamps = {
    ...c.timestamps,
    updated: at,
    ...(to === 'queued' ? { queued: at } : {}),
    ...(to === 'assigned' ? { assigned: at } : {}),
    ...(to === 'resolved' ? { resolved: at } : {}),
  };
  return { ...c, state: to, timestamps, history: [...c.history, change] };
}

/** Builds a new case in state `bot`; move it with {@link transition} (usually to `queued`) and give it to a store. */
export function draftCase(input: NewCaseInput, now: Date = new Date()): CaseDraft {
  const at = now.toISOString();
  return {
    state: 'bot',
    conversation: input.conversation,
    customer: input.customer,
    reason: input.reason,
    priority: input.priority,
    trigger: input.trigger,
    summary: input.summary ?? '',
    transcript: input.transcript ?? [],
    collected: input.collected ?? {},
    language: input.language,
    timestamps: { created: at, updated: at },
    agentNotes: [],
    history: [],
    queuedMessages: [],
  };
}

// No 0/O, 1/I/L or U: ids are read aloud and typed by agents.
const ID_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A short readable case id such as `C-7K3P`.
 *
 * @remarks 4 characters from a 30-letter alphabet (810,000 ids); stores retry on a collision and grow the
 * length when they cannot find a free id.
 */
export function newCaseId(length = 4, random: (max: number) => number = randomInt): string {
  let id = 'C-';
  for (let i = 0; i < length; i++) id += ID_ALPHABET[random(ID_ALPHABET.length)];
  return id;
}

/** Pattern of the ids {@link newCaseId} makes. */
export const CASE_ID_PATTERN = /^C-[2-9A-HJKMNP-TV-Z]{4,12}$/;

/** Ranks a priority for sorting: 0 is served first. */
export const priorityRank = (p: CasePriority): number => (p === 'high' ? 0 : p === 'normal' ? 1 : 2);
