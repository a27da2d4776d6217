// Escalation and waiting-message latency with 100, 1,000 and 10,000 customers waiting, on the memory store and on
// Redis, through the real HTTP endpoint; and the process's memory with 10,000 waiting.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config';
import { createApp, type WarmlineApp } from '../bots/app/createApp';
import { FakeConnector } from '../tests/helpers/fakeConnector';
import { directLineMessage } from '../tests/helpers/channelActivities';
import type { OpenCaseInput } from '../middleware/handoff/handoffService';
import { deleteRedisPrefix, redisAnswers, runStandalone, type BenchOutput } from './benchParts';

/** Options of {@link benchQueue}. */
export interface QueueBenchOptions {
  /** Queue sizes measured. Default 100, 1,000, 10,000. */
  readonly sizes?: readonly number[];
  /** Escalations and waiting messages timed at each size. Default 100. */
  readonly samples?: number;
  /** Redis URL; the Redis rows are skipped when it does not answer. Default `redis://127.0.0.1:6379`. */
  readonly redisUrl?: string;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const AGENT = { id: 'bench-console-agent', name: 'Bench Agent', channel: 'console' };

/** What one customer who asked for a person left on the case (a realistic size: a short transcript and signals). */
function waitingInput(n: number, serviceUrl: string): OpenCaseInput {
  const at = new Date().toISOString();
  const key = `directline/bench-fill-${n}`;
  return {
    conversation: { key, channel: 'directline', reference: { conversation: { id: `bench-fill-${n}` }, serviceUrl, channelId: 'directline' } },
    customer: { id: `fill-user-${n}`, name: 'Bench Customer', channel: 'directline' },
    reason: 'human_request',
    priority: 'normal',
    explanation: 'the customer asked for a person',
    intents: [{ name: 'human_request', confidence: 1, evidence: [{ rule: 'human_request.en', matched: ['speak to a human'] }] }],
    emotions: [],
    language: 'en',
    transcript: [
      { role: 'customer', text: 'where is my parcel?', at },
      { role: 'bot', text: 'Could you give me the tracking number? It is on your order confirmation.', at },
      { role: 'customer', text: 'I want to speak to a human please', at },
    ],
    collected: { trackingNumber: '1Z4E29W70374856127', carrier: 'ups' },
  };
}

async function fill(app: WarmlineApp, from: number, to: number, serviceUrl: string): Promise<void> {
  for (let n = from; n < to; n += 100) {
    await Promise.all(Array.from({ length: Math.min(100, to - n) }, (_, i) => app.handoff.customers.openCase(waitingInput(n + i, serviceUrl))));
  }
}

async function measure(label: string, env: Record<string, string>, sizes: readonly number[], samples: number) {
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  const app = createApp({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'off', LOG_LEVEL: 'silent', ...env }), warmRecognizers: false });
  const { url } = await app.start();
  const post = async (body: unknown): Promise<number> => {
    const payload = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`queue bench: HTTP ${res.status}`);
        return performance.now() - t0;
      } catch (err) {
        // A kept-alive connection the server closed while the queue was being filled: send the same activity again
        // (the server is idempotent on its id). Not timed.
        if (attempt > 0 || !(err instanceof TypeError)) throw err;
      }
    }
  };
  const rows: Array<Record<string, string>> = [];
  const medians: Record<number, { escalate: number; waiting: number }> = {};
  let rssAtLargest = NaN;
  try {
    // An agent is online (a console agent: no card is posted per case), so cases wait in the queue.
    await app.handoff.presence.set(AGENT, 'online', undefined, 3_600_000);
    // Warm-up: the first requests of a process pay for JIT compilation and connection set-up.
    for (let i = 0; i < 50; i++) {
      const conversationId = `bench-q-warm-${i}`;
      await post(directLineMessage('I want to speak to a human', { serviceUrl, conversationId, userId: `u-${conversationId}` }));
      await post(directLineMessage('cancel', { serviceUrl, conversationId, userId: `u-${conversationId}` }));
    }
    connector.clear();
    let filled = 0;
    for (const size of sizes) {
      await fill(app, filled, size, serviceUrl);
      connector.clear();
      filled = size;
      const escalate: number[] = [];
      const waiting: number[] = [];
      const run = randomUUID().slice(0, 6);
      for (let i = 0; i < samples; i++) {
        const conversationId = `bench-q-${size}-${run}-${i}`;
        escalate.push(await post(directLineMessage('I want to speak to a human', { serviceUrl, conversationId, userId: `u-${conversationId}` })));
        waiting.push(await post(directLineMessage('any news? I am still waiting', { serviceUrl, conversationId, userId: `u-${conversationId}` })));
        connector.clear();
      }
      // The customers measured joined the queue too.
      filled += samples;
      escalate.sort((a, b) => a - b);
      waiting.sort((a, b) => a - b);
      medians[size] = { escalate: quantile(escalate, 0.5), waiting: quantile(waiting, 0.5) };
      rows.push({
        store: label,
        waiting: size.toLocaleString('en-US'),
        'escalation median ms': quantile(escalate, 0.5).toFixed(2),
        'escalation p99 ms': quantile(escalate, 0.99).toFixed(2),
        'waiting message median ms': quantile(waiting, 0.5).toFixed(2),
        'waiting message p99 ms': quantile(waiting, 0.99).toFixed(2),
      });
    }
    global.gc?.();
    rssAtLargest = process.memoryUsage().rss / 1048576;
  } finally {
    await app.handoff.idle();
    await app.stop();
    await connector.stop();
  }
  return { rows, medians, rssAtLargest };
}

/**
 * Times escalations and messages written while waiting at each queue size, on both stores.
 *
 * @returns table rows and a summary: per store the ratio of the largest size's median to the smallest's (budget: the
 * 10,000th within 2x of the 100th), and the RSS of this process with the largest queue on the memory store (budget:
 * < 400 MB at 10,000 waiting).
 */
export async function benchQueue(options: QueueBenchOptions = {}): Promise<BenchOutput> {
  const sizes = options.sizes ?? [100, 1000, 10_000];
  const samples = options.samples ?? 100;
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const rows: Array<Record<string, string>> = [];
  const summary: Record<string, number> = {};
  const first = sizes[0] as number;
  const last = sizes[sizes.length - 1] as number;

  const memory = await measure('memory', {}, sizes, samples);
  rows.push(...memory.rows);
  summary.queueMemoryEscalationRatio = Number((memory.medians[last]!.escalate / memory.medians[first]!.escalate).toFixed(2));
  summary.queueMemoryWaitingRatio = Number((memory.medians[last]!.waiting / memory.medians[first]!.waiting).toFixed(2));
  summary.queueMemoryRssMb = Math.round(memory.rssAtLargest);

  if (await redisAnswers(redisUrl)) {
    const prefix = `warmline-bench-queue:${process.pid}:${randomUUID().slice(0, 8)}:`;
    try {
      const redis = await measure('redis', { STORAGE: 'redis', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }, sizes, samples);
      rows.push(...redis.rows);
      summary.queueRedisEscalationRatio = Number((redis.medians[last]!.escalate / redis.medians[first]!.escalate).toFixed(2));
      summary.queueRedisWaitingRatio = Number((redis.medians[last]!.waiting / redis.medians[first]!.waiting).toFixed(2));
    } finally {
      await deleteRedisPrefix(redisUrl, prefix);
    }
  }
  return {
    title:
      `Queue at ${sizes.map((s) => s.toLocaleString('en-US')).join(' / ')} waiting: a new escalation and a message written while waiting, ` +
      `over HTTP (${samples} each; budget: the ${last.toLocaleString('en-US')}th within 2x of the ${first.toLocaleString('en-US')}th; ` +
      `RSS with ${last.toLocaleString('en-US')} waiting < 400 MB: ${Math.round(memory.rssAtLargest)} MB on the memory store)`,
    rows,
    summary,
  };
}

if (require.main === module) runStandalone(() => benchQueue());
