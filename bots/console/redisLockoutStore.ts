import type { Redis } from 'ioredis';
import { RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LockoutStore } from './lockoutStore';

/** Options of {@link RedisLockoutStore}. */
export interface RedisLockoutStoreOptions {
  /** An ioredis client; the caller keeps ownership. */
  readonly redis: Redis;
  /** Prefix of every key. @defaultValue `warmline:desk:lockout:` */
  readonly keyPrefix?: string;
}

/**
 * A {@link LockoutStore} shared by every instance through Redis: rate-limiter-flexible's `RateLimiterRedis` on the
 * app's ioredis client, so attempts on any instance add up and a lock-out cannot be dodged by spreading attempts over
 * instances, nor by sending them all at once.
 *
 * @remarks Keys are `{prefix}{limiter}:{SHA-256 of the throttle's key}` (the throttle hashes: no account id or IP
 * address in clear in the key space), each with a TTL. Every count and every lock-out is one of
 * rate-limiter-flexible's atomic Redis operations (its increment is a Lua script it defines on the client as
 * `rlflxIncr`), so of simultaneous attempts on several instances no more get through than the schedule allows. The
 * client is ioredis, rate-limiter-flexible's default (`useRedisPackage` is for node-redis and stays off).
 * @example new RedisLockoutStore({ redis, keyPrefix: 'warmline:desk:lockout:' })
 */
export class RedisLockoutStore implements LockoutStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(options: RedisLockoutStoreOptions) {
    if (!options?.redis) throw new TypeError('RedisLockoutStore: redis is required');
    this.redis = options.redis;
    this.prefix = options.keyPrefix ?? 'warmline:desk:lockout:';
  }

  limiter(name: string): RateLimiterAbstract {
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterRedis({ storeClient: this.redis, keyPrefix: `${this.prefix}${name}`, points: 1, duration: 1 });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}
