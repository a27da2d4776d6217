import type { IncomingMessage } from 'node:http';

/** An error that maps to an HTTP status and a Direct Line / Connector error body `{ error: { code, message } }`. */
export class DirectLineHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DirectLineHttpError';
  }
}

/** A request as restify hands it over: `body` is set when a body parser already ran. */
export type RequestWithBody = IncomingMessage & { body?: unknown };

/**
 * Reads a JSON request body with a size limit, whether or not a restify `bodyParser` already ran.
 *
 * @remarks Returns `undefined` for an empty body. Throws {@link DirectLineHttpError} 413 when the body is
 * larger than `maxBytes`, and 400 when it is not JSON or the client abandoned it before its end. When a global body parser already consumed the stream,
 * its result (`req.body`) is used and its size is checked again, so the limit holds with either server setup.
 */
export async function readJsonBody(req: RequestWithBody, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  if (req.body !== undefined) {
    const parsed = req.body;
    if (typeof parsed === 'string' || Buffer.isBuffer(parsed)) return parseJson(Buffer.from(parsed), maxBytes);
    if (Buffer.byteLength(JSON.stringify(parsed) ?? '') > maxBytes) throw tooLarge(maxBytes);
    return parsed;
  }
  if (req.readableEnded) return undefined;

  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        // Keep draining so the 413 can still be written on this connection, but give up on absurd bodies.
        if (size > maxBytes * 4 + 65536) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    // A body the client abandoned (reset, closed early) is its own fault: a 4xx, not a server error. 'close' also
    // comes after 'end', when the promise is already settled.
    const incomplete = () => reject(over ? tooLarge(maxBytes) : new DirectLineHttpError(400, 'BadArgument', 'The request body was not completed.'));
    req.on('end', () => (over ? reject(tooLarge(maxBytes)) : resolve(Buffer.concat(chunks))));
    req.on('error', incomplete);
    req.on('close', incomplete);
  });
  return parseJson(raw, maxBytes);
}

function parseJson(raw: Buffer, maxBytes: number): unknown {
  if (raw.length > maxBytes) throw tooLarge(maxBytes);
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new DirectLineHttpError(400, 'BadArgument', 'The body is not valid JSON.');
  }
}

function tooLarge(maxBytes: number): DirectLineHttpError {
  return new DirectLineHttpError(413, 'MessageSizeTooBig', `The body is larger than ${maxBytes} bytes.`);
}
