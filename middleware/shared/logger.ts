/**
 * Warmline's logger: pino, behind the small {@link Logger} interface every piece receives.
 *
 * pino writes the lines (levels, JSON, destinations). Hand-written here, and why: the rule for what a line may hold
 * ({@link createLogger}), run as pino's `formatters.log` on every line, because no library cleans values a client
 * chose (an id sent as an array, a 100 KB string, a line break or a bidirectional override) down to short, flat,
 * printable values; pino's `redact` only knows paths named in advance.
 */
import pino from 'pino';

/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured fields attached to a log line. Never put customer text or PII here above debug level. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * The small logger every Warmline piece receives through its options.
 *
 * @remarks Lines are JSON, one per event, so a platform can index them. Callers pass ids, counts and
 * codes, never what a customer typed: message text may only ever appear at `debug`, and even there
 * prefer lengths.
 */
export interface Logger {
  /** Detail for debugging; off unless `LOG_LEVEL=debug`. */
  debug(event: string, fields?: LogFields): void;
  /** Normal operation (started, stopped, a retry that worked). */
  info(event: string, fields?: LogFields): void;
  /** Something failed and was handled (a reply not sent, a store read retried). */
  warn(event: string, fields?: LogFields): void;
  /** Something failed and was not handled (a turn error, a failed start or stop). */
  error(event: string, fields?: LogFields): void;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** The least severe level written. Default `info`. */
  level?: LogLevel;
  /**
   * Where lines go (each without its line feed, with its level); defaults to stdout for debug/info and stderr for
   * warn/error.
   */
  write?: (line: string, level: Exclude<LogLevel, 'silent'>) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

type WrittenLevel = Exclude<LogLevel, 'silent'>;
const LEVELS: readonly WrittenLevel[] = ['debug', 'info', 'warn', 'error'];

/** Longest string value (and event name) written to a log line; longer ones are cut and end with `…`. */
const MAX_VALUE_CHARS = 200;
/** Longest field name kept, and most fields written per line. */
const MAX_KEY_CHARS = 64;
const MAX_FIELDS = 40;
/** Names the line itself uses: a caller's field with one of these names is written as `<name>_`. */
const RESERVED = new Set(['t', 'level', 'event']);
// C0 and C1 controls, DEL, line and paragraph separators, and bidirectional overrides and isolates: none belongs in
// a log line, and some would let a value disguise itself as another field or line in a terminal or a log viewer.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A string fit for a log line: control characters removed, at most `max` characters, never half an emoji. */
function cleanString(value: string, max: number): string {
  const head = value.length > max * 2 ? value.slice(0, max * 2) : value;
  const clean = head.replace(CONTROL, '');
  if (clean.length <= max && head.length === value.length) return clean;
  let cut = clean.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * One field value as written: strings cleaned and cut, other primitives as they are (a bigint as its digits), and
 * anything structured (array, object, function, symbol) replaced by a type marker such as `[array]`.
 */
function cleanValue(value: unknown): string | number | boolean | null | undefined {
  switch (typeof value) {
    case 'string':
      return cleanString(value, MAX_VALUE_CHARS);
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return cleanString(value.toString(), MAX_VALUE_CHARS);
    case 'object':
      return value === null ? null : Array.isArray(value) ? '[array]' : '[object]';
    default:
      return `[${typeof value}]`;
  }
}

/**
 * The line's fields, cleaned whatever a caller passed (values a client chose included): see {@link createLogger}. pino
 * calls it (`formatters.log`) with the object the line was logged with.
 */
function cleanFields(fields: unknown): Record<string, string | number | boolean | null | undefined> {
  // No prototype: a field named `__proto__` is written like any other instead of changing the object.
  const out = Object.create(null) as Record<string, string | number | boolean | null | undefined>;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return out;
  let count = 0;
  for (const key of Object.keys(fields)) {
    if (count++ >= MAX_FIELDS) {
      out.fieldsDropped = Object.keys(fields).length - MAX_FIELDS;
      break;
    }
    let name = cleanString(key, MAX_KEY_CHARS);
    if (RESERVED.has(name)) name = `${name}_`;
    out[name] = cleanValue((fields as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * Creates a JSON-lines logger on pino.
 *
 * @remarks Every line is `{ level, t, ...fields, event }`, and the logger cleans what it writes itself, so no caller
 * can put an unbounded or structured value (a client-chosen id sent as an array or a 100 KB string) into a line:
 * string values and the event name are cut to 200 characters (ending with `…`) and stripped of control characters
 * (line breaks, bidirectional overrides...); numbers, booleans and `null` are kept; arrays, objects, functions and
 * symbols become a type marker (`[array]`, `[object]`, `[function]`, `[symbol]`). Field names are cleaned the same
 * way (64 characters); at most 40 fields are written (then `fieldsDropped` counts the rest); a field named `t`,
 * `level` or `event` is written as `t_`, `level_` or `event_` so it cannot replace the line's own.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const now = options.now ?? (() => new Date());
  const log = pino(
    {
      level: options.level ?? 'info',
      // No pid or hostname: a line holds what its caller logged, and the platform knows where it came from.
      base: null,
      messageKey: 'event',
      // `t`, not pino's `time`: the name lines had before pino, so log queries written for them keep working.
      timestamp: () => `,"t":"${now().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }), log: cleanFields },
    },
    destination(options.write),
  );
  const emit =
    (level: WrittenLevel) =>
    (event: string, fields?: LogFields): void => {
      if (!log.isLevelEnabled(level)) return;
      const name = typeof event === 'string' ? cleanString(event, MAX_VALUE_CHARS) : String(cleanValue(event));
      // Always an object first: pino would read a string there as the message and the event as a format argument.
      log[level](typeof fields === 'object' && fields !== null ? fields : {}, name);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/**
 * Where a logger's lines go: pino's multistream, which with `dedupe` gives each line to the one stream of the highest
 * level at or below its own (stdout from debug, stderr from warn; or `write`, told the level).
 */
function destination(write: LoggerOptions['write']): pino.DestinationStream {
  if (write) {
    const streams = LEVELS.map((level) => ({ level, stream: { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line, level) } }));
    return pino.multistream(streams, { dedupe: true });
  }
  // Synchronous, as process.stdout is for files and pipes: a line logged just before the process exits is kept.
  return pino.multistream(
    [
      { level: 'debug', stream: pino.destination({ dest: 1, sync: true }) },
      { level: 'warn', stream: pino.destination({ dest: 2, sync: true }) },
    ],
    { dedupe: true },
  );
}

const noop = (): void => undefined;

/** A logger that drops everything (tests, benchmarks): no pino instance, no field is read. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** Describes an error for a log line without its message if that message could echo customer input. */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return { error: err.name, code: typeof code === 'string' || typeof code === 'number' ? code : undefined };
  }
  return { error: typeof err };
}
