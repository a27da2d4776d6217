import { createHash, randomUUID } from 'node:crypto';
import type * as restify from 'restify';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../middleware/shared/logger';
import { isJsonContentType, parseJsonText } from '../../middleware/shared/json';
import { readRawBody, type RequestWithBody } from '../../middleware/shared/readRawBody';
import { isTransientStorageError } from '../../middleware/shared/transientError';
import { MemoryReplayCache, REPLAY_CACHE_MAX_ENTRIES, replayTtlMs, type ReplayBegin, type ReplayCache } from '../../middleware/shared/replayCache';
import { HubAgentSchema, HubStateSchema, type ApplyHubStatusResult, type HubStatusUpdate } from '../../middleware/handoff/hubs/hubStatus';
import { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../middleware/handoff/hubs/webhookSigning';

/** Options of {@link registerWebhookStatusRoute}. */
export interface WebhookStatusRouteOptions {
  /** Route path, e.g. `/api/hooks/crm/status`. */
  readonly path: string;
  /** Accepted signing secrets, current first (two during a rotation). */
  readonly secrets: readonly string[];
  /**
   * Applies a validated, authenticated status (e.g. `(u) => applyHubStatus(store, u)`). Its result picks the answer:
   * 200 on success, 404 when the case does not exist, 409 when the status does not apply (case taken or closed).
   */
  readonly onStatus: (update: HubStatusUpdate) => Promise<ApplyHubStatusResult | void>;
  /** Hub name put on the updates. Default `webhook`. */
  readonly hub?: string;
  /** Replay window in seconds. Default 300. */
  readonly toleranceSeconds?: number;
  /** Largest body read when no body parser ran. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Clock in epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Where accepted signatures are remembered. Default: per process (a bounded {@link MemoryReplayCache}). With several
   * instances give a shared one (`RedisReplayCache`), or a replay reaching another instance inside the window is
   * applied again.
   */
  readonly replayCache?: ReplayCache;
}

/** Body of a hub status POST. */
export const WebhookStatusBodySchema = z.object({
  caseId: z.string().min(1).max(40),
  state: HubStateSchema,
  message: z.string().max(2000).optional(),
  agent: HubAgentSchema.optional(),
});

/**
 * Registers the endpoint on which an engagement hub or CRM reports on cases sent by the `WebhookConnector`:
 * `POST {path}` with a JSON body `{caseId, state, message?, agent?: {id, name?}}`, signed like outgoing webhooks
 * (`X-Warmline-Signature: v1=<hex HMAC-SHA256 of "${timestamp}.${rawBody}">`, `X-Warmline-Timestamp`).
 *
 * @remarks Answers 413 for a body over `maxBodyBytes` (once it is drained, with `Connection: close`), 415 for a
 * content type other than JSON, 401 for a missing or wrong signature or a timestamp outside the replay window, 400 for
 * a body that is not a valid status (or nested deeper than 64 levels), 404 / 409 from `onStatus`'s result, 200
 * `{ok: true}` otherwise. Replays (same signed bytes, inside the window), on whichever instance they land when `replayCache` is shared: a copy of a request
 * already applied answers 200 `{ok: true, duplicate: true}` without calling `onStatus` again; a copy arriving while
 * the original is still being applied answers 503 `{error: "InProgress"}` with `Retry-After: 1` (never "done" before
 * the original succeeded); a request that could not be applied (404, 409, 500) is forgotten so that it may be
 * retried. 503 `{error: "ServiceUnavailable"}` when the replay cache cannot be reached.
 * Works behind the server's global restify `bodyParser` (it reads `req.rawBody`).
 * @example
 * registerWebhookStatusRoute(server, { path: '/api/hooks/crm/status', secrets: [secret],
 *   onStatus: (u) => applyHubStatus(store, u) });
 */
export function registerWebhookStatusRoute(server: restify.Server, options: WebhookStatusRouteOptions): void {
  const secrets = options.secrets.filter((s) => s.length > 0);
  if (!secrets.length) throw new TypeError('registerWebhookStatusRoute: at least one secret is required');
  if (typeof options.onStatus !== 'function') throw new TypeError('registerWebhookStatusRoute: onStatus is required');
  if (!options.path?.startsWith('/')) throw new TypeError('registerWebhookStatusRoute: path must start with "/"');
  const hub = options.hub ?? 'webhook';
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const maxBytes = options.maxBodyBytes ?? 64 * 1024;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  // Requests accepted recently (pending while applied, then done): an exact replay inside the window is never applied twice.
  const seen: ReplayCache = options.replayCache ?? new MemoryReplayCache({ maxEntries: REPLAY_CACHE_MAX_ENTRIES, now });
  const forget = (key: string, owner: string): Promise<void> =>
    seen.release(key, owner).catch((err: unknown) => logger.warn('webhook.status.replay_cache_failed', { path: options.path, error: err instanceof Error ? err.name : typeof err }));

  /** The body's exact bytes, or `undefined` once the request is answered (413, 415, 400, 500). */
  const readBody = async (req: restify.Request, res: restify.Response): Promise<Buffer | undefined> => {
    const tooLarge = () => {
      res.header('Connection', 'close');
      res.send(413, { error: 'PayloadTooLarge', message: `Body larger than ${maxBytes} bytes.` });
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes * 4 + 65536) return void tooLarge();
    const body = await readRawBody(req as unknown as RequestWithBody, maxBytes);
    if (!body.ok) {
      if (body.reason === 'too_large') return void tooLarge();
      if (body.reason === 'unavailable') {
        logger.warn('webhook.status.raw_body_unavailable', { path: options.path });
        return void res.send(500, { error: 'RawBodyUnavailable', message: 'The server parsed the body without keeping its bytes; the signature cannot be checked.' });
      }
      return void res.send(400, { error: 'BadRequest', message: 'The body could not be read.' });
    }
    const raw = body.raw;
    // Checked once the body is read: answered while the client is still sending, it would see a reset connection.
    if (!isJsonContentType(req.headers['content-type'])) {
      return void res.send(415, { error: 'UnsupportedMediaType', message: 'Send the status as application/json.' });
    }
    return raw;
  };

  server.post(options.path, async (req: restify.Request, res: restify.Response) => {
    const raw = await readBody(req, res);
    if (!raw) return;
    const verdict = verifyWebhookSignature({
      rawBody: raw,
      signature: req.headers[SIGNATURE_HEADER.toLowerCase()],
      timestamp: req.headers[TIMESTAMP_HEADER.toLowerCase()],
      secrets,
      toleranceSeconds: tolerance,
      now,
    });
    if (!verdict.ok) {
      logger.warn('webhook.status.unauthorized', { path: options.path, reason: verdict.reason });
      return void res.send(401, { error: 'Unauthorized', message: `Signature check failed: ${verdict.reason}.` });
    }
    const parsed = parseJsonText(raw);
    if (!parsed.ok) return void res.send(400, { error: 'BadRequest', message: parsed.message });
    const json = parsed.value;
    const body = WebhookStatusBodySchema.safeParse(json);
    if (!body.success) {
      return void res.send(400, {
        error: 'BadRequest',
        message: `Invalid status: ${body.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ')}`,
      });
    }
    const update: HubStatusUpdate = {
      hub,
      caseId: body.data.caseId,
      state: body.data.state,
      ...(body.data.message ? { message: body.data.message } : {}),
      ...(body.data.agent ? { agent: body.data.agent.name ? { id: body.data.agent.id, name: body.data.agent.name } : { id: body.data.agent.id } } : {}),
    };
    // Claimed as pending before acting (atomic set-if-absent), so two copies arriving at once are applied once. The key
    // is what was signed, not the signature: during a rotation a replay keeping only the other `v1=` value is the same
    // request.
    const replayKey = `${verdict.timestamp}.${createHash('sha256').update(raw).digest('base64url')}`;
    let found: ReplayBegin;
    const owner = randomUUID();
    try {
      found = await seen.begin(replayKey, replayTtlMs(verdict.timestamp, tolerance, now()), owner);
    } catch (err) {
      logger.warn('webhook.status.replay_cache_failed', { path: options.path, error: err instanceof Error ? err.name : typeof err });
      return void res.send(503, { error: 'ServiceUnavailable', message: 'The status could not be checked for replays; retry later.' });
    }
    if (found === 'done') return void res.send(200, { ok: true, duplicate: true });
    if (found === 'pending') {
      // Its outcome is not known yet: if it fails, it is released and this retry must be applied, so no "done" now.
      res.header('Retry-After', '1');
      return void res.send(503, { error: 'InProgress', message: 'An identical status is being processed; retry in a moment.' });
    }
    let result: ApplyHubStatusResult | void;
    try {
      result = await options.onStatus(update);
    } catch (err) {
      logger.warn('webhook.status.failed', { path: options.path, caseId: update.caseId, error: err instanceof Error ? err.name : typeof err });
      await forget(replayKey, owner);
      if (isTransientStorageError(err)) {
        // Storage did not answer: not applied, and the hub's resend will be (it is not remembered as done).
        res.header('Retry-After', '2');
        return void res.send(503, { error: 'ServiceUnavailable', message: 'The status could not be applied right now; retry later.' });
      }
      return void res.send(500, { error: 'InternalError', message: 'The status could not be applied; retry later.' });
    }
    if (result && !result.ok) {
      await forget(replayKey, owner);
      if (result.reason === 'not_found') return void res.send(404, { error: 'NotFound', message: `No case ${update.caseId}.` });
      return void res.send(409, {
        error: 'Conflict',
        message: result.reason === 'taken' ? `Case ${update.caseId} is already handled by another agent.` : `Case ${update.caseId} is ${result.case.state}; "${update.state}" does not apply.`,
      });
    }
    // Applied: copies are duplicates from now on. Should the cache fail here, the entry stays pending until its TTL
    // (copies get 503 "in progress", never applied twice) and the answer is still 200.
    await seen.complete(replayKey, undefined, owner).catch((err: unknown) => logger.warn('webhook.status.replay_cache_failed', { path: options.path, error: err instanceof Error ? err.name : typeof err }));
    logger.info('webhook.status.applied', { path: options.path, caseId: update.caseId, state: update.state });
    res.send(200, { ok: true, ...(result ? { caseState: result.case.state } : {}) });
  });
}
