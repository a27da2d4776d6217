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
    const day = new Date(`${iso}T12:00:00Z`);
    return Number.isNaN(day.getTime()) ? undefined : formatter(options.locale, 'UTC', false).format(day);
  }
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return undefined;
  return formatter(options.locale, options.timeZone, options.withTime).format(when);
}
