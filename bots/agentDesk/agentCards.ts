import { PURPOSE_HIDDEN, customerLabel, explainTrigger, reasonLabel, type SummaryLanguage } from '../../middleware/handoff/caseSummary';
import type { CaseState, HandoffCase } from '../../middleware/handoff/handoffCase';

/** Adaptive Card JSON (a plain object, version 1.5 at most so Teams renders it). */
export type AdaptiveCardJson = { readonly type: 'AdaptiveCard'; readonly version: string } & Record<string, unknown>;

/** Where a case stands for the agents it was announced to: shown on an announcement updated in place. */
export interface CaseCardStatus {
  /** One sentence in the agents' language: "Taken by Alice", "Closed by Alice"... */
  readonly text: string;
  /** Whether an agent may still take it: the Accept button shows only then. */
  readonly claimable: boolean;
}

/** Options of {@link caseCard}. */
export interface CaseCardOptions {
  /** `announce`: a new case with an Accept button; `full`: the case as the agent who accepted it sees it. */
  readonly mode: 'announce' | 'full';
  /** Queue position to show (announce). */
  readonly position?: number;
  /** Language of the labels and of the "why" line: the agents' language. Default `en`. */
  readonly language?: SummaryLanguage;
  /** Where the case stands now, for an announcement updated in place (see {@link announcementStatus}). */
  readonly status?: CaseCardStatus;
}

/** The `data` of the Accept button (`Action.Submit`): arrives in Teams as the `value` of a message. */
export interface AcceptActionData {
  readonly warmline: 'accept';
  readonly caseId: string;
}

export { reasonLabel };

const CHANNELS: Record<string, string> = { msteams: 'Teams', slack: 'Slack', webchat: 'Web chat', directline: 'Web chat', emulator: 'Emulator' };

/** Human label of a channel id. */
export const channelLabel = (channel: string): string => CHANNELS[channel] ?? channel;

/** What agents read on cards, Block Kit and text, in their language. */
export interface CardLabels {
  readonly newCase: string;
  readonly accepted: string;
  /** "Accepted", before a case's title. */
  readonly acceptedShort: string;
  readonly reason: string;
  readonly priority: string;
  readonly priorities: Readonly<Record<string, string>>;
  readonly customer: string;
  readonly queue: string;
  readonly state: string;
  readonly states: Readonly<Record<string, string>>;
  readonly callback: string;
  readonly emotion: string;
  readonly why: string;
  readonly collected: string;
  readonly transcript: string;
  readonly waiting: string;
  readonly accept: string;
  readonly title: (id: string, reason: string, priority: string) => string;
  readonly howToAccept: (id: string) => string;
  readonly closingHint: string;
  readonly earlierLines: (count: number) => string;
  readonly takenBy: (name: string) => string;
  readonly takenByYou: (name: string) => string;
  readonly closedBy: (name: string) => string;
  readonly customerLeft: string;
  readonly requeued: string;
  readonly backInQueue: string;
  readonly timedOut: string;
  readonly callbackRequested: string;
  readonly anAgent: string;
}

const LABELS: Readonly<Record<SummaryLanguage, CardLabels>> = {
  en: {
    newCase: 'New case',
    accepted: 'Case accepted: you are now talking with the customer',
    acceptedShort: 'Accepted',
    reason: 'Reason',
    priority: 'Priority',
    priorities: { high: 'high', normal: 'normal', low: 'low' },
    customer: 'Customer',
    queue: 'Queue',
    state: 'State',
    states: { bot: 'with the bot', queued: 'queued', assigned: 'assigned', resolved: 'resolved', abandoned: 'abandoned', timed_out: 'timed out', callback_requested: 'callback requested' },
    callback: 'Callback',
    emotion: 'Emotion',
    why: 'Why',
    collected: 'Collected',
    transcript: 'Transcript (redacted)',
    waiting: 'Sent while waiting',
    accept: 'Accept',
    title: (id, reason, priority) => `${id} · ${reason} · ${priority} priority`,
    howToAccept: (id) => `Type "accept ${id}" to take it.`,
    closingHint:
      'Everything you write here goes to the customer. Type "close" when done, or "close: [note]" to leave an internal note for the team (the customer never sees it).',
    earlierLines: (count) => `${count} earlier line${count === 1 ? '' : 's'} not shown`,
    takenBy: (name) => `Taken by ${name}`,
    takenByYou: (name) => `Taken by ${name} (you)`,
    closedBy: (name) => `Closed by ${name}`,
    customerLeft: 'The customer left: nothing to do',
    requeued: 'Back in the queue: announced again below',
    backInQueue: 'Back in the queue',
    timedOut: 'Waited too long: the customer was offered a callback. You can still take it.',
    callbackRequested: 'The customer asked to be called back. You can still take it.',
    anAgent: 'an agent',
  },
  fr: {
    newCase: 'Nouveau dossier',
    accepted: 'Dossier pris : vous parlez maintenant avec le client',
    acceptedShort: 'Pris',
    reason: 'Motif',
    priority: 'Priorité',
    priorities: { high: 'haute', normal: 'normale', low: 'basse' },
    customer: 'Client',
    queue: 'File',
    state: 'État',
    states: { bot: 'avec le bot', queued: 'en file', assigned: 'pris', resolved: 'fermé', abandoned: 'abandonné', timed_out: 'attente dépassée', callback_requested: 'rappel demandé' },
    callback: 'Rappel',
    emotion: 'Émotion',
    why: 'Pourquoi',
    collected: 'Données recueillies',
    transcript: 'Transcription (masquée)',
    waiting: 'Envoyé pendant l’attente',
    accept: 'Prendre',
    title: (id, reason, priority) => `${id} · ${reason} · priorité ${priority}`,
    howToAccept: (id) => `Tapez « prendre ${id} » pour le prendre.`,
    closingHint:
      'Tout ce que vous écrivez ici est envoyé au client. Tapez « fermer » quand c’est fini, ou « fermer: [note] » pour laisser une note interne à l’équipe (le client ne la voit jamais).',
    earlierLines: (count) => `${count} ligne${count === 1 ? '' : 's'} plus ancienne${count === 1 ? '' : 's'} non affichée${count === 1 ? '' : 's'}`,
    takenBy: (name) => `Pris par ${name}`,
    takenByYou: (name) => `Pris par ${name} (vous)`,
    closedBy: (name) => `Fermé par ${name}`,
    customerLeft: 'Le client est parti : rien à faire',
    requeued: 'De retour dans la file : annoncé à nouveau plus bas',
    backInQueue: 'De retour dans la file',
    timedOut: 'Attente trop longue : un rappel a été proposé au client. Vous pouvez encore le prendre.',
    callbackRequested: 'Le client a demandé à être rappelé. Vous pouvez encore le prendre.',
    anAgent: 'un conseiller',
  },
};

/** The labels agents read, in their language. */
export const cardLabels = (language: SummaryLanguage = 'en'): CardLabels => LABELS[language];

/** Options of {@link announcementStatus}. */
export interface AnnouncementStatusOptions {
  /** The agents' language. Default `en`. */
  readonly language?: SummaryLanguage;
  /**
   * Set when the case went back to the queue after this announcement; `reannounced` when a newer announcement follows
   * in the same conversation (this one then loses its Accept button).
   */
  readonly requeued?: { readonly reannounced: boolean };
}

/**
 * Where a case stands for an agent conversation it was announced in, once it is no longer simply waiting: taken (by
 * whom, or by this conversation's agent), closed, left by the customer, back in the queue, timed out or waiting for a
 * callback (still claimable). `undefined` for a case that is just queued.
 *
 * @param where the key of the agent conversation the announcement is in.
 */
export function announcementStatus(c: HandoffCase, where: string, options: AnnouncementStatusOptions = {}): CaseCardStatus | undefined {
  const language = options.language ?? 'en';
  const requeued = options.requeued !== undefined;
  const reannounced = options.requeued?.reannounced === true;
  const l = LABELS[language];
  const name = c.agent?.name?.trim() || c.agent?.id || l.anAgent;
  const byState: Partial<Record<CaseState, CaseCardStatus>> = {
    assigned: { text: c.agentConversation?.key === where ? l.takenByYou(name) : l.takenBy(name), claimable: false },
    resolved: { text: l.closedBy(name), claimable: false },
    abandoned: { text: l.customerLeft, claimable: false },
    timed_out: { text: l.timedOut, claimable: true },
    callback_requested: { text: l.callbackRequested, claimable: true },
    ...(requeued ? { queued: { text: reannounced ? l.requeued : l.backInQueue, claimable: !reannounced } } : {}),
  };
  return byState[c.state];
}

/**
 * Keeps customer-written text from acting as Adaptive Card markdown: a customer could otherwise put links
 * ("[Verify here](https://…)") or fake list lines in front of an agent. A zero-width space breaks the syntax and
 * leaves the text as the customer wrote it.
 */
export const inertMarkdown = (t: string): string => t.replace(/\]\(/g, ']\u200B(').replace(/^([ \t]*)([-*+]|\d+\.)(\s)/gm, '$1\u200B$2$3');

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** One line of a case as agents read it: a labelled fact, or a line of text (`title` absent). */
export interface CaseFact {
  readonly title?: string;
  readonly value: string;
}

/** The lines an agent reads about a case, shared by every rendering (card, Block Kit, text). */
export interface CaseView {
  readonly title: string;
  /** The labels of every rendering, in the agents' language. */
  readonly labels: CardLabels;
  /** Where the case stands now, on an announcement updated in place. */
  readonly status?: CaseCardStatus;
  readonly facts: ReadonlyArray<{ readonly title: string; readonly value: string }>;
  readonly summary: string;
  /**
   * The summary laid out one fact per line (what the customer wants, what the bot did, the emotion...), then why a
   * person is needed: each a separate line in every rendering, never one paragraph.
   */
  readonly details: readonly CaseFact[];
  /** Strongest emotion with its evidence, or empty. */
  readonly emotion: string;
  /** Why the bot escalated, in plain words (see `explainTrigger`). */
  readonly evidence: string;
  /** Redacted transcript lines, oldest first: the newest ones (6 announcing a case, 30 once accepted). */
  readonly transcript: readonly string[];
  /** How many earlier transcript lines are left out of {@link CaseView.transcript}. */
  readonly transcriptOmitted: number;
  readonly collected: ReadonlyArray<{ readonly title: string; readonly value: string }>;
  /** Redacted messages the customer sent while waiting, oldest first: the newest ones, as for the transcript. */
  readonly waiting: readonly string[];
  /** How many earlier messages sent while waiting are left out of {@link CaseView.waiting}. */
  readonly waitingOmitted: number;
}

/**
 * The marker shown where earlier lines are left out: "1 earlier line not shown", "12 earlier lines not shown".
 *
 * @remarks Shared by every rendering so the agent reads the same words on Teams, Slack and text channels.
 */
export const earlierLinesNotShown = (count: number, language: SummaryLanguage = 'en'): string => LABELS[language].earlierLines(count);

// "Label: value" lines of a summary (the label short and without a colon).
const LABELLED = /^([^:\n]{1,24}?)\s?:\s+(\S[\s\S]*)$/;

/**
 * The summary's lines as facts, without the customer line (the card's facts say who) and the "why" line (shown from
 * the case's trigger, in the agents' language); the strongest emotion when the summary has none.
 */
function detailsOf(summary: string, emotion: string, why: string, l: CardLabels): CaseFact[] {
  const skip = new Set(['who', 'qui', 'why', 'pourquoi']);
  const details: CaseFact[] = [];
  for (const line of summary.split('\n')) {
    const flat = line.trim();
    if (!flat) continue;
    const m = LABELLED.exec(flat);
    if (!m) details.push({ value: cut(flat, 600) });
    else if (!skip.has((m[1] as string).trim().toLowerCase())) details.push({ title: (m[1] as string).trim(), value: cut(m[2] as string, 600) });
  }
  const emotions = new Set(['emotion', 'émotion']);
  if (emotion && !details.some((d) => d.title && emotions.has(d.title.toLowerCase()))) details.push({ title: l.emotion, value: emotion });
  details.push({ title: l.why, value: why });
  return details;
}

/**
 * Fits two lists of lines (oldest first) into a size budget by leaving out their oldest lines, newest kept.
 *
 * @remarks `sizeOf(t, w)` measures the rendering that shows the newest `t` lines of the first list and the newest
 * `w` of the second. While it exceeds the budget, the list whose kept lines weigh more (by `weight`) loses its
 * oldest line, so a short list is never starved by a long one. Returns how many lines of each list to show (the
 * newest ones); `[0, 0]` when even that is too big (the caller's fixed part alone is over budget).
 */
export function fitNewest(
  lists: readonly [readonly string[], readonly string[]],
  weight: (line: string) => number,
  sizeOf: (first: number, second: number) => number,
  budget: number,
): [number, number] {
  const [a, b] = lists;
  let t = a.length;
  let w = b.length;
  let wa = a.reduce((sum, l) => sum + weight(l), 0);
  let wb = b.reduce((sum, l) => sum + weight(l), 0);
  while (t + w > 0 && sizeOf(t, w) > budget) {
    if (w === 0 || (t > 0 && wa >= wb)) {
      wa -= weight(a[a.length - t] as string);
      t--;
    } else {
      wb -= weight(b[b.length - w] as string);
      w--;
    }
  }
  return [t, w];
}

/**
 * What an agent should see of a case: reason, priority, summary, emotion and evidence, redacted transcript excerpt,
 * collected data. The case holds what the customer wrote already redacted (the handoff service redacts once, when it
 * stores text): nothing is redacted again here.
 */
export function caseView(c: HandoffCase, options: CaseCardOptions): CaseView {
  const language = options.language ?? 'en';
  const l = LABELS[language];
  const lines = options.mode === 'announce' ? 6 : 30;
  const maxLine = options.mode === 'announce' ? 200 : 500;
  const emotions = [...c.trigger.emotions, ...(c.trigger.signals?.emotions ?? [])].filter((e) => e.score >= 0.3).sort((a, b) => b.score - a.score);
  const top = emotions[0];
  const words = (top?.evidence ?? []).flatMap((e) => e.matched).slice(0, 3);
  const reason = reasonLabel(c.reason, language);
  const priority = l.priorities[c.priority] ?? c.priority;
  const facts = [
    { title: l.customer, value: `${customerLabel(c.customer, language)} · ${channelLabel(c.customer.channel)} · ${c.language}` },
    { title: l.reason, value: reason },
    { title: l.priority, value: priority },
    ...(options.position && !options.status ? [{ title: l.queue, value: `#${options.position}` }] : []),
    { title: l.state, value: l.states[c.state] ?? c.state },
    ...(c.callback ? [{ title: l.callback, value: c.callback.preference }] : []),
  ];
  const emotion = top ? `${top.name} ${top.score.toFixed(1)}${words.length ? ` (“${words.join('”, “')}”)` : ''}` : '';
  // Stored evidence is redacted already: nothing is redacted again here.
  const why = cut(explainTrigger(c, language, { redact: (t: string) => t }), 400);
  const summary = cut(c.summary, 1500);
  return {
    title: l.title(c.id, reason, priority),
    labels: l,
    ...(options.status ? { status: options.status } : {}),
    facts,
    summary,
    details: detailsOf(summary, emotion, why, l),
    emotion,
    evidence: why,
    transcript: c.transcript.slice(-lines).map((t) => cut(`${t.role}: ${t.text}`, maxLine)),
    transcriptOmitted: Math.max(0, c.transcript.length - lines),
    // Purpose data (an order e-mail) is for the agent who takes the case, not for every agent the case is announced to.
    collected: Object.entries(c.collected).map(([k, v]) => ({
      title: k,
      value: options.mode === 'announce' && (c.purposeKeys ?? []).includes(k) ? PURPOSE_HIDDEN : cut(v, 120),
    })),
    waiting: c.queuedMessages.slice(-lines).map((q) => cut(q.text, maxLine)),
    waitingOmitted: Math.max(0, c.queuedMessages.length - lines),
  };
}

/** What {@link caseCard} aims to stay under, in bytes of JSON: Teams refuses cards above about 28 KB. */
const CARD_BUDGET = 24 * 1024;

/**
 * The Teams Adaptive Card (1.5) of a case: a new-case card with an Accept button, or the full card after accepting.
 *
 * @remarks The Accept button is an `Action.Submit` whose data is {@link AcceptActionData}. Transcript lines and
 * messages sent while waiting are redacted, customer text is made inert ({@link inertMarkdown}), and the newest lines
 * are kept: when earlier ones are left out (beyond 30 lines, or to keep the card under 24 KB of JSON, well below
 * Teams' ~28 KB), an "N earlier lines not shown" line says so.
 * @example await ctx.sendActivity({ attachments: [CardFactory.adaptiveCard(caseCard(c, { mode: 'announce' }))] });
 */
export function caseCard(c: HandoffCase, options: CaseCardOptions): AdaptiveCardJson {
  const v = caseView(c, options);
  const l = v.labels;
  const text = (t: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: inertMarkdown(t), wrap: true, ...extra });
  const facts = (list: ReadonlyArray<{ readonly title: string; readonly value: string }>) => list.map((f) => ({ title: f.title, value: inertMarkdown(f.value) }));
  const line = (t: string) => text(t, { size: 'Small', spacing: 'None' });
  // The newest `shown` lines, after a marker counting the ones left out (by the view's cap and by the size budget).
  const lines = (all: readonly string[], omittedByView: number, shown: number) => {
    const omitted = omittedByView + all.length - shown;
    return [...(omitted > 0 ? [text(l.earlierLines(omitted), { size: 'Small', spacing: 'None', isSubtle: true })] : []), ...all.slice(all.length - shown).map(line)];
  };
  // Each summary line its own fact (or its own text block): one paragraph is unreadable at a glance.
  const details: Record<string, unknown>[] = [];
  let run: Array<{ title: string; value: string }> = [];
  for (const d of v.details) {
    if (d.title) {
      run.push({ title: d.title, value: d.value });
      continue;
    }
    if (run.length) details.push({ type: 'FactSet', facts: facts(run) });
    run = [];
    details.push(text(d.value));
  }
  if (run.length) details.push({ type: 'FactSet', facts: facts(run) });
  const waiting = options.mode === 'full' ? v.waiting : [];
  const acceptable = options.mode === 'announce' && (v.status?.claimable ?? true);
  const build = (transcriptShown: number, waitingShown: number): AdaptiveCardJson => {
    const body: Record<string, unknown>[] = [
      text(options.mode === 'announce' ? l.newCase : l.accepted, { size: 'Small', isSubtle: true }),
      text(v.title, { weight: 'Bolder', size: 'Medium', color: c.priority === 'high' ? 'Attention' : 'Default' }),
      ...(v.status ? [text(v.status.text, { weight: 'Bolder', color: 'Default' })] : []),
      { type: 'FactSet', facts: facts(v.facts) },
      ...details,
    ];
    if (v.collected.length) body.push(text(l.collected, { weight: 'Bolder', spacing: 'Medium' }), { type: 'FactSet', facts: facts(v.collected) });
    if (v.transcript.length) {
      body.push(
        text(l.transcript, { weight: 'Bolder', spacing: 'Medium' }),
        { type: 'Container', style: 'emphasis', items: lines(v.transcript, v.transcriptOmitted, transcriptShown) },
      );
    }
    if (waiting.length) {
      body.push(
        text(l.waiting, { weight: 'Bolder', spacing: 'Medium' }),
        { type: 'Container', items: lines(waiting, v.waitingOmitted, waitingShown) },
      );
    }
    if (options.mode === 'full') body.push(text(l.closingHint, { isSubtle: true, size: 'Small' }));
    const data: AcceptActionData = { warmline: 'accept', caseId: c.id };
    return {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body,
      ...(acceptable ? { actions: [{ type: 'Action.Submit', title: l.accept, data }] } : {}),
    };
  };
  const bytes = (json: unknown): number => Buffer.byteLength(JSON.stringify(json));
  const [t, w] = fitNewest([v.transcript, waiting], (x) => bytes(line(x)), (a, b) => bytes(build(a, b)), CARD_BUDGET);
  return build(t, w);
}

/** The case as plain text, for channels without cards (Direct Line agents, fallbacks): one fact per line. */
export function caseText(c: HandoffCase, options: CaseCardOptions): string {
  const v = caseView(c, options);
  const l = v.labels;
  const factLines = (list: readonly CaseFact[]) => list.map((f) => (f.title ? `${f.title}: ${f.value}` : f.value)).join('\n');
  const parts = [v.status ? `${v.title}\n${v.status.text}` : v.title, factLines(v.facts), factLines(v.details)];
  if (v.collected.length) parts.push(`${l.collected}:\n${factLines(v.collected)}`);
  const marker = (omitted: number): string[] => (omitted > 0 ? [`(${l.earlierLines(omitted)})`] : []);
  if (v.transcript.length) parts.push([`${l.transcript}:`, ...marker(v.transcriptOmitted), ...v.transcript].join('\n'));
  if (options.mode === 'full' && v.waiting.length) parts.push([`${l.waiting}:`, ...marker(v.waitingOmitted), ...v.waiting].join('\n'));
  if (options.mode === 'full') parts.push(l.closingHint);
  else if (v.status?.claimable ?? true) parts.push(l.howToAccept(c.id));
  return parts.join('\n\n');
}
