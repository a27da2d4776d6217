import type { HandoffCore } from './handoffCore';
import { estimateWait } from './waitEstimate';

/**
 * Where a waiting customer stands: their place in the queue and the expected wait.
 *
 * @example const { position, waitMinutes } = await service.queue.positionOf(caseId);
 */
export class HandoffQueue {
  constructor(private readonly core: HandoffCore) {}

  /** 1-based position and expected wait in minutes of a queued case (empty when it is not queued). */
  async positionOf(caseId: string): Promise<{ position?: number; waitMinutes?: number }> {
    const store = this.core.store;
    const position = await store.queuePosition(caseId);
    if (position === undefined) return {};
    const waitMinutes = await this.waitMinutes(position, await store.countOnline());
    return { position, ...(waitMinutes ? { waitMinutes } : {}) };
  }

  /**
   * The position of a queued case as its customer is about to be told it, and whether it changed since they last
   * heard one (in a reply or a proactive update); recorded as told. Empty when the case is not queued.
   */
  async tellPosition(caseId: string): Promise<{ position?: number; changed?: boolean }> {
    return (await this.core.store.tellPosition(caseId)) ?? {};
  }

  /** Expected wait in whole minutes at `position` with `agentsOnline` agents, from recent handling times. */
  async waitMinutes(position: number, agentsOnline: number): Promise<number | undefined> {
    if (agentsOnline <= 0) return undefined;
    const ms = estimateWait({ position, onlineAgents: agentsOnline, handlingTimesMs: await this.core.store.recentHandlingTimes(20) });
    return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 60_000));
  }
}
