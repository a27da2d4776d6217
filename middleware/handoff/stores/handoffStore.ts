import type {
  AgentIdentity,
  CaseDraft,
  CaseState,
  ConversationPointer,
  CustomerIdentity,
  HandoffCase,
  QueuedMessage,
  Satisfaction,
  TranscriptEntry,
} from '../handoffCase';

/** Result of {@link HandoffStore.claim}. */
export type ClaimResult =
  | { readonly ok: true; readonly case: HandoffCase }
  /** Another agent has it. */
  | { readonly ok: false; readonly reason: 'taken'; readonly by: AgentIdentity; readonly case: HandoffCase }
  /** The case is in a state no agent can claim (resolved, abandoned, still with the bot). */
  | { readonly ok: false; readonly reason: 'not_claimable'; readonly state: CaseState; readonly case: HandoffCase }
  | { readonly ok: false; readonly reason: 'not_found' };

/** Result of {@link HandoffStore.appendCustomerMessage}. */
export type AppendResult =
  /** Kept; `duplicate` when a message with the same `activityId` was already kept (nothing was added). */
  | { readonly ok: true; readonly count: number; readonly duplicate?: boolean }
  /** The case is not waiting (e.g. already assigned: relay the message live instead). */
  | { readonly ok: false; readonly reason: 'not_waiting'; readonly state: CaseState }
  /** The case holds the maximum number of queued messages. */
  | { readonly ok: false; readonly reason: 'full'; readonly count: number }
  | { readonly ok: false; readonly reason: 'not_found' };

/** A change of the queue, for telling waiting customers their new position. */
export interface QueueChange {
  /** `added`: entered the queue; `removed`: left it (claimed, cancelled...); `updated`: priority changed. */
  readonly kind: 'added' | 'removed' | 'updated';
  readonly caseId: string;
}

/**
 * Something that happened on one case, published by the store to every instance (see
 * {@link HandoffStore.onCaseEvent}).
 *
 * @remarks `state`: the case changed state (written in the same atomic step as the change). `message`: a live chat
 * line between the customer and the agent holding the case, published with {@link HandoffStore.appendLiveLine}.
 * The `text` of a message event is what the agent's screen shows live (not redacted, like a Teams or Slack relay);
 * the line kept on the case is redacted. `queued_message`: a customer message kept on a waiting case, published by
 * {@link HandoffStore.appendCustomerMessage} in the same step; it carries no text (read the case for it). Events of
 * one case arrive in the order the store wrote them.
 */
export type CaseEvent =
  | {
      readonly kind: 'state';
      readonly caseId: string;
      readonly state: CaseState;
      /** The agent holding the case after the change, if any. */
      readonly agent?: AgentIdentity;
    }
  | {
      readonly kind: 'message';
      readonly caseId: string;
      readonly from: 'customer' | 'agent';
      readonly text: string;
      /** ISO 8601 instant. */
      readonly at: string;
      /** The agent holding the case. */
      readonly agent?: AgentIdentity;
    }
  | {
      readonly kind: 'queued_message';
      readonly caseId: string;
      /** ISO 8601 instant of the message. */
      readonly at: string;
      /** Messages waiting on the case, this one included. */
      readonly count: number;
    };

/** A live chat message event, as given to {@link HandoffStore.appendLiveLine}. */
export type CaseMessageEvent = Extract<CaseEvent, { kind: 'message' }>;

/** Result of {@link HandoffStore.appendLiveLine}. */
export type LiveAppendResult =
  /** Appended; `duplicate` when a line with the same `id` was already appended (nothing was added or published). */
  | { readonly ok: true; readonly count: number; readonly duplicate?: boolean }
  | { readonly ok: false; readonly reason: 'not_found' };

/** Options of {@link HandoffStore.appendLiveLine}. */
export interface LiveLineOptions {
  /**
   * Idempotency key of the line (the channel's activity id, the console's message id): a second append with the same
   * id on the same case adds and publishes nothing. Ids are remembered for the case's whole retention.
   */
  readonly id?: string;
}

/** A queued case whose customer must hear a new position (see {@link HandoffStore.positionChanges}). */
export interface PositionChange {
  readonly case: HandoffCase;
  /** The 1-based position now. */
  readonly position: number;
}

/** Open cases by state (states with no case may be absent). */
export type StateCounts = Readonly<Partial<Record<CaseState, number>>>;

/** Presence of an agent. */
export type AgentStatus = 'online' | 'away';

/** An agent with a presence that has not expired. */
export interface AgentPresence {
  readonly agent: AgentIdentity;
  readonly status: AgentStatus;
  /** Epoch milliseconds at which the presence expires unless renewed. */
  readonly expiresAt: number;
  /**
   * Where the agent watches for new cases (captured from the agent's own messages to the bot), so any instance
   * can announce a case there. Absent for agents without a bot conversation (web console).
   */
  readonly watch?: ConversationPointer;
}

/**
 * A message that showed a case to an agent (a new-case card), kept beside the case so any instance can update it in
 * place later (taken, closed, back in the queue). One per agent conversation: a newer one replaces the older.
 */
export interface CaseAnnouncement {
  /** The agent conversation it was posted in (its `key` identifies the announcement). */
  readonly where: ConversationPointer;
  /** The channel's id of the message: a Teams activity id, a Slack `ts`. */
  readonly messageId: string;
  /** Which path posted it, so the same path updates it: `messenger`, or a connector's own (`slack`). */
  readonly via: string;
  /** ISO 8601 instant. */
  readonly at: string;
}

/** Most recently closed cases a store indexes for {@link HandoffStore.listClosed}. */
export const MAX_CLOSED_LISTED = 1000;

/** Most announcements kept per case (one per agent conversation). */
export const MAX_ANNOUNCEMENTS = 500;

/** Options of {@link HandoffStore.get}. */
export interface GetCaseOptions {
  /**
   * Also read the live chat (`HandoffCase.liveChat`, up to `maxLiveLines` lines). Default false: the case comes
   * without it, so the frequent reads (every customer message, every write) stay small. Only views of the chat ask.
   */
  readonly liveChat?: boolean;
}

/** Options of {@link HandoffStore.update}. */
export interface UpdateOptions {
  /** Fail with {@link CaseConflictError} unless the stored version is this one (no retry). */
  readonly expectedVersion?: number;
  /** Retries on a concurrent write when no `expectedVersion` is given. Default 20. */
  readonly maxRetries?: number;
}

/** Closing data for {@link HandoffStore.resolve}. */
export interface ResolveInput {
  /** Agent id, `customer`, `system`... */
  readonly by: string;
  readonly note?: string;
  readonly satisfaction?: Satisfaction;
  /** Marks the case as waiting for the customer's 1–5 rating, in the same atomic write. */
  readonly ratingRequested?: boolean;
}

/**
 * Storage of handoff cases, the queue, agent presence and relay routes.
 *
 * @remarks Implementations: `MemoryHandoffStore` (one process) and `RedisHandoffStore` (several instances; nothing
 * kept only in process memory). Both pass the same behavioural suite (tests/middleware/handoff/handoffStoreSuite.ts).
 * Cases are copied in and out: mutating a returned case changes nothing stored.
 * Invariants kept by every write: a case is in the queue exactly while `queued`; a conversation has at most one
 * open case; an agent conversation routes to a case only while that case is `assigned`.
 */
export interface HandoffStore {
  /**
   * Stores a new case and gives it a fresh id (see `newCaseId`) and version 1.
   *
   * @throws {@link OpenCaseExistsError} when the customer conversation already has an open case.
   */
  create(draft: CaseDraft): Promise<HandoffCase>;

  /**
   * The case, or `undefined`. Its `liveChat` is only read when `options.liveChat` is true; every other read of the
   * store (`update`, `claim`, `listQueue`, `findOpenByConversation`...) returns cases without it.
   */
  get(caseId: string, options?: GetCaseOptions): Promise<HandoffCase | undefined>;

  /**
   * Read-modify-write with optimistic concurrency: `mutate` gets the current case and returns the new one (it may be
   * called again after a concurrent write, so keep it pure). State changes must follow the state machine (use
   * `transition`). Changes to `id`, `version`, `conversation`, `queuedMessages` and `liveChat` are ignored.
   *
   * @throws {@link CaseNotFoundError}, {@link CaseConflictError}, `IllegalTransitionError`.
   */
  update(caseId: string, mutate: (current: HandoffCase) => HandoffCase, options?: UpdateOptions): Promise<HandoffCase>;

  /** Moves a case to another state (a convenience over {@link HandoffStore.update} with `transition`). */
  transition(caseId: string, to: CaseState, by: string, note?: string): Promise<HandoffCase>;

  /**
   * Atomically gives a claimable case to an agent: of concurrent claimers exactly one wins, the others learn who has it.
   *
   * @param agentConversation where the agent works; customer messages for this case are routed there.
   */
  claim(caseId: string, agent: AgentIdentity, agentConversation?: ConversationPointer): Promise<ClaimResult>;

  /** Resolves a case (from `assigned` or `callback_requested`) with an optional note and satisfaction. */
  resolve(caseId: string, input: ResolveInput): Promise<HandoffCase>;

  /**
   * Atomically adds a customer message to a waiting case (`queued`, `timed_out`, `callback_requested`) and, in the
   * same step, publishes a `queued_message` {@link CaseEvent} to every instance's listeners. Idempotent on the
   * message's `activityId`: a retried activity is kept once.
   */
  appendCustomerMessage(caseId: string, message: QueuedMessage): Promise<AppendResult>;

  /**
   * Atomically appends a redacted line to the case's live chat (`HandoffCase.liveChat`, bounded: the oldest lines
   * are dropped past the store's `maxLiveLines`) and, in the same step, publishes `event` (if given) to every
   * instance's {@link HandoffStore.onCaseEvent} listeners. Works in any state (the record of a closed case too).
   */
  appendLiveLine(caseId: string, line: TranscriptEntry, event?: CaseMessageEvent, options?: LiveLineOptions): Promise<LiveAppendResult>;

  /** The open case of a customer conversation (by `ConversationPointer.key`), or `undefined`. */
  findOpenByConversation(conversationKey: string): Promise<HandoffCase | undefined>;

  /** The case an agent conversation is working on (while assigned), or `undefined`. */
  findByAgentConversation(agentConversationKey: string): Promise<HandoffCase | undefined>;

  /** Queued cases in service order: high priority first, then the oldest. */
  listQueue(limit?: number): Promise<HandoffCase[]>;

  /**
   * Open cases in one state, from an index (closed cases cost nothing): `queued` in service order, the other states
   * oldest in that state first.
   */
  listByState(state: CaseState, limit?: number): Promise<HandoffCase[]>;

  /**
   * Queued cases that entered the queue at or before `queuedAtOrBeforeMs` (epoch ms), in service order, from the
   * queue's index (O(log n) plus the cases returned): what a sweep times out.
   */
  listQueuedBefore(queuedAtOrBeforeMs: number, limit?: number): Promise<HandoffCase[]>;

  /** Cases an agent holds (assigned), from an index, oldest assignment first. */
  listAssignedTo(agent: AgentIdentity, limit?: number): Promise<HandoffCase[]>;

  /**
   * The customer's cases still kept (open or closed, within the retention), newest first, from an index keyed by
   * the customer's profile key, else channel and user id.
   */
  listByCustomer(customer: CustomerIdentity, limit?: number): Promise<HandoffCase[]>;

  /**
   * Cases closed (resolved or abandoned) most recently and still kept, newest close first, from an index of the last
   * {@link MAX_CLOSED_LISTED} closes. Optional: a store without it shows no closed cases.
   */
  listClosed?(limit?: number): Promise<HandoffCase[]>;

  /** Number of open cases in each state, from the indexes (O(1) per state). */
  countByState(): Promise<StateCounts>;

  /** 1-based position of a queued case, or `undefined` when it is not queued. O(log n). */
  queuePosition(caseId: string): Promise<number | undefined>;

  /** Number of queued cases. O(1). */
  queueLength(): Promise<number>;

  /**
   * The position of a queued case, and whether it differs from the last one its customer was told; records it as
   * told, in one atomic step. `undefined` when the case is not queued. Call it when a reply tells the customer their
   * position (the reply that queues them included).
   */
  tellPosition(caseId: string): Promise<{ readonly position: number; readonly changed: boolean } | undefined>;

  /**
   * The queued cases at positions `fromPosition` .. `fromPosition + count - 1` whose position differs from the last
   * one their customer was told, each recorded as told, all in one consistent, atomic step: of concurrent callers
   * (on any instance) only one gets each change, so a customer hears a position once, and only when it really changed.
   * Cases whose customer was never told a position ({@link HandoffStore.tellPosition}) are left out: the reply that
   * queues them is still on its way.
   */
  positionChanges(fromPosition: number, count: number): Promise<PositionChange[]>;

  /**
   * Deletes what outlived the retention: cases (closed, or open with no write) last written longer than the
   * retention ago, with their messages, live chat and index entries. Redis also expires keys by TTL; this cleans
   * the indexes. Returns how many cases were removed.
   */
  purgeExpired(): Promise<number>;

  /**
   * Sets an agent online or away for `ttlMs` (renew before it expires).
   *
   * @param watch the conversation where the agent is told about new cases; omitted keeps none.
   */
  setPresence(agent: AgentIdentity, status: AgentStatus, ttlMs: number, watch?: ConversationPointer): Promise<void>;

  /** Removes an agent's presence (offline). */
  clearPresence(agent: AgentIdentity): Promise<void>;

  /** Agents whose presence has not expired, online first. */
  listPresence(): Promise<AgentPresence[]>;

  /** One agent's presence (matched on channel and id), or `undefined` when there is none or it expired. Optional. */
  getPresence?(agent: AgentIdentity): Promise<AgentPresence | undefined>;

  /**
   * Extends an agent's existing presence by `ttlMs`, keeping its status and watch, in one atomic step; resolves with
   * that status, or `undefined` (and creates nothing) when there is none or it expired. Optional: a renewal then reads
   * and writes, and a status set in between can be overwritten.
   */
  renewPresence?(agent: AgentIdentity, ttlMs: number): Promise<AgentStatus | undefined>;

  /**
   * Keeps an announcement of a case (replacing the one of the same agent conversation), with the case's retention:
   * removed with the case. Idempotent. Resolves false (keeping nothing) when the case does not exist or already holds
   * {@link MAX_ANNOUNCEMENTS}. Optional: without it announcements are not updated in place.
   */
  saveAnnouncement?(caseId: string, announcement: CaseAnnouncement): Promise<boolean>;

  /** The announcements kept for a case, oldest first. Optional, with {@link HandoffStore.saveAnnouncement}. */
  listAnnouncements?(caseId: string): Promise<CaseAnnouncement[]>;

  /** Number of agents online now (expired presences do not count). */
  countOnline(): Promise<number>;

  /** Durations in ms between `assigned` and `resolved` of the most recent resolved cases, newest first. */
  recentHandlingTimes(limit?: number): Promise<number[]>;

  /**
   * Calls `listener` after each queue change, made in this process or (Redis) in any instance.
   *
   * @returns once changes are delivered (Redis: the subscription is confirmed), an unsubscribe function.
   */
  onQueueChanged(listener: (change: QueueChange) => void): Promise<() => void>;

  /**
   * Calls `listener` for every {@link CaseEvent} (state changes, live chat lines, messages kept on waiting cases) made
   * in this process or (Redis) in any instance, once each, in the order the store wrote them.
   *
   * @returns once events are delivered (Redis: the subscription is confirmed), an unsubscribe function.
   */
  onCaseEvent(listener: (event: CaseEvent) => void): Promise<() => void>;

  /** Releases connections and listeners. */
  dispose(): Promise<void>;
}

/** Thrown when a case does not exist. */
export class CaseNotFoundError extends Error {
  constructor(readonly caseId: string) {
    super(`Handoff case ${caseId} not found`);
    this.name = 'CaseNotFoundError';
  }
}

/** Thrown when a write lost against a concurrent one (stale version). */
export class CaseConflictError extends Error {
  constructor(readonly caseId: string) {
    super(`Handoff case ${caseId} was changed concurrently`);
    this.name = 'CaseConflictError';
  }
}

/** Thrown by `create` when the conversation already has an open case. */
export class OpenCaseExistsError extends Error {
  constructor(
    readonly conversationKey: string,
    readonly caseId: string,
  ) {
    super(`Conversation already has open handoff case ${caseId}`);
    this.name = 'OpenCaseExistsError';
  }
}

/** Key identifying an agent in presence records: `` `${channel}:${id}` ``. */
export const agentKey = (agent: AgentIdentity): string => `${agent.channel}:${agent.id}`;
