/**
 * Delivery of the local Direct Line channel's activities to the bot's `/api/messages`, in order per conversation,
 * with the conversation's one `conversationUpdate` first.
 * @packageDocumentation
 */
import type { Activity, ChannelAccount } from 'botbuilder';
import type { Logger } from '../../middleware/shared/logger';
import { conversationAccount, ensureUser, userAccount } from './directLineAddressing';
import type { DirectLineConversation } from './directLineConversations';

/** The bot's answer to a delivery; a failure carries the HTTP answer for the client. */
export type ForwardResult = { ok: true } | { ok: false; status: 502 | 504; code: string; message: string; unreachable: boolean };

/** What {@link BotDelivery} needs. */
export interface BotDeliveryOptions {
  /** The bot's `POST /api/messages`. */
  readonly botEndpoint: () => string;
  /** The `serviceUrl` set on delivered activities. */
  readonly serviceUrl: () => string;
  readonly channelId: string;
  readonly botAccount: ChannelAccount;
  /** Time to wait for the bot in all, retries included. */
  readonly botTimeoutMs: number;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * Sends activities to the bot as a channel does.
 *
 * @remarks A `503` with `Retry-After` (the bot could not keep it: storage unavailable, or the same activity still in
 * progress) is sent again, the same activity, after the wait it asks for (at most 5 s, within `botTimeoutMs` in all).
 * Logs name the conversation and the HTTP status, never the activity's text.
 */
export class BotDelivery {
  constructor(private readonly o: BotDeliveryOptions) {}

  /** Queues work for a conversation so deliveries to the bot keep their order. */
  enqueue<T>(c: DirectLineConversation, work: () => Promise<T>): Promise<T> {
    const run = c.queue.then(work);
    c.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * The client connected (`POST /conversations` with its token, or its stream opened): the bot gets the conversation's
   * start now, as Azure Direct Line sends it, so it can greet before the customer types. A user the client has not
   * named by then gets an id from the channel ({@link ensureUser}).
   */
  connect(c: DirectLineConversation): Promise<void> {
    ensureUser(c);
    return this.enqueue(c, () => this.startIfNeeded(c));
  }

  /** Sends the conversation's one `conversationUpdate`, unless already delivered. Runs inside the queue. */
  async startIfNeeded(c: DirectLineConversation): Promise<void> {
    if (c.started || !c.userId) return;
    const result = await this.send(c, {
      type: 'conversationUpdate',
      id: `${c.id}|start`,
      timestamp: new Date(this.o.now()),
      from: userAccount(c),
      membersAdded: [this.o.botAccount, userAccount(c)],
      ...(c.locale ? { locale: c.locale } : {}),
    });
    // Retry later only when the bot never saw it; an HTTP error means the bot got it (no double welcome).
    c.started = result.ok || !result.unreachable;
  }

  /** Delivers an activity of the conversation, addressed to the bot. */
  send(c: DirectLineConversation, activity: Partial<Activity>): Promise<ForwardResult> {
    return this.forward({
      ...activity,
      serviceUrl: this.o.serviceUrl(),
      channelId: this.o.channelId,
      conversation: conversationAccount(c),
      recipient: this.o.botAccount,
    });
  }

  private async forward(activity: Partial<Activity>): Promise<ForwardResult> {
    const until = this.o.now() + this.o.botTimeoutMs;
    for (;;) {
      const result = await this.forwardOnce(activity);
      if (result.ok || result.retryAfterMs === undefined || this.o.now() + result.retryAfterMs > until) return result;
      await new Promise((resolve) => setTimeout(resolve, result.retryAfterMs));
    }
  }

  private async forwardOnce(activity: Partial<Activity>): Promise<ForwardResult & { retryAfterMs?: number }> {
    const { logger } = this.o;
    let response: Response;
    try {
      response = await this.o.fetch(this.o.botEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(this.o.botTimeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      logger.warn('directline.bot_unreachable', { conversationId: activity.conversation?.id, timedOut });
      return timedOut
        ? { ok: false, status: 504, code: 'BotTimeout', message: 'The bot did not answer in time.', unreachable: false }
        : { ok: false, status: 502, code: 'BotUnreachable', message: 'The bot could not be reached.', unreachable: true };
    }
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { ok: true };
    logger.warn('directline.bot_error', { conversationId: activity.conversation?.id, status: response.status });
    const retryAfter = response.status === 503 ? Number(response.headers.get('retry-after')) : NaN;
    return {
      ok: false,
      status: 502,
      code: 'BotError',
      message: `The bot answered HTTP ${response.status}.`,
      unreachable: false,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: Math.min(5, retryAfter) * 1000 } : {}),
    };
  }
}
