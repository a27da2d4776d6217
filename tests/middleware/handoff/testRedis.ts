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
