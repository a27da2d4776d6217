/** Carriers whose tracking-number formats Warmline recognises. */
export type CarrierId = 'ups' | 'fedex' | 'usps' | 'dhl' | 'laposte' | 'colissimo' | 'chronopost' | 'upu' | (string & {});

/** Normalised parcel status. */
export type ParcelStatus =
  | 'delivered'
  | 'in_transit'
  | 'out_for_delivery'
  | 'delayed'
  | 'exception_damaged'
  | 'exception_lost'
  | 'returned_to_sender'
  | 'not_found';

/** One scan event of a parcel. */
export interface TrackingEvent {
  /** ISO 8601 instant. */
  readonly time: string;
  /** Human-readable place, e.g. "Lyon, FR". */
  readonly place?: string;
  /** IANA time zone of the place, used when the customer's own zone is unknown. */
  readonly timeZone?: string;
  /** Carrier's own description (not translated). */
  readonly description?: string;
}

/** What a provider knows about one parcel. */
export interface TrackingResult {
  readonly trackingNumber: string;
  readonly carrier: CarrierId;
  readonly status: ParcelStatus;
  readonly lastEvent?: TrackingEvent;
  /** ISO 8601 date or instant of expected delivery, when known. */
  readonly expectedDelivery?: string;
  /** ISO 8601 instant of delivery, when delivered. */
  readonly deliveredAt?: string;
}

/** Options for one lookup. */
export interface TrackingLookupOptions {
  /** Abort the lookup (e.g. a turn deadline). */
  readonly signal?: AbortSignal;
  /** Customer's language, for providers that localise descriptions. */
  readonly language?: string;
}

/** Error a provider throws when it cannot answer (timeout, HTTP error, bad payload). */
export class TrackingProviderError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'unavailable' | 'bad_response' | 'unauthorized',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TrackingProviderError';
  }
}

/**
 * Looks up parcels. Implementations: the embedded demo provider and an HTTP provider for a public API.
 *
 * @remarks An unknown parcel resolves with status `not_found`; failures reject with `TrackingProviderError`.
 */
export interface TrackingProvider {
  readonly name: string;
  track(trackingNumber: string, carrier: CarrierId | undefined, options?: TrackingLookupOptions): Promise<TrackingResult>;
}
