import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ReplayCache } from './replayCache';

/** Options of {@link RedisReplayCache}. */
export interface RedisReplayCacheOptions {
  /** An ioredis client; the caller keeps ownership. */
  readonly redis: Redis;
  /** Prefix of every key; give each signed route its own. @defaultValue `warmline:replay:` */
  readonly keyPrefix?: string;
}

/**
 * A {@link ReplayCache} shared by every instance through Redis: one `SET key 1 NX PX ttl` per claim, so of two
 * copies of a signed message reaching two instances at once exactly one is accepted, and nothing lingers past its TTL.
 *
 * @remarks Keys are `keyPrefix` + the SHA-256 (base64url) of the caller's key: bounded length, and no signature or
 * case id in clear in the key space.
 * @example new RedisReplayCache({ redis, keyPrefix: 'warmline:replay:webhook-status:' })
 */
export class RedisReplayCache implements ReplayCache {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: RedisReplayCacheOptions) {
    if (!options?.redis) throw new TypeError('RedisReplayCache: redis is required');
    this.redis = options.redis;
    this.prefix = options.keyPrefix ?? 'warmline:replay:';
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const set = await this.redis.set(this.key(key), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return set === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  private key(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('base64url');
  }
}
