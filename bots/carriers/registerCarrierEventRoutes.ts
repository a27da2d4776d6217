/**
 * Signed carrier webhooks in (AfterShip, EasyPost), parsed to Warmline's {@link CarrierEvent}, each applied once.
 */
import { randomUUID } from 'node:crypto';
import type * as restify from 'restify';
import type { Logger } from '../../middleware/shared/logger';
import { isJsonContentType, parseJsonText } from '../../middleware/shared/json';
import { readRawBody, type RequestWithBody } from '../../middleware/shared/readRawBody';
import { MemoryReplayCache, REPLAY_CACHE_MAX_ENTRIES, type ReplayBegin, type ReplayCache } from '../../middleware/shared/replayCache';
import type { CarrierEvent, CarrierEventSource } from '../../middleware/proactive/carrierEvent';
import {
  AFTERSHIP_SIGNATURE_HEADER,
  readAfterShipPayload,
  verifyAfterShipSignature,
  type CarrierPayloadReading,
} from '../../middleware/proactive/carriers/afterShip';
import { EASYPOST_SIGNATURE_HEADER, readEasyPostPayload, verifyEasyPostSignature } from '../../middleware/proactive/carriers/easyPost';

/** Where AfterShip posts (registered only with `afterShipSecret`). */
export const AFTERSHIP_EVENTS_PATH = '/api/carrier-events/aftership';
/** Where EasyPost posts (registered only with `easyPostSecret`). */
export const EASYPOST_EVENTS_PATH = '/api/carrier-events/easypost';

/** How long an accepted event id is remembered (a copy within it is a duplicate). */
export const CARRIER_EVENT_DEDUP_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * How long an event being accepted stays claimed (`pending`) before a copy may claim it again. Short on purpose: if
 * this process dies between claiming and settling, the provider's retries go through after it rather than getting
 * 503 for {@link CARRIER_EVENT_DEDUP_TTL_MS}. `accept` must finish well within it.
 */
export const CARRIER_EVENT_PENDING_LEASE_MS = 10 * 60 * 1000;
const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
const DEFAULT_MAX_AGE_MS = 72 * 60 * 60 * 1000;
/** Seconds a provider is asked to wait before retrying after a 503. */
const RETRY_AFTER_SECONDS = '5';

/** Options of {@link registerCarrierEventRoutes}. */
export interface CarrierEventRoutesOptions {
  /** AfterShip webhook secret; without it `POST /api/carrier-events/aftership` is not registered (404). */
  readonly afterShipSecret?: string;
  /** EasyPost webhook secret; without it `POST /api/carrier-events/easypost` is not registered (404). */
  readonly easyPostSecret?: string;
  /**
   * Where accepted event ids are remembered. Default: per process (a bounded {@link MemoryReplayCache}, so under
   * heavy traffic ids may be forgotten before seven days). With several instances give a shared one
   * (`RedisReplayCache`), or a copy reaching another instance is accepted again.
   */
  readonly replayCache?: ReplayCache;
  /**
   * Keeps the event (records it, queues the messages it calls for). Resolving means it is kept: only then is the
   * provider answered 200. Throwing makes the provider retry (503), and the retry is accepted afresh.
   */
  readonly accept: (event: CarrierEvent) => Promise<void>;
  readonly logger: Logger;
  /** Largest body accepted. Default 256 KiB. */
  readonly maxBodyBytes?: number;
  /**
   * Oldest event accepted, by when the provider emitted it (AfterShip `ts`, EasyPost `created_at`; else the event's
   * `occurredAt`). Older ones get 401: with no timestamp in either signature, this bounds how late a captured request
   * can be replayed; it must stay below {@link CARRIER_EVENT_DEDUP_TTL_MS}. Default 72 hours.
   */
  readonly maxAgeMs?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** How one provider is checked and read. */
interface Provider {
  readonly source: CarrierEventSource;
  readonly path: string;
  readonly header: string;
  readonly secret: string;
  readonly verify: (rawBody: Buffer, header: string | undefined, secret: string) => boolean;
  readonly read: (body: unknown) => CarrierPayloadReading;
}

const errorName = (err: unknown): string => (err instanceof Error ? err.name : typeof err);

/**
 * Registers `POST /api/carrier-events/aftership` (with `afterShipSecret`) and `POST /api/carrier-events/easypost`
 * (with `easyPostSecret`): signed tracking webhooks, parsed to {@link CarrierEvent}s and handed to `accept` once each.
 *
 * @remarks Answers, in the order checked:
 * - 413 for a body over `maxBodyBytes` (with `Connection: close`);
 * - 401 `{error: "Unauthorized"}` for a missing or wrong signature (no detail);
 * - 400 for a body that is not JSON (or nested deeper than 64 levels), or not a payload of that provider;
 * - 200 `{ignored: true}` for a well-signed event Warmline does not use (the provider stops retrying);
 * - 401 `{error: "Stale"}` for an event emitted more than `maxAgeMs` ago;
 * - 200 `{duplicate: true}` for an event id already accepted (not handed to `accept` again);
 * - 503 with `Retry-After: 5` while a copy of the same event is being accepted, when `accept` throws (the claim is
 *   released, so the provider's retry is accepted afresh), or when the replay cache cannot be reached;
 * - 200 `{accepted: true}` once `accept` resolved.
 * Never 500: anything unexpected is answered 503 so that the provider retries. Logs at info only the source, the
 * event id and the parcel status; the tracking number only at debug (it can identify a customer).
 * @example
 * registerCarrierEventRoutes(server, { afterShipSecret: process.env.AFTERSHIP_WEBHOOK_SECRET, replayCache,
 *   accept: (event) => proactive.accept(event), logger });
 */
export function registerCarrierEventRoutes(server: restify.Server, options: CarrierEventRoutesOptions): void {
  if (typeof options.accept !== 'function') throw new TypeError('registerCarrierEventRoutes: accept is required');
  const logger = options.logger;
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (!(maxBytes > 0)) throw new RangeError('registerCarrierEventRoutes: maxBodyBytes must be positive');
  if (!(maxAgeMs > 0) || maxAgeMs >= CARRIER_EVENT_DEDUP_TTL_MS) {
    throw new RangeError('registerCarrierEventRoutes: maxAgeMs must be positive and shorter than the dedup memory (7 days)');
  }
  const now = options.now ?? Date.now;
  const seen: ReplayCache = options.replayCache ?? new MemoryReplayCache({ maxEntries: REPLAY_CACHE_MAX_ENTRIES, now });

  const providers: Provider[] = [];
  if (options.afterShipSecret) {
    providers.push({ source: 'aftership', path: AFTERSHIP_EVENTS_PATH, header: AFTERSHIP_SIGNATURE_HEADER, secret: options.afterShipSecret, verify: verifyAfterShipSignature, read: readAfterShipPayload });
  }
  if (options.easyPostSecret) {
    providers.push({ source: 'easypost', path: EASYPOST_EVENTS_PATH, header: EASYPOST_SIGNATURE_HEADER, secret: options.easyPostSecret, verify: verifyEasyPostSignature, read: readEasyPostPayload });
  }

  for (const provider of providers) {
    const { source } = provider;
    const retryLater = (res: restify.Response, error: string, message: string): void => {
      res.header('Retry-After', RETRY_AFTER_SECONDS);
      res.send(503, { error, message });
    };

    const handle = async (req: restify.Request, res: restify.Response): Promise<void> => {
      const tooLarge = () => {
        res.header('Connection', 'close');
        res.send(413, { error: 'PayloadTooLarge', message: `Body larger than ${maxBytes} bytes.` });
      };
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes * 4 + 65536) return tooLarge();
      const body = await readRawBody(req as unknown as RequestWithBody, maxBytes);
      if (!body.ok) {
        if (body.reason === 'too_large') return tooLarge();
        if (body.reason === 'unavailable') {
          if (!isJsonContentType(req.headers['content-type'])) {
            return void res.send(415, { error: 'UnsupportedMediaType', message: 'Send the event as application/json.' });
          }
          logger.warn('carrier.event.raw_body_unavailable', { source });
          return retryLater(res, 'ServiceUnavailable', 'The body could not be checked; retry later.');
        }
        return void res.send(400, { error: 'BadRequest', message: 'The body could not be read.' });
      }
      const raw = body.raw;

      const header = req.headers[provider.header];
      if (!provider.verify(raw, typeof header === 'string' ? header : undefined, provider.secret)) {
        logger.warn('carrier.event.unauthorized', { source });
        return void res.send(401, { error: 'Unauthorized' });
      }

      const parsed = parseJsonText(raw);
      if (!parsed.ok) return void res.send(400, { error: 'BadRequest', message: parsed.message });
      const json = parsed.value;

      const reading = provider.read(json);
      if (reading.kind === 'malformed') {
        logger.warn('carrier.event.malformed', { source });
        return void res.send(400, { error: 'BadRequest', message: `Not a ${source} tracking event Warmline can read.` });
      }
      if (reading.kind === 'ignored') {
        logger.info('carrier.event.ignored', { source, reason: reading.reason });
        return void res.send(200, { ignored: true });
      }
      const event = reading.event;

      const emittedAt = reading.sentAt ?? Date.parse(event.occurredAt);
      if (now() - emittedAt > maxAgeMs) {
        logger.warn('carrier.event.stale', { source, eventId: event.id, status: event.status });
        return void res.send(401, { error: 'Stale', message: `The event is older than ${Math.round(maxAgeMs / 3_600_000)} hours.` });
      }

      // Claimed as pending before accepting (atomic set-if-absent): of two copies arriving at once, one is accepted.
      const key = `carrier-event:${event.id}`;
      const owner = randomUUID();
      let found: ReplayBegin;
      try {
        found = await seen.begin(key, CARRIER_EVENT_PENDING_LEASE_MS, owner);
      } catch (err) {
        logger.warn('carrier.event.replay_cache_failed', { source, eventId: event.id, error: errorName(err) });
        return retryLater(res, 'ServiceUnavailable', 'The event could not be checked for duplicates; retry later.');
      }
      if (found === 'done') {
        logger.info('carrier.event.duplicate', { source, eventId: event.id, status: event.status });
        return void res.send(200, { duplicate: true });
      }
      if (found === 'pending') {
        // Its outcome is not known yet: if it fails it is released, and this copy must then be accepted.
        logger.info('carrier.event.in_progress', { source, eventId: event.id, status: event.status });
        return retryLater(res, 'InProgress', 'The same event is being processed; retry in a moment.');
      }

      logger.debug('carrier.event.received', { source, eventId: event.id, status: event.status, trackingNumber: event.trackingNumber });
      try {
        await options.accept(event);
      } catch (err) {
        logger.warn('carrier.event.accept_failed', { source, eventId: event.id, status: event.status, error: errorName(err) });
        await seen.release(key, owner).catch((e: unknown) => logger.warn('carrier.event.replay_cache_failed', { source, eventId: event.id, error: errorName(e) }));
        return retryLater(res, 'ServiceUnavailable', 'The event could not be kept; retry later.');
      }
      // Kept: copies are duplicates from now on, for seven days. Should the cache fail here, the entry stays pending
      // until its lease ends (copies get 503 meanwhile, then may be accepted again: `accept` must tolerate that rare
      // repeat); the answer is still 200, since the event is kept.
      await seen
        .complete(key, CARRIER_EVENT_DEDUP_TTL_MS, owner)
        .catch((err: unknown) => logger.warn('carrier.event.replay_cache_failed', { source, eventId: event.id, error: errorName(err) }));
      logger.info('carrier.event.accepted', { source, eventId: event.id, status: event.status });
      res.send(200, { accepted: true });
    };

    server.post(provider.path, async (req: restify.Request, res: restify.Response) => {
      try {
        await handle(req, res);
      } catch (err) {
        // Never a 500: the provider retries a 503, and nothing was acknowledged.
        logger.error('carrier.event.failed', { source, error: errorName(err) });
        if (!res.headersSent) retryLater(res, 'ServiceUnavailable', 'The event could not be processed; retry later.');
      }
    });
  }
}
