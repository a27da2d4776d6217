import { luaScript as lua, runLuaScript, type LuaScript } from '../storage/redisScript';
import { Redis } from 'ioredis';
import { applyResolve, assertDraft, decideClaim, planCaseWrite } from './caseWritePlan';
import {
  WAITING_STATES,
  newCaseId,
  transition,
  type AgentIdentity,
  type CaseDraft,
  type CaseState,
  type ConversationPointer,
  type HandoffCase,
  type QueuedMessage,
  type TranscriptEntry,
} from './handoffCase';
import {
  CaseConflictError,
  CaseNotFoundError,
  OpenCaseExistsError,
  agentKey,
  type AgentPresence,
  type AgentStatus,
  type AppendResult,
  type CaseEvent,
  type CaseMessageEvent,
  type ClaimResult,
  type GetCaseOptions,
  type HandoffStore,
  type LiveAppendResult,
  type QueueChange,
  type ResolveInput,
  type UpdateOptions,
} from './handoffStore';
import type { MemoryHandoffStoreOptions } from './memoryHandoffStore';

/** Options of {@link RedisHandoffStore}. */
export interface RedisHandoffStoreOptions extends MemoryHandoffStoreOptions {
  /** An ioredis client (the caller keeps ownership) or a `redis://` URL (the store owns the connection). */
  readonly redis: Redis | string;
  /** Prefix of every key and of the pub/sub channel. Default `warmline:handoff:`. */
  readonly keyPrefix?: string;
}


// KEYS: case, conv, queue, open, msgs.
// ARGV: id, json, state, open, queued, score, createdMs, channel, eventsChannel, stateEvent|'', messages...
const CREATE = lua(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {'dup'} end
if ARGV[4] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {'open', existing} end
  redis.call('SET', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[1])
end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'version', 1, 'state', ARGV[3])
for i = 11, #ARGV do redis.call('RPUSH', KEYS[5], ARGV[i]) end
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
  redis.call('PUBLISH', ARGV[8], cjson.encode({kind = 'added', caseId = ARGV[1]}))
end
if ARGV[10] ~= '' then redis.call('PUBLISH', ARGV[9], ARGV[10]) end
return {'ok'}
`);

// Check-and-set of a case and all its indexes in one step.
// KEYS: case, conv, queue, open, handling, newRoute, oldRoute.
// ARGV: id, expectedVersion, json, state, open, queued, score, handlingMs|'', handlingSamples, hasNewRoute, hasOldRoute, channel,
//       eventsChannel, stateEvent|''
const SAVE = lua(`
local v = redis.call('HGET', KEYS[1], 'version')
if not v then return {'missing'} end
if v ~= ARGV[2] then return {'conflict'} end
redis.call('HSET', KEYS[1], 'json', ARGV[3], 'version', tonumber(v) + 1, 'state', ARGV[4])
if ARGV[5] == '1' then
  redis.call('SET', KEYS[2], ARGV[1])
else
  if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
  redis.call('ZREM', KEYS[4], ARGV[1])
end
local before = redis.call('ZSCORE', KEYS[3], ARGV[1])
local kind = nil
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
  if not before then kind = 'added' elseif tonumber(before) ~= tonumber(ARGV[7]) then kind = 'updated' end
elseif before then
  redis.call('ZREM', KEYS[3], ARGV[1])
  kind = 'removed'
end
if ARGV[8] ~= '' then
  redis.call('LPUSH', KEYS[5], ARGV[8])
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[9]) - 1)
end
if ARGV[11] == '1' and (ARGV[10] ~= '1' or KEYS[6] ~= KEYS[7]) and redis.call('GET', KEYS[7]) == ARGV[1] then
  redis.call('DEL', KEYS[7])
end
if ARGV[10] == '1' then redis.call('SET', KEYS[6], ARGV[1]) end
if kind then redis.call('PUBLISH', ARGV[12], cjson.encode({kind = kind, caseId = ARGV[1]})) end
if ARGV[14] ~= '' then redis.call('PUBLISH', ARGV[13], ARGV[14]) end
return {'ok'}
`);

// KEYS: presence. ARGV: ttl ms, new expiresAt. Extends an existing presence, keeping its status and watch; the JSON is
// kept byte for byte but for expiresAt (a JSON string value cannot contain an unescaped '"expiresAt":').
const RENEW_PRESENCE = lua(`
local cur = redis.call('GET', KEYS[1])
if not cur then return {} end
local out = string.gsub(cur, '"expiresAt":[-0-9.eE+]+', '"expiresAt":' .. ARGV[2], 1)
redis.call('SET', KEYS[1], out, 'PX', ARGV[1])
return {out}
`);

// KEYS: case, msgs. ARGV: message json, max, eventsChannel, id, at, waiting states... The message and its event in one step.
const APPEND = lua(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
local waiting = false
for i = 6, #ARGV do if ARGV[i] == state then waiting = true end end
if not waiting then return {'state', state} end
local n = redis.call('LLEN', KEYS[2])
if n >= tonumber(ARGV[2]) then return {'full', n} end
n = redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[3], cjson.encode({kind = 'queued_message', caseId = ARGV[4], at = ARGV[5], count = n}))
return {'ok', n}
`);

// KEYS: case, live. ARGV: line json, max lines, eventsChannel, event|''. The line and its event in one step.
const APPEND_LIVE = lua(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local n = redis.call('RPUSH', KEYS[2], ARGV[1])
if n > tonumber(ARGV[2]) then
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
  n = tonumber(ARGV[2])
end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return {'ok', n}
`);

// KEYS: case, msgs, live. ARGV: '1' to read the live chat too.
// Returns {json, version, messageCount, messages..., liveLines...} read at one instant.
const READ = lua(`
local h = redis.call('HMGET', KEYS[1], 'json', 'version')
if not h[1] then return {} end
local msgs = redis.call('LRANGE', KEYS[2], 0, -1)
local out = {h[1], h[2], tostring(#msgs)}
for _, m in ipairs(msgs) do out[#out + 1] = m end
if ARGV[1] == '1' then
  for _, m in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do out[#out + 1] = m end
end
return out
`);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The handoff store on Redis, for several bot instances and for surviving restarts.
 *
 * @remarks Nothing is kept only in process memory. Layout under `keyPrefix`: `case:{id}` (hash: json, version,
 * state), `case:{id}:msgs` (list), `case:{id}:live` (list, the live chat, trimmed to `maxLiveLines`), `queue` (sorted set, score = priority rank * 1e13 + queued epoch ms), `open`
 * (sorted set by creation), `conv:{key}` and `route:{key}` (strings), `presence:{agent}` (strings with a PX TTL)
 * indexed by `presence`, `handling` (list). Writes are check-and-set Lua scripts on the case version, so a claim has
 * exactly one winner across instances. Queue changes are published on the `{prefix}queue-changed` channel, case
 * events (state changes, live chat lines, messages kept on waiting cases) on `{prefix}case-events`, each in the
 * script that makes the write, so every instance sees them once and in write order. `get` reads the live chat only
 * when asked.
 * @example const store = new RedisHandoffStore({ redis: 'redis://127.0.0.1:6379', keyPrefix: 'shop:handoff:' });
 */
export class RedisHandoffStore implements HandoffStore {
  private readonly redis: Redis;
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
  private readonly listeners = new Set<(change: QueueChange) => void>();
  private subscriber: Redis | undefined;
  private subscribing: Promise<void> | undefined;

  constructor(options: RedisHandoffStoreOptions) {
    if (!options?.redis) throw new TypeError('RedisHandoffStore: redis (client or URL) is required');
    this.ownsConnection = typeof options.redis === 'string';
    this.redis = typeof options.redis === 'string' ? new Redis(options.redis, { maxRetriesPerRequest: 3 }) : options.redis;
    this.prefix = options.keyPrefix ?? 'warmline:handoff:';
    this.channel = `${this.prefix}queue-changed`;
    this.eventsChannel = `${this.prefix}case-events`;
    this.maxLiveLines = Math.max(1, options.maxLiveLines ?? 500);
    this.clock = options.clock ?? Date.now;
    this.maxMessages = options.maxQueuedMessages ?? 500;
    this.handlingSamples = options.handlingSamples ?? 50;
    this.newId = options.newId ?? (() => newCaseId());
  }

  async create(draft: CaseDraft): Promise<HandoffCase> {
    assertDraft(draft);
    for (let attempt = 0; ; attempt++) {
      const id = attempt < 20 ? this.newId() : newCaseId(6);
      const proposed: HandoffCase = { ...draft, id, version: 1, queuedMessages: [] };
      const plan = planCaseWrite(undefined, proposed);
      const result = await this.run(
        CREATE,
        [this.caseKey(id), this.convKey(draft.conversation.key), this.key('queue'), this.key('open'), this.msgsKey(id)],
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
    const out = await this.run(READ, [this.caseKey(caseId), this.msgsKey(caseId), this.liveKey(caseId)], [options.liveChat ? '1' : '0']);
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
    const [status, value] = await this.run(
      APPEND,
      [this.caseKey(caseId), this.msgsKey(caseId)],
      [JSON.stringify(message), this.maxMessages, this.eventsChannel, caseId, message.at, ...WAITING_STATES],
    );
    if (status === 'ok') return { ok: true, count: Number(value) };
    if (status === 'full') return { ok: false, reason: 'full', count: Number(value) };
    if (status === 'state') return { ok: false, reason: 'not_waiting', state: String(value) as CaseState };
    return { ok: false, reason: 'not_found' };
  }

  async appendLiveLine(caseId: string, line: TranscriptEntry, event?: CaseMessageEvent): Promise<LiveAppendResult> {
    const [status, value] = await this.run(
      APPEND_LIVE,
      [this.caseKey(caseId), this.liveKey(caseId)],
      [JSON.stringify(line), this.maxLiveLines, this.eventsChannel, event ? JSON.stringify(event) : ''],
    );
    return status === 'ok' ? { ok: true, count: Number(value) } : { ok: false, reason: 'not_found' };
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

  async listOpen(limit = 100): Promise<HandoffCase[]> {
    return this.many(await this.redis.zrange(this.key('open'), 0, limit - 1));
  }

  async queuePosition(caseId: string): Promise<number | undefined> {
    const rank = await this.redis.zrank(this.key('queue'), caseId);
    return rank === null ? undefined : rank + 1;
  }

  queueLength(): Promise<number> {
    return this.redis.zcard(this.key('queue'));
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
    const [out] = await this.run(RENEW_PRESENCE, [this.presenceKey(agentKey(agent))], [ms, this.clock() + ms]);
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
    const [status] = await this.run(
      SAVE,
      [
        this.caseKey(id),
        this.convKey(current.conversation.key),
        this.key('queue'),
        this.key('open'),
        this.key('handling'),
        plan.agentRoute ? this.routeKey(plan.agentRoute) : this.caseKey(id),
        plan.previousAgentRoute ? this.routeKey(plan.previousAgentRoute) : this.caseKey(id),
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
      ],
    );
    return status === 'ok' ? 'ok' : status === 'conflict' ? 'conflict' : 'missing';
  }

  private async many(ids: string[]): Promise<HandoffCase[]> {
    const cases = await Promise.all(ids.map((id) => this.get(id)));
    return cases.filter((c): c is HandoffCase => c !== undefined);
  }

  // The JSON body holds neither the version, the queued messages nor the live chat: they live beside it.
  private body(c: HandoffCase): string {
    return JSON.stringify({ ...c, version: undefined, queuedMessages: undefined, liveChat: undefined });
  }

  private async run(script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown[]> {
    const result = await runLuaScript(this.redis, script, keys, args);
    return Array.isArray(result) ? (result as unknown[]) : [];
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }
  private caseKey(id: string): string {
    return `${this.prefix}case:${id}`;
  }
  private msgsKey(id: string): string {
    return `${this.prefix}case:${id}:msgs`;
  }
  private liveKey(id: string): string {
    return `${this.prefix}case:${id}:live`;
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
