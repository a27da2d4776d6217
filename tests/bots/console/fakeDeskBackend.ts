import type { AgentIdentity, HandoffCase, NewCaseInput } from '../../../middleware/handoff/handoffCase';
import { draftCase, transition } from '../../../middleware/handoff/handoffCase';
import { MemoryHandoffStore } from '../../../middleware/handoff/stores/memoryHandoffStore';
import type { AgentStatus, ClaimResult } from '../../../middleware/handoff/stores/handoffStore';
import type { DeskActionResult, DeskBackend, DeskEvent } from '../../../bots/console/deskBackend';

/** A message an agent sent to a customer through the fake. */
export interface SentMessage {
  caseId: string;
  agentId: string;
  text: string;
}

/**
 * An in-memory {@link DeskBackend} over the real `MemoryHandoffStore` (so claims are really atomic and presence
 * really expires) that records what agents send instead of relaying it to a channel.
 */
export class FakeDeskBackend implements DeskBackend {
  readonly store = new MemoryHandoffStore();
  readonly sent: SentMessage[] = [];
  readonly closed: Array<{ caseId: string; agentId: string; note?: string }> = [];
  private readonly listeners = new Set<(e: DeskEvent) => void>();
  private readonly past: HandoffCase[] = [];

  /** Queues a new case as the handoff would. */
  async queueCase(input: Partial<NewCaseInput> & { conversationKey?: string; customerId?: string } = {}): Promise<HandoffCase> {
    const key = input.conversationKey ?? `webchat/${Math.random().toString(36).slice(2)}`;
    const draft = draftCase({
      conversation: { key, channel: 'webchat', reference: { conversation: { id: key } } },
      customer: { id: input.customerId ?? 'u1', name: 'Sam', channel: 'webchat' },
      reason: input.reason ?? 'fraud',
      priority: input.priority ?? 'high',
      trigger: input.trigger ?? {
        intents: [{ name: 'fraud', confidence: 0.9, evidence: [{ rule: 'fraud.en.stolen-card', matched: ['stole my card'] }] }],
        emotions: [{ name: 'distress', score: 0.6, evidence: [{ rule: 'distress.en', matched: ["don't recognise"] }] }],
        explanation: 'fraud reported',
      },
      language: input.language ?? 'en',
      summary: input.summary ?? 'Sam on web chat (English)\nWants: fraud, high priority',
      transcript: input.transcript ?? [{ role: 'customer', text: 'someone stole my card', at: new Date().toISOString() }],
      collected: input.collected ?? {},
    });
    const created = await this.store.create(transition(draft, 'queued', { by: 'bot' }));
    this.emit({ type: 'queue' });
    return created;
  }

  /** Adds a finished case of a customer to the history. */
  addPastCase(c: HandoffCase): void {
    this.past.push(c);
  }

  /** The customer writes in an assigned case. */
  async customerSays(caseId: string, text: string): Promise<void> {
    const c = await this.store.get(caseId);
    if (!c?.agent) throw new Error('not assigned');
    this.emit({ type: 'message', caseId, agentId: c.agent.id, from: 'customer', text, at: new Date().toISOString() });
  }

  emit(event: DeskEvent): void {
    for (const l of this.listeners) l(event);
  }

  listQueue(): Promise<HandoffCase[]> {
    return this.store.listQueue();
  }

  async listAssigned(agent: AgentIdentity): Promise<HandoffCase[]> {
    return this.store.listAssignedTo(agent);
  }

  listClosed(limit: number): Promise<HandoffCase[]> {
    return this.store.listClosed(limit);
  }

  getCase(caseId: string): Promise<HandoffCase | undefined> {
    return this.store.get(caseId);
  }

  async earlierCases(current: HandoffCase, limit: number): Promise<HandoffCase[]> {
    return this.past.filter((c) => c.customer.id === current.customer.id && c.id !== current.id).slice(0, limit);
  }

  async accept(caseId: string, agent: AgentIdentity): Promise<ClaimResult> {
    const result = await this.store.claim(caseId, agent, { key: `console/${agent.id}`, channel: 'console', reference: {} });
    if (result.ok) {
      this.emit({ type: 'queue' });
      this.emit({ type: 'case', caseId, state: 'assigned', agent });
    }
    return result;
  }

  private async owned(caseId: string, agent: AgentIdentity): Promise<DeskActionResult | HandoffCase> {
    const c = await this.store.get(caseId);
    if (!c) return { ok: false, reason: 'not_found' };
    if (c.state !== 'assigned') return { ok: false, reason: 'not_assigned', state: c.state };
    if (c.agent?.id !== agent.id || c.agent.channel !== agent.channel) return { ok: false, reason: 'not_yours', by: c.agent };
    return c;
  }

  async send(caseId: string, agent: AgentIdentity, text: string): Promise<DeskActionResult> {
    const c = await this.owned(caseId, agent);
    if ('ok' in c) return c;
    this.sent.push({ caseId, agentId: agent.id, text });
    this.emit({ type: 'message', caseId, agentId: agent.id, from: 'agent', text, at: new Date().toISOString() });
    return { ok: true };
  }

  async close(caseId: string, agent: AgentIdentity, note?: string): Promise<DeskActionResult> {
    const c = await this.owned(caseId, agent);
    if ('ok' in c) return c;
    const resolved = await this.store.resolve(caseId, { by: agent.id, ...(note ? { note } : {}) });
    this.closed.push({ caseId, agentId: agent.id, ...(note ? { note } : {}) });
    this.emit({ type: 'case', caseId, state: 'resolved', agent });
    return { ok: true, case: resolved };
  }

  setPresence(agent: AgentIdentity, status: AgentStatus, ttlMs: number): Promise<void> {
    return this.store.setPresence(agent, status, ttlMs);
  }

  /** How long `getPresence` and `renewPresence` wait before answering (to test renewals in flight). */
  renewDelayMs = 0;

  async getPresence(agent: AgentIdentity): Promise<AgentStatus | undefined> {
    if (this.renewDelayMs) await new Promise((r) => setTimeout(r, this.renewDelayMs));
    return (await this.store.getPresence(agent))?.status;
  }

  async renewPresence(agent: AgentIdentity, ttlMs: number): Promise<AgentStatus | undefined> {
    if (this.renewDelayMs) await new Promise((r) => setTimeout(r, this.renewDelayMs));
    return this.store.renewPresence(agent, ttlMs);
  }

  clearPresence(agent: AgentIdentity): Promise<void> {
    return this.store.clearPresence(agent);
  }

  async subscribe(listener: (e: DeskEvent) => void): Promise<() => void> {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
