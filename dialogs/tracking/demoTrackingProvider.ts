import { validateTrackingNumber } from './carriers';
import {
  TrackingProviderError,
  type CarrierId,
  type ParcelStatus,
  type TrackingEvent,
  type TrackingLookupOptions,
  type TrackingProvider,
  type TrackingResult,
} from './trackingProvider';

/** One parcel of the embedded demo data set, as listed in the README. */
export interface DemoParcel {
  /** Normalised tracking number (valid check digit). */
  readonly trackingNumber: string;
  readonly carrier: CarrierId;
  readonly status: ParcelStatus;
  /** One line for humans: what the parcel is about (English). */
  readonly summary: string;
}

interface DemoParcelData extends DemoParcel {
  /** Last scan, relative to now. */
  readonly lastEvent: {
    readonly minutesAgo: number;
    readonly place: string;
    readonly timeZone: string;
    readonly en: string;
    readonly fr: string;
  };
  /** Expected delivery, in days from today in the destination time zone (0 = today). */
  readonly expectedInDays?: number;
  /** Time zone of the delivery address, for the expected date. */
  readonly destinationTimeZone: string;
}

const PARCELS: readonly DemoParcelData[] = [
  {
    trackingNumber: '6A24188037153',
    carrier: 'colissimo',
    status: 'delivered',
    summary: 'Colissimo parcel delivered in Lyon yesterday afternoon',
    lastEvent: {
      minutesAgo: 26 * 60,
      place: 'Lyon, FR',
      timeZone: 'Europe/Paris',
      en: 'Your parcel has been delivered to the mailbox',
      fr: 'Votre colis a été livré dans la boîte aux lettres',
    },
    destinationTimeZone: 'Europe/Paris',
  },
  {
    trackingNumber: '1Z4E29W70374856127',
    carrier: 'ups',
    status: 'in_transit',
    summary: 'UPS parcel on its way from Louisville to Chicago, due in two days',
    lastEvent: {
      minutesAgo: 3 * 60 + 20,
      place: 'Louisville, KY, US',
      timeZone: 'America/Kentucky/Louisville',
      en: 'Departed from facility',
      fr: 'Parti du centre de tri',
    },
    expectedInDays: 2,
    destinationTimeZone: 'America/Chicago',
  },
  {
    trackingNumber: '8R03274195588',
    carrier: 'colissimo',
    status: 'out_for_delivery',
    summary: 'Colissimo parcel out for delivery in Bordeaux today',
    lastEvent: {
      minutesAgo: 95,
      place: 'Bordeaux, FR',
      timeZone: 'Europe/Paris',
      en: 'Your parcel is out for delivery',
      fr: 'Votre colis est en cours de livraison',
    },
    expectedInDays: 0,
    destinationTimeZone: 'Europe/Paris',
  },
  {
    trackingNumber: '4820631756',
    carrier: 'dhl',
    status: 'delayed',
    summary: 'DHL Express shipment held at the Leipzig hub by bad weather, new date in three days',
    lastEvent: {
      minutesAgo: 9 * 60,
      place: 'Leipzig, DE',
      timeZone: 'Europe/Berlin',
      en: 'Shipment delayed: adverse weather conditions',
      fr: 'Envoi retardé : conditions météorologiques défavorables',
    },
    expectedInDays: 3,
    destinationTimeZone: 'Europe/Paris',
  },
  {
    trackingNumber: '774281950363',
    carrier: 'fedex',
    status: 'exception_damaged',
    summary: 'FedEx Express package damaged in transit at Memphis',
    lastEvent: {
      minutesAgo: 30 * 60,
      place: 'Memphis, TN, US',
      timeZone: 'America/Chicago',
      en: 'Package damaged in transit; the shipper has been notified',
      fr: 'Colis endommagé pendant le transport ; l’expéditeur a été prévenu',
    },
    destinationTimeZone: 'America/New_York',
  },
  {
    trackingNumber: '9400111899223854017347',
    carrier: 'usps',
    status: 'exception_lost',
    summary: 'USPS package with no scan for 12 days, declared lost',
    lastEvent: {
      minutesAgo: 12 * 24 * 60,
      place: 'Denver, CO, US',
      timeZone: 'America/Denver',
      en: 'Package presumed lost; a search has been closed without result',
      fr: 'Colis présumé perdu ; les recherches sont restées sans résultat',
    },
    destinationTimeZone: 'America/Los_Angeles',
  },
  {
    trackingNumber: 'XY307182650FR',
    carrier: 'chronopost',
    status: 'returned_to_sender',
    summary: 'Chronopost parcel returned to the sender after the address could not be found',
    lastEvent: {
      minutesAgo: 2 * 24 * 60 + 4 * 60,
      place: 'Chilly-Mazarin, FR',
      timeZone: 'Europe/Paris',
      en: 'Address not found: parcel returned to the sender',
      fr: 'Adresse introuvable : colis retourné à l’expéditeur',
    },
    destinationTimeZone: 'Europe/Paris',
  },
  {
    trackingNumber: 'RB409153720GB',
    carrier: 'upu',
    status: 'in_transit',
    summary: 'Royal Mail registered letter from London, in French customs, due in four days',
    lastEvent: {
      minutesAgo: 14 * 60,
      place: 'Roissy-en-France, FR',
      timeZone: 'Europe/Paris',
      en: 'Arrived in the destination country, being processed',
      fr: 'Arrivé dans le pays de destination, en cours de traitement',
    },
    expectedInDays: 4,
    destinationTimeZone: 'Europe/Paris',
  },
];

/**
 * The demo parcels: every status once or more, several carriers, all with valid check digits.
 *
 * @remarks Any other valid tracking number is answered `not_found` by {@link DemoTrackingProvider}.
 */
export const DEMO_PARCELS: readonly DemoParcel[] = PARCELS.map(({ trackingNumber, carrier, status, summary }) =>
  Object.freeze({ trackingNumber, carrier, status, summary }),
);

/** Options of {@link DemoTrackingProvider}. */
export interface DemoTrackingProviderOptions {
  /** Clock, injected for tests. Default: `() => new Date()`. */
  readonly now?: () => Date;
  /** Simulated lookup latency in ms (aborts honoured). Default 0. */
  readonly latencyMs?: number;
}

const STRIP = /[\s\u00A0\u202F\-.]/g;

/** Calendar date (YYYY-MM-DD) of an instant in a time zone. */
// Building an Intl.DateTimeFormat costs far more than using one; the demo parcels use a handful of zones.
const dayFormatters = new Map<string, Intl.DateTimeFormat>();

// Since 1973 every zone offset is a whole number of quarter hours, so the calendar date of an instant is the same
// for a whole UTC quarter hour: keep the last date computed per zone and quarter.
const QUARTER_HOUR_MS = 15 * 60_000;
const QUARTER_OFFSETS_SINCE = Date.UTC(1973, 0, 1);
const lastDates = new Map<string, { readonly quarter: number; readonly date: string }>();

function localDate(instant: Date, timeZone: string): string {
  const quarter = instant.getTime() >= QUARTER_OFFSETS_SINCE ? Math.floor(instant.getTime() / QUARTER_HOUR_MS) : NaN;
  const last = lastDates.get(timeZone);
  if (last?.quarter === quarter) return last.date;
  let f = dayFormatters.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, f);
  }
  const date = f.format(instant);
  lastDates.set(timeZone, { quarter, date });
  return date;
}

/**
 * The embedded default {@link TrackingProvider}: realistic parcels whose times move with the clock.
 *
 * @remarks Event descriptions are given in French when `options.language` starts with `fr`, else English.
 * Unknown numbers resolve with status `not_found` (carrier from the number's format when recognisable).
 * An aborted `options.signal` rejects with a {@link TrackingProviderError} of kind `timeout`.
 * @example
 * const provider = new DemoTrackingProvider();
 * const result = await provider.track('1Z4E29W70374856127', 'ups', { language: 'en' });
 */
export class DemoTrackingProvider implements TrackingProvider {
  readonly name = 'demo';
  private readonly now: () => Date;
  private readonly latencyMs: number;
  private readonly byNumber: ReadonlyMap<string, DemoParcelData>;

  constructor(options: DemoTrackingProviderOptions = {}) {
    this.now = options.now ?? (() => new Date());
    const latency = options.latencyMs ?? 0;
    if (!Number.isFinite(latency) || latency < 0) throw new TypeError('DemoTrackingProvider: latencyMs must be a number >= 0');
    this.latencyMs = latency;
    this.byNumber = new Map(PARCELS.map((p) => [p.trackingNumber, p]));
  }

  async track(trackingNumber: string, carrier: CarrierId | undefined, options: TrackingLookupOptions = {}): Promise<TrackingResult> {
    const { signal } = options;
    throwIfAborted(signal);
    if (this.latencyMs > 0) await delay(this.latencyMs, signal);

    const normalized = String(trackingNumber ?? '').replace(STRIP, '').toUpperCase();
    const parcel = this.byNumber.get(normalized);
    if (!parcel) {
      const v = validateTrackingNumber(normalized);
      return { trackingNumber: normalized, carrier: carrier ?? (v.valid ? v.carrier : 'unknown'), status: 'not_found' };
    }
    const now = this.now();
    const fr = /^fr\b/i.test(options.language ?? '');
    const eventTime = new Date(now.getTime() - parcel.lastEvent.minutesAgo * 60_000);
    const lastEvent: TrackingEvent = {
      time: eventTime.toISOString(),
      place: parcel.lastEvent.place,
      timeZone: parcel.lastEvent.timeZone,
      description: fr ? parcel.lastEvent.fr : parcel.lastEvent.en,
    };
    const expectedDelivery =
      parcel.expectedInDays === undefined
        ? undefined
        : localDate(new Date(now.getTime() + parcel.expectedInDays * 86_400_000), parcel.destinationTimeZone);
    return {
      trackingNumber: parcel.trackingNumber,
      carrier: parcel.carrier,
      status: parcel.status,
      lastEvent,
      ...(expectedDelivery ? { expectedDelivery } : {}),
      ...(parcel.status === 'delivered' ? { deliveredAt: lastEvent.time } : {}),
    };
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrackingProviderError('demo tracking lookup aborted', 'timeout', { cause: signal.reason });
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TrackingProviderError('demo tracking lookup aborted', 'timeout', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
