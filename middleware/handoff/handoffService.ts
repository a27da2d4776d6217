import { AgentRelay } from './agentRelay';
import { AgentSide } from './agentSide';
import { CaseSweeper } from './caseSweeper';
import { CustomerSide } from './customerSide';
import { HandoffCore } from './handoffCore';
import { HandoffQueue } from './handoffQueue';
import { resolveHandoffSettings, type HandoffServiceOptions } from './handoffSettings';
import type { HandoffEvent, HubConnector } from './hubs/hubConnector';
import { PresenceRegistry } from './presenceRegistry';
import { QueueAnnouncer } from './queueAnnouncer';
import { RelayLedger } from './relayLedger';
import type { HandoffStore } from './stores/handoffStore';

export { CustomerUnreachableError, type AgentActionResult } from './agentSide';
export type { CustomerMessageResult, OpenCaseInput, OpenedCase } from './customerSide';
export type { HandoffServiceOptions } from './handoffSettings';

/**
 * The handoff: opens cases, keeps customers informed, lets agents claim them, relays both ways, closes, sweeps
 * timeouts. One object per instance, grouped by side.
 *
 * @remarks
 * - `customers`: what the customer's turns do (open a case, messages while waiting or with an agent, cancel,
 *   callback, rating); used by `HandoffMiddleware`.
 * - `agents`: what agents do (list, accept, write to the customer, close); used by the agent desk, the web console
 *   and hub connectors.
 * - `presence`: which agents are online and where they watch; `queue`: positions and expected waits.
 * - `addConnector`, `subscribe`, `idle`, `sweep`: hubs, events, background work and timeouts.
 * Holds no shared state of its own: everything lives in the {@link HandoffStore}, so several instances can share one
 * Redis. It imports nothing of a bot framework: it reaches channels through the `Messenger` port (the Bot Framework
 * host's is `adapterMessenger`). Events reach connectors and subscribers off the caller's turn (see `idle()`).
 * Never logs customer text.
 * @example
 * const service = new HandoffService({ store, messenger: adapterMessenger(adapter, appId) });
 * await service.agents.accept(caseId, agent);
 */
export class HandoffService {
  readonly store: HandoffStore;
  /** The customer's side: open a case, messages, cancel, callback, rating. */
  readonly customers: CustomerSide;
  /** The agents' side: claimable and assigned cases, accept, send to the customer, close. */
  readonly agents: AgentSide;
  /** Agents' presence and where they watch for new cases. */
  readonly presence: PresenceRegistry;
  /** Queue positions and expected waits. */
  readonly queue: HandoffQueue;
  private readonly core: HandoffCore;
  private readonly sweeper: CaseSweeper;

  constructor(options: HandoffServiceOptions) {
    const settings = resolveHandoffSettings(options);
    const core = new HandoffCore(options.store, options.messenger, settings, options.connectors);
    const ledger = new RelayLedger(settings.relayLedger, settings.logger);
    const announcer = new QueueAnnouncer(core);
    this.core = core;
    this.store = core.store;
    this.queue = new HandoffQueue(core);
    this.customers = new CustomerSide(core, this.queue, announcer, new AgentRelay(core, ledger, announcer));
    this.agents = new AgentSide(core, ledger, announcer);
    this.presence = new PresenceRegistry(core.store, settings.presenceTtlMs);
    this.sweeper = new CaseSweeper(core, announcer);
  }

  /** Adds a hub connector (several may be active at once). */
  addConnector(connector: HubConnector): this {
    this.core.addConnector(connector);
    return this;
  }

  /** Calls `listener` for every event; returns an unsubscribe function. */
  subscribe(listener: (event: HandoffEvent) => void): () => void {
    return this.core.subscribe(listener);
  }

  /** Resolves when the background work started so far (connector events, position updates) has finished. */
  idle(): Promise<void> {
    return this.core.idle();
  }

  /**
   * Moves cases that waited longer than `maxWaitMs` to `timed_out` and offers their customers a callback; now and
   * then removes what outlived the retention.
   *
   * @remarks Safe to run on every instance: the store's check-and-set lets one instance win each case.
   * @returns the ids of the cases this call timed out.
   */
  sweep(): Promise<string[]> {
    return this.sweeper.sweep();
  }
}
