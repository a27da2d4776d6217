/**
 * Checks on the envelope of an activity POSTed to `/api/messages`, before any adapter reads it.
 *
 * Hand-written rather than a zod schema: a table of about twenty fields, checked on every request, each with one
 * readable reason that names the field and never echoes the value.
 */

/** Longest accepted id (`id`, `conversation.id`, `from.id`, `recipient.id`, tenant and AAD object ids) and display name. */
export const MAX_ID_CHARS = 1024;
/** Longest accepted `serviceUrl`. */
export const MAX_SERVICE_URL_CHARS = 2048;
/** Longest accepted `channelId`, `type`, `locale`, `role` and `conversationType`. */
export const MAX_NAME_CHARS = 64;
const MAX_TIMESTAMP_CHARS = 64;

/**
 * Channel ids as Bot Framework channels send them: lower case (`msteams`, `slack`, `directline`, `webchat`,
 * `twilio-sms`...). Warmline and botbuilder compare them exactly, and they start the keys of state, transcripts and
 * cases (`channelId/conversationId`), so `MSTEAMS` would be an unknown channel with state of its own.
 */
const CHANNEL_ID = /^[a-z0-9][a-z0-9._-]*$/;

/** A POSTed activity after {@link checkActivityEnvelope}: a JSON object whose `type` is a non-blank string. */
export type ActivityBody = Record<string, unknown> & { type: string };

/** The outcome of {@link checkActivityEnvelope}: the activity, or the reason to answer 400 with. */
export type EnvelopeCheck = { ok: true; activity: ActivityBody } | { ok: false; reason: string };

type Json = Record<string, unknown>;

/**
 * How one field is checked: `id` (a well-formed string), `headerSafe` (an id botbuilder's connector also sends as an
 * HTTP header, `x-ms-conversation-id`: tab, printable ASCII and Latin-1 only, or Node refuses to send the reply),
 * `text` (a string), `flag` (a boolean).
 */
interface FieldRule {
  readonly key: string;
  readonly kind: 'id' | 'headerSafe' | 'text' | 'flag';
  readonly max?: number;
  readonly required?: boolean;
}

/** Fields of a `ChannelAccount` (`from`, `recipient`) that botbuilder's serializer types, on the way back too. */
const ACCOUNT_FIELDS: readonly FieldRule[] = [
  { key: 'id', kind: 'id', required: true },
  { key: 'name', kind: 'text', max: MAX_ID_CHARS },
  { key: 'aadObjectId', kind: 'id' },
  { key: 'role', kind: 'text', max: MAX_NAME_CHARS },
];

/** Fields of a `ConversationAccount`: its replies carry it back whole, and the serializer refuses a mistyped one. */
const CONVERSATION_FIELDS: readonly FieldRule[] = [
  { key: 'id', kind: 'headerSafe', required: true },
  ...ACCOUNT_FIELDS.slice(1),
  { key: 'tenantId', kind: 'id' },
  { key: 'conversationType', kind: 'text', max: MAX_NAME_CHARS },
  { key: 'isGroup', kind: 'flag' },
];

const TOP_FIELDS: readonly FieldRule[] = [
  { key: 'type', kind: 'text', max: MAX_NAME_CHARS },
  { key: 'id', kind: 'id' },
  { key: 'locale', kind: 'text', max: MAX_NAME_CHARS },
];

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: unknown): boolean => value === undefined || value === null;
// ES2024, in Node since 20; the project's `lib` is ES2022.
const isWellFormed = (value: string): boolean => (value as string & { isWellFormed(): boolean }).isWellFormed();
// What Node accepts in a header value (no control character but tab, nothing above U+00FF).
const HEADER_UNSAFE = /[^\t\x20-\x7e\x80-\xff]/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The reason `value` breaks `rule` (named `name` in the reason), or `undefined` when it is fine. */
function fieldReason(value: unknown, rule: FieldRule, name: string): string | undefined {
  if (absent(value)) return rule.required ? `"${name}" is required.` : undefined;
  if (rule.kind === 'flag') return typeof value === 'boolean' ? undefined : `"${name}" must be true or false.`;
  const max = rule.max ?? MAX_ID_CHARS;
  if (rule.kind === 'text') return typeof value === 'string' && value.length <= max ? undefined : `"${name}" must be a string of at most ${max} characters.`;
  const filled = typeof value === 'string' && value.length <= max && (!rule.required || value.length > 0);
  if (rule.kind === 'headerSafe') {
    return filled && !HEADER_UNSAFE.test(value) ? undefined : `"${name}" must be a non-empty string of at most ${max} printable Latin-1 characters.`;
  }
  return filled && isWellFormed(value) ? undefined : `"${name}" must be a${rule.required ? ' non-empty,' : ''} well-formed string of at most ${max} characters.`;
}

/** The first reason among `rules` on the object `value` (whose fields are named `prefix.key`), or `undefined`. */
function fieldsReason(value: Json, rules: readonly FieldRule[], prefix: string): string | undefined {
  for (const rule of rules) {
    const reason = fieldReason(value[rule.key], rule, prefix ? `${prefix}.${rule.key}` : rule.key);
    if (reason) return reason;
  }
  return undefined;
}

/** The reason a required account (`conversation`, `from`, `recipient`) is refused, or `undefined`. */
function accountReason(value: unknown, name: string, rules: readonly FieldRule[]): string | undefined {
  if (absent(value)) return `"${name}" is required.`;
  if (!isObject(value)) return `"${name}" must be an object.`;
  return fieldsReason(value, rules, name);
}

function serviceUrlReason(value: unknown): string | undefined {
  if (absent(value)) return '"serviceUrl" is required.';
  const ok = typeof value === 'string' && value.length <= MAX_SERVICE_URL_CHARS && isWellFormed(value) && isHttpUrl(value);
  return ok ? undefined : `"serviceUrl" must be an http(s) URL of at most ${MAX_SERVICE_URL_CHARS} characters.`;
}

function channelIdReason(value: unknown): string | undefined {
  if (absent(value)) return '"channelId" is required.';
  const ok = typeof value === 'string' && value.length <= MAX_NAME_CHARS && CHANNEL_ID.test(value);
  return ok ? undefined : `"channelId" must be a lower-case channel id such as "msteams" (a-z, 0-9, ".", "_", "-"; at most ${MAX_NAME_CHARS}).`;
}

/** Teams' `channelData.tenant.id` (botbuilder's Teams helpers read it); other channels' `channelData` is their own. */
function teamsTenantReason(body: Json): string | undefined {
  if (body.channelId !== 'msteams' || !isObject(body.channelData) || absent(body.channelData.tenant)) return undefined;
  const tenant = body.channelData.tenant;
  if (!isObject(tenant)) return '"channelData.tenant" must be an object.';
  return fieldReason(tenant.id, { key: 'id', kind: 'id' }, 'channelData.tenant.id');
}

/**
 * Checks what every later piece trusts in a POSTed activity, as the Bot Framework schema types it and as every
 * channel sends it.
 *
 * @remarks Required: a JSON object with a non-blank string `type`; an http(s) `serviceUrl` of at most 2048 characters;
 * a lower-case `channelId` (`msteams`, not `MSTEAMS`; at most 64 characters); `conversation`, `from` and `recipient`
 * objects, each with a non-empty `id`. `conversation.id` holds only tab, printable ASCII and Latin-1 characters
 * (botbuilder sends it back as an HTTP header); `id`, `from.id`, `recipient.id`, `conversation.tenantId`, the
 * `aadObjectId`s and Teams' `channelData.tenant.id`, when present (`null` counts as absent), are well-formed strings
 * (no lone UTF-16 surrogate: replies put ids in URLs); all these of at most 1024 characters; the `name`s are strings of
 * at most 1024; `locale`, `role` and `conversation.conversationType` strings of at most 64; `conversation.isGroup` a
 * boolean. Other fields (text, attachments, entities, `channelData`) are content, left to the input guard. The reason
 * names the field, never its value.
 */
export function checkActivityEnvelope(body: unknown): EnvelopeCheck {
  if (!isObject(body) || typeof body.type !== 'string' || body.type.trim().length === 0) {
    return { ok: false, reason: 'The body must be a Bot Framework activity (JSON with a "type").' };
  }
  const reason =
    serviceUrlReason(body.serviceUrl) ??
    channelIdReason(body.channelId) ??
    fieldsReason(body, TOP_FIELDS, '') ??
    accountReason(body.conversation, 'conversation', CONVERSATION_FIELDS) ??
    accountReason(body.from, 'from', ACCOUNT_FIELDS) ??
    accountReason(body.recipient, 'recipient', ACCOUNT_FIELDS) ??
    teamsTenantReason(body);
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
