/** Attempts counted for one key (an account, a client address). */
export interface FailureCount {
  /** Attempts counted since the count (re)started (a sign-in attempt is counted before its password is checked). */
  readonly count: number;
  /** Epoch ms of the last counted attempt. */
  readonly lastAt: number;
}

/**
 * The lock-out schedule a {@link LockoutStore} applies, atomically, in {@link LockoutStore.attempt}.
 *
 * @remarks After `count` counted attempts the key is locked out for {@link lockoutMs} from the last of them: nothing
 * below `freeFailures`, then `baseLockMs`, doubling with each further attempt, at most `maxLockMs`.
 */
export interface LockoutPolicy {
  /** Counted attempts before lock-outs start (the `freeFailures`-th starts the first). */
  readonly freeFailures: number;
  /** First lock-out in ms. */
  readonly baseLockMs: number;
  /** Longest lock-out in ms. */
  readonly maxLockMs: number;
  /** The count starts again from 1 once the last counted attempt is more than this many ms old. */
  readonly windowMs: number;
  /** A counter is kept `max(windowMs, ttlMs)` ms after its last counted attempt. @defaultValue 0 */
  readonly ttlMs?: number;
}

/** Outcome of {@link LockoutStore.attempt}. */
export interface LockoutAttempt extends FailureCount {
  /** True when the attempt was counted and may go ahead; false when the key was locked out (nothing changed). */
  readonly admitted: boolean;
}

/**
 * Counters of sign-in attempts behind the console's lock-outs: in process memory ({@link MemoryLockoutStore}) or in
 * Redis (`RedisLockoutStore`, so attempts spread over several instances add up).
 *
 * @remarks An attempt is counted *before* its password is checked, in one atomic step with the lock-out check, so a
 * burst of simultaneous guesses cannot all slip past the check while the first ones are still being verified. A
 * successful sign-in then takes its count back ({@link refund}) or clears the key ({@link reset}). Times are passed in
 * by the caller (its clock).
 */
export interface LockoutStore {
  /**
   * Atomically: when `key` is locked out at `now` under `policy`, answers `admitted: false` and changes nothing;
   * otherwise counts one more attempt at `now` (from 1 again when the previous one is older than `windowMs`) and
   * answers `admitted: true` with the new count.
   */
  attempt(key: string, now: number, policy: LockoutPolicy): Promise<LockoutAttempt>;
  /** The counter of `key`, or `undefined` when there is none (or its time to live is over at `now`). */
  read(key: string, now: number): Promise<FailureCount | undefined>;
  /** Takes back one counted attempt of `key` (an attempt that turned out not to be a wrong password). */
  refund(key: string): Promise<void>;
  /** Forgets `key` (after a successful sign-in to that account). */
  reset(key: string): Promise<void>;
}

/** Lock-out in ms after `count` counted attempts, from the last of them (0 while attempts are still free). */
export function lockoutMs(count: number, policy: Pick<LockoutPolicy, 'freeFailures' | 'baseLockMs' | 'maxLockMs'>): number {
  const over = count - policy.freeFailures;
  return over >= 0 ? Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** Math.min(over, 40)) : 0;
}

/** Options of {@link MemoryLockoutStore}. */
export interface MemoryLockoutStoreOptions {
  /** Most keys remembered (the least recently counted is dropped first). @defaultValue 10000 */
  readonly maxKeys?: number;
}

interface Entry extends FailureCount {
  readonly expiresAt: number;
}

/**
 * A {@link LockoutStore} in process memory (the default): bounded, counters dropped once their time is up.
 *
 * @remarks Per process: with several instances each counts on its own, so spreading guesses over instances
 * multiplies the allowance; use `RedisLockoutStore` there (createApp does with `STORAGE=redis`). Every operation
 * reads and writes without yielding, so it is atomic within the process.
 */
export class MemoryLockoutStore implements LockoutStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;

  constructor(options: MemoryLockoutStoreOptions = {}) {
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
  }

  async attempt(key: string, now: number, policy: LockoutPolicy): Promise<LockoutAttempt> {
    const previous = this.live(key, now);
    if (previous && now < previous.lastAt + lockoutMs(previous.count, policy)) {
      return { admitted: false, count: previous.count, lastAt: previous.lastAt };
    }
    const count = previous && now - previous.lastAt <= policy.windowMs ? previous.count + 1 : 1;
    const entry: Entry = { count, lastAt: now, expiresAt: now + Math.max(policy.windowMs, policy.ttlMs ?? 0) };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return { admitted: true, count, lastAt: now };
  }

  async read(key: string, now: number): Promise<FailureCount | undefined> {
    const entry = this.live(key, now);
    return entry ? { count: entry.count, lastAt: entry.lastAt } : undefined;
  }

  async refund(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (entry.count <= 1) this.entries.delete(key);
    else this.entries.set(key, { ...entry, count: entry.count - 1 });
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
