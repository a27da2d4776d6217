/**
 * A turn that could not keep what it was given (a store or a hub did not answer in time): the HTTP endpoint answers
 * `503` with `Retry-After`, so the channel sends the same activity again, and nothing is acknowledged that was not kept.
 *
 * @remarks Thrown from `onTurnError` (or any turn code) after the short in-process retries of the storage client
 * have failed. The activity's id makes the retry safe: every store write and relay is idempotent on it.
 * @example throw new RetryLaterError('handoff store unavailable', { cause: err });
 */
export class RetryLaterError extends Error {
  /** Seconds the sender should wait before sending again (the `Retry-After` header). */
  readonly retryAfterSeconds: number;
  /**
   * `unavailable`: storage could not keep it (a failure); `busy`: the same activity is being handled right now (by
   * another instance, or one that died and whose claim has not run out yet): not a failure, only a matter of time.
   */
  readonly reason: 'unavailable' | 'busy';

  constructor(message: string, options: { retryAfterSeconds?: number; cause?: unknown; reason?: 'unavailable' | 'busy' } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryLaterError';
    this.retryAfterSeconds = Math.max(1, Math.round(options.retryAfterSeconds ?? 2));
    this.reason = options.reason ?? 'unavailable';
  }
}

/** True for a {@link RetryLaterError} (also one from another copy of this module). */
export const isRetryLater = (err: unknown): err is RetryLaterError =>
  err instanceof RetryLaterError ||
  (err instanceof Error && err.name === 'RetryLaterError' && typeof (err as { retryAfterSeconds?: unknown }).retryAfterSeconds === 'number');
