/**
 * What {@link ReplayCache.begin} found: `claimed` (the key was free and is now `pending` for the caller: go ahead,
 * then {@link ReplayCache.complete} or {@link ReplayCache.release} it), `pending` (an identical message is being
 * applied right now and its outcome is not known yet: ask the sender to retry shortly) or `done` (it was applied: a
 * replay).
 */
export type ReplayBegin = 'claimed' | 'pending' | 'done';

/**
 * Remembers the signed inbound messages already accepted (a hub's status webhook, a `handoff.status`), so that an
 * exact replay inside the signature's validity window is refused, without ever answering "done" for a message whose
 * application then failed.
 *
 * @remarks Each entry has a state. {@link begin} is one atomic "if absent, record as `pending` with a time to live,
 * else say what is there" step: of two copies of a message arriving at the same time (on one instance or on several
 * sharing a store), exactly one gets `claimed`; the other sees `pending` until the first is settled. The claimant
 * then either marks the entry `done` ({@link complete}: the message was applied; later copies are replays) or
 * forgets it ({@link release}: it could not be applied and may be sent again). The time to live is set once, by
 * `begin`: `complete` keeps it, so an entry is never remembered longer than its signature can be valid.
 */
export interface ReplayCache {
  /**
   * Records `key` as `pending` for `ttlMs` unless it is already recorded.
   *
   * @param owner a token naming this claim (random per claim): `complete` and `release` given the same token then act
   * only on this claim, never on a later one made after this claim's time ran out (another claimant's, or its `done`).
   * @returns `claimed` the first time (go ahead, then `complete` or `release`), else the state recorded.
   */
  begin(key: string, ttlMs: number, owner?: string): Promise<ReplayBegin>;
  /**
   * Marks a `pending` key `done` (applied), keeping its time to live, or, with `keepMs`, remembering it that long from
   * now (a short lease while pending, a long memory once done). No-op when the key is gone or already done, or (with
   * `owner`) pending under another claim.
   */
  complete(key: string, keepMs?: number, owner?: string): Promise<void>;
  /**
   * Forgets `key`: the message it guarded could not be applied and may be sent again. With `owner`, only while it is
   * still pending under that claim (a late release never forgets someone else's claim or a `done`).
   */
  release(key: string, owner?: string): Promise<void>;
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

interface MemoryEntry {
  /** Epoch ms after which the key is forgotten. */
  until: number;
  state: 'pending' | 'done';
  /** The claim's token, when its claimant gave one. */
  owner?: string;
}

/**
 * A {@link ReplayCache} in process memory (the default): bounded, entries dropped once their time is up.
 *
 * @remarks Per process: with several instances behind a load balancer, use a shared cache (`RedisReplayCache`),
 * or a replay reaching another instance inside the window is not caught.
 */
export class MemoryReplayCache implements ReplayCache {
  /** Insertion order is kept (oldest first). */
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** When expired entries were last swept out: at most once every 10 s, so `begin` stays O(1) amortised. */
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryReplayCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? REPLAY_CACHE_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  async begin(key: string, ttlMs: number, owner?: string): Promise<ReplayBegin> {
    return this.beginNow(key, ttlMs, owner);
  }

  async complete(key: string, keepMs?: number, owner?: string): Promise<void> {
    this.completeNow(key, keepMs, owner);
  }

  async release(key: string, owner?: string): Promise<void> {
    const entry = this.entries.get(key);
    if (owner !== undefined && (!entry || entry.state !== 'pending' || entry.owner !== owner)) return;
    this.entries.delete(key);
  }

  /** {@link begin}, synchronously (the memory cache needs no I/O). */
  beginNow(key: string, ttlMs: number, owner?: string): ReplayBegin {
    const t = this.now();
    if (t - this.prunedAt >= 10_000) this.prune(t);
    const existing = this.entries.get(key);
    if (existing && existing.until > t) return existing.state;
    this.entries.delete(key);
    this.entries.set(key, { until: t + Math.max(1, ttlMs), state: 'pending', ...(owner !== undefined ? { owner } : {}) });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return 'claimed';
  }

  /** {@link complete}, synchronously. */
  completeNow(key: string, keepMs?: number, owner?: string): void {
    const entry = this.entries.get(key);
    const t = this.now();
    if (!entry || entry.until <= t || entry.state === 'done') return;
    if (owner !== undefined && entry.owner !== owner) return;
    entry.state = 'done';
    if (keepMs !== undefined) entry.until = t + Math.max(1, keepMs);
  }

  /** Number of keys remembered (for tests and metrics). */
  get size(): number {
    this.prune(this.now());
    return this.entries.size;
  }

  private prune(t: number): void {
    this.prunedAt = t;
    for (const [key, entry] of this.entries) if (entry.until <= t) this.entries.delete(key);
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
