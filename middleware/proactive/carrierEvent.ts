/**
 * A carrier's news about one parcel, in Warmline's status model, whatever carrier or aggregator sent it (an AfterShip
 * or EasyPost webhook, a poll of La Poste, the demo provider).
 *
 * @remarks Pure data: no botbuilder, no HTTP. Parsers turn a provider's payload into this shape or refuse it.
 */

/** Warmline's status model for proactive care (what a customer is told). */
export type ParcelEventStatus =
  /** The carrier has the parcel's details but not the parcel yet. */
  | 'info_received'
  | 'in_transit'
  | 'out_for_delivery'
  /** Waiting at a pickup point or locker. */
  | 'available_for_pickup'
  /** A delivery attempt failed (nobody home, access code). */
  | 'attempt_failed'
  | 'delivered'
  /** Later than announced, or a new expected date (see {@link CarrierEvent.expectedDelivery}). */
  | 'delayed'
  /** Something went wrong: see {@link CarrierEvent.exception}. */
  | 'exception';

/** What went wrong, for an `exception`. */
export type ParcelException = 'damaged' | 'lost' | 'returned' | 'other';

/** Providers Warmline takes events from. */
export type CarrierEventSource = 'aftership' | 'easypost' | 'laposte' | 'demo';

/** One carrier event, normalised. */
export interface CarrierEvent {
  /** The provider's own event id (AfterShip `event_id`, EasyPost `id`), prefixed by {@link source}: the dedup key. */
  readonly id: string;
  readonly source: CarrierEventSource;
  /** The tracking number as the carrier writes it (upper case, no spaces). */
  readonly trackingNumber: string;
  /** The carrier's slug when the provider gives one (`ups`, `la-poste-colissimo`). */
  readonly carrier?: string;
  readonly status: ParcelEventStatus;
  /** Set when {@link status} is `exception`. */
  readonly exception?: ParcelException;
  /** ISO 8601 date (or instant) of the expected delivery, when the provider gives one. */
  readonly expectedDelivery?: string;
  /** ISO 8601 instant the carrier recorded the change (or the provider sent it). */
  readonly occurredAt: string;
  /** Where the last scan was, as the carrier writes it ("Lyon, FR"), when given. Not personal data. */
  readonly place?: string;
}

const STATUSES: Record<ParcelEventStatus, true> = {
  info_received: true,
  in_transit: true,
  out_for_delivery: true,
  available_for_pickup: true,
  attempt_failed: true,
  delivered: true,
  delayed: true,
  exception: true,
};

/** True for one of Warmline's {@link ParcelEventStatus} values (data read back from a store or a queue is checked). */
export const isParcelEventStatus = (value: unknown): value is ParcelEventStatus =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(STATUSES, value);
