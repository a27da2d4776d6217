/**
 * Where messages sent first wait for their time (the end of the quiet hours, a channel's `Retry-After`) and their
 * retries.
 */
import type { CarrierEvent } from './carrierEvent';
import { clearUnrefTimer, unrefTimer } from '../shared/timers';

/** One message to send first: the news `event` for the watch `watchId`. */
export interface ProactiveJob {
  readonly watchId: string;
  readonly event: CarrierEvent;
  /** The customer's local day the message counts on (the daily cap). */
  readonly day: string;
  /** A case was opened for this news (an exception for an upset customer): the message says so. */
  readonly caseOpened: boolean;
  /** 0 for the first try. */
  readonly attempt: number;
}

/**
 * A queue of {@link ProactiveJob}s run at their time.
 *
 * @remarks `enqueue` resolves once the job is kept (the carrier event is acknowledged only then). A job may run more
 * than once (a crash between sending and recording): the watch store's `claimSend` makes the second run a no-op.
 */
export interface ProactiveQueue {
  /** Keeps `job` to run at `atMs` (epoch ms; now or in the past runs it at once). */
  enqueue(job: ProactiveJob, atMs: number): Promise<void>;
  /** Starts running due jobs with `run`; a job whose `run` rejects is dropped (`run` handles its own retries). */
  start(run: (job: ProactiveJob) => Promise<void>): void;
  /** Stops running jobs and waits for those running; jobs not yet due are dropped (memory) or kept (durable queues). */
  stop(): Promise<void>;
  /** Jobs waiting (for metrics). */
  size(): number;
}

/** Options of {@link MemoryProactiveQueue}. */
export interface MemoryProactiveQueueOptions {
  /** Most jobs kept; `enqueue` rejects beyond it (the carrier retries later). @defaultValue 100000 */
  readonly maxJobs?: number;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly now?: () => number;
  /** Timer functions (tests pass a fake clock's). @defaultValue the global ones */
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

/** Longest single timer; longer waits re-arm (setTimeout's limit is about 24.8 days). */
const MAX_TIMER_MS = 6 * 60 * 60_000;

/**
 * The embedded queue: one timer per waiting job, in process memory. Jobs waiting at a restart are lost (a parcel
 * update deferred overnight is not sent): use the Redis queue when that matters.
 */
export class MemoryProactiveQueue implements ProactiveQueue {
  private readonly waiting = new Map<number, { job: ProactiveJob; at: number; timer: unknown }>();
  private readonly running = new Set<Promise<void>>();
  private run: ((job: ProactiveJob) => Promise<void>) | undefined;
  private next = 0;
  private stopped = false;
  private readonly maxJobs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(options: MemoryProactiveQueueOptions = {}) {
    this.maxJobs = options.maxJobs ?? 100_000;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? unrefTimer;
    this.clearTimer = options.clearTimer ?? clearUnrefTimer;
  }

  async enqueue(job: ProactiveJob, atMs: number): Promise<void> {
    if (this.stopped) throw new Error('proactive queue stopped');
    if (this.waiting.size >= this.maxJobs) throw new Error('proactive queue full');
    const id = this.next++;
    this.arm(id, job, atMs);
  }

  private arm(id: number, job: ProactiveJob, at: number): void {
    const wait = Math.max(0, at - this.now());
    const timer = this.setTimer(() => (wait > MAX_TIMER_MS ? this.arm(id, job, at) : this.fire(id)), Math.min(wait, MAX_TIMER_MS));
    this.waiting.set(id, { job, at, timer });
  }

  private fire(id: number): void {
    const entry = this.waiting.get(id);
    if (!entry) return;
    this.waiting.delete(id);
    if (this.stopped) return;
    // Not started yet (the app is still starting): wait a second.
    if (!this.run) return this.arm(id, entry.job, this.now() + 1000);
    const p = this.run(entry.job)
      .catch(() => undefined)
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  start(run: (job: ProactiveJob) => Promise<void>): void {
    this.run = run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.waiting.values()) this.clearTimer(timer);
    this.waiting.clear();
    await Promise.all([...this.running]);
  }

  size(): number {
    return this.waiting.size;
  }
}
