/**
 * The durable {@link ProactiveQueue}: jobs wait in Redis, through BullMQ, so a message deferred to the end of the quiet
 * hours (or a retry) survives a restart and runs on exactly one of several instances.
 *
 * @remarks BullMQ does the queueing (delays, one worker per job, stalled jobs handed to another worker); written here
 * only what the port asks on top of it: a deterministic job id (adding the same job twice keeps one), retention by
 * age of everything stored, validation of what comes back from Redis, and a graceful stop.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Queue, Worker, type Job, type RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { errorFields, silentLogger, type Logger } from '../../shared/logger';
import { isParcelEventStatus, type CarrierEventSource, type ParcelEventStatus, type ParcelException } from '../carrierEvent';
import type { ProactiveJob, ProactiveQueue } from '../proactiveQueue';

/** Where a {@link BullProactiveQueue} keeps its jobs: ioredis options, or an ioredis client the caller keeps owning. */
export type BullProactiveQueueConnection = Redis | RedisOptions;

/** Options of {@link BullProactiveQueue}. */
export interface BullProactiveQueueOptions {
  /**
   * ioredis options (the queue opens and closes its own connections), or an existing ioredis client: the producer
   * side shares it and never closes it; the worker opens its own connections from the client's options, with
   * `maxRetriesPerRequest: null` as BullMQ requires of blocking connections. A client or options with a `keyPrefix` are
   * refused (BullMQ's scripts build keys themselves): use {@link prefix}.
   */
  readonly connection: BullProactiveQueueConnection;
  /** BullMQ's key prefix: every key is `${prefix}:${name}:…`. @defaultValue 'warmline-bull' */
  readonly prefix?: string;
  /** The BullMQ queue's name (no `:`). @defaultValue 'proactive' */
  readonly name?: string;
  /** Jobs one instance runs at once. @defaultValue 8 */
  readonly concurrency?: number;
  /** How long a done job (and its data) is kept, so adding it again is still a no-op. @defaultValue 24 h */
  readonly keepDoneMs?: number;
  /** How long a failed job is kept (for inspection). @defaultValue 7 days */
  readonly keepFailedMs?: number;
  /** Where malformed jobs and failed runs are reported (ids and error names only). @defaultValue silentLogger */
  readonly logger?: Logger;
}

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
/** The BullMQ job name of every job this queue adds. */
const JOB_NAME = 'send';
/** Entries kept in BullMQ's event stream (the only key of the queue with neither a TTL nor an age). */
const EVENTS_MAX_LEN = 1000;
/** Bounds of the sweep that removes done and failed jobs past their age when no other job finishes to do it. */
const MIN_SWEEP_MS = 1000;
const MAX_SWEEP_MS = 10 * 60_000;
/** Jobs removed per state and sweep. */
const SWEEP_LIMIT = 1000;
/** How long `stop` waits for a graceful close (running jobs, Redis) before closing by force. */
const STOP_GRACE_MS = 5000;
/** Delay before keys written by an enqueue get their time to live (grouped: one pass for a burst). */
const RETAIN_DELAY_MS = 2000;

/** True when `p` settled within `ms` (its rejection is swallowed: a close that fails has closed what it could). */
const settlesWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    p.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });

/** Least time between two log lines about the Redis connection (a reconnect loop would flood the log). */
const CONNECTION_LOG_EVERY_MS = 10_000;

const SOURCES: Record<CarrierEventSource, true> = { aftership: true, easypost: true, laposte: true, demo: true };
const EXCEPTIONS: Record<ParcelException, true> = { damaged: true, lost: true, returned: true, other: true };
const oneOf =
  <T extends string>(values: Record<T, true>) =>
  (value: unknown): value is T =>
    typeof value === 'string' && Object.prototype.hasOwnProperty.call(values, value);

// What a job must hold to run. It crossed Redis, where anyone with access may have written it: every field is checked,
// strings are bounded, and unknown members are dropped (a newer version's extra field does not stop an older worker).
const text = (max: number) => z.string().max(max);
const jobSchema = z.object({
  watchId: text(1024).min(1),
  event: z.object({
    id: text(512).min(1),
    source: z.custom<CarrierEventSource>(oneOf(SOURCES)),
    trackingNumber: text(128).min(1),
    carrier: text(128).optional(),
    status: z.custom<ParcelEventStatus>(isParcelEventStatus),
    exception: z.custom<ParcelException>(oneOf(EXCEPTIONS)).optional(),
    expectedDelivery: text(64).optional(),
    occurredAt: text(64),
    place: text(256).optional(),
  }),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  caseOpened: z.boolean(),
  attempt: z.number().int().min(0).max(1000),
});

/** The job in `data`, or the path of its first wrong field (names only, never values). */
function readJob(data: unknown): { job: ProactiveJob } | { field: string } {
  const parsed = jobSchema.safeParse(data);
  if (parsed.success) return { job: parsed.data };
  const issue = parsed.error.issues[0];
  return { field: issue ? issue.path.join('.') || '(root)' : '(root)' };
}

/** What identifies a job for deduplication: its watch, its news and its attempt. */
const jobKey = (job: ProactiveJob): string => JSON.stringify([job.watchId, job.event.id, job.attempt]);

/**
 * A BullMQ job id for `parts`: a SHA-256, base64url, behind a letter (BullMQ refuses custom ids with `:` or that read
 * as integers; the letter rules out the second whatever the hash).
 */
const hashId = (parts: string): string => `p${createHash('sha256').update(parts).digest('base64url')}`;

/** True for an ioredis client (rather than options). */
const isClient = (connection: BullProactiveQueueConnection): connection is Redis =>
  typeof (connection as Partial<Redis>).duplicate === 'function' && typeof (connection as Partial<Redis>).defineCommand === 'function';

/**
 * The Redis queue: BullMQ jobs named `send`, each run once by one of the instances started on the same prefix and name.
 *
 * @remarks
 * - `enqueue` resolves once Redis holds the job (as durable as the server's persistence: enable AOF where a deferred
 *   message must survive a Redis restart). Its BullMQ id is derived from the watch, the news and the attempt, so the
 *   same job added twice (a carrier sending its event again) is kept once, for as long as the job is kept after it ran
 *   ({@link BullProactiveQueueOptions.keepDoneMs}). A job that puts itself back while running (a channel's rate
 *   limit: same job, later time) gets an id that also names the time, so it is not taken for itself.
 * - A run that rejects fails the job, which is not retried by BullMQ (ProactiveCare enqueues its own retries). The
 *   failure kept in Redis is a fixed reason, never the error's message (which could echo a customer's data).
 * - A job whose instance died while running it is run again by another one (BullMQ's stalled-job check): runs are
 *   at-least-once, and ProactiveCare's `claimSend` makes a second run a no-op.
 * - Retention: done jobs are removed after `keepDoneMs`, failed ones after `keepFailedMs`, by BullMQ when another job
 *   finishes and by a sweep of the started queue; locks and checks expire; the event stream is capped. Only the
 *   queue's few own keys (`meta`, `events`, the `id` counter) stay.
 */
export class BullProactiveQueue implements ProactiveQueue {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly workerConnection: BullRedisOptions;
  private readonly prefix: string;
  private readonly name: string;
  private readonly concurrency: number;
  private readonly keepDoneMs: number;
  private readonly keepFailedMs: number;
  private readonly logger: Logger;
  /** The key ({@link jobKey}) of the job the current async context runs, if any. */
  private readonly running = new AsyncLocalStorage<string>();
  private stopping: Promise<void> | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private retainTimer: NodeJS.Timeout | undefined;
  private readonly keysClient: Redis;
  private readonly ownsKeysClient: boolean;
  private sweeping: Promise<void> | undefined;
  private waiting = 0;
  private counting = false;
  private countAgain = false;
  private lastConnectionLog = 0;

  constructor(options: BullProactiveQueueOptions) {
    const { connection } = options;
    if (!connection || typeof connection !== 'object') throw new TypeError('BullProactiveQueue: connection is required');
    const redisOptions: RedisOptions = isClient(connection) ? connection.options : connection;
    if (redisOptions.keyPrefix) throw new TypeError('BullProactiveQueue: an ioredis keyPrefix is not supported by BullMQ, use the prefix option');
    this.prefix = options.prefix ?? 'warmline-bull';
    this.name = options.name ?? 'proactive';
    if (!this.name || this.name.includes(':')) throw new TypeError('BullProactiveQueue: name must be non-empty, without ":"');
    this.concurrency = positive(options.concurrency ?? 8, 'concurrency', true);
    this.keepDoneMs = positive(options.keepDoneMs ?? DAY_MS, 'keepDoneMs');
    this.keepFailedMs = positive(options.keepFailedMs ?? 7 * DAY_MS, 'keepFailedMs');
    this.logger = options.logger ?? silentLogger;
    // The worker blocks on Redis: it needs connections of its own that retry forever (`maxRetriesPerRequest: null`).
    // BullMQ would duplicate a client passed to it, keeping the client's limit, and refuse it; options let it open
    // (and close) its own.
    this.workerConnection = { ...bullOptions(redisOptions), maxRetriesPerRequest: null };
    // For the retention pass (BullMQ's own client is not reachable through its backend abstraction).
    this.keysClient = isClient(connection) ? connection : new Redis({ ...redisOptions, lazyConnect: true });
    this.ownsKeysClient = !isClient(connection);
    // A client is shared by the producer (BullMQ leaves it open); options make BullMQ open one and close it.
    this.queue = new Queue(this.name, {
      connection: isClient(connection) ? connection : bullOptions(connection),
      prefix: this.prefix,
      streams: { events: { maxLen: EVENTS_MAX_LEN } },
    });
    this.queue.on('error', (err) => this.connectionError('queue', err));
  }

  async enqueue(job: ProactiveJob, atMs: number): Promise<void> {
    if (this.stopping) throw new Error('proactive queue stopped');
    if (!Number.isFinite(atMs)) throw new TypeError('enqueue: atMs must be epoch ms');
    const read = readJob(job);
    if (!('job' in read)) throw new TypeError(`enqueue: malformed job (${read.field})`);
    const key = jobKey(job);
    // The job putting itself back from its own run: the id also names the time, or BullMQ would keep the running one.
    const jobId = this.running.getStore() === key ? hashId(`${key}@${Math.round(atMs)}`) : hashId(key);
    await this.queue.add(JOB_NAME, job, {
      jobId,
      delay: Math.max(0, Math.round(atMs - Date.now())),
      attempts: 1,
      removeOnComplete: { age: seconds(this.keepDoneMs) },
      removeOnFail: { age: seconds(this.keepFailedMs) },
    });
    this.refreshSize();
    this.retainSoon();
  }

  start(run: (job: ProactiveJob) => Promise<void>): void {
    if (this.stopping) throw new Error('proactive queue stopped');
    if (this.worker) throw new Error('proactive queue already started');
    const worker = new Worker(this.name, (bullJob: Job) => this.process(bullJob, run), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency: this.concurrency,
      // For jobs added by someone else without retention of their own.
      removeOnComplete: { age: seconds(this.keepDoneMs) },
      removeOnFail: { age: seconds(this.keepFailedMs) },
    });
    worker.on('error', (err) => this.connectionError('worker', err));
    worker.on('completed', () => this.refreshSize());
    worker.on('failed', () => this.refreshSize());
    this.worker = worker;
    const every = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.min(this.keepDoneMs, this.keepFailedMs)));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
    this.refreshSize();
    // BullMQ's own bookkeeping (queue settings, counters, the events stream) is written when the worker starts.
    void worker.waitUntilReady().then(
      () => this.retain(),
      () => undefined,
    );
  }

  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  size(): number {
    return this.waiting;
  }

  /** Runs one BullMQ job: drops it when malformed, fails it (with a fixed reason) when `run` rejects. */
  private async process(bullJob: Job, run: (job: ProactiveJob) => Promise<void>): Promise<void> {
    const read = bullJob.name === JOB_NAME ? readJob(bullJob.data) : { field: '(name)' };
    if (!('job' in read)) {
      this.logger.warn('proactive.queue.malformed', { job: bullJob.id, field: read.field });
      return;
    }
    const { job } = read;
    try {
      await this.running.run(jobKey(job), () => run(job));
    } catch (err) {
      this.logger.warn('proactive.queue.run_failed', { job: bullJob.id, attempt: job.attempt, ...errorFields(err) });
      throw new Error('proactive job run rejected');
    }
  }

  private async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.retainTimer) clearTimeout(this.retainTimer);
    await this.sweeping;
    // The worker first: it waits for the jobs it runs (whose own retries may still enqueue), then the producer. With
    // Redis unreachable a graceful close would wait for ever: past STOP_GRACE_MS the worker is closed by force.
    try {
      if (this.worker && !(await settlesWithin(this.worker.close(), STOP_GRACE_MS))) await settlesWithin(this.worker.close(true), STOP_GRACE_MS);
    } finally {
      await settlesWithin(this.queue.close(), STOP_GRACE_MS);
      if (this.ownsKeysClient) this.keysClient.disconnect();
    }
  }

  /** Runs {@link retain} in a few seconds (at most one pending). */
  private retainSoon(): void {
    if (this.retainTimer || this.stopping) return;
    this.retainTimer = setTimeout(() => {
      this.retainTimer = undefined;
      void this.retain();
    }, RETAIN_DELAY_MS);
    this.retainTimer.unref();
  }

  /**
   * Gives every key of this queue a time to live (everything stored has a retention): BullMQ's own bookkeeping
   * (queue settings, id counter, events stream) is kept `keepFailedMs` from its last use, and a job, or a list of
   * jobs, without a TTL gets `keepFailedMs` (more than any delay the queue is given: quiet hours, `Retry-After`).
   */
  private async retain(): Promise<void> {
    if (this.stopping) return;
    try {
      const redis = this.keysClient;
      const base = `${this.prefix}:${this.name}:`;
      const pipeline = redis.pipeline();
      for (const own of ['meta', 'id', 'events']) pipeline.pexpire(`${base}${own}`, this.keepFailedMs);
      await pipeline.exec();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${base}*`, 'COUNT', 1000);
        cursor = next;
        const ttls = keys.length ? await Promise.all(keys.map((k: string) => redis.pttl(k))) : [];
        const forever = keys.filter((_: string, i: number) => ttls[i] === -1);
        if (forever.length) {
          const set = redis.pipeline();
          for (const k of forever) set.pexpire(k, this.keepFailedMs);
          await set.exec();
        }
      } while (cursor !== '0' && !this.stopping);
    } catch (err) {
      this.logger.warn('proactive.queue.retain_failed', errorFields(err));
    }
  }

  /** Removes done and failed jobs past their age (BullMQ only does it when another job of the kind finishes). */
  private sweep(): void {
    if (this.sweeping || this.stopping) return;
    this.sweeping = (async () => {
      await this.queue.clean(this.keepDoneMs, SWEEP_LIMIT, 'completed');
      await this.queue.clean(this.keepFailedMs, SWEEP_LIMIT, 'failed');
      await this.retain();
    })()
      .catch((err: unknown) => this.logger.warn('proactive.queue.sweep_failed', errorFields(err)))
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  /** Counts waiting and delayed jobs in the background; at most one count in flight, one more if asked meanwhile. */
  private refreshSize(): void {
    if (this.stopping) return;
    if (this.counting) {
      this.countAgain = true;
      return;
    }
    this.counting = true;
    this.queue
      .getJobCounts('waiting', 'delayed')
      .then((counts) => {
        this.waiting = (counts.waiting ?? 0) + (counts.delayed ?? 0);
      })
      .catch((err: unknown) => this.logger.debug('proactive.queue.count_failed', errorFields(err)))
      .finally(() => {
        this.counting = false;
        if (this.countAgain) {
          this.countAgain = false;
          this.refreshSize();
        }
      });
  }

  private connectionError(side: 'queue' | 'worker', err: unknown): void {
    const now = Date.now();
    if (now - this.lastConnectionLog < CONNECTION_LOG_EVERY_MS) return;
    this.lastConnectionLog = now;
    this.logger.warn('proactive.queue.redis_error', { side, ...errorFields(err) });
  }
}

/**
 * ioredis options as BullMQ types them (a copy): its `retryStrategy` may not be `null`, which ioredis reads as "never
 * reconnect", as it does a function returning `null`.
 */
function bullOptions(options: RedisOptions): BullRedisOptions {
  const { retryStrategy, ...rest } = options;
  if (retryStrategy === undefined) return { ...rest };
  return { ...rest, retryStrategy: retryStrategy ?? (() => null) };
}

/** BullMQ's retention ages are whole seconds (at least one). */
const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

function positive(value: number, name: string, integer = false): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new TypeError(`BullProactiveQueue: ${name} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}
