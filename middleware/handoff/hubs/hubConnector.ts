import type { AgentIdentity, HandoffCase } from '../handoffCase';

/**
 * Something that happened to a case, as the handoff service tells connectors and subscribers.
 *
 * @remarks Emitted after the store write succeeded. `queued` is also emitted for a case that went back to the
 * queue. `customer_message` covers messages sent while waiting (kept on the case) and while assigned (relayed).
 */
export type HandoffEvent =
  | {
      readonly type: 'queued';
      readonly case: HandoffCase;
      /** True when this event opened the case (absent when the case went back to the queue). */
      readonly opened?: boolean;
    }
  | {
      readonly type: 'timed_out';
      readonly case: HandoffCase;
      /** True when the case was opened with nobody to take it and timed out at once (no `queued` event then). */
      readonly opened?: boolean;
    }
  | { readonly type: 'callback_requested'; readonly case: HandoffCase }
  | { readonly type: 'assigned'; readonly case: HandoffCase }
  | { readonly type: 'resolved'; readonly case: HandoffCase }
  | { readonly type: 'abandoned'; readonly case: HandoffCase }
  | { readonly type: 'customer_message'; readonly case: HandoffCase; readonly text: string; readonly at: string }
  | {
      readonly type: 'agent_message';
      readonly case: HandoffCase;
      readonly agent: AgentIdentity;
      readonly text: string;
      readonly at: string;
    };

/** A customer message to deliver to the agent of an assigned case. */
export interface AgentDelivery {
  readonly text: string;
  /** ISO 8601 instant. */
  readonly at: string;
  /**
   * Call it as soon as the agent's channel has taken the message (before anything else): the service then records the
   * relay as done, so an instance dying right after cannot have it relayed twice. Optional for connectors; the service
   * records it after `deliverToAgent` resolves otherwise.
   */
  readonly onSent?: () => Promise<void>;
}

/**
 * A hub: where cases go to humans. Several are active at once (the built-in agent desk over Teams/Slack, the
 * Bot Framework handoff protocol, a signed webhook, the web console...).
 *
 * @remarks Both methods are optional. `onEvent` is called for every {@link HandoffEvent}, off the customer's turn;
 * a failure is logged and never breaks the turn or the other connectors. `deliverToAgent` is awaited in the
 * customer's turn (so messages keep their order): return `true` when this connector delivered the message to the
 * case's agent, `false` when the case is not one of its own.
 * @example
 * const logOnly: HubConnector = { name: 'audit', async onEvent(e) { audit.write(e.type, e.case.id); } };
 */
export interface HubConnector {
  /** Short name for logs, e.g. `desk`, `webhook`, the handoff-protocol connector's. */
  readonly name: string;
  /**
   * True when the hub brings its own agents (an engagement hub, a ticketing system): a new case then waits for it
   * in the queue even when no desk agent is online, instead of falling back at once to a callback offer.
   * @defaultValue false
   */
  readonly staffed?: boolean;
  /**
   * Whether this hub takes this particular case (e.g. only cases from the channels it listens on). Consulted with
   * {@link HubConnector.staffed}; absent means every case.
   */
  takesCase?(c: HandoffCase): boolean;
  onEvent?(event: HandoffEvent): Promise<void>;
  deliverToAgent?(c: HandoffCase, message: AgentDelivery): Promise<boolean>;
}
