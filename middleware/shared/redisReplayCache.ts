import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { defineLuaCommands } from './redisCommands';
import type { ReplayBegin, ReplayCache } from './replayCache';

/** Options of {@link RedisReplayCache}. */
export interface RedisReplayCacheOptions {
  /** An ioredis client; the caller keeps ownership. */
  readonly redis: Redis;
  /** Prefix of every key; give each signed route its own. @defaultValue `warmline:replay:` */
  readonly keyPrefix?: string;
}

const PENDING = 'pending';
const DONE = 'done';

// KEYS[1] key, ARGV[1] ttl ms, ARGV[2] owner token or ''. Atomic "if absent, SET pending[:owner] PX ttl; else say what
// is there". Any value but `pending`/`pending:...` (such as the `1` of earlier versions, which had no states) is done.
const BEGIN = `local v = redis.call('GET', KEYS[1])
if v then
  if string.sub(v, 1, 7) == '${PENDING}' then return '${PENDING}' end
  return '${DONE}'
end
local value = '${PENDING}'
if ARGV[2] ~= '' then value = '${PENDING}:' .. ARGV[2] end
redis.call('SET', KEYS[1], value, 'PX', ARGV[1])
return 'claimed'`;

// KEYS[1] key, ARGV[1] time to keep in ms or '', ARGV[2] owner token or ''. pending -> done, keeping the time to live
// begin set, or for ARGV[1] ms. No-op when the key is gone, done, or (with a token) pending under another claim.
const COMPLETE = `local v = redis.call('GET', KEYS[1])
local mine = (ARGV[2] == '' and v and string.sub(v, 1, 7) == '${PENDING}') or (ARGV[2] ~= '' and v == '${PENDING}:' .. ARGV[2])
if mine then
  local ttl = redis.call('PTTL', KEYS[1])
  if ARGV[1] ~= '' then ttl = tonumber(ARGV[1]) end
  if ttl > 0 then redis.call('SET', KEYS[1], '${DONE}', 'PX', ttl) end
end
return 1`;

// KEYS[1] key, ARGV[1] owner token. Deletes the key only while it is pending under that claim.
const RELEASE = `if redis.call('GET', KEYS[1]) == '${PENDING}:' .. ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** The scripts above as commands of the shared client. */
interface ReplayCommands {
  warmlineReplayBegin(key: string, ttlMs: number, owner: string): Promise<string>;
  warmlineReplayComplete(key: string, keepMs: number | '', owner: string): Promise<number>;
  warmlineReplayRelease(key: string, owner: string): Promise<number>;
}

/**
 * A {@link ReplayCache} shared by every instance through Redis: `begin` is one Lua script (`GET`, and when the key is
 * absent `SET key pending PX ttl`), so of two copies of a signed message reaching two instances at once exactly one
 * is claimed and the other sees `pending`; `complete` turns `pending` into `done` keeping the key's remaining TTL;
 * `release` deletes it. A claimant that gives an owner token completes and releases only its own claim (compare and
 * set in Lua). Nothing lingers past its TTL.
 *
 * @remarks Keys are `keyPrefix` + the SHA-256 (base64url) of the caller's key: bounded length, and no signature or
 * case id in clear in the key space. A key left by an earlier version (value `1`) reads as `done`.
 * @example new RedisReplayCache({ redis, keyPrefix: 'warmline:replay:webhook-status:' })
 */
export class RedisReplayCache implements ReplayCache {
  private readonly redis: Redis & ReplayCommands;
  private readonly prefix: string;

  constructor(options: RedisReplayCacheOptions) {
    if (!options?.redis) throw new TypeError('RedisReplayCache: redis is required');
    this.redis = defineLuaCommands<ReplayCommands>(options.redis, {
      warmlineReplayBegin: { numberOfKeys: 1, lua: BEGIN },
      warmlineReplayComplete: { numberOfKeys: 1, lua: COMPLETE },
      warmlineReplayRelease: { numberOfKeys: 1, lua: RELEASE },
    });
    this.prefix = options.keyPrefix ?? 'warmline:replay:';
  }

  async begin(key: string, ttlMs: number, owner?: string): Promise<ReplayBegin> {
    const found = await this.redis.warmlineReplayBegin(this.key(key), Math.max(1, Math.ceil(ttlMs)), owner ?? '');
    if (found === 'claimed' || found === PENDING || found === DONE) return found;
    throw new Error('RedisReplayCache: unexpected reply to begin');
  }

  async complete(key: string, keepMs?: number, owner?: string): Promise<void> {
    await this.redis.warmlineReplayComplete(this.key(key), keepMs === undefined ? '' : Math.max(1, Math.ceil(keepMs)), owner ?? '');
  }

  async release(key: string, owner?: string): Promise<void> {
    if (owner === undefined) await this.redis.del(this.key(key));
    else await this.redis.warmlineReplayRelease(this.key(key), owner);
  }

  private key(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('base64url');
  }
}
