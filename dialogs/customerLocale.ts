import type { Activity } from 'botbuilder-core';
import type { Signals } from '../middleware/signals/signals';
import type { DialogLanguage } from './messages';

/** Language, locale and time zone to answer one message in. Plain data. */
export interface CustomerLocale {
  readonly language: DialogLanguage;
  /** BCP 47 locale for `Intl` formatting, e.g. `fr-FR`. */
  readonly locale: string;
  /** The customer's own IANA time zone when the channel told us, else `undefined`. */
  readonly timeZone?: string;
  /** Zone to use when neither the customer's nor the event's zone is known. */
  readonly fallbackTimeZone: string;
}

/** Inputs of {@link resolveCustomerLocale} besides the activity. */
export interface CustomerLocaleOptions {
  /** Signals of the current message, when the signals middleware ran. */
  readonly signals?: Signals;
  /** Language guessed from the words of the message (see `detectLanguage`). */
  readonly detected?: DialogLanguage;
  /** Language the message is confidently written in (see `confidentLanguage`): outranks the channel's locale. */
  readonly written?: DialogLanguage;
  /** Language the customer switched to earlier in this conversation by writing in it: outranks the channel's locale. */
  readonly chosen?: DialogLanguage;
  /** Language used earlier in this conversation, so a bare number keeps the conversation's language. */
  readonly previous?: DialogLanguage;
  /** Default locale, e.g. `en-US`. */
  readonly defaultLocale: string;
  /** Default IANA time zone, e.g. `Europe/Paris`. */
  readonly defaultTimeZone: string;
}

const languageOf = (locale: string | undefined): DialogLanguage | undefined => {
  const code = locale?.slice(0, 2).toLowerCase();
  return code === 'en' || code === 'fr' ? code : undefined;
};

// Intl lookups are far slower than a Map hit; channels send few distinct values, the cap stops abuse.
const zoneCache = new Map<string, boolean>();
const localeCache = new Map<string, string | undefined>();
const CACHE_CAP = 500;

const remember = <V>(cache: Map<string, V>, key: string, value: V): V => {
  if (cache.size >= CACHE_CAP) cache.clear();
  cache.set(key, value);
  return value;
};

/** True when `zone` is an IANA time zone this runtime knows. */
export const isTimeZone = (zone: string): boolean => {
  const hit = zoneCache.get(zone);
  if (hit !== undefined) return hit;
  let ok = zone.length <= 64;
  if (ok) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      ok = false;
    }
  }
  return remember(zoneCache, zone, ok);
};

const canonicalLocale = (locale: string): string | undefined => {
  if (localeCache.has(locale)) return localeCache.get(locale);
  let canonical: string | undefined;
  try {
    canonical = locale.length <= 35 ? Intl.getCanonicalLocales(locale.replace('_', '-'))[0] : undefined;
  } catch {
    canonical = undefined;
  }
  return remember(localeCache, locale, canonical);
};

interface ClientInfoEntity {
  type?: unknown;
  timezone?: unknown;
}

/** The customer's time zone as the channel reports it: Web Chat's `localTimezone`, Teams' clientInfo entity. */
export function channelTimeZone(activity: Partial<Activity>): string | undefined {
  const candidates: unknown[] = [activity.localTimezone];
  for (const entity of (activity.entities ?? []) as ClientInfoEntity[]) {
    if (entity && entity.type === 'clientInfo') candidates.push(entity.timezone);
  }
  return candidates.find((z): z is string => typeof z === 'string' && z !== '' && isTimeZone(z));
}

/**
 * Decides the language, locale and time zone of the answer to one message.
 *
 * @remarks Language: what the customer writes outranks what their client is set to. The language the message is
 * confidently written in first, else the one the customer switched to earlier in the conversation by writing in it,
 * else the activity's locale (when English or French), else the signals' language (unless it was detected blind: no
 * language in the words and the conversation already has one), else the words of the message, else the language
 * already used in this conversation, else the default locale's. A short or ambiguous message ("ok", "merci", a
 * tracking number) is never confident, so it keeps the conversation's language. Locale: the
 * activity's when it matches that language, else the default locale when it matches, else `en-US` / `fr-FR`. Time
 * zone: `activity.localTimezone` (Web Chat), else Teams' `clientInfo` entity `timezone`, else unknown (the caller
 * falls back to the event's zone, then to the default zone).
 */
export function resolveCustomerLocale(activity: Partial<Activity>, options: CustomerLocaleOptions): CustomerLocale {
  // A detector must guess something even for "1Z999AA10123456784"; the conversation's language is a better guess.
  const signalsGuessedBlind = options.signals?.languageSource === 'detected' && !options.detected && !!options.previous;
  const signalsLanguage = signalsGuessedBlind ? undefined : languageOf(options.signals?.language);
  const defaultLanguage = languageOf(options.defaultLocale) ?? 'en';
  const language =
    options.written ??
    options.chosen ??
    languageOf(activity.locale) ??
    signalsLanguage ??
    options.detected ??
    options.previous ??
    defaultLanguage;
  const activityLocale = activity.locale ? canonicalLocale(activity.locale) : undefined;
  const locale =
    activityLocale && languageOf(activityLocale) === language
      ? activityLocale
      : defaultLanguage === language
        ? options.defaultLocale
        : language === 'fr'
          ? 'fr-FR'
          : 'en-US';
  return { language, locale, timeZone: channelTimeZone(activity), fallbackTimeZone: options.defaultTimeZone };
}
