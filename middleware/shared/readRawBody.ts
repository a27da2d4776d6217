import type { IncomingMessage } from 'node:http';

/** A request as restify (or any Node server) hands it over, with what a body parser may have kept. */
export type RequestWithBody = IncomingMessage & { body?: unknown; rawBody?: unknown };

/** The exact bytes of a body, or why they could not be had. */
export type RawBody =
  | { readonly ok: true; readonly raw: Buffer }
  /** `too_large`: over the limit (drained up to four times it); `unavailable`: parsed without its bytes (a setup problem); `unreadable`: the client went away mid-body. */
  | { readonly ok: false; readonly reason: 'too_large' | 'unavailable' | 'unreadable' };

/**
 * The exact bytes of a request body, for a signature check, with or without restify's `bodyParser` in front.
 *
 * @remarks restify 11's JSON body parser keeps the text it parsed in `req.rawBody` (the bytes decoded as UTF-8;
 * re-encoding gives the bytes back for any valid UTF-8 body, and an invalid one cannot match a signature anyway).
 * For content types it does not parse, `req.body` stays a Buffer or string. Without a body parser the stream is read
 * here. A parsed object without `rawBody` is `unavailable`: re-serialising JSON does not give the signed bytes. A body
 * over `maxBytes` is drained (up to four times the limit) before it is refused, so that a 413 reaches the client
 * instead of a reset connection.
 */
export async function readRawBody(req: RequestWithBody, maxBytes: number): Promise<RawBody> {
  const kept = (raw: Buffer): RawBody => (raw.length > maxBytes ? { ok: false, reason: 'too_large' } : { ok: true, raw });
  if (typeof req.rawBody === 'string') return kept(Buffer.from(req.rawBody, 'utf8'));
  if (Buffer.isBuffer(req.rawBody)) return kept(req.rawBody);
  if (Buffer.isBuffer(req.body)) return kept(req.body);
  if (typeof req.body === 'string') return kept(Buffer.from(req.body, 'utf8'));
  if (req.body !== undefined && req.body !== null) return { ok: false, reason: 'unavailable' };
  if (req.readableEnded) return { ok: true, raw: Buffer.alloc(0) };
  return new Promise<RawBody>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBytes) chunks.push(c);
      // Past four times the limit the rest is not worth reading: the connection goes, with or without an answer.
      else if (size > maxBytes * 4 + 65536) req.destroy();
    });
    req.on('end', () => resolve(size > maxBytes ? { ok: false, reason: 'too_large' } : { ok: true, raw: Buffer.concat(chunks) }));
    // After 'end' the promise is settled already; before it, the client went away mid-body.
    const failed = () => resolve({ ok: false, reason: size > maxBytes ? 'too_large' : 'unreadable' });
    req.on('error', failed);
    req.on('close', failed);
  });
}
