import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** The lock-out schedule of {@link lockoutMs}. */
export interface LockoutPolicy {
  /** Counted attempts before lock-outs start (the `freeFailures`-th starts the first). */
  readonly freeFailures: number;
  /** First lock-out in ms. */
  readonly baseLockMs: number;
  /** Longest lock-out in ms. */
  readonly maxLockMs: number;
}

/**
 * Lock-out in ms after `count` counted attempts, from the last of them: 0 below `freeFailures`, then `baseLockMs`,
 * doubling with each further attempt, at most `maxLockMs`.
 *
 * @remarks The one piece of the schedule written by hand: rate-limiter-flexible blocks for a duration it is given
 * (`block`, `blockDuration`, `customDuration`) but has no growing one.
 */
export function lockoutMs(count: number, policy: LockoutPolicy): number {
  const over = count - policy.freeFailures;
  return over >= 0 ? Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** Math.min(over, 40)) : 0;
}

/**
 * Where a `LoginThrottle` keeps its counters: rate-limiter-flexible limiters in process memory
 * ({@link MemoryLockoutStore}) or in Redis (`RedisLockoutStore`, so attempts spread over several instances add up).
 *
 * @remarks Throttles sharing a store share their counts (their keys differ by the throttle's `keyPrefix`).
 */
export interface LockoutStore {
  /**
   * The limiter `name` of this store, the same one on every call: `points: 1` (the first `consume` of a period passes,
   * the next are refused until it ends). The throttle gives every duration per call (`customDuration`, `set`).
   */
  limiter(name: string): RateLimiterAbstract;
  /** Told of every key a throttle has just counted, so a bounded store can forget the least recently counted. */
  counted?(key: string): Promise<void>;
}

/**
 * Attempts counted for one key.
 *
 * @deprecated Nothing returns it since the counters moved to rate-limiter-flexible; kept while `warmline.ts` still
 * exports it.
 */
export interface FailureCount {
  readonly count: number;
  readonly lastAt: number;
}

/**
 * Outcome of a counted attempt.
 *
 * @deprecated Nothing returns it since the counters moved to rate-limiter-flexible; kept while `warmline.ts` still
 * exports it.
 */
export interface LockoutAttempt extends FailureCount {
  readonly admitted: boolean;
}

/** Options of {@link MemoryLockoutStore}. */
export interface MemoryLockoutStoreOptions {
  /** Most keys remembered (the least recently counted is dropped first). @defaultValue 10000 */
  readonly maxKeys?: number;
}

/**
 * A {@link LockoutStore} in process memory (the default): rate-limiter-flexible's `RateLimiterMemory`, bounded.
 *
 * @remarks `RateLimiterMemory` drops a key only once its time is up, so a flood of made-up account names or addresses
 * would grow it without limit: this store remembers the keys in the order they were last counted and, past `maxKeys`,
 * deletes the least recently counted from every limiter. Per process: with several instances each counts on its own,
 * so spreading guesses over instances multiplies the allowance; use `RedisLockoutStore` there (createApp does with
 * `STORAGE=redis`).
 */
export class MemoryLockoutStore implements LockoutStore {
  private readonly limiters = new Map<string, RateLimiterMemory>();
  // Least recently counted first: a Set keeps insertion order, and a counted key is moved to the end.
  private readonly keys = new Set<string>();
  private readonly maxKeys: number;

  constructor(options: MemoryLockoutStoreOptions = {}) {
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
  }

  limiter(name: string): RateLimiterAbstract {
    let limiter = this.limiters.get(name);
    if (!limiter) this.limiters.set(name, (limiter = new RateLimiterMemory({ keyPrefix: name, points: 1, duration: 1 })));
    return limiter;
  }

  async counted(key: string): Promise<void> {
    this.keys.delete(key);
    this.keys.add(key);
    const dropped: string[] = [];
    for (const oldest of this.keys) {
      if (this.keys.size <= this.maxKeys) break;
      this.keys.delete(oldest);
      dropped.push(oldest);
    }
    await Promise.all(dropped.flatMap((oldest) => [...this.limiters.values()].map((limiter) => limiter.delete(oldest))));
  }

  /** Number of keys remembered (for tests). */
  get size(): number {
    return this.keys.size;
  }
}
