import type { AgentIdentity, CasePriority, CaseState, HandoffCase } from '../../middleware/handoff/handoffCase';
import { PURPOSE_HIDDEN, customerLabel, explainTrigger } from '../../middleware/handoff/caseSummary';

/** A case as the console's queue lists it. */
export interface DeskCaseItem {
  readonly id: string;
  readonly state: CaseState;
  readonly priority: CasePriority;
  readonly reason: string;
  readonly language: string;
  readonly channel: string;
  /** The customer's display name, or the channel and the end of their id (never a bare channel id). */
  readonly customerName?: string;
  /** First line of the summary. */
  readonly headline: string;
  /** ISO 8601: when the case entered the queue (or was created). */
  readonly waitingSince: string;
  readonly agent?: { readonly id: string; readonly name?: string; readonly channel: string };
}

/** Evidence of one signal, ready to show as a chip. */
export interface DeskSignalView {
  readonly kind: 'intent' | 'emotion';
  readonly name: string;
  /** 0..1. */
  readonly score: number;
  /** Redacted words that made the detector fire. */
  readonly evidence: readonly string[];
}

/** Everything the case panel shows; no conversation references, nothing the page does not need. */
export interface DeskCaseView extends DeskCaseItem {
  readonly summary: string;
  /** The policy's own explanation (a log line, for developers). */
  readonly explanation: string;
  /** Why a person is needed, in plain words: reason, priority and the customer's words, each once (redacted). */
  readonly why: string;
  /** The customer's 1–5 rating, once given. */
  readonly satisfaction?: number;
  readonly signals: readonly DeskSignalView[];
  readonly collected: Readonly<Record<string, string>>;
  readonly transcript: ReadonlyArray<{ readonly role: string; readonly text: string; readonly at: string }>;
  /** What the customer wrote while waiting (redacted). */
  readonly waitingMessages: ReadonlyArray<{ readonly text: string; readonly at: string }>;
  /** The live chat with the agent holding the case, customer and agent lines (redacted), oldest first. */
  readonly liveChat: ReadonlyArray<{ readonly role: string; readonly text: string; readonly at: string }>;
  readonly notes: ReadonlyArray<{ readonly by: string; readonly text: string; readonly at: string }>;
  readonly history: ReadonlyArray<{ readonly from: string; readonly to: string; readonly at: string; readonly by: string }>;
  readonly created: string;
  readonly resolved?: string;
}

/** A closed case as the console's "closed" list shows it: when, by whom, the team's notes and the customer's rating. */
export interface DeskClosedItem extends DeskCaseItem {
  /** ISO 8601: when the case was closed. */
  readonly closedAt: string;
  /** Who closed it: an agent's name, or `customer` / `system`. */
  readonly closedBy: string;
  /** The agents' internal notes (redacted). */
  readonly notes: readonly string[];
  readonly satisfaction?: number;
}

/** The "closed" list view of a case. */
export function toDeskClosedItem(c: HandoffCase): DeskClosedItem {
  const last = c.history[c.history.length - 1];
  const by = last?.by ?? 'system';
  return {
    ...toDeskCaseItem(c),
    closedAt: c.timestamps.resolved ?? last?.at ?? c.timestamps.updated,
    closedBy: c.agent && by === c.agent.id ? (c.agent.name ?? c.agent.id) : by,
    notes: c.agentNotes.map((n) => n.text),
    ...(c.satisfaction !== undefined ? { satisfaction: c.satisfaction } : {}),
  };
}

/** An agent as the console's answers and events name them: id and display name (the id when there is none). */
export const toDeskAgentRef = (a: AgentIdentity | undefined): { readonly id: string; readonly name: string } | undefined =>
  a ? { id: a.id, name: a.name ?? a.id } : undefined;

const agentView = (a: AgentIdentity | undefined): DeskCaseItem['agent'] =>
  a ? { id: a.id, channel: a.channel, ...(a.name ? { name: a.name } : {}) } : undefined;

/** The queue-list view of a case. */
export function toDeskCaseItem(c: HandoffCase): DeskCaseItem {
  const agent = agentView(c.agent);
  return {
    id: c.id,
    state: c.state,
    priority: c.priority,
    reason: String(c.reason),
    language: String(c.language),
    channel: c.customer.channel,
    customerName: customerLabel(c.customer),
    headline: (c.summary.split('\n').find((l) => l.trim()) ?? '').slice(0, 200),
    waitingSince: c.timestamps.queued ?? c.timestamps.created,
    ...(agent ? { agent } : {}),
  };
}

/**
 * The full view of a case for the case panel. Everything a customer or an agent wrote is on the case already
 * redacted (the handoff service redacts once, when it stores text): nothing is redacted again here. Purpose data
 * (`purposeKeys`) shows only to `viewer` when they hold the case.
 */
export function toDeskCaseView(c: HandoffCase, viewer?: AgentIdentity): DeskCaseView {
  // Purpose data (an order e-mail) is for the agent who holds the case only.
  const holds = !!viewer && c.state === 'assigned' && c.agent?.id === viewer.id && c.agent.channel === viewer.channel;
  const purpose = new Set(c.purposeKeys ?? []);
  const signals: DeskSignalView[] = [
    ...c.trigger.intents.map((i) => ({ kind: 'intent' as const, name: String(i.name), score: i.confidence, evidence: i.evidence })),
    ...c.trigger.emotions.map((e) => ({ kind: 'emotion' as const, name: String(e.name), score: e.score, evidence: e.evidence })),
  ].map((s) => ({
    kind: s.kind,
    name: s.name,
    score: Math.round(s.score * 100) / 100,
    evidence: [...new Set(s.evidence.flatMap((ev) => ev.matched))].slice(0, 8),
  }));
  return {
    ...toDeskCaseItem(c),
    summary: c.summary,
    explanation: c.trigger.explanation,
    // The stored evidence is redacted already.
    why: explainTrigger(c, 'en', { redact: (t: string) => t }),
    ...(c.satisfaction !== undefined ? { satisfaction: c.satisfaction } : {}),
    signals,
    collected: Object.fromEntries(Object.entries(c.collected).map(([k, v]) => [k, purpose.has(k) && !holds ? PURPOSE_HIDDEN : v])),
    transcript: c.transcript.map((t) => ({ role: t.role, text: t.text, at: t.at })),
    waitingMessages: c.queuedMessages.map((m) => ({ text: m.text, at: m.at })),
    liveChat: (c.liveChat ?? []).map((l) => ({ role: l.role, text: l.text, at: l.at })),
    notes: c.agentNotes.map((n) => ({ by: n.by, text: n.text, at: n.at })),
    history: c.history.map((h) => ({ from: h.from, to: h.to, at: h.at, by: h.by })),
    created: c.timestamps.created,
    ...(c.timestamps.resolved ? { resolved: c.timestamps.resolved } : {}),
  };
}
