// `npm run bench:pieces`: what each of Warmline's pieces costs in the running server. Starts Warmline's server once
// in full and once per piece switched off (bench/pieceCostServer.ts), drives each with the tracking flow
// (`expectReplies`, 16 concurrent clients, rounds interleaved as in `npm run bench`) and prints the server CPU per
// request and what switching each piece off saves. VARIANTS='signals;answer' ROUNDS=3 to choose (default: every
// piece, all of them, and the shortcut; five rounds).
import * as path from 'node:path';
import { cpuSeconds, runLoad, startServer, type StartedServer } from './load';
import { directLineMessage } from '../tests/helpers/channelActivities';
import { DEMO_PARCELS } from '../dialogs/tracking/demoTrackingProvider';

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = Number(process.env.ROUNDS ?? 5);
// Variants separated by ';', each a comma-separated list of pieces switched off (see pieceCostServer.ts).
const VARIANTS = [
  '',
  ...(process.env.VARIANTS ?? 'signals;transcript;handoff;answer;dialogs;signals,transcript,handoff,guard,dialogs;shortcut').split(';'),
];

async function main(): Promise<void> {
  const servers: Array<StartedServer & { without: string }> = [];
  const body = (w: number, n: number) =>
    JSON.stringify(
      directLineMessage(`where is my parcel ${DEMO_PARCELS[n % DEMO_PARCELS.length].trackingNumber}?`, {
        serviceUrl: 'http://127.0.0.1:9/',
        conversationId: `bench-${w}-${n % 25}`,
        userId: `bench-user-${w}`,
        deliveryMode: 'expectReplies',
      }),
    );
  const totals = new Map(VARIANTS.map((without) => [without, { cpu: 0, requests: 0 }]));
  try {
    for (const without of VARIANTS) {
      // Measured once ready: the recognizer models are warmed at start-up, on the CPU this bench reads.
      const server = await startServer(ROOT, ['dist-bench/bench/pieceCostServer.js'], { WITHOUT: without }, /READY (\d+)/, '/readyz');
      servers.push({ without, ...server });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < servers.length; i++) {
        const s = servers[(i + round) % servers.length];
        let cpu0 = 0;
        let cpu = 0;
        const r = await runLoad({
          url: s.url,
          body,
          concurrency: 16,
          durationMs: 2500,
          warmupMs: 700,
          check: (status, text) => status === 200 && text.includes('"activities"'),
          onMeasure: (phase) => {
            if (phase === 'start') cpu0 = cpuSeconds(s.child.pid!);
            else cpu = cpuSeconds(s.child.pid!) - cpu0;
          },
        });
        if (r.errors) throw new Error(`${r.errors} failed requests without ${s.without || 'nothing'}`);
        const t = totals.get(s.without)!;
        t.cpu += cpu;
        t.requests += r.requests;
      }
    }
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
  }
  const msPerRequest = (without: string) => (totals.get(without)!.cpu * 1000) / totals.get(without)!.requests;
  const full = msPerRequest('');
  console.log(`\nServer CPU per request, tracking flow with expectReplies, ${ROUNDS} interleaved rounds of 2.5 s\n`);
  console.log(`${'switched off'.padEnd(44)} ms/req  saves (negative: costs)`);
  for (const s of servers) {
    const ms = msPerRequest(s.without);
    console.log(`${(s.without || '(nothing: full Warmline)').padEnd(44)} ${ms.toFixed(3)}  ${s.without ? (full - ms).toFixed(3) : ''}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
