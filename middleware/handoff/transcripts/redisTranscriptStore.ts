import { Redis } from 'ioredis';
import type { TranscriptEntry } from '../handoffCase';
import type { TranscriptStore } from './transcriptStore';

/** Options of {@link RedisTranscriptStore}. */
export interface RedisTranscriptStoreOptions {
  /** An ioredis client (the caller keeps ownership) or a `redis://` URL (the store owns the connection). */
  readonly redis: Redis | string;
  /** Prefix of every key. Default `warmline:transcript:`. */
  readonly keyPrefix?: string;
  /** Entries kept per conversation. Default 100. */
  readonly maxEntries?: number;
  /** A transcript expires this long after its last write, in seconds. Default 7 days. */
  readonly ttlSeconds?: number;
}

/**
 * Transcripts on Redis: one capped list per conversation (`RPUSH` + `LTRIM` + `EXPIRE` in one transaction).
 *
 * @example const transcripts = new RedisTranscriptStore({ redis: 'redis://127.0.0.1:6379' });
 */
export class RedisTranscriptStore implements TranscriptStore {
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly prefix: string;
  private readonly maxEntries: number;
  private readonly ttlSeconds: number;

  constructor(options: RedisTranscriptStoreOptions) {
    if (!options?.redis) throw new TypeError('RedisTranscriptStore: redis (client or URL) is required');
    this.ownsConnection = typeof options.redis === 'string';
    this.redis = typeof options.redis === 'string' ? new Redis(options.redis, { maxRetriesPerRequest: 3 }) : options.redis;
    this.prefix = options.keyPrefix ?? 'warmline:transcript:';
    this.maxEntries = options.maxEntries ?? 100;
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new TypeError('RedisTranscriptStore: maxEntries must be a positive integer');
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) throw new TypeError('RedisTranscriptStore: ttlSeconds must be a positive integer');
  }

  async append(conversationKey: string, entries: readonly TranscriptEntry[]): Promise<void> {
    if (!entries.length) return;
    const key = this.key(conversationKey);
    await this.redis
      .multi()
      .rpush(key, ...entries.map((e) => JSON.stringify(e)))
      .ltrim(key, -this.maxEntries, -1)
      .expire(key, this.ttlSeconds)
      .exec();
  }

  async read(conversationKey: string, limit?: number): Promise<TranscriptEntry[]> {
    const from = limit === undefined ? 0 : -Math.max(1, limit);
    const raw = await this.redis.lrange(this.key(conversationKey), from, -1);
    const entries: TranscriptEntry[] = [];
    for (const item of raw) {
      try {
        entries.push(JSON.parse(item) as TranscriptEntry);
      } catch {
        // A foreign value under our prefix: skip it rather than fail a handoff.
      }
    }
    return entries;
  }

  async clear(conversationKey: string): Promise<void> {
    await this.redis.del(this.key(conversationKey));
  }

  /** Closes the connection when the store opened it. */
  async dispose(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(conversationKey: string): string {
    return `${this.prefix}${conversationKey}`;
  }
}
