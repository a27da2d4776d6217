import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature: `v1=<hex HMAC-SHA256>` (several comma-separated values are accepted). */
export const SIGNATURE_HEADER = 'X-Warmline-Signature';
/** Header carrying the signing time in Unix seconds. */
export const TIMESTAMP_HEADER = 'X-Warmline-Timestamp';
/** Header carrying the idempotency key of a delivery (the same on every retry). */
export const DELIVERY_HEADER = 'X-Warmline-Delivery';
/** Header carrying the event name (`case.created`, `case.updated`, `case.message`, `hub.status`...). */
export const EVENT_HEADER = 'X-Warmline-Event';

/** Default replay window: signatures older or newer than this are refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SCHEME = 'v1';
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Headers to put on a signed request. */
export interface SignedHeaders {
  readonly [SIGNATURE_HEADER]: string;
  readonly [TIMESTAMP_HEADER]: string;
}

/** Options of {@link verifyWebhookSignature}. */
export interface WebhookVerificationOptions {
  /** The exact bytes received (never a re-serialisation of parsed JSON). */
  readonly rawBody: Buffer | string;
  /** Value of `X-Warmline-Signature`. */
  readonly signature: string | readonly string[] | undefined;
  /** Value of `X-Warmline-Timestamp`. */
  readonly timestamp: string | readonly string[] | undefined;
  /** Accepted secrets, current first; give two while rotating. */
  readonly secrets: readonly string[];
  /** Replay window in seconds, both ways. Default 300. */
  readonly toleranceSeconds?: number;
  /** Clock. Default `Date.now`. */
  readonly now?: () => number;
}

/** Why a signature was refused. */
export type WebhookVerificationFailure = 'missing_signature' | 'missing_timestamp' | 'malformed' | 'stale' | 'future' | 'mismatch';

/** Result of {@link verifyWebhookSignature}. */
export type WebhookVerification =
  | { readonly ok: true; /** Index in `secrets` of the secret that matched. */ readonly secretIndex: number; readonly timestamp: number; readonly signature: string }
  | { readonly ok: false; readonly reason: WebhookVerificationFailure };

/**
 * The hex HMAC-SHA256 of `${timestamp}.${rawBody}` with `secret`.
 *
 * @remarks The body is hashed as bytes: a string is taken as UTF-8.
 */
export function computeWebhookSignature(secret: string, timestamp: number, rawBody: Buffer | string): string {
  if (!secret) throw new TypeError('computeWebhookSignature: secret is required');
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex');
}

/**
 * Signs a webhook body: returns the `X-Warmline-Signature` and `X-Warmline-Timestamp` headers.
 *
 * @remarks Sign the exact bytes you send, at send time (each retry gets a fresh timestamp and signature). During a
 * rotation pass `[newSecret, oldSecret]`: the header then carries one `v1=` value per secret.
 * @example
 * const body = JSON.stringify(payload);
 * await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...signWebhook(body, secret) } });
 */
export function signWebhook(rawBody: Buffer | string, secret: string | readonly string[], nowMs: number = Date.now()): SignedHeaders {
  const timestamp = Math.floor(nowMs / 1000);
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (!secrets.length) throw new TypeError('signWebhook: at least one secret is required');
  return {
    [SIGNATURE_HEADER]: secrets.map((s) => `${SCHEME}=${computeWebhookSignature(s, timestamp, rawBody)}`).join(','),
    [TIMESTAMP_HEADER]: String(timestamp),
  };
}

const first = (h: string | readonly string[] | undefined): string | undefined => (typeof h === 'string' ? h : h?.[0]);

/**
 * Verifies a signed webhook request in constant time, with a replay window and secret rotation.
 *
 * @remarks Pure. Accepts a header with several `v1=` values (a sender signing with old and new secrets during a
 * rotation) and several configured secrets (a receiver accepting both). Timestamps further than
 * `toleranceSeconds` in the past (`stale`) or the future (`future`) are refused whatever the signature.
 * @example
 * const v = verifyWebhookSignature({ rawBody, signature: req.headers['x-warmline-signature'],
 *   timestamp: req.headers['x-warmline-timestamp'], secrets: [current, previous] });
 * if (!v.ok) return res.send(401);
 */
export function verifyWebhookSignature(options: WebhookVerificationOptions): WebhookVerification {
  const secrets = options.secrets.filter((s) => s.length > 0);
  if (!secrets.length) throw new TypeError('verifyWebhookSignature: at least one non-empty secret is required');
  const signatureHeader = first(options.signature)?.trim();
  const timestampHeader = first(options.timestamp)?.trim();
  if (!signatureHeader) return { ok: false, reason: 'missing_signature' };
  if (!timestampHeader) return { ok: false, reason: 'missing_timestamp' };
  if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: 'malformed' };
  const timestamp = Number(timestampHeader);

  const candidates: Buffer[] = [];
  for (const part of signatureHeader.split(',')) {
    const [scheme, value] = part.trim().split('=', 2);
    if (scheme === SCHEME && value && HEX_SHA256.test(value.toLowerCase())) candidates.push(Buffer.from(value.toLowerCase(), 'hex'));
  }
  if (!candidates.length) return { ok: false, reason: 'malformed' };

  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (timestamp < nowSeconds - tolerance) return { ok: false, reason: 'stale' };
  if (timestamp > nowSeconds + tolerance) return { ok: false, reason: 'future' };

  // Compare every candidate with every secret, without stopping early, so timing reveals nothing about which matched.
  let matched = -1;
  let matchedHex = '';
  secrets.forEach((secret, index) => {
    const expected = Buffer.from(computeWebhookSignature(secret, timestamp, options.rawBody), 'hex');
    for (const candidate of candidates) {
      if (timingSafeEqual(expected, candidate) && matched < 0) {
        matched = index;
        matchedHex = candidate.toString('hex');
      }
    }
  });
  return matched >= 0 ? { ok: true, secretIndex: matched, timestamp, signature: matchedHex } : { ok: false, reason: 'mismatch' };
}
