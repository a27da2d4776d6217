/**
 * What to do with one carrier event for one watch: tell the customer now, later (quiet hours), or not at all. Pure:
 * no clock, no I/O, no botbuilder; the caller passes the time and applies the plan.
 */
import type { CarrierEvent, ParcelEventStatus } from './carrierEvent';
import type { ParcelWatch } from './parcelWatch';

/** Quiet hours in the customer's local time, in minutes after midnight; `start > end` spans midnight. */
export interface QuietHours {
  readonly start: number;
  readonly end: number;
}

/** Settings of {@link planProactive}. */
export interface ProactiveSettings {
  /** Quiet hours (default 21:00-08:00), or `undefined` for none. */
  readonly quietHours: QuietHours | undefined;
  /** Most messages sent first per parcel (watch) per local day. */
  readonly dailyCap: number;
  /** IANA time zone used when the watch has none. */
  readonly defaultTimeZone: string;
}

/** What a customer is told about, by what they asked for. */
const ALWAYS: ReadonlySet<ParcelEventStatus> = new Set(['delayed', 'exception', 'attempt_failed', 'available_for_pickup']);
const ON_REQUEST: ReadonlySet<ParcelEventStatus> = new Set(['out_for_delivery', 'delivered']);

/** The plan for one event and one watch. */
export type ProactivePlan =
  | {
      readonly action: 'send';
      /** Epoch ms to send at: now, or the end of the quiet hours. */
      readonly at: number;
      /** Deferred by the quiet hours. */
      readonly deferred: boolean;
      /** The customer's local date at `at` (`YYYY-MM-DD`), the day the daily cap counts. */
      readonly day: string;
      /** An exception for a customer who was upset: open a high-priority case at once (quiet hours or not). */
      readonly openCase: boolean;
    }
  | { readonly action: 'skip'; readonly reason: 'not_wanted' | 'unreachable' | 'seen' };

/**
 * Parses `PROACTIVE_QUIET_HOURS`: `HH:MM-HH:MM` (local time; may span midnight) or `off`.
 *
 * @throws RangeError for anything else (a configuration error, found at start-up).
 */
export function parseQuietHours(value: string): QuietHours | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'off') return undefined;
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
  if (!m) throw new RangeError(`quiet hours must be HH:MM-HH:MM or off, got "${value}"`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (start === end) throw new RangeError('quiet hours must not start and end at the same time (use off)');
  return { start, end };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in `timeZone` at `epochMs`: local date and minutes after midnight. Unknown zones fall back to UTC. */
export function localClock(epochMs: number, timeZone: string): { day: string; minutes: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      return localClock(epochMs, 'UTC');
    }
    if (formatters.size < 1000) formatters.set(timeZone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Minutes from `minutes` (local) until the quiet hours end, or 0 outside them. */
export function minutesOfQuietLeft(minutes: number, quiet: QuietHours): number {
  const inside = quiet.start < quiet.end ? minutes >= quiet.start && minutes < quiet.end : minutes >= quiet.start || minutes < quiet.end;
  return inside ? (quiet.end - minutes + 1440) % 1440 : 0;
}

/**
 * Plans one message sent first: whether the customer wants this news, whether they have seen it, and when to send it.
 *
 * @remarks Delays, exceptions, failed attempts and pickups are told to every watcher; out for delivery and delivered
 * only to those who asked ("tell me when it's delivered"). A status (and expected date) the customer has already seen
 * is not told again. During quiet hours the message waits for their end, in the customer's time zone (a clock change
 * that night can shift it by an hour). The daily cap and the "never twice" guarantee are the store's
 * (`WatchStore.claimSend`), on the day returned here.
 */
export function planProactive(event: CarrierEvent, watch: ParcelWatch, nowMs: number, settings: ProactiveSettings): ProactivePlan {
  if (watch.unreachable) return { action: 'skip', reason: 'unreachable' };
  const wanted = ALWAYS.has(event.status) || (ON_REQUEST.has(event.status) && watch.wants === 'delivery');
  if (!wanted) return { action: 'skip', reason: 'not_wanted' };
  if (watch.seenStatus === event.status && (watch.seenExpected ?? '') === (event.expectedDelivery ?? '') && event.status !== 'exception') {
    return { action: 'skip', reason: 'seen' };
  }
  const zone = watch.timeZone ?? settings.defaultTimeZone;
  const local = localClock(nowMs, zone);
  const wait = settings.quietHours ? minutesOfQuietLeft(local.minutes, settings.quietHours) : 0;
  const at = nowMs + wait * 60_000;
  const openCase = event.status === 'exception' && watch.upset;
  return { action: 'send', at, deferred: wait > 0, day: wait > 0 ? localClock(at, zone).day : local.day, openCase };
}
