// Server CPU per turn: Warmline's tracking flow against the stock botbuilder echo bot (and, for information, the echo
// bot with Warmline's middleware, as examples/minimal-bot adds it), each server in its own process, rounds interleaved,
// CPU read from /proc.
import * as path from 'node:path';
import { FakeConnector } from '../tests/helpers/fakeConnector';
import { directLineMessage } from '../tests/helpers/channelActivities';
import { DEMO_PARCELS } from '../dialogs/tracking/demoTrackingProvider';
import { cpuSeconds, echoReadyPort, percentile, rssMb, runLoad, startServer, stopServer, warmlineListeningPort, type ServerSpec, type StartedServer } from './load';

const ROOT = path.resolve(__dirname, '..');

/** The servers measured. */
export type CpuServerName = 'echo' | 'echoWithWarmline' | 'warmline';
/** How replies travel: to the channel's connector (the normal path), or in the HTTP response. */
export type DeliveryMode = 'connector' | 'expectReplies';

/** One server in one delivery mode, over every round. */
export interface CpuFigures {
  readonly requests: number;
  readonly errors: number;
  /** Requests per second, the median round. */
  readonly rps: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  /** Server CPU (user + system) over all rounds divided by the requests answered. */
  readonly cpuMsPerTurn: number;
  /** The same figure for each round, in the order run. */
  readonly cpuMsPerTurnByRound: readonly number[];
}

/** Options of {@link benchCpu}. */
export interface CpuBenchOptions {
  /** Rounds per server and mode, interleaved. Default 3. */
  readonly rounds?: number;
  /** Measured time per round. Default 2500 ms. */
  readonly durationMs?: number;
  /** Unmeasured load before each round (keep-alive connections, caches). Default 500 ms. */
  readonly warmupMs?: number;
  /**
   * Unmeasured load on each server before the rounds of the first mode (the second mode's get a third of it), so the
   * rounds measure warmed servers: CPU per turn falls while V8 optimises, for about 12 s of load on Warmline and 5 s
   * on the echo bot on the 2-core machine. Default 10 s for Warmline and the echo bot with its middleware, 5 s for the stock echo bot.
   */
  readonly prewarmMs?: { readonly warmline: number; readonly echo: number };
  /** Concurrent clients. Default 16. */
  readonly concurrency?: number;
  /** Extra environment for the Warmline server (e.g. Redis storage). Default none: the embedded defaults. */
  readonly warmlineEnv?: Readonly<Record<string, string>>;
}

/** What {@link benchCpu} measured. */
export interface CpuBenchResult {
  readonly rounds: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly prewarmMs: { readonly warmline: number; readonly echo: number };
  readonly concurrency: number;
  readonly figures: Readonly<Record<DeliveryMode, Readonly<Record<CpuServerName, CpuFigures>>>>;
  /** One client at a time, replies to the connector: what one customer waits for a turn when the server is not busy. */
  readonly lightLoad: Readonly<Record<CpuServerName, { readonly medianMs: number; readonly p99Ms: number; readonly requests: number }>>;
  /** Warmline server's RSS once ready (before load), once warmed (after the first prewarm load) and after every round, MB. */
  readonly warmlineRssReadyMb: number;
  readonly warmlineRssWarmedMb: number;
  readonly warmlineRssAfterLoadMb: number;
  /** Its V8 heap in use after every round (from its `/metrics`), MB. */
  readonly warmlineHeapUsedAfterLoadMb: number;
}

// Both bots get the same text; Warmline runs its tracking dialog on it, the echo bot echoes it.
const messageBody = (serviceUrl: string, expectReplies: boolean) => (w: number, n: number) =>
  JSON.stringify(
    directLineMessage(`where is my parcel ${DEMO_PARCELS[n % DEMO_PARCELS.length].trackingNumber}?`, {
      serviceUrl,
      conversationId: `bench-${w}-${n % 25}`,
      userId: `bench-user-${w}`,
      ...(expectReplies ? { deliveryMode: 'expectReplies' as const } : {}),
    }),
  );

/** `nodejs_heap_used_bytes` from a Warmline server's `/metrics` (open to loopback clients without a token), MB. */
async function heapUsedMb(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nodejs_heap_used_bytes '));
  return Number(line?.split(' ')[1]) / 1048576;
}

interface Round {
  requests: number;
  errors: number;
  rps: number;
  latencies: number[];
  cpuSeconds: number;
}

function combine(rounds: readonly Round[]): CpuFigures {
  const byRps = [...rounds].sort((a, b) => a.rps - b.rps);
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const cpu = rounds.reduce((n, r) => n + r.cpuSeconds, 0);
  return {
    requests,
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    rps: byRps[Math.floor(byRps.length / 2)]?.rps ?? NaN,
    medianMs: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerTurn: requests ? (cpu * 1000) / requests : NaN,
    cpuMsPerTurnByRound: rounds.map((r) => (r.requests ? (r.cpuSeconds * 1000) / r.requests : NaN)),
  };
}

/** Starts the three servers (each pushed on `started` at once, so a failure stops the ones already running). */
async function startCpuServers(started: StartedServer[], warmlineEnv: Readonly<Record<string, string>>) {
  const start = async (name: CpuServerName, spec: Omit<ServerSpec, 'cwd'>) => {
    const server = await startServer({ cwd: ROOT, ...spec });
    started.push(server);
    return { name, server };
  };
  // The echo bots run compiled from dist-bench; Warmline from its production entry with embedded defaults.
  return [
    await start('echo', { args: ['dist-bench/bench/echoServer.js'], env: {}, portOf: echoReadyPort }),
    await start('echoWithWarmline', { args: ['dist-bench/bench/echoServer.js', '--with-warmline'], env: {}, portOf: echoReadyPort }),
    await start('warmline', {
      args: ['dist/index.js'],
      env: { PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'off', LOG_LEVEL: 'info', ...warmlineEnv },
      portOf: warmlineListeningPort,
      readyPath: '/readyz',
    }),
  ] as const;
}

/**
 * Loads the three servers in turn with the same messages, `rounds` times per delivery mode, rotating the order each
 * round so a drift of the shared machine affects every server alike, and reads each server's CPU time over the
 * measured part of each round.
 */
export async function benchCpu(options: CpuBenchOptions = {}): Promise<CpuBenchResult> {
  const rounds = options.rounds ?? 3;
  const durationMs = options.durationMs ?? 2500;
  const warmupMs = options.warmupMs ?? 500;
  const prewarmMs = options.prewarmMs ?? { warmline: 10_000, echo: 5000 };
  const concurrency = options.concurrency ?? 16;
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  const started: StartedServer[] = [];
  try {
    const servers = await startCpuServers(started, options.warmlineEnv ?? {});
    const warmline = servers[2].server;
    const warmlineRssReadyMb = rssMb(warmline.pid);

    const measureOnce = async (server: StartedServer, expectReplies: boolean): Promise<Round> => {
      let cpu0 = 0;
      let cpu = 0;
      // The fake connector keeps every call: emptied between runs so its memory stays flat.
      connector.clear();
      const r = await runLoad({
        url: server.url,
        body: messageBody(serviceUrl, expectReplies),
        concurrency,
        durationMs,
        warmupMs,
        ...(expectReplies ? { check: (_s: number, body: string) => body.includes('"activities"') } : {}),
        onMeasure: (phase) => {
          if (phase === 'start') cpu0 = cpuSeconds(server.pid);
          else cpu = cpuSeconds(server.pid) - cpu0;
        },
      });
      return { ...r, cpuSeconds: cpu };
    };

    const figures = {} as Record<DeliveryMode, Record<CpuServerName, CpuFigures>>;
    let warmlineRssWarmedMb = NaN;
    for (const mode of ['connector', 'expectReplies'] as const) {
      for (const x of servers) {
        const ms = (x.name === 'echo' ? prewarmMs.echo : prewarmMs.warmline) / (mode === 'connector' ? 1 : 3);
        connector.clear();
        await runLoad({ url: x.server.url, body: messageBody(serviceUrl, mode === 'expectReplies'), concurrency, durationMs: ms, warmupMs: 0 });
        if (x.name === 'warmline' && mode === 'connector') warmlineRssWarmedMb = rssMb(x.server.pid);
      }
      const runs = new Map<CpuServerName, Round[]>(servers.map((x) => [x.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < servers.length; i++) {
          const x = servers[(i + round) % servers.length];
          runs.get(x.name)?.push(await measureOnce(x.server, mode === 'expectReplies'));
        }
      }
      figures[mode] = {
        echo: combine(runs.get('echo') ?? []),
        echoWithWarmline: combine(runs.get('echoWithWarmline') ?? []),
        warmline: combine(runs.get('warmline') ?? []),
      };
    }
    // Light load last (every server warmed): one client, replies to the connector.
    const lightLoad = {} as Record<CpuServerName, { medianMs: number; p99Ms: number; requests: number }>;
    for (const x of servers) {
      connector.clear();
      const r = await runLoad({ url: x.server.url, body: messageBody(serviceUrl, false), concurrency: 1, durationMs: Math.max(1000, durationMs), warmupMs });
      lightLoad[x.name] = { medianMs: r.medianMs, p99Ms: r.p99Ms, requests: r.requests };
    }
    connector.clear();
    return {
      rounds,
      lightLoad,
      durationMs,
      warmupMs,
      prewarmMs,
      concurrency,
      figures,
      warmlineRssReadyMb,
      warmlineRssWarmedMb,
      warmlineRssAfterLoadMb: rssMb(warmline.pid),
      warmlineHeapUsedAfterLoadMb: await heapUsedMb(warmline.base),
    };
  } finally {
    await Promise.all(started.map(stopServer));
    await connector.stop();
  }
}
