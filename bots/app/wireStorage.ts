import { ConversationState, UserState, type Storage } from 'botbuilder';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../../config';
import { errorFields, type Logger } from '../../middleware/shared/logger';
import { RedisStorage } from '../../middleware/storage/redisStorage';
import { ExpiringMemoryStorage } from '../../middleware/storage/expiringMemoryStorage';
import type { Lifecycle } from './wireLifecycle';

/** The storage choice (`STORAGE`): memory, or one shared Redis connection for every store. */
export interface StorageWiring {
  /** `STORAGE=redis`. */
  readonly useRedis: boolean;
  /** `RETENTION_DAYS` in milliseconds: everything stored expires this long after its last write. */
  readonly retentionMs: number;
  /** The shared Redis connection, opened on first use and closed last when the app stops. */
  redis(): Redis;
  /** A Redis key prefix under `REDIS_KEY_PREFIX`, e.g. `key('handoff:')`. */
  key(suffix: string): string;
}

/** Bot state over the chosen storage. */
export interface BotStateWiring {
  readonly storage: Storage;
  readonly conversationState: ConversationState;
  readonly userState: UserState;
}

/** The storage choice; the Redis connection (if any is opened) closes in the lifecycle's last stop phase. */
export function wireStorage(config: Config, logger: Logger, lifecycle: Lifecycle): StorageWiring {
  let redis: Redis | undefined;
  return {
    useRedis: config.STORAGE === 'redis',
    retentionMs: config.RETENTION_DAYS * 24 * 3600_000,
    redis() {
      if (!redis) {
        const client = new Redis(config.REDIS_URL as string, redisClientOptions(config));
        client.on('error', (err) => logger.warn('redis.error', errorFields(err)));
        redis = client;
        lifecycle.onStop('connections', () => client.quit().catch(() => client.disconnect()));
      }
      return redis;
    },
    key: (suffix) => `${config.REDIS_KEY_PREFIX}${suffix}`,
  };
}

/**
 * Conversation and user state on `given` storage, or on the chosen one: Redis with a TTL, or memory with a retention
 * (purged by the housekeeping, see `wireHousekeeping`).
 */
export function wireBotState(stores: StorageWiring, given?: Storage): BotStateWiring {
  const storage: Storage =
    given ??
    (stores.useRedis
      ? new RedisStorage({ redis: stores.redis(), keyPrefix: stores.key('state:'), ttlSeconds: stores.retentionMs / 1000 })
      : new ExpiringMemoryStorage({ retentionMs: stores.retentionMs }));
  return { storage, conversationState: new ConversationState(storage), userState: new UserState(storage) };
}

/**
 * The ioredis settings of the shared connection: commands wait through a short outage (the offline queue, for
 * `REDIS_MAX_RETRIES_PER_REQUEST` reconnection attempts 100 ms, 200 ms, 400 ms... apart), none waits longer than
 * `REDIS_COMMAND_TIMEOUT_MS` for an answer, and the client reconnects for ever (at most 2 s apart).
 */
export function redisClientOptions(config: Pick<Config, 'REDIS_COMMAND_TIMEOUT_MS' | 'REDIS_MAX_RETRIES_PER_REQUEST'>): RedisOptions {
  return {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: config.REDIS_MAX_RETRIES_PER_REQUEST,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 5000,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.max(0, times - 1), 2000),
  };
}
