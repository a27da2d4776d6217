// `npm run bench`: Warmline's full pipeline against a bare botbuilder echo bot measured in the same run, plus the
// per-message costs of the pieces. Servers run in child processes; the load generator and fake connector here.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
import { FakeConnector } from '../tests/helpers/fakeConnector';
import { directLineMessage } from '../tests/helpers/channelActivities';
import { DEMO_PARCELS } from '../dialogs/tracking/demoTrackingProvider';
import { cpuSeconds, percentile, runLoad, startServer, type LoadResult, type StartedServer } from './load';

const quick = process.argv.includes('--quick');
// Each server is measured ROUNDS times, the rounds interleaved (echo, Warmline, echo, ...) with the order rotated,
// so a drift of the shared machine affects every server alike; throughput is the median round.
const ROUNDS = quick ? 1 : 3;
const DURATION_MS = quick ? 2000 : 3000;
const WARMUP_MS = quick ? 800 : 1000;
const CONCURRENCY = 16;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const trackingBody = (serviceUrl: string, expectReplies: boolean) => (w: number, n: number) => {
  const parcel = DEMO_PARCELS[n % DEMO_PARCELS.length];
  return JSON.stringify(
    directLineMessage(`where is my parcel ${parcel.trackingNumber}?`, {
      serviceUrl,
      conversationId: `bench-${w}-${n % 25}`,
      userId: `bench-user-${w}`,
      ...(expectReplies ? { deliveryMode: 'expectReplies' as const } : {}),
    }),
  );
};
const echoBody = (serviceUrl: string, expectReplies: boolean) => (w: number, n: number) =>
  JSON.stringify(
    directLineMessage(`where is my parcel ${DEMO_PARCELS[n % DEMO_PARCELS.length].trackingNumber}?`, {
      serviceUrl,
      conversationId: `bench-${w}-${n % 25}`,
      userId: `bench-user-${w}`,
      ...(expectReplies ? { deliveryMode: 'expectReplies' as const } : {}),
    }),
  );

/** `BENCH_STORAGE=redis BENCH_REDIS_URL=redis://127.0.0.1:6379 npm run bench` measures Warmline on Redis. */
function benchStorage(): Record<string, string> {
  return process.env.BENCH_STORAGE === 'redis'
    ? { STORAGE: 'redis', REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bench${process.pid}:` }
    : {};
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function table(rows: Array<Record<string, string>>): string {
  const keys = Object.keys(rows[0]);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i])).join('  ');
  return [line(keys), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => r[k])))].join('\n');
}

interface OptionalBench {
  file: string;
  exportName: string;
}

/** Benches contributed by other modules (signals, relay); run when present. */
const EXTRA: OptionalBench[] = [
  { file: './signalsBench', exportName: 'benchSignals' },
  { file: './relayBench', exportName: 'benchRelay' },
  { file: './queueBench', exportName: 'benchQueue' },
  { file: './hostileTextBench', exportName: 'benchHostileText' },
  { file: './textWorstCase', exportName: 'benchTextWorstCase' },
];

async function main(): Promise<void> {
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  type Measured = LoadResult & { serverCpuMsPerRequest: number };
  const results: Record<string, { echo: Measured; echoReusing: Measured; warmline: Measured }> = {};
  const rss: Record<string, number> = {};

  // Both servers run compiled, under plain node: the echo baseline from dist-bench, Warmline from its production
  // entry dist/index.js with embedded defaults (in-memory storage, demo tracking, recognizers warmed before load).
  const echo = await startServer(ROOT, ['dist-bench/bench/echoServer.js'], {}, /READY (\d+)/);
  const echoReusing = await startServer(ROOT, ['dist-bench/bench/echoServer.js', '--reuse-clients'], {}, /READY (\d+)/);
  const warmline = await startServer(
    ROOT,
    ['dist/index.js'],
    { PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'off', LOG_LEVEL: 'info', ...benchStorage() },
    /"event":"server.listening","port":(\d+)/,
    '/readyz',
  );
  rss.warmlineWarm = rssMb(warmline.child.pid!);
  try {
    for (const mode of ['connector', 'expectReplies'] as const) {
      const expectReplies = mode === 'expectReplies';
      const check = expectReplies ? (_s: number, body: string) => body.includes('"activities"') : undefined;
      // Clear the recorded calls between runs so the fake connector's memory stays flat.
      const measureOnce = async (server: StartedServer, body: (w: number, n: number) => string) => {
        let cpu0 = 0;
        let cpu = 0;
        connector.clear();
        const r = await runLoad({
          url: server.url,
          body,
          concurrency: CONCURRENCY,
          durationMs: DURATION_MS,
          warmupMs: WARMUP_MS,
          check,
          onMeasure: (phase) => {
            if (phase === 'start') cpu0 = cpuSeconds(server.child.pid!);
            else cpu = cpuSeconds(server.child.pid!) - cpu0;
          },
        });
        return { ...r, cpuSeconds: cpu };
      };
      const servers = [
        { name: 'echo', server: echo, body: echoBody(serviceUrl, expectReplies) },
        { name: 'echoReusing', server: echoReusing, body: echoBody(serviceUrl, expectReplies) },
        { name: 'warmline', server: warmline, body: trackingBody(serviceUrl, expectReplies) },
      ] as const;
      const runs = new Map<string, Array<LoadResult & { cpuSeconds: number }>>(servers.map((x) => [x.name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < servers.length; i++) {
          const x = servers[(i + round) % servers.length];
          runs.get(x.name)!.push(await measureOnce(x.server, x.body));
        }
      }
      const combine = (name: string): Measured => {
        const rs = runs.get(name)!;
        const byRps = [...rs].sort((a, b) => a.rps - b.rps);
        const latencies = rs.flatMap((r) => r.latencies).sort((a, b) => a - b);
        const requests = rs.reduce((n, r) => n + r.requests, 0);
        const cpu = rs.reduce((n, r) => n + r.cpuSeconds, 0);
        return {
          requests,
          errors: rs.reduce((n, r) => n + r.errors, 0),
          rps: byRps[Math.floor(byRps.length / 2)].rps,
          medianMs: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          latencies: [],
          serverCpuMsPerRequest: requests ? (cpu * 1000) / requests : NaN,
        };
      };
      const e = combine('echo');
      const er = combine('echoReusing');
      const w = combine('warmline');
      connector.clear();
      results[mode] = { echo: e, echoReusing: er, warmline: w };
    }
    rss.warmlineAfterLoad = rssMb(warmline.child.pid!);
    rss.echoAfterLoad = rssMb(echo.child.pid!);
  } finally {
    echo.child.kill('SIGTERM');
    echoReusing.child.kill('SIGTERM');
    warmline.child.kill('SIGTERM');
    await connector.stop();
  }

  const rows: Array<Record<string, string>> = [];
  for (const [mode, r] of Object.entries(results)) {
    for (const [name, x] of Object.entries(r)) {
      const label = { echo: 'bare echo bot', echoReusing: "echo bot, Warmline's connector", warmline: 'warmline tracking flow' }[name];
      rows.push({
        scenario: `${label} (${mode})`,
        'req/s': fmt(x.rps, 0),
        'median ms': fmt(x.medianMs),
        'p99 ms': fmt(x.p99Ms),
        errors: String(x.errors),
        'server CPU ms/req': fmt(x.serverCpuMsPerRequest, 3),
        'ratio to echo': name === 'echo' ? '1.00' : fmt(x.rps / r.echo.rps),
        'CPU-cost ratio': name === 'echo' ? '1.00' : fmt(r.echo.serverCpuMsPerRequest / x.serverCpuMsPerRequest),
      });
    }
  }
  console.log(
    `\nHTTP /api/messages, ${CONCURRENCY} concurrent clients; each server ${ROUNDS} x ${DURATION_MS / 1000} s (after ${WARMUP_MS / 1000} s warm-up), ` +
      'rounds interleaved; req/s is the median round, latencies and CPU over all rounds\n',
  );
  console.log(table(rows));
  console.log(
    '\n"ratio to echo" is throughput; "CPU-cost ratio" is echo\'s server CPU per request divided by Warmline\'s (the same\n' +
      'figure without the load generator, which shares this machine, in the way). Both compare with the bare echo bot,\n' +
      'the budget\'s baseline. botbuilder\'s CloudAdapter builds a new connector client (an HTTP pipeline) on every turn\n' +
      'and sends each reply through it; Warmline reuses the clients and sends replies directly\n' +
      '(CachingBotFrameworkAuthentication with directSends). "echo bot, Warmline\'s connector" is the echo bot with the\n' +
      'same connector: Warmline\'s ratio to it is the cost of Warmline\'s own pipeline alone.',
  );
  for (const [mode, r] of Object.entries(results)) {
    console.log(`warmline / echo bot with Warmline's connector (${mode}): throughput ${fmt(r.warmline.rps / r.echoReusing.rps)}, CPU-cost ${fmt(r.echoReusing.serverCpuMsPerRequest / r.warmline.serverCpuMsPerRequest)}`);
  }
  console.log(`\nRSS: warmline warmed ${fmt(rss.warmlineWarm, 0)} MB, after load ${fmt(rss.warmlineAfterLoad, 0)} MB; echo after load ${fmt(rss.echoAfterLoad, 0)} MB`);

  const summary: Record<string, unknown> = {
    throughputRatioConnector: Number(fmt(results.connector.warmline.rps / results.connector.echo.rps)),
    throughputRatioExpectReplies: Number(fmt(results.expectReplies.warmline.rps / results.expectReplies.echo.rps)),
    cpuCostRatioConnector: Number(fmt(results.connector.echo.serverCpuMsPerRequest / results.connector.warmline.serverCpuMsPerRequest)),
    cpuCostRatioExpectReplies: Number(fmt(results.expectReplies.echo.serverCpuMsPerRequest / results.expectReplies.warmline.serverCpuMsPerRequest)),
    throughputRatioToReusingEchoConnector: Number(fmt(results.connector.warmline.rps / results.connector.echoReusing.rps)),
    throughputRatioToReusingEchoExpectReplies: Number(fmt(results.expectReplies.warmline.rps / results.expectReplies.echoReusing.rps)),
    warmlineRssMb: Math.round(rss.warmlineAfterLoad),
  };

  for (const extra of EXTRA) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(extra.file)) as Record<string, unknown>;
    } catch {
      continue; // that piece is not built
    }
    const fn = mod[extra.exportName];
    if (typeof fn !== 'function') continue;
    const out = (await (fn as () => Promise<unknown>)()) as { title?: string; rows?: Array<Record<string, string>>; summary?: Record<string, unknown> };
    if (out?.rows?.length) {
      console.log(`\n${out.title ?? extra.exportName}\n`);
      console.log(table(out.rows));
    }
    if (out?.summary) Object.assign(summary, out.summary);
  }
  console.log(`\n${JSON.stringify(summary)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
