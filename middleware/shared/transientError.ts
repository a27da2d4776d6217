import { isRetryLater } from './retryLater';

// ioredis' own failures while the server cannot be reached or answer in time. (Socket error codes alone say nothing:
// a channel's connector that cannot be reached fails with them too, and that is not a storage outage.)
const TRANSIENT_NAMES = new Set(['MaxRetriesPerRequestError', 'CaseConflictError', 'RetryLaterError']);
const TRANSIENT_MESSAGES = [/^Connection is closed\.?$/, /^Command timed out/, /Stream isn't writeable/, /^Reached the max retries per request limit/];
// Redis replies that mean "not now" rather than "never".
const TRANSIENT_REPLIES = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS)\b/;

/**
 * True when `err` says a store could not be reached or did not answer in time (a Redis outage or blip, a command
 * timeout, a write that kept losing to concurrent ones): the work may succeed if tried again shortly.
 *
 * @remarks Checks the error and its `cause` chain (a few levels): ioredis' error names and messages (the offline queue
 * gave up, the connection is closed, a command timed out), Redis replies such as `LOADING` and `BUSY`, a write that kept
 * losing to concurrent ones, and {@link isRetryLater}. Anything else (a refused write, a channel that cannot be
 * reached, a programming error) is not transient.
 */
export function isTransientStorageError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = (e as Error & { cause?: unknown }).cause, depth++) {
    if (isRetryLater(e) || TRANSIENT_NAMES.has(e.name)) return true;
    const message = typeof e.message === 'string' ? e.message.slice(0, 200) : '';
    if (TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
    if (e.name === 'ReplyError' && TRANSIENT_REPLIES.test(message)) return true;
  }
  return false;
}
