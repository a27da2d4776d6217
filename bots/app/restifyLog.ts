/**
 * restify's own logger (its `log` option), routed to Warmline's {@link Logger} with safe fields only.
 *
 * restify 11 takes a pino logger, and by default builds one that writes whole requests to stdout when it catches an
 * error itself (a failing formatter, for one): headers (`Authorization`, `Cookie`), URL and query string included,
 * past Warmline's logger and `LOG_LEVEL`. So restify gets a real pino logger (levels, level checks, children: what
 * restify and its plugins call), whose `logMethod` hook hands every call to Warmline's logger and never to pino's
 * writer. Not a child of Warmline's pino with serializers: restify's messages interpolate request data (`error in
 * formatter (%s) formatting response body %s`) and a child cannot replace its message, and Warmline's `Logger` is an
 * interface (a developer's own, `silentLogger`) that need not be pino at all. Hand-written: only the choice of
 * fields, below.
 */
import pino from 'pino';
import { errorFields, type Logger, type LogFields } from '../../middleware/shared/logger';

/** Where each restify level goes (`fatal` has no Warmline level of its own). */
const TARGET: Readonly<Record<string, keyof Logger>> = { debug: 'debug', info: 'info', warn: 'warn', error: 'error', fatal: 'error' };

const METHOD = /^[A-Z]{1,16}$/;

/** pino needs a destination; the hook never calls the writer, so nothing reaches it. */
const NOWHERE: pino.DestinationStream = { write: () => undefined };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The route's registered path (`/v3/directline/conversations/:conversationId`), never the URL the client sent. */
function routePattern(req: Record<string, unknown>): string | undefined {
  try {
    const route = typeof req.getRoute === 'function' ? (req.getRoute as () => unknown).call(req) : undefined;
    const path = isRecord(route) ? route.path : undefined;
    return typeof path === 'string' ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The fields kept of what restify passed: the error's class and code, an HTTP status, the request's method and route
 * pattern. Never the message (restify may build it from the request), headers, body, URL or query string.
 */
function safeFields(args: readonly unknown[]): LogFields {
  const first = args[0];
  if (first instanceof Error) return { ...errorFields(first) };
  if (!isRecord(first)) return {};
  const fields: Record<string, string | number | undefined> = {};
  const err = first.err ?? first.error;
  if (err !== undefined) Object.assign(fields, errorFields(err));
  const status = isRecord(err) ? (err.statusCode ?? err.status) : undefined;
  if (typeof status === 'number') fields.status = status;
  const req = first.req;
  if (isRecord(req)) {
    if (typeof req.method === 'string' && METHOD.test(req.method)) fields.method = req.method;
    fields.route = routePattern(req);
  }
  return fields;
}

/**
 * A pino logger for `restify.createServer({ log })` that writes restify's own lines through Warmline's `logger`.
 *
 * @remarks Each line is the event `restify.<level>` with the fields {@link safeFields} keeps. Its level is `debug`:
 * `trace` (restify narrating its own control flow) is off, so `log.trace()` is pino's no-op; `debug` to `error` go to
 * the Warmline logger's matching level and `fatal` to `error`, where `LOG_LEVEL` applies. A call without arguments
 * (bunyan's level check) writes nothing. Children share the hook, and their bindings are never written. Logging never
 * throws into restify.
 * @example restify.createServer({ log: restifyLog(logger) as unknown as restify.ServerOptions['log'] })
 */
export function restifyLog(logger: Logger): pino.Logger {
  return pino(
    {
      level: 'debug',
      base: null,
      hooks: {
        logMethod(args, _write, level) {
          const target = TARGET[pino.levels.labels[level] ?? ''];
          if (!target || args.length === 0) return;
          try {
            logger[target](`restify.${pino.levels.labels[level]}`, safeFields(args));
          } catch {
            // A log line is never worth failing the request restify is handling.
          }
        },
      },
    },
    NOWHERE,
  );
}
