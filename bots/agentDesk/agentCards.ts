import { PURPOSE_HIDDEN, reasonLabel } from '../../middleware/handoff/caseSummary';
import type { HandoffCase } from '../../middleware/handoff/handoffCase';

/** Adaptive Card JSON (a plain object, version 1.5 at most so Teams renders it). */
export type AdaptiveCardJson = { readonly type: 'AdaptiveCard'; readonly version: string } & Record<string, unknown>;

/** Options of {@link caseCard}. */
export interface CaseCardOptions {
  /** `announce`: a new case with an Accept button; `full`: the case as the agent who accepted it sees it. */
  readonly mode: 'announce' | 'full';
  /** Queue position to show (announce). */
  readonly position?: number;
}

/** The `data` of the Accept button (`Action.Submit`): arrives in Teams as the `value` of a message. */
export interface AcceptActionData {
  readonly warmline: 'accept';
  readonly caseId: string;
}

export { reasonLabel };

const CHANNELS: Record<string, string> = { msteams: 'Teams', slack: 'Slack', webchat: 'Web chat', directline: 'Web chat', emulator: 'Emulator' };

/** Human label of a reason. */
/** Human label of a channel id. */
export const channelLabel = (channel: string): string => CHANNELS[channel] ?? channel;

/**
 * Keeps customer-written text from acting as Adaptive Card markdown: a customer could otherwise put links
 * ("[Verify here](https://…)") or fake list lines in front of an agent. A zero-width space breaks the syntax and
 * leaves the text as the customer wrote it.
 */
export const inertMarkdown = (t: string): string => t.replace(/\]\(/g, ']\u200B(').replace(/^([ \t]*)([-*+]|\d+\.)(\s)/gm, '$1\u200B$2$3');

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The lines an agent reads about a case, shared by every rendering (card, Block Kit, text). */
export interface CaseView {
  readonly title: string;
  readonly facts: ReadonlyArray<{ readonly title: string; readonly value: string }>;
  readonly summary: string;
  /** Strongest emotion with its evidence, or empty. */
  readonly emotion: string;
  /** Why the bot escalated: the policy's explanation and evidence words. */
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
export const earlierLinesNotShown = (count: number): string => `${count} earlier line${count === 1 ? '' : 's'} not shown`;

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
  const lines = options.mode === 'announce' ? 6 : 30;
  const maxLine = options.mode === 'announce' ? 200 : 500;
  const emotions = [...c.trigger.emotions, ...(c.trigger.signals?.emotions ?? [])].filter((e) => e.score >= 0.3).sort((a, b) => b.score - a.score);
  const top = emotions[0];
  const words = (top?.evidence ?? []).flatMap((e) => e.matched).slice(0, 3);
  const intentWords = c.trigger.intents.flatMap((i) => i.evidence.flatMap((e) => e.matched)).slice(0, 4);
  const facts = [
    { title: 'Reason', value: reasonLabel(c.reason) },
    { title: 'Priority', value: c.priority },
    { title: 'Customer', value: `${c.customer.name?.trim() || 'Unknown'} · ${channelLabel(c.customer.channel)} · ${c.language}` },
    ...(options.position ? [{ title: 'Queue', value: `#${options.position}` }] : []),
    { title: 'State', value: c.state.replace('_', ' ') },
    ...(c.callback ? [{ title: 'Callback', value: c.callback.preference }] : []),
  ];
  return {
    title: `${c.id} · ${reasonLabel(c.reason)} · ${c.priority} priority`,
    facts,
    summary: cut(c.summary, 1500),
    emotion: top ? `${top.name} ${top.score.toFixed(1)}${words.length ? ` (“${words.join('”, “')}”)` : ''}` : '',
    evidence: cut(
      `${c.trigger.explanation}${intentWords.length ? ` — “${intentWords.join('”, “')}”` : ''}`,
      400,
    ),
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
  const text = (t: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: inertMarkdown(t), wrap: true, ...extra });
  const facts = (list: CaseView['facts']) => list.map((f) => ({ title: f.title, value: inertMarkdown(f.value) }));
  const line = (l: string) => text(l, { size: 'Small', spacing: 'None' });
  // The newest `shown` lines, after a marker counting the ones left out (by the view's cap and by the size budget).
  const lines = (all: readonly string[], omittedByView: number, shown: number) => {
    const omitted = omittedByView + all.length - shown;
    return [...(omitted > 0 ? [text(earlierLinesNotShown(omitted), { size: 'Small', spacing: 'None', isSubtle: true })] : []), ...all.slice(all.length - shown).map(line)];
  };
  const waiting = options.mode === 'full' ? v.waiting : [];
  const build = (transcriptShown: number, waitingShown: number): AdaptiveCardJson => {
    const body: Record<string, unknown>[] = [
      text(options.mode === 'announce' ? 'New case' : 'Case accepted: you are now talking with the customer', {
        size: 'Small',
        isSubtle: true,
      }),
      text(v.title, { weight: 'Bolder', size: 'Medium', color: c.priority === 'high' ? 'Attention' : 'Default' }),
      { type: 'FactSet', facts: facts(v.facts) },
      text(v.summary),
    ];
    if (v.emotion) body.push(text(`Emotion: ${v.emotion}`, { isSubtle: true }));
    body.push(text(`Why: ${v.evidence}`, { isSubtle: true, size: 'Small' }));
    if (v.collected.length) body.push(text('Collected', { weight: 'Bolder', spacing: 'Medium' }), { type: 'FactSet', facts: facts(v.collected) });
    if (v.transcript.length) {
      body.push(
        text('Transcript (redacted)', { weight: 'Bolder', spacing: 'Medium' }),
        { type: 'Container', style: 'emphasis', items: lines(v.transcript, v.transcriptOmitted, transcriptShown) },
      );
    }
    if (waiting.length) {
      body.push(
        text('Sent while waiting', { weight: 'Bolder', spacing: 'Medium' }),
        { type: 'Container', items: lines(waiting, v.waitingOmitted, waitingShown) },
      );
    }
    if (options.mode === 'full') body.push(text('Everything you write here goes to the customer. Type "close" when done, or "close: [note]" to leave an internal note for the team (the customer never sees it).', { isSubtle: true, size: 'Small' }));
    const data: AcceptActionData = { warmline: 'accept', caseId: c.id };
    return {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body,
      ...(options.mode === 'announce' ? { actions: [{ type: 'Action.Submit', title: 'Accept', data }] } : {}),
    };
  };
  const bytes = (json: unknown): number => Buffer.byteLength(JSON.stringify(json));
  const [t, w] = fitNewest([v.transcript, waiting], (l) => bytes(line(l)), (a, b) => bytes(build(a, b)), CARD_BUDGET);
  return build(t, w);
}

/** The case as plain text, for channels without cards (Direct Line agents, fallbacks). */
export function caseText(c: HandoffCase, options: CaseCardOptions): string {
  const v = caseView(c, options);
  const parts = [v.title, v.facts.map((f) => `${f.title}: ${f.value}`).join(' | '), v.summary];
  if (v.emotion) parts.push(`Emotion: ${v.emotion}`);
  parts.push(`Why: ${v.evidence}`);
  if (v.collected.length) parts.push(`Collected: ${v.collected.map((f) => `${f.title} ${f.value}`).join(', ')}`);
  const marker = (omitted: number): string[] => (omitted > 0 ? [`(${earlierLinesNotShown(omitted)})`] : []);
  if (v.transcript.length) parts.push(['Transcript (redacted):', ...marker(v.transcriptOmitted), ...v.transcript].join('\n'));
  if (options.mode === 'full' && v.waiting.length) parts.push(['Sent while waiting:', ...marker(v.waitingOmitted), ...v.waiting].join('\n'));
  parts.push(options.mode === 'announce' ? `Type "accept ${c.id}" to take it.` : 'Everything you write here goes to the customer. Type "close" when done, or "close: [note]" to leave an internal note for the team (the customer never sees it).');
  return parts.join('\n\n');
}
