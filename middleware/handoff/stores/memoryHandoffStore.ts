import { OrderedSet } from 'js-sdsl';
import { AGE_SPAN, applyResolve, assertDraft, customerKeyOf, decideClaim, planCaseWrite } from './caseWritePlan';
import {
  OPEN_STATES,
  WAITING_STATES,
  newCaseId,
  transition,
  type AgentIdentity,
  type CaseDraft,
  type CaseState,
  type ConversationPointer,
  type CustomerIdentity,
  type HandoffCase,
  type QueuedMessage,
  type TranscriptEntry,
} from '../handoffCase';
import {
  CaseConflictError,
  CaseNotFoundError,
  OpenCaseExistsError,
  MAX_ANNOUNCEMENTS,
  MAX_CLOSED_LISTED,
  agentKey,
  type AgentPresence,
  type CaseAnnouncement,
  type AgentStatus,
  type AppendResult,
  type CaseEvent,
  type CaseMessageEvent,
  type ClaimResult,
  type GetCaseOptions,
  type HandoffStore,
  type LiveAppendResult,
  type LiveLineOptions,
  type PositionChange,
  type QueueChange,
  type ResolveInput,
  type StateCounts,
  type UpdateOptions,
} from './handoffStore';

/** Options of {@link MemoryHandoffStore} (shared by `RedisHandoffStore`). */
export interface MemoryHandoffStoreOptions {
  /** Clock in epoch ms. Default `Date.now`. */
  readonly clock?: () => number;
  /** Messages kept per waiting case. Default 500. */
  readonly maxQueuedMessages?: number;
  /** Live chat lines kept per case (the oldest are dropped). Default 500. */
  readonly maxLiveLines?: number;
  /** Handling times kept for wait estimates. Default 50. */
  readonly handlingSamples?: number;
  /** Id generator. Default `newCaseId`. */
  readonly newId?: () => string;
  /**
   * How long a case (open or closed) and everything kept with it lives after its last write, in ms. Default 30 days
   * (`RETENTION_DAYS`).
   */
  readonly retentionMs?: number;
}

/** Default retention of handoff data: 30 days. */
export const DEFAULT_RETENTION_MS = 30 * 24 * 3600_000;

/** Most ids of customer cases remembered per customer for {@link HandoffStore.listByCustomer}. */
const CUSTOMER_CASES = 50;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A queue entry: ordered by score (priority, then queued time), then arrival in the queue. */
interface QueueKey {
  readonly score: number;
  readonly seq: number;
  readonly id: string;
}
const compareQueueKeys = (a: QueueKey, b: QueueKey): number => a.score - b.score || a.seq - b.seq;

/** One stored case and what its indexes need, so no index operation parses JSON. */
interface Entry {
  json: string;
  state: CaseState;
  updatedAt: number;
  conversationKey: string;
  /** Queue entry while queued. */
  queueKey?: QueueKey;
  /** `agentKey` of the holder while assigned. */
  holder?: string;
  /** The position the customer was last told (while queued). */
  told?: number;
}

/**
 * The embedded handoff store: everything in this process's memory.
 *
 * @remarks For `npm start`, tests, and a single instance. Data is lost on restart: use `RedisHandoffStore` for
 * several instances or to survive restarts. Every operation completes synchronously inside its promise, so claims
 * and appends are atomic in one process. Open cases are indexed (queue in an order-statistic tree from `js-sdsl`,
 * so positions are O(log n); per state, per agent, per customer), so closed cases cost nothing on any hot path.
 * Everything is removed `retentionMs` after its last write ({@link MemoryHandoffStore.purgeExpired}).
 */
export class MemoryHandoffStore implements HandoffStore {
  private readonly cases = new Map<string, Entry>();
  private readonly messages = new Map<string, QueuedMessage[]>();
  private readonly messageIds = new Map<string, Set<string>>();
  private readonly conversations = new Map<string, string>();
  private readonly agentRoutes = new Map<string, string>();
  private readonly presence = new Map<string, AgentPresence>();
  private readonly handling: number[] = [];
  private readonly live = new Map<string, TranscriptEntry[]>();
  private readonly liveIds = new Map<string, Set<string>>();
  /** Ids of the cases closed most recently, oldest close first. */
  private readonly closed: string[] = [];
  /** Announcements per case, by agent conversation key. */
  private readonly announcements = new Map<string, Map<string, CaseAnnouncement>>();
  private readonly queue = new OrderedSet<QueueKey>([], compareQueueKeys, true);
  private queueSeq = 0;
  /** Open cases per state, in the order they entered it. */
  private readonly byState = new Map<CaseState, Set<string>>(OPEN_STATES.map((s) => [s, new Set<string>()]));
  private readonly byAgent = new Map<string, Set<string>>();
  private readonly byCustomer = new Map<string, string[]>();
  private readonly listeners = new Set<(change: QueueChange) => void>();
  private readonly caseListeners = new Set<(event: CaseEvent) => void>();
  private readonly clock: () => number;
  private readonly maxMessages: number;
  private readonly maxLiveLines: number;
  private readonly handlingSamples: number;
  private readonly newId: () => string;
  private readonly retentionMs: number;

  constructor(options: MemoryHandoffStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.maxMessages = options.maxQueuedMessages ?? 500;
    this.maxLiveLines = Math.max(1, options.maxLiveLines ?? 500);
    this.handlingSamples = options.handlingSamples ?? 50;
    this.newId = options.newId ?? (() => newCaseId());
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    if (!(this.retentionMs > 0)) throw new TypeError('MemoryHandoffStore: retentionMs must be positive');
  }

  async create(draft: CaseDraft): Promise<HandoffCase> {
    assertDraft(draft);
    const existing = this.conversations.get(draft.conversation.key);
    if (existing) throw new OpenCaseExistsError(draft.conversation.key, existing);
    let id = this.newId();
    for (let i = 0; this.cases.has(id); i++) id = i < 20 ? this.newId() : newCaseId(6);
    const created: HandoffCase = { ...clone(draft), id, version: 0, queuedMessages: [] };
    this.commit(undefined, created, draft.queuedMessages);
    return this.read(id) as HandoffCase;
  }

  async get(caseId: string, options: GetCaseOptions = {}): Promise<HandoffCase | undefined> {
    return this.read(caseId, options.liveChat === true);
  }

  async update(
    caseId: string,
    mutate: (current: HandoffCase) => HandoffCase,
    options: UpdateOptions = {},
  ): Promise<HandoffCase> {
    const current = this.read(caseId);
    if (!current) throw new CaseNotFoundError(caseId);
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
      throw new CaseConflictError(caseId);
    }
    this.commit(current, mutate(clone(current)));
    return this.read(caseId) as HandoffCase;
  }

  transition(caseId: string, to: CaseState, by: string, note?: string): Promise<HandoffCase> {
    return this.update(caseId, (c) => transition(c, to, { by, note, at: new Date(this.clock()) }));
  }

  async claim(caseId: string, agent: AgentIdentity, agentConversation?: ConversationPointer): Promise<ClaimResult> {
    const current = this.read(caseId);
    if (!current) return { ok: false, reason: 'not_found' };
    const decision = decideClaim(current, agent, agentConversation, new Date(this.clock()));
    if ('lose' in decision) return decision.lose;
    this.commit(current, decision.win);
    return { ok: true, case: this.read(caseId) as HandoffCase };
  }

  resolve(caseId: string, input: ResolveInput): Promise<HandoffCase> {
    return this.update(caseId, (c) => applyResolve(c, input, new Date(this.clock())));
  }

  async appendCustomerMessage(caseId: string, message: QueuedMessage): Promise<AppendResult> {
    const entry = this.cases.get(caseId);
    if (!entry) return { ok: false, reason: 'not_found' };
    const list = this.messages.get(caseId) ?? [];
    const ids = this.messageIds.get(caseId);
    if (message.activityId !== undefined && ids?.has(message.activityId)) return { ok: true, count: list.length, duplicate: true };
    if (!WAITING_STATES.includes(entry.state)) return { ok: false, reason: 'not_waiting', state: entry.state };
    if (list.length >= this.maxMessages) return { ok: false, reason: 'full', count: list.length };
    list.push(clone(message));
    this.messages.set(caseId, list);
    if (message.activityId !== undefined) this.remember(this.messageIds, caseId, message.activityId, this.maxMessages);
    entry.updatedAt = this.clock();
    this.emitCase({ kind: 'queued_message', caseId, at: message.at, count: list.length });
    return { ok: true, count: list.length };
  }

  async appendLiveLine(caseId: string, line: TranscriptEntry, event?: CaseMessageEvent, options: LiveLineOptions = {}): Promise<LiveAppendResult> {
    const entry = this.cases.get(caseId);
    if (!entry) return { ok: false, reason: 'not_found' };
    const list = this.live.get(caseId) ?? [];
    if (options.id !== undefined && this.liveIds.get(caseId)?.has(options.id)) return { ok: true, count: list.length, duplicate: true };
    list.push(clone(line));
    if (list.length > this.maxLiveLines) list.splice(0, list.length - this.maxLiveLines);
    this.live.set(caseId, list);
    if (options.id !== undefined) this.remember(this.liveIds, caseId, options.id, 2 * this.maxLiveLines);
    entry.updatedAt = this.clock();
    if (event) this.emitCase(clone(event));
    return { ok: true, count: list.length };
  }

  async saveAnnouncement(caseId: string, announcement: CaseAnnouncement): Promise<boolean> {
    if (!this.cases.has(caseId)) return false;
    const posts = this.announcements.get(caseId) ?? new Map<string, CaseAnnouncement>();
    if (!posts.has(announcement.where.key) && posts.size >= MAX_ANNOUNCEMENTS) return false;
    posts.delete(announcement.where.key);
    posts.set(announcement.where.key, clone(announcement));
    this.announcements.set(caseId, posts);
    return true;
  }

  async listAnnouncements(caseId: string): Promise<CaseAnnouncement[]> {
    return [...(this.announcements.get(caseId)?.values() ?? [])].map(clone);
  }

  async findOpenByConversation(conversationKey: string): Promise<HandoffCase | undefined> {
    const id = this.conversations.get(conversationKey);
    return id ? this.read(id) : undefined;
  }

  async findByAgentConversation(agentConversationKey: string): Promise<HandoffCase | undefined> {
    const id = this.agentRoutes.get(agentConversationKey);
    return id ? this.read(id) : undefined;
  }

  async listQueue(limit = 100): Promise<HandoffCase[]> {
    const out: HandoffCase[] = [];
    for (let it = this.queue.begin(); out.length < limit && !it.equals(this.queue.end()); it.next()) {
      out.push(this.read(it.pointer.id) as HandoffCase);
    }
    return out;
  }

  async listQueuedBefore(queuedAtOrBeforeMs: number, limit = 100): Promise<HandoffCase[]> {
    const out: HandoffCase[] = [];
    for (const rank of [0, 1, 2]) {
      const last = rank * AGE_SPAN + queuedAtOrBeforeMs;
      for (let it = this.queue.lowerBound({ score: rank * AGE_SPAN, seq: 0, id: '' }); out.length < limit && !it.equals(this.queue.end()); it.next()) {
        if (it.pointer.score > last) break;
        out.push(this.read(it.pointer.id) as HandoffCase);
      }
    }
    return out;
  }

  async listByState(state: CaseState, limit = 100): Promise<HandoffCase[]> {
    if (state === 'queued') return this.listQueue(limit);
    return this.readAll(this.byState.get(state) ?? new Set(), limit);
  }

  async listAssignedTo(agent: AgentIdentity, limit = 100): Promise<HandoffCase[]> {
    return this.readAll(this.byAgent.get(agentKey(agent)) ?? new Set(), limit);
  }

  async listByCustomer(customer: CustomerIdentity, limit = 20): Promise<HandoffCase[]> {
    const ids = this.byCustomer.get(customerKeyOf({ customer })) ?? [];
    const out: HandoffCase[] = [];
    for (let i = ids.length - 1; i >= 0 && out.length < limit; i--) {
      const c = this.read(ids[i] as string);
      if (c) out.push(c);
    }
    return out;
  }

  async listClosed(limit = 50): Promise<HandoffCase[]> {
    const out: HandoffCase[] = [];
    for (let i = this.closed.length - 1; i >= 0 && out.length < limit; i--) {
      const c = this.read(this.closed[i] as string);
      if (c) out.push(c);
    }
    return out;
  }

  async countByState(): Promise<StateCounts> {
    return Object.fromEntries([...this.byState].map(([state, ids]) => [state, ids.size]));
  }

  async queuePosition(caseId: string): Promise<number | undefined> {
    const key = this.cases.get(caseId)?.queueKey;
    return key ? this.rank(key) : undefined;
  }

  async queueLength(): Promise<number> {
    return this.queue.size();
  }

  async tellPosition(caseId: string): Promise<{ position: number; changed: boolean } | undefined> {
    const entry = this.cases.get(caseId);
    if (!entry?.queueKey) return undefined;
    const position = this.rank(entry.queueKey);
    const changed = entry.told !== position;
    entry.told = position;
    return { position, changed };
  }

  async positionChanges(fromPosition: number, count: number): Promise<PositionChange[]> {
    const out: PositionChange[] = [];
    const from = Math.max(1, Math.floor(fromPosition));
    const size = this.queue.size();
    for (let position = from; position < from + count && position <= size; position++) {
      const key = this.queue.getElementByPos(position - 1);
      const entry = this.cases.get(key.id) as Entry;
      // Never told yet: the reply that queues the customer will tell them.
      if (entry.told === undefined || entry.told === position) continue;
      entry.told = position;
      out.push({ case: this.read(key.id) as HandoffCase, position });
    }
    return out;
  }

  async purgeExpired(): Promise<number> {
    const before = this.clock() - this.retentionMs;
    let removed = 0;
    for (const [id, entry] of this.cases) {
      if (entry.updatedAt > before) continue;
      this.drop(id, entry);
      removed += 1;
    }
    if (removed) {
      for (const [customer, ids] of this.byCustomer) {
        const kept = ids.filter((id) => this.cases.has(id));
        if (kept.length) this.byCustomer.set(customer, kept);
        else this.byCustomer.delete(customer);
      }
    }
    return removed;
  }

  async setPresence(agent: AgentIdentity, status: AgentStatus, ttlMs: number, watch?: ConversationPointer): Promise<void> {
    this.presence.set(agentKey(agent), {
      agent: clone(agent),
      status,
      expiresAt: this.clock() + ttlMs,
      ...(watch ? { watch: clone(watch) } : {}),
    });
  }

  async clearPresence(agent: AgentIdentity): Promise<void> {
    this.presence.delete(agentKey(agent));
  }

  async getPresence(agent: AgentIdentity): Promise<AgentPresence | undefined> {
    const p = this.presence.get(agentKey(agent));
    return p && p.expiresAt > this.clock() ? clone(p) : undefined;
  }

  async renewPresence(agent: AgentIdentity, ttlMs: number): Promise<AgentStatus | undefined> {
    const key = agentKey(agent);
    const p = this.presence.get(key);
    if (!p || p.expiresAt <= this.clock()) return undefined;
    this.presence.set(key, { ...p, expiresAt: this.clock() + ttlMs });
    return p.status;
  }

  async listPresence(): Promise<AgentPresence[]> {
    const now = this.clock();
    for (const [key, p] of this.presence) if (p.expiresAt <= now) this.presence.delete(key);
    return [...this.presence.values()]
      .sort((a, b) => (a.status === b.status ? 0 : a.status === 'online' ? -1 : 1))
      .map(clone);
  }

  async countOnline(): Promise<number> {
    const now = this.clock();
    let n = 0;
    for (const p of this.presence.values()) if (p.status === 'online' && p.expiresAt > now) n += 1;
    return n;
  }

  async recentHandlingTimes(limit = 20): Promise<number[]> {
    return this.handling.slice(0, limit);
  }

  async onQueueChanged(listener: (change: QueueChange) => void): Promise<() => void> {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async onCaseEvent(listener: (event: CaseEvent) => void): Promise<() => void> {
    this.caseListeners.add(listener);
    return () => {
      this.caseListeners.delete(listener);
    };
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
    this.caseListeners.clear();
  }

  // The live chat is copied only when asked (see `get`).
  private read(caseId: string, withLiveChat = false): HandoffCase | undefined {
    const entry = this.cases.get(caseId);
    if (entry === undefined) return undefined;
    const c = JSON.parse(entry.json) as HandoffCase;
    const live = withLiveChat ? this.live.get(caseId) : undefined;
    return { ...c, queuedMessages: clone(this.messages.get(caseId) ?? []), ...(live?.length ? { liveChat: clone(live) } : {}) };
  }

  private readAll(ids: Iterable<string>, limit: number): HandoffCase[] {
    const out: HandoffCase[] = [];
    for (const id of ids) {
      if (out.length >= limit) break;
      const c = this.read(id);
      if (c) out.push(c);
    }
    return out;
  }

  /** 1-based position of a queue entry. O(log n). */
  private rank(key: QueueKey): number {
    return this.queue.find(key).index + 1;
  }

  /** Adds an id to a bounded, insertion-ordered set of ids per case (the oldest forgotten first). */
  private remember(index: Map<string, Set<string>>, caseId: string, id: string, max: number): void {
    const ids = index.get(caseId) ?? new Set<string>();
    ids.add(id);
    if (ids.size > max) ids.delete(ids.values().next().value as string);
    index.set(caseId, ids);
  }

  // Writes a case and its indexes; synchronous, so atomic within this process.
  private commit(previous: HandoffCase | undefined, proposed: HandoffCase, initialMessages?: readonly QueuedMessage[]): void {
    const plan = planCaseWrite(previous, proposed);
    // Queued messages live beside the case (as in Redis), so a concurrent update never drops one.
    const body: HandoffCase = { ...plan.next, version: (previous?.version ?? 0) + 1, queuedMessages: [], liveChat: undefined };
    const id = body.id;
    const entry: Entry = this.cases.get(id) ?? { json: '', state: body.state, updatedAt: 0, conversationKey: body.conversation.key };
    const wasState = previous ? entry.state : undefined;
    entry.json = JSON.stringify(body);
    entry.state = body.state;
    entry.updatedAt = this.clock();
    this.cases.set(id, entry);
    if (initialMessages?.length) {
      this.messages.set(id, clone([...initialMessages]));
      for (const m of initialMessages) if (m.activityId !== undefined) this.remember(this.messageIds, id, m.activityId, this.maxMessages);
    }
    if (!previous) {
      const customer = customerKeyOf(body);
      const ids = this.byCustomer.get(customer) ?? [];
      ids.push(id);
      if (ids.length > CUSTOMER_CASES) ids.splice(0, ids.length - CUSTOMER_CASES);
      this.byCustomer.set(customer, ids);
    }

    if (plan.open) this.conversations.set(body.conversation.key, id);
    else if (this.conversations.get(body.conversation.key) === id) this.conversations.delete(body.conversation.key);
    if (wasState !== body.state) {
      if (wasState) this.byState.get(wasState)?.delete(id);
      this.byState.get(body.state)?.add(id);
    }

    if (plan.previousAgentRoute && plan.previousAgentRoute !== plan.agentRoute && this.agentRoutes.get(plan.previousAgentRoute) === id) {
      this.agentRoutes.delete(plan.previousAgentRoute);
    }
    if (plan.agentRoute) this.agentRoutes.set(plan.agentRoute, id);
    if (entry.holder !== plan.holder) {
      if (entry.holder) this.byAgent.get(entry.holder)?.delete(id);
      if (plan.holder) this.byAgent.set(plan.holder, (this.byAgent.get(plan.holder) ?? new Set()).add(id));
      entry.holder = plan.holder;
    }

    if (plan.closing) {
      this.closed.push(id);
      if (this.closed.length > MAX_CLOSED_LISTED) this.closed.splice(0, this.closed.length - MAX_CLOSED_LISTED);
    }

    if (plan.handlingMs !== undefined) {
      this.handling.unshift(plan.handlingMs);
      this.handling.length = Math.min(this.handling.length, this.handlingSamples);
    }

    const before = entry.queueKey;
    let change: QueueChange['kind'] | undefined;
    if (plan.queued) {
      const key: QueueKey = { score: plan.score, seq: (this.queueSeq += 1), id };
      if (!before) change = 'added';
      else if (before.score !== key.score) change = 'updated';
      if (change) {
        if (before) this.queue.eraseElementByKey(before);
        this.queue.insert(key);
        entry.queueKey = key;
      }
    } else if (before) {
      this.queue.eraseElementByKey(before);
      entry.queueKey = undefined;
      entry.told = undefined;
      change = 'removed';
    }
    if (change) this.emit({ kind: change, caseId: id });
    if (plan.stateEvent) this.emitCase(plan.stateEvent);
  }

  /** Removes a case with everything kept for it and its index entries. */
  private drop(id: string, entry: Entry): void {
    this.cases.delete(id);
    this.messages.delete(id);
    this.messageIds.delete(id);
    this.live.delete(id);
    this.liveIds.delete(id);
    this.announcements.delete(id);
    const closedAt = this.closed.indexOf(id);
    if (closedAt >= 0) this.closed.splice(closedAt, 1);
    if (this.conversations.get(entry.conversationKey) === id) this.conversations.delete(entry.conversationKey);
    for (const [route, caseId] of this.agentRoutes) if (caseId === id) this.agentRoutes.delete(route);
    this.byState.get(entry.state)?.delete(id);
    if (entry.holder) this.byAgent.get(entry.holder)?.delete(id);
    if (entry.queueKey) {
      this.queue.eraseElementByKey(entry.queueKey);
      this.emit({ kind: 'removed', caseId: id });
    }
  }

  // In write order: each listener gets the events as queued microtasks, so they keep the order of the writes.
  private emitCase(event: CaseEvent): void {
    for (const listener of [...this.caseListeners]) {
      queueMicrotask(() => {
        try {
          listener(event);
        } catch (err) {
          console.error('MemoryHandoffStore: case listener failed', err instanceof Error ? err.message : err);
        }
      });
    }
  }

  private emit(change: QueueChange): void {
    for (const listener of [...this.listeners]) {
      // A listener's failure must not break the write that already happened.
      queueMicrotask(() => {
        try {
          listener(change);
        } catch (err) {
          console.error('MemoryHandoffStore: queue listener failed', err instanceof Error ? err.message : err);
        }
      });
    }
  }
}
