import { MemoryLockoutStore, type FailureCount, type LockoutStore } from './lockoutStore';

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Wrong passwords per key before lock-outs start (the last of them starts the first). @defaultValue 5 */
  readonly freeFailures?: number;
  /** First lock-out; each further failure doubles it. @defaultValue 1000 ms */
  readonly baseLockMs?: number;
  /** Longest lock-out. @defaultValue 15 minutes */
  readonly maxLockMs?: number;
  /** A key's failures are forgotten this long after its last failure (once any lock-out is over). @defaultValue 30 minutes */
  readonly forgetAfterMs?: number;
  /** Most keys remembered by the default in-memory store (the oldest are dropped first). @defaultValue 10000 */
  readonly maxKeys?: number;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly clock?: () => number;
  /** Where failures are counted. @defaultValue a per-process {@link MemoryLockoutStore} */
  readonly store?: LockoutStore;
  /** Put before every key in the store, so several throttles can share one (e.g. `account:`, `ip:`). @defaultValue '' */
  readonly keyPrefix?: string;
}

/**
 * Counts wrong passwords per key (an account, an IP address) and locks a key out with an exponential delay.
 *
 * @remarks From the `freeFailures`-th failure on, failure n locks the key for `baseLockMs * 2^(n - freeFailures)`,
 * capped at `maxLockMs` (with the defaults: 5 wrong passwords, then 1 s, 2 s, 4 s...). Attempts during a lock-out are
 * refused without checking the password (and do not count). The counts live in a {@link LockoutStore}: in process
 * memory by default; with several instances give every one the same shared store (`RedisLockoutStore`), so failures
 * spread over instances add up.
 */
export class LoginThrottle {
  private readonly store: LockoutStore;
  private readonly prefix: string;
  private readonly freeFailures: number;
  private readonly baseLockMs: number;
  private readonly maxLockMs: number;
  private readonly forgetAfterMs: number;
  private readonly clock: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.freeFailures = options.freeFailures ?? 5;
    this.baseLockMs = options.baseLockMs ?? 1000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60 * 1000;
    this.forgetAfterMs = options.forgetAfterMs ?? 30 * 60 * 1000;
    this.clock = options.clock ?? Date.now;
    this.store = options.store ?? new MemoryLockoutStore({ maxKeys: options.maxKeys ?? 10000 });
    this.prefix = options.keyPrefix ?? '';
    if (this.freeFailures < 1 || this.baseLockMs < 1) throw new TypeError('LoginThrottle: freeFailures and baseLockMs must be positive');
  }

  /** Milliseconds the key stays locked out (0 when it may try now). */
  async lockedFor(key: string): Promise<number> {
    const now = this.clock();
    const entry = await this.store.read(this.prefix + key, now);
    return entry ? Math.max(0, this.lockedUntil(entry) - now) : 0;
  }

  /** Records a wrong password; returns the lock-out it causes in ms (0 while failures are still free). */
  async fail(key: string): Promise<number> {
    // Counts restart once the last failure is older than forgetAfterMs; the counter is kept through the longest lock.
    const entry = await this.store.increment(this.prefix + key, this.clock(), this.forgetAfterMs, Math.max(this.forgetAfterMs, this.maxLockMs));
    return this.lockFor(entry.count);
  }

  /** Forgets a key's failures (after a successful sign-in to that account). */
  async reset(key: string): Promise<void> {
    await this.store.reset(this.prefix + key);
  }

  private lockFor(failures: number): number {
    const over = failures - this.freeFailures;
    return over >= 0 ? Math.min(this.maxLockMs, this.baseLockMs * 2 ** Math.min(over, 40)) : 0;
  }

  private lockedUntil(entry: FailureCount): number {
    return entry.lastAt + this.lockFor(entry.count);
  }
}
