import { Redis } from 'ioredis';
import { defineLuaCommands } from '../../shared/redisCommands';
import type { FailedOutboxItem, NewOutboxItem, Outbox, OutboxItem } from './outbox';

/** Options of {@link RedisOutbox}. */
export interface RedisOutboxOptions {
  /** An ioredis client (the caller keeps ownership) or a `redis://` URL (the outbox owns the connection). */
  readonly redis: Redis | string;
  /**
   * Prefix of every key. Default `warmline:outbox:`. Give each connector its own prefix. On Redis Cluster, wrap
   * it in a hash tag (e.g. `{warmline:outbox}:`) since the scripts build item keys from it.
   */
  readonly keyPrefix?: string;
  /**
   * How long a delivery is kept at most (pending or failed), in ms: its hash expires then, and failed ones leave the
   * failed list. @defaultValue 30 days (`RETENTION_DAYS`)
   */
  readonly retentionMs?: number;
}

// KEYS: due, item. ARGV: id, event, body, caseId, createdAt, dueAt, failedKey, retentionMs
const ENQUEUE = `
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', ARGV[7]) == 1 then return 0 end
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'event', ARGV[2], 'body', ARGV[3], 'caseId', ARGV[4], 'createdAt', ARGV[5], 'dueAt', ARGV[6], 'attempts', 0)
redis.call('PEXPIRE', KEYS[2], ARGV[8])
redis.call('ZADD', KEYS[1], ARGV[6], ARGV[1])
return 1`;

// KEYS: due. ARGV: now, limit, leaseUntil, itemPrefix
const LEASE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local key = ARGV[4] .. id
  if redis.call('EXISTS', key) == 1 then
    redis.call('HINCRBY', key, 'attempts', 1)
    redis.call('HSET', key, 'dueAt', ARGV[3])
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    table.insert(out, redis.call('HGETALL', key))
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`;

// KEYS: due, item. ARGV: id, dueAt, lastError
const RESCHEDULE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'dueAt', ARGV[2], 'lastError', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1`;

// KEYS: due, item, failedIndex, failedItem. ARGV: id, reason, failedAt, retentionMs
const FAIL = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('RENAME', KEYS[2], KEYS[4])
redis.call('HSET', KEYS[4], 'reason', ARGV[2], 'failedAt', ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[4]))
return 1`;

// KEYS: due, item, failedIndex, failedItem. ARGV: id, dueAt
const RETRY_FAILED = `
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
redis.call('RENAME', KEYS[4], KEYS[2])
redis.call('HDEL', KEYS[2], 'reason', 'failedAt', 'lastError')
redis.call('HSET', KEYS[2], 'dueAt', ARGV[2], 'attempts', 0)
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1`;

/** The scripts above as commands of the (possibly shared) client; arguments as in each script's comment. */
interface OutboxCommands {
  warmlineOutboxEnqueue(dueKey: string, itemKey: string, id: string, event: string, body: string, caseId: string, createdAt: number, dueAt: number, failedKey: string, retentionMs: number): Promise<number>;
  warmlineOutboxLease(dueKey: string, now: number, limit: number, leaseUntil: number, itemPrefix: string): Promise<string[][]>;
  warmlineOutboxReschedule(dueKey: string, itemKey: string, id: string, dueAt: number, lastError: string): Promise<number>;
  warmlineOutboxFail(dueKey: string, itemKey: string, failedIndexKey: string, failedKey: string, id: string, reason: string, failedAt: number, retentionMs: number): Promise<number>;
  warmlineOutboxRetryFailed(dueKey: string, itemKey: string, failedIndexKey: string, failedKey: string, id: string, dueAt: number): Promise<number>;
}

type Fields = Record<string, string>;

function toItem(f: Fields): OutboxItem {
  return {
    id: f.id ?? '',
    event: f.event ?? '',
    body: f.body ?? '',
    attempts: Number(f.attempts ?? 0),
    createdAt: Number(f.createdAt ?? 0),
    dueAt: Number(f.dueAt ?? 0),
    ...(f.caseId ? { caseId: f.caseId } : {}),
    ...(f.lastError ? { lastError: f.lastError } : {}),
  };
}

const pairs = (flat: string[]): Fields => {
  const f: Fields = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i] as string] = flat[i + 1] as string;
  return f;
};

/**
 * An {@link Outbox} in Redis: a sorted set of ids by due time plus one hash per delivery, changed only by Lua
 * scripts so that leasing is atomic across instances. Survives restarts of the bot.
 *
 * @example const outbox = new RedisOutbox({ redis: 'redis://127.0.0.1:6379', keyPrefix: 'warmline:outbox:crm:' });
 */
export class RedisOutbox implements Outbox {
  private readonly redis: Redis & OutboxCommands;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly retentionMs: number;

  constructor(options: RedisOutboxOptions) {
    if (!options?.redis) throw new TypeError('RedisOutbox: redis (client or URL) is required');
    this.owned = typeof options.redis === 'string';
    this.redis = defineLuaCommands<OutboxCommands>(typeof options.redis === 'string' ? new Redis(options.redis, { maxRetriesPerRequest: 3 }) : options.redis, {
      warmlineOutboxEnqueue: { numberOfKeys: 2, lua: ENQUEUE },
      warmlineOutboxLease: { numberOfKeys: 1, lua: LEASE },
      warmlineOutboxReschedule: { numberOfKeys: 2, lua: RESCHEDULE },
      warmlineOutboxFail: { numberOfKeys: 4, lua: FAIL },
      warmlineOutboxRetryFailed: { numberOfKeys: 4, lua: RETRY_FAILED },
    });
    this.prefix = options.keyPrefix ?? 'warmline:outbox:';
    this.retentionMs = Math.round(options.retentionMs ?? 30 * 24 * 3600_000);
    if (!(this.retentionMs > 0)) throw new TypeError('RedisOutbox: retentionMs must be positive');
  }

  private get dueKey(): string {
    return `${this.prefix}due`;
  }
  private get failedIndexKey(): string {
    return `${this.prefix}failed`;
  }
  private itemKey(id: string): string {
    return `${this.prefix}item:${id}`;
  }
  private failedKey(id: string): string {
    return `${this.prefix}failed:${id}`;
  }

  async enqueue(item: NewOutboxItem, dueAt: number = Date.now()): Promise<void> {
    if (!item.id) throw new TypeError('RedisOutbox.enqueue: id is required');
    await this.redis.warmlineOutboxEnqueue(this.dueKey, this.itemKey(item.id), item.id, item.event, item.body, item.caseId ?? '', Date.now(), dueAt, this.failedKey(item.id), this.retentionMs);
  }

  async lease(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    const rows = await this.redis.warmlineOutboxLease(this.dueKey, now, limit, now + leaseMs, `${this.prefix}item:`);
    return rows.map((r) => toItem(pairs(r)));
  }

  async complete(id: string): Promise<void> {
    await this.redis.multi().del(this.itemKey(id)).zrem(this.dueKey, id).exec();
  }

  async reschedule(id: string, dueAt: number, lastError: string): Promise<void> {
    await this.redis.warmlineOutboxReschedule(this.dueKey, this.itemKey(id), id, dueAt, lastError);
  }

  async fail(id: string, reason: string, now: number = Date.now()): Promise<void> {
    await this.redis.warmlineOutboxFail(this.dueKey, this.itemKey(id), this.failedIndexKey, this.failedKey(id), id, reason, now, this.retentionMs);
  }

  async listFailed(limit = 100): Promise<FailedOutboxItem[]> {
    const ids = await this.redis.zrevrange(this.failedIndexKey, 0, limit - 1);
    const out: FailedOutboxItem[] = [];
    for (const id of ids) {
      const f = await this.redis.hgetall(this.failedKey(id));
      if (!f.id) continue;
      out.push({ ...toItem(f), failedAt: Number(f.failedAt ?? 0), reason: f.reason ?? '' });
    }
    return out;
  }

  async retryFailed(id: string, dueAt: number = Date.now()): Promise<boolean> {
    return (await this.redis.warmlineOutboxRetryFailed(this.dueKey, this.itemKey(id), this.failedIndexKey, this.failedKey(id), id, dueAt)) === 1;
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.dueKey);
  }

  async nextDueAt(): Promise<number | undefined> {
    const first = await this.redis.zrange(this.dueKey, 0, 0, 'WITHSCORES');
    return first.length >= 2 ? Number(first[1]) : undefined;
  }

  async dispose(): Promise<void> {
    if (this.owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
