/**
 * restify's own logger (its `log` option), routed to Warmline's {@link Logger} with safe fields only.
 *
 * Hand-written: restify logs through a bunyan/pino-style object it is given, and by default builds a pino logger that
 * writes whole requests to stdout when it catches an error itself (a failing formatter, for one): headers
 * (`Authorization`, `Cookie`), URL and query string included, past Warmline's logger and `LOG_LEVEL`. No library maps
 * that interface onto ours; this does, in a few lines.
 */
import { errorFields, type Logger, type LogFields } from './logger';

/** The levels of restify's logger interface (bunyan's and pino's names). */
export type RestifyLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A logging method as restify calls it: with no argument it tells whether the level is on (bunyan's convention). */
export type RestifyLogMethod = (...args: unknown[]) => boolean;

/** What restify may call on the logger it is given. */
export type RestifyLog = Readonly<Record<RestifyLogLevel, RestifyLogMethod>> & {
  /** Returns the same logger: the fields a child would add (request ids, components) are never written anyway. */
  child(...args: unknown[]): RestifyLog;
  /** pino's level check. */
  isLevelEnabled(level: string): boolean;
};

/** Where each restify level goes; `undefined`: dropped (restify's trace lines narrate its own control flow). */
const TARGET: Readonly<Record<RestifyLogLevel, keyof Logger | undefined>> = {
  trace: undefined,
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
};

const METHOD = /^[A-Z]{1,16}$/;

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
 * A logger for `restify.createServer({ log })` that writes restify's own lines through Warmline's `logger`.
 *
 * @remarks Each line is the event `restify.<level>` with the fields {@link safeFields} keeps. `trace` is dropped, and
 * its level check answers `false`; the other levels answer `true` and go to the Warmline logger's matching level
 * (`fatal` to `error`), which applies `LOG_LEVEL`. Logging never throws into restify.
 * @example restify.createServer({ log: restifyLog(logger) as unknown as restify.ServerOptions['log'] })
 */
export function restifyLog(logger: Logger): RestifyLog {
  const method =
    (level: RestifyLogLevel): RestifyLogMethod =>
    (...args) => {
      const target = TARGET[level];
      if (!target) return false;
      if (args.length === 0) return true;
      try {
        logger[target](`restify.${level}`, safeFields(args));
      } catch {
        // A log line is never worth failing the request restify is handling.
      }
      return true;
    };
  const log: RestifyLog = {
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    fatal: method('fatal'),
    child: () => log,
    isLevelEnabled: (level) => Object.hasOwn(TARGET, level) && TARGET[level as RestifyLogLevel] !== undefined,
  };
  return log;
}
