import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorFields, silentLogger, type Logger } from '../middleware/shared/logger';

/**
 * Takes over an upgrade request a route matched. From then on the handler owns the socket: it hands it to a WebSocket
 * server, or refuses it with {@link refuseUpgrade}. An `error` listener is already on the socket.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Tells whether a route takes an upgrade request, from its path (no query string) and the request. */
export type UpgradeMatcher = (pathname: string, req: IncomingMessage) => boolean;

/** The one owner of an HTTP server's `upgrade` event: see {@link upgradeRouter}. */
export interface UpgradeRouter {
  /** Adds a route, tried in registration order; returns the function that removes it again. */
  register(matches: UpgradeMatcher, handle: UpgradeHandler): () => void;
}

/** Options for {@link upgradeRouter}; only the first call for a server uses them. */
export interface UpgradeRouterOptions {
  /** Socket errors and refused upgrades are logged at debug level (error class and code only). @defaultValue `silentLogger` */
  logger?: Logger;
}

const routers = new WeakMap<Server, UpgradeRouter>();
const owned = new WeakSet<Duplex>();

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};
/** Time a refused socket is given to flush its short answer before it is destroyed anyway. */
const FLUSH_MS = 1000;

/**
 * Answers an upgrade request (or a connection that sent a bad request) with a bodiless HTTP status, then destroys
 * the socket: nothing stays open for a client that never closes its side.
 *
 * @param extraHeaders - Complete header lines, e.g. `['Retry-After: 5']`.
 */
export function refuseUpgrade(socket: Duplex, status: number, extraHeaders: readonly string[] = []): void {
  own(socket);
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const head = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`, 'Connection: close', 'Content-Length: 0', ...extraHeaders];
  const force = setTimeout(() => socket.destroy(), FLUSH_MS);
  force.unref();
  socket.end(`${head.join('\r\n')}\r\n\r\n`, () => {
    clearTimeout(force);
    socket.destroy();
  });
}

/** Puts the listener on a socket that keeps its errors (a client's reset, mostly) from ever reaching the process. */
function own(socket: Duplex, logger: Logger = silentLogger): void {
  if (owned.has(socket)) return;
  owned.add(socket);
  socket.on('error', (err) => {
    logger.debug('http.socket_error', errorFields(err));
    socket.destroy();
  });
}

/**
 * The upgrade router of an HTTP server (a restify server's `server.server`), installed on first use.
 *
 * @remarks Node hands an upgrade request's socket to the `upgrade` listeners, and restify always adds one, so without
 * an owner such a socket has no `error` listener (a client's TCP reset then stops the process) and, on a path nobody
 * serves, is never answered or closed. Installed once per server (later calls return the same router), it owns that
 * event: every upgrade socket gets an `error` listener at once; a route registered for the path takes it over; any
 * other upgrade, on any path, is answered `404` and destroyed at once; a route that throws gets its socket destroyed.
 * It also owns the server's `clientError` event (malformed or timed-out requests, resets before a request was read):
 * the socket is answered `400`, `408` or `431` as Node itself would, if nothing was written on it yet, and destroyed.
 * Do not also create the restify server with `handleUpgrades: true`.
 *
 * @example
 * ```ts
 * const wss = new WebSocketServer({ noServer: true });
 * upgradeRouter(server.server).register(
 *   (path) => path === '/events',
 *   (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
 * );
 * ```
 */
export function upgradeRouter(server: Server, options: UpgradeRouterOptions = {}): UpgradeRouter {
  const existing = routers.get(server);
  if (existing) return existing;
  const logger = options.logger ?? silentLogger;
  const routes: Array<{ matches: UpgradeMatcher; handle: UpgradeHandler }> = [];

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    own(socket, logger);
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://upgrade.invalid').pathname;
    } catch {
      refuseUpgrade(socket, 400);
      return;
    }
    try {
      const route = routes.find((r) => r.matches(pathname, req));
      if (!route) {
        logger.debug('http.upgrade_refused', { status: 404 });
        refuseUpgrade(socket, 404);
        return;
      }
      route.handle(req, socket, head);
    } catch (err) {
      logger.warn('http.upgrade_failed', errorFields(err));
      socket.destroy();
    }
  };

  const onClientError = (err: Error & { code?: unknown }, socket: Duplex): void => {
    own(socket, logger);
    logger.debug('http.client_error', errorFields(err));
    // Only a connection that got nothing yet may be answered: bytes after a response already under way would corrupt it.
    const untouched = (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0;
    if (err.code === 'ECONNRESET' || !untouched) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    refuseUpgrade(socket, status);
  };

  // First in line, so the socket has its error listener before any other listener (restify's re-emit) runs.
  server.prependListener('upgrade', onUpgrade);
  server.prependListener('clientError', onClientError);
  const router: UpgradeRouter = {
    register(matches, handle) {
      const route = { matches, handle };
      routes.push(route);
      return () => {
        const index = routes.indexOf(route);
        if (index >= 0) routes.splice(index, 1);
      };
    },
  };
  routers.set(server, router);
  return router;
}
