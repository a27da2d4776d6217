import { z } from 'zod';
import { readCappedBody } from '../../middleware/shared/readCappedBody';
import {
  TrackingProviderError,
  type CarrierId,
  type ParcelStatus,
  type TrackingEvent,
  type TrackingLookupOptions,
  type TrackingProvider,
  type TrackingResult,
} from './trackingProvider';

/** Options of {@link HttpTrackingProvider}. */
export interface HttpTrackingProviderOptions {
  /** API root, e.g. `https://api.laposte.fr/suivi/v2` (the provider appends `/idships/{id}`). */
  readonly baseUrl: string;
  /** Okapi key sent as `X-Okapi-Key`. Never logged nor put in error messages. */
  readonly apiKey: string;
  /** Whole-lookup time limit in ms (connect, headers and body). Default 4000. */
  readonly timeoutMs?: number;
  /** Largest response body accepted, in bytes. Default 1 MiB. */
  readonly maxResponseBytes?: number;
  /** `fetch` implementation, injected for tests. Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
}

const OptionsSchema = z.object({
  baseUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
  apiKey: z.string().min(1, 'is required'),
  timeoutMs: z.number().int().min(1).max(60_000).default(4000),
  maxResponseBytes: z.number().int().min(1024).default(1024 * 1024),
});

// --- La Poste "Suivi v2" response (https://developer.laposte.fr, API "Suivi" v2). Only what we use is
// required; unknown fields pass. Dates are ISO 8601, normally with an offset.
const DateString = z.string().refine((d) => !Number.isNaN(parseLaPosteDate(d)), 'not a date');

const EventSchema = z.object({
  code: z.string().min(1),
  label: z.string().optional(),
  date: DateString,
});

const ShipmentSchema = z.object({
  idShip: z.string().optional(),
  holder: z.number().optional(),
  product: z.string().optional(),
  isFinal: z.boolean().optional(),
  estimDate: DateString.optional(),
  deliveryDate: DateString.optional(),
  event: z.array(EventSchema).optional(),
  contextData: z
    .object({
      removalPoint: z.object({ name: z.string().optional(), type: z.string().optional() }).optional(),
      originCountry: z.string().optional(),
      arrivalCountry: z.string().optional(),
    })
    .optional(),
});

const ResponseSchema = z.object({
  returnCode: z.number().int(),
  returnMessage: z.string().optional(),
  lang: z.string().optional(),
  shipment: ShipmentSchema.optional(),
});

type LaPosteShipment = z.infer<typeof ShipmentSchema>;
type LaPosteEvent = z.infer<typeof EventSchema>;

// Event codes published for Suivi v2.
const IN_TRANSIT_CODES = new Set(['DR1', 'PC1', 'PC2', 'ET1', 'ET2', 'ET3', 'ET4', 'EP1', 'DO1', 'DO2', 'PB2']);
const DELAY_CODES = new Set(['DO3', 'PB1', 'ND1']);
const DAMAGED = /endommag|abîm|abim|damag|spoliat|détérior|deterior/i;
const LOST = /perdu|égaré|egare|\blost\b|introuvable|missing|disparu/i;
const ID_OK = /^[A-Z0-9]{8,40}$/;
const STRIP = /[\s\u00A0\u202F\-.]/g;

/**
 * A real {@link TrackingProvider} for La Poste's public "Suivi v2" API (La Poste, Colissimo, Chronopost).
 *
 * @remarks Calls `GET {baseUrl}/idships/{id}?lang=fr_FR|en_GB` with `X-Okapi-Key`, under a time limit that
 * also covers the caller's `signal`. Mapping of event codes (newest event wins): `DI0`/`DI1` delivered;
 * `DI2`, `RE1` returned to sender; `MD2` out for delivery; `DO3` (held in customs), `PB1` (problem), `ND1`
 * (not deliverable) delayed — or damaged / lost when the carrier's label says so; `AG1` (waiting at a pick-up
 * point) in transit with the point as place; `DR1`, `PC*`, `ET*`, `EP1`, `DO1`, `DO2`, `PB2` in transit;
 * unknown codes are delivered when the shipment `isFinal`, else in transit. HTTP 404 and 400 (La Poste's
 * "unknown or invalid number") resolve `not_found`; 401/403 reject `unauthorized`; 429, 5xx, network errors
 * reject `unavailable`; a body that is not the documented JSON rejects `bad_response`; the time limit or the
 * caller's abort reject `timeout`. Error messages never contain the key nor the response body.
 * Defaults: `timeoutMs` 4000, `maxResponseBytes` 1 MiB.
 * @example
 * const provider = new HttpTrackingProvider({ baseUrl: 'https://api.laposte.fr/suivi/v2', apiKey: key, timeoutMs: 4000 });
 */
export class HttpTrackingProvider implements TrackingProvider {
  readonly name = 'laposte-suivi-v2';
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpTrackingProviderOptions) {
    const parsed = OptionsSchema.safeParse(options ?? {});
    if (!parsed.success) {
      const keys = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'} ${i.message}`).join('; ');
      throw new TypeError(`HttpTrackingProvider: invalid options (${keys})`);
    }
    this.baseUrl = parsed.data.baseUrl.replace(/(?<!\/)\/+$/, '');
    this.apiKey = parsed.data.apiKey;
    this.timeoutMs = parsed.data.timeoutMs;
    this.maxResponseBytes = parsed.data.maxResponseBytes;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('HttpTrackingProvider: no fetch implementation available');
    this.fetchImpl = f;
  }

  async track(trackingNumber: string, carrier: CarrierId | undefined, options: TrackingLookupOptions = {}): Promise<TrackingResult> {
    const id = String(trackingNumber ?? '').replace(STRIP, '').toUpperCase();
    const fallbackCarrier = carrier ?? 'laposte';
    // La Poste ids are 11 to 15 alphanumerics; anything else cannot be known there (and is never put in a URL).
    if (!ID_OK.test(id)) return { trackingNumber: id, carrier: fallbackCarrier, status: 'not_found' };

    const lang = /^fr\b/i.test(options.language ?? '') ? 'fr_FR' : 'en_GB';
    const url = `${this.baseUrl}/idships/${encodeURIComponent(id)}?lang=${lang}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;

    let status: number;
    let text: string;
    try {
      options.signal?.throwIfAborted();
      const response = await this.fetchImpl(url, {
        method: 'GET',
        headers: { Accept: 'application/json', 'X-Okapi-Key': this.apiKey },
        signal,
        redirect: 'error',
      });
      status = response.status;
      text = await readLimited(response, this.maxResponseBytes);
    } catch (err) {
      throw this.toProviderError(err, timeout, options.signal);
    }

    if (status === 404 || status === 400) return { trackingNumber: id, carrier: fallbackCarrier, status: 'not_found' };
    if (status === 401 || status === 403) {
      throw new TrackingProviderError(`La Poste tracking refused the API key (HTTP ${status})`, 'unauthorized');
    }
    if (status === 429 || status >= 500) {
      throw new TrackingProviderError(`La Poste tracking is unavailable (HTTP ${status})`, 'unavailable');
    }
    if (status < 200 || status >= 300) {
      throw new TrackingProviderError(`La Poste tracking answered an unexpected HTTP ${status}`, 'bad_response');
    }
    return mapResponse(id, fallbackCarrier, parseBody(text));
  }

  private toProviderError(err: unknown, timeout: AbortSignal, callerSignal: AbortSignal | undefined): TrackingProviderError {
    if (err instanceof TrackingProviderError) return err;
    if (timeout.aborted) {
      return new TrackingProviderError(`La Poste tracking did not answer within ${this.timeoutMs} ms`, 'timeout');
    }
    if (callerSignal?.aborted) {
      return new TrackingProviderError('La Poste tracking lookup aborted by the caller', 'timeout', { cause: callerSignal.reason });
    }
    // Network failure (refused, reset, DNS). The cause carries no key: it is only sent as a header.
    return new TrackingProviderError('La Poste tracking could not be reached', 'unavailable', { cause: err });
  }
}

/** Reads the body as text, refusing bodies larger than `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const text = await readCappedBody(response, limit);
  if (text === undefined) throw new TrackingProviderError('La Poste tracking answered a body that is too large', 'bad_response');
  return text;
}

function parseBody(text: string): z.infer<typeof ResponseSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TrackingProviderError('La Poste tracking answered something that is not JSON', 'bad_response');
  }
  // The published schema wraps the unit answer in an array; the live API answers an object. Accept both.
  const unit = Array.isArray(json) && json.length === 1 ? json[0] : json;
  const parsed = ResponseSchema.safeParse(unit);
  if (!parsed.success) {
    // Paths only: zod messages can quote received values, which come from the payload.
    const where = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].slice(0, 5).join(', ');
    throw new TrackingProviderError(`La Poste tracking answered an unexpected shape (at ${where})`, 'bad_response');
  }
  return parsed.data;
}

function mapResponse(id: string, fallbackCarrier: CarrierId, body: z.infer<typeof ResponseSchema>): TrackingResult {
  const shipment = body.shipment;
  if (!shipment) {
    // 1xx return codes are La Poste's "unknown / not yet available / invalid" answers.
    if (body.returnCode >= 100 && body.returnCode < 200) return { trackingNumber: id, carrier: fallbackCarrier, status: 'not_found' };
    throw new TrackingProviderError(`La Poste tracking answered return code ${body.returnCode} without a shipment`, 'bad_response');
  }
  const carrier = carrierOf(shipment.holder) ?? fallbackCarrier;
  const events = [...(shipment.event ?? [])].sort((a, b) => parseLaPosteDate(b.date) - parseLaPosteDate(a.date));
  const latest = events[0];
  const status = statusOf(latest, shipment.isFinal === true);
  const zone = frenchShipment(shipment) ? 'Europe/Paris' : undefined;
  const lastEvent: TrackingEvent | undefined = latest
    ? {
        time: new Date(parseLaPosteDate(latest.date)).toISOString(),
        ...(latest.code === 'AG1' && shipment.contextData?.removalPoint?.name ? { place: shipment.contextData.removalPoint.name } : {}),
        ...(zone ? { timeZone: zone } : {}),
        ...(latest.label ? { description: latest.label } : {}),
      }
    : undefined;
  const deliveredAtMs =
    status === 'delivered' ? (shipment.deliveryDate ? parseLaPosteDate(shipment.deliveryDate) : latest && parseLaPosteDate(latest.date)) : undefined;
  return {
    trackingNumber: shipment.idShip?.toUpperCase() || id,
    carrier,
    status,
    ...(lastEvent ? { lastEvent } : {}),
    ...(shipment.estimDate && status !== 'delivered' ? { expectedDelivery: new Date(parseLaPosteDate(shipment.estimDate)).toISOString() } : {}),
    ...(deliveredAtMs !== undefined ? { deliveredAt: new Date(deliveredAtMs).toISOString() } : {}),
  };
}

function statusOf(latest: LaPosteEvent | undefined, isFinal: boolean): ParcelStatus {
  if (!latest) return isFinal ? 'delivered' : 'in_transit';
  const code = latest.code.toUpperCase();
  if (code === 'DI0' || code === 'DI1') return 'delivered';
  if (code === 'DI2' || code === 'RE1') return 'returned_to_sender';
  if (code === 'MD2') return 'out_for_delivery';
  if (DELAY_CODES.has(code)) {
    const label = latest.label ?? '';
    if (DAMAGED.test(label)) return 'exception_damaged';
    if (LOST.test(label)) return 'exception_lost';
    return 'delayed';
  }
  if (code === 'AG1' || IN_TRANSIT_CODES.has(code)) return 'in_transit';
  return isFinal ? 'delivered' : 'in_transit';
}

function carrierOf(holder: number | undefined): CarrierId | undefined {
  switch (holder) {
    case 1:
      return 'laposte';
    case 3:
      return 'chronopost';
    case 4:
      return 'colissimo';
    default:
      return undefined;
  }
}

function frenchShipment(s: LaPosteShipment): boolean {
  const origin = s.contextData?.originCountry;
  const arrival = s.contextData?.arrivalCountry;
  return (!origin || origin.toUpperCase() === 'FR') && (!arrival || arrival.toUpperCase() === 'FR');
}

const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Milliseconds since the epoch of a La Poste date. Dates without an offset are French local time.
 */
function parseLaPosteDate(value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?/.test(value)) return Number.NaN;
  if (HAS_ZONE.test(value) || !value.includes('T')) return Date.parse(value);
  const asUtc = Date.parse(`${value}Z`);
  if (Number.isNaN(asUtc)) return asUtc;
  // Offset of Europe/Paris at that moment (a guess at the instant is close enough except in the DST hour).
  return asUtc - parisOffsetMs(asUtc);
}

const PARIS_OFFSET = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' });

function parisOffsetMs(utcMs: number): number {
  const name = PARIS_OFFSET.formatToParts(new Date(utcMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return (m[1] === '-' ? -1 : 1) * minutes * 60_000;
}
