import { Redis } from 'ioredis';
import { defineLuaCommands, type LuaCommand } from '../../shared/redisCommands';
import { AGE_SPAN, applyResolve, assertDraft, customerKeyOf, decideClaim, planCaseWrite } from './caseWritePlan';
import {
  OPEN_STATES,
  WAITING_STATES,
  newCaseId,
  transition,
  type AgentIdentity,
  type CaseDraft,
  type CaseState,
  type ConversationPointer,
  type CustomerIdentity,
  type HandoffCase,
  type QueuedMessage,
  type TranscriptEntry,
} from '../handoffCase';
import {
  CaseConflictError,
  CaseNotFoundError,
  OpenCaseExistsError,
  MAX_ANNOUNCEMENTS,
  MAX_CLOSED_LISTED,
  agentKey,
  type AgentPresence,
  type CaseAnnouncement,
  type AgentStatus,
  type AppendResult,
  type CaseEvent,
  type CaseMessageEvent,
  type ClaimResult,
  type GetCaseOptions,
  type HandoffStore,
  type LiveAppendResult,
  type LiveLineOptions,
  type PositionChange,
  type QueueChange,
  type ResolveInput,
  type StateCounts,
  type UpdateOptions,
} from './handoffStore';
import { DEFAULT_RETENTION_MS, type MemoryHandoffStoreOptions } from './memoryHandoffStore';

/** Options of {@link RedisHandoffStore}. */
export interface RedisHandoffStoreOptions extends MemoryHandoffStoreOptions {
  /** An ioredis client (the caller keeps ownership) or a `redis://` URL (the store owns the connection). */
  readonly redis: Redis | string;
  /** Prefix of every key and of the pub/sub channel. Default `warmline:handoff:`. */
  readonly keyPrefix?: string;
}


// Every key of a case (case, msgs, msgids, live, liveids) gets the same time to live, refreshed on each write: the
// retention after the last write (closed cases), or the retention plus a day (open cases: `purgeExpired` removes an
// idle open case with its index entries before Redis would expire it under them).

// KEYS: case, conv, queue, open, msgs, idle, customer, msgids, stateIndex.
// ARGV: id, json, state, open, queued, score, createdMs, channel, eventsChannel, stateEvent|'', ttlMs, customerCases,
//       stateIndexed, nowMs, messages...
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'dup'} end
if ARGV[4] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {'open', existing} end
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[11])
  redis.call('ZADD', KEYS[6], ARGV[14], ARGV[1])
end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'version', 1, 'state', ARGV[3])
for i = 15, #ARGV do
  redis.call('RPUSH', KEYS[5], ARGV[i])
  local activityId = cjson.decode(ARGV[i]).activityId
  if type(activityId) == 'string' then redis.call('SADD', KEYS[8], activityId) end
end
if ARGV[13] == '1' then redis.call('ZADD', KEYS[9], ARGV[14], ARGV[1]) end
redis.call('ZADD', KEYS[7], ARGV[7], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[7], 0, -tonumber(ARGV[12]) - 1)
redis.call('PEXPIRE', KEYS[7], ARGV[11])
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
  redis.call('PUBLISH', ARGV[8], cjson.encode({kind = 'added', caseId = ARGV[1]}))
end
for _, k in ipairs({KEYS[1], KEYS[5], KEYS[8]}) do redis.call('PEXPIRE', k, ARGV[11]) end
if ARGV[10] ~= '' then redis.call('PUBLISH', ARGV[9], ARGV[10]) end
return {'ok'}
`;

// Check-and-set of a case and all its indexes in one step.
// KEYS: case, conv, queue, open, handling, newRoute, oldRoute, idle, oldStateIndex, newStateIndex, oldAgent, newAgent,
//       msgs, msgids, live, liveids, posts, closed.
// ARGV: id, expectedVersion, json, state, open, queued, score, handlingMs|'', handlingSamples, hasNewRoute, hasOldRoute,
//       channel, eventsChannel, stateEvent|'', nowMs, ttlMs, oldStateIndexed, newStateIndexed, oldHolder, newHolder,
//       retentionMs, closing, maxClosed
const SAVE = `
local v = redis.call('HGET', KEYS[1], 'version')
if not v then return {'missing'} end
if v ~= ARGV[2] then return {'conflict'} end
redis.call('HSET', KEYS[1], 'json', ARGV[3], 'version', tonumber(v) + 1, 'state', ARGV[4])
if ARGV[5] == '1' then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[16])
  redis.call('ZADD', KEYS[8], ARGV[15], ARGV[1])
else
  if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('ZREM', KEYS[8], ARGV[1])
end
local before = redis.call('ZSCORE', KEYS[3], ARGV[1])
local kind = nil
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
  if not before then kind = 'added' elseif tonumber(before) ~= tonumber(ARGV[7]) then kind = 'updated' end
elseif before then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HDEL', KEYS[1], 'told')
  kind = 'removed'
end
if ARGV[8] ~= '' then
  redis.call('LPUSH', KEYS[5], ARGV[8])
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[9]) - 1)
  redis.call('PEXPIRE', KEYS[5], ARGV[21])
end
if ARGV[11] == '1' and (ARGV[10] ~= '1' or KEYS[6] ~= KEYS[7]) and redis.call('GET', KEYS[7]) == ARGV[1] then
  redis.call('DEL', KEYS[7])
end
if ARGV[10] == '1' then redis.call('SET', KEYS[6], ARGV[1], 'PX', ARGV[16]) end
if KEYS[9] ~= KEYS[10] or ARGV[17] ~= ARGV[18] then
  if ARGV[17] == '1' then redis.call('ZREM', KEYS[9], ARGV[1]) end
  if ARGV[18] == '1' then redis.call('ZADD', KEYS[10], ARGV[15], ARGV[1]) end
end
if KEYS[11] ~= KEYS[12] or ARGV[19] ~= ARGV[20] then
  if ARGV[19] == '1' then redis.call('ZREM', KEYS[11], ARGV[1]) end
  if ARGV[20] == '1' then redis.call('ZADD', KEYS[12], ARGV[15], ARGV[1]) end
end
for _, k in ipairs({KEYS[1], KEYS[13], KEYS[14], KEYS[15], KEYS[16], KEYS[17]}) do redis.call('PEXPIRE', k, ARGV[16]) end
if ARGV[22] == '1' then
  redis.call('ZADD', KEYS[18], ARGV[15], ARGV[1])
  redis.call('ZREMRANGEBYRANK', KEYS[18], 0, -tonumber(ARGV[23]) - 1)
  redis.call('ZREMRANGEBYSCORE', KEYS[18], '-inf', tonumber(ARGV[15]) - tonumber(ARGV[21]))
  redis.call('PEXPIRE', KEYS[18], ARGV[21])
end
if kind then redis.call('PUBLISH', ARGV[12], cjson.encode({kind = kind, caseId = ARGV[1]})) end
if ARGV[14] ~= '' then redis.call('PUBLISH', ARGV[13], ARGV[14]) end
return {'ok'}
`;

// KEYS: presence. ARGV: ttl ms, new expiresAt. Extends an existing presence, keeping its status and watch; the JSON is
// kept byte for byte but for expiresAt (a JSON string value cannot contain an unescaped '"expiresAt":').
const RENEW_PRESENCE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return {} end
local out = string.gsub(cur, '"expiresAt":[-0-9.eE+]+', '"expiresAt":' .. ARGV[2], 1)
redis.call('SET', KEYS[1], out, 'PX', ARGV[1])
return {out}
`;

// Refreshes the time to live of every key of a case after a write beside it (KEYS 1-5: case, msgs, msgids, live,
// liveids; KEYS[6]: idle; KEYS[7]: posts). An open case (in `idle`) gets the open TTL and a new idle time; a closed one keeps its TTL.
const TOUCH = `
local ttl = redis.call('PTTL', KEYS[1])
if redis.call('ZSCORE', KEYS[6], ARGV[2]) then
  redis.call('ZADD', KEYS[6], ARGV[1], ARGV[2])
  ttl = tonumber(ARGV[3])
end
if ttl and ttl > 0 then
  for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], ttl) end
  redis.call('PEXPIRE', KEYS[7], ttl)
end
`;

// KEYS: case, msgs, msgids, live, liveids, idle, posts. ARGV: nowMs, id, ttlMs, message json, max, eventsChannel, at, activityId|'',
// waiting states... The message and its event in one step; a message whose activity id was kept is not kept again.
const APPEND = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if ARGV[8] ~= '' and redis.call('SISMEMBER', KEYS[3], ARGV[8]) == 1 then return {'dup', redis.call('LLEN', KEYS[2])} end
local waiting = false
for i = 9, #ARGV do if ARGV[i] == state then waiting = true end end
if not waiting then return {'state', state} end
local n = redis.call('LLEN', KEYS[2])
if n >= tonumber(ARGV[5]) then return {'full', n} end
n = redis.call('RPUSH', KEYS[2], ARGV[4])
if ARGV[8] ~= '' then redis.call('SADD', KEYS[3], ARGV[8]) end
${TOUCH}
redis.call('PUBLISH', ARGV[6], cjson.encode({kind = 'queued_message', caseId = ARGV[2], at = ARGV[7], count = n}))
return {'ok', n}
`;

// KEYS: case, msgs, msgids, live, liveids, idle, posts. ARGV: nowMs, id, ttlMs, line json, max lines, eventsChannel, event|'',
// line id|''.
// The line and its event in one step; a line whose id was appended is not appended (nor published) again.
const APPEND_LIVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
if ARGV[8] ~= '' and redis.call('SISMEMBER', KEYS[5], ARGV[8]) == 1 then return {'dup', redis.call('LLEN', KEYS[4])} end
local n = redis.call('RPUSH', KEYS[4], ARGV[4])
if n > tonumber(ARGV[5]) then
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[5]), -1)
  n = tonumber(ARGV[5])
end
if ARGV[8] ~= '' then redis.call('SADD', KEYS[5], ARGV[8]) end
${TOUCH}
if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
return {'ok', n}
`;

// KEYS: case, msgs, live. ARGV: '1' to read the live chat too.
// Returns {json, version, messageCount, messages..., liveLines...} read at one instant.
const READ = `
local h = redis.call('HMGET', KEYS[1], 'json', 'version')
if not h[1] then return {} end
local msgs = redis.call('LRANGE', KEYS[2], 0, -1)
local out = {h[1], h[2], tostring(#msgs)}
for _, m in ipairs(msgs) do out[#out + 1] = m end
if ARGV[1] == '1' then
  for _, m in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do out[#out + 1] = m end
end
return out
`;

// KEYS: case, queue. The position of a queued case and whether it differs from the one last told; records it.
const TELL_POSITION = `
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
if not rank or redis.call('HEXISTS', KEYS[1], 'json') == 0 then return {} end
local position = rank + 1
local told = redis.call('HGET', KEYS[1], 'told')
redis.call('HSET', KEYS[1], 'told', position)
if told == tostring(position) then return {position, 0} end
return {position, 1}
`;

// KEYS: queue. ARGV: first rank (0-based), count, case key prefix. The cases of that window whose position differs
// from the one last told, each recorded as told: {id, position, id, position...}, read and written at one instant.
// A case never told a position yet is left alone: the reply that queues its customer will tell them.
const POSITION_CHANGES = `
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1)
local out = {}
for i, id in ipairs(ids) do
  local key = ARGV[3] .. id
  local position = tonumber(ARGV[1]) + i
  local told = redis.call('HGET', key, 'told')
  if told and told ~= tostring(position) and redis.call('HEXISTS', key, 'json') == 1 then
    redis.call('HSET', key, 'told', position)
    out[#out + 1] = id
    out[#out + 1] = position
  end
end
return out
`;

// KEYS: case, msgs, msgids, live, liveids, conv, route, queue, open, idle, stateIndex, agentIndex, posts, closed.
// ARGV: id, version ('' when the case is already gone), queue-changed channel. Removes an expired case and its index
// entries, unless it was written meanwhile.
const DROP = `
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'version') ~= ARGV[2] then return 0 end
for i = 1, 5 do redis.call('DEL', KEYS[i]) end
redis.call('DEL', KEYS[13])
redis.call('ZREM', KEYS[14], ARGV[1])
if redis.call('GET', KEYS[6]) == ARGV[1] then redis.call('DEL', KEYS[6]) end
if redis.call('GET', KEYS[7]) == ARGV[1] then redis.call('DEL', KEYS[7]) end
local queued = redis.call('ZREM', KEYS[8], ARGV[1])
for i = 9, 12 do redis.call('ZREM', KEYS[i], ARGV[1]) end
if queued == 1 then redis.call('PUBLISH', ARGV[3], cjson.encode({kind = 'removed', caseId = ARGV[1]})) end
return 1
`;

// KEYS: case, posts. ARGV: conversation key, announcement json, max, fallback ttl ms. Keeps an announcement beside a
// case with the case's remaining time to live; 0 when the case is gone or holds the most announcements.
const SAVE_ANNOUNCEMENT = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
if ttl < 0 then ttl = tonumber(ARGV[4]) end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
`;

/** The scripts above as commands of the (possibly shared) client, each called with its number of keys, its keys, then ARGV. */
const COMMANDS = {
  warmlineHandoffCreate: { lua: CREATE },
  warmlineHandoffSave: { lua: SAVE },
  warmlineHandoffRenewPresence: { lua: RENEW_PRESENCE },
  warmlineHandoffAppend: { lua: APPEND },
  warmlineHandoffAppendLive: { lua: APPEND_LIVE },
  warmlineHandoffRead: { lua: READ },
  warmlineHandoffTellPosition: { lua: TELL_POSITION },
  warmlineHandoffPositionChanges: { lua: POSITION_CHANGES },
  warmlineHandoffDrop: { lua: DROP },
  warmlineHandoffSaveAnnouncement: { lua: SAVE_ANNOUNCEMENT },
} as const;
type HandoffCommand = keyof typeof COMMANDS;
type HandoffCommands = Record<HandoffCommand, LuaCommand>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Open states kept in a per-state index (`queued` has the queue itself). */
const INDEXED_STATES: readonly CaseState[] = OPEN_STATES.filter((state) => state !== 'queued');
/** Extra life of an open case's keys past the retention, so `purgeExpired` removes it with its index entries first. */
const OPEN_MARGIN_MS = 24 * 3600_000;
/** Most case ids kept per customer for `listByCustomer`. */
const CUSTOMER_CASES = 50;

/**
 * The handoff store on Redis, for several bot instances and for surviving restarts.
 *
 * @remarks Nothing is kept only in process memory. Layout under `keyPrefix`: `case:{id}` (hash: json, version,
 * state, told), `case:{id}:msgs` (list) and `:msgids` (set of their activity ids), `case:{id}:live` (list, the live
 * chat, trimmed to `maxLiveLines`) and `:liveids` (set of line ids), `case:{id}:posts` (hash: the case's announcements
 * by agent conversation); indexes `queue` (sorted set, score = priority
 * rank * 1e13 + queued epoch ms; cases queued in the same millisecond are ordered by id), `idle` (open cases by last
 * write), `state:{state}` (open cases per state but `queued`, by when they entered it), `agent:{channel}:{id}` (assigned cases per agent),
 * `customer:{key}` (a customer's latest cases), `closed` (the latest closes, by when, within the retention); `conv:{key}` and `route:{key}` (strings), `presence:{agent}` (strings
 * with a PX TTL) indexed by `presence`, `handling` (list). Every key of a case expires `retentionMs` after its last
 * write (open cases a day later, after {@link RedisHandoffStore.purgeExpired} has removed them from the indexes).
 * Writes are check-and-set Lua scripts on the case version, so a claim has exactly one winner across instances.
 * Queue changes are published on the `{prefix}queue-changed` channel, case events (state changes, live chat lines,
 * messages kept on waiting cases) on `{prefix}case-events`, each in the script that makes the write, so every instance
 * sees them once and in write order. `get` reads the live chat only when asked. The position scripts build case keys
 * from the prefix, so on Redis Cluster wrap the prefix in a hash tag (e.g. `{warmline:handoff}:`).
 * @example const store = new RedisHandoffStore({ redis: 'redis://127.0.0.1:6379', keyPrefix: 'shop:handoff:' });
 */
export class RedisHandoffStore implements HandoffStore {
  private readonly redis: Redis & HandoffCommands;
  private readonly ownsConnection: boolean;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly eventsChannel: string;
  private readonly maxLiveLines: number;
  private readonly caseListeners = new Set<(event: CaseEvent) => void>();
  private readonly clock: () => number;
  private readonly maxMessages: number;
  private readonly handlingSamples: number;
  private readonly newId: () => string;
  private readonly retentionMs: number;
  private readonly listeners = new Set<(change: QueueChange) => void>();
  private subscriber: Redis | undefined;
  private subscribing: Promise<void> | undefined;

  constructor(options: RedisHandoffStoreOptions) {
    if (!options?.redis) throw new TypeError('RedisHandoffStore: redis (client or URL) is required');
    this.ownsConnection = typeof options.redis === 'string';
    this.redis = defineLuaCommands<HandoffCommands>(typeof options.redis === 'string' ? new Redis(options.redis, { maxRetriesPerRequest: 3 }) : options.redis, COMMANDS);
    this.prefix = options.keyPrefix ?? 'warmline:handoff:';
    this.channel = `${this.prefix}queue-changed`;
    this.eventsChannel = `${this.prefix}case-events`;
    this.maxLiveLines = Math.max(1, options.maxLiveLines ?? 500);
    this.clock = options.clock ?? Date.now;
    this.maxMessages = options.maxQueuedMessages ?? 500;
    this.handlingSamples = options.handlingSamples ?? 50;
    this.newId = options.newId ?? (() => newCaseId());
    this.retentionMs = Math.round(options.retentionMs ?? DEFAULT_RETENTION_MS);
    if (!(this.retentionMs > 0)) throw new TypeError('RedisHandoffStore: retentionMs must be positive');
  }

  async create(draft: CaseDraft): Promise<HandoffCase> {
    assertDraft(draft);
    for (let attempt = 0; ; attempt++) {
      const id = attempt < 20 ? this.newId() : newCaseId(6);
      const proposed: HandoffCase = { ...draft, id, version: 1, queuedMessages: [] };
      const plan = planCaseWrite(undefined, proposed);
      const indexed = INDEXED_STATES.includes(plan.next.state);
      const result = await this.run(
        'warmlineHandoffCreate',
        [
          this.caseKey(id),
          this.convKey(draft.conversation.key),
          this.key('queue'),
          this.key('open'),
          this.msgsKey(id),
          this.key('idle'),
          this.customerKey(customerKeyOf(plan.next)),
          `${this.caseKey(id)}:msgids`,
          indexed ? this.stateKey(plan.next.state) : this.caseKey(id),
        ],
        [
          id,
          this.body(plan.next),
          plan.next.state,
          plan.open ? '1' : '0',
          plan.queued ? '1' : '0',
          plan.score,
          Date.parse(plan.next.timestamps.created),
          this.channel,
          this.eventsChannel,
          plan.stateEvent ? JSON.stringify(plan.stateEvent) : '',
          this.ttl(plan.open),
          CUSTOMER_CASES,
          indexed ? '1' : '0',
          this.clock(),
          ...draft.queuedMessages.map((m) => JSON.stringify(m)),
        ],
      );
      const [status, existing] = result;
      if (status === 'ok') return (await this.get(id)) as HandoffCase;
      if (status === 'open') throw new OpenCaseExistsError(draft.conversation.key, String(existing));
      if (attempt > 40) throw new Error('RedisHandoffStore: could not find a free case id');
    }
  }

  async get(caseId: string, options: GetCaseOptions = {}): Promise<HandoffCase | undefined> {
    const out = await this.run('warmlineHandoffRead', [this.caseKey(caseId), this.msgsKey(caseId), this.liveKey(caseId)], [options.liveChat ? '1' : '0']);
    if (out.length < 3) return undefined;
    const [json, version, count, ...rest] = out.map(String);
    const body = JSON.parse(json as string) as Omit<HandoffCase, 'version' | 'queuedMessages'>;
    const messages = rest.slice(0, Number(count));
    const live = rest.slice(Number(count));
    return {
      ...body,
      version: Number(version),
      queuedMessages: messages.map((m) => JSON.parse(m) as QueuedMessage),
      ...(live.length ? { liveChat: live.map((l) => JSON.parse(l) as TranscriptEntry) } : {}),
    };
  }

  async update(
    caseId: string,
    mutate: (current: HandoffCase) => HandoffCase,
    options: UpdateOptions = {},
  ): Promise<HandoffCase> {
    const maxRetries = options.expectedVersion === undefined ? (options.maxRetries ?? 20) : 0;
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(caseId);
      if (!current) throw new CaseNotFoundError(caseId);
      if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
        throw new CaseConflictError(caseId);
      }
      const status = await this.save(current, mutate(current));
      if (status === 'ok') return (await this.get(caseId)) as HandoffCase;
      if (status === 'missing') throw new CaseNotFoundError(caseId);
      if (attempt >= maxRetries) throw new CaseConflictError(caseId);
      await sleep(Math.random() * 3 * (attempt + 1));
    }
  }

  transition(caseId: string, to: CaseState, by: string, note?: string): Promise<HandoffCase> {
    return this.update(caseId, (c) => transition(c, to, { by, note, at: new Date(this.clock()) }));
  }

  async claim(caseId: string, agent: AgentIdentity, agentConversation?: ConversationPointer): Promise<ClaimResult> {
    // Each loss of the check-and-set means someone else wrote first: re-read and decide again.
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.get(caseId);
      if (!current) return { ok: false, reason: 'not_found' };
      const decision = decideClaim(current, agent, agentConversation, new Date(this.clock()));
      if ('lose' in decision) return decision.lose;
      const status = await this.save(current, decision.win);
      if (status === 'ok') return { ok: true, case: (await this.get(caseId)) as HandoffCase };
      if (status === 'missing') return { ok: false, reason: 'not_found' };
    }
    throw new CaseConflictError(caseId);
  }

  resolve(caseId: string, input: ResolveInput): Promise<HandoffCase> {
    return this.update(caseId, (c) => applyResolve(c, input, new Date(this.clock())));
  }

  async appendCustomerMessage(caseId: string, message: QueuedMessage): Promise<AppendResult> {
    const [status, value] = await this.run('warmlineHandoffAppend', this.caseKeys(caseId), [
      this.clock(),
      caseId,
      this.ttl(true),
      JSON.stringify(message),
      this.maxMessages,
      this.eventsChannel,
      message.at,
      message.activityId ?? '',
      ...WAITING_STATES,
    ]);
    if (status === 'ok') return { ok: true, count: Number(value) };
    if (status === 'dup') return { ok: true, count: Number(value), duplicate: true };
    if (status === 'full') return { ok: false, reason: 'full', count: Number(value) };
    if (status === 'state') return { ok: false, reason: 'not_waiting', state: String(value) as CaseState };
    return { ok: false, reason: 'not_found' };
  }

  async appendLiveLine(caseId: string, line: TranscriptEntry, event?: CaseMessageEvent, options: LiveLineOptions = {}): Promise<LiveAppendResult> {
    const [status, value] = await this.run('warmlineHandoffAppendLive', this.caseKeys(caseId), [
      this.clock(),
      caseId,
      this.ttl(true),
      JSON.stringify(line),
      this.maxLiveLines,
      this.eventsChannel,
      event ? JSON.stringify(event) : '',
      options.id ?? '',
    ]);
    if (status === 'ok') return { ok: true, count: Number(value) };
    if (status === 'dup') return { ok: true, count: Number(value), duplicate: true };
    return { ok: false, reason: 'not_found' };
  }

  async saveAnnouncement(caseId: string, announcement: CaseAnnouncement): Promise<boolean> {
    const [kept] = await this.run('warmlineHandoffSaveAnnouncement', [this.caseKey(caseId), this.postsKey(caseId)], [
      announcement.where.key,
      JSON.stringify(announcement),
      MAX_ANNOUNCEMENTS,
      this.ttl(true),
    ]);
    return Number(kept) === 1;
  }

  async listAnnouncements(caseId: string): Promise<CaseAnnouncement[]> {
    const values = await this.redis.hvals(this.postsKey(caseId));
    return values.map((v) => JSON.parse(v) as CaseAnnouncement).sort((a, b) => a.at.localeCompare(b.at));
  }

  async findOpenByConversation(conversationKey: string): Promise<HandoffCase | undefined> {
    const id = await this.redis.get(this.convKey(conversationKey));
    return id ? this.get(id) : undefined;
  }

  async findByAgentConversation(agentConversationKey: string): Promise<HandoffCase | undefined> {
    const id = await this.redis.get(this.routeKey(agentConversationKey));
    return id ? this.get(id) : undefined;
  }

  async listQueue(limit = 100): Promise<HandoffCase[]> {
    return this.many(await this.redis.zrange(this.key('queue'), 0, limit - 1));
  }

  async listQueuedBefore(queuedAtOrBeforeMs: number, limit = 100): Promise<HandoffCase[]> {
    const ids: string[] = [];
    for (const rank of [0, 1, 2]) {
      if (ids.length >= limit) break;
      ids.push(...(await this.redis.zrangebyscore(this.key('queue'), rank * AGE_SPAN, rank * AGE_SPAN + queuedAtOrBeforeMs, 'LIMIT', 0, limit - ids.length)));
    }
    return this.many(ids);
  }

  async listByState(state: CaseState, limit = 100): Promise<HandoffCase[]> {
    if (state === 'queued') return this.listQueue(limit);
    if (!INDEXED_STATES.includes(state)) return [];
    return this.many(await this.redis.zrange(this.stateKey(state), 0, limit - 1));
  }

  async listAssignedTo(agent: AgentIdentity, limit = 100): Promise<HandoffCase[]> {
    return this.many(await this.redis.zrange(this.agentKeyOf(agentKey(agent)), 0, limit - 1));
  }

  async listByCustomer(customer: CustomerIdentity, limit = 20): Promise<HandoffCase[]> {
    return this.many(await this.redis.zrevrange(this.customerKey(customerKeyOf({ customer })), 0, limit - 1));
  }

  async listClosed(limit = 50): Promise<HandoffCase[]> {
    return this.many(await this.redis.zrevrange(this.key('closed'), 0, limit - 1));
  }

  async countByState(): Promise<StateCounts> {
    const states: CaseState[] = ['queued', ...INDEXED_STATES];
    const pipeline = this.redis.pipeline();
    for (const state of states) pipeline.zcard(state === 'queued' ? this.key('queue') : this.stateKey(state));
    const results = (await pipeline.exec()) ?? [];
    const counts: Partial<Record<CaseState, number>> = {};
    states.forEach((state, i) => {
      const [err, n] = results[i] ?? [new Error('no reply'), 0];
      if (err) throw err;
      counts[state] = Number(n);
    });
    return counts;
  }

  async queuePosition(caseId: string): Promise<number | undefined> {
    const rank = await this.redis.zrank(this.key('queue'), caseId);
    return rank === null ? undefined : rank + 1;
  }

  queueLength(): Promise<number> {
    return this.redis.zcard(this.key('queue'));
  }

  async tellPosition(caseId: string): Promise<{ position: number; changed: boolean } | undefined> {
    const out = await this.run('warmlineHandoffTellPosition', [this.caseKey(caseId), this.key('queue')], [caseId]);
    if (out.length < 2) return undefined;
    return { position: Number(out[0]), changed: Number(out[1]) === 1 };
  }

  async positionChanges(fromPosition: number, count: number): Promise<PositionChange[]> {
    const from = Math.max(1, Math.floor(fromPosition));
    if (!(count > 0)) return [];
    const flat = (await this.run('warmlineHandoffPositionChanges', [this.key('queue')], [from - 1, Math.floor(count), this.caseKey('')])).map(String);
    const changes: Array<{ id: string; position: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) changes.push({ id: flat[i] as string, position: Number(flat[i + 1]) });
    const cases = await Promise.all(changes.map((x) => this.get(x.id)));
    const out: PositionChange[] = [];
    changes.forEach((x, i) => {
      const c = cases[i];
      if (c) out.push({ case: c, position: x.position });
    });
    return out;
  }

  async purgeExpired(): Promise<number> {
    const before = this.clock() - this.retentionMs;
    let removed = 0;
    for (;;) {
      const ids = await this.redis.zrangebyscore(this.key('idle'), '-inf', before, 'LIMIT', 0, 100);
      if (!ids.length) return removed;
      for (const id of ids) if (await this.drop(id)) removed += 1;
    }
  }

  async setPresence(agent: AgentIdentity, status: AgentStatus, ttlMs: number, watch?: ConversationPointer): Promise<void> {
    const presence: AgentPresence = { agent, status, expiresAt: this.clock() + ttlMs, ...(watch ? { watch } : {}) };
    const key = agentKey(agent);
    await this.redis
      .multi()
      .set(this.presenceKey(key), JSON.stringify(presence), 'PX', Math.max(1, Math.round(ttlMs)))
      .sadd(this.key('presence'), key)
      .exec();
  }

  async clearPresence(agent: AgentIdentity): Promise<void> {
    const key = agentKey(agent);
    await this.redis.multi().del(this.presenceKey(key)).srem(this.key('presence'), key).exec();
  }

  async getPresence(agent: AgentIdentity): Promise<AgentPresence | undefined> {
    const value = await this.redis.get(this.presenceKey(agentKey(agent)));
    return value === null ? undefined : (JSON.parse(value) as AgentPresence);
  }

  async renewPresence(agent: AgentIdentity, ttlMs: number): Promise<AgentStatus | undefined> {
    const ms = Math.max(1, Math.round(ttlMs));
    const [out] = await this.run('warmlineHandoffRenewPresence', [this.presenceKey(agentKey(agent))], [ms, this.clock() + ms]);
    return typeof out === 'string' ? (JSON.parse(out) as AgentPresence).status : undefined;
  }

  async listPresence(): Promise<AgentPresence[]> {
    const keys = await this.redis.smembers(this.key('presence'));
    if (!keys.length) return [];
    const values = await this.redis.mget(keys.map((k) => this.presenceKey(k)));
    const expired = keys.filter((_, i) => values[i] === null);
    // Redis expired the presence key (the TTL); drop it from the index too.
    if (expired.length) await this.redis.srem(this.key('presence'), ...expired);
    return values
      .filter((v): v is string => v !== null)
      .map((v) => JSON.parse(v) as AgentPresence)
      .sort((a, b) => (a.status === b.status ? 0 : a.status === 'online' ? -1 : 1));
  }

  async countOnline(): Promise<number> {
    return (await this.listPresence()).filter((p) => p.status === 'online').length;
  }

  async recentHandlingTimes(limit = 20): Promise<number[]> {
    return (await this.redis.lrange(this.key('handling'), 0, limit - 1)).map(Number);
  }

  async onQueueChanged(listener: (change: QueueChange) => void): Promise<() => void> {
    this.listeners.add(listener);
    this.subscribing ??= this.subscribe();
    await this.subscribing;
    return () => {
      this.listeners.delete(listener);
    };
  }

  async onCaseEvent(listener: (event: CaseEvent) => void): Promise<() => void> {
    this.caseListeners.add(listener);
    this.subscribing ??= this.subscribe();
    await this.subscribing;
    return () => {
      this.caseListeners.delete(listener);
    };
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
    this.caseListeners.clear();
    const sub = this.subscriber;
    this.subscriber = undefined;
    this.subscribing = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async subscribe(): Promise<void> {
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.eventsChannel) return this.deliverCaseEvent(message);
      if (channel !== this.channel) return;
      let change: QueueChange;
      try {
        change = JSON.parse(message) as QueueChange;
      } catch {
        return;
      }
      for (const listener of [...this.listeners]) {
        try {
          listener(change);
        } catch (err) {
          console.error('RedisHandoffStore: queue listener failed', err instanceof Error ? err.message : err);
        }
      }
    });
    await sub.subscribe(this.channel, this.eventsChannel);
  }

  private deliverCaseEvent(message: string): void {
    let event: CaseEvent;
    try {
      event = JSON.parse(message) as CaseEvent;
    } catch {
      return;
    }
    for (const listener of [...this.caseListeners]) {
      try {
        listener(event);
      } catch (err) {
        console.error('RedisHandoffStore: case listener failed', err instanceof Error ? err.message : err);
      }
    }
  }

  private async save(current: HandoffCase, proposed: HandoffCase): Promise<'ok' | 'conflict' | 'missing'> {
    const plan = planCaseWrite(current, proposed);
    const id = current.id;
    const oldIndexed = INDEXED_STATES.includes(current.state);
    const newIndexed = INDEXED_STATES.includes(plan.next.state);
    const [status] = await this.run(
      'warmlineHandoffSave',
      [
        this.caseKey(id),
        this.convKey(current.conversation.key),
        this.key('queue'),
        this.key('open'),
        this.key('handling'),
        plan.agentRoute ? this.routeKey(plan.agentRoute) : this.caseKey(id),
        plan.previousAgentRoute ? this.routeKey(plan.previousAgentRoute) : this.caseKey(id),
        this.key('idle'),
        oldIndexed ? this.stateKey(current.state) : this.caseKey(id),
        newIndexed ? this.stateKey(plan.next.state) : this.caseKey(id),
        plan.previousHolder ? this.agentKeyOf(plan.previousHolder) : this.caseKey(id),
        plan.holder ? this.agentKeyOf(plan.holder) : this.caseKey(id),
        this.msgsKey(id),
        `${this.caseKey(id)}:msgids`,
        this.liveKey(id),
        `${this.caseKey(id)}:liveids`,
        this.postsKey(id),
        this.key('closed'),
      ],
      [
        id,
        current.version,
        this.body(plan.next),
        plan.next.state,
        plan.open ? '1' : '0',
        plan.queued ? '1' : '0',
        plan.score,
        plan.handlingMs === undefined ? '' : Math.round(plan.handlingMs),
        this.handlingSamples,
        plan.agentRoute ? '1' : '0',
        plan.previousAgentRoute ? '1' : '0',
        this.channel,
        this.eventsChannel,
        plan.stateEvent ? JSON.stringify(plan.stateEvent) : '',
        this.clock(),
        this.ttl(plan.open),
        oldIndexed ? '1' : '0',
        newIndexed ? '1' : '0',
        plan.previousHolder ? '1' : '0',
        plan.holder ? '1' : '0',
        this.retentionMs,
        plan.closing ? '1' : '0',
        MAX_CLOSED_LISTED,
      ],
    );
    return status === 'ok' ? 'ok' : status === 'conflict' ? 'conflict' : 'missing';
  }

  /** Removes an expired case with its index entries (unless it was written meanwhile); true when removed. */
  private async drop(id: string): Promise<boolean> {
    const c = await this.get(id);
    const states = c ? [c.state] : INDEXED_STATES;
    const holder = c?.state === 'assigned' && c.agent ? agentKey(c.agent) : undefined;
    const route = c?.state === 'assigned' ? c.agentConversation?.key : undefined;
    // A case already gone (expired by TTL): only its index entries are left; each state index is cleaned.
    let dropped = false;
    for (const state of states) {
      const indexed = INDEXED_STATES.includes(state);
      const result = await this.run(
        'warmlineHandoffDrop',
        [
          ...this.caseKeys(id).slice(0, 5),
          c ? this.convKey(c.conversation.key) : this.caseKey(id),
          route ? this.routeKey(route) : this.caseKey(id),
          this.key('queue'),
          this.key('open'),
          this.key('idle'),
          indexed ? this.stateKey(state) : this.key('idle'),
          holder ? this.agentKeyOf(holder) : this.key('idle'),
          this.postsKey(id),
          this.key('closed'),
        ],
        [id, c ? c.version : '', this.channel],
      );
      dropped = Number(result) === 1 || dropped;
    }
    return dropped && !!c;
  }

  private async many(ids: string[]): Promise<HandoffCase[]> {
    const cases = await Promise.all(ids.map((id) => this.get(id)));
    return cases.filter((c): c is HandoffCase => c !== undefined);
  }

  // The JSON body holds neither the version, the queued messages nor the live chat: they live beside it.
  private body(c: HandoffCase): string {
    return JSON.stringify({ ...c, version: undefined, queuedMessages: undefined, liveChat: undefined });
  }

  /** Time to live of a case's keys after a write. */
  private ttl(open: boolean): number {
    return this.retentionMs + (open ? OPEN_MARGIN_MS : 0);
  }

  private async run(command: HandoffCommand, keys: string[], args: Array<string | number>): Promise<unknown[]> {
    const result = await this.redis[command](keys.length, ...keys, ...args);
    return Array.isArray(result) ? (result as unknown[]) : [result];
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }
  private caseKey(id: string): string {
    return `${this.prefix}case:${id}`;
  }
  /** case, msgs, msgids, live, liveids, idle, posts: the keys of APPEND and APPEND_LIVE. */
  private caseKeys(id: string): string[] {
    const c = this.caseKey(id);
    return [c, `${c}:msgs`, `${c}:msgids`, `${c}:live`, `${c}:liveids`, this.key('idle'), this.postsKey(id)];
  }
  private postsKey(id: string): string {
    return `${this.prefix}case:${id}:posts`;
  }
  private msgsKey(id: string): string {
    return `${this.prefix}case:${id}:msgs`;
  }
  private liveKey(id: string): string {
    return `${this.prefix}case:${id}:live`;
  }
  private stateKey(state: CaseState): string {
    return `${this.prefix}state:${state}`;
  }
  private agentKeyOf(holder: string): string {
    return `${this.prefix}agent:${holder}`;
  }
  private customerKey(customer: string): string {
    return `${this.prefix}customer:${customer}`;
  }
  private convKey(conversationKey: string): string {
    return `${this.prefix}conv:${conversationKey}`;
  }
  private routeKey(agentConversationKey: string): string {
    return `${this.prefix}route:${agentConversationKey}`;
  }
  private presenceKey(agent: string): string {
    return `${this.prefix}presence:${agent}`;
  }
}
