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

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const write =
    options.write ??
    ((line: string, level: Exclude<LogLevel, 'silent'>) =>
      (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(line + '\n'));
  const emit = (level: Exclude<LogLevel, 'silent'>) => (event: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    write(JSON.stringify({ t: now().toISOString(), level, event, ...fields }), level);
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
