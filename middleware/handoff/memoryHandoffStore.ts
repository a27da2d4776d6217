import { applyResolve, assertDraft, decideClaim, planCaseWrite, queueScore } from './caseWritePlan';
import {
  WAITING_STATES,
  newCaseId,
  transition,
  type AgentIdentity,
  type CaseDraft,
  type CaseState,
  type ConversationPointer,
  type HandoffCase,
  type QueuedMessage,
  type TranscriptEntry,
} from './handoffCase';
import {
  CaseConflictError,
  CaseNotFoundError,
  OpenCaseExistsError,
  agentKey,
  type AgentPresence,
  type AgentStatus,
  type AppendResult,
  type CaseEvent,
  type CaseMessageEvent,
  type ClaimResult,
  type GetCaseOptions,
  type HandoffStore,
  type LiveAppendResult,
  type QueueChange,
  type ResolveInput,
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
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The embedded handoff store: everything in this process's memory.
 *
 * @remarks For `npm start`, tests, and a single instance. Data is lost on restart: use `RedisHandoffStore` for
 * several instances or to survive restarts. Every operation completes synchronously inside its promise, so claims
 * and appends are atomic in one process.
 */
export class MemoryHandoffStore implements HandoffStore {
  private readonly cases = new Map<string, string>();
  private readonly messages = new Map<string, QueuedMessage[]>();
  private readonly conversations = new Map<string, string>();
  private readonly agentRoutes = new Map<string, string>();
  private readonly presence = new Map<string, AgentPresence>();
  private readonly handling: number[] = [];
  private readonly live = new Map<string, TranscriptEntry[]>();
  private readonly listeners = new Set<(change: QueueChange) => void>();
  private readonly caseListeners = new Set<(event: CaseEvent) => void>();
  private readonly clock: () => number;
  private readonly maxMessages: number;
  private readonly maxLiveLines: number;
  private readonly handlingSamples: number;
  private readonly newId: () => string;

  constructor(options: MemoryHandoffStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.maxMessages = options.maxQueuedMessages ?? 500;
    this.maxLiveLines = Math.max(1, options.maxLiveLines ?? 500);
    this.handlingSamples = options.handlingSamples ?? 50;
    this.newId = options.newId ?? (() => newCaseId());
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
    const current = this.read(caseId);
    if (!current) return { ok: false, reason: 'not_found' };
    if (!WAITING_STATES.includes(current.state)) return { ok: false, reason: 'not_waiting', state: current.state };
    const list = this.messages.get(caseId) ?? [];
    if (list.length >= this.maxMessages) return { ok: false, reason: 'full', count: list.length };
    list.push(clone(message));
    this.messages.set(caseId, list);
    this.emitCase({ kind: 'queued_message', caseId, at: message.at, count: list.length });
    return { ok: true, count: list.length };
  }

  async appendLiveLine(caseId: string, line: TranscriptEntry, event?: CaseMessageEvent): Promise<LiveAppendResult> {
    if (!this.cases.has(caseId)) return { ok: false, reason: 'not_found' };
    const list = this.live.get(caseId) ?? [];
    list.push(clone(line));
    if (list.length > this.maxLiveLines) list.splice(0, list.length - this.maxLiveLines);
    this.live.set(caseId, list);
    if (event) this.emitCase(clone(event));
    return { ok: true, count: list.length };
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
    return this.queued().slice(0, limit);
  }

  async listOpen(limit = 100): Promise<HandoffCase[]> {
    return [...this.conversations.values()]
      .map((id) => this.read(id) as HandoffCase)
      .sort((a, b) => Date.parse(a.timestamps.created) - Date.parse(b.timestamps.created))
      .slice(0, limit);
  }

  async queuePosition(caseId: string): Promise<number | undefined> {
    const index = this.queued().findIndex((c) => c.id === caseId);
    return index < 0 ? undefined : index + 1;
  }

  async queueLength(): Promise<number> {
    return this.queued().length;
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
    return (await this.listPresence()).filter((p) => p.status === 'online').length;
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
    const json = this.cases.get(caseId);
    if (json === undefined) return undefined;
    const c = JSON.parse(json) as HandoffCase;
    const live = withLiveChat ? this.live.get(caseId) : undefined;
    return { ...c, queuedMessages: clone(this.messages.get(caseId) ?? []), ...(live?.length ? { liveChat: clone(live) } : {}) };
  }

  private queued(): HandoffCase[] {
    const list: Array<{ c: HandoffCase; score: number }> = [];
    for (const id of this.cases.keys()) {
      const c = this.read(id) as HandoffCase;
      if (c.state === 'queued') list.push({ c, score: queueScore(c) });
    }
    return list.sort((a, b) => a.score - b.score).map((x) => x.c);
  }

  // Writes a case and its indexes; synchronous, so atomic within this process.
  private commit(previous: HandoffCase | undefined, proposed: HandoffCase, initialMessages?: readonly QueuedMessage[]): void {
    const plan = planCaseWrite(previous, proposed);
    // Queued messages live beside the case (as in Redis), so a concurrent update never drops one.
    const body: HandoffCase = { ...plan.next, version: (previous?.version ?? 0) + 1, queuedMessages: [], liveChat: undefined };
    this.cases.set(body.id, JSON.stringify(body));
    if (initialMessages?.length) this.messages.set(body.id, clone([...initialMessages]));

    if (plan.open) this.conversations.set(body.conversation.key, body.id);
    else if (this.conversations.get(body.conversation.key) === body.id) this.conversations.delete(body.conversation.key);

    if (plan.previousAgentRoute && plan.previousAgentRoute !== plan.agentRoute && this.agentRoutes.get(plan.previousAgentRoute) === body.id) {
      this.agentRoutes.delete(plan.previousAgentRoute);
    }
    if (plan.agentRoute) this.agentRoutes.set(plan.agentRoute, body.id);

    if (plan.handlingMs !== undefined) {
      this.handling.unshift(plan.handlingMs);
      this.handling.length = Math.min(this.handling.length, this.handlingSamples);
    }

    const wasQueued = previous?.state === 'queued';
    let change: QueueChange['kind'] | undefined;
    if (plan.queued && !wasQueued) change = 'added';
    else if (!plan.queued && wasQueued) change = 'removed';
    else if (plan.queued && previous && queueScore(previous) !== plan.score) change = 'updated';
    if (change) this.emit({ kind: change, caseId: body.id });
    if (plan.stateEvent) this.emitCase(plan.stateEvent);
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
