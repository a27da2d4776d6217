/** How {@link formatWhen} shows a moment. */
export interface FormatWhenOptions {
  /** BCP 47 locale, e.g. `fr-FR`. */
  readonly locale: string;
  /** IANA time zone to show the time in. */
  readonly timeZone: string;
  /** Include the time of day (for scan events); without it only the day is shown (for expected delivery). */
  readonly withTime: boolean;
}

// Building an Intl.DateTimeFormat costs far more than formatting with one: keep them.
const formatters = new Map<string, Intl.DateTimeFormat>();
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// Formatting is pure and Intl's format() is the costly part of an answer: keep recent texts (bounded).
const texts = new Map<string, string | undefined>();
const MAX_TEXTS = 1000;
const WHOLE_MINUTE_OFFSETS_SINCE = Date.UTC(1973, 0, 1);

const formatter = (locale: string, timeZone: string, withTime: boolean): Intl.DateTimeFormat => {
  const key = `${locale}|${timeZone}|${withTime ? 't' : 'd'}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      timeZone,
      ...(withTime ? { hour: 'numeric', minute: '2-digit' } : {}),
    });
    if (formatters.size > 200) formatters.clear();
    formatters.set(key, f);
  }
  return f;
};

/**
 * Formats an ISO 8601 instant or date for the customer, e.g. "Tuesday, June 3 at 2:05 PM" or "mardi 3 juin à 14:05".
 *
 * @remarks A date without a time (`2025-06-03`) is a calendar day: it is shown as that day whatever the zone.
 * Returns `undefined` for a missing or unreadable value rather than "Invalid Date".
 */
export function formatWhen(iso: string | undefined, options: FormatWhenOptions): string | undefined {
  if (!iso) return undefined;
  if (DATE_ONLY.test(iso)) {
    const key = `${options.locale}|${iso}`;
    if (texts.has(key)) return texts.get(key);
    const day = new Date(`${iso}T12:00:00Z`);
    return remember(key, Number.isNaN(day.getTime()) ? undefined : formatter(options.locale, 'UTC', false).format(day));
  }
  const when = new Date(iso);
  const ms = when.getTime();
  if (Number.isNaN(ms)) return undefined;
  // Shown to the minute, and every zone offset since 1973 is whole minutes: one text per minute and zone.
  if (ms < WHOLE_MINUTE_OFFSETS_SINCE) return formatter(options.locale, options.timeZone, options.withTime).format(when);
  const key = `${options.locale}|${options.timeZone}|${options.withTime ? 't' : 'd'}|${Math.floor(ms / 60_000)}`;
  return texts.get(key) ?? remember(key, formatter(options.locale, options.timeZone, options.withTime).format(when));
}

/** Keeps a formatted text; the few moments and days a bot shows at a time repeat (follow-ups, the same parcels). */
function remember(key: string, text: string | undefined): string | undefined {
  if (texts.size >= MAX_TEXTS) texts.clear();
  texts.set(key, text);
  return text;
}
