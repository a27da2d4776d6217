import type { Redis } from 'ioredis';
import { defineLuaCommands } from '../../middleware/shared/redisCommands';
import {
  deskSessionDigest,
  deskSessionTiming,
  MAX_DESK_SESSION_ID_CHARS,
  newDeskSecret,
  type DeskSession,
  type DeskSessionStore,
  type DeskSessionStoreOptions,
} from './deskSessions';

/** Options of {@link RedisDeskSessionStore}. */
export interface RedisDeskSessionStoreOptions extends DeskSessionStoreOptions {
  /** An ioredis client; the caller keeps ownership. */
  readonly redis: Redis;
  /**
   * Prefix of every key. @defaultValue `warmline:desk:`. On Redis Cluster wrap it in a hash tag
   * (e.g. `{warmline:desk}:`): the count script builds session keys from it.
   */
  readonly keyPrefix?: string;
}


// Keys expire this long after the session would: instances' clocks differ a little; the scripts decide expiry.
const TTL_MARGIN_MS = 1000;

// KEYS: session, agent set. ARGV: agentId, csrf, now, sessionTtl, digest, agentSetTtl, credential digest
const CREATE = `
redis.call('HSET', KEYS[1], 'agent', ARGV[1], 'csrf', ARGV[2], 'created', ARGV[3], 'seen', ARGV[3], 'cred', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
return 1`;

// KEYS: session. ARGV: now, idleMs, maxAgeMs, margin. Returns agent, csrf, created, seen, cred; or false (and deletes)
// when expired. A session stored without 'cred' comes back without it (and the console refuses it).
const TOUCH = `
local v = redis.call('HMGET', KEYS[1], 'agent', 'csrf', 'created', 'seen', 'cred')
if not v[1] or not v[2] or not v[3] or not v[4] then return false end
local now, idle, maxAge = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local created, seen = tonumber(v[3]), tonumber(v[4])
if now - seen > idle or now - created > maxAge then
  redis.call('DEL', KEYS[1])
  return false
end
if now > seen then
  seen = now
  v[4] = ARGV[1]
  redis.call('HSET', KEYS[1], 'seen', ARGV[1])
end
local left = math.min(seen + idle, created + maxAge) - now
redis.call('PEXPIRE', KEYS[1], math.floor(math.max(1, left) + tonumber(ARGV[4])))
return v`;

// KEYS: session. ARGV: agent set prefix, digest. Returns agent, csrf, created, seen, cred; or false.
const DESTROY = `
local v = redis.call('HMGET', KEYS[1], 'agent', 'csrf', 'created', 'seen', 'cred')
if not v[1] then return false end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. v[1], ARGV[2])
return v`;

// KEYS: agent set. ARGV: session key prefix, now, idleMs, maxAgeMs. Drops members whose session is gone or expired.
const COUNT = `
local now, idle, maxAge = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local n = 0
for _, d in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('HMGET', ARGV[1] .. d, 'created', 'seen')
  if v[1] and v[2] and now - tonumber(v[2]) <= idle and now - tonumber(v[1]) <= maxAge then
    n = n + 1
  else
    redis.call('SREM', KEYS[1], d)
  end
end
return n`;

/** A session's fields as TOUCH and DESTROY return them (null when it is gone). */
type SessionFields = Array<string | null> | null;

/** The scripts above as commands of the shared client: keys, then ARGV, as in each script's comment. */
interface DeskSessionCommands {
  warmlineDeskSessionCreate(sessionKey: string, agentKey: string, agentId: string, csrf: string, now: number, sessionTtl: number, digest: string, agentSetTtl: number, credentialDigest: string): Promise<number>;
  warmlineDeskSessionTouch(sessionKey: string, now: number, idleMs: number, maxAgeMs: number, margin: number): Promise<SessionFields>;
  warmlineDeskSessionDestroy(sessionKey: string, agentSetPrefix: string, digest: string): Promise<SessionFields>;
  warmlineDeskSessionCount(agentKey: string, sessionKeyPrefix: string, now: number, idleMs: number, maxAgeMs: number): Promise<number>;
}

/**
 * The console's sessions in Redis, shared by every instance: an agent signed in on one instance is signed in on all,
 * and signing out (or expiry) ends the session everywhere.
 *
 * @remarks Keys: `{prefix}session:{SHA-256 of the session id}`, a hash holding only the agent id, the CSRF token,
 * the credential digest (`deskCredentialDigest`, a 16-byte fingerprint of the password hash, never the hash) and
 * the created / last-seen times, with a TTL that follows the idle and absolute expiry (so nothing lingers); and
 * `{prefix}agent:{agentId}`, the set of an agent's session hashes (for presence), with a TTL of the session lifetime.
 * The raw session id (the cookie value) is never stored. Reads that extend a session run in one Lua script.
 * @example new RedisDeskSessionStore({ redis, keyPrefix: 'warmline:desk:', idleMs: 30 * 60_000 })
 */
export class RedisDeskSessionStore implements DeskSessionStore {
  private readonly redis: Redis & DeskSessionCommands;
  private readonly prefix: string;
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;

  constructor(options: RedisDeskSessionStoreOptions) {
    if (!options?.redis) throw new TypeError('RedisDeskSessionStore: redis is required');
    this.redis = defineLuaCommands<DeskSessionCommands>(options.redis, {
      warmlineDeskSessionCreate: { numberOfKeys: 2, lua: CREATE },
      warmlineDeskSessionTouch: { numberOfKeys: 1, lua: TOUCH },
      warmlineDeskSessionDestroy: { numberOfKeys: 1, lua: DESTROY },
      warmlineDeskSessionCount: { numberOfKeys: 1, lua: COUNT },
    });
    this.prefix = options.keyPrefix ?? 'warmline:desk:';
    const timing = deskSessionTiming(options);
    this.idleMs = timing.idleMs;
    this.maxAgeMs = timing.maxAgeMs;
    this.clock = timing.clock;
  }

  async create(agentId: string, credentialDigest: string): Promise<DeskSession> {
    if (!agentId) throw new TypeError('RedisDeskSessionStore.create: agentId is required');
    const now = this.clock();
    const id = newDeskSecret();
    const csrfToken = newDeskSecret();
    const digest = deskSessionDigest(id);
    await this.redis.warmlineDeskSessionCreate(
      this.sessionKey(digest),
      this.agentKey(agentId),
      agentId,
      csrfToken,
      now,
      Math.min(this.idleMs, this.maxAgeMs) + TTL_MARGIN_MS,
      digest,
      this.maxAgeMs + TTL_MARGIN_MS,
      credentialDigest,
    );
    return { id, agentId, credentialDigest, csrfToken, createdAt: now, lastSeenAt: now };
  }

  async touch(id: string | undefined): Promise<DeskSession | undefined> {
    if (!id || id.length > MAX_DESK_SESSION_ID_CHARS) return undefined;
    const found = await this.redis.warmlineDeskSessionTouch(this.sessionKey(deskSessionDigest(id)), this.clock(), this.idleMs, this.maxAgeMs, TTL_MARGIN_MS);
    return this.toSession(id, found);
  }

  async destroy(id: string): Promise<DeskSession | undefined> {
    if (!id || id.length > MAX_DESK_SESSION_ID_CHARS) return undefined;
    const digest = deskSessionDigest(id);
    const session = this.toSession(id, await this.redis.warmlineDeskSessionDestroy(this.sessionKey(digest), `${this.prefix}agent:`, digest));
    if (!session) return undefined;
    const now = this.clock();
    return now - session.lastSeenAt > this.idleMs || now - session.createdAt > this.maxAgeMs ? undefined : session;
  }

  async countOfAgent(agentId: string): Promise<number> {
    const n = await this.redis.warmlineDeskSessionCount(this.agentKey(agentId), `${this.prefix}session:`, this.clock(), this.idleMs, this.maxAgeMs);
    return Number(n) || 0;
  }

  private sessionKey(digest: string): string {
    return `${this.prefix}session:${digest}`;
  }

  private agentKey(agentId: string): string {
    return `${this.prefix}agent:${agentId}`;
  }

  private toSession(id: string, found: unknown): DeskSession | undefined {
    if (!Array.isArray(found) || found.length < 4) return undefined;
    const [agentId, csrfToken, created, seen, credentialDigest = ''] = found.map((x) => (x === null || x === undefined ? '' : String(x)));
    if (!agentId || !csrfToken) return undefined;
    return { id, agentId, credentialDigest, csrfToken, createdAt: Number(created), lastSeenAt: Number(seen) };
  }
}
