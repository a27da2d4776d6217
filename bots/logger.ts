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
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stdout for debug/info and stderr for warn/error. */
  write?: (line: string, level: Exclude<LogLevel, 'silent'>) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

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

/** The line's fields, cleaned whatever a caller passed (values a client chose included): see {@link createLogger}. */
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
 * Creates a JSON-lines logger.
 *
 * @remarks Every line is `{ t, level, event, ...fields }`, and the logger cleans what it writes itself, so no caller
 * can put an unbounded or structured value (a client-chosen id sent as an array or a 100 KB string) into a line:
 * string values and the event name are cut to 200 characters (ending with `…`) and stripped of control characters
 * (line breaks, bidirectional overrides...); numbers, booleans and `null` are kept; arrays, objects, functions and
 * symbols become a type marker (`[array]`, `[object]`, `[function]`, `[symbol]`). Field names are cleaned the same
 * way (64 characters); at most 40 fields are written (then `fieldsDropped` counts the rest); a field named `t`,
 * `level` or `event` is written as `t_`, `level_` or `event_` so it cannot replace the line's own.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const write =
    options.write ??
    ((line: string, level: Exclude<LogLevel, 'silent'>) =>
      (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(line + '\n'));
  const emit = (level: Exclude<LogLevel, 'silent'>) => (event: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    const name = typeof event === 'string' ? cleanString(event, MAX_VALUE_CHARS) : String(cleanValue(event));
    write(JSON.stringify({ t: now().toISOString(), level, event: name, ...cleanFields(fields) }), level);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger({ level: 'silent' });

/** Describes an error for a log line without its message if that message could echo customer input. */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return { error: err.name, code: typeof code === 'string' || typeof code === 'number' ? code : undefined };
  }
  return { error: typeof err };
}
