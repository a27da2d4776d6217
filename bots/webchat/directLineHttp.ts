/**
 * HTTP plumbing of the local Direct Line routes: CORS, JSON answers and errors, tokens, per-address rates and the
 * activity size limit.
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';
import type * as restify from 'restify';
import { RateLimiterRes, type RateLimiterMemory } from 'rate-limiter-flexible';
import { clientAddressKey } from './clientAddressKey';
import type { LocalDirectLineContext } from './directLineContext';
import type { DirectLineConversation } from './directLineConversations';
import { DirectLineHttpError } from './readJsonBody';

/** A route handler; what it throws is answered by {@link handle}. */
export type DirectLineHandler = (req: restify.Request, res: restify.Response) => Promise<void>;

/** Answers with a JSON body, never cached. */
export function sendJson(res: restify.Response, status: number, body: unknown): void {
  res.setHeader('Cache-Control', 'no-store');
  res.send(status, body);
}

/** Answers with the Direct Line error body `{ error: { code, message } }`. */
export function sendError(res: restify.Response, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

/** The token of `Authorization: Bearer <token>`. */
export function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** A query parameter of the request's URL. */
export const query = (req: IncomingMessage, name: string): string | null => new URL(req.url ?? '/', 'http://local').searchParams.get(name);

/** A route parameter as a string (empty when absent). */
export function param(req: restify.Request, name: string): string {
  const v: unknown = (req.params as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** Wraps a handler: CORS (client routes), and any thrown error becomes a clean JSON answer. */
export function handle(ctx: LocalDirectLineContext, cors: boolean, fn: DirectLineHandler): DirectLineHandler {
  return async (req, res) => {
    if (cors) setCors(ctx, req, res);
    try {
      await fn(req, res);
    } catch (err) {
      if (res.headersSent) return;
      if (err instanceof DirectLineHttpError) {
        if (err.status === 413) res.setHeader('Connection', 'close');
        sendError(res, err.status, err.code, err.message);
        return;
      }
      ctx.logger.error('directline.handler_failed', { error: err instanceof Error ? err.name : typeof err });
      sendError(res, 500, 'ServiceError', 'The request could not be processed.');
    }
  };
}

/** Registers the CORS preflight (`OPTIONS`, 204) of client routes. */
export function registerPreflight(server: restify.Server, ctx: LocalDirectLineContext, paths: readonly string[]): void {
  for (const path of paths) {
    server.opts(path, async (req, res) => {
      setCors(ctx, req, res);
      res.send(204);
    });
  }
}

/** The conversation the request's token is for (and `conversationId`, when given); answers 403/404 otherwise. */
export function authorize(ctx: LocalDirectLineContext, req: restify.Request, res: restify.Response, conversationId?: string): DirectLineConversation | undefined {
  const check = ctx.store.checkToken(bearer(req), conversationId);
  if (check.ok) return check.conversation;
  sendError(res, check.status, check.code, check.message);
  return undefined;
}

/** Counts one request of the client's address; answers 429 with `Retry-After` and returns `false` past the rate. */
export async function withinRate(ctx: LocalDirectLineContext, rateLimiter: RateLimiterMemory, req: restify.Request, res: restify.Response, what: string): Promise<boolean> {
  try {
    await rateLimiter.consume(clientAddressKey(req.socket.remoteAddress));
    return true;
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    ctx.logger.info('directline.rate_limited', { what });
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.msBeforeNext / 1000))));
    sendError(res, 429, 'TooManyRequests', `Too many ${what} from this address; try again later.`);
    return false;
  }
}

/** Refuses (413) an activity too large to keep or stream. */
export function checkSize(ctx: LocalDirectLineContext, bytes: number): void {
  const max = ctx.settings.maxActivityBytes;
  if (bytes > max) throw new DirectLineHttpError(413, 'MessageSizeTooBig', `The activity is larger than ${max} bytes.`);
}

function setCors(ctx: LocalDirectLineContext, req: IncomingMessage, res: restify.Response): void {
  const origin = allowOrigin(ctx.settings.corsOrigins, req);
  if (!origin) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (origin !== '*') res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, x-ms-bot-agent, x-requested-with');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Max-Age', '600');
}

function allowOrigin(corsOrigins: '*' | readonly string[], req: IncomingMessage): string | undefined {
  if (corsOrigins === '*') return '*';
  const origin = req.headers.origin;
  return origin && corsOrigins.includes(origin) ? origin : undefined;
}
