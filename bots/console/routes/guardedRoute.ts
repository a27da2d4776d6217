/**
 * The guard of the console's session-protected API (`/desk/api/*`): session, CSRF and origin checks, the mapping of
 * failures to answers, and the catch-all for unknown API routes.
 * @packageDocumentation
 */
import type * as restify from 'restify';
import { CustomerUnreachableError } from '../../../middleware/handoff/agentSide';
import { errorFields } from '../../../middleware/shared/logger';
import { isRetryLater } from '../../../middleware/shared/retryLater';
import { isTransientStorageError } from '../../../middleware/shared/transientError';
import type { ActiveSession } from '../deskAccounts';
import { sameText } from '../sameText';
import type { DeskConsoleContext } from './deskConsoleContext';
import { readSessionCookie, sendError } from './deskHttp';

/** A handler of a session-protected route; it runs only with a live session. */
export type DeskApiHandler = (req: restify.Request, res: restify.Response, session: ActiveSession) => Promise<void>;

/**
 * Whether a request comes from the console's own origin: `Origin` is an allowed origin or the request's host; with no
 * `Origin`, `Sec-Fetch-Site` is same-origin or none (or absent, as from non-browser clients).
 */
export function originAllowed(req: restify.Request, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    if (allowedOrigins.has(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }
  if (origin === 'null') return false;
  // No Origin: browsers still tell where the request came from; non-browser clients send neither.
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

/**
 * Wraps a handler of `/desk/api/*`: 401 without a live session, 403 for a `mutating` call without the session's
 * CSRF token or from another origin; then 503 (storage unreachable), 502 (customer unreachable) or 500 for what it throws.
 */
export function guardedRoute(ctx: DeskConsoleContext, handler: DeskApiHandler, mutating: boolean): (req: restify.Request, res: restify.Response) => Promise<void> {
  const { sessions, accounts, logger } = ctx;
  return async (req: restify.Request, res: restify.Response): Promise<void> => {
    let session: ActiveSession | undefined;
    try {
      session = accounts.active(await sessions.touch(readSessionCookie(req)));
    } catch (err) {
      logger.error('desk.session_store_failed', { route: req.getPath(), ...errorFields(err) });
      return sendError(res, 503, 'Unavailable', 'The console cannot check sessions right now; try again shortly.');
    }
    if (!session) return sendError(res, 401, 'Unauthorized', 'Sign in to the agent console.');
    if (mutating) {
      if (!originAllowed(req, ctx.requests.allowedOrigins)) return sendError(res, 403, 'Forbidden', 'Cross-origin request refused.');
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !sameText(token, session.csrfToken)) {
        return sendError(res, 403, 'Forbidden', 'Missing or wrong X-CSRF-Token header.');
      }
    }
    try {
      await handler(req, res, session);
    } catch (err) {
      failed(ctx, req, res, session, err);
    }
  };
}

/** A session-protected route: `mutating` ones have their CSRF token and origin checked. */
export interface DeskApiRoute {
  readonly method: 'get' | 'post';
  readonly path: string;
  readonly mutating: boolean;
  readonly handler: (ctx: DeskConsoleContext) => DeskApiHandler;
}

/** Registers session-protected routes, each wrapped by {@link guardedRoute}. */
export function registerApiRoutes(server: restify.Server, ctx: DeskConsoleContext, routes: readonly DeskApiRoute[]): void {
  for (const route of routes) server[route.method](route.path, guardedRoute(ctx, route.handler(ctx), route.mutating));
}

/** Unknown API routes: 401 without a session like every other, 404 with one. */
export function registerApiFallback(server: restify.Server, ctx: DeskConsoleContext): void {
  const unknown = guardedRoute(ctx, async (_req, res) => sendError(res, 404, 'NotFound', 'No such console API.'), false);
  for (const method of ['get', 'post', 'put', 'del', 'patch'] as const) server[method]('/desk/api/*', unknown);
}

function failed(ctx: DeskConsoleContext, req: restify.Request, res: restify.Response, session: ActiveSession, err: unknown): void {
  const { logger } = ctx;
  if (isTransientStorageError(err)) {
    // Storage is unreachable for a moment: nothing was done that a retry would repeat (sends are idempotent).
    logger.warn('desk.api_unavailable', { route: req.getPath(), agent: session.agent.id, ...errorFields(err) });
    const seconds = isRetryLater(err) ? err.retryAfterSeconds : 2;
    if (!res.headersSent) sendError(res, 503, 'Unavailable', 'The console cannot reach its storage right now; try again shortly.', { 'Retry-After': String(seconds) });
    return;
  }
  if (err instanceof CustomerUnreachableError) {
    logger.warn('desk.customer_unreachable', { route: req.getPath(), agent: session.agent.id, caseId: err.caseId });
    if (!res.headersSent) sendError(res, 502, 'CustomerUnreachable', "The customer's channel could not be reached, so the message was not sent. Try again in a moment.");
    return;
  }
  logger.error('desk.api_failed', { route: req.getPath(), agent: session.agent.id, ...errorFields(err) });
  if (!res.headersSent) sendError(res, 500, 'InternalError', 'The console could not complete this request.');
}
