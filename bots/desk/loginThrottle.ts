/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Wrong passwords per key before lock-outs start (the last of them starts the first). @defaultValue 5 */
  readonly freeFailures?: number;
  /** First lock-out; each further failure doubles it. @defaultValue 1000 ms */
  readonly baseLockMs?: number;
  /** Longest lock-out. @defaultValue 15 minutes */
  readonly maxLockMs?: number;
  /** A key's failures are forgotten this long after its last failure. @defaultValue 30 minutes */
  readonly forgetAfterMs?: number;
  /** Most keys remembered (the oldest are dropped first). @defaultValue 10000 */
  readonly maxKeys?: number;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly clock?: () => number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

/**
 * Counts wrong passwords per key (an account, an IP address) and locks a key out with an exponential delay.
 *
 * @remarks From the `freeFailures`-th failure on, failure n locks the key for `baseLockMs * 2^(n - freeFailures)`,
 * capped at `maxLockMs` (with the defaults: 5 wrong passwords, then 1 s, 2 s, 4 s...). Attempts during a lock-out are refused without checking the password (and do not count).
 * In process memory: with several instances each keeps its own counts, which still bounds guessing per instance.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly freeFailures: number;
  private readonly baseLockMs: number;
  private readonly maxLockMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxKeys: number;
  private readonly clock: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.freeFailures = options.freeFailures ?? 5;
    this.baseLockMs = options.baseLockMs ?? 1000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60 * 1000;
    this.forgetAfterMs = options.forgetAfterMs ?? 30 * 60 * 1000;
    this.maxKeys = options.maxKeys ?? 10000;
    this.clock = options.clock ?? Date.now;
    if (this.freeFailures < 1 || this.baseLockMs < 1) throw new TypeError('LoginThrottle: freeFailures and baseLockMs must be positive');
  }

  /** Milliseconds the key stays locked out (0 when it may try now). */
  lockedFor(key: string): number {
    const entry = this.live(key);
    return entry ? Math.max(0, entry.lockedUntil - this.clock()) : 0;
  }

  /** Records a wrong password; returns the lock-out it causes in ms (0 while failures are still free). */
  fail(key: string): number {
    const now = this.clock();
    const entry = this.live(key) ?? { failures: 0, lockedUntil: 0, lastFailure: now };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - this.freeFailures;
    const lock = over >= 0 ? Math.min(this.maxLockMs, this.baseLockMs * 2 ** Math.min(over, 40)) : 0;
    entry.lockedUntil = now + lock;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    return lock;
  }

  /** Forgets a key's failures (after a successful sign-in to that account). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && this.clock() - entry.lastFailure > this.forgetAfterMs && this.clock() >= entry.lockedUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
