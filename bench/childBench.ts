// Runs one of the in-process benches in a fresh Node.js process and prints its output as one JSON line, so that what
// it measures (latency tails, RSS) is not coloured by the garbage and compiled code other benches left in the heap of
// `npm run bench`. Usage: `node --import tsx bench/childBench.ts <name> '<options as JSON>'`.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { BenchOutput } from './benchParts';
import { benchSignals } from './signalsBench';
import { benchQueue, type QueueBenchOptions } from './queueBench';
import { benchHostileText } from './hostileTextBench';
import { benchTextWorstCase } from './textWorstCase';

const BENCHES = {
  signals: (o: { iterations?: number }) => benchSignals(o.iterations),
  queue: (o: QueueBenchOptions) => benchQueue(o),
  hostileText: (o: { repeats?: number }) => benchHostileText(o),
  textWorstCase: (o: { size?: number }) => benchTextWorstCase(o),
} as const;

/** The benches {@link inChildProcess} runs. */
export type ChildBenchName = keyof typeof BENCHES;

const MARK = 'BENCH_OUTPUT ';

/** Runs `name` with `options` in a child process (TypeScript through tsx, `gc()` exposed) and resolves with its output. */
export function inChildProcess(name: ChildBenchName, options: object = {}): Promise<BenchOutput> {
  return new Promise((resolve, reject) => {
    const args = ['--expose-gc', '--disable-warning=DEP0111', '--import', 'tsx', path.join(__dirname, 'childBench.ts'), name, JSON.stringify(options)];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (code === 0 && line) resolve(JSON.parse(line.slice(MARK.length)) as BenchOutput);
      else reject(new Error(`bench ${name} exited with ${code}${line ? '' : ' without output'}`));
    });
  });
}

if (require.main === module) {
  const name = process.argv[2] as ChildBenchName;
  const run = BENCHES[name] as ((o: object) => Promise<BenchOutput>) | undefined;
  if (!run) {
    console.error(`unknown bench ${name}; one of ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  run(JSON.parse(process.argv[3] ?? '{}') as object).then(
    (output) => {
      process.stdout.write(`${MARK}${JSON.stringify(output)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
