/**
 * Checks on the envelope of an activity POSTed to `/api/messages`, before any adapter reads it.
 *
 * Hand-written rather than a zod schema: six fields, checked on every request, with one readable reason per field.
 */

/** Longest accepted id (`id`, `conversation.id`, `from.id`, `recipient.id`); real channel ids stay well under 200. */
export const MAX_ID_CHARS = 1024;
/** Longest accepted `serviceUrl`. */
export const MAX_SERVICE_URL_CHARS = 2048;
/** Longest accepted `channelId` and `type`. */
export const MAX_NAME_CHARS = 64;
const MAX_TIMESTAMP_CHARS = 64;

/** A POSTed activity after {@link checkActivityEnvelope}: a JSON object whose `type` is a non-blank string. */
export type ActivityBody = Record<string, unknown> & { type: string };

/** The outcome of {@link checkActivityEnvelope}: the activity, or the reason to answer 400 with. */
export type EnvelopeCheck = { ok: true; activity: ActivityBody } | { ok: false; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: unknown): boolean => value === undefined || value === null;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The reason a field that must be a bounded string (when present) is refused, or `undefined` when it is fine. */
function stringField(value: unknown, name: string, max: number): string | undefined {
  if (absent(value) || (typeof value === 'string' && value.length <= max)) return undefined;
  return `"${name}" must be a string of at most ${max} characters.`;
}

/** The reason an account-like field (`conversation`, `from`, `recipient`) is refused, or `undefined`. */
function accountField(value: unknown, name: string): string | undefined {
  if (absent(value)) return undefined;
  if (!isObject(value)) return `"${name}" must be an object.`;
  return stringField(value.id, `${name}.id`, MAX_ID_CHARS);
}

/**
 * Checks what every later piece trusts in a POSTed activity: a JSON object with a non-blank string `type`; when present
 * (`null` counts as absent), an http(s) `serviceUrl` of at most 2048 characters, string `channelId` (64), `id`,
 * `conversation.id`, `from.id` and `recipient.id` (1024 each), and objects for `conversation`, `from` and `recipient`.
 * The reason names the field, never its value.
 */
export function checkActivityEnvelope(body: unknown): EnvelopeCheck {
  if (!isObject(body) || typeof body.type !== 'string' || body.type.trim().length === 0) {
    return { ok: false, reason: 'The body must be a Bot Framework activity (JSON with a "type").' };
  }
  const serviceUrl = body.serviceUrl;
  if (!absent(serviceUrl) && (typeof serviceUrl !== 'string' || serviceUrl.length > MAX_SERVICE_URL_CHARS || !isHttpUrl(serviceUrl))) {
    return { ok: false, reason: `"serviceUrl" must be an http(s) URL of at most ${MAX_SERVICE_URL_CHARS} characters.` };
  }
  const reason =
    stringField(body.type, 'type', MAX_NAME_CHARS) ??
    stringField(body.channelId, 'channelId', MAX_NAME_CHARS) ??
    stringField(body.id, 'id', MAX_ID_CHARS) ??
    accountField(body.conversation, 'conversation') ??
    accountField(body.from, 'from') ??
    accountField(body.recipient, 'recipient');
  return reason ? { ok: false, reason } : { ok: true, activity: body as ActivityBody };
}

const isTimestamp = (value: unknown): boolean =>
  typeof value === 'string' && value.length <= MAX_TIMESTAMP_CHARS && Number.isFinite(Date.parse(value));

/**
 * Replaces an invalid `timestamp` or `localTimestamp` (not a date string, or absurdly long) by `now`, in place, so the
 * activity is still kept (transcripts, cases) with the server's time rather than dropped. Absent ones stay absent.
 *
 * @returns the names of the fields replaced (for a count in the logs).
 */
export function replaceInvalidTimestamps(activity: Record<string, unknown>, now: Date): string[] {
  const replaced: string[] = [];
  for (const field of ['timestamp', 'localTimestamp'] as const) {
    const value = activity[field];
    if (value === undefined || isTimestamp(value)) continue;
    activity[field] = now.toISOString();
    replaced.push(field);
  }
  return replaced;
}
