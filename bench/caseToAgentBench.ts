// A customer's sensitive message -> the case on an online agent's surface, on Redis (loopback), through the
// production server: the Teams agent-desk card at the channel's connector, and the web console's event and queue.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { ConnectorCall } from '../tests/helpers/fakeConnector';
import { percentile } from './load';
import { runStandalone, type BenchOutput } from './benchParts';
import { TEAMS_AGENT, startHandoffServer, type HandoffBenchServer } from './handoffServer';

/** Messages that open a case at once (bereavement, fraud, vulnerability), English and French. */
export const SENSITIVE_MESSAGES: ReadonlyArray<{ text: string; locale: string }> = [
  { text: 'my father died last week and I need to close his account', locale: 'en-US' },
  { text: 'My mother passed away on Sunday, what happens to her parcels and her account?', locale: 'en-GB' },
  { text: "my husband has passed away and I don't know what to do with his subscription", locale: 'en-US' },
  { text: "I don't recognise this payment on my card, someone has used it", locale: 'en-GB' },
  { text: 'someone stole my identity and ordered parcels in my name', locale: 'en-US' },
  { text: "I lost my job and I can't pay my rent this month, please help", locale: 'en-US' },
  { text: "I've been diagnosed with cancer and I can't go to the post office to collect my parcel", locale: 'en-GB' },
  { text: "I can't cope anymore, everything is going wrong", locale: 'en-US' },
  { text: 'our son died in an accident and parcels keep arriving in his name', locale: 'en-US' },
  { text: "there are transactions on my account that I never made, I think I've been scammed", locale: 'en-GB' },
  { text: 'mon père est décédé la semaine dernière et je dois fermer son compte', locale: 'fr-FR' },
  { text: 'ma femme est décédée, que dois-je faire pour ses colis ?', locale: 'fr-FR' },
  { text: "je ne reconnais pas ce prélèvement, on a utilisé ma carte sans mon accord", locale: 'fr-FR' },
  { text: "j'ai perdu mon travail et je n'arrive plus à payer mon loyer", locale: 'fr-FR' },
];

/** Options of {@link benchCaseToAgent}. */
export interface CaseToAgentOptions {
  /** Cases timed (after `warmup` untimed ones). Default 200. */
  readonly cases?: number;
  /** Default 20. */
  readonly warmup?: number;
  /** A running server (the caller stops it); default: one started and stopped here. */
  readonly server?: HandoffBenchServer;
}

const CASE_ID = /"caseId":"(C-[0-9A-Z]+)"/;
const caseIdOfCard = (call: ConnectorCall): string | undefined => (call.activity.attachments?.length ? CASE_ID.exec(JSON.stringify(call.activity))?.[1] : undefined);

interface OneCase {
  /** POST answered (the customer's own reply was sent by then). */
  readonly postMs: number;
  /** The Adaptive Card with Accept at the Teams agent's connector. */
  readonly teamsMs: number;
  /** The console's `case` event (state queued). */
  readonly consoleEventMs: number;
  /** The queue the console loads on that event lists the case. */
  readonly consoleShownMs: number;
}

/** Times one case from the customer's POST to each surface, then has the console agent accept and close it. */
async function timeOneCase(s: HandoffBenchServer, n: number, run: string, seen: Set<string>): Promise<OneCase> {
  const { text, locale } = SENSITIVE_MESSAGES[n % SENSITIVE_MESSAGES.length]!;
  const conversationId = `bench-case-${run}-${n}`;
  s.connector.clear();
  const t0 = performance.now();
  const card = s.connector
    .waitFor((c) => {
      const id = c.method === 'POST' && c.conversationId === TEAMS_AGENT.conversationId ? caseIdOfCard(c) : undefined;
      return id !== undefined && !seen.has(id);
    }, 10_000)
    .then((c) => ({ ms: performance.now() - t0, caseId: caseIdOfCard(c) }));
  const onConsole = s.desk.events
    .waitFor((e) => e.event === 'case' && e.data.state === 'queued' && typeof e.data.caseId === 'string' && !seen.has(e.data.caseId), 10_000)
    .then(async (e) => {
      const eventMs = performance.now() - t0;
      const caseId = String(e.data.caseId);
      // What the page does on that event: reload the queue, which then lists the case.
      const res = await s.desk.get('/desk/api/queue');
      const body = (await res.json()) as { queue?: Array<{ id?: string }> };
      if (!body.queue?.some((c) => c.id === caseId)) throw new Error(`case bench: ${caseId} is not in the console's queue`);
      return { eventMs, shownMs: performance.now() - t0, caseId };
    });
  await s.customer(conversationId, text, locale);
  const postMs = performance.now() - t0;
  const [teams, desk] = await Promise.all([card, onConsole]);
  if (teams.caseId !== desk.caseId) throw new Error(`case bench: the Teams card shows ${teams.caseId}, the console ${desk.caseId}`);
  seen.add(desk.caseId);
  // Closed by the console agent, so the queue stays at one case whatever the number timed.
  const closed = s.desk.events.waitFor((e) => e.event === 'case' && e.data.caseId === desk.caseId && e.data.state === 'resolved', 10_000);
  for (const action of ['accept', 'close'] as const) {
    const res = await s.desk.post(`/desk/api/cases/${desk.caseId}/${action}`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`case bench: console ${action} answered ${res.status}`);
  }
  await closed;
  return { postMs, teamsMs: teams.ms, consoleEventMs: desk.eventMs, consoleShownMs: desk.shownMs };
}

/**
 * Customers write sensitive messages (varied, English and French), each in a new conversation, one after another,
 * while a Teams agent and a console agent are online.
 *
 * @returns rows per surface and a summary with `caseToTeamsP99Ms` and `caseToConsoleP99Ms` (budget: < 100 ms).
 */
export async function benchCaseToAgent(options: CaseToAgentOptions = {}): Promise<BenchOutput> {
  const cases = options.cases ?? 200;
  const warmup = options.warmup ?? 20;
  const s = options.server ?? (await startHandoffServer());
  const run = randomUUID().slice(0, 8);
  const seen = new Set<string>();
  const timed: OneCase[] = [];
  try {
    for (let n = 0; n < warmup + cases; n++) {
      const one = await timeOneCase(s, n, run, seen);
      if (n >= warmup) timed.push(one);
    }
  } finally {
    if (!options.server) await s.stop();
  }
  const sorted = (pick: (c: OneCase) => number) => timed.map(pick).sort((a, b) => a - b);
  const row = (surface: string, xs: number[]) => ({
    until: surface,
    cases: String(xs.length),
    'median ms': percentile(xs, 50).toFixed(2),
    'p99 ms': percentile(xs, 99).toFixed(2),
    'max ms': (xs[xs.length - 1] ?? NaN).toFixed(2),
  });
  const post = sorted((c) => c.postMs);
  const teams = sorted((c) => c.teamsMs);
  const event = sorted((c) => c.consoleEventMs);
  const shown = sorted((c) => c.consoleShownMs);
  return {
    title: `Sensitive message -> case on an online agent's surface, Redis on loopback (${SENSITIVE_MESSAGES.length} messages, EN/FR, a new conversation each; budget p99 < 100 ms)`,
    rows: [
      row("customer's POST answered", post),
      row('Teams agent-desk card at the connector', teams),
      row('console: case event', event),
      row('console: queue lists the case', shown),
    ],
    summary: {
      caseCount: timed.length,
      caseToTeamsMedianMs: Number(percentile(teams, 50).toFixed(2)),
      caseToTeamsP99Ms: Number(percentile(teams, 99).toFixed(2)),
      caseToConsoleMedianMs: Number(percentile(shown, 50).toFixed(2)),
      caseToConsoleP99Ms: Number(percentile(shown, 99).toFixed(2)),
    },
  };
}

if (require.main === module) runStandalone(() => benchCaseToAgent({ cases: Number(process.argv[2] ?? 200) || 200 }));
