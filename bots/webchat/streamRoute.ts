/**
 * The WebSocket `streamUrl` of the local Direct Line endpoint (`/v3/directline/conversations/:id/stream?t=`): a
 * one-way stream of activity sets, opened with a single-use ticket, served through the server's upgrade router.
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as restify from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import { errorFields } from '../../middleware/shared/logger';
import { refuseUpgrade, upgradeRouter } from '../upgradeRouter';
import type { LocalDirectLineContext } from './directLineContext';
import type { DirectLineConversation } from './directLineConversations';

const STREAM_PATH = /^\/v3\/directline\/conversations\/([A-Za-z0-9_-]{1,64})\/stream$/;

/** The open streams, for shutting them down. */
export interface DirectLineStreams {
  /** Number of open WebSocket streams. */
  openSockets(): number;
  /** Stops the timer, unregisters from the upgrade router and closes every stream (forcibly after 1 s). */
  close(): Promise<void>;
}

/**
 * Serves the streams: an unknown or used ticket is refused (404 unknown conversation, 403 otherwise), and so is a
 * stream past `maxSocketsPerConversation` (429). An opened stream starts the conversation for the bot if nothing did
 * yet (`BotDelivery.connect`). Every `socketPingMs` dead clients are found by ping and expired conversations are
 * swept.
 */
export function registerStreamRoute(server: restify.Server, ctx: LocalDirectLineContext): DirectLineStreams {
  const { store, logger } = ctx;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, clientTracking: true });
  const alive = new WeakMap<WebSocket, boolean>();

  // Called by the server's upgrade router for stream paths only; it owns the socket's errors already.
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://local');
    const conversationId = STREAM_PATH.exec(url.pathname)?.[1] ?? '';
    const taken = store.takeTicket(url.searchParams.get('t') ?? '', conversationId);
    if (!taken) return refuseUpgrade(socket, store.get(conversationId) ? 403 : 404);
    if (taken.conversation.sinks.size >= ctx.settings.maxSocketsPerConversation) return refuseUpgrade(socket, 429);
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      attach(ctx, ws, taken.conversation, taken.watermark);
      // A client may open the stream straight after an anonymous start: it has connected, so the bot greets.
      void ctx.delivery.connect(taken.conversation);
    });
  };
  const unregister = upgradeRouter(server.server, { logger }).register((pathname) => STREAM_PATH.test(pathname), onUpgrade);

  const pinger = setInterval(() => {
    store.prune();
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, ctx.settings.socketPingMs);
  pinger.unref();

  return {
    openSockets: () => wss.clients.size,
    close: async () => {
      clearInterval(pinger);
      unregister();
      await Promise.all([...wss.clients].map(closeSocket));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Sends the backlog past `watermark`, then every activity set appended to the conversation. */
function attach(ctx: LocalDirectLineContext, ws: WebSocket, conversation: DirectLineConversation, watermark: number): void {
  const sink = {
    send: (frame: string) => {
      if (ws.readyState === ws.OPEN) ws.send(frame);
    },
  };
  // The stream is one-way; clients send empty-string pings, which need no answer.
  ws.on('message', () => undefined);
  ws.on('error', (err) => ctx.logger.debug('directline.socket_error', errorFields(err)));
  ws.on('close', () => conversation.sinks.delete(sink));
  const backlog = ctx.store.since(conversation, watermark);
  if (backlog.activities.length > 0) sink.send(JSON.stringify(backlog));
  conversation.sinks.add(sink);
}

function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => ws.terminate(), 1000);
    ws.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    ws.close(1001, 'server closing');
  });
}
