/**
 * Remembers the signed inbound messages already accepted (a hub's status webhook, a `handoff.status`), so that an
 * exact replay inside the signature's validity window is refused.
 *
 * @remarks `claim` is one atomic "set if absent, with a time to live" step: of two copies of a message arriving at the
 * same time (on one instance or on several sharing a store), exactly one gets `true`.
 */
export interface ReplayCache {
  /**
   * Records `key` for `ttlMs` unless it is already recorded.
   *
   * @returns `true` the first time (go ahead), `false` while the key is remembered (a replay).
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Forgets `key`: the message it guarded could not be applied and may be sent again. */
  release(key: string): Promise<void>;
}

/** Default bound of a {@link MemoryReplayCache}. */
export const REPLAY_CACHE_MAX_ENTRIES = 10_000;

/** Options of {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /** Most keys remembered; beyond it the oldest is forgotten first (a replay of it would then go through). @defaultValue 10000 */
  readonly maxEntries?: number;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly now?: () => number;
}

/**
 * A {@link ReplayCache} in process memory (the default): bounded, entries dropped once their time is up.
 *
 * @remarks Per process: with several instances behind a load balancer, use a shared cache (`RedisReplayCache`),
 * or a replay reaching another instance inside the window is not caught.
 */
export class MemoryReplayCache implements ReplayCache {
  /** key -> epoch ms after which it is forgotten. Insertion order is kept (oldest first). */
  private readonly entries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryReplayCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? REPLAY_CACHE_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return this.claimNow(key, ttlMs);
  }

  /** {@link claim}, synchronously (the memory cache needs no I/O). */
  claimNow(key: string, ttlMs: number): boolean {
    const t = this.now();
    this.prune(t);
    if (this.entries.has(key)) return false;
    this.entries.set(key, t + Math.max(1, ttlMs));
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return true;
  }

  async release(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Number of keys remembered (for tests and metrics). */
  get size(): number {
    this.prune(this.now());
    return this.entries.size;
  }

  private prune(t: number): void {
    for (const [key, until] of this.entries) if (until <= t) this.entries.delete(key);
  }
}

/** Margin added to replay-cache lifetimes for clock differences between instances. */
export const REPLAY_CLOCK_SKEW_MS = 5_000;

/**
 * How long a signature stays valid, hence how long it must be remembered: until its timestamp leaves the window
 * (`timestampSeconds + toleranceSeconds`, inclusive, on the receiver's clock), plus {@link REPLAY_CLOCK_SKEW_MS}.
 */
export function replayTtlMs(timestampSeconds: number, toleranceSeconds: number, nowMs: number): number {
  return Math.max(1, (timestampSeconds + toleranceSeconds + 1) * 1000 - nowMs) + REPLAY_CLOCK_SKEW_MS;
}
