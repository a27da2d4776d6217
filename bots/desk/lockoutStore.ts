/** Failures counted for one key (an account, a client address). */
export interface FailureCount {
  /** Failures since the count (re)started. */
  readonly count: number;
  /** Epoch ms of the last failure. */
  readonly lastAt: number;
}

/**
 * Counters of wrong passwords behind the console's sign-in lock-outs: in process memory ({@link MemoryLockoutStore})
 * or in Redis (`RedisLockoutStore`, so failures spread over several instances add up).
 *
 * @remarks Times are passed in by the caller (its clock); `ttlMs` bounds how long a counter is kept at all.
 */
export interface LockoutStore {
  /**
   * Counts one more failure for `key` at `now`, atomically. When the previous failure is more than `windowMs` old the
   * count starts again from 1. The counter is kept `max(windowMs, ttlMs)` after `now`.
   */
  increment(key: string, now: number, windowMs: number, ttlMs?: number): Promise<FailureCount>;
  /** The counter of `key`, or `undefined` when there is none (or its time to live is over at `now`). */
  read(key: string, now: number): Promise<FailureCount | undefined>;
  /** Forgets `key` (after a successful sign-in). */
  reset(key: string): Promise<void>;
}

/** Options of {@link MemoryLockoutStore}. */
export interface MemoryLockoutStoreOptions {
  /** Most keys remembered (the least recently failed is dropped first). @defaultValue 10000 */
  readonly maxKeys?: number;
}

interface Entry extends FailureCount {
  readonly expiresAt: number;
}

/**
 * A {@link LockoutStore} in process memory (the default): bounded, counters dropped once their time is up.
 *
 * @remarks Per process: with several instances each counts on its own, so spreading guesses over instances
 * multiplies the allowance; use `RedisLockoutStore` there (createApp does with `STORAGE=redis`).
 */
export class MemoryLockoutStore implements LockoutStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;

  constructor(options: MemoryLockoutStoreOptions = {}) {
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
  }

  async increment(key: string, now: number, windowMs: number, ttlMs = 0): Promise<FailureCount> {
    const previous = this.live(key, now);
    const count = previous && now - previous.lastAt <= windowMs ? previous.count + 1 : 1;
    const entry: Entry = { count, lastAt: now, expiresAt: now + Math.max(windowMs, ttlMs) };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return { count, lastAt: now };
  }

  async read(key: string, now: number): Promise<FailureCount | undefined> {
    const entry = this.live(key, now);
    return entry ? { count: entry.count, lastAt: entry.lastAt } : undefined;
  }

  async reset(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Number of keys kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now > entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
