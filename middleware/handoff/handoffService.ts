import { randomUUID } from 'node:crypto';
import { ActivityTypes, type ConversationState, type TurnContext } from 'botbuilder-core';
import type { Signals } from '../signals/signals';
import { markTranscriptRole } from '../transcriptRole';
import { summarizeCase, type SummaryLanguage } from './caseSummary';
import {
  CLAIMABLE_STATES,
  draftCase,
  transition,
  type AgentIdentity,
  type CasePriority,
  type CaseState,
  type ConversationPointer,
  type CustomerIdentity,
  type HandoffCase,
  type HandoffReason,
  type QueuedMessage,
  type Satisfaction,
  type TranscriptEntry,
} from './handoffCase';
import { handoffMessages, type CallbackPreference } from './handoffMessages';
import { OpenCaseExistsError, type AgentPresence, type AgentStatus, type ClaimResult, type HandoffStore } from './stores/handoffStore';
import { MemoryReplayCache, type ReplayCache } from '../shared/replayCache';
import { RetryLaterError } from '../shared/retryLater';
import type { AgentDelivery, HandoffEvent, HubConnector } from './hubs/hubConnector';
import type { ProactiveMessenger } from '../adapterMessenger';
import { defaultRedactor, Redactor } from './redaction';
import { estimateWait } from './waitEstimate';
import type { EmotionScore, Evidence, IntentHit } from '../signals/signals';

/** Where the service reports problems (ids and error names only, never customer text). */
export interface HandoffLogger {
  warn(event: string, fields?: Record<string, unknown>): void;
  info?(event: string, fields?: Record<string, unknown>): void;
}

/** Options of {@link HandoffService}. */
export interface HandoffServiceOptions {
  readonly store: HandoffStore;
  /** Proactive sends to customers and agents (see `adapterMessenger`). */
  readonly messenger: ProactiveMessenger;
  /** Hubs told about cases; more can be added with `addConnector`. Default none. */
  readonly connectors?: readonly HubConnector[];
  /**
   * The bot's conversation state. Kept for compatibility: giving it turns the closing rating question on (see
   * `ratingQuestion`); the service never writes it.
   */
  readonly conversationState?: ConversationState;
  /** Ask the customer for a 1–5 rating when a case is closed. Default: true when `conversationState` is given. */
  readonly ratingQuestion?: boolean;
  /** How long after a close a 1–5 reply still counts as the rating. Default 24 hours. */
  readonly ratingWindowMs?: number;
  /** Longest wait in the queue before the customer is offered a callback (`sweep`). Default 10 minutes. */
  readonly maxWaitMs?: number;
  /** How long an agent stays present without writing to the bot. Default 8 hours. */
  readonly presenceTtlMs?: number;
  /**
   * Redacts everything a customer or an agent wrote before it is stored (waiting messages, live chat, close notes,
   * evidence, undelivered messages). Default: the built-in redactor (cards, IBANs, e-mails, phone numbers).
   */
  readonly redactor?: Redactor;
  /**
   * Masks what an agent reads live (relayed to Teams or Slack, streamed to the console): card numbers are masked for
   * agents too (PCI DSS), e-mail addresses and phone numbers are shown to the assigned agent only. Default: the
   * built-in redactor with only its card rule.
   */
  readonly liveRedactor?: Redactor;
  /**
   * Remembers which relays were done, by the channel's activity id (or the console's message id), so a retried
   * activity is relayed once, across instances when shared (`RedisReplayCache`). Default: in this process's memory.
   */
  readonly relayLedger?: ReplayCache;
  /** Longest text kept or relayed per message (the input guard's limit). Default 4000. */
  readonly maxTextChars?: number;
  /**
   * Collected data the customer gave for a purpose, kept in clear on the case for the agent who takes it (and erased
   * with the case): every other collected value is redacted like free text. Default `['orderEmail']` (the address a
   * person uses to find an order).
   */
  readonly purposeFields?: readonly string[];
  /** Language of the case summary agents read. Default `en`. */
  readonly summaryLanguage?: SummaryLanguage;
  /** Transcript lines copied into a case. Default 50. */
  readonly transcriptLines?: number;
  /** Queued customers told their new position after a change. Default 25. */
  readonly positionUpdates?: number;
  /** Consecutive failed relays to an agent after which the case goes back to the queue. Default 3. */
  readonly relayFailureLimit?: number;
  /** Clock. Default `() => new Date()`. */
  readonly clock?: () => Date;
  readonly logger?: HandoffLogger;
}

/** What a new case is opened from (gathered by the middleware from the turn). */
export interface OpenCaseInput {
  readonly conversation: ConversationPointer;
  readonly customer: CustomerIdentity;
  readonly reason: HandoffReason;
  readonly priority: CasePriority;
  readonly explanation: string;
  readonly intents: readonly IntentHit[];
  readonly emotions: readonly EmotionScore[];
  readonly signals?: Signals;
  readonly language: string;
  /** Redacted transcript so far (oldest first), including the current message. */
  readonly transcript: readonly TranscriptEntry[];
  readonly collected: Readonly<Record<string, string>>;
}

/** The result of {@link HandoffService.openCase}. */
export interface OpenedCase {
  readonly case: HandoffCase;
  /** False when the conversation already had an open case. */
  readonly created: boolean;
  /** Agents online when the case was opened. */
  readonly agentsOnline: number;
  /** 1-based queue position (when queued). */
  readonly position?: number;
  /** Expected wait in whole minutes (when an agent is online). */
  readonly waitMinutes?: number;
}

/** Result of an agent action on a case (send, close). */
export type AgentActionResult =
  | { readonly ok: true; readonly case: HandoffCase }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'not_yours'; readonly by?: AgentIdentity }
  | { readonly ok: false; readonly reason: 'not_assigned'; readonly state: CaseState };

/**
 * The handoff orchestrator: opens cases, keeps customers informed, claims, relays both ways, closes, sweeps timeouts.
 *
 * @remarks Used by `HandoffMiddleware` (customer side), the `AgentDesk` (agents in Teams/Slack), the web console and
 * hub connectors. Holds no shared state of its own: everything lives in the {@link HandoffStore} (and the bot's
 * conversation state), so several instances can share one Redis. Proactive sends go through the
 * {@link ProactiveMessenger}; events reach connectors and subscribers off the caller's turn (see `idle()`).
 * Never logs customer text.
 * @example
 * const service = new HandoffService({ store, messenger: adapterMessenger(adapter, appId), conversationState });
 */
export class HandoffService {
  readonly store: HandoffStore;
  readonly presenceTtlMs: number;
  private readonly messenger: ProactiveMessenger;
  private readonly connectors: HubConnector[];
  private readonly listeners = new Set<(event: HandoffEvent) => void>();
  private readonly pending = new Set<Promise<unknown>>();
  private purgedAt = 0;
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly maxWaitMs: number;
  private readonly summaryLanguage: SummaryLanguage;
  private readonly transcriptLines: number;
  private readonly positionUpdates: number;
  private readonly clock: () => Date;
  private readonly logger: HandoffLogger;
  private readonly ratingQuestion: boolean;
  private readonly relayFailureLimit: number;
  private readonly ratingWindowMs: number;
  private readonly redactor: Redactor;
  private readonly liveRedactor: Redactor;
  private readonly relayLedger: ReplayCache;
  private readonly maxTextChars: number;
  private readonly purposeFields: ReadonlySet<string>;

  constructor(options: HandoffServiceOptions) {
    if (!options?.store) throw new TypeError('HandoffService: store is required');
    if (!options.messenger) throw new TypeError('HandoffService: messenger is required');
    this.store = options.store;
    this.messenger = options.messenger;
    this.connectors = [...(options.connectors ?? [])];
    this.ratingQuestion = options.ratingQuestion ?? options.conversationState !== undefined;
    this.ratingWindowMs = options.ratingWindowMs ?? 24 * 3600_000;
    this.relayFailureLimit = options.relayFailureLimit ?? 3;
    this.maxWaitMs = options.maxWaitMs ?? 10 * 60_000;
    this.presenceTtlMs = options.presenceTtlMs ?? 8 * 3600_000;
    this.summaryLanguage = options.summaryLanguage ?? 'en';
    this.redactor = options.redactor ?? defaultRedactor;
    this.liveRedactor = options.liveRedactor ?? CARDS_ONLY;
    this.relayLedger = options.relayLedger ?? new MemoryReplayCache({ maxEntries: 100_000 });
    this.maxTextChars = options.maxTextChars ?? 4000;
    this.purposeFields = new Set(options.purposeFields ?? DEFAULT_PURPOSE_FIELDS);
    this.transcriptLines = options.transcriptLines ?? 50;
    this.positionUpdates = options.positionUpdates ?? 25;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? { warn: () => undefined };
    if (!(this.maxWaitMs > 0)) throw new TypeError('HandoffService: maxWaitMs must be positive');
    if (!(this.presenceTtlMs > 0)) throw new TypeError('HandoffService: presenceTtlMs must be positive');
  }

  /** True for a collected key the customer gives for a purpose (kept in clear on the case, erased at the close). */
  isPurposeField(key: string): boolean {
    return this.purposeFields.has(key);
  }

  /** Adds a hub connector (several may be active at once). */
  addConnector(connector: HubConnector): this {
    if (!connector?.name) throw new TypeError('HandoffService: a connector needs a name');
    this.connectors.push(connector);
    return this;
  }

  /** Calls `listener` for every event; returns an unsubscribe function. */
  subscribe(listener: (event: HandoffEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves when the background work started so far (connector events, position updates) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  // ---------------------------------------------------------------- customer side

  /** The open case of a customer conversation (one store lookup). */
  findOpenCase(conversationKey: string): Promise<HandoffCase | undefined> {
    return this.store.findOpenByConversation(conversationKey);
  }

  /**
   * Opens a case and queues it; with no agent online and no staffed hub connector the case moves to `timed_out` at
   * once (the customer is offered a callback). Returns the existing case when the conversation already has one.
   */
  async openCase(input: OpenCaseInput): Promise<OpenedCase> {
    const now = this.clock();
    // What the customer wrote (their words in the evidence, their display name) is stored redacted, once.
    const signals = input.signals
      ? { ...input.signals, intents: this.redactHits(input.signals.intents), emotions: this.redactHits(input.signals.emotions) }
      : undefined;
    const name = input.customer.name === undefined ? undefined : this.stored(input.customer.name, 200);
    // The policy's one-line explanation quotes the customer's words: stored redacted like them.
    const explanation = this.stored(input.explanation, 500);
    const base = draftCase(
      {
        conversation: input.conversation,
        customer: { ...input.customer, ...(name === undefined ? {} : { name }) },
        reason: input.reason,
        priority: input.priority,
        trigger: {
          intents: this.redactHits(input.intents),
          emotions: this.redactHits(input.emotions),
          ...(signals ? { signals } : {}),
          explanation,
        },
        language: input.language,
        transcript: input.transcript.slice(-this.transcriptLines).map((t) => ({ ...t, text: t.text.slice(0, this.maxTextChars) })),
        collected: Object.fromEntries(
          Object.entries(input.collected)
            .slice(0, 50)
            .map(([k, v]) => [k.slice(0, 64), this.purposeFields.has(k) ? String(v).slice(0, 200) : this.stored(String(v), 200)]),
        ),
      },
      now,
    );
    const purposeKeys = Object.keys(base.collected).filter((k) => this.purposeFields.has(k));
    const draft = { ...base, ...(purposeKeys.length ? { purposeKeys } : {}), summary: summarizeCase(base, { language: this.summaryLanguage }).text };
    let opened: HandoffCase;
    let created = true;
    try {
      opened = await this.store.create(transition(draft, 'queued', { by: 'bot', note: explanation, at: now }));
    } catch (err) {
      if (!(err instanceof OpenCaseExistsError)) throw err;
      const existing = await this.store.get(err.caseId);
      if (!existing) throw err;
      opened = existing;
      created = false;
    }
    const agentsOnline = await this.store.countOnline();
    // A staffed hub (engagement hub, ticketing) takes cases even when no desk agent is online.
    const hubStaffed = this.connectors.some((c) => c.staffed === true && (c.takesCase?.(opened) ?? true));
    if (created && agentsOnline === 0 && !hubStaffed && opened.state === 'queued') {
      opened = await this.store.transition(opened.id, 'timed_out', 'system', 'no agent online');
      this.emit({ type: 'timed_out', case: opened, opened: true });
      return { case: opened, created, agentsOnline };
    }
    // The reply that queues the customer says their position: recorded as told, so updates say only what changes.
    const position = opened.state === 'queued' ? (await this.store.tellPosition(opened.id))?.position : undefined;
    const waitMinutes = position === undefined ? undefined : await this.waitMinutes(position, agentsOnline);
    if (created) {
      this.emit({ type: 'queued', case: opened, opened: true });
      // A new case ahead of others (high priority) pushes them back: tell them.
      if (position !== undefined) this.background(this.announceBehind(position));
    }
    return { case: opened, created, agentsOnline, ...(position ? { position } : {}), ...(waitMinutes ? { waitMinutes } : {}) };
  }

  /** 1-based position and expected wait in minutes of a queued case. */
  async positionOf(caseId: string): Promise<{ position?: number; waitMinutes?: number }> {
    const position = await this.store.queuePosition(caseId);
    if (position === undefined) return {};
    const waitMinutes = await this.waitMinutes(position, await this.store.countOnline());
    return { position, ...(waitMinutes ? { waitMinutes } : {}) };
  }

  /**
   * The position of a queued case as its customer is about to be told it, and whether it changed since they last
   * heard one (in a reply or a proactive update); recorded as told. Empty when the case is not queued.
   */
  async tellPosition(caseId: string): Promise<{ position?: number; changed?: boolean }> {
    return (await this.store.tellPosition(caseId)) ?? {};
  }

  /**
   * A customer message on an open case: relayed to the agent while assigned (in order), else kept on the case.
   * Idempotent on `activityId`: a retried activity is kept or relayed once, on any instance.
   *
   * @remarks What is stored (waiting messages, the live chat line) is redacted; what the assigned agent reads live has
   * card numbers masked. The text is cut to `maxTextChars`; when it was cut (here, or by the input guard: `shortened`),
   * the agent is told so.
   * @returns `relayed`; `kept` (added to the waiting case); `full` when the case holds its maximum of waiting messages
   * (the transcript still has the message); `closed` when the case is no longer open; `saved` when the agent's
   * conversation could not be reached (the message is kept on the case, delivered first with the next relay);
   * `requeued` when that happened `relayFailureLimit` times in a row: the case is back in the queue (high priority,
   * announced again) with the unsent messages as waiting messages.
   * @throws {@link RetryLaterError} when another instance is relaying the same activity right now.
   */
  async customerMessage(
    c: HandoffCase,
    text: string,
    activityId?: string,
    options: { readonly shortened?: boolean } = {},
  ): Promise<'relayed' | 'kept' | 'full' | 'closed' | 'saved' | 'requeued'> {
    const at = this.clock().toISOString();
    const shortened = text.length > this.maxTextChars || options.shortened === true;
    const bounded = shortened ? text.slice(0, this.maxTextChars) : text;
    if (c.state === 'assigned') return this.relayToAgent(c, bounded, at, activityId, shortened);
    const stored = this.redactor.redact(bounded);
    const message: QueuedMessage = { text: stored, at, ...(activityId ? { activityId } : {}) };
    const result = await this.store.appendCustomerMessage(c.id, message);
    if (result.ok) {
      if (!result.duplicate) this.emit({ type: 'customer_message', case: c, text: stored, at });
      return 'kept';
    }
    if (result.reason === 'full') return 'full';
    if (result.reason === 'not_waiting' && result.state === 'assigned') {
      // Claimed between our read and the append: relay instead, never drop.
      const fresh = await this.store.get(c.id);
      if (fresh?.state === 'assigned') return this.customerMessage(fresh, bounded, activityId, options);
    }
    return 'closed';
  }

  private async relayToAgent(c: HandoffCase, text: string, at: string, activityId: string | undefined, shortened: boolean): Promise<'relayed' | 'saved' | 'requeued' | 'closed'> {
    const stored: QueuedMessage = { text: this.redactor.redact(text), at, ...(activityId ? { activityId } : {}) };
    // Earlier messages the agent never got go first (stored, so redacted), so the agent reads everything in order.
    const live = `${this.liveRedactor.redact(text)}${shortened ? SHORTENED : ''}`;
    const key = activityId ? `relay:to-agent:${c.id}:${activityId}` : undefined;
    let claim: RelayClaim | undefined;
    let settled = false;
    // Recorded the moment the agent's channel took the message: a crash after that must not relay it again.
    const onSent = key
      ? async () => {
          if (claim) await this.settleRelay(claim);
          settled = true;
        }
      : undefined;
    const batch: AgentDelivery[] = [...(c.undelivered ?? []).map((m) => ({ text: m.text, at: m.at })), { text: live, at, ...(onSent ? { onSent } : {}) }];
    let sent = 0;
    let outcome = 'delivered' as 'delivered' | 'closed' | 'duplicate' | 'failed';
    await this.lane(c.conversation.key, async () => {
      // The agent may have closed the case while this message was on its way: then it is the bot's turn.
      const fresh = await this.store.get(c.id);
      if (fresh?.state !== 'assigned') {
        outcome = 'closed';
        return;
      }
      if (key) {
        claim = await this.beginRelay(key);
        if (!claim) {
          outcome = 'duplicate';
          return;
        }
      }
      try {
        // The case is the record (and, through the store's case event, the web console's live feed): the new line
        // goes on the case before delivery; earlier undelivered ones are already there.
        await this.recordLive(c, 'customer', text, at, undefined, activityId);
      } catch (err) {
        await this.releaseRelay(claim);
        throw err; // nothing was delivered: the channel's retry starts afresh
      }
      try {
        for (const m of batch) {
          try {
            await this.deliverToAgent(c, m);
          } catch (err) {
            // A channel that refuses this one message (400, 413) would refuse it forever and hold back every later
            // one: skip it (it is on the case) rather than count the agent as unreachable.
            if (!isRefusedMessage(err)) throw err;
            this.logger.warn('handoff.relay_message_refused', { caseId: c.id, error: errorName(err) });
          }
          sent += 1;
        }
      } catch {
        outcome = 'failed';
        return;
      }
      if (claim && !settled) await this.settleRelay(claim);
    });
    if (outcome === 'closed') return 'closed';
    if (outcome === 'duplicate') return 'relayed';
    if (outcome === 'failed') {
      // Kept on the case for the next relay before this activity counts as done.
      const result = await this.relayFailed(c, stored, Math.min(sent, batch.length - 1)).catch(async (err: unknown) => {
        await this.releaseRelay(claim);
        throw err;
      });
      if (claim) await this.settleRelay(claim);
      return result;
    }
    if (c.undelivered?.length || c.relayFailures) {
      // Only after a failure: the hot path writes nothing but the live line.
      await this.store.update(c.id, (x) => {
        const rest = omit(x, 'undelivered', 'relayFailures');
        const left = (x.undelivered ?? []).slice(sent - 1);
        return x.state === 'assigned' ? { ...rest, ...(left.length ? { undelivered: left } : {}) } : x;
      });
    }
    for (const m of [...(c.undelivered ?? []), stored]) this.emit({ type: 'customer_message', case: c, text: m.text, at: m.at });
    return 'relayed';
  }

  /** Keeps a message the agent could not receive; at the limit, puts the case back in the queue. */
  private async relayFailed(c: HandoffCase, message: QueuedMessage, deliveredBacklog: number): Promise<'saved' | 'requeued' | 'closed'> {
    const updated = await this.store.update(c.id, (x) =>
      x.state === 'assigned'
        ? { ...x, undelivered: [...(x.undelivered ?? []).slice(deliveredBacklog), message].slice(-500), relayFailures: (x.relayFailures ?? 0) + 1 }
        : x,
    );
    if (updated.state !== 'assigned') return 'closed';
    if ((updated.relayFailures ?? 0) < this.relayFailureLimit) return 'saved';
    const at = this.clock();
    const unsent = updated.undelivered ?? [];
    const requeued = await this.store.update(c.id, (x) => {
      if (x.state !== 'assigned') return x;
      const moved = transition(x, 'queued', { by: 'system', note: `agent ${x.agent?.id ?? ''} unreachable after ${this.relayFailureLimit} tries: back in the queue`, at });
      const rest = omit(moved, 'agent', 'agentConversation', 'undelivered', 'relayFailures');
      // They were already served once: first in line again.
      return { ...rest, priority: 'high' as const };
    });
    if (requeued.state !== 'queued') return 'closed';
    for (const m of unsent) await this.store.appendCustomerMessage(c.id, m);
    this.logger.warn('handoff.requeued_unreachable_agent', { caseId: c.id, agentChannel: c.agent?.channel });
    this.emit({ type: 'queued', case: (await this.store.get(c.id)) ?? requeued });
    const position = await this.store.queuePosition(c.id);
    if (position !== undefined) this.background(this.announceBehind(position));
    return 'requeued';
  }

  /** The customer cancelled: the case is abandoned and the customers behind are told their new position. */
  async cancelByCustomer(caseId: string): Promise<HandoffCase> {
    const before = await this.store.queuePosition(caseId);
    const c = await this.store.transition(caseId, 'abandoned', 'customer', 'cancelled by the customer');
    this.emit({ type: 'abandoned', case: c });
    if (before !== undefined) this.background(this.announcePositions(before));
    return c;
  }

  /** Records the customer's callback / ticket choice; the case stays open and claimable. */
  async requestCallback(caseId: string, preference: CallbackPreference, contact?: string): Promise<HandoffCase> {
    const before = await this.store.queuePosition(caseId);
    const at = this.clock();
    const c = await this.store.update(caseId, (current) => ({
      ...(current.state === 'callback_requested' ? current : transition(current, 'callback_requested', { by: 'customer', note: preference, at })),
      callback: { preference, ...(contact ? { contact } : {}), at: at.toISOString() },
    }));
    this.emit({ type: 'callback_requested', case: c });
    if (before !== undefined) this.background(this.announcePositions(before));
    return c;
  }

  /** The customer chose to keep waiting after a timeout: back in the queue. */
  async keepWaiting(caseId: string): Promise<HandoffCase> {
    const c = await this.store.transition(caseId, 'queued', 'customer', 'keeps waiting');
    this.emit({ type: 'queued', case: c });
    const position = await this.store.queuePosition(caseId);
    if (position !== undefined) this.background(this.announceBehind(position));
    return c;
  }

  /** Stores the customer's 1–5 rating on a (resolved) case and clears the pending rating question. */
  async rate(caseId: string, satisfaction: Satisfaction): Promise<void> {
    await this.store.update(caseId, (c) => {
      return { ...omit(c, 'ratingRequested'), satisfaction };
    });
  }

  /**
   * The resolved case when it still waits for the customer's 1–5 rating (asked at the close, not answered, closed
   * within the rating window), else `undefined`. One store read: the store, not conversation state, is the truth, so
   * a close made by another instance while the customer was writing is never lost.
   */
  async awaitingRating(caseId: string): Promise<HandoffCase | undefined> {
    const c = await this.store.get(caseId);
    if (!c || c.state !== 'resolved' || !c.ratingRequested || c.satisfaction !== undefined) return undefined;
    const resolvedAt = Date.parse(c.timestamps.resolved ?? c.timestamps.updated);
    return this.clock().getTime() - resolvedAt <= this.ratingWindowMs ? c : undefined;
  }

  // ---------------------------------------------------------------- agent side

  /** Claimable cases: the queue in service order, then timed-out and callback cases, oldest first. */
  async listClaimable(limit = 50): Promise<HandoffCase[]> {
    const out: HandoffCase[] = [];
    // From the indexes: closed cases and the rest of the queue cost nothing.
    for (const state of CLAIMABLE_STATES) {
      if (out.length >= limit) break;
      out.push(...(await this.store.listByState(state, limit - out.length)));
    }
    return out;
  }

  /** Open cases assigned to an agent. */
  listAssigned(agent: AgentIdentity, limit = 100): Promise<HandoffCase[]> {
    return this.store.listAssignedTo(agent, limit);
  }

  /** Presence of agents (online first). */
  listPresence(): Promise<AgentPresence[]> {
    return this.store.listPresence();
  }

  /** Sets an agent's presence, with the conversation where they watch for new cases. */
  setPresence(agent: AgentIdentity, status: AgentStatus, watch?: ConversationPointer, ttlMs = this.presenceTtlMs): Promise<void> {
    return this.store.setPresence(agent, status, ttlMs, watch);
  }

  /** Removes an agent's presence. */
  clearPresence(agent: AgentIdentity): Promise<void> {
    return this.store.clearPresence(agent);
  }

  /** One agent's presence (channel and id), or `undefined`. */
  async getPresence(agent: AgentIdentity): Promise<AgentPresence | undefined> {
    if (this.store.getPresence) return this.store.getPresence(agent);
    return (await this.store.listPresence()).find((p) => p.agent.id === agent.id && p.agent.channel === agent.channel);
  }

  /**
   * Extends an agent's existing presence, keeping its status (atomically when the store can); resolves with the
   * status, or `undefined` when the agent has no presence any more (signed out, expired): nothing is created.
   */
  async renewPresence(agent: AgentIdentity, ttlMs = this.presenceTtlMs): Promise<AgentStatus | undefined> {
    if (this.store.renewPresence) return this.store.renewPresence(agent, ttlMs);
    const current = await this.getPresence(agent);
    if (!current) return undefined;
    await this.store.setPresence(agent, current.status, ttlMs, current.watch);
    return current.status;
  }

  /**
   * Claims a case for an agent: exactly one of concurrent claimers wins. The winner's customer is told someone
   * joined; the customers behind in the queue get their new position.
   *
   * @param agentConversation where the agent works (customer messages are relayed there); omitted for consoles.
   */
  async accept(caseId: string, agent: AgentIdentity, agentConversation?: ConversationPointer): Promise<ClaimResult> {
    const before = await this.store.queuePosition(caseId);
    const result = await this.store.claim(caseId, agent, agentConversation);
    if (!result.ok) return result;
    const c = result.case;
    // The case is the agent's now: a customer who cannot be told so right away still gets the agent's messages.
    await this.lane(c.conversation.key, () =>
      this.toCustomer(c, async (ctx) => {
        await ctx.sendActivity(handoffMessages(c.language).agentJoined(agent.name));
      }),
    ).catch((err: unknown) => this.logger.warn('handoff.joined_notice_failed', { caseId: c.id, error: errorName(err) }));
    this.emit({ type: 'assigned', case: c });
    if (before !== undefined) this.background(this.announcePositions(before));
    return result;
  }

  /**
   * Sends an agent's message to the customer of a case the agent holds (in order per customer conversation).
   * Idempotent on `messageId` (the channel's activity id, the console's message id): a retry is sent once.
   *
   * @remarks The customer receives what the agent wrote; the live chat keeps it redacted.
   * @throws {@link RetryLaterError} when the same message is being sent by another instance right now;
   * {@link CustomerUnreachableError} when the customer's channel refused it or could not be reached (not sent).
   */
  async sendToCustomer(caseId: string, agent: AgentIdentity, text: string, messageId?: string): Promise<AgentActionResult> {
    const c = await this.store.get(caseId);
    const check = this.checkHolder(c, agent);
    if (!check.ok) return check;
    const at = this.clock().toISOString();
    const bounded = text.length > this.maxTextChars ? text.slice(0, this.maxTextChars) : text;
    const key = messageId ? `relay:to-customer:${caseId}:${messageId}` : undefined;
    let sent = false;
    let settled = false;
    await this.lane(check.case.conversation.key, async () => {
      let claim: RelayClaim | undefined;
      if (key) {
        claim = await this.beginRelay(key);
        if (!claim) return;
      }
      const mine = claim;
      try {
        await this.toCustomer(check.case, async (ctx) => {
          if (mine) {
            // Recorded the moment the customer's channel took the message: a crash after that must not send it again.
            ctx.onSendActivities(async (_ctx, _activities, next) => {
              const responses = await next();
              await this.settleRelay(mine);
              settled = true;
              return responses;
            });
          }
          await ctx.sendActivity(markTranscriptRole({ type: ActivityTypes.Message, text: bounded }, 'agent'));
        });
      } catch (err) {
        if (settled) {
          this.logger.warn('handoff.after_send_failed', { caseId, error: errorName(err) });
        } else {
          await this.releaseRelay(mine);
          throw new CustomerUnreachableError(caseId, err);
        }
      }
      sent = true;
      if (mine && !settled) await this.settleRelay(mine);
      // The customer has the message: a failed record must not make the agent send it twice.
      await this.recordLive(check.case, 'agent', bounded, at, agent, messageId).catch((err: unknown) =>
        this.logger.warn('handoff.live_record_failed', { caseId: check.case.id, error: errorName(err) }),
      );
    });
    if (sent) this.emit({ type: 'agent_message', case: check.case, agent, text: this.redactor.redact(bounded), at });
    return check;
  }

  /**
   * Closes a case the agent holds: the customer is back with the bot, told so in a fixed, kind sentence in their
   * language, and asked for a 1–5 rating. The agent's note is internal: kept on the case (redacted) for the team,
   * never sent to the customer.
   */
  async close(caseId: string, agent: AgentIdentity, note?: string): Promise<AgentActionResult> {
    const c = await this.store.get(caseId);
    const check = this.checkHolder(c, agent);
    if (!check.ok) return check;
    const internal = note?.trim() ? this.stored(note.trim(), MAX_NOTE_CHARS) : undefined;
    // "Awaiting a rating" is written with the resolve, atomically on the case: no conversation-state write that a
    // concurrent customer turn (botbuilder saves with eTag '*') could overwrite.
    const resolved = await this.store.resolve(caseId, { by: agent.id, ...(internal ? { note: internal } : {}), ...(this.ratingQuestion ? { ratingRequested: true } : {}) });
    await this.lane(resolved.conversation.key, () =>
      this.toCustomer(resolved, async (ctx) => {
        const m = handoffMessages(resolved.language);
        await ctx.sendActivity(m.closed(agent.name));
        if (this.ratingQuestion) await ctx.sendActivity(m.rateQuestion);
      }),
    ).catch((err: unknown) => this.logger.warn('handoff.closed_notice_failed', { caseId: resolved.id, error: errorName(err) }));
    this.emit({ type: 'resolved', case: resolved });
    return { ok: true, case: resolved };
  }

  // ---------------------------------------------------------------- time

  /**
   * Moves cases that waited longer than `maxWaitMs` to `timed_out` and offers their customers a callback.
   *
   * @remarks Safe to run on every instance: the store's check-and-set lets one instance win each case.
   * @returns the ids of the cases this call timed out.
   */
  async sweep(): Promise<string[]> {
    const now = this.clock().getTime();
    const timedOut: string[] = [];
    let firstMoved: number | undefined;
    // Only the cases that waited too long, from the queue's index: the rest of the queue costs nothing.
    const due = await this.store.listQueuedBefore(now - this.maxWaitMs, SWEEP_BATCH);
    for (const c of due) {
      const position = await this.store.queuePosition(c.id);
      let updated: HandoffCase;
      try {
        // Only from the version we read: another instance that timed it out (or an agent who claimed it) wins.
        updated = await this.store.update(c.id, (current) => transition(current, 'timed_out', { by: 'system', note: 'waited too long', at: new Date(now) }), {
          expectedVersion: c.version,
        });
      } catch {
        continue;
      }
      timedOut.push(c.id);
      if (position !== undefined) firstMoved = Math.min(firstMoved ?? position, position);
      this.emit({ type: 'timed_out', case: updated });
      try {
        await this.toCustomer(updated, async (ctx) => {
          await ctx.sendActivity(handoffMessages(updated.language).timedOut(updated.id));
        });
      } catch (err) {
        // One unreachable customer must not stop the sweep nor the position updates of the others.
        this.logger.warn('handoff.timeout_notice_failed', { caseId: updated.id, error: errorName(err) });
      }
    }
    if (firstMoved !== undefined) this.background(this.announcePositions(firstMoved));
    if (now - this.purgedAt >= PURGE_EVERY_MS) {
      this.purgedAt = now;
      this.background(
        this.store.purgeExpired().then((removed) => {
          if (removed) this.logger.info?.('handoff.purged_expired', { removed });
        }),
      );
    }
    return timedOut;
  }

  // ---------------------------------------------------------------- internals

  /**
   * Appends a live chat line to the case (redacted) and publishes it to every instance in the same store write (one
   * Redis round trip). The published text is what the agent's screen shows live: card numbers masked, e-mail
   * addresses and phone numbers shown (only the assigned agent's consoles receive it). Idempotent on `id`.
   */
  private async recordLive(c: HandoffCase, from: 'customer' | 'agent', text: string, at: string, agent?: AgentIdentity, id?: string): Promise<void> {
    const holder = agent ?? c.agent;
    await this.store.appendLiveLine(
      c.id,
      { role: from, text: this.redactor.redact(text), at },
      { kind: 'message', caseId: c.id, from, text: this.liveRedactor.redact(text), at, ...(holder ? { agent: holder } : {}) },
      id ? { id } : {},
    );
  }

  /** Text to store: cut to `max` characters, then redacted. */
  private stored(text: string, max: number = this.maxTextChars): string {
    return this.redactor.redact(text.length > max ? text.slice(0, max) : text);
  }

  /** Intent or emotion hits with the customer's words redacted (and bounded). */
  private redactHits<T extends { readonly evidence: readonly Evidence[] }>(hits: readonly T[]): T[] {
    return hits.map((h) => ({ ...h, evidence: h.evidence.slice(0, 20).map((e) => ({ ...e, matched: e.matched.slice(0, 20).map((m) => this.stored(m, 200)) })) }));
  }

  /**
   * Claims a relay by its key: true when this call must do it, false when it was done already.
   *
   * @throws {@link RetryLaterError} while another call (any instance) is doing it.
   */
  private async beginRelay(key: string): Promise<RelayClaim | undefined> {
    const claim: RelayClaim = { key, owner: randomUUID() };
    const state = await this.relayLedger.begin(key, RELAY_LEASE_MS, claim.owner).catch(async (err: unknown) => {
      // A claim that timed out may still be applied later: give it up behind it (see ActivityDedupMiddleware).
      await this.releaseRelay(claim);
      throw err;
    });
    if (state === 'done') return undefined;
    if (state === 'pending') throw new RetryLaterError('the same message is being relayed right now', { retryAfterSeconds: 2, reason: 'busy' });
    return claim;
  }

  /** Gives a relay claim up (only this claim: never one made after its lease ran out, nor a done relay). */
  private releaseRelay(claim: RelayClaim | undefined): Promise<void> {
    return claim ? this.relayLedger.release(claim.key, claim.owner).catch(() => undefined) : Promise.resolve();
  }

  /**
   * Marks a relay done. It already happened, so the mark is retried through a storage blip rather than given up:
   * a lost mark would let the channel's retry relay the message twice.
   */
  private async settleRelay(claim: RelayClaim): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.relayLedger.complete(claim.key, RELAY_KEEP_MS, claim.owner);
        return;
      } catch (err) {
        if (attempt >= SETTLE_ATTEMPTS) {
          this.logger.warn('handoff.relay_mark_failed', { error: errorName(err) });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }

  private checkHolder(c: HandoffCase | undefined, agent: AgentIdentity): AgentActionResult {
    if (!c) return { ok: false, reason: 'not_found' };
    if (c.state !== 'assigned') return { ok: false, reason: 'not_assigned', state: c.state };
    if (!c.agent || c.agent.id !== agent.id || c.agent.channel !== agent.channel) {
      return { ok: false, reason: 'not_yours', ...(c.agent ? { by: c.agent } : {}) };
    }
    return { ok: true, case: c };
  }

  private async deliverToAgent(c: HandoffCase, message: AgentDelivery): Promise<void> {
    for (const connector of this.connectors) {
      if (!connector.deliverToAgent) continue;
      try {
        if (await connector.deliverToAgent(c, message)) return;
      } catch (err) {
        this.logger.warn('handoff.relay_failed', { caseId: c.id, connector: connector.name, error: errorName(err) });
        throw err; // the caller keeps the message on the case (see relayFailed)
      }
    }
    // No hub claimed it: the transcript and the event still hold the message; say so without its text.
    this.logger.warn('handoff.relay_undelivered', { caseId: c.id, agentChannel: c.agent?.channel });
  }

  private toCustomer(c: HandoffCase, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    return this.messenger.continueConversation(c.conversation, logic);
  }

  /** Tells the customers behind a case that entered the queue at `position` their new place, if there are any. */
  private async announceBehind(position: number): Promise<void> {
    if (position < (await this.store.queueLength())) await this.announcePositions(position + 1);
  }

  /**
   * Tells queued customers from `fromPosition` on (the next `positionUpdates`) their new place in the queue: only
   * those whose position really changed since they last heard one, each once (the store decides atomically).
   */
  private async announcePositions(fromPosition: number): Promise<void> {
    const changes = await this.store.positionChanges(fromPosition, this.positionUpdates);
    for (const { case: c, position } of changes) {
      try {
        await this.lane(c.conversation.key, () =>
          this.toCustomer(c, async (ctx) => {
            await ctx.sendActivity(handoffMessages(c.language).positionUpdate(position));
          }),
        );
      } catch (err) {
        this.logger.warn('handoff.position_update_failed', { caseId: c.id, error: errorName(err) });
      }
    }
  }

  private async waitMinutes(position: number, agentsOnline: number): Promise<number | undefined> {
    if (agentsOnline <= 0) return undefined;
    const ms = estimateWait({ position, onlineAgents: agentsOnline, handlingTimesMs: await this.store.recentHandlingTimes(20) });
    return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 60_000));
  }

  private emit(event: HandoffEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.logger.warn('handoff.listener_failed', { event: event.type, error: errorName(err) });
      }
    }
    for (const connector of this.connectors) {
      if (!connector.onEvent) continue;
      this.background(
        connector.onEvent(event).catch((err: unknown) => {
          this.logger.warn('handoff.connector_failed', { connector: connector.name, event: event.type, caseId: event.case.id, error: errorName(err) });
        }),
      );
    }
  }

  private background(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.logger.warn('handoff.background_failed', { error: errorName(err) }));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Runs sends to one conversation one after the other in this process, so they arrive in order. */
  private lane<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.lanes.set(key, settled);
    void settled.then(() => {
      if (this.lanes.get(key) === settled) this.lanes.delete(key);
    });
    return run;
  }
}

/** A relay claimed in the ledger: its key and this claim's own token. */
interface RelayClaim {
  readonly key: string;
  readonly owner: string;
}

/** An agent's message could not be delivered to the customer's channel: it was not sent (the agent may try again). */
export class CustomerUnreachableError extends Error {
  constructor(
    readonly caseId: string,
    cause: unknown,
  ) {
    super(`The customer of case ${caseId} could not be reached`, { cause });
    this.name = 'CustomerUnreachableError';
  }
}

/** A copy of `o` without the optional fields `keys`. */
function omit<T extends object, K extends keyof T>(o: T, ...keys: K[]): T {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
}

/** Collected values kept in clear by default: given by the customer for a person to act on. */
export const DEFAULT_PURPOSE_FIELDS: readonly string[] = ['orderEmail'];
/** Longest closing note kept on a case. */
const MAX_NOTE_CHARS = 2000;
/** Cases timed out per sweep (the next sweep takes the rest). */
const SWEEP_BATCH = 200;
/** How often a sweep also removes what outlived the retention. */
const PURGE_EVERY_MS = 10 * 60_000;
/** How long a relay in progress holds its key (an instance that dies mid-relay gives it up after this). */
const RELAY_LEASE_MS = 15_000;
/** How long a done relay is remembered, so a channel's late retry is not relayed again. */
const RELAY_KEEP_MS = 24 * 3600_000;
/** Tries to record a done relay through a storage blip (about 10 s in all). */
const SETTLE_ATTEMPTS = 8;
/** Masks card numbers only: what an agent may read live. */
const CARDS_ONLY = new Redactor({ disable: ['iban', 'email', 'phone'] });
/** Told to an agent after a message cut to `maxTextChars` (Teams also refuses activities over about 28 KB). */
const SHORTENED = '… (message shortened: ask the customer for the rest if you need it)';
/** A channel's definitive refusal of one message (bad request, too large), as opposed to an unreachable agent. */
const isRefusedMessage = (err: unknown): boolean => {
  const status = (err as { statusCode?: unknown; status?: unknown } | undefined)?.statusCode ?? (err as { status?: unknown } | undefined)?.status;
  return status === 400 || status === 413;
};

// The error class and code only: a channel's or hub's error message can quote what a customer wrote.
const errorName = (err: unknown): string => {
  if (!(err instanceof Error)) return 'unknown';
  const code = (err as Error & { code?: unknown; statusCode?: unknown }).code ?? (err as Error & { statusCode?: unknown }).statusCode;
  return typeof code === 'string' || typeof code === 'number' ? `${err.name} (${code})` : err.name;
};
