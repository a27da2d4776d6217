/**
 * AfterShip tracking webhooks: signature check and parsing into a {@link CarrierEvent}.
 *
 * @remarks Pure functions: no HTTP, no logging. The route (`bots/carriers/registerCarrierEventRoutes.ts`) reads the
 * raw body, checks the signature, then parses. Everything here is linear in the size of its input and never throws.
 *
 * Wire format (AfterShip "Webhook Signature" and tracking webhook docs,
 * https://www.aftership.com/docs/tracking/webhook/webhook-signature): header `aftership-hmac-sha256` carries the
 * base64 HMAC-SHA256 of the raw request body keyed with the webhook secret; there is no timestamp in the signature,
 * so replays are caught by deduplicating on `event_id` and by the age of `ts`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CarrierEvent, ParcelEventStatus, ParcelException } from '../carrierEvent';

/** Header (lower case, as Node gives headers) holding AfterShip's signature. */
export const AFTERSHIP_SIGNATURE_HEADER = 'aftership-hmac-sha256';

/**
 * What a provider's payload turned out to be.
 *
 * - `event`: one {@link CarrierEvent} Warmline uses; `sentAt` (epoch ms) is when the provider says it emitted the
 *   event (AfterShip `ts`, EasyPost `created_at`), for the route's staleness check, when it says so.
 * - `ignored`: a well-formed payload Warmline has no use for (another event type, a status it does not tell
 *   customers about). The route acknowledges it so that the provider stops retrying.
 * - `malformed`: not a payload of this provider (missing ids, wrong types).
 */
export type CarrierPayloadReading =
  | { readonly kind: 'event'; readonly event: CarrierEvent; readonly sentAt?: number }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'malformed' };

/** A 32-byte digest in standard base64: 43 characters and one `=`. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * True when `header` is the base64 HMAC-SHA256 of `rawBody` keyed with `secret` (UTF-8).
 *
 * @remarks The header is decoded and compared as bytes with `crypto.timingSafeEqual` (lengths checked first: a
 * digest has a fixed length, so the check leaks nothing). Missing, empty, garbled or repeated headers give `false`;
 * an empty secret gives `false` (a route without a secret must not accept everything). Never throws.
 */
export function verifyAfterShipSignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (typeof header !== 'string' || typeof secret !== 'string' || secret.length === 0 || !Buffer.isBuffer(rawBody)) return false;
  const value = header.trim();
  if (!BASE64_SHA256.test(value)) return false;
  const given = Buffer.from(value, 'base64');
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared with the other carrier parsers.

/** Provider event ids kept as dedup keys: short, and plain enough to go into a log line or a Redis key as they are. */
const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `true` when `id` may be used as (part of) a dedup key. */
export function isProviderEventId(id: string): boolean {
  return EVENT_ID.test(id);
}

/** A tracking number as Warmline keeps it (upper case, no white space), or `undefined` when it is not plausible. */
export function normaliseTrackingNumber(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  return /^[\x21-\x7e]{1,64}$/.test(compact) ? compact : undefined;
}

/** ISO 8601 date-time with an explicit offset (`Z`, `+02:00`, `+0200`). */
const ZONED_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Epoch ms of an ISO 8601 date-time that names its offset, else `undefined`.
 *
 * @remarks A time without an offset (AfterShip writes some checkpoint times in the carrier's local time) is not an
 * instant: it is refused rather than read in this server's time zone.
 */
export function zonedInstantMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = ZONED_DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const zone = m[2].toUpperCase() === 'Z' ? 'Z' : m[2].length === 5 ? `${m[2].slice(0, 3)}:${m[2].slice(3)}` : m[2];
  const ms = Date.parse(`${m[1]}${zone}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** ISO 8601 date (`2024-05-02`) or date-time, as an expected delivery may be given; anything else is dropped. */
const EXPECTED_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An expected delivery date worth passing on (a plausible ISO 8601 date or date-time), else `undefined`. */
export function expectedDeliveryDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const text = value.trim();
  return EXPECTED_DATE.test(text) && Number.isFinite(Date.parse(text.slice(0, 10))) ? text : undefined;
}

/** A carrier slug (`ups`, `la-poste-colissimo`): lower case, runs of other characters turned into `-`. */
export function carrierSlug(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const slug = value.toLowerCase().split(/[^a-z0-9]+/).filter((part) => part.length > 0).join('-');
  return slug.length > 0 ? slug : undefined;
}

/** A place name as the carrier writes it, on one line and short (it is not personal data, but it is shown). */
export function placeText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const text = value.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > 0 ? text.slice(0, 120) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// AfterShip payloads.

/** AfterShip event types Warmline uses. */
const USED_EVENTS = new Set(['tracking_update', 'edd_revise']);

const EnvelopeSchema = z.object({
  event: z.string().max(64),
  event_id: z.string().max(128).optional(),
  /** Epoch seconds the webhook was emitted. */
  ts: z.number().finite().optional(),
  msg: z.unknown(),
});

const MessageSchema = z.object({
  tracking_number: z.string().max(200),
  slug: z.string().max(100).nullish(),
  tag: z.string().max(64),
  subtag: z.string().max(64).nullish(),
  subtag_message: z.string().max(1000).nullish(),
  expected_delivery: z.string().max(64).nullish(),
  // Elements are read one by one (a checkpoint Warmline cannot read is skipped, not a reason to drop the event).
  checkpoints: z.array(z.unknown()).max(10_000).nullish(),
});

const CheckpointSchema = z.object({
  checkpoint_time: z.string().max(64).nullish(),
  location: z.unknown().optional(),
});

/** AfterShip tags (delivery statuses) and Warmline's status for each. `Exception` gets a kind from its subtag. */
const TAG_STATUS: Readonly<Record<string, ParcelEventStatus>> = {
  Pending: 'info_received',
  InfoReceived: 'info_received',
  InTransit: 'in_transit',
  OutForDelivery: 'out_for_delivery',
  AvailableForPickup: 'available_for_pickup',
  AttemptFail: 'attempt_failed',
  Delivered: 'delivered',
  Exception: 'exception',
  // The carrier stopped reporting (AfterShip gives up after 30 days, 60 for postal services): something went wrong.
  Expired: 'exception',
};

/**
 * The kind of an AfterShip exception: from the subtag code first (AfterShip "Delivery Sub-statuses":
 * Exception_010 returning to sender, Exception_011 returned to sender, Exception_012 shipment damaged,
 * Exception_013 shipment lost), else from words of the subtag message, else `other`.
 */
function afterShipException(subtag: string | null | undefined, message: string | null | undefined): ParcelException {
  switch (subtag) {
    case 'Exception_010':
    case 'Exception_011':
      return 'returned';
    case 'Exception_012':
      return 'damaged';
    case 'Exception_013':
      return 'lost';
  }
  const words = (message ?? '').slice(0, 200).toLowerCase();
  if (/\bdamage/.test(words)) return 'damaged';
  if (/\blost\b/.test(words)) return 'lost';
  if (/\breturn/.test(words)) return 'returned';
  return 'other';
}

/**
 * Reads an AfterShip tracking webhook body (already JSON-parsed).
 *
 * @remarks Mapping:
 * - `event_id` gives the id `aftership:<event_id>`; `msg.tracking_number` upper-cased without spaces; `msg.slug` the
 *   carrier.
 * - `msg.tag`: Pending / InfoReceived → `info_received`, InTransit → `in_transit`, OutForDelivery →
 *   `out_for_delivery`, AvailableForPickup → `available_for_pickup`, AttemptFail → `attempt_failed`, Delivered →
 *   `delivered`, Exception → `exception` (kind from the subtag, see {@link afterShipException}), Expired →
 *   `exception` / `other`. Another tag is `ignored`.
 * - `edd_revise` (AfterShip revised the estimated delivery date) → `delayed`, with `expectedDelivery` when given,
 *   unless the tag already says `delivered` or `exception` (those win: a parcel delivered is not "delayed"). A
 *   `tracking_update` whose expected date moved later is not turned into `delayed` here: that needs the previous
 *   date, which the watch store knows (`seenExpected`).
 * - `msg.expected_delivery` becomes `expectedDelivery` on any event, when it is an ISO 8601 date or date-time.
 * - `occurredAt`: the latest checkpoint time that names its offset; else `ts`. (Checkpoint times without an offset
 *   are the carrier's local time, not an instant.)
 * - `place`: the latest checkpoint's `location` when it is a string.
 * - Other event types are `ignored`; a body without `event`, `event_id`, `msg`, a tracking number, a tag, or any
 *   time is `malformed`.
 */
export function readAfterShipPayload(body: unknown): CarrierPayloadReading {
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'malformed' };
  const { event: type, event_id: eventId, ts, msg } = envelope.data;
  if (!USED_EVENTS.has(type)) return { kind: 'ignored', reason: 'event_type' };
  if (eventId === undefined || !isProviderEventId(eventId)) return { kind: 'malformed' };
  const message = MessageSchema.safeParse(msg);
  if (!message.success) return { kind: 'malformed' };
  const m = message.data;
  const trackingNumber = normaliseTrackingNumber(m.tracking_number);
  if (!trackingNumber) return { kind: 'malformed' };

  // Own properties only: a tag named "constructor" or "__proto__" is just an unknown tag.
  const tagStatus = Object.prototype.hasOwnProperty.call(TAG_STATUS, m.tag) ? TAG_STATUS[m.tag] : undefined;
  let status: ParcelEventStatus;
  let exception: ParcelException | undefined;
  if (tagStatus === 'exception') {
    status = 'exception';
    exception = m.tag === 'Expired' ? 'other' : afterShipException(m.subtag, m.subtag_message);
  } else if (type === 'edd_revise' && tagStatus !== 'delivered') {
    status = 'delayed';
  } else if (tagStatus) {
    status = tagStatus;
  } else {
    return { kind: 'ignored', reason: 'tag' };
  }

  // The latest checkpoint: the one with the latest zoned time, else (no zoned time at all) the last one listed.
  let latestMs: number | undefined;
  let latest: z.infer<typeof CheckpointSchema> | undefined;
  let last: z.infer<typeof CheckpointSchema> | undefined;
  for (const item of m.checkpoints ?? []) {
    const checkpoint = CheckpointSchema.safeParse(item);
    if (!checkpoint.success) continue;
    last = checkpoint.data;
    const ms = zonedInstantMs(checkpoint.data.checkpoint_time);
    if (ms !== undefined && (latestMs === undefined || ms >= latestMs)) {
      latestMs = ms;
      latest = checkpoint.data;
    }
  }
  const sentAt = ts !== undefined && ts > 0 && ts < 1e11 ? Math.round(ts * 1000) : undefined;
  const occurredMs = latestMs ?? sentAt;
  if (occurredMs === undefined) return { kind: 'malformed' };
  const place = placeText((latest ?? last)?.location);
  const carrier = carrierSlug(m.slug);
  const expectedDelivery = expectedDeliveryDate(m.expected_delivery);

  const event: CarrierEvent = {
    id: `aftership:${eventId}`,
    source: 'aftership',
    trackingNumber,
    ...(carrier ? { carrier } : {}),
    status,
    ...(exception ? { exception } : {}),
    ...(expectedDelivery ? { expectedDelivery } : {}),
    occurredAt: new Date(occurredMs).toISOString(),
    ...(place ? { place } : {}),
  };
  return sentAt !== undefined ? { kind: 'event', event, sentAt } : { kind: 'event', event };
}

/**
 * Parses an AfterShip tracking webhook body (already JSON-parsed) into a {@link CarrierEvent}; `undefined` for an
 * event Warmline does not use or a malformed body. See {@link readAfterShipPayload} for the mapping (and to tell the
 * two apart). Never throws.
 */
export function parseAfterShipEvent(body: unknown): CarrierEvent | undefined {
  const reading = readAfterShipPayload(body);
  return reading.kind === 'event' ? reading.event : undefined;
}
