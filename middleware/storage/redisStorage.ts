import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import { Redis } from 'ioredis';
import { defineLuaCommands, type LuaCommand } from '../shared/redisCommands';

/** Options of {@link RedisStorage}. */
export interface RedisStorageOptions {
  /** An ioredis client (the caller keeps ownership) or a `redis://` URL (the storage owns the connection). */
  readonly redis: Redis | string;
  /** Prefix of every key. Default `warmline:state:`. */
  readonly keyPrefix?: string;
  /** Time to live of each item, renewed on every write, in seconds. Default: none (items never expire). */
  readonly ttlSeconds?: number;
}

/** Thrown when a write carries an eTag that is no longer the stored one. */
export class ETagConflictError extends Error {
  constructor(readonly key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}

// KEYS: items. ARGV: ttlMs, then per item: json, expected eTag ('' or '*' = unconditional), new eTag.
// All eTags are checked before anything is written, so a batch is written whole or not at all.
const WRITE = `
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  local expected = ARGV[(i - 1) * 3 + 3]
  if expected ~= '' and expected ~= '*' then
    local current = redis.call('HGET', KEYS[i], 'etag')
    if current and current ~= expected then return {'conflict', i} end
  end
end
for i = 1, #KEYS do
  local base = (i - 1) * 3 + 1
  redis.call('HSET', KEYS[i], 'json', ARGV[base + 1], 'etag', ARGV[base + 3])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) else redis.call('PERSIST', KEYS[i]) end
end
return {'ok'}
`;

/** WRITE as a command of the (possibly shared) client: number of items, their keys, then ARGV as above. */
interface StorageCommands {
  warmlineStorageWrite: LuaCommand;
}

/**
 * A botbuilder `Storage` on Redis, for conversation and user state shared by several bot instances.
 *
 * @remarks Same eTag semantics as botbuilder's `MemoryStorage`: a write without an eTag, or with `*`, always wins;
 * a write whose eTag is not the stored one fails with {@link ETagConflictError}; a write to a missing key wins.
 * The check-and-set runs in one Lua script, and a batch is atomic (MemoryStorage may write part of a batch).
 * Each item is a hash `{json, etag}` under `keyPrefix + key`.
 * @example const conversationState = new ConversationState(new RedisStorage({ redis: config.REDIS_URL }));
 */
export class RedisStorage implements Storage {
  private readonly redis: Redis & StorageCommands;
  private readonly ownsConnection: boolean;
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(options: RedisStorageOptions) {
    if (!options?.redis) throw new TypeError('RedisStorage: redis (client or URL) is required');
    if (options.ttlSeconds !== undefined && !(options.ttlSeconds > 0)) {
      throw new TypeError('RedisStorage: ttlSeconds must be a positive number');
    }
    this.ownsConnection = typeof options.redis === 'string';
    this.redis = defineLuaCommands<StorageCommands>(typeof options.redis === 'string' ? new Redis(options.redis, { maxRetriesPerRequest: 3 }) : options.redis, {
      warmlineStorageWrite: { lua: WRITE },
    });
    this.prefix = options.keyPrefix ?? 'warmline:state:';
    this.ttlMs = options.ttlSeconds ? Math.round(options.ttlSeconds * 1000) : 0;
  }

  /** Reads the items that exist; missing keys are absent from the result. */
  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    if (!keys.length) return items;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hmget(this.prefix + key, 'json', 'etag');
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([err, value], i) => {
      if (err) throw err;
      const [json, eTag] = value as [string | null, string | null];
      if (json !== null) items[keys[i] as string] = { ...(JSON.parse(json) as object), eTag: eTag ?? undefined };
    });
    return items;
  }

  /**
   * Writes the items, each with a new eTag.
   *
   * @throws {@link ETagConflictError} when an item's eTag is stale; nothing of the batch is written then.
   */
  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    const keys = Object.keys(changes);
    if (!keys.length) return;
    const args: Array<string | number> = [this.ttlMs];
    for (const key of keys) {
      const item: unknown = changes[key];
      if (item === null || typeof item !== 'object') throw new TypeError(`RedisStorage: item "${key}" must be an object`);
      const { eTag, ...rest } = item as { eTag?: unknown };
      args.push(JSON.stringify(rest), typeof eTag === 'string' ? eTag : '', randomUUID());
    }
    const redisKeys = keys.map((k) => this.prefix + k);
    const result = await this.redis.warmlineStorageWrite(redisKeys.length, ...redisKeys, ...args);
    const [status, index] = Array.isArray(result) ? (result as unknown[]) : [];
    if (status === 'conflict') throw new ETagConflictError(keys[Number(index) - 1] as string);
    if (status !== 'ok') throw new Error('RedisStorage: unexpected answer from Redis');
  }

  /** Deletes the items; missing keys are ignored. */
  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length) await this.redis.del(...keys.map((k) => this.prefix + k));
  }

  /** Closes the connection when the storage opened it from a URL. */
  async dispose(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
