/**
 * The signed-in agent's own routes: `GET /desk/api/session` (who is signed in, CSRF token, status),
 * `POST /desk/api/logout` and `POST /desk/api/presence` (online or away); and `GET /desk/session`, which the page asks
 * first: `200 {signedIn: false}` without a session (not a 401 the browser would log before anyone could sign in).
 * @packageDocumentation
 */
import type * as restify from 'restify';
import { toDeskAgentRef } from '../deskViews';
import type { DeskConsoleContext } from './deskConsoleContext';
import { errorFields } from '../../../middleware/shared/logger';
import { isRecord, readSessionCookie, sendError, sendJson, sessionCookie } from './deskHttp';
import { registerApiRoutes, type DeskApiHandler } from './guardedRoute';

/** Registers the session, sign-out and presence routes. */
export function registerSessionRoutes(server: restify.Server, ctx: DeskConsoleContext): void {
  server.get('/desk/session', sessionProbe(ctx));
  registerApiRoutes(server, ctx, [
    { method: 'get', path: '/desk/api/session', mutating: false, handler: currentSession },
    { method: 'post', path: '/desk/api/logout', mutating: true, handler: logout },
    { method: 'post', path: '/desk/api/presence', mutating: true, handler: setPresence },
  ]);
}

const currentSession =
  ({ presence }: DeskConsoleContext): DeskApiHandler =>
  async (_req, res, session) => {
    sendJson(res, 200, { agent: toDeskAgentRef(session.agent), csrfToken: session.csrfToken, status: await presence.current(session.agent) });
  };

/** The page's first question, answered 200 either way: the session as `GET /desk/api/session` gives it, or none. */
const sessionProbe =
  (ctx: DeskConsoleContext) =>
  async (req: restify.Request, res: restify.Response): Promise<void> => {
    let session;
    try {
      session = ctx.accounts.active(await ctx.sessions.touch(readSessionCookie(req)));
    } catch (err) {
      ctx.logger.error('desk.session_store_failed', { route: req.getPath(), ...errorFields(err) });
      return sendError(res, 503, 'Unavailable', 'The console cannot check sessions right now; try again shortly.');
    }
    if (!session) return sendJson(res, 200, { signedIn: false });
    sendJson(res, 200, { signedIn: true, agent: toDeskAgentRef(session.agent), csrfToken: session.csrfToken, status: await ctx.presence.current(session.agent) });
  };

const logout =
  ({ sessions, presence, logger, requests }: DeskConsoleContext): DeskApiHandler =>
  async (_req, res, session) => {
    await sessions.destroy(session.id);
    await presence.sessionEnded(session);
    logger.info('desk.logout', { agent: session.agent.id });
    sendJson(res, 204, undefined, { 'Set-Cookie': sessionCookie('', requests.secureCookie, 0) });
  };

const setPresence =
  ({ presence }: DeskConsoleContext): DeskApiHandler =>
  async (req, res, session) => {
    const s = isRecord(req.body) ? req.body.status : undefined;
    if (s !== 'online' && s !== 'away') return sendError(res, 400, 'BadRequest', 'status must be "online" or "away".');
    await presence.change(session.agent, s);
    sendJson(res, 200, { status: s });
  };
