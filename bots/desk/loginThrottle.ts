import { lockoutMs, MemoryLockoutStore, type LockoutPolicy, type LockoutStore } from './lockoutStore';

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
  /** Where attempts are counted. @defaultValue a per-process {@link MemoryLockoutStore} */
  readonly store?: LockoutStore;
  /** Put before every key in the store, so several throttles can share one (e.g. `account:`, `ip:`). @defaultValue '' */
  readonly keyPrefix?: string;
}

/**
 * Counts sign-in attempts per key (an account, an IP address) and locks a key out with an exponential delay.
 *
 * @remarks An attempt is counted *before* the password is checked ({@link attempt}), atomically with the lock-out
 * check, so simultaneous guesses cannot all pass the check while the first are being verified; a right password then
 * takes its count back ({@link refund}) or clears the key ({@link reset}). So the count is that of wrong passwords
 * (plus those still being checked). From the `freeFailures`-th on, failure n locks the key for
 * `baseLockMs * 2^(n - freeFailures)`, capped at `maxLockMs` (with the defaults: 5 wrong passwords, then 1 s, 2 s,
 * 4 s...). Attempts during a lock-out are refused without checking the password (and do not count). The counts live
 * in a {@link LockoutStore}: in process memory by default; with several instances give every one the same shared
 * store (`RedisLockoutStore`), so attempts spread over instances add up.
 */
export class LoginThrottle {
  private readonly store: LockoutStore;
  private readonly prefix: string;
  private readonly policy: LockoutPolicy;
  private readonly clock: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    const freeFailures = options.freeFailures ?? 5;
    const baseLockMs = options.baseLockMs ?? 1000;
    const maxLockMs = options.maxLockMs ?? 15 * 60 * 1000;
    const forgetAfterMs = options.forgetAfterMs ?? 30 * 60 * 1000;
    if (freeFailures < 1 || baseLockMs < 1) throw new TypeError('LoginThrottle: freeFailures and baseLockMs must be positive');
    // Counts restart once the last failure is older than forgetAfterMs; the counter is kept through the longest lock.
    this.policy = { freeFailures, baseLockMs, maxLockMs, windowMs: forgetAfterMs, ttlMs: Math.max(forgetAfterMs, maxLockMs) };
    this.clock = options.clock ?? Date.now;
    this.store = options.store ?? new MemoryLockoutStore({ maxKeys: options.maxKeys ?? 10000 });
    this.prefix = options.keyPrefix ?? '';
  }

  /** Milliseconds the key stays locked out (0 when it may try now). Only reads: see {@link attempt}. */
  async lockedFor(key: string): Promise<number> {
    const now = this.clock();
    const entry = await this.store.read(this.prefix + key, now);
    return entry ? Math.max(0, entry.lastAt + lockoutMs(entry.count, this.policy) - now) : 0;
  }

  /**
   * Counts an attempt before its password is checked, unless the key is locked out.
   *
   * @returns 0 when the attempt was counted and may go ahead (then {@link refund} or {@link reset} it if the password
   * was right); otherwise the milliseconds the key stays locked out (nothing was counted).
   */
  async attempt(key: string): Promise<number> {
    const now = this.clock();
    const result = await this.store.attempt(this.prefix + key, now, this.policy);
    return result.admitted ? 0 : Math.max(1, result.lastAt + lockoutMs(result.count, this.policy) - now);
  }

  /** Takes back one counted attempt (a right password, or an attempt refused by another throttle before its check). */
  async refund(key: string): Promise<void> {
    await this.store.refund(this.prefix + key);
  }

  /** Forgets a key's attempts (after a successful sign-in to that account). */
  async reset(key: string): Promise<void> {
    await this.store.reset(this.prefix + key);
  }
}
