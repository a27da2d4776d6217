import type { AgentIdentity, CaseState, HandoffCase } from '../../middleware/handoff/handoffCase';
import type { AgentStatus, ClaimResult } from '../../middleware/handoff/stores/handoffStore';

/** Something that happened in the handoff that an open console must show. */
export type DeskEvent =
  /** The queue changed (a case was added, claimed, cancelled...): refresh the queue. */
  | { readonly type: 'queue' }
  /** A case changed state (accepted, closed, abandoned by the customer...). */
  | { readonly type: 'case'; readonly caseId: string; readonly state: CaseState; readonly agent?: AgentIdentity }
  /**
   * New lines on a case that consoles do not get as messages (a live line of a case held on Teams or Slack, a message
   * written while the case waits): views of that case reload it. The queue is unchanged.
   */
  | { readonly type: 'lines'; readonly caseId: string }
  /**
   * A message in an assigned case: from the customer (to relay to the agent) or from the agent (an echo, so
   * every console of that agent shows it). `agentId` is the assigned agent: only their consoles receive it.
   */
  | {
      readonly type: 'message';
      readonly caseId: string;
      readonly agentId: string;
      readonly from: 'customer' | 'agent' | 'system';
      readonly text: string;
      /** ISO 8601 instant. */
      readonly at: string;
    };

/** Result of {@link DeskBackend.send} and {@link DeskBackend.close}. */
export type DeskActionResult =
  | { readonly ok: true; readonly case?: HandoffCase }
  | { readonly ok: false; readonly reason: 'not_found' }
  /** The case is not assigned to this agent (another agent has it, or nobody). */
  | { readonly ok: false; readonly reason: 'not_yours'; readonly by?: AgentIdentity }
  /** The case is no longer assigned (closed, abandoned...). */
  | { readonly ok: false; readonly reason: 'not_assigned'; readonly state: CaseState };

/**
 * What the web agent console needs from the handoff: the queue, cases, claims, the live chat and presence.
 *
 * @remarks Implemented on the handoff orchestration (`HandoffService`) by `handoffDeskBackend`; tests use an
 * in-memory fake. Agents are `AgentIdentity` values with `channel: 'console'`.
 */
export interface DeskBackend {
  /** Queued cases in service order (high priority first, then the oldest). */
  listQueue(): Promise<HandoffCase[]>;
  /** Open cases assigned to this agent. */
  listAssigned(agent: AgentIdentity): Promise<HandoffCase[]>;
  /** Cases closed most recently and still kept (within the retention), newest first. Optional: none without it. */
  listClosed?(limit: number): Promise<HandoffCase[]>;
  /** One case with its live chat, or `undefined`. */
  getCase(caseId: string): Promise<HandoffCase | undefined>;
  /** The same customer's other cases still kept (open or closed within the retention, not this one), newest first. */
  earlierCases(current: HandoffCase, limit: number): Promise<HandoffCase[]>;
  /** Claims a case for the agent: of concurrent claimers exactly one wins; the others learn who has it. */
  accept(caseId: string, agent: AgentIdentity): Promise<ClaimResult>;
  /**
   * Sends the agent's message to the customer of a case the agent holds; idempotent on `messageId` when given (a
   * retry of the same message is sent once).
   */
  send(caseId: string, agent: AgentIdentity, text: string, messageId?: string): Promise<DeskActionResult>;
  /** Closes a case the agent holds, with an optional note; the customer goes back to the bot. */
  close(caseId: string, agent: AgentIdentity, note?: string): Promise<DeskActionResult>;
  /** Marks the agent online or away for `ttlMs` (renewed while the console is open). */
  setPresence(agent: AgentIdentity, status: AgentStatus, ttlMs: number): Promise<void>;
  /** Removes the agent's presence (signed out). */
  clearPresence(agent: AgentIdentity): Promise<void>;
  /** The agent's current status as every instance sees it (`undefined` when none or expired). Optional. */
  getPresence?(agent: AgentIdentity): Promise<AgentStatus | undefined>;
  /**
   * Extends the agent's existing presence by `ttlMs`, keeping the status it has (set from any instance); resolves with
   * it, or `undefined` when there is none, creating nothing. Optional: without it a console renews the status last set
   * through its own process, and with several instances an agent away on one can be turned online by another.
   */
  renewPresence?(agent: AgentIdentity, ttlMs: number): Promise<AgentStatus | undefined>;
  /** Calls `listener` for every event; resolves with an unsubscribe function. */
  subscribe(listener: (event: DeskEvent) => void): Promise<() => void>;
}
