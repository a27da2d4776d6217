import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';

/** Limits and clock for {@link DirectLineConversations}. */
export interface DirectLineConversationsOptions {
  maxConversations: number;
  maxActivitiesPerConversation: number;
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
  /** Highest sequence number given out; the watermark is its decimal string. */
  seq: number;
  /** Kept activities with their sequence numbers, oldest first (bounded). */
  readonly activities: Array<{ seq: number; activity: Partial<Activity> }>;
  lastActiveAt: number;
  /** Latest expiry of any token issued for this conversation. */
  tokenExpiresAt: number;
  /** Serialises deliveries to the bot so the welcome comes before the first message's turn. */
  queue: Promise<void>;
  readonly sinks: Set<ActivitySink>;
}

/** Why a token was refused. */
export type TokenCheck =
  | { ok: true; conversation: DirectLineConversation }
  | { ok: false; status: 403 | 404; code: string; message: string };

const randomId = (bytes: number): string => randomBytes(bytes).toString('base64url');

/**
 * The in-memory state of the local Direct Line endpoint: conversations, their tokens, stream tickets and
 * bounded activity logs with watermarks.
 *
 * @remarks Tokens are random, bound to one conversation and expire; stream tickets (the `t` of a `streamUrl`)
 * are single use. Nothing here is shared between processes: the local endpoint is for one instance.
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

  /** Creates a conversation, or returns `undefined` when the limit is reached even after pruning. */
  create(): DirectLineConversation | undefined {
    if (this.conversations.size >= this.options.maxConversations) this.prune();
    if (this.conversations.size >= this.options.maxConversations) return undefined;
    const now = this.options.now();
    const conversation: DirectLineConversation = {
      id: randomId(18),
      started: false,
      seq: 0,
      activities: [],
      lastActiveAt: now,
      tokenExpiresAt: now,
      queue: Promise.resolve(),
      sinks: new Set(),
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** The conversation with this id, if kept. */
  get(conversationId: string): DirectLineConversation | undefined {
    return this.conversations.get(conversationId);
  }

  /** Issues a new token for a conversation. */
  issueToken(conversation: DirectLineConversation): { token: string; expiresIn: number } {
    const token = randomId(32);
    const expiresAt = this.options.now() + this.options.tokenLifetimeMs;
    this.tokens.set(token, { conversationId: conversation.id, expiresAt });
    conversation.tokenExpiresAt = Math.max(conversation.tokenExpiresAt, expiresAt);
    this.pruneTokens();
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

  /** Issues a single-use stream ticket that resumes after `watermark`. */
  issueTicket(conversation: DirectLineConversation, watermark: number): string {
    const now = this.options.now();
    for (const [t, v] of this.tickets) if (v.expiresAt <= now) this.tickets.delete(t);
    const ticket = randomId(24);
    this.tickets.set(ticket, { conversationId: conversation.id, watermark, expiresAt: now + this.options.streamUrlLifetimeMs });
    return ticket;
  }

  /** Consumes a stream ticket; `undefined` when unknown, used, expired or for another conversation. */
  takeTicket(ticket: string, conversationId: string): { conversation: DirectLineConversation; watermark: number } | undefined {
    const entry = this.tickets.get(ticket);
    if (!entry) return undefined;
    this.tickets.delete(ticket);
    if (entry.expiresAt <= this.options.now() || entry.conversationId !== conversationId) return undefined;
    const conversation = this.conversations.get(conversationId);
    return conversation ? { conversation, watermark: entry.watermark } : undefined;
  }

  /**
   * Appends an activity (giving it its sequence number) and pushes it to every open stream.
   *
   * @returns the watermark after the activity.
   */
  append(conversation: DirectLineConversation, activity: Partial<Activity>, seq: number): string {
    conversation.activities.push({ seq, activity });
    const overflow = conversation.activities.length - this.options.maxActivitiesPerConversation;
    if (overflow > 0) conversation.activities.splice(0, overflow);
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
  find(conversation: DirectLineConversation, activityId: string): { seq: number; activity: Partial<Activity> } | undefined {
    return conversation.activities.find((a) => a.activity.id === activityId);
  }

  /** Removes a kept activity by id; `false` when it is not kept. */
  remove(conversation: DirectLineConversation, activityId: string): boolean {
    const index = conversation.activities.findIndex((a) => a.activity.id === activityId);
    if (index < 0) return false;
    conversation.activities.splice(index, 1);
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

  private pruneTokens(): void {
    const now = this.options.now();
    for (const [t, v] of this.tokens) {
      if (v.expiresAt <= now || !this.conversations.has(v.conversationId)) this.tokens.delete(t);
    }
  }
}
