import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { lockoutMs, MemoryLockoutStore, type LockoutPolicy, type LockoutStore } from './lockoutStore';

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Wrong passwords per key before lock-outs start (the last of them starts the first). @defaultValue 5 */
  readonly freeFailures?: number;
  /** First lock-out (whole seconds, rounded up); each further failure doubles it. @defaultValue 1000 ms */
  readonly baseLockMs?: number;
  /** Longest lock-out. @defaultValue 15 minutes */
  readonly maxLockMs?: number;
  /**
   * A key's failures are forgotten this long after the first of them; once it has been locked out, this long after
   * the last lock-out started (or when that one ends, if later). @defaultValue 30 minutes
   */
  readonly forgetAfterMs?: number;
  /** Most keys remembered by the default in-memory store (the least recently counted are dropped first). @defaultValue 10000 */
  readonly maxKeys?: number;
  /** Where attempts are counted. @defaultValue a per-process {@link MemoryLockoutStore} */
  readonly store?: LockoutStore;
  /** Put before every key, so several throttles can share one store (e.g. `account:`, `ip:`). @defaultValue '' */
  readonly keyPrefix?: string;
}

/** Whole seconds, rounded up: rate-limiter-flexible's durations are seconds, and 0 would mean "never expires". */
const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** A limiter's record, or null once its time is up (`RateLimiterMemory` drops keys on a timer, which may run late). */
const live = (res: RateLimiterRes | null): RateLimiterRes | null => (res && res.msBeforeNext > 0 ? res : null);

/**
 * Counts sign-in attempts per key (an account, an IP address) and locks a key out with an exponential delay, on
 * rate-limiter-flexible's counters.
 *
 * @remarks An attempt is counted *before* the password is checked ({@link attempt}), atomically, so simultaneous
 * guesses cannot all pass while the first are being verified; a right password then takes its count back
 * ({@link refund}) or clears the key ({@link reset}). So the count is that of wrong passwords (plus those still being
 * checked). From the `freeFailures`-th on, failure n locks the key for `baseLockMs * 2^(n - freeFailures)`, capped at
 * `maxLockMs` (with the defaults: 5 wrong passwords, then 1 s, 2 s, 4 s... 15 min). Attempts during a lock-out are
 * refused without checking the password, and do not count.
 *
 * Three limiters of the {@link LockoutStore}, keyed by the SHA-256 of `keyPrefix` + key: `failures` counts attempts
 * (`penalty`, one atomic increment each); those below `freeFailures` go ahead. Past them, an attempt goes ahead only as
 * the first `consume` of `lock` (1 point) once the previous lock-out is over, and that consume starts the next one
 * (`customDuration`), in one atomic step where a `block` would be a separate write: of simultaneous attempts on any
 * number of instances exactly one passes, the others are refused with the time left. `lockouts` counts the lock-outs a key has had, which sets the next one's length
 * ({@link lockoutMs}: rate-limiter-flexible has no growing block). The counts live in process memory by default; with
 * several instances give every one the same shared store (`RedisLockoutStore`), so attempts spread over instances add
 * up.
 */
export class LoginThrottle {
  private readonly store: LockoutStore;
  private readonly failures: RateLimiterAbstract;
  private readonly lock: RateLimiterAbstract;
  private readonly lockouts: RateLimiterAbstract;
  private readonly prefix: string;
  private readonly policy: LockoutPolicy;
  private readonly forgetAfterMs: number;

  constructor(options: LoginThrottleOptions = {}) {
    const freeFailures = options.freeFailures ?? 5;
    const baseLockMs = options.baseLockMs ?? 1000;
    const maxLockMs = options.maxLockMs ?? 15 * 60 * 1000;
    if (freeFailures < 1 || baseLockMs < 1) throw new TypeError('LoginThrottle: freeFailures and baseLockMs must be positive');
    this.policy = { freeFailures, baseLockMs, maxLockMs };
    this.forgetAfterMs = options.forgetAfterMs ?? 30 * 60 * 1000;
    this.store = options.store ?? new MemoryLockoutStore({ maxKeys: options.maxKeys ?? 10000 });
    this.failures = this.store.limiter('failures');
    this.lock = this.store.limiter('lock');
    this.lockouts = this.store.limiter('lockouts');
    this.prefix = options.keyPrefix ?? '';
  }

  /** Milliseconds the key stays locked out (0 when it may try now). Only reads: see {@link attempt}. */
  async lockedFor(key: string): Promise<number> {
    return live(await this.lock.get(this.key(key)))?.msBeforeNext ?? 0;
  }

  /**
   * Counts an attempt before its password is checked, unless the key is locked out.
   *
   * @returns 0 when the attempt was counted and may go ahead (then {@link refund} or {@link reset} it if the password
   * was right); otherwise the milliseconds the key stays locked out (nothing was counted).
   */
  async attempt(key: string): Promise<number> {
    const k = this.key(key);
    const { freeFailures } = this.policy;
    const counted = await this.failures.penalty(k, 1, { customDuration: seconds(this.forgetAfterMs) });
    if (counted.consumedPoints >= freeFailures) {
      const lockouts = live(await this.lockouts.get(k))?.consumedPoints ?? 0;
      const lockMs = lockoutMs(freeFailures + lockouts, this.policy);
      try {
        await this.lock.consume(k, 1, { customDuration: seconds(lockMs) });
      } catch (err) {
        if (err instanceof RateLimiterRes) return Math.max(1, err.msBeforeNext);
        throw err;
      }
      // Only this attempt went ahead since the last lock-out: no other write races these.
      const keep = seconds(Math.max(this.forgetAfterMs, lockMs));
      await Promise.all([this.lockouts.set(k, lockouts + 1, keep), this.failures.set(k, freeFailures, keep)]);
    }
    await this.store.counted?.(k);
    return 0;
  }

  /** Takes back one counted attempt (a right password, or an attempt refused by another throttle before its check). */
  async refund(key: string): Promise<void> {
    const k = this.key(key);
    const [lockouts, failures] = (await Promise.all([this.lockouts.get(k), this.failures.get(k)])).map(live);
    if (lockouts && lockouts.consumedPoints > 0) {
      // Past the free attempts only the one that started the current lock-out went ahead: it goes, with that lock-out.
      const left = lockouts.consumedPoints - 1;
      await Promise.all([
        this.lock.delete(k),
        left > 0 ? this.lockouts.reward(k) : this.lockouts.delete(k),
        left > 0 ? undefined : this.failures.set(k, this.policy.freeFailures - 1, seconds(this.forgetAfterMs)),
      ]);
    } else if (failures && failures.consumedPoints > 0) {
      await this.failures.reward(k);
    }
  }

  /** Forgets a key's attempts (after a successful sign-in to that account). */
  async reset(key: string): Promise<void> {
    const k = this.key(key);
    await Promise.all([this.failures.delete(k), this.lock.delete(k), this.lockouts.delete(k)]);
  }

  // Hashed: no account id or IP address in clear in the store (Redis's key space, a memory dump).
  private key(key: string): string {
    return createHash('sha256').update(this.prefix + key).digest('base64url');
  }
}
