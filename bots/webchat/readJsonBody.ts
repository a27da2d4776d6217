import type { IncomingMessage } from 'node:http';
import { jsonTextTooDeep, MAX_JSON_DEPTH, valueTooDeep } from '../../middleware/shared/json';

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

/** A request as restify hands it over: `body` is set when a body parser already ran (restify keeps its text in `rawBody`). */
export type RequestWithBody = IncomingMessage & { body?: unknown; rawBody?: unknown };

/** Options of {@link readJsonBody} beyond the size limit. */
export interface ReadJsonBodyOptions {
  /** Deepest nesting of arrays and objects accepted. @defaultValue {@link MAX_JSON_DEPTH} (64) */
  maxDepth?: number;
}

/**
 * Reads a JSON request body with a size and a nesting limit, whether or not a restify `bodyParser` already ran.
 *
 * @remarks Returns `undefined` for an empty body. Throws {@link DirectLineHttpError} 413 when the body is larger than
 * `maxBytes`, and 400 when it is not JSON, is nested deeper than `maxDepth` (64) arrays and objects, or the client
 * abandoned it before its end. The depth is checked on the raw text (brackets outside strings, linear time) before
 * parsing, so no later `JSON.stringify`, clone or validator meets a body deep enough to overflow the stack. When a
 * global body parser already consumed the stream, its text (`req.rawBody`) is checked the same way, or else its
 * result (`req.body`), iteratively, before its size is checked again: the limits hold with either server setup.
 */
export async function readJsonBody(req: RequestWithBody, maxBytes: number, options: ReadJsonBodyOptions = {}): Promise<unknown> {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  if (req.body !== undefined) return alreadyParsed(req, maxBytes, maxDepth);
  if (req.readableEnded) return undefined;

  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let settled = false;
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
    // comes after 'end', when the promise is already settled: then nothing is built (an Error costs a stack trace).
    const incomplete = () => {
      if (settled) return;
      settled = true;
      reject(over ? tooLarge(maxBytes) : new DirectLineHttpError(400, 'BadArgument', 'The request body was not completed.'));
    };
    req.on('end', () => {
      settled = true;
      if (over) reject(tooLarge(maxBytes));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', incomplete);
    req.on('close', incomplete);
  });
  return parseJson(raw, maxBytes, maxDepth);
}

/** The body a global body parser already read: its own text when it kept it, else its parsed value. */
function alreadyParsed(req: RequestWithBody, maxBytes: number, maxDepth: number): unknown {
  const parsed = req.body;
  if (typeof parsed === 'string' || Buffer.isBuffer(parsed)) return parseJson(Buffer.from(parsed), maxBytes, maxDepth);
  const text = req.rawBody;
  if (typeof text === 'string' || Buffer.isBuffer(text)) {
    if (Buffer.byteLength(text) > maxBytes) throw tooLarge(maxBytes);
    if (jsonTextTooDeep(text, maxDepth)) throw tooDeep(maxDepth);
    return parsed;
  }
  // Checked before serialising: JSON.stringify recurses, and a deep enough value would throw a RangeError here.
  if (valueTooDeep(parsed, maxDepth)) throw tooDeep(maxDepth);
  if (Buffer.byteLength(JSON.stringify(parsed) ?? '') > maxBytes) throw tooLarge(maxBytes);
  return parsed;
}

function parseJson(raw: Buffer, maxBytes: number, maxDepth: number): unknown {
  if (raw.length > maxBytes) throw tooLarge(maxBytes);
  if (raw.length === 0) return undefined;
  if (jsonTextTooDeep(raw, maxDepth)) throw tooDeep(maxDepth);
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new DirectLineHttpError(400, 'BadArgument', 'The body is not valid JSON.');
  }
}

function tooLarge(maxBytes: number): DirectLineHttpError {
  return new DirectLineHttpError(413, 'MessageSizeTooBig', `The body is larger than ${maxBytes} bytes.`);
}

function tooDeep(maxDepth: number): DirectLineHttpError {
  return new DirectLineHttpError(400, 'BadArgument', `The body is nested deeper than ${maxDepth} levels.`);
}
