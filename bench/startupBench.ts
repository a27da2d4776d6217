// Start to /readyz: `node dist/index.js` as `npm start` runs it, with the embedded defaults (memory storage, local
// web chat, a demo console agent), timed from the spawn until GET /readyz answers 200.
import * as path from 'node:path';
import { startServer, stopServer, warmlineListeningPort } from './load';
import { runStandalone, type BenchOutput } from './benchParts';

const ROOT = path.resolve(__dirname, '..');

/**
 * Starts the server `starts` times, one after another (each stopped before the next).
 *
 * @returns one row per start and a summary with `startToReadyMs`, the median (budget: < 10 s).
 */
export async function benchStartup(starts = 3): Promise<BenchOutput> {
  const times: number[] = [];
  for (let i = 0; i < starts; i++) {
    const server = await startServer({ cwd: ROOT, args: ['dist/index.js'], env: { PORT: '0' }, portOf: warmlineListeningPort, readyPath: '/readyz', pollMs: 10 });
    times.push(server.readyAfterMs);
    await stopServer(server);
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN;
  return {
    title: 'Start to /readyz (node dist/index.js, embedded defaults, PORT=0; budget: median < 10 s)',
    rows: times.map((ms, i) => ({ start: String(i + 1), 'ready after ms': ms.toFixed(0) })),
    summary: { startToReadyMs: Math.round(median) },
  };
}

if (require.main === module) runStandalone(() => benchStartup(Number(process.argv[2] ?? 3) || 3));
