/**
 * Proactive-care bench: a burst of carrier events for watched parcels, from `ProactiveCare.accept` (as the carrier
 * webhook route calls it) to the channel taking the message sent first. 10,000 parcels are watched (one conversation
 * each, Teams, Slack and Web Chat mixed, English and French, several time zones); 1,000 of them get a `delayed` event
 * at once (1,000 `accept` calls in flight together, as 1,000 webhook requests would make). Quiet hours are off, the
 * daily cap is 3, the channel rate-limit hook is off (this measures Warmline, not the channels' limits), and the
 * channel is a fake that takes each message after a simulated latency. Run on the memory watch store and on the Redis
 * one. Called by `npm run bench` (bench/run.ts); also runs alone: `npx tsx bench/proactiveBench.ts`.
 *
 * Budget (design "Budgets"; the issue: 10,000 watched parcels, every customer informed once): p99 event -> message
 * < 1 s outside quiet hours, and exactly one message per event (no duplicate, no miss), on each store.
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ConversationPointer } from '../middleware/handoff/handoffCase';
import type { Messenger, OutgoingMessage } from '../middleware/handoff/messenger';
import type { CarrierEvent } from '../middleware/proactive/carrierEvent';
import type { ParcelWatch, WatchStore } from '../middleware/proactive/parcelWatch';
import { ProactiveCare, type ProactiveOutcome } from '../middleware/proactive/proactiveCare';
import { MemoryProactiveQueue } from '../middleware/proactive/proactiveQueue';
import { MemoryWatchStore } from '../middleware/proactive/stores/memoryWatchStore';
import { RedisWatchStore } from '../middleware/proactive/stores/redisWatchStore';
import { silentLogger } from '../middleware/shared/logger';
import { deleteRedisPrefix, redisAnswers, runStandalone, type BenchOutput } from './benchParts';

/** Options of {@link benchProactive}. */
export interface ProactiveBenchOptions {
  /** Parcels watched (one conversation each). Default 10,000. */
  readonly watches?: number;
  /** Carrier events fired at once, each for a different watched parcel. Default 1,000. */
  readonly events?: number;
  /** Events sent (to other parcels) before the burst, to warm the code paths up; not measured. Default 100. */
  readonly warmup?: number;
  /** Simulated channel latency: the fake channel takes a message this long after `send`. Default 5 ms. */
  readonly channelLatencyMs?: number;
  /** Redis URL; the Redis run is skipped when it does not answer. Default `redis://127.0.0.1:6379`. */
  readonly redisUrl?: string;
}

/** Budget: p99 from `accept` to the channel taking the message, ms (strict). */
const P99_BUDGET_MS = 1000;
/** Longest wait for the burst's messages before counting the missing ones as misses. */
const DRAIN_TIMEOUT_MS = 30_000;
/** Wait after the last expected message, so that a late duplicate is still counted. */
const SETTLE_MS = 250;

const CHANNELS = ['msteams', 'slack', 'webchat'] as const;
const LANGUAGES = ['en', 'fr'] as const;
const TIME_ZONES = ['Europe/Paris', 'America/Montreal', 'Europe/London', 'Asia/Tokyo'] as const;

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const rssMb = (): number => {
  global.gc?.();
  return process.memoryUsage().rss / 1048576;
};

/** A channel that takes each message after `latencyMs` and records, per conversation, how many it took and when. */
class FakeChannel implements Messenger {
  /** Conversation key -> messages taken and when the first was taken (performance.now()). */
  readonly taken = new Map<string, { count: number; firstAt: number }>();
  messages = 0;
  constructor(private readonly latencyMs: number) {}

  async send(to: ConversationPointer, messages: readonly OutgoingMessage[]): Promise<void> {
    await sleep(this.latencyMs);
    const at = performance.now();
    const seen = this.taken.get(to.key);
    if (seen) seen.count += messages.length;
    else this.taken.set(to.key, { count: messages.length, firstAt: at });
    this.messages += messages.length;
  }

  clear(): void {
    this.taken.clear();
    this.messages = 0;
  }
}

/** The watched parcels of one run: parcel `n` is watched by conversation `n`. */
function watchOf(run: string, n: number, now: number): ParcelWatch {
  const channel = CHANNELS[n % CHANNELS.length] as string;
  const trackingNumber = `1ZBENCH${run.toUpperCase()}${String(n).padStart(6, '0')}`;
  const id = `bench-${run}-${n}`;
  const conversation: ConversationPointer = {
    key: `${channel}/${id}`,
    channel,
    reference: { conversation: { id }, user: { id: `user-${id}` }, channelId: channel, serviceUrl: 'https://bench.invalid/' },
  };
  return {
    id: `${conversation.key}|${trackingNumber}`,
    trackingNumber,
    carrier: 'ups',
    conversation,
    language: LANGUAGES[n % LANGUAGES.length] as string,
    timeZone: TIME_ZONES[n % TIME_ZONES.length] as string,
    wants: n % 2 ? 'delivery' : 'changes',
    upset: false,
    createdAt: new Date(now).toISOString(),
    expiresAt: now + 30 * 86_400_000,
  };
}

/** A delay for parcel `watch` (told to every watcher, whatever they asked for). */
const delayFor = (run: string, watch: ParcelWatch, i: number, expected: string): CarrierEvent => ({
  id: `demo:bench-${run}-${i}`,
  source: 'demo',
  trackingNumber: watch.trackingNumber,
  carrier: 'ups',
  status: 'delayed',
  expectedDelivery: expected,
  occurredAt: new Date().toISOString(),
  place: 'Lyon, FR',
});

/** What one run measured. */
interface RunResult {
  readonly latencies: number[];
  readonly ackP99Ms: number;
  readonly throughput: number;
  readonly sent: number;
  readonly duplicates: number;
  readonly misses: number;
  readonly unexpected: number;
  readonly outcomes: Partial<Record<ProactiveOutcome, number>>;
  readonly fillMs: number;
  readonly rssWatchesMb: number;
  readonly rssBurstMb: number;
}

async function measure(watches: WatchStore, o: Required<Omit<ProactiveBenchOptions, 'redisUrl'>>): Promise<RunResult> {
  const rss0 = rssMb();
  const run = randomUUID().slice(0, 6);
  const channel = new FakeChannel(o.channelLatencyMs);
  const queue = new MemoryProactiveQueue();
  const outcomes: Partial<Record<ProactiveOutcome, number>> = {};
  const care = new ProactiveCare({
    watches,
    queue,
    messenger: channel,
    settings: { quietHours: undefined, dailyCap: 3, defaultTimeZone: 'Europe/Paris' },
    logger: silentLogger,
    onOutcome: (outcome) => (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1),
  });
  care.start();
  try {
    const now = Date.now();
    const all = Array.from({ length: o.watches }, (_, n) => watchOf(run, n, now));
    const fillStart = performance.now();
    for (let n = 0; n < all.length; n += 500) await Promise.all(all.slice(n, n + 500).map((w) => watches.watch(w)));
    const fillMs = performance.now() - fillStart;
    const rssWatches = rssMb();

    // The burst's parcels spread over the whole set (every `stride`-th); warm-up parcels sit between them.
    const stride = Math.max(1, Math.floor(o.watches / o.events));
    const burst = Array.from({ length: o.events }, (_, i) => all[i * stride] as ParcelWatch);
    const warm = Array.from({ length: Math.min(o.warmup, o.watches - o.events) }, (_, i) => all[(i * stride + Math.ceil(stride / 2)) % o.watches] as ParcelWatch);
    const expected = new Date(now + 3 * 86_400_000).toISOString().slice(0, 10);

    const drain = async (want: ReadonlySet<string>, deadline: number) => {
      let got = 0;
      while (performance.now() < deadline) {
        got = 0;
        for (const key of want) if (channel.taken.has(key)) got++;
        if (got === want.size) break;
        await sleep(5);
      }
      return got;
    };

    if (warm.length) {
      await Promise.all(warm.map((w, i) => care.accept(delayFor(run, w, o.events + i, expected))));
      await drain(new Set(warm.map((w) => w.conversation.key)), performance.now() + DRAIN_TIMEOUT_MS);
      await sleep(SETTLE_MS);
      channel.clear();
      for (const k of Object.keys(outcomes)) delete outcomes[k as ProactiveOutcome];
    }

    const events = burst.map((w, i) => delayFor(run, w, i, expected));
    const startedAt = new Float64Array(events.length);
    const ackedAt = new Float64Array(events.length);
    const burstStart = performance.now();
    const accepted = events.map((e, i) => {
      startedAt[i] = performance.now();
      return care.accept(e).then(() => {
        ackedAt[i] = performance.now();
      });
    });
    await Promise.all(accepted);
    const wanted = new Set(burst.map((w) => w.conversation.key));
    await drain(wanted, burstStart + DRAIN_TIMEOUT_MS);
    await sleep(SETTLE_MS);
    await queue.stop();

    const latencies: number[] = [];
    const acks: number[] = [];
    let duplicates = 0;
    let misses = 0;
    let lastAt = burstStart;
    burst.forEach((w, i) => {
      acks.push((ackedAt[i] as number) - (startedAt[i] as number));
      const taken = channel.taken.get(w.conversation.key);
      if (!taken) {
        misses++;
        return;
      }
      duplicates += taken.count - 1;
      latencies.push(taken.firstAt - (startedAt[i] as number));
      lastAt = Math.max(lastAt, taken.firstAt);
    });
    let unexpected = 0;
    for (const [key, taken] of channel.taken) if (!wanted.has(key)) unexpected += taken.count;
    latencies.sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    const sent = channel.messages;
    return {
      latencies,
      ackP99Ms: quantile(acks, 0.99),
      throughput: sent / ((lastAt - burstStart) / 1000),
      sent,
      duplicates,
      misses,
      unexpected,
      outcomes,
      fillMs,
      rssWatchesMb: rssWatches - rss0,
      rssBurstMb: rssMb() - rssWatches,
    };
  } finally {
    await queue.stop();
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function rowOf(store: string, o: Required<Omit<ProactiveBenchOptions, 'redisUrl'>>, r: RunResult): Record<string, string> {
  const p99 = quantile(r.latencies, 0.99);
  const wrong = r.duplicates + r.misses + r.unexpected;
  const others = Object.entries(r.outcomes)
    .filter(([k]) => k !== 'sent')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return {
    store,
    'watches / events': `${o.watches.toLocaleString('en-US')} / ${o.events.toLocaleString('en-US')}`,
    'p50 ms': fmt(quantile(r.latencies, 0.5)),
    'p95 ms': fmt(quantile(r.latencies, 0.95)),
    'p99 ms': fmt(p99),
    'max ms': fmt(r.latencies[r.latencies.length - 1] ?? NaN),
    'accept p99 ms': fmt(r.ackP99Ms),
    'msgs/s': fmt(r.throughput, 0),
    sent: String(r.sent),
    'dup / missed': `${r.duplicates} / ${r.misses}${r.unexpected ? ` (+${r.unexpected} unexpected)` : ''}${others ? ` [${others}]` : ''}`,
    'fill s': fmt(r.fillMs / 1000, 2),
    'RSS +watches / +burst MB': `${fmt(r.rssWatchesMb)} / ${fmt(r.rssBurstMb)}`,
    budget: p99 < P99_BUDGET_MS && wrong === 0 && r.sent === o.events ? 'ok' : 'OVER BUDGET',
  };
}

function summaryOf(name: 'Memory' | 'Redis', r: RunResult): Record<string, number> {
  const round = (n: number, d = 2) => Number(n.toFixed(d));
  return {
    [`proactive${name}P50Ms`]: round(quantile(r.latencies, 0.5)),
    [`proactive${name}P95Ms`]: round(quantile(r.latencies, 0.95)),
    [`proactive${name}P99Ms`]: round(quantile(r.latencies, 0.99)),
    [`proactive${name}MaxMs`]: round(r.latencies[r.latencies.length - 1] ?? NaN),
    [`proactive${name}MsgsPerS`]: Math.round(r.throughput),
    [`proactive${name}Sent`]: r.sent,
    // Anything but exactly one message per event: duplicates, misses, messages to conversations with no event.
    [`proactive${name}Wrong`]: r.duplicates + r.misses + r.unexpected,
    [`proactive${name}RssGrowthMb`]: round(r.rssWatchesMb + r.rssBurstMb, 1),
  };
}

/**
 * Runs the burst on the memory watch store, then on Redis (skipped, with a row saying so, when Redis does not answer).
 *
 * @returns a row per store and a summary per store (`proactiveMemory*`, `proactiveRedis*`): p50/p95/p99/max of event
 * -> message, messages per second, messages sent, `…Wrong` (duplicates + misses + unexpected; budget 0) and RSS growth.
 */
export async function benchProactive(options: ProactiveBenchOptions = {}): Promise<BenchOutput> {
  const o = {
    watches: options.watches ?? 10_000,
    events: options.events ?? 1000,
    warmup: options.warmup ?? 100,
    channelLatencyMs: options.channelLatencyMs ?? 5,
  };
  if (o.events > o.watches) throw new RangeError('proactive bench: more events than watched parcels');
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const rows: Array<Record<string, string>> = [];
  const summary: Record<string, number> = {};

  const memory = await measure(new MemoryWatchStore(), o);
  rows.push(rowOf('memory', o, memory));
  Object.assign(summary, summaryOf('Memory', memory));

  if (await redisAnswers(redisUrl)) {
    const prefix = `warmline-bench-proactive:${process.pid}:${randomUUID().slice(0, 8)}:`;
    const redis = new Redis(redisUrl);
    try {
      const result = await measure(new RedisWatchStore({ redis, prefix }), o);
      rows.push(rowOf('redis', o, result));
      Object.assign(summary, summaryOf('Redis', result));
    } finally {
      await redis.quit();
      await deleteRedisPrefix(redisUrl, prefix);
    }
  } else {
    rows.push({ store: 'redis', budget: `skipped: Redis does not answer at ${redisUrl}` });
  }
  return {
    title:
      `Proactive care: ${o.events.toLocaleString('en-US')} carrier events at once over ${o.watches.toLocaleString('en-US')} watched parcels, ` +
      `accept -> the channel taking the message (fake channel, ${o.channelLatencyMs} ms latency included; quiet hours off, daily cap 3, ` +
      `no channel rate limits; after ${o.warmup} warm-up events). Budget: p99 < ${P99_BUDGET_MS} ms and exactly one message per event, each store`,
    rows,
    summary,
  };
}

if (require.main === module) runStandalone(() => benchProactive());
