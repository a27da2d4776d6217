import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FailureCount, LockoutStore } from './lockoutStore';

/** Options of {@link RedisLockoutStore}. */
export interface RedisLockoutStoreOptions {
  /** An ioredis client; the caller keeps ownership. */
  readonly redis: Redis;
  /** Prefix of every key. @defaultValue `warmline:desk:lockout:` */
  readonly keyPrefix?: string;
}

const TTL_MARGIN_MS = 1000;

// KEYS: counter. ARGV: now, windowMs, expiresAt, pexpire. Returns count, lastAt.
const INCREMENT = `
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'n', 'last', 'exp')
local n = 0
if v[1] and v[2] and v[3] and now <= tonumber(v[3]) and now - tonumber(v[2]) <= window then n = tonumber(v[1]) end
n = n + 1
redis.call('HSET', KEYS[1], 'n', n, 'last', ARGV[1], 'exp', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {n, ARGV[1]}`;
const INCREMENT_SHA = createHash('sha1').update(INCREMENT).digest('hex');

/**
 * A {@link LockoutStore} shared by every instance through Redis: failures on any instance add up, so a lock-out
 * cannot be dodged by spreading attempts over instances.
 *
 * @remarks One hash per key (`{prefix}{SHA-256 of the key}`: no account id or IP address in clear in the key
 * space) holding the count, the last failure and the logical expiry; incremented and given its TTL in one Lua
 * script, so concurrent failures on several instances are all counted.
 * @example new RedisLockoutStore({ redis, keyPrefix: 'warmline:desk:lockout:' })
 */
export class RedisLockoutStore implements LockoutStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: RedisLockoutStoreOptions) {
    if (!options?.redis) throw new TypeError('RedisLockoutStore: redis is required');
    this.redis = options.redis;
    this.prefix = options.keyPrefix ?? 'warmline:desk:lockout:';
  }

  async increment(key: string, now: number, windowMs: number, ttlMs = 0): Promise<FailureCount> {
    const keep = Math.max(1, Math.ceil(Math.max(windowMs, ttlMs)));
    const args = [now, windowMs, now + keep, keep + TTL_MARGIN_MS];
    let result: unknown;
    try {
      result = await this.redis.evalsha(INCREMENT_SHA, 1, this.key(key), ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      result = await this.redis.eval(INCREMENT, 1, this.key(key), ...args);
    }
    const [count, lastAt] = Array.isArray(result) ? result : [];
    return { count: Number(count) || 1, lastAt: Number(lastAt) || now };
  }

  async read(key: string, now: number): Promise<FailureCount | undefined> {
    const [count, lastAt, expiresAt] = await this.redis.hmget(this.key(key), 'n', 'last', 'exp');
    if (count === null || lastAt === null || expiresAt === null || now > Number(expiresAt)) return undefined;
    return { count: Number(count), lastAt: Number(lastAt) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  private key(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('base64url');
  }
}
