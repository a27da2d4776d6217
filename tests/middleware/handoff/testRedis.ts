import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis server the tests use. */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** True when the developer asked to skip Redis tests (WARMLINE_SKIP_REDIS=1). */
export const skipRedis = (): boolean => process.env.WARMLINE_SKIP_REDIS === '1';

/** Connects to the test Redis, failing loudly (not skipping) when it does not answer. */
export async function connectTestRedis(url: string = TEST_REDIS_URL): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable at ${url} (${err instanceof Error ? err.message : String(err)}); ` +
        'start one, or set WARMLINE_SKIP_REDIS=1 to skip the Redis tests',
    );
  }
  return redis;
}

/** A key prefix no other test run uses. */
export const uniquePrefix = (name: string): string => `warmline-test:${name}:${process.pid}:${randomUUID().slice(0, 8)}:`;

/** Deletes every key under `prefix`; returns how many there were. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** The test Redis of a `describe` block: see {@link useTestRedis}. */
export interface TestRedis {
  /** The connection (inside tests and hooks only). */
  readonly redis: Redis;
  /** A fresh key prefix, whose keys are deleted after the block. */
  prefix(name: string): string;
}

/**
 * Registers mocha hooks in the current `describe`: connect to the test Redis before the block (skipped with
 * WARMLINE_SKIP_REDIS=1), and afterwards delete the keys of every prefix handed out and disconnect.
 */
export function useTestRedis(): TestRedis {
  let redis: Redis | undefined;
  const prefixes: string[] = [];
  before(async function () {
    if (skipRedis()) this.skip();
    redis = await connectTestRedis();
  });
  after(async function () {
    if (!redis) return;
    for (const p of prefixes) await deleteKeys(redis, p);
    await redis.quit();
  });
  return {
    get redis(): Redis {
      if (!redis) throw new Error('useTestRedis: not connected yet (use it inside tests and hooks)');
      return redis;
    },
    prefix(name: string): string {
      const p = uniquePrefix(name);
      prefixes.push(p);
      return p;
    },
  };
}
