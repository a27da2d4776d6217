import {
  CLAIMABLE_STATES,
  IllegalTransitionError,
  canTransition,
  isOpen,
  priorityRank,
  transition,
  type AgentIdentity,
  type CaseDraft,
  type ConversationPointer,
  type HandoffCase,
} from '../handoffCase';
import type { CaseEvent, ClaimResult, ResolveInput } from './handoffStore';

/** What a store must write besides the case itself; computed the same way by every store. */
export interface CaseWritePlan {
  /** The case to store (identity fields, queued messages and live chat taken from the stored one). */
  readonly next: HandoffCase;
  readonly open: boolean;
  readonly queued: boolean;
  /** Queue score: lower is served first. */
  readonly score: number;
  /** Agent conversation key routed to this case after the write (only while assigned). */
  readonly agentRoute?: string;
  /** Agent conversation key routed to this case before the write. */
  readonly previousAgentRoute?: string;
  /** Handling time to record when this write resolves an assigned case. */
  readonly handlingMs?: number;
  /** The state event to publish with this write (when the state changed, or on creation). */
  readonly stateEvent?: CaseEvent;
  /** The agent holding the case after the write (only while assigned), as `agentKey` gives it. */
  readonly holder?: string;
  /** The agent holding the case before the write (only while it was assigned). */
  readonly previousHolder?: string;
  /** This write closes an open case (resolved or abandoned): it joins the index of recently closed cases. */
  readonly closing: boolean;
}

/** Width of one priority band of queue scores: more than any epoch-ms timestamp until the year 2286; 3 * 1e13 < 2^53. */
export const AGE_SPAN = 1e13;

/** Queue score of a case: priority first, then the time it was queued. */
export const queueScore = (c: HandoffCase): number =>
  priorityRank(c.priority) * AGE_SPAN + Date.parse(c.timestamps.queued ?? c.timestamps.created);

const route = (c: HandoffCase | undefined): string | undefined =>
  c && c.state === 'assigned' ? c.agentConversation?.key : undefined;
const holderOf = (c: HandoffCase | undefined): string | undefined =>
  c && c.state === 'assigned' && c.agent ? `${c.agent.channel}:${c.agent.id}` : undefined;

/**
 * Key of a customer across their cases: the profile key when the customer is identified, else channel and user id.
 */
export const customerKeyOf = (c: Pick<HandoffCase, 'customer'>): string =>
  c.customer.profileKey ? `profile:${c.customer.profileKey}` : `${c.customer.channel}:${c.customer.id}`;

/** Throws a clear `TypeError` for a draft that lacks what every store relies on. */
export function assertDraft(draft: CaseDraft | undefined): asserts draft is CaseDraft {
  if (!draft?.conversation?.key || !draft.customer?.id || !draft.timestamps?.created || !draft.state) {
    throw new TypeError('HandoffStore: a case needs state, conversation.key, customer.id and timestamps.created (use draftCase)');
  }
}

/**
 * Checks a write against the state machine and computes the indexes a store keeps (queue, open, routes).
 *
 * @throws `IllegalTransitionError` when the state changed in a way the state machine forbids.
 */
export function planCaseWrite(previous: HandoffCase | undefined, proposed: HandoffCase): CaseWritePlan {
  assertDraft(proposed);
  let next = proposed;
  if (previous) {
    if (previous.state !== proposed.state && !canTransition(previous.state, proposed.state)) {
      throw new IllegalTransitionError(previous.state, proposed.state, previous.id);
    }
    next = {
      ...proposed,
      id: previous.id,
      version: previous.version,
      conversation: previous.conversation,
      queuedMessages: previous.queuedMessages,
      liveChat: previous.liveChat,
    };
  }
  if (!isOpen(next.state)) {
    // Personal data kept only for a purpose (a callback number or address, an order e-mail) is erased at the close.
    if (next.callback?.contact !== undefined) next = { ...next, callback: { preference: next.callback.preference, at: next.callback.at } };
    const purpose = next.purposeKeys ?? [];
    if (purpose.length) {
      const collected = Object.fromEntries(Object.entries(next.collected).filter(([k]) => !purpose.includes(k)));
      next = { ...next, collected };
      delete (next as { purposeKeys?: readonly string[] }).purposeKeys;
    }
  }
  let handlingMs: number | undefined;
  if (previous?.state === 'assigned' && next.state === 'resolved' && next.timestamps.assigned && next.timestamps.resolved) {
    handlingMs = Math.max(0, Date.parse(next.timestamps.resolved) - Date.parse(next.timestamps.assigned));
  }
  return {
    next,
    open: isOpen(next.state),
    queued: next.state === 'queued',
    score: queueScore(next),
    agentRoute: route(next),
    previousAgentRoute: route(previous),
    handlingMs,
    holder: holderOf(next),
    previousHolder: holderOf(previous),
    closing: previous !== undefined && isOpen(previous.state) && !isOpen(next.state),
    ...(!previous || previous.state !== next.state
      ? { stateEvent: { kind: 'state' as const, caseId: next.id, state: next.state, ...(next.agent ? { agent: next.agent } : {}) } }
      : {}),
  };
}

/** The claim decided on a read case: the new case for the winner, or the loser's answer. */
export function decideClaim(
  current: HandoffCase,
  agent: AgentIdentity,
  agentConversation: ConversationPointer | undefined,
  now: Date,
): { win: HandoffCase } | { lose: Exclude<ClaimResult, { ok: true }> } {
  if (current.state === 'assigned' && current.agent) return { lose: { ok: false, reason: 'taken', by: current.agent, case: current } };
  if (!CLAIMABLE_STATES.includes(current.state)) {
    return { lose: { ok: false, reason: 'not_claimable', state: current.state, case: current } };
  }
  const assigned = transition(current, 'assigned', { by: agent.id, at: now });
  return { win: { ...assigned, agent, ...(agentConversation ? { agentConversation } : {}) } };
}

/** The resolved case. */
export function applyResolve(current: HandoffCase, input: ResolveInput, now: Date): HandoffCase {
  const resolved = transition(current, 'resolved', { by: input.by, note: input.note, at: now });
  return {
    ...resolved,
    ...(input.note ? { agentNotes: [...resolved.agentNotes, { by: input.by, text: input.note, at: now.toISOString() }] } : {}),
    ...(input.satisfaction !== undefined ? { satisfaction: input.satisfaction } : {}),
    ...(input.ratingRequested && input.satisfaction === undefined ? { ratingRequested: true } : {}),
  };
}
