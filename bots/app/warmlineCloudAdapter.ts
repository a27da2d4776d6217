import { CloudAdapter, type Activity, type TurnContext } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult, type BotFrameworkAuthentication } from 'botframework-connector';
import { isRetryLater } from '../../middleware/shared/retryLater';

/** The status, headers and body to answer a POSTed activity with. */
export interface ActivityHttpResult {
  readonly status: number;
  /** JSON body (invoke and expectReplies responses, authentication and retry answers), or none. */
  readonly body?: unknown;
  /** Extra response headers, e.g. `Retry-After` with a 503. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options for {@link WarmlineCloudAdapter}. */
export interface WarmlineCloudAdapterOptions {
  /**
   * Longest wait for authentication (with an app id: the signing keys of the Bot Framework, fetched and cached by
   * botframework-connector) before the request is answered 503.
   * @defaultValue 5000
   */
  authenticationTimeoutMs?: number;
  /** `Retry-After` seconds sent when authentication could not be completed. @defaultValue 5 */
  authenticationRetryAfterSeconds?: number;
}

/** Turns ISO timestamps into dates (keeping the raw strings), as botbuilder's `validateAndFixActivity` does. */
function fixTimestamps(activity: Record<string, unknown>): Activity {
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[raw] = value;
      activity[field] = new Date(value);
    }
  }
  return activity as unknown as Activity;
}

/** Authentication that ended without a verdict on the token (keys unreachable, metadata unreadable, too slow). */
class AuthenticationUnavailable extends Error {
  constructor(readonly reason: 'timeout' | 'failed') {
    super(`Authentication could not be completed (${reason}).`);
    this.name = 'AuthenticationUnavailable';
  }
}

/**
 * botbuilder's `CloudAdapter`, plus {@link WarmlineCloudAdapter.processActivityBody}: authenticate and run the turn of
 * an activity the server has parsed and checked, and say what to answer for each way that can fail.
 *
 * @remarks `CloudAdapter.process` answers every failure other than a refused token with 500 (and writes the error to
 * the console): a turn that could not keep its activity, or a token that could not be checked because the signing
 * keys were unreachable, would look like a crash to the channel, which would not send the activity again. This method
 * runs the same authentication (JWT whenever an app id is set) and the same turn, through `CloudAdapterBase`'s own
 * `processActivity` (its extension point for hosts that read requests themselves), and answers 503 with
 * `Retry-After` in those two cases. Everything else is `CloudAdapter`'s.
 */
export class WarmlineCloudAdapter extends CloudAdapter {
  private readonly authenticationTimeoutMs: number;
  private readonly authenticationRetryAfterSeconds: number;

  constructor(botFrameworkAuthentication?: BotFrameworkAuthentication, options: WarmlineCloudAdapterOptions = {}) {
    super(botFrameworkAuthentication);
    const timeout = options.authenticationTimeoutMs ?? 5000;
    const retryAfter = options.authenticationRetryAfterSeconds ?? 5;
    if (!Number.isInteger(timeout) || timeout < 1) throw new TypeError('WarmlineCloudAdapter: authenticationTimeoutMs must be a positive integer');
    if (!Number.isInteger(retryAfter) || retryAfter < 1) throw new TypeError('WarmlineCloudAdapter: authenticationRetryAfterSeconds must be a positive integer');
    this.authenticationTimeoutMs = timeout;
    this.authenticationRetryAfterSeconds = retryAfter;
  }

  /**
   * Authenticates the request and runs the turn for an activity already parsed from JSON (`type` is a string), and
   * resolves with what to answer.
   *
   * @remarks The answers: the invoke or expectReplies response (else 200); 401 with botbuilder's message when the
   * token is missing, malformed or refused; 503 with `Retry-After` when authentication could not reach a verdict
   * (the Bot Framework's OpenID metadata or signing keys unreachable or unreadable, or slower than
   * `authenticationTimeoutMs`), so the channel sends the activity again rather than losing it; 503 with the error's
   * `Retry-After` when the turn failed with a `RetryLaterError` (thrown, or rethrown by `onTurnError`). Other errors
   * reject, for the server to answer 500.
   *
   * @param authHeader - The request's `Authorization` header, or `''`.
   * @param body - The parsed activity; its timestamps are turned into dates as botbuilder does.
   */
  async processActivityBody(authHeader: string, body: Record<string, unknown>, logic: (context: TurnContext) => Promise<void>): Promise<ActivityHttpResult> {
    const activity = fixTimestamps(body);
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await this.authenticate(activity, authHeader);
    } catch (err) {
      if (err instanceof AuthenticationUnavailable) {
        return {
          status: 503,
          headers: { 'Retry-After': String(this.authenticationRetryAfterSeconds) },
          body: { error: 'ServiceUnavailable', message: 'The request could not be authenticated right now; send it again later.' },
        };
      }
      const message = err instanceof Error ? err.message : 'Unauthorized.';
      return { status: 401, body: { error: 'Unauthorized', message } };
    }
    try {
      const response = await this.processActivity(authenticated, activity, logic);
      return { status: response?.status ?? 200, body: response?.body ?? undefined };
    } catch (err) {
      // Kept from botbuilder's own handling: a refusal raised while the turn runs is still a 401.
      if (err instanceof AuthenticationError && (err.statusCode ?? 401) < 500) return { status: 401, body: { error: 'Unauthorized', message: err.message } };
      if (isRetryLater(err)) {
        return {
          status: 503,
          headers: { 'Retry-After': String(err.retryAfterSeconds) },
          body: { error: 'RetryLater', message: 'The activity could not be kept; send it again later.' },
        };
      }
      throw err;
    }
  }

  /**
   * botbuilder's own authentication of the request. A refusal (`AuthenticationError` with a 4xx status: no token, a
   * malformed or forged one) rejects as it is; anything else (botframework-connector reports unreachable or unreadable
   * metadata and keys as a `FetchError` or an `AuthenticationError` with status 500) and a timeout reject with
   * `AuthenticationUnavailable`.
   */
  private async authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    let timer: NodeJS.Timeout | undefined;
    const pending = this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AuthenticationUnavailable('timeout')), this.authenticationTimeoutMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (err) {
      if (err instanceof AuthenticationUnavailable) {
        pending.catch(() => undefined); // it may still settle, long after the answer
        throw err;
      }
      if (err instanceof AuthenticationError && (err.statusCode ?? 401) < 500) throw err;
      throw new AuthenticationUnavailable('failed');
    } finally {
      clearTimeout(timer);
    }
  }
}
