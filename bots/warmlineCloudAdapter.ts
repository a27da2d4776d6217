import { CloudAdapter, type Activity, type TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';

/** The status and body to answer a POSTed activity with. */
export interface ActivityHttpResult {
  readonly status: number;
  /** JSON body (invoke and expectReplies responses, authentication errors), or none. */
  readonly body?: unknown;
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

/**
 * botbuilder's `CloudAdapter`, plus {@link WarmlineCloudAdapter.processActivityBody} for a server that has already
 * read and checked the request body.
 *
 * @remarks `CloudAdapter.process` re-validates the request, the response and the logic function with zod on every
 * request before it authenticates and runs the turn. Warmline's endpoint reads the JSON body itself, so it calls
 * `processActivityBody`: the same authentication (JWT whenever an app id is set) and the same turn, without that
 * per-request validation. Everything else is `CloudAdapter`'s.
 */
export class WarmlineCloudAdapter extends CloudAdapter {
  /**
   * Authenticates the request and runs the turn for an activity already parsed from JSON (`type` is a string).
   * Resolves with what to answer: the invoke or expectReplies response (else 200), or 401 with botbuilder's
   * message when authentication fails. Other errors reject, for the server to answer 500.
   *
   * @param authHeader - The request's `Authorization` header, or `''`.
   * @param body - The parsed activity; its timestamps are turned into dates as botbuilder does.
   */
  async processActivityBody(authHeader: string, body: Record<string, unknown>, logic: (context: TurnContext) => Promise<void>): Promise<ActivityHttpResult> {
    try {
      const response = await this.processActivity(authHeader, fixTimestamps(body), logic);
      return { status: response?.status ?? 200, body: response?.body ?? undefined };
    } catch (err) {
      if (err instanceof AuthenticationError) return { status: 401, body: { error: 'Unauthorized', message: err.message } };
      throw err;
    }
  }
}
