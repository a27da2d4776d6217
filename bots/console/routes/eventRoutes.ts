/**
 * The console's live updates, `GET /desk/api/events`: a server-sent event stream per open page (queue and case
 * changes, new lines, live chat, presence), with a heartbeat that keeps the session alive while the page is open.
 * @packageDocumentation
 */
import type * as restify from 'restify';
import { errorFields } from '../../../middleware/shared/logger';
import type { ActiveSession } from '../deskAccounts';
import type { DeskStream } from '../deskStreams';
import { toDeskAgentRef } from '../deskViews';
import type { DeskConsoleContext } from './deskConsoleContext';
import { sendError } from './deskHttp';
import { registerApiRoutes, type DeskApiHandler } from './guardedRoute';

/** Registers the event stream route; it answers 503 once the console is closing. */
export function registerEventRoutes(server: restify.Server, ctx: DeskConsoleContext): void {
  registerApiRoutes(server, ctx, [{ method: 'get', path: '/desk/api/events', mutating: false, handler: openStream }]);
}

// The stream stays open until the page or the console ends it.
const openStream =
  (ctx: DeskConsoleContext): DeskApiHandler =>
  async (req, res, session) => {
    const { streams, presence } = ctx;
    await streams.subscribe();
    // Stopping: a new stream would hold the shutdown up; the page tries again later (another instance, by then).
    if (streams.closed) return sendError(res, 503, 'Unavailable', 'The console is restarting; try again shortly.', { 'Retry-After': '2' });
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ agent: toDeskAgentRef(session.agent) })}\n\n`);
    const stream: DeskStream = { session, res, timer: heartbeat(ctx, session, res, () => streams.has(stream)) };
    streams.add(stream);
    void presence.renew(session);
    await new Promise<void>((resolve) => {
      req.once('close', resolve);
      res.once('close', resolve);
    });
    clearInterval(stream.timer);
    streams.delete(stream);
  };

/**
 * An open console keeps its session alive; the absolute lifetime still applies. A session ended elsewhere (signed
 * out on another instance, expired) ends the stream here.
 */
function heartbeat(ctx: DeskConsoleContext, session: ActiveSession, res: restify.Response, open: () => boolean): NodeJS.Timeout {
  const { sessions, accounts, presence, logger } = ctx;
  const timer = setInterval(() => {
    sessions.touch(session.id).then(
      (live) => {
        if (!open()) return;
        if (accounts.active(live)) res.write(': keep-alive\n\n');
        else void presence.sessionEnded(session);
      },
      (err: unknown) => logger.warn('desk.session_store_failed', errorFields(err)),
    );
  }, ctx.limits.heartbeatMs);
  timer.unref();
  return timer;
}
