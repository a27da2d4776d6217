// Small pieces the benches share: the shape of a bench's output, running one bench alone, and Redis housekeeping.
import { Redis } from 'ioredis';
import { deleteKeys } from '../tests/middleware/handoff/testRedis';

/** What a bench returns: a title, table rows and figures for the summary line of `npm run bench`. */
export interface BenchOutput {
  readonly title: string;
  readonly rows: Array<Record<string, string>>;
  readonly summary: Record<string, number>;
}

/** Runs a bench as a script (`tsx bench/xBench.ts`): prints its table and summary, exits 0, or 1 on failure. */
export function runStandalone(bench: () => Promise<BenchOutput>): void {
  bench().then(
    (out) => {
      console.log(out.title);
      console.table(out.rows);
      console.log(JSON.stringify(out.summary));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** True when a Redis server answers at `url` (within about 1.5 s). */
export async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 1, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Deletes every key a bench wrote under `prefix`. */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
