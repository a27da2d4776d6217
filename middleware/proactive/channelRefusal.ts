/**
 * Reads why a channel refused a message sent first, without knowing the host's error types (botbuilder's connector,
 * Slack's Web API, a test double): by the HTTP status and `Retry-After` it carries.
 */

/** What to do after a failed send. */
export type ChannelRefusal =
  /** 403 / 404 (Teams `BotNotInConversationRoster`, a deleted conversation): never try this conversation again. */
  | { readonly kind: 'unreachable'; readonly status: number }
  /** 429: try again after `retryAfterMs`. */
  | { readonly kind: 'throttled'; readonly retryAfterMs: number }
  /** 412, 5xx, a network error, an error without a status: try again with back-off, a bounded number of times. */
  | { readonly kind: 'transient' }
  /** Another 4xx (400, 401): give up on this message. */
  | { readonly kind: 'failed' };

const MAX_RETRY_AFTER_MS = 60 * 60_000;

interface ErrorShape {
  statusCode?: unknown;
  status?: unknown;
  code?: unknown;
  retryAfterMs?: unknown;
  response?: { status?: unknown; headers?: unknown };
  cause?: unknown;
}

/** The value of header `name` in a fetch `Headers`, a `Map`, or a plain record (case-insensitive). */
function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  if (typeof h.get === 'function') {
    const v = h.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name && typeof v === 'string') return v;
  return undefined;
}

/** `Retry-After` in ms: seconds, or an HTTP date; bounded to an hour; default 1 s. */
export function retryAfterMs(value: string | undefined, nowMs: number): number {
  if (value === undefined) return 1000;
  const seconds = Number(value.trim());
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - nowMs;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(1000, Math.round(ms))) : 1000;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Classifies a send failure by the HTTP status found on the error or its causes (a few levels). */
export function channelRefusal(err: unknown, nowMs: number): ChannelRefusal {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as ErrorShape).cause, depth++) {
    const shape = e as ErrorShape;
    const raw = shape.statusCode ?? shape.status ?? shape.response?.status;
    const status = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{3}$/.test(raw) ? Number(raw) : undefined;
    if (status === 403 || status === 404) return { kind: 'unreachable', status };
    if (status === 429) {
      const given = typeof shape.retryAfterMs === 'number' ? shape.retryAfterMs : undefined;
      return { kind: 'throttled', retryAfterMs: given ?? retryAfterMs(header(shape.response?.headers, 'retry-after'), nowMs) };
    }
    if (status === 412 || (status !== undefined && status >= 500)) return { kind: 'transient' };
    if (status !== undefined) return { kind: 'failed' };
    if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return { kind: 'transient' };
  }
  // No status anywhere: a host or network failure; worth a bounded number of retries.
  return { kind: 'transient' };
}
