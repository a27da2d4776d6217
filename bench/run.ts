// `npm run bench`: Warmline's full pipeline against a bare botbuilder echo bot measured in the same run, plus the
// per-message costs of the pieces. Servers run in child processes; the load generator and fake connector here.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FakeConnector } from '../tests/helpers/fakeConnector';
import { directLineMessage } from '../tests/helpers/channelActivities';
import { DEMO_PARCELS } from '../dialogs/tracking/demoTrackingProvider';
import { runLoad, type LoadResult } from './load';

const quick = process.argv.includes('--quick');
const DURATION_MS = quick ? 2000 : 5000;
const WARMUP_MS = quick ? 800 : 2000;
const CONCURRENCY = 16;

interface Server {
  child: ChildProcess;
  url: string;
}

function startServer(file: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', path.join(__dirname, file)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}/api/messages` });
    });
    child.on('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

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
];

async function main(): Promise<void> {
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  const results: Record<string, { echo: LoadResult; warmline: LoadResult }> = {};
  const rss: Record<string, number> = {};

  const echo = await startServer('echoServer.ts');
  const warmline = await startServer('warmlineServer.ts');
  rss.warmlineWarm = rssMb(warmline.child.pid!);
  try {
    for (const mode of ['connector', 'expectReplies'] as const) {
      const expectReplies = mode === 'expectReplies';
      const check = expectReplies ? (_s: number, body: string) => body.includes('"activities"') : undefined;
      // Clear the recorded calls between runs so the fake connector's memory stays flat.
      connector.clear();
      const e = await runLoad({ url: echo.url, body: echoBody(serviceUrl, expectReplies), concurrency: CONCURRENCY, durationMs: DURATION_MS, warmupMs: WARMUP_MS, check });
      connector.clear();
      const w = await runLoad({ url: warmline.url, body: trackingBody(serviceUrl, expectReplies), concurrency: CONCURRENCY, durationMs: DURATION_MS, warmupMs: WARMUP_MS, check });
      connector.clear();
      results[mode] = { echo: e, warmline: w };
    }
    rss.warmlineAfterLoad = rssMb(warmline.child.pid!);
    rss.echoAfterLoad = rssMb(echo.child.pid!);
  } finally {
    echo.child.kill('SIGTERM');
    warmline.child.kill('SIGTERM');
    await connector.stop();
  }

  const rows: Array<Record<string, string>> = [];
  for (const [mode, r] of Object.entries(results)) {
    for (const [name, x] of Object.entries(r)) {
      rows.push({
        scenario: `${name === 'echo' ? 'bare echo bot' : 'warmline tracking flow'} (${mode})`,
        'req/s': fmt(x.rps, 0),
        'median ms': fmt(x.medianMs),
        'p99 ms': fmt(x.p99Ms),
        errors: String(x.errors),
        'ratio to echo': name === 'echo' ? '1.00' : fmt(x.rps / r.echo.rps),
      });
    }
  }
  console.log(`\nHTTP /api/messages, ${CONCURRENCY} concurrent clients, ${DURATION_MS / 1000} s each after ${WARMUP_MS / 1000} s warm-up\n`);
  console.log(table(rows));
  console.log(`\nRSS: warmline warmed ${fmt(rss.warmlineWarm, 0)} MB, after load ${fmt(rss.warmlineAfterLoad, 0)} MB; echo after load ${fmt(rss.echoAfterLoad, 0)} MB`);

  const summary: Record<string, unknown> = {
    throughputRatioConnector: Number(fmt(results.connector.warmline.rps / results.connector.echo.rps)),
    throughputRatioExpectReplies: Number(fmt(results.expectReplies.warmline.rps / results.expectReplies.echo.rps)),
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
