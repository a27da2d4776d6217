import { createHmac, timingSafeEqual, randomUUID } from 'node:crypto';
import { MemoryReplayCache, replayTtlMs, type ReplayBegin, type ReplayCache } from '../../shared/replayCache';

/** Default replay window of signed `handoff.status` events, in seconds, both ways (5 minutes). */
export const HANDOFF_STATUS_TOLERANCE_SECONDS = 300;

/** Most signatures the replay cache remembers at once (the oldest is forgotten first beyond this). */
export const HANDOFF_STATUS_REPLAY_CACHE_SIZE = 10_000;

/**
 * The exact string a hub signs for a `handoff.status`: `` `${caseId}.${state}.${timestamp}` ``.
 *
 * @param caseId - `value.caseId` of the `handoff.initiate` the hub received (e.g. `C-7K3P`).
 * @param state - the status meant, canonical spelling: `accepted`, `failed`, `completed`, `timedOut`,
 * `transferBack` or `endOfConversation` (for `{state: "failed", code: "timedOut"}` sign `timedOut`).
 * @param timestamp - Unix time in whole seconds, the same number as `value.timestamp`.
 */
export function handoffStatusSigningInput(caseId: string, state: string, timestamp: number): string {
  return `${caseId}.${state}.${timestamp}`;
}

/**
 * `base64url(HMAC-SHA256(secret, "${caseId}.${state}.${timestamp}"))`: the `value.signature` of a `handoff.status`.
 *
 * @example computeHandoffStatusSignature(secret, 'C-7K3P', 'accepted', 1767225600) // 43 characters
 */
export function computeHandoffStatusSignature(secret: string, caseId: string, state: string, timestamp: number): string {
  if (!secret) throw new TypeError('computeHandoffStatusSignature: secret is required');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError('computeHandoffStatusSignature: timestamp must be Unix seconds (a whole number)');
  return createHmac('sha256', secret).update(handoffStatusSigningInput(caseId, state, timestamp), 'utf8').digest('base64url');
}

/** What {@link signHandoffStatus} returns: spread it into the `value` of a `handoff.status` event. */
export interface SignedHandoffStatusFields {
  readonly caseId: string;
  readonly state: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly signature: string;
}

/**
 * Signs a status the way a hub adapter must (for hub adapters written in TypeScript, and for tests).
 *
 * @remarks Sign each status when you send it: a retry gets a fresh timestamp (the bot refuses a signature it has
 * already seen, and any older than 5 minutes).
 * @example
 * await postToConversation({ type: 'event', name: 'handoff.status',
 *   value: { ...signHandoffStatus(secret, { caseId: initiate.value.caseId, state: 'accepted' }), agent: { id: 'a-7', name: 'Ana' } } });
 */
export function signHandoffStatus(secret: string, status: { readonly caseId: string; readonly state: string; readonly timestamp?: number }, nowMs: number = Date.now()): SignedHandoffStatusFields {
  const timestamp = status.timestamp ?? Math.floor(nowMs / 1000);
  return { caseId: status.caseId, state: status.state, timestamp, signature: computeHandoffStatusSignature(secret, status.caseId, status.state, timestamp) };
}

/** Options of {@link HandoffStatusVerifier}. */
export interface HandoffStatusVerifierOptions {
  /** The secret shared with the hub (16+ characters). */
  readonly secret: string;
  /** Replay window in seconds, both ways. Default 300. */
  readonly toleranceSeconds?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /** Most signatures remembered by the built-in (per-process) replay cache. Default {@link HANDOFF_STATUS_REPLAY_CACHE_SIZE}. */
  readonly maxReplayEntries?: number;
  /**
   * Where accepted signatures are remembered. Default: a per-process {@link MemoryReplayCache}. With several
   * instances give a shared one (`RedisReplayCache`) and call {@link HandoffStatusVerifier.verifyAsync}.
   */
  readonly replayCache?: ReplayCache;
}

/** The signed fields of a `handoff.status`, as received. */
export interface HandoffStatusSignedFields {
  readonly caseId?: string;
  /** The canonical state the status means (after a `code` refined it). */
  readonly state: string;
  /** The word the hub sent that decided the state (`state`, or `code` when it refined it). */
  readonly rawState?: string;
  readonly timestamp?: number;
  readonly signature?: string;
}

/**
 * Why a `handoff.status` signature was refused. `replayed`: this signature was already applied. `in_progress`: an
 * identical copy is being applied right now (its outcome is not known yet; if it fails, the signature is released and
 * may be sent again).
 */
export type HandoffStatusVerificationFailure =
  | 'missing_case_id'
  | 'missing_signature'
  | 'missing_timestamp'
  | 'stale'
  | 'future'
  | 'mismatch'
  | 'replayed'
  | 'in_progress';

/** Result of {@link HandoffStatusVerifier.verify}. */
export type HandoffStatusVerification = { readonly ok: true } | { readonly ok: false; readonly reason: HandoffStatusVerificationFailure };

/**
 * Result of {@link HandoffStatusVerifier.claimAsync}: when `ok`, the signature is held as pending, and the caller
 * settles it once it knows whether the status was applied.
 */
export type HandoffStatusClaim =
  | {
      readonly ok: true;
      /** The status was applied (or definitively refused by the case): the signature is spent; copies are replays. */
      complete(): Promise<void>;
      /** The status could not be applied (an error): forget the signature, so that the hub's resend goes through. */
      release(): Promise<void>;
    }
  | { readonly ok: false; readonly reason: HandoffStatusVerificationFailure };

/**
 * Authenticates `handoff.status` events: an HMAC-SHA256 signature over case id, state and timestamp, a replay window
 * and a replay cache (per process by default, shared when a `replayCache` such as `RedisReplayCache` is given).
 *
 * @remarks Nothing secret is ever sent into the customer's conversation: the hub signs each status with the secret
 * it shares with the bot. The signature may be over the canonical state (`timedOut`) or over the exact word the hub
 * sent that decided it (`Accepted`, or the `code` that refined a `failed`); both name the same outcome. A valid
 * signature is accepted once: the same signature again (a replay by anyone who saw the event, e.g. a Direct Line
 * client in the conversation) is refused until it leaves the window. The default cache is per process: with several
 * instances give a shared `replayCache` and use {@link HandoffStatusVerifier.verifyAsync} (or
 * {@link HandoffStatusVerifier.claimAsync}), or a replay reaching another instance within the window is not caught.
 * `verify` and `verifyAsync` spend the signature at once; `claimAsync` holds it as pending until the caller
 * completes it (applied) or releases it (applying failed, so the hub may resend the same signed status).
 * @example
 * const verifier = new HandoffStatusVerifier({ secret, replayCache: new RedisReplayCache({ redis }) });
 * const v = await verifier.verifyAsync({ caseId, state: 'accepted', timestamp, signature });
 * if (!v.ok) logger.warn('status refused', { reason: v.reason });
 */
export class HandoffStatusVerifier {
  private readonly tolerance: number;
  private readonly now: () => number;
  /** The cache `verify` can use synchronously (the built-in one, or a given memory cache). */
  private readonly memory: MemoryReplayCache | undefined;
  private readonly cache: ReplayCache;

  constructor(private readonly options: HandoffStatusVerifierOptions) {
    if (!options || typeof options.secret !== 'string' || options.secret.length < 16) {
      throw new TypeError('HandoffStatusVerifier: secret must be 16+ characters');
    }
    this.tolerance = options.toleranceSeconds ?? HANDOFF_STATUS_TOLERANCE_SECONDS;
    this.now = options.now ?? Date.now;
    if (options.replayCache) {
      this.cache = options.replayCache;
      this.memory = options.replayCache instanceof MemoryReplayCache ? options.replayCache : undefined;
    } else {
      this.memory = new MemoryReplayCache({ maxEntries: options.maxReplayEntries ?? HANDOFF_STATUS_REPLAY_CACHE_SIZE, now: this.now });
      this.cache = this.memory;
    }
  }

  /**
   * Verifies a status in constant time and, when valid, remembers its signature so it is accepted only once.
   *
   * @throws TypeError when the verifier was given a replay cache that is not in memory (use {@link verifyAsync}).
   */
  verify(status: HandoffStatusSignedFields): HandoffStatusVerification {
    if (!this.memory) throw new TypeError('HandoffStatusVerifier.verify: this replay cache is asynchronous; call verifyAsync');
    const check = this.checkSignature(status);
    if (!check.ok) return check;
    const key = this.replayKey(status);
    const found = this.memory.beginNow(key, this.ttl(status));
    if (found !== 'claimed') return refused(found);
    this.memory.completeNow(key);
    return { ok: true };
  }

  /**
   * {@link verify} through the configured replay cache (shared across instances when it is): the signature is spent
   * at once. To spend it only once the status is applied, use {@link claimAsync}.
   */
  async verifyAsync(status: HandoffStatusSignedFields): Promise<HandoffStatusVerification> {
    const claim = await this.claimAsync(status);
    if (!claim.ok) return claim;
    await claim.complete();
    return { ok: true };
  }

  /**
   * Verifies a status and, when valid and not seen, holds its signature as pending in the replay cache: a copy
   * arriving meanwhile is refused as `in_progress`. Call `complete()` once the status is applied (copies are then
   * `replayed`) or `release()` when applying it failed (the same signed status may then be sent again). A claim never
   * settled is forgotten when its signature leaves the window.
   *
   * @throws whatever the replay cache throws (e.g. Redis unreachable): the status is then neither applied nor held.
   */
  async claimAsync(status: HandoffStatusSignedFields): Promise<HandoffStatusClaim> {
    const check = this.checkSignature(status);
    if (!check.ok) return check;
    const key = this.replayKey(status);
    // This claim's own token: a late release never forgets a later claim of the same signature, nor its "done".
    const owner = randomUUID();
    const found = await this.cache.begin(key, this.ttl(status), owner);
    if (found !== 'claimed') return refused(found);
    return { ok: true, complete: () => this.cache.complete(key, undefined, owner), release: () => this.cache.release(key, owner) };
  }

  /** Number of signatures remembered by an in-memory replay cache (0 with a shared one; for tests and metrics). */
  get replayCacheSize(): number {
    return this.memory?.size ?? 0;
  }

  // Signature and window only; nothing is remembered.
  private checkSignature(status: HandoffStatusSignedFields): HandoffStatusVerification {
    if (!status.caseId) return { ok: false, reason: 'missing_case_id' };
    if (!status.signature) return { ok: false, reason: 'missing_signature' };
    if (status.timestamp === undefined) return { ok: false, reason: 'missing_timestamp' };
    const nowSeconds = Math.floor(this.now() / 1000);
    if (status.timestamp < nowSeconds - this.tolerance) return { ok: false, reason: 'stale' };
    if (status.timestamp > nowSeconds + this.tolerance) return { ok: false, reason: 'future' };

    const given = Buffer.from(status.signature, 'utf8');
    const words = [...new Set([status.state, ...(status.rawState ? [status.rawState] : [])])];
    let matched = false;
    for (const word of words) {
      const expected = Buffer.from(computeHandoffStatusSignature(this.options.secret, status.caseId, word, status.timestamp), 'utf8');
      if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
    }
    return matched ? { ok: true } : { ok: false, reason: 'mismatch' };
  }

  private replayKey(status: HandoffStatusSignedFields): string {
    return `${status.caseId}.${status.signature}`;
  }

  // Remembered for as long as the timestamp is inside the window: past it the status is refused as stale anyway.
  private ttl(status: HandoffStatusSignedFields): number {
    return replayTtlMs(status.timestamp ?? 0, this.tolerance, this.now());
  }
}

/** A signature already in the replay cache: spent (`done`) or being applied (`pending`). */
function refused(found: Exclude<ReplayBegin, 'claimed'>): { readonly ok: false; readonly reason: HandoffStatusVerificationFailure } {
  return { ok: false, reason: found === 'pending' ? 'in_progress' : 'replayed' };
}
