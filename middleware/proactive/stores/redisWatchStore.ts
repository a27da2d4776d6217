import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JsonObject } from '../../handoff/handoffCase';
import { defineLuaCommands, type LuaCommand } from '../../shared/redisCommands';
import type { ParcelEventStatus } from '../carrierEvent';
import type { ParcelPage, ParcelWatch, SendClaim, WatchStore } from '../parcelWatch';
import {
  MAX_COUNTED_DAYS,
  MAX_SENT_EVENTS,
  assertClaim,
  assertDay,
  assertPageLimit,
  assertWatch,
  isParcelEventStatus,
  isWatchWants,
  normalizeExpected,
  normalizeTrackingNumber,
  type SendClaimInput,
} from './memoryWatchStore';

/** Options of {@link RedisWatchStore}. */
export interface RedisWatchStoreOptions {
  /** An ioredis client; the caller keeps ownership. */
  readonly redis: Redis;
  /** Prefix of every key. Default `warmline:watch:`. */
  readonly prefix?: string;
  /** Clock in epoch ms (expiries and times to live are counted from it). Default `Date.now`. */
  readonly now?: () => number;
}

// Helpers every script starts with. A watch is live when its key is a hash naming the same id whose expiresAt is
// still ahead of the caller's clock (its TTL alone would trust Redis's clock). Index sets only ever get longer TTLs
// (the longest expiry of their members); a key of the wrong type is treated as absent, never as an error.
const PRELUDE = `
local function live(k, id, now)
  if redis.call('TYPE', k).ok ~= 'hash' then return false end
  local f = redis.call('HMGET', k, 'id', 'expiresAt')
  local exp = tonumber(f[2])
  return f[1] == id and exp ~= nil and exp > now
end
local function bump(k, ttl)
  if redis.call('TYPE', k).ok ~= 'set' then return end
  if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end
end
local function sadd(k, m, ttl)
  local t = redis.call('TYPE', k).ok
  if t ~= 'set' and t ~= 'none' then redis.call('DEL', k) end
  redis.call('SADD', k, m)
  bump(k, ttl)
end
local function srem(k, m)
  if redis.call('TYPE', k).ok == 'set' then redis.call('SREM', k, m) end
end
local function put(k, field, v)
  if v and v ~= '' then redis.call('HSET', k, field, v) else redis.call('HDEL', k, field) end
end
-- Calls fn(key, member) for each watch hash of an index set; members whose watch is gone are removed from it.
-- fn may return true to stop the walk.
local function each_watch(index, prefix, fn)
  if redis.call('TYPE', index).ok ~= 'set' then return end
  for _, m in ipairs(redis.call('SMEMBERS', index)) do
    local k = prefix .. m
    local t = redis.call('TYPE', k).ok
    if t == 'none' then
      redis.call('SREM', index, m)
    elseif t == 'hash' and fn(k, m) then
      return
    end
  end
end
`;

// KEYS: watch, parcel index, conversation index. ARGV: now, ttl ms, member, id, tn, conversation key, parcel hash,
// conversation hash, conversation json, carrier|'', language, timeZone|'', wants, upset, createdAt, expiresAt,
// seenStatus|'', seenExpected|'', lastSent json|'', unreachable '1'|''. Adds or refreshes a watch (see WatchStore.watch).
const SAVE = `${PRELUDE}
local now, ttl, w = tonumber(ARGV[1]), tonumber(ARGV[2]), KEYS[1]
if ttl <= 0 then
  if redis.call('TYPE', w).ok == 'hash' and redis.call('HGET', w, 'id') == ARGV[4] then redis.call('DEL', w) end
  srem(KEYS[2], ARGV[3])
  srem(KEYS[3], ARGV[3])
  return 0
end
if live(w, ARGV[4], now) then
  redis.call('HSET', w, 'conv', ARGV[9], 'language', ARGV[11], 'expiresAt', ARGV[16])
  if ARGV[10] ~= '' then redis.call('HSET', w, 'carrier', ARGV[10]) end
  if ARGV[12] ~= '' then redis.call('HSET', w, 'timeZone', ARGV[12]) end
  if redis.call('HGET', w, 'wants') ~= 'delivery' then redis.call('HSET', w, 'wants', ARGV[13]) end
  if redis.call('HGET', w, 'upset') ~= '1' then redis.call('HSET', w, 'upset', ARGV[14]) end
else
  redis.call('DEL', w)
  redis.call('HSET', w, 'id', ARGV[4], 'tn', ARGV[5], 'ck', ARGV[6], 'ph', ARGV[7], 'ch', ARGV[8], 'conv', ARGV[9],
    'language', ARGV[11], 'wants', ARGV[13], 'upset', ARGV[14], 'createdAt', ARGV[15], 'expiresAt', ARGV[16])
  put(w, 'carrier', ARGV[10])
  put(w, 'timeZone', ARGV[12])
  put(w, 'seenStatus', ARGV[17])
  if ARGV[17] ~= '' then put(w, 'seenExpected', ARGV[18]) end
  put(w, 'lastSent', ARGV[19])
  put(w, 'unreachable', ARGV[20])
end
redis.call('PEXPIRE', w, ttl)
sadd(KEYS[2], ARGV[3], ttl)
sadd(KEYS[3], ARGV[3], ttl)
return 1
`;

// KEYS: index. ARGV: watch key prefix, now, fields... The fields of every live watch of the index; members whose
// watch is gone are removed from it.
const READ = `${PRELUDE}
local now, out = tonumber(ARGV[2]), {}
each_watch(KEYS[1], ARGV[1], function(k)
  local exp = tonumber(redis.call('HGET', k, 'expiresAt'))
  if exp and exp > now then out[#out + 1] = redis.call('HMGET', k, unpack(ARGV, 3)) end
end)
return out
`;

// KEYS: conversation index. ARGV: watch key prefix, parcel index prefix, now, conversation key, tn|''. Ends the
// conversation's watches (of one parcel, or all); returns how many live ones ended.
const STOP = `${PRELUDE}
local now, n = tonumber(ARGV[3]), 0
each_watch(KEYS[1], ARGV[1], function(k, m)
  local f = redis.call('HMGET', k, 'ck', 'tn', 'ph', 'expiresAt')
  if f[1] == ARGV[4] and (ARGV[5] == '' or f[2] == ARGV[5]) then
    local exp = tonumber(f[4])
    if exp and exp > now then n = n + 1 end
    redis.call('DEL', k)
    redis.call('SREM', KEYS[1], m)
    if f[3] then srem(ARGV[2] .. f[3], m) end
  end
end)
return n
`;

// KEYS: conversation index. ARGV: watch key prefix, now, conversation key. Marks its live watches upset.
const UPSET = `${PRELUDE}
local now = tonumber(ARGV[2])
each_watch(KEYS[1], ARGV[1], function(k)
  local f = redis.call('HMGET', k, 'ck', 'expiresAt')
  local exp = tonumber(f[2])
  if f[1] == ARGV[3] and exp and exp > now then redis.call('HSET', k, 'upset', '1') end
end)
return 1
`;

// KEYS: watch. ARGV: now, id, status, expected|''. What the customer saw; a later release keeps it.
const SEEN = `${PRELUDE}
if not live(KEYS[1], ARGV[2], tonumber(ARGV[1])) then return 0 end
redis.call('HSET', KEYS[1], 'seenStatus', ARGV[3])
put(KEYS[1], 'seenExpected', ARGV[4])
redis.call('HDEL', KEYS[1], 'u:seen', 'u:ss', 'u:se')
return 1
`;

// KEYS: watch. ARGV: now, id, event hash, status, expected|'', day, daily cap, lastSent json, max events, max days.
// The one atomic claim of a message sent first; keeps what the claim replaced (u:*) so a release can undo it.
const CLAIM = `${PRELUDE}
local w = KEYS[1]
if not live(w, ARGV[2], tonumber(ARGV[1])) then return 'gone' end
local f = redis.call('HMGET', w, 'unreachable', 'sent', 'seenStatus', 'seenExpected', 'lastSent')
if f[1] == '1' then return 'gone' end
local sent = f[2] or ''
if string.find(' ' .. sent .. ' ', ' ' .. ARGV[3] .. ' ', 1, true) then return 'duplicate' end
if f[3] == ARGV[4] and (f[4] or '') == ARGV[5] then return 'duplicate' end
local day = 'd:' .. ARGV[6]
local count = tonumber(redis.call('HGET', w, day)) or 0
if count >= tonumber(ARGV[7]) then return 'capped' end
redis.call('HSET', w, 'undo', ARGV[3], 'u:seen', '1')
put(w, 'u:ls', f[5])
put(w, 'u:ss', f[3])
put(w, 'u:se', f[4])
redis.call('HSET', w, 'seenStatus', ARGV[4], 'lastSent', ARGV[8], day, tostring(count + 1))
put(w, 'seenExpected', ARGV[5])
local ids = {}
for e in string.gmatch(sent, '%S+') do ids[#ids + 1] = e end
ids[#ids + 1] = ARGV[3]
redis.call('HSET', w, 'sent', table.concat(ids, ' ', math.max(1, #ids - tonumber(ARGV[9]) + 1), #ids))
local days = {}
for _, name in ipairs(redis.call('HKEYS', w)) do
  if string.sub(name, 1, 2) == 'd:' then days[#days + 1] = name end
end
if #days > tonumber(ARGV[10]) then
  table.sort(days)
  for i = 1, #days - tonumber(ARGV[10]) do redis.call('HDEL', w, days[i]) end
end
return 'claimed'
`;

// KEYS: watch. ARGV: now, id, event hash, day. Undoes a claim: the event id and the day's count go; when it was the
// latest claim, lastSent (and the seen status, unless marked seen since) go back to what they were.
const RELEASE = `${PRELUDE}
local w = KEYS[1]
if not live(w, ARGV[2], tonumber(ARGV[1])) then return 0 end
local f = redis.call('HMGET', w, 'sent', 'undo')
local ids, found = {}, false
for e in string.gmatch(f[1] or '', '%S+') do
  if e == ARGV[3] and not found then found = true else ids[#ids + 1] = e end
end
if not found then return 0 end
put(w, 'sent', table.concat(ids, ' '))
local day = 'd:' .. ARGV[4]
local count = tonumber(redis.call('HGET', w, day)) or 0
if count > 1 then redis.call('HSET', w, day, tostring(count - 1)) else redis.call('HDEL', w, day) end
if f[2] == ARGV[3] then
  local u = redis.call('HMGET', w, 'u:ls', 'u:seen', 'u:ss', 'u:se')
  put(w, 'lastSent', u[1])
  if u[2] == '1' then
    put(w, 'seenStatus', u[3])
    if u[3] then put(w, 'seenExpected', u[4]) else redis.call('HDEL', w, 'seenExpected') end
  end
  redis.call('HDEL', w, 'undo', 'u:ls', 'u:seen', 'u:ss', 'u:se')
end
return 1
`;

// KEYS: watch. ARGV: now, id.
const UNREACHABLE = `${PRELUDE}
if not live(KEYS[1], ARGV[2], tonumber(ARGV[1])) then return 0 end
redis.call('HSET', KEYS[1], 'unreachable', '1')
return 1
`;

// KEYS: watch. ARGV: now, id, expiresAt, ttl ms, member, parcel index prefix, conversation index prefix. A new expiry
// (in the past: the watch ends), its indexes living at least as long.
const EXPIRE = `${PRELUDE}
local w, ttl = KEYS[1], tonumber(ARGV[4])
if not live(w, ARGV[2], tonumber(ARGV[1])) then return 0 end
local f = redis.call('HMGET', w, 'ph', 'ch')
if ttl <= 0 then
  redis.call('DEL', w)
  if f[1] then srem(ARGV[6] .. f[1], ARGV[5]) end
  if f[2] then srem(ARGV[7] .. f[2], ARGV[5]) end
  return 1
end
redis.call('HSET', w, 'expiresAt', ARGV[3])
redis.call('PEXPIRE', w, ttl)
if f[1] then bump(ARGV[6] .. f[1], ttl) end
if f[2] then bump(ARGV[7] .. f[2], ttl) end
return 1
`;

// KEYS: parcel indexes (from SCAN). ARGV: watch key prefix, now. For each index that is a set, one live (expiresAt
// ahead of now), reachable watch of it: { index key, tn, carrier|'' }, preferring one that names its carrier. Members
// whose watch is gone are removed from the index; keys and fields of the wrong type are skipped.
const PARCELS = `${PRELUDE}
local now, out = tonumber(ARGV[2]), {}
for _, idx in ipairs(KEYS) do
  local tn, carrier = nil, ''
  each_watch(idx, ARGV[1], function(k)
    local f = redis.call('HMGET', k, 'tn', 'carrier', 'expiresAt', 'unreachable')
    local exp = tonumber(f[3])
    if f[1] and exp and exp > now and f[4] ~= '1' and (not tn or carrier == '') then
      tn = f[1]
      carrier = f[2] or ''
      return carrier ~= ''
    end
  end)
  if tn then out[#out + 1] = { idx, tn, carrier } end
end
return out
`;

/** The scripts above as commands of the (possibly shared) client: keys, then ARGV. */
interface WatchCommands {
  warmlineWatchSave: LuaCommand<number>;
  warmlineWatchRead: LuaCommand<unknown>;
  warmlineWatchStop: LuaCommand<number>;
  warmlineWatchUpset: LuaCommand<number>;
  warmlineWatchSeen: LuaCommand<number>;
  warmlineWatchClaim: LuaCommand<string>;
  warmlineWatchRelease: LuaCommand<number>;
  warmlineWatchUnreachable: LuaCommand<number>;
  warmlineWatchExpire: LuaCommand<number>;
  warmlineWatchParcels: LuaCommand<unknown>;
}

/** The watch fields read back, in the order READ returns them. */
const FIELDS = [
  'id',
  'tn',
  'ck',
  'conv',
  'carrier',
  'language',
  'timeZone',
  'wants',
  'upset',
  'createdAt',
  'expiresAt',
  'seenStatus',
  'seenExpected',
  'lastSent',
  'unreachable',
] as const;
type Field = (typeof FIELDS)[number];

const hash = (value: string): string => createHash('sha256').update(value).digest('base64url');
/** A claimed event id as kept in a watch: 128 bits of its SHA-256, with no separator in it. */
const eventHash = (eventId: string): string => hash(eventId).slice(0, 22);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A watch from its stored fields, or undefined when anything is missing or malformed (the record is ignored). */
function parseWatch(row: unknown): ParcelWatch | undefined {
  if (!Array.isArray(row) || row.length !== FIELDS.length) return undefined;
  const f = {} as Record<Field, string | undefined>;
  FIELDS.forEach((name, i) => {
    const value: unknown = row[i];
    f[name] = typeof value === 'string' ? value : undefined;
  });
  const { id, tn, ck, language, createdAt } = f;
  if (!id || !tn || !ck || language === undefined || createdAt === undefined || id !== `${ck}|${tn}`) return undefined;
  const conversation = parseJson(f.conv ?? '');
  if (!isObject(conversation) || conversation.key !== ck || typeof conversation.channel !== 'string' || !isObject(conversation.reference)) {
    return undefined;
  }
  const expiresAt = Number(f.expiresAt);
  if (!f.expiresAt || !Number.isFinite(expiresAt) || !isWatchWants(f.wants) || (f.upset !== '0' && f.upset !== '1')) return undefined;
  if (f.seenStatus !== undefined && !isParcelEventStatus(f.seenStatus)) return undefined;
  let lastSent: ParcelWatch['lastSent'];
  if (f.lastSent !== undefined) {
    const sent = parseJson(f.lastSent);
    if (!isObject(sent) || typeof sent.eventId !== 'string' || !isParcelEventStatus(sent.status) || typeof sent.at !== 'string') return undefined;
    if (sent.expected !== undefined && typeof sent.expected !== 'string') return undefined;
    lastSent = { eventId: sent.eventId, status: sent.status, at: sent.at, ...(typeof sent.expected === 'string' ? { expected: sent.expected } : {}) };
  }
  return {
    id,
    trackingNumber: tn,
    ...(f.carrier !== undefined ? { carrier: f.carrier } : {}),
    conversation: { key: ck, channel: conversation.channel, reference: conversation.reference as JsonObject },
    language,
    ...(f.timeZone !== undefined ? { timeZone: f.timeZone } : {}),
    wants: f.wants,
    upset: f.upset === '1',
    createdAt,
    expiresAt,
    ...(f.seenStatus !== undefined ? { seenStatus: f.seenStatus } : {}),
    ...(f.seenStatus !== undefined && f.seenExpected !== undefined ? { seenExpected: f.seenExpected } : {}),
    ...(lastSent ? { lastSent } : {}),
    ...(f.unreachable === '1' ? { unreachable: true } : {}),
  };
}

/** True for a non-empty string of ASCII digits (a `SCAN` cursor). */
function isDigits(text: string): boolean {
  if (!text.length || text.length > 20) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `text` with Redis glob's special characters escaped, for a `SCAN ... MATCH` pattern that is a literal prefix. */
function escapeGlob(text: string): string {
  let out = '';
  for (const ch of text) out += ch === '*' || ch === '?' || ch === '[' || ch === ']' || ch === '\\' ? '\\' + ch : ch;
  return out;
}

/**
 * The watch store on Redis, shared by every instance.
 *
 * @remarks Layout under `prefix`: `w:{h(id)}` (hash: the watch's fields, the conversation pointer as its JSON
 * string, `sent` (hashes of the claimed event ids, space separated, the latest {@link MAX_SENT_EVENTS}), `d:{day}`
 * (claims per customer day, the latest {@link MAX_COUNTED_DAYS} days), and `undo`/`u:*` (what the latest claim
 * replaced, for `releaseSend`)); `p:{h(trackingNumber)}` and `c:{h(conversationKey)}` (sets of `h(id)`), where `h`
 * is SHA-256 in base64url, so no tracking number or conversation key appears in a key name. A watch's key expires at
 * `expiresAt` (its PX is counted from the `now` clock); an index set lives as long as its longest-lived watch, and
 * members whose watch is gone are removed when the index is read. Every method is one Lua script (`claimSend` reads,
 * checks and records in one step, so across instances exactly one claim wins). A key of the wrong type or a record
 * that does not parse is ignored, never thrown on. The scripts build watch and index keys from the prefix, so on
 * Redis Cluster wrap the prefix in a hash tag (e.g. `{warmline:watch}:`).
 * {@link parcels} walks the `p:*` index keys with `SCAN` (`COUNT limit`, the prefix escaped for `MATCH`), then one
 * script reads, for each index found, one live, reachable watch of it (its `tn` and `carrier` fields, checked against
 * the index's hash), dropping members whose watch is gone: bounded by `limit` indexes and their members.
 * @example const store = new RedisWatchStore({ redis, prefix: 'shop:watch:' });
 */
export class RedisWatchStore implements WatchStore {
  private readonly redis: Redis & WatchCommands;
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(options: RedisWatchStoreOptions) {
    if (!options?.redis) throw new TypeError('RedisWatchStore: redis is required');
    this.redis = defineLuaCommands<WatchCommands>(options.redis, {
      warmlineWatchSave: { numberOfKeys: 3, lua: SAVE },
      warmlineWatchRead: { numberOfKeys: 1, lua: READ },
      warmlineWatchStop: { numberOfKeys: 1, lua: STOP },
      warmlineWatchUpset: { numberOfKeys: 1, lua: UPSET },
      warmlineWatchSeen: { numberOfKeys: 1, lua: SEEN },
      warmlineWatchClaim: { numberOfKeys: 1, lua: CLAIM },
      warmlineWatchRelease: { numberOfKeys: 1, lua: RELEASE },
      warmlineWatchUnreachable: { numberOfKeys: 1, lua: UNREACHABLE },
      warmlineWatchExpire: { numberOfKeys: 1, lua: EXPIRE },
      // The number of keys varies: each call passes it first.
      warmlineWatchParcels: { lua: PARCELS },
    });
    this.prefix = options.prefix ?? 'warmline:watch:';
    this.now = options.now ?? Date.now;
  }

  async watch(watch: ParcelWatch): Promise<void> {
    assertWatch(watch);
    const now = this.now();
    const tn = watch.trackingNumber;
    const ck = watch.conversation.key;
    const seenExpected = normalizeExpected(watch.seenExpected);
    await this.redis.warmlineWatchSave(
      this.watchKey(watch.id),
      this.prefix + 'p:' + hash(tn),
      this.prefix + 'c:' + hash(ck),
      now,
      Math.ceil(watch.expiresAt - now),
      hash(watch.id),
      watch.id,
      tn,
      ck,
      hash(tn),
      hash(ck),
      JSON.stringify(watch.conversation),
      watch.carrier ?? '',
      watch.language,
      watch.timeZone ?? '',
      watch.wants,
      watch.upset ? '1' : '0',
      watch.createdAt,
      String(watch.expiresAt),
      watch.seenStatus ?? '',
      seenExpected ?? '',
      watch.lastSent ? JSON.stringify(watch.lastSent) : '',
      watch.unreachable ? '1' : '',
    );
  }

  async forParcel(trackingNumber: string): Promise<ParcelWatch[]> {
    const tn = normalizeTrackingNumber(trackingNumber);
    return (await this.read(this.prefix + 'p:' + hash(tn))).filter((w) => w.trackingNumber === tn);
  }

  async forConversation(conversationKey: string): Promise<ParcelWatch[]> {
    return (await this.read(this.prefix + 'c:' + hash(conversationKey))).filter((w) => w.conversation.key === conversationKey);
  }

  async stop(conversationKey: string, trackingNumber?: string): Promise<number> {
    const tn = trackingNumber === undefined ? '' : normalizeTrackingNumber(trackingNumber);
    const ended = await this.redis.warmlineWatchStop(
      this.prefix + 'c:' + hash(conversationKey),
      this.prefix + 'w:',
      this.prefix + 'p:',
      this.now(),
      conversationKey,
      tn,
    );
    return Number(ended) || 0;
  }

  async markUpset(conversationKey: string): Promise<void> {
    await this.redis.warmlineWatchUpset(this.prefix + 'c:' + hash(conversationKey), this.prefix + 'w:', this.now(), conversationKey);
  }

  async markSeen(watchId: string, status: ParcelEventStatus, expected?: string): Promise<void> {
    if (!isParcelEventStatus(status)) throw new TypeError('markSeen: unknown status');
    await this.redis.warmlineWatchSeen(this.watchKey(watchId), this.now(), watchId, status, normalizeExpected(expected) ?? '');
  }

  async claimSend(watchId: string, claim: SendClaimInput): Promise<SendClaim> {
    assertClaim(claim);
    const expected = normalizeExpected(claim.expected);
    const lastSent = { eventId: claim.eventId, status: claim.status, at: claim.at, ...(expected !== undefined ? { expected } : {}) };
    const result = await this.redis.warmlineWatchClaim(
      this.watchKey(watchId),
      this.now(),
      watchId,
      eventHash(claim.eventId),
      claim.status,
      expected ?? '',
      claim.day,
      // Lua compares numbers: a cap of Infinity would not survive the trip as text.
      Number.isFinite(claim.dailyCap) ? claim.dailyCap : Number.MAX_SAFE_INTEGER,
      JSON.stringify(lastSent),
      MAX_SENT_EVENTS,
      MAX_COUNTED_DAYS,
    );
    if (result === 'claimed' || result === 'duplicate' || result === 'capped' || result === 'gone') return result;
    throw new Error('RedisWatchStore: unexpected reply to claimSend');
  }

  async releaseSend(watchId: string, eventId: string, day: string): Promise<void> {
    assertDay(day);
    await this.redis.warmlineWatchRelease(this.watchKey(watchId), this.now(), watchId, eventHash(eventId), day);
  }

  async markUnreachable(watchId: string): Promise<void> {
    await this.redis.warmlineWatchUnreachable(this.watchKey(watchId), this.now(), watchId);
  }

  async expireAt(watchId: string, epochMs: number): Promise<void> {
    if (!Number.isFinite(epochMs)) throw new TypeError('expireAt: epochMs must be a number');
    const now = this.now();
    await this.redis.warmlineWatchExpire(
      this.watchKey(watchId),
      now,
      watchId,
      String(epochMs),
      Math.ceil(epochMs - now),
      hash(watchId),
      this.prefix + 'p:',
      this.prefix + 'c:',
    );
  }

  async parcels(cursor: string, limit: number): Promise<ParcelPage> {
    if (typeof cursor !== 'string' || (cursor !== '' && !isDigits(cursor))) throw new TypeError('parcels: cursor must be "" or one this store returned');
    assertPageLimit(limit);
    const parcelPrefix = this.prefix + 'p:';
    const [next, keys] = await this.redis.scan(cursor === '' ? '0' : cursor, 'MATCH', escapeGlob(parcelPrefix) + '*', 'COUNT', limit);
    const parcels: ParcelPage['parcels'] = [];
    const indexes = [...new Set(keys)];
    if (indexes.length) {
      const rows = await this.redis.warmlineWatchParcels(indexes.length, ...indexes, this.prefix + 'w:', this.now());
      for (const row of Array.isArray(rows) ? rows : []) {
        if (!Array.isArray(row) || row.length !== 3) continue;
        const [index, tn, carrier]: unknown[] = row;
        // The watch must be one of this parcel: its tracking number hashes to the index's name.
        if (typeof tn !== 'string' || !tn || tn !== normalizeTrackingNumber(tn) || tn.includes('|')) continue;
        if (index !== parcelPrefix + hash(tn)) continue;
        parcels.push({ trackingNumber: tn, ...(typeof carrier === 'string' && carrier ? { carrier } : {}) });
      }
    }
    return { parcels, cursor: next === '0' ? '' : next };
  }

  private async read(indexKey: string): Promise<ParcelWatch[]> {
    const rows = await this.redis.warmlineWatchRead(indexKey, this.prefix + 'w:', this.now(), ...FIELDS);
    if (!Array.isArray(rows)) return [];
    const out: ParcelWatch[] = [];
    for (const row of rows) {
      const watch = parseWatch(row);
      if (watch) out.push(watch);
    }
    return out;
  }

  private watchKey(watchId: string): string {
    return this.prefix + 'w:' + hash(watchId);
  }
}
