/**
 * EasyPost tracker webhooks: signature check and parsing into a {@link CarrierEvent}.
 *
 * @remarks Pure functions: no HTTP, no logging; linear in the size of their input; never throw.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CarrierEvent, ParcelEventStatus, ParcelException } from '../carrierEvent';
import {
  carrierSlug,
  expectedDeliveryDate,
  isProviderEventId,
  normaliseTrackingNumber,
  placeText,
  zonedInstantMs,
  type CarrierPayloadReading,
} from './afterShip';

/** Header (lower case, as Node gives headers) holding EasyPost's signature (`X-Hmac-Signature`). */
export const EASYPOST_SIGNATURE_HEADER = 'x-hmac-signature';

const SIGNATURE_PREFIX = 'hmac-sha256-hex=';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * True when `header` is `hmac-sha256-hex=` followed by the hex HMAC-SHA256 of `rawBody`, keyed with the UTF-8 bytes
 * of `secret` normalised to Unicode NFKD.
 *
 * @remarks This is what EasyPost's official client libraries do in `validateWebhook` / `validate_webhook`:
 * - easypost-python (github.com/EasyPost/easypost-python, `validate_webhook` in its util module):
 *   `hmac.new(key=bytes(unicodedata.normalize("NFKD", webhook_secret), "utf8"), msg=event_body,
 *   digestmod=hashlib.sha256)`, then `"hmac-sha256-hex=" + hexdigest()` compared with `hmac.compare_digest`;
 * - easypost-node (github.com/EasyPost/easypost-node, `src/utils/util.ts`, `validateWebhook`): `Buffer.from(webhookSecret.normalize('NFKD'), 'utf8')` as
 *   the key, `digest('hex')`, `hmac-sha256-hex=` prefix, `crypto.timingSafeEqual`.
 * EasyPost's own docs (https://docs.easypost.com/guides/webhooks-guide) only say to use those helpers with the
 * `X-Hmac-Signature` header. The Node library also rewrites `"weight": 136` to `136.0` before hashing: that only
 * repairs bodies re-serialised after `JSON.parse` (easypost-node issue #467); the raw bytes checked here are what
 * EasyPost signed, so no such rewriting is done.
 *
 * The hex digest is decoded and compared as bytes with `crypto.timingSafeEqual` (fixed length, checked first).
 * Missing, empty, garbled or repeated headers, and an empty secret, give `false`. Never throws.
 */
export function verifyEasyPostSignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (typeof header !== 'string' || typeof secret !== 'string' || secret.length === 0 || !Buffer.isBuffer(rawBody)) return false;
  const value = header.trim();
  if (value.length !== SIGNATURE_PREFIX.length + 64 || value.slice(0, SIGNATURE_PREFIX.length).toLowerCase() !== SIGNATURE_PREFIX) return false;
  const hex = value.slice(SIGNATURE_PREFIX.length);
  if (!HEX_SHA256.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8')).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** EasyPost event descriptions Warmline uses. */
const USED_EVENTS = new Set(['tracker.updated', 'tracker.created']);

const EventSchema = z.object({
  id: z.string().max(128),
  description: z.string().max(100),
  created_at: z.string().max(64).nullish(),
  updated_at: z.string().max(64).nullish(),
  result: z.unknown(),
});

const TrackerSchema = z.object({
  tracking_code: z.string().max(200),
  status: z.string().max(64),
  carrier: z.string().max(100).nullish(),
  est_delivery_date: z.string().max(64).nullish(),
  updated_at: z.string().max(64).nullish(),
  // Read one by one: a detail Warmline cannot read is skipped, not a reason to drop the event.
  tracking_details: z.array(z.unknown()).max(10_000).nullish(),
});

const DetailSchema = z.object({
  datetime: z.string().max(64).nullish(),
  tracking_location: z
    .object({ city: z.string().max(200).nullish(), country: z.string().max(100).nullish() })
    .nullish()
    .catch(undefined),
});

/** EasyPost tracker statuses and Warmline's status (and exception kind) for each; others are ignored. */
const STATUS: Readonly<Record<string, { readonly status: ParcelEventStatus; readonly exception?: ParcelException }>> = {
  pre_transit: { status: 'info_received' },
  in_transit: { status: 'in_transit' },
  out_for_delivery: { status: 'out_for_delivery' },
  available_for_pickup: { status: 'available_for_pickup' },
  delivered: { status: 'delivered' },
  return_to_sender: { status: 'exception', exception: 'returned' },
  failure: { status: 'exception', exception: 'other' },
  // cancelled, error, unknown: nothing to tell a customer.
};

/** "City, CC", "City" or "CC" from an EasyPost tracking location. */
function easyPostPlace(location: { city?: string | null; country?: string | null } | null | undefined): string | undefined {
  if (!location) return undefined;
  const parts = [placeText(location.city), placeText(location.country)].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * Reads an EasyPost webhook body (an `Event`, already JSON-parsed).
 *
 * @remarks Mapping:
 * - `description` `tracker.updated` or `tracker.created` (others are `ignored`); `id` gives `easypost:<id>`.
 * - `result` is the Tracker: `tracking_code` upper-cased without spaces; `carrier` as a slug (`USPS` → `usps`,
 *   `DHLExpress` → `dhlexpress`: EasyPost's carrier names, not AfterShip's slugs).
 * - `result.status`: pre_transit → `info_received`, in_transit → `in_transit`, out_for_delivery →
 *   `out_for_delivery`, available_for_pickup → `available_for_pickup`, delivered → `delivered`, return_to_sender →
 *   `exception` / `returned`, failure → `exception` / `other`; cancelled, error, unknown (or anything else) →
 *   `ignored`.
 * - `est_delivery_date` → `expectedDelivery`.
 * - `occurredAt`: the latest `tracking_details[].datetime`, else the tracker's `updated_at`, else the event's.
 * - `place`: that detail's `tracking_location` city and country ("Lyon, FR").
 * - `sentAt`: the event's `created_at` (kept when EasyPost retries), for the staleness check.
 */
export function readEasyPostPayload(body: unknown): CarrierPayloadReading {
  const envelope = EventSchema.safeParse(body);
  if (!envelope.success) return { kind: 'malformed' };
  const e = envelope.data;
  if (!USED_EVENTS.has(e.description)) return { kind: 'ignored', reason: 'event_type' };
  if (!isProviderEventId(e.id)) return { kind: 'malformed' };
  const tracker = TrackerSchema.safeParse(e.result);
  if (!tracker.success) return { kind: 'malformed' };
  const t = tracker.data;
  const trackingNumber = normaliseTrackingNumber(t.tracking_code);
  if (!trackingNumber) return { kind: 'malformed' };
  const mapped = Object.prototype.hasOwnProperty.call(STATUS, t.status) ? STATUS[t.status] : undefined;
  if (!mapped) return { kind: 'ignored', reason: 'status' };

  let latestMs: number | undefined;
  let latest: z.infer<typeof DetailSchema> | undefined;
  for (const item of t.tracking_details ?? []) {
    const detail = DetailSchema.safeParse(item);
    if (!detail.success) continue;
    const ms = zonedInstantMs(detail.data.datetime);
    if (ms !== undefined && (latestMs === undefined || ms >= latestMs)) {
      latestMs = ms;
      latest = detail.data;
    }
  }
  const occurredMs = latestMs ?? zonedInstantMs(t.updated_at) ?? zonedInstantMs(e.updated_at) ?? zonedInstantMs(e.created_at);
  if (occurredMs === undefined) return { kind: 'malformed' };
  const sentAt = zonedInstantMs(e.created_at);
  const carrier = carrierSlug(t.carrier);
  const expectedDelivery = expectedDeliveryDate(t.est_delivery_date);
  const place = easyPostPlace(latest?.tracking_location);

  const event: CarrierEvent = {
    id: `easypost:${e.id}`,
    source: 'easypost',
    trackingNumber,
    ...(carrier ? { carrier } : {}),
    status: mapped.status,
    ...(mapped.exception ? { exception: mapped.exception } : {}),
    ...(expectedDelivery ? { expectedDelivery } : {}),
    occurredAt: new Date(occurredMs).toISOString(),
    ...(place ? { place } : {}),
  };
  return sentAt !== undefined ? { kind: 'event', event, sentAt } : { kind: 'event', event };
}

/**
 * Parses an EasyPost webhook body (already JSON-parsed) into a {@link CarrierEvent}; `undefined` for an event
 * Warmline does not use (another description, a cancelled / error / unknown tracker) or a malformed body. See
 * {@link readEasyPostPayload} for the mapping. Never throws.
 */
export function parseEasyPostEvent(body: unknown): CarrierEvent | undefined {
  const reading = readEasyPostPayload(body);
  return reading.kind === 'event' ? reading.event : undefined;
}
