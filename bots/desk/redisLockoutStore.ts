import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FailureCount, LockoutAttempt, LockoutPolicy, LockoutStore } from './lockoutStore';
import { luaScript, runLuaScript, type LuaScript } from '../../middleware/storage/redisScript';

/** Options of {@link RedisLockoutStore}. */
export interface RedisLockoutStoreOptions {
  /** An ioredis client; the caller keeps ownership. */
  readonly redis: Redis;
  /** Prefix of every key. @defaultValue `warmline:desk:lockout:` */
  readonly keyPrefix?: string;
}

const TTL_MARGIN_MS = 1000;

// KEYS: counter. ARGV: now, windowMs, freeFailures, baseLockMs, maxLockMs, expiresAt, pexpire.
// Returns admitted (1/0), count, lastAt. The lock-out schedule is `lockoutMs` of lockoutStore.ts.
const ATTEMPT = luaScript(`
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local free, base, maxLock = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local v = redis.call('HMGET', KEYS[1], 'n', 'last', 'exp')
local n = 0
if v[1] and v[2] and v[3] and now <= tonumber(v[3]) then
  n = tonumber(v[1])
  local last = tonumber(v[2])
  local over = n - free
  if over >= 0 and now < last + math.min(maxLock, base * 2 ^ math.min(over, 40)) then return {0, n, v[2]} end
  if now - last > window then n = 0 end
end
n = n + 1
redis.call('HSET', KEYS[1], 'n', n, 'last', ARGV[1], 'exp', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return {1, n, ARGV[1]}`);

// KEYS: counter. Takes one counted attempt back; the counter goes when none is left.
const REFUND = luaScript(`
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0') or 0
if n <= 1 then redis.call('DEL', KEYS[1]) else redis.call('HINCRBY', KEYS[1], 'n', -1) end
return 1`);

/**
 * A {@link LockoutStore} shared by every instance through Redis: attempts on any instance add up, so a lock-out
 * cannot be dodged by spreading attempts over instances, nor by sending them all at once.
 *
 * @remarks One hash per key (`{prefix}{SHA-256 of the key}`: no account id or IP address in clear in the key
 * space) holding the count, the last counted attempt and the logical expiry. The lock-out check and the count (with
 * its TTL) run in one Lua script, so of simultaneous attempts on several instances no more get through than the
 * schedule allows.
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

  async attempt(key: string, now: number, policy: LockoutPolicy): Promise<LockoutAttempt> {
    const keep = Math.max(1, Math.ceil(Math.max(policy.windowMs, policy.ttlMs ?? 0)));
    const result = await this.run(ATTEMPT, this.key(key), [
      now,
      policy.windowMs,
      policy.freeFailures,
      policy.baseLockMs,
      policy.maxLockMs,
      now + keep,
      keep + TTL_MARGIN_MS,
    ]);
    const [admitted, count, lastAt] = (Array.isArray(result) ? result : []).map(Number);
    return { admitted: admitted === 1, count: count || 1, lastAt: Number.isFinite(lastAt) ? lastAt : now };
  }

  async read(key: string, now: number): Promise<FailureCount | undefined> {
    const [count, lastAt, expiresAt] = await this.redis.hmget(this.key(key), 'n', 'last', 'exp');
    if (count === null || lastAt === null || expiresAt === null || now > Number(expiresAt)) return undefined;
    return { count: Number(count), lastAt: Number(lastAt) };
  }

  async refund(key: string): Promise<void> {
    await this.run(REFUND, this.key(key), []);
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  private key(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('base64url');
  }

  private run(script: LuaScript, key: string, args: Array<string | number>): Promise<unknown> {
    return runLuaScript(this.redis, script, [key], args);
  }
}
