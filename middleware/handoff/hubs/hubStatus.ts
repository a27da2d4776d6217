import { z } from 'zod';
import type { AgentIdentity, HandoffCase } from '../handoffCase';
import type { ClaimResult, HandoffStore } from '../stores/handoffStore';
import { defaultRedactor, type Redactor } from '../redaction';

/**
 * What an engagement hub can say about a case: the Bot Framework `handoff.status` states (`accepted`, `failed`,
 * `completed`) and the codes hubs also send (`timedOut`, `transferBack`, `endOfConversation`).
 */
export type HubStatusState = 'accepted' | 'failed' | 'completed' | 'timedOut' | 'transferBack' | 'endOfConversation';

/** Every {@link HubStatusState}, in the order of the protocol. */
export const HUB_STATUS_STATES: readonly HubStatusState[] = ['accepted', 'failed', 'completed', 'timedOut', 'transferBack', 'endOfConversation'];

/**
 * The case operation a hub status means.
 *
 * @remarks `assign`: the hub's agent has the case; `requeue`: the hub could not take it, back to the queue (the built-in
 * desk or another hub may take it); `fallback`: nobody answered in time, the case goes to `timed_out` so the
 * customer is offered a callback or ticket; `resolve`: done, the customer is back with the bot; `end`: the
 * conversation ended (resolved if an agent had it, abandoned if it was still waiting).
 */
export type HubCaseOperation = 'assign' | 'requeue' | 'fallback' | 'resolve' | 'end';

/** The mapping of hub statuses to case operations (a table, so it can be read and tested at a glance). */
export const HUB_STATUS_OPERATIONS: Readonly<Record<HubStatusState, HubCaseOperation>> = {
  accepted: 'assign',
  failed: 'requeue',
  completed: 'resolve',
  timedOut: 'fallback',
  transferBack: 'resolve',
  endOfConversation: 'end',
};

/** A status update from a hub, already validated. */
export interface HubStatusUpdate {
  /** Name of the connector / hub that sent it (e.g. `webhook`, or the handoff-protocol connector's name). */
  readonly hub: string;
  readonly caseId: string;
  readonly state: HubStatusState;
  /** The hub's message (e.g. why it failed). Not shown to the customer as is. */
  readonly message?: string;
  /** The hub's agent, when the hub says who accepted. */
  readonly agent?: { readonly id: string; readonly name?: string };
}

const STATE_BY_LOWER: ReadonlyMap<string, HubStatusState> = new Map(
  [...HUB_STATUS_STATES.map((s) => [s.toLowerCase(), s] as const), ['timeout', 'timedOut'] as const, ['transferredback', 'transferBack'] as const],
);

/**
 * Reads a hub's status word (case-insensitive; `timeout` and `transferredBack` accepted as aliases).
 *
 * @returns the state, or `undefined` for an unknown word.
 */
export function normaliseHubState(word: string): HubStatusState | undefined {
  return STATE_BY_LOWER.get(word.trim().toLowerCase().replace(/[\s_-]/g, ''));
}

/** zod schema of a hub status word. */
export const HubStateSchema = z
  .string()
  .min(1)
  .max(40)
  .transform((s, ctx) => {
    const state = normaliseHubState(s);
    if (!state) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown status "${s.slice(0, 40)}"; expected one of ${HUB_STATUS_STATES.join(', ')}` });
      return z.NEVER;
    }
    return state;
  });

/** zod schema of the agent a hub names. */
export const HubAgentSchema = z.object({ id: z.string().min(1).max(200), name: z.string().max(200).optional() });

/** Options of {@link applyHubStatus}. */
export interface ApplyHubStatusOptions {
  /** Channel recorded on the agent identity of hub agents. Default `` `hub:${update.hub}` ``. */
  readonly agentChannel?: string;
  /** Redacts the hub's message before it is stored in the case's history and notes. Default: the built-in redactor. */
  readonly redactor?: Redactor;
}

/** Result of {@link applyHubStatus}. */
export type ApplyHubStatusResult =
  | { readonly ok: true; readonly operation: HubCaseOperation; /** False when the case already was where the status puts it. */ readonly changed: boolean; readonly case: HandoffCase }
  | { readonly ok: false; readonly operation: HubCaseOperation; readonly reason: 'not_found' }
  | { readonly ok: false; readonly operation: HubCaseOperation; readonly reason: 'taken'; readonly by: AgentIdentity; readonly case: HandoffCase }
  | { readonly ok: false; readonly operation: HubCaseOperation; readonly reason: 'not_applicable'; readonly case: HandoffCase };

/** The agent identity a hub status stands for. */
export function hubAgent(update: HubStatusUpdate, options: ApplyHubStatusOptions = {}): AgentIdentity {
  return {
    id: update.agent?.id ?? update.hub,
    channel: options.agentChannel ?? `hub:${update.hub}`,
    ...(update.agent?.name ? { name: update.agent.name } : {}),
  };
}

const sameAgent = (a: AgentIdentity | undefined, b: AgentIdentity): boolean => !!a && a.id === b.id && a.channel === b.channel;

/**
 * Applies a hub's status to a case in the store, idempotently (a hub retrying the same status changes nothing).
 *
 * @remarks `accepted` claims the case for the hub's agent (atomic: if a desk agent won first, the result says who);
 * `failed` puts an assigned case back in the queue; `timedOut` moves it to `timed_out` (fallback: callback or
 * ticket); `completed` / `transferBack` resolve it (claiming it first for the hub if it was still waiting);
 * `endOfConversation` resolves an assigned case and abandons a waiting one. Statuses about a case that is already
 * closed change nothing and answer `not_applicable`.
 */
export async function applyHubStatus(store: HandoffStore, update: HubStatusUpdate, options: ApplyHubStatusOptions = {}): Promise<ApplyHubStatusResult> {
  const operation = HUB_STATUS_OPERATIONS[update.state];
  const current = await store.get(update.caseId);
  if (!current) return { ok: false, operation, reason: 'not_found' };
  const agent = hubAgent(update, options);
  const by = agent.id;
  // The hub's message may quote the customer or an agent: stored redacted, like everything typed.
  const redactor = options.redactor ?? defaultRedactor;
  const note = update.message ? `${update.hub}: ${update.state} (${redactor.redact(update.message.slice(0, 200))})` : `${update.hub}: ${update.state}`;
  const done = (c: HandoffCase, changed = true): ApplyHubStatusResult => ({ ok: true, operation, changed, case: c });
  const notApplicable = (c: HandoffCase): ApplyHubStatusResult => ({ ok: false, operation, reason: 'not_applicable', case: c });

  // Another agent owns the case: a hub may not move it (only the owner, or the hub for its own agent).
  const ownedByOther = current.state === 'assigned' && !!current.agent && current.agent.channel !== agent.channel;

  switch (operation) {
    case 'assign': {
      if (current.state === 'assigned' && sameAgent(current.agent, agent)) return done(current, false);
      const claim = await store.claim(update.caseId, agent);
      if (claim.ok) return done(claim.case);
      if (claim.reason === 'not_found') return { ok: false, operation, reason: 'not_found' };
      if (claim.reason === 'taken') return { ok: false, operation, reason: 'taken', by: claim.by, case: claim.case };
      return notApplicable(claim.case);
    }
    case 'requeue': {
      if (ownedByOther) return notApplicable(current);
      if (current.state === 'assigned' || current.state === 'timed_out') return done(await store.transition(update.caseId, 'queued', by, note));
      if (current.state === 'queued' || current.state === 'callback_requested') return done(current, false);
      return notApplicable(current);
    }
    case 'fallback': {
      if (ownedByOther) return notApplicable(current);
      if (current.state === 'timed_out' || current.state === 'callback_requested') return done(current, false);
      if (current.state === 'assigned') await store.transition(update.caseId, 'queued', by, note);
      if (current.state === 'assigned' || current.state === 'queued') return done(await store.transition(update.caseId, 'timed_out', by, note));
      return notApplicable(current);
    }
    case 'resolve':
    case 'end': {
      if (ownedByOther) return notApplicable(current);
      if (current.state === 'assigned' || current.state === 'callback_requested') return done(await store.resolve(update.caseId, { by, note }));
      if (current.state === 'queued' || current.state === 'timed_out') {
        if (operation === 'end') return done(await store.transition(update.caseId, 'abandoned', by, note));
        const claim = await store.claim(update.caseId, agent);
        if (!claim.ok) return claim.reason === 'taken' ? { ok: false, operation, reason: 'taken', by: claim.by, case: claim.case } : notApplicable(current);
        return done(await store.resolve(update.caseId, { by, note }));
      }
      return notApplicable(current);
    }
  }
}

/**
 * The agent actions a hub status goes through (the handoff service's agent side, `service.agents`), so the customer
 * is told and the events are emitted.
 */
export interface HubCaseActions {
  accept(caseId: string, agent: AgentIdentity): Promise<ClaimResult>;
  close(caseId: string, agent: AgentIdentity): Promise<{ readonly ok: true; readonly case: HandoffCase } | { readonly ok: false; readonly reason: string }>;
}

/**
 * Applies a hub's status through the handoff service's agent side when one is given, so the customer is told (an
 * agent joined, they are back with the bot) and the service emits its events; falls back to {@link applyHubStatus}
 * on the store.
 *
 * @remarks Used by the Bot Framework handoff-protocol connector and by the webhook status route alike.
 */
export async function applyHubStatusWithService(
  service: HubCaseActions | undefined,
  store: HandoffStore,
  update: HubStatusUpdate,
  options: ApplyHubStatusOptions = {},
): Promise<ApplyHubStatusResult> {
  const operation = HUB_STATUS_OPERATIONS[update.state];
  const c = service ? await store.get(update.caseId) : undefined;
  if (service && !c) return { ok: false, operation, reason: 'not_found' };
  if (service && c) {
    const agent = hubAgent(update, options);
    if (operation === 'assign' && !(c.state === 'assigned' && c.agent?.id === agent.id && c.agent.channel === agent.channel)) {
      const r = await service.accept(c.id, agent);
      if (r.ok) return { ok: true, operation, changed: true, case: r.case };
      if (r.reason === 'not_found') return { ok: false, operation, reason: 'not_found' };
      if (r.reason === 'taken') return { ok: false, operation, reason: 'taken', by: r.by, case: r.case };
      return { ok: false, operation, reason: 'not_applicable', case: r.case };
    }
    const closes = operation === 'resolve' || operation === 'end';
    if (closes && c.state === 'assigned' && c.agent && c.agent.channel === agent.channel) {
      // The hub's message is for the bot's operators, not the customer: close without a note.
      const r = await service.close(c.id, c.agent);
      if (r.ok) return { ok: true, operation, changed: true, case: r.case };
      if (r.reason === 'not_found') return { ok: false, operation, reason: 'not_found' };
    }
  }
  return applyHubStatus(store, update, options);
}
