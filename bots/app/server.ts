import * as restify from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { WarmlineCloudAdapter, type ActivityHttpResult } from './warmlineCloudAdapter';
import { errorFields, type Logger } from '../../middleware/shared/logger';
import { checkActivityEnvelope, replaceInvalidTimestamps } from './activityEnvelope';
import { upgradeRouter } from '../upgradeRouter';
import { metricsRoute, type MetricsRouteOptions } from './metrics';
import { isJsonContentType, MAX_JSON_DEPTH, valueTooDeep } from '../../middleware/shared/json';
import { restifyLog } from './restifyLog';

const MESSAGES_PATH = '/api/messages';

/** Something that handles a turn: an `ActivityHandler` or any bot with `run`. */
export interface TurnHandler {
  run(context: TurnContext): Promise<void>;
}

/** Readiness as reported by `GET /readyz`. */
export interface Readiness {
  ready: boolean;
  /** Per-component state, e.g. `{ recognizers: 'warming' }`. */
  checks: Readonly<Record<string, 'ok' | 'warming' | 'failed'>>;
}

/** Options for {@link createWarmlineServer}. */
export interface WarmlineServerOptions {
  adapter: CloudAdapter;
  bot: TurnHandler;
  logger: Logger;
  /** Largest accepted request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Called by `GET /readyz`. */
  readiness: () => Readiness;
  /** Server name in the `Server` header. */
  name?: string;
  /** Serves `GET /metrics` from this registry (bearer token, or loopback clients only). Default: no route. */
  metrics?: MetricsRouteOptions;
}

/**
 * Creates the restify server with the Bot Framework endpoint and health routes.
 *
 * @remarks Routes: `POST /api/messages` (a {@link WarmlineCloudAdapter} runs the turn from the body restify's parser
 * read; any other `CloudAdapter` through its own `process`; both enforce Bot Framework JWT authentication whenever an app id is
 * configured), `GET /healthz` (the process answers), `GET /readyz` (503 until every component is warm), and
 * `GET /metrics` when `metrics` is given (Prometheus text; a bearer token, or loopback clients only). Bodies over
 * `maxBodyBytes` get 413, malformed JSON and JSON nested deeper than 64 arrays and objects 400 (on every route), non-JSON
 * content types and multipart bodies 415. restify's own log lines go to `logger` as `restify.<level>` events with the
 * error class and the route pattern only (see {@link restifyLog}): never headers, bodies or URLs.
 *
 * On `POST /api/messages`, before any adapter reads it: an activity whose envelope is malformed gets 400 with the
 * reason (see {@link checkActivityEnvelope}: a missing `serviceUrl`, `channelId`, `conversation.id`, `from.id` or
 * `recipient.id`; a `serviceUrl` that is not an http(s) URL; a `channelId` not in lower case; an id that is not a
 * well-formed string; a name, locale or tenant id that is not a string...), and an invalid `timestamp` or
 * `localTimestamp` is replaced by the server's time. With a {@link WarmlineCloudAdapter}, a request
 * whose token cannot be checked right now (signing keys unreachable) and a turn that failed with a `RetryLaterError`
 * get 503 with `Retry-After`; a missing or refused token gets 401.
 *
 * The server's HTTP upgrades (WebSockets) all go through its {@link upgradeRouter}: an upgrade on a path no route
 * serves is answered 404 and closed, and no socket error reaches the process. The caller adds further routes (web
 * chat, agent console) before calling `listen`.
 */
export function createWarmlineServer(options: WarmlineServerOptions): restify.Server {
  const { adapter, bot, logger } = options;
  const server = restify.createServer({
    name: options.name ?? 'warmline',
    handleUncaughtExceptions: false,
    // restify 11 takes a pino-style logger; its typings still name bunyan's class, which the shim needs not be.
    log: restifyLog(logger) as unknown as restify.ServerOptions['log'],
  });
  upgradeRouter(server.server, { logger });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  // No route takes file uploads. restify's multipart parser would write them to the temp directory and never delete
  // them (and with a read-only temp directory one such request would stop the process): refused before any reading.
  server.use(function refuseMultipart(req, res, next) {
    const type = req.headers['content-type'];
    if (typeof type === 'string' && /^\s*multipart\//i.test(type)) {
      res.send(415, { error: 'UnsupportedMediaType', message: 'File uploads (multipart bodies) are not accepted.' });
      return next(false);
    }
    return next();
  });
  server.use(
    restify.plugins.bodyParser({
      maxBodySize: options.maxBodyBytes,
      mapParams: false,
      mapFiles: false,
      keepExtensions: false,
      rejectUnknown: false,
    }),
  );
  server.use(refuseDeepJson);

  server.post(MESSAGES_PATH, async (req, res) => {
    // Channels post JSON. Refusing other types also keeps a web page from posting activities to a local, anonymous
    // bot as a "simple" cross-origin request (text/plain needs no CORS preflight).
    if (!isJsonContentType(req.headers['content-type'])) {
      res.send(415, { error: 'UnsupportedMediaType', message: 'Send the activity as application/json.' });
      return;
    }
    // restify's body parser has read the JSON (413 when too large, 400 when malformed or nested too deep).
    const checked = checkActivityEnvelope(req.body);
    if (!checked.ok) {
      res.send(400, { error: 'BadRequest', message: checked.reason });
      return;
    }
    const activity = checked.activity;
    const replaced = replaceInvalidTimestamps(activity, new Date());
    if (replaced.length > 0) logger.debug('messages.timestamp_replaced', { fields: replaced.length });
    const logic = (context: TurnContext) => bot.run(context);
    try {
      if (adapter instanceof WarmlineCloudAdapter) {
        const header = req.headers.authorization;
        sendResult(res, await adapter.processActivityBody(typeof header === 'string' ? header : '', activity, logic));
      } else {
        // Any other CloudAdapter: botbuilder's own request handling, on the body read above.
        req.body = activity;
        await adapter.process(req, res, logic);
      }
    } catch (err) {
      // Adapter errors end here; the turn's own errors go to onTurnError (a RetryLaterError it rethrows is answered
      // 503 by WarmlineCloudAdapter; botbuilder's own process answers 500 for it).
      logger.warn('messages.process_failed', errorFields(err));
      if (!res.headersSent) res.send(500, { error: 'InternalError', message: 'The activity could not be processed.' });
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (_req, res) => {
    const r = options.readiness();
    res.send(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'starting', checks: r.checks });
  });

  if (options.metrics) server.get('/metrics', metricsRoute(options.metrics));

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number; toJSON?: () => object }, cb: () => void) => {
    if ((err.statusCode ?? 500) >= 500) logger.error('http.error', { route: req.getPath(), ...errorFields(err) });
    if (err.statusCode === 413) {
      // restify's default body says "Request body size exceeds ..."; keep it, just make it JSON and explicit.
      err.toJSON = () => ({ error: 'PayloadTooLarge', message: `Request body larger than ${options.maxBodyBytes} bytes.` });
    }
    cb();
  });
  return server;
}

/** Starts listening and resolves with the bound port (useful with port 0). */
export function listen(server: restify.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function sendResult(res: restify.Response, result: ActivityHttpResult): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) res.header(name, value);
  if (result.body === undefined) res.send(result.status);
  else res.send(result.status, result.body);
}

/**
 * Refuses (400) a body restify's parser read that nests deeper than {@link MAX_JSON_DEPTH}: the routes behind it (the
 * console, the webhook status, Direct Line) then never meet a value deep enough to overflow a `JSON.stringify`.
 */
function refuseDeepJson(req: restify.Request, res: restify.Response, next: restify.Next): void {
  const { body } = req;
  if (typeof body !== 'object' || body === null) return next();
  // The parsed value, walked with an explicit stack: linear in its nodes, not in the bytes (a 256 KB text is one node).
  if (!valueTooDeep(body)) return next();
  res.send(400, { error: 'BadRequest', message: `The body is nested deeper than ${MAX_JSON_DEPTH} levels.` });
  return next(false);
}

