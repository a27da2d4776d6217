// Customer -> agent (and agent -> customer) relay latency through the real HTTP endpoint, with Redis on loopback.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config';
import { createApp } from '../bots/app/createApp';
import { FakeConnector } from '../tests/helpers/fakeConnector';
import { directLineMessage, teamsMessage } from '../tests/helpers/channelActivities';
import { deleteRedisPrefix, redisAnswers, runStandalone } from './benchParts';

/** One row of the bench table. */
export type RelayBenchRow = Record<string, string>;

/** Options of {@link benchRelay}. */
export interface RelayBenchOptions {
  /** Messages timed each way (after 50 warm-up messages). Default 500. */
  readonly messages?: number;
  /** Redis URL. Default `redis://127.0.0.1:6379`. */
  readonly redisUrl?: string;
}

const AGENT = { userId: '29:bench-agent', userName: 'Bench Agent', conversationId: 'a:bench-agent-watch' };

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * Measures relay latency: from the customer's POST to /api/messages until the fake connector holds the message in the
 * agent's conversation (and back), on a case assigned to an agent, with Redis state and handoff store on loopback.
 *
 * @returns table rows (median, p99 per direction) and a summary with `relayP99Ms` (budget: < 50 ms).
 */
export async function benchRelay(options: RelayBenchOptions = {}): Promise<{ title: string; rows: RelayBenchRow[]; summary: Record<string, number> }> {
  const messages = options.messages ?? 500;
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const prefix = `warmline-bench:${process.pid}:${randomUUID().slice(0, 8)}:`;
  if (!(await redisAnswers(redisUrl))) return { title: `Handoff relay: skipped, Redis does not answer at ${redisUrl}`, rows: [], summary: {} };
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  const app = createApp({
    config: loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      WEBCHAT: 'off',
      LOG_LEVEL: 'silent',
      STORAGE: 'redis',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      WARMLINE_AGENTS: `msteams:${AGENT.userId}`,
    }),
    warmRecognizers: false,
  });
  const { url } = await app.start();
  const post = async (body: unknown) => {
    const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`relay bench: HTTP ${res.status}`);
  };
  const customerConv = `bench-relay-${randomUUID().slice(0, 8)}`;
  const customer = (text: string) => post(directLineMessage(text, { serviceUrl, conversationId: customerConv, userId: 'bench-customer' }));
  const agent = (text: string) => post(teamsMessage(text, { serviceUrl, ...AGENT }));

  const timeOne = async (send: () => Promise<void>, conversationId: string, text: string): Promise<number> => {
    const t0 = performance.now();
    const arrived = connector.waitFor((c) => c.conversationId === conversationId && (c.activity.text ?? '').endsWith(text), 10_000);
    await send();
    await arrived;
    return performance.now() - t0;
  };

  const toAgent: number[] = [];
  const toCustomer: number[] = [];
  try {
    await agent('online');
    await customer('I want to speak to a human');
    const c = await app.handoff.store.findOpenByConversation(`directline/${customerConv}`);
    if (!c) throw new Error('relay bench: no case was opened');
    await agent(`accept ${c.id}`);
    for (let i = 0; i < 50 + messages; i++) {
      const a = await timeOne(() => customer(`message ${i} from the customer`), AGENT.conversationId, `message ${i} from the customer`);
      const b = await timeOne(() => agent(`reply ${i} from the agent`), customerConv, `reply ${i} from the agent`);
      if (i >= 50) {
        toAgent.push(a);
        toCustomer.push(b);
      }
      connector.clear();
    }
  } finally {
    await app.handoff.idle();
    await app.stop();
    await connector.stop();
    await deleteRedisPrefix(redisUrl, prefix);
  }
  toAgent.sort((x, y) => x - y);
  toCustomer.sort((x, y) => x - y);
  const row = (name: string, xs: number[]): RelayBenchRow => ({
    direction: name,
    messages: String(xs.length),
    'median ms': quantile(xs, 0.5).toFixed(2),
    'p99 ms': quantile(xs, 0.99).toFixed(2),
    'max ms': (xs[xs.length - 1] ?? NaN).toFixed(2),
  });
  return {
    title: 'Handoff relay over HTTP with Redis on loopback (POST /api/messages -> activity at the other side\'s connector; budget p99 < 50 ms)',
    rows: [row('customer -> agent', toAgent), row('agent -> customer', toCustomer)],
    summary: {
      relayMedianMs: Number(quantile(toAgent, 0.5).toFixed(2)),
      relayP99Ms: Number(quantile(toAgent, 0.99).toFixed(2)),
      relayBackP99Ms: Number(quantile(toCustomer, 0.99).toFixed(2)),
    },
  };
}

if (require.main === module) runStandalone(() => benchRelay({ messages: Number(process.argv[2] ?? 500) || 500 }));
