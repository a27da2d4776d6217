import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';

/** Limits and clock for {@link DirectLineConversations}. */
export interface DirectLineConversationsOptions {
  maxConversations: number;
  maxActivitiesPerConversation: number;
  /** Most bytes (JSON) of the activities kept per conversation; the oldest go first. */
  maxConversationBytes: number;
  tokenLifetimeMs: number;
  streamUrlLifetimeMs: number;
  now: () => number;
}

/** Something that receives activity sets as they are appended (a WebSocket, in practice). */
export interface ActivitySink {
  send(frame: string): void;
}

/** One local Direct Line conversation, kept in memory. */
export interface DirectLineConversation {
  readonly id: string;
  userId?: string;
  userName?: string;
  locale?: string;
  /** The bot has received the conversation's `conversationUpdate` (or it was at least delivered once). */
  started: boolean;
  /** The user posted an activity that was kept: the conversation is in use even with no stream open. */
  userPosted: boolean;
  /** Highest sequence number given out; the watermark is its decimal string. */
  seq: number;
  /** Kept activities with their sequence numbers and sizes (bytes of JSON), oldest first (bounded in count and bytes). */
  readonly activities: KeptActivity[];
  /** Sum of the `bytes` of the kept activities. */
  keptBytes: number;
  lastActiveAt: number;
  /** Latest expiry of any token issued for this conversation. */
  tokenExpiresAt: number;
  /** Serialises deliveries to the bot so the welcome comes before the first message's turn. */
  queue: Promise<void>;
  readonly sinks: Set<ActivitySink>;
  /** Tokens issued for this conversation, oldest first (bounded: the oldest is revoked). */
  readonly tokens: string[];
  /** Stream tickets not yet used, oldest first (bounded: the oldest is revoked). */
  readonly tickets: string[];
}

/** One kept activity. */
export interface KeptActivity {
  readonly seq: number;
  activity: Partial<Activity>;
  /** Bytes of its JSON. */
  bytes: number;
}

/** Why a token was refused. */
export type TokenCheck =
  | { ok: true; conversation: DirectLineConversation }
  | { ok: false; status: 403 | 404; code: string; message: string };

const randomId = (bytes: number): string => randomBytes(bytes).toString('base64url');
/** Live tokens per conversation: Web Chat refreshes every 15 minutes, so two or three are in use at most. */
const MAX_TOKENS_PER_CONVERSATION = 8;
/** Unused stream tickets per conversation: each reconnection asks for one. */
const MAX_TICKETS_PER_CONVERSATION = 16;

/** Bytes of an activity's JSON, as kept and sent. */
export const activityBytes = (activity: Partial<Activity>): number => Buffer.byteLength(JSON.stringify(activity));

/**
 * The in-memory state of the local Direct Line endpoint: conversations, their tokens, stream tickets and
 * bounded activity logs with watermarks.
 *
 * @remarks Tokens are random, bound to one conversation and expire; stream tickets (the `t` of a `streamUrl`)
 * are single use; both are bounded per conversation (8 tokens, 16 tickets; the oldest is revoked). Each
 * conversation keeps at most `maxActivitiesPerConversation` activities and `maxConversationBytes` bytes of them,
 * dropping the oldest. When `maxConversations` are kept, a new one first replaces expired conversations, then the
 * oldest unused one (no activity posted by the user, no stream open). Nothing here is shared between processes: the
 * local endpoint is for one instance.
 */
export class DirectLineConversations {
  private readonly conversations = new Map<string, DirectLineConversation>();
  private readonly tokens = new Map<string, { conversationId: string; expiresAt: number }>();
  private readonly tickets = new Map<string, { conversationId: string; watermark: number; expiresAt: number }>();

  constructor(private readonly options: DirectLineConversationsOptions) {}

  /** Number of conversations kept. */
  get size(): number {
    return this.conversations.size;
  }

  /** Ids of the conversations kept. */
  ids(): string[] {
    return [...this.conversations.keys()];
  }

  /**
   * Creates a conversation. At the limit, expired conversations are dropped first, then the oldest one never used (no
   * activity from the user, no open stream); `undefined` when every kept conversation is live and in use.
   */
  create(): DirectLineConversation | undefined {
    if (this.conversations.size >= this.options.maxConversations) this.prune();
    if (this.conversations.size >= this.options.maxConversations && !this.evictUnused()) return undefined;
    const now = this.options.now();
    const conversation: DirectLineConversation = {
      id: randomId(18),
      started: false,
      userPosted: false,
      seq: 0,
      activities: [],
      keptBytes: 0,
      lastActiveAt: now,
      tokenExpiresAt: now,
      queue: Promise.resolve(),
      sinks: new Set(),
      tokens: [],
      tickets: [],
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** The conversation with this id, if kept. */
  get(conversationId: string): DirectLineConversation | undefined {
    return this.conversations.get(conversationId);
  }

  /** Issues a new token for a conversation; past 8 live tokens, its oldest is revoked. */
  issueToken(conversation: DirectLineConversation): { token: string; expiresIn: number } {
    const token = randomId(32);
    const expiresAt = this.options.now() + this.options.tokenLifetimeMs;
    this.tokens.set(token, { conversationId: conversation.id, expiresAt });
    conversation.tokens.push(token);
    while (conversation.tokens.length > MAX_TOKENS_PER_CONVERSATION) this.tokens.delete(conversation.tokens.shift() as string);
    conversation.tokenExpiresAt = Math.max(conversation.tokenExpiresAt, expiresAt);
    return { token, expiresIn: Math.floor(this.options.tokenLifetimeMs / 1000) };
  }

  /**
   * Checks a bearer token, and that it belongs to `conversationId` when one is given.
   *
   * @remarks Missing, unknown or expired tokens and tokens of another conversation give 403; a valid token
   * for a conversation that no longer exists (or an unknown `conversationId`) gives 404.
   */
  checkToken(token: string | undefined, conversationId?: string): TokenCheck {
    const entry = token ? this.tokens.get(token) : undefined;
    if (!entry) return { ok: false, status: 403, code: 'BadArgument', message: 'Missing or invalid token.' };
    if (entry.expiresAt <= this.options.now()) {
      return { ok: false, status: 403, code: 'TokenExpired', message: 'The token has expired.' };
    }
    const target = conversationId ?? entry.conversationId;
    const conversation = this.conversations.get(target);
    if (!conversation) return { ok: false, status: 404, code: 'BadArgument', message: 'Unknown conversation.' };
    if (target !== entry.conversationId) {
      return { ok: false, status: 403, code: 'BadArgument', message: 'The token is not valid for this conversation.' };
    }
    conversation.lastActiveAt = this.options.now();
    return { ok: true, conversation };
  }

  /** Issues a single-use stream ticket that resumes after `watermark`; past 16 unused ones, its oldest is revoked. */
  issueTicket(conversation: DirectLineConversation, watermark: number): string {
    const ticket = randomId(24);
    this.tickets.set(ticket, { conversationId: conversation.id, watermark, expiresAt: this.options.now() + this.options.streamUrlLifetimeMs });
    conversation.tickets.push(ticket);
    while (conversation.tickets.length > MAX_TICKETS_PER_CONVERSATION) this.tickets.delete(conversation.tickets.shift() as string);
    return ticket;
  }

  /** Consumes a stream ticket; `undefined` when unknown, used, expired or for another conversation. */
  takeTicket(ticket: string, conversationId: string): { conversation: DirectLineConversation; watermark: number } | undefined {
    const entry = this.tickets.get(ticket);
    if (!entry) return undefined;
    this.tickets.delete(ticket);
    const owner = this.conversations.get(entry.conversationId);
    const index = owner ? owner.tickets.indexOf(ticket) : -1;
    if (owner && index >= 0) owner.tickets.splice(index, 1);
    if (entry.expiresAt <= this.options.now() || entry.conversationId !== conversationId) return undefined;
    return owner ? { conversation: owner, watermark: entry.watermark } : undefined;
  }

  /**
   * Appends an activity (giving it its sequence number), drops the oldest ones past the count and byte limits, and
   * pushes it to every open stream.
   *
   * @param bytes - Size of the activity's JSON, when the caller already measured it.
   * @returns the watermark after the activity.
   */
  append(conversation: DirectLineConversation, activity: Partial<Activity>, seq: number, bytes = activityBytes(activity)): string {
    conversation.activities.push({ seq, activity, bytes });
    conversation.keptBytes += bytes;
    this.trim(conversation);
    conversation.lastActiveAt = this.options.now();
    const watermark = String(seq);
    this.broadcast(conversation, JSON.stringify({ activities: [activity], watermark }));
    return watermark;
  }

  /** Reserves the next sequence number (and so the next activity id) of a conversation. */
  nextSeq(conversation: DirectLineConversation): number {
    conversation.seq += 1;
    return conversation.seq;
  }

  /** Pushes an activity to open streams without keeping it (typing indicators). */
  pushEphemeral(conversation: DirectLineConversation, activity: Partial<Activity>): void {
    this.broadcast(conversation, JSON.stringify({ activities: [activity] }));
  }

  /** Kept activities after a watermark, with the watermark to resume from. */
  since(conversation: DirectLineConversation, watermark: number): { activities: Partial<Activity>[]; watermark: string } {
    const activities = conversation.activities.filter((a) => a.seq > watermark).map((a) => a.activity);
    return { activities, watermark: String(Math.max(watermark, conversation.seq)) };
  }

  /** Finds a kept activity by id. */
  find(conversation: DirectLineConversation, activityId: string): KeptActivity | undefined {
    return conversation.activities.find((a) => a.activity.id === activityId);
  }

  /** Replaces a kept activity (an update), keeping the byte count right. */
  replace(conversation: DirectLineConversation, kept: KeptActivity, activity: Partial<Activity>, bytes = activityBytes(activity)): void {
    conversation.keptBytes += bytes - kept.bytes;
    kept.activity = activity;
    kept.bytes = bytes;
    this.trim(conversation);
  }

  /** Removes a kept activity by id; `false` when it is not kept. */
  remove(conversation: DirectLineConversation, activityId: string): boolean {
    const index = conversation.activities.findIndex((a) => a.activity.id === activityId);
    if (index < 0) return false;
    const [removed] = conversation.activities.splice(index, 1);
    conversation.keptBytes -= removed.bytes;
    return true;
  }

  /** Sends one frame to every open stream of the conversation. */
  broadcast(conversation: DirectLineConversation, frame: string): void {
    for (const sink of conversation.sinks) sink.send(frame);
  }

  /** Parses a watermark query value; anything that is not a non-negative integer means "from the start". */
  static parseWatermark(value: string | null | undefined): number {
    if (!value || !/^\d{1,15}$/.test(value)) return 0;
    return Number(value);
  }

  /** Drops conversations whose tokens have all expired and that have no open stream. */
  prune(): void {
    const now = this.options.now();
    for (const [id, c] of this.conversations) {
      if (c.tokenExpiresAt <= now && c.sinks.size === 0) this.conversations.delete(id);
    }
    this.pruneTokens();
  }

  /** Drops the oldest kept activities past the count and byte limits (the newest one always stays). */
  private trim(conversation: DirectLineConversation): void {
    const { activities } = conversation;
    let drop = Math.max(0, activities.length - this.options.maxActivitiesPerConversation);
    let bytes = conversation.keptBytes;
    for (let i = 0; i < drop; i++) bytes -= activities[i].bytes;
    while (bytes > this.options.maxConversationBytes && drop < activities.length - 1) bytes -= activities[drop++].bytes;
    if (drop === 0) return;
    activities.splice(0, drop);
    conversation.keptBytes = bytes;
  }

  /** Drops the oldest conversation nobody uses (no activity from the user, no open stream); `false` when none. */
  private evictUnused(): boolean {
    for (const [id, c] of this.conversations) {
      if (c.userPosted || c.sinks.size > 0) continue;
      this.conversations.delete(id);
      for (const token of c.tokens) this.tokens.delete(token);
      for (const ticket of c.tickets) this.tickets.delete(ticket);
      return true;
    }
    return false;
  }

  private pruneTokens(): void {
    const now = this.options.now();
    for (const [t, v] of this.tokens) {
      if (v.expiresAt <= now || !this.conversations.has(v.conversationId)) this.tokens.delete(t);
    }
    for (const [t, v] of this.tickets) {
      if (v.expiresAt <= now || !this.conversations.has(v.conversationId)) this.tickets.delete(t);
    }
    for (const c of this.conversations.values()) {
      removeMissing(c.tokens, this.tokens);
      removeMissing(c.tickets, this.tickets);
    }
  }
}

/** Removes from `list`, in place, the entries `live` no longer has. */
function removeMissing(list: string[], live: ReadonlyMap<string, unknown>): void {
  let kept = 0;
  for (const entry of list) if (live.has(entry)) list[kept++] = entry;
  list.length = kept;
}
