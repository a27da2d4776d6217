import type { AgentIdentity, HandoffCase } from '../../middleware/handoff/handoffCase';
import type { AgentStatus, CaseEvent, ClaimResult } from '../../middleware/handoff/stores/handoffStore';
import type { HubConnector } from '../../middleware/handoff/hubs/hubConnector';
import type { HandoffService } from '../../middleware/handoff/handoffService';
import type { DeskActionResult, DeskBackend, DeskEvent } from './deskBackend';

/** Channel of console agents' identities. */
export const CONSOLE_CHANNEL = 'console';

const isConsoleAgent = (a: AgentIdentity | undefined): a is AgentIdentity => a?.channel === CONSOLE_CHANNEL;

/**
 * Maps a store case event (from any instance) to what open consoles must hear.
 *
 * @remarks A state change refreshes the queue (a resolve only the case). A live line of a case a console agent holds
 * goes to that agent's consoles as a message; a line of a case held elsewhere (Teams, Slack) and a message written
 * while the case waits only tell viewers of that case to reload it (`lines`), never the whole queue.
 */
export function caseEventToDesk(event: CaseEvent): DeskEvent[] {
  if (event.kind === 'state') {
    const c = { type: 'case' as const, caseId: event.caseId, state: event.state, ...(event.agent ? { agent: event.agent } : {}) };
    return event.state === 'resolved' ? [c] : [{ type: 'queue' }, c];
  }
  if (event.kind === 'message' && isConsoleAgent(event.agent)) {
    return [{ type: 'message', caseId: event.caseId, agentId: event.agent.id, from: event.from, text: event.text, at: event.at }];
  }
  return [{ type: 'lines', caseId: event.caseId }];
}

/**
 * The web console's {@link DeskBackend} on the handoff orchestration (`HandoffService`).
 *
 * @remarks Agents' messages reach customers through `HandoffService.agents.sendToCustomer` (a proactive
 * `continueConversationAsync`). State changes, live chat lines and messages written while a case waits reach the
 * console through the store's `onCaseEvent` (the store publishes each in the same write), so a console connected to
 * any instance sees every message once, in order; queue changes through `onQueueChanged`. Register
 * {@link HandoffDeskBackend.connector} on the service too, so console cases count as delivered and no other hub tries
 * to relay them.
 * @example
 * const backend = new HandoffDeskBackend(service);
 * service.addConnector(backend.connector);
 */
export class HandoffDeskBackend implements DeskBackend {
  /** Hub connector that claims delivery of customer messages in cases a console agent holds. */
  readonly connector: HubConnector = {
    name: 'console',
    deliverToAgent: async (c) => isConsoleAgent(c.agent),
  };

  constructor(private readonly service: HandoffService) {
    if (!service) throw new TypeError('HandoffDeskBackend: service is required');
  }

  listQueue(): Promise<HandoffCase[]> {
    return this.service.agents.listClaimable(100);
  }

  listAssigned(agent: AgentIdentity): Promise<HandoffCase[]> {
    return this.service.agents.listAssigned(agent);
  }

  async listClosed(limit: number): Promise<HandoffCase[]> {
    return (await this.service.store.listClosed?.(limit)) ?? [];
  }

  getCase(caseId: string): Promise<HandoffCase | undefined> {
    return this.service.store.get(caseId, { liveChat: true });
  }

  /**
   * The customer's other cases still kept (same profile key, or same channel and user id), open or closed within the
   * retention, newest first, from the store's per-customer index.
   */
  async earlierCases(current: HandoffCase, limit: number): Promise<HandoffCase[]> {
    return (await this.service.store.listByCustomer(current.customer, limit + 1)).filter((c) => c.id !== current.id).slice(0, limit);
  }

  accept(caseId: string, agent: AgentIdentity): Promise<ClaimResult> {
    return this.service.agents.accept(caseId, agent);
  }

  send(caseId: string, agent: AgentIdentity, text: string, messageId?: string): Promise<DeskActionResult> {
    return this.service.agents.sendToCustomer(caseId, agent, text, messageId);
  }

  close(caseId: string, agent: AgentIdentity, note?: string): Promise<DeskActionResult> {
    return this.service.agents.close(caseId, agent, note);
  }

  setPresence(agent: AgentIdentity, status: AgentStatus, ttlMs: number): Promise<void> {
    return this.service.presence.set(agent, status, undefined, ttlMs);
  }

  async getPresence(agent: AgentIdentity): Promise<AgentStatus | undefined> {
    return (await this.service.presence.get(agent))?.status;
  }

  renewPresence(agent: AgentIdentity, ttlMs: number): Promise<AgentStatus | undefined> {
    return this.service.presence.renew(agent, ttlMs);
  }

  clearPresence(agent: AgentIdentity): Promise<void> {
    return this.service.presence.clear(agent);
  }

  async subscribe(listener: (event: DeskEvent) => void): Promise<() => void> {
    const offs: Array<() => void> = [];
    try {
      offs.push(await this.service.store.onQueueChanged(() => listener({ type: 'queue' })));
      offs.push(
        await this.service.store.onCaseEvent((event) => {
          for (const e of caseEventToDesk(event)) listener(e);
        }),
      );
    } catch (err) {
      for (const off of offs) off();
      throw err;
    }
    return () => {
      for (const off of offs) off();
    };
  }
}
