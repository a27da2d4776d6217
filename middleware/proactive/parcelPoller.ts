/**
 * Polling for carriers that send no webhooks (La Poste Suivi v2 is pull-only): every watched parcel is looked up on a
 * schedule and its news becomes a {@link CarrierEvent}, handed to proactive care like a webhook's.
 *
 * @remarks Domain only: no botbuilder, no dialogs. The carrier's API sits behind the {@link ParcelStatusSource} port
 * (the app adapts its tracking provider to it); watches come from a {@link WatchStore}; several instances share a
 * {@link PollLock} so that one of them polls each round.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { defineLuaCommands, type LuaCommand } from '../shared/redisCommands';
import { errorFields, type Logger } from '../shared/logger';
import { isParcelEventStatus, type CarrierEvent, type ParcelEventStatus, type ParcelException } from './carrierEvent';
import type { WatchStore } from './parcelWatch';
import { clearUnrefTimer, unrefTimer } from '../shared/timers';

/** What a {@link ParcelStatusSource} knows about one parcel. */
export interface PolledStatus {
  readonly status: ParcelEventStatus;
  /** Set when {@link status} is `exception`. */
  readonly exception?: ParcelException;
  /** ISO 8601 date (or instant) of the expected delivery, when known. */
  readonly expectedDelivery?: string;
  /** ISO 8601 instant of the carrier's latest scan, when known. */
  readonly occurredAt?: string;
  /** Where the latest scan was ("Lyon, FR"), when known. */
  readonly place?: string;
}

/**
 * A carrier's API, looked up one parcel at a time.
 *
 * @remarks Resolves `undefined` for a parcel the carrier does not know (yet); rejects when it cannot answer (timeout,
 * HTTP error, bad payload): the poller then backs off that parcel. Should stop when `signal` aborts.
 */
export interface ParcelStatusSource {
  /** For logs and metrics (`laposte`). */
  readonly name: string;
  status(trackingNumber: string, carrier: string | undefined, signal: AbortSignal): Promise<PolledStatus | undefined>;
}

/**
 * A lock shared by the instances of an app: the one that acquires it polls the round.
 *
 * @remarks `acquire` resolves true when this holder now has `key` for `ttlMs` (and false while anyone, this holder
 * included, has it); `release` lets go of it only when this holder still has it (never a lock another holder took
 * over after it expired).
 */
export interface PollLock {
  acquire(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
}

/** The timer functions a poller uses (tests pass a fake clock's). */
export type SetTimer = (fn: () => void, ms: number) => unknown;

/** Options of {@link ParcelPoller}. */
export interface ParcelPollerOptions {
  readonly watches: WatchStore;
  readonly source: ParcelStatusSource;
  /** Takes one piece of news (`ProactiveCare.accept`); a rejection is logged and counted, the round goes on. */
  readonly accept: (event: CarrierEvent) => Promise<void>;
  readonly logger: Logger;
  /** Time between the end of one round and the start of the next. @defaultValue 30 minutes */
  readonly intervalMs?: number;
  /** Time from {@link ParcelPoller.start} to the first round. @defaultValue 15 s (or intervalMs if shorter) */
  readonly firstDelayMs?: number;
  /** Index entries asked of {@link WatchStore.parcels} per page. @defaultValue 200 */
  readonly pageSize?: number;
  /** Most lookups at once. @defaultValue 4 */
  readonly concurrency?: number;
  /** Time one lookup may take before it is aborted and counted as failed. @defaultValue 10 s */
  readonly timeoutMs?: number;
  /**
   * Per parcel, after consecutive failed lookups: the parcel is not looked up again before `baseMs`, then twice that
   * after each further failure, at most `maxMs`. A lookup that answers ends the back-off.
   * @defaultValue `{ baseMs: 60 s, maxMs: 6 h }`
   */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** Shared by the instances so that one polls each round (see {@link memoryPollLock}, {@link redisPollLock}). */
  readonly lock?: PollLock;
  /** Name of the lock. @defaultValue `parcel-poll` */
  readonly lockKey?: string;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly now?: () => number;
  /** @defaultValue setTimeout, unref'd (a poller never keeps the process alive) */
  readonly setTimer?: SetTimer;
  /** @defaultValue clearTimeout */
  readonly clearTimer?: (handle: unknown) => void;
}

/** What one round did (metrics, tests). */
export interface PollSummary {
  /** False when another instance held the lock (nothing was looked up). */
  readonly ran: boolean;
  /** Distinct watched parcels seen in the round (back-off ones included). */
  readonly parcels: number;
  /** Events accepted. */
  readonly events: number;
  /** Parcels the carrier does not know. */
  readonly unknown: number;
  /** Lookups that failed (rejected, timed out, or answered what is not a status) plus events `accept` rejected. */
  readonly failures: number;
  /** Parcels not looked up because they are in back-off. */
  readonly skipped: number;
}

const MINUTE = 60_000;

/**
 * The event id of a piece of polled news: `laposte:` and the SHA-256 (base64url) of the tracking number, status,
 * expected date and exception. The same news polled again is the same event (the watch store's `claimSend` keeps it
 * from being sent twice); new news is a new event.
 */
export function polledEventId(trackingNumber: string, news: Pick<PolledStatus, 'status' | 'expectedDelivery' | 'exception'>): string {
  const digest = createHash('sha256')
    .update(`${trackingNumber}|${news.status}|${news.expectedDelivery ?? ''}|${news.exception ?? ''}`)
    .digest('base64url');
  return `laposte:${digest}`;
}

const EXCEPTIONS: ReadonlySet<string> = new Set<ParcelException>(['damaged', 'lost', 'returned', 'other']);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** Per parcel: consecutive failures and when it may be looked up again. */
interface Backoff {
  failures: number;
  until: number;
}

/** A lookup that failed in a way the source did not say (timeout, an answer that is not a status). */
class LookupError extends Error {
  constructor(readonly code: 'timeout' | 'bad_response') {
    super(`parcel lookup: ${code}`);
    this.name = 'LookupError';
  }
}

/**
 * Polls the watched parcels' carrier and turns what it says into carrier events.
 *
 * @remarks A round pages through {@link WatchStore.parcels}, looks each parcel up (at most `concurrency` at once, each
 * within `timeoutMs`), and hands every answer to `accept`, whatever it is: the same news gets the same event id (see
 * {@link polledEventId}), and proactive care's planner skips what the customer already saw (`skipped_seen`), its store
 * what was already sent. So an unchanged `in_transit` is accepted again each round and told to nobody; the poller keeps
 * no copy of what was told. A parcel the carrier does not know gives no event. A parcel whose lookup fails is left
 * alone for a while (`backoff`), the others go on. With a {@link PollLock}, a round first takes the lock for a little
 * less than the interval and keeps it (it expires), so of several instances one polls each interval; were a round to
 * outlast its lock, two could overlap, which costs lookups but never a message twice. Logs carry counts, codes and the
 * source's name, never a tracking number.
 * @example
 * const poller = new ParcelPoller({ watches, source: laPosteSource, accept: (e) => care.accept(e), logger, lock: redisPollLock(redis) });
 * poller.start();
 * // on shutdown
 * await poller.stop();
 */
export class ParcelPoller {
  private readonly now: () => number;
  private readonly setTimer: SetTimer;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly intervalMs: number;
  private readonly firstDelayMs: number;
  private readonly pageSize: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly lockKey: string;
  private readonly backoffs = new Map<string, Backoff>();
  /** Lookups in flight, aborted by {@link stop}. */
  private readonly inFlight = new Set<AbortController>();
  private timer: unknown;
  private round: Promise<PollSummary> | undefined;
  private started = false;
  private stopping = false;
  /** Epoch ms until which this poller holds the lock (0: not held). */
  private lockUntil = 0;

  constructor(private readonly options: ParcelPollerOptions) {
    if (!options?.watches || !options.source || typeof options.accept !== 'function' || !options.logger) {
      throw new TypeError('ParcelPoller: watches, source, accept and logger are required');
    }
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? unrefTimer;
    this.clearTimer = options.clearTimer ?? clearUnrefTimer;
    this.intervalMs = positive(options.intervalMs, 30 * MINUTE, 'intervalMs');
    this.firstDelayMs = options.firstDelayMs === undefined ? Math.min(15_000, this.intervalMs) : nonNegative(options.firstDelayMs, 'firstDelayMs');
    this.pageSize = Math.floor(positive(options.pageSize, 200, 'pageSize'));
    this.concurrency = Math.floor(positive(options.concurrency, 4, 'concurrency'));
    this.timeoutMs = positive(options.timeoutMs, 10_000, 'timeoutMs');
    this.baseMs = positive(options.backoff?.baseMs, MINUTE, 'backoff.baseMs');
    this.maxMs = Math.max(this.baseMs, positive(options.backoff?.maxMs, 6 * 60 * MINUTE, 'backoff.maxMs'));
    this.lockKey = options.lockKey ?? 'parcel-poll';
  }

  /** Schedules rounds: the first after `firstDelayMs`, each next one `intervalMs` after the previous ends. */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.schedule(this.firstDelayMs);
  }

  /**
   * Stops: no round starts again, the round in flight starts no new lookup, lookups in flight are aborted, and once
   * the round has ended the lock is let go (so another instance may poll without waiting for it to expire).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    for (const controller of this.inFlight) controller.abort();
    if (this.round) await this.round.catch(() => undefined);
    if (this.options.lock && this.lockUntil > this.now()) {
      this.lockUntil = 0;
      await this.options.lock.release(this.lockKey).catch((err: unknown) => this.options.logger.warn('poll.release_failed', errorFields(err)));
    }
  }

  /**
   * Runs one round now (or joins the one running) and resolves with what it did. Rejects when the watch store or the
   * lock fails; lookups and `accept` failing are counted, never thrown.
   */
  pollOnce(): Promise<PollSummary> {
    if (!this.round) {
      this.round = this.runRound().finally(() => {
        this.round = undefined;
      });
    }
    return this.round;
  }

  /** How many parcels are in back-off (metrics). */
  get backingOff(): number {
    return this.backoffs.size;
  }

  private schedule(ms: number): void {
    if (this.stopping) return;
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      this.pollOnce()
        .catch((err: unknown) => {
          this.options.logger.error('poll.round_failed', { source: this.options.source.name, ...errorFields(err) });
        })
        .finally(() => this.schedule(this.intervalMs));
    }, ms);
  }

  private async runRound(): Promise<PollSummary> {
    const { watches, lock, logger, source } = this.options;
    const counts = { parcels: 0, events: 0, unknown: 0, failures: 0, skipped: 0 };
    if (this.stopping) return { ran: false, ...counts };
    const startedAt = this.now();
    if (lock) {
      // A little less than the interval, so the holder's next round finds it free.
      const ttl = Math.max(1, this.intervalMs - Math.min(MINUTE, Math.floor(this.intervalMs / 10)));
      // This poller still holds the round lock (a round asked for before its time, `pollOnce`): it polls again.
      const holding = this.lockUntil !== undefined && this.lockUntil > startedAt;
      if (!holding && !(await lock.acquire(this.lockKey, ttl))) {
        logger.debug('poll.round_not_ours', { source: source.name });
        return { ran: false, ...counts };
      }
      if (!holding) this.lockUntil = startedAt + ttl;
    }
    const seen = new Set<string>();
    let cursor = '';
    let complete = false;
    while (!this.stopping) {
      const page = await watches.parcels(cursor, this.pageSize);
      const todo: Array<{ trackingNumber: string; carrier?: string }> = [];
      const now = this.now();
      for (const parcel of page.parcels) {
        if (seen.has(parcel.trackingNumber)) continue;
        seen.add(parcel.trackingNumber);
        counts.parcels += 1;
        const backoff = this.backoffs.get(parcel.trackingNumber);
        if (backoff && backoff.until > now) counts.skipped += 1;
        else todo.push(parcel);
      }
      await this.lookAll(todo, counts);
      cursor = page.cursor;
      if (cursor === '') {
        complete = true;
        break;
      }
    }
    // Parcels no longer watched leave the back-off table (only after a whole walk: a partial one saw too few).
    if (complete) for (const tn of this.backoffs.keys()) if (!seen.has(tn)) this.backoffs.delete(tn);
    logger.info('poll.round', { source: source.name, ...counts, complete, backingOff: this.backoffs.size, ms: this.now() - startedAt });
    return { ran: true, ...counts };
  }

  /** Looks up `parcels`, at most `concurrency` at once. */
  private async lookAll(parcels: Array<{ trackingNumber: string; carrier?: string }>, counts: Record<'events' | 'unknown' | 'failures', number>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < parcels.length && !this.stopping) {
        const parcel = parcels[next++] as { trackingNumber: string; carrier?: string };
        const outcome = await this.pollParcel(parcel.trackingNumber, parcel.carrier);
        counts[outcome] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, parcels.length) }, worker));
  }

  /** One parcel: look it up, then hand the news on. Never rejects. */
  private async pollParcel(trackingNumber: string, carrier: string | undefined): Promise<'events' | 'unknown' | 'failures'> {
    const { source, logger } = this.options;
    let answer: PolledStatus | undefined;
    try {
      answer = await this.lookup(trackingNumber, carrier);
    } catch (err) {
      const now = this.now();
      const failures = (this.backoffs.get(trackingNumber)?.failures ?? 0) + 1;
      const wait = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(failures - 1, 52));
      this.backoffs.set(trackingNumber, { failures, until: now + wait });
      logger.warn('poll.lookup_failed', { source: source.name, ...errorFields(err), failures, backoffMs: wait });
      return 'failures';
    }
    this.backoffs.delete(trackingNumber);
    if (!answer) return 'unknown';
    const event = this.event(trackingNumber, carrier, answer);
    try {
      await this.options.accept(event);
      return 'events';
    } catch (err) {
      logger.warn('poll.accept_failed', { source: source.name, status: event.status, ...errorFields(err) });
      return 'failures';
    }
  }

  /** The source's answer within `timeoutMs` (and until {@link stop}), checked. */
  private async lookup(trackingNumber: string, carrier: string | undefined): Promise<PolledStatus | undefined> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.setTimer(() => {
        controller.abort();
        reject(new LookupError('timeout'));
      }, this.timeoutMs);
    });
    try {
      // The race also ends a lookup whose source ignores the signal.
      const answer: unknown = await Promise.race([this.options.source.status(trackingNumber, carrier, controller.signal), timeout]);
      if (answer === undefined) return undefined;
      const a = answer as Partial<Record<keyof PolledStatus, unknown>> | null;
      if (!a || typeof a !== 'object' || !isParcelEventStatus(a.status)) throw new LookupError('bad_response');
      const exception = a.status === 'exception' && typeof a.exception === 'string' && EXCEPTIONS.has(a.exception) ? (a.exception as ParcelException) : undefined;
      const expectedDelivery = text(a.expectedDelivery);
      const occurredAt = text(a.occurredAt);
      const place = text(a.place);
      return {
        status: a.status,
        ...(a.status === 'exception' ? { exception: exception ?? 'other' } : {}),
        ...(expectedDelivery ? { expectedDelivery } : {}),
        ...(occurredAt ? { occurredAt } : {}),
        ...(place ? { place } : {}),
      };
    } finally {
      this.clearTimer(timer);
      this.inFlight.delete(controller);
    }
  }

  private event(trackingNumber: string, carrier: string | undefined, news: PolledStatus): CarrierEvent {
    return {
      id: polledEventId(trackingNumber, news),
      source: 'laposte',
      trackingNumber,
      ...(carrier !== undefined ? { carrier } : {}),
      status: news.status,
      ...(news.exception !== undefined ? { exception: news.exception } : {}),
      ...(news.expectedDelivery !== undefined ? { expectedDelivery: news.expectedDelivery } : {}),
      occurredAt: news.occurredAt ?? new Date(this.now()).toISOString(),
      ...(news.place !== undefined ? { place: news.place } : {}),
    };
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`ParcelPoller: ${name} must be a positive number`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`ParcelPoller: ${name} must be a number, 0 or more`);
  return value;
}

/**
 * A {@link PollLock} in this process's memory: for one instance, or for several pollers of one process (tests).
 *
 * @param now Clock in epoch ms. @defaultValue Date.now
 */
export function memoryPollLock(now: () => number = Date.now): PollLock {
  const held = new Map<string, number>();
  return {
    async acquire(key: string, ttlMs: number): Promise<boolean> {
      const t = now();
      const until = held.get(key);
      if (until !== undefined && until > t) return false;
      held.set(key, t + Math.max(1, ttlMs));
      return true;
    },
    async release(key: string): Promise<void> {
      held.delete(key);
    },
  };
}

// KEYS: lock. ARGV: token. Deletes the lock only while it still holds this holder's token.
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface PollLockCommands {
  warmlinePollLockRelease: LuaCommand<number>;
}

/**
 * A {@link PollLock} on Redis, shared by the instances.
 *
 * @remarks Each lock is the string key `${prefix}${key}` holding this holder's random token, set with
 * `SET NX PX ttlMs` (so it always expires); `release` deletes it with a compare-and-delete script, so a holder whose
 * lock expired and was taken over does not free the new holder's. Each call of this function is one holder (make one
 * per instance).
 * @param redis An ioredis client; the caller keeps ownership.
 * @param prefix Prefix of the lock keys. @defaultValue `warmline:poll:`
 * @example const lock = redisPollLock(redis, 'shop:poll:');
 */
export function redisPollLock(redis: Redis, prefix = 'warmline:poll:'): PollLock {
  if (!redis) throw new TypeError('redisPollLock: redis is required');
  const client = defineLuaCommands<PollLockCommands>(redis, { warmlinePollLockRelease: { numberOfKeys: 1, lua: RELEASE_LOCK } });
  const token = randomUUID();
  return {
    async acquire(key: string, ttlMs: number): Promise<boolean> {
      const reply = await client.set(prefix + key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return reply === 'OK';
    },
    async release(key: string): Promise<void> {
      await client.warmlinePollLockRelease(prefix + key, token);
    },
  };
}
