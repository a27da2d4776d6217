// `npm run fuzz [-- --runs N --seed S --routes messages,desk]`: the hardening fuzzer against a real Warmline server in a
// child process (see fuzzRunner.ts). Prints a short report per route and writes every offending request to a JSON file
// under the OS temp directory. Exit code 1 on any crash, 5xx, hang or heap growth over the limit; 2 on bad arguments;
// 3 when the fuzzer itself fails.
import { parseArgs } from 'node:util';
import { ALL_ROUTES, DEFAULT_SEED, runFuzz } from './fuzzRunner';
import { formatReport, writeReport } from './fuzzReport';

const USAGE = `usage: npm run fuzz -- [--runs N] [--seed S] [--routes a,b] [--concurrency C] [--out file.json]
  --runs N         requests per route (default 2000, or FUZZ_RUNS)
  --seed S         seed of every case (default ${DEFAULT_SEED}, or FUZZ_SEED)
  --routes a,b     only these routes: ${ALL_ROUTES.map((r) => r.name).join(', ')}
  --concurrency C  requests in flight (default 6)
  --hang-ms MS     a request slower than this is a hang (default 5000)
  --heap-limit MB  heap growth that fails the run (default 20)
  --max-crashes N  a route stops after N crashes (default 3)
  --out FILE       where the JSON list of offending requests goes (default: under the OS temp directory)
  --skip-confirm   do not replay each distinct problem alone on a fresh server afterwards`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
        routes: { type: 'string' },
        concurrency: { type: 'string' },
        'hang-ms': { type: 'string' },
        'heap-limit': { type: 'string' },
        'max-crashes': { type: 'string' },
        out: { type: 'string' },
        'skip-confirm': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let options;
  try {
    const wanted = args.routes ? args.routes.split(',').map((s) => s.trim()) : undefined;
    const routes = wanted ? ALL_ROUTES.filter((r) => wanted.includes(r.name)) : ALL_ROUTES;
    const unknown = wanted?.filter((w) => !ALL_ROUTES.some((r) => r.name === w)) ?? [];
    if (unknown.length) throw new Error(`unknown route(s): ${unknown.join(', ')}`);
    options = {
      seed: positiveInt('--seed', args.seed ?? process.env.FUZZ_SEED, DEFAULT_SEED),
      runsPerRoute: positiveInt('--runs', args.runs ?? process.env.FUZZ_RUNS, 2000),
      routes,
      concurrency: Math.max(1, positiveInt('--concurrency', args.concurrency, 6)),
      hangMs: positiveInt('--hang-ms', args['hang-ms'], 5000),
      heapLimitMb: positiveInt('--heap-limit', args['heap-limit'], 20),
      maxCrashesPerRoute: Math.max(1, positiveInt('--max-crashes', args['max-crashes'], 3)),
      confirm: !args['skip-confirm'],
    };
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  console.log(`fuzz: seed ${options.seed}, ${options.runsPerRoute} requests per route on ${options.routes.map((r) => r.name).join(', ')}, ${options.concurrency} in flight`);
  const report = await runFuzz({ ...options, progress: (line) => console.log(line) });
  report.reportPath = await writeReport(report, args.out);
  console.log(formatReport(report));
  return report.failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('fuzz: aborted', err);
    process.exit(3);
  },
);
