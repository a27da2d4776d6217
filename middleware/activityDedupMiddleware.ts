import { createHash, randomUUID } from 'node:crypto';
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder-core';
import type { ReplayCache } from './shared/replayCache';
import { RetryLaterError } from './shared/retryLater';
import { recordTurn, type TurnFields, type TurnRecorder } from './warmlineTurn';

/** Options of {@link ActivityDedupMiddleware}. */
export interface ActivityDedupOptions {
  /**
   * Where handled activities are remembered: `MemoryReplayCache` for one instance, `RedisReplayCache` shared by every
   * instance (a retry reaching another instance is then recognised too).
   */
  readonly ledger: ReplayCache;
  /** How long a turn in progress holds its activity: an instance that dies mid-turn gives it up after this. @defaultValue 15 s */
  readonly leaseMs?: number;
  /** How long a handled activity is remembered. @defaultValue 24 h */
  readonly keepMs?: number;
}

/**
 * Handles each incoming message once, whatever the channel or a load balancer retries: exactly-once turns on the
 * channel's activity id.
 *
 * @remarks Channels send an activity again when the bot answered with an error, too late, or not at all (an instance
 * died mid-turn). A message turn first claims `channelId/conversation.id/id` in the ledger (atomically, shared by every
 * instance on Redis): the first claim runs the turn; a copy arriving while it runs is answered with
 * {@link RetryLaterError} (`503` with `Retry-After`), so the channel tries again once the outcome is known; a copy of a
 * handled activity skips the turn (nothing is stored, relayed or answered twice). A turn that fails gives its claim up,
 * so the channel's retry runs it again, unless it had already answered (a retry would answer twice). Activities without
 * an id (and proactive turns) are not deduplicated.
 * Put it first, before anything that stores or sends.
 * @example adapter.use(new ActivityDedupMiddleware({ ledger: new RedisReplayCache({ redis, keyPrefix: 'warmline:activity:' }) }));
 */
export class ActivityDedupMiddleware implements Middleware, TurnRecorder {
  /** Writes `duplicate` in the turn record. */
  readonly turnFields: TurnFields = { writes: ['duplicate'], reads: [] };

  private readonly ledger: ReplayCache;
  private readonly leaseMs: number;
  private readonly keepMs: number;

  constructor(options: ActivityDedupOptions) {
    if (!options?.ledger) throw new TypeError('ActivityDedupMiddleware: ledger is required');
    this.ledger = options.ledger;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.keepMs = options.keepMs ?? 24 * 3600_000;
    if (!(this.leaseMs > 0) || !(this.keepMs > 0)) throw new TypeError('ActivityDedupMiddleware: leaseMs and keepMs must be positive');
  }

  async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    const key = activityKey(ctx);
    if (key === undefined) return next();
    // This turn's own claim: a late release or completion never touches a claim made after its lease ran out.
    const owner = randomUUID();
    let state: Awaited<ReturnType<ReplayCache['begin']>>;
    try {
      state = await this.ledger.begin(key, this.leaseMs, owner);
    } catch (err) {
      // A claim that timed out may still reach the store once it answers again (a client's offline queue keeps
      // commands in order): give it up behind it, so the channel's retry is not told "in progress" for a whole lease.
      await this.ledger.release(key, owner).catch(() => undefined);
      throw err;
    }
    if (state === 'done') {
      recordTurn(ctx, 'duplicate', true);
      return;
    }
    if (state === 'pending') throw new RetryLaterError('this activity is being handled right now', { retryAfterSeconds: 2, reason: 'busy' });
    try {
      await next();
    } catch (err) {
      // A turn that already answered must not run again (the customer would read its replies twice): it counts as
      // handled. One that answered nothing is given up, so the channel's retry runs it afresh.
      if (ctx.responded) await this.ledger.complete(key, this.keepMs, owner).catch(() => undefined);
      else await this.ledger.release(key, owner).catch(() => undefined);
      throw err;
    }
    // Handled: a failure to remember it only lets a retry after the lease run again (relays stay idempotent).
    await this.ledger.complete(key, this.keepMs, owner).catch(() => undefined);
  }
}

/**
 * The ledger key of an incoming message: channel, conversation and activity id (each bounded by the server's envelope
 * check; `RedisReplayCache` stores a hash of it, so no id is kept in clear).
 */
function activityKey(ctx: TurnContext): string | undefined {
  const a = ctx.activity;
  if (a.type !== ActivityTypes.Message || typeof a.id !== 'string' || !a.id) return undefined;
  const conversation = a.conversation?.id;
  if (typeof conversation !== 'string' || typeof a.channelId !== 'string') return undefined;
  const key = `${a.channelId}\u0000${conversation}\u0000${a.id}`;
  // Long ids (up to 1,024 characters each) are hashed, so a ledger in memory stays small whatever clients send.
  return `activity:${key.length > 200 ? createHash('sha256').update(key).digest('base64url') : key}`;
}
