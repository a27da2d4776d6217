/**
 * The local Direct Line endpoint's entry point: checks {@link LocalDirectLineOptions}, builds the context the route
 * modules share, registers them and returns the handle that shuts the endpoint down.
 * Hand-written on purpose: no maintained package serves Direct Line 3.0 (and its Connector side) inside a bot's server.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { Activity, ChannelAccount } from 'botbuilder';
import type * as restify from 'restify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { silentLogger, type Logger } from '../../middleware/shared/logger';
import { registerActivityRoutes } from './activityRoutes';
import { BotDelivery } from './botDelivery';
import { registerConnectorRoutes } from './connectorRoutes';
import { registerConversationRoutes } from './conversationRoutes';
import type { LocalDirectLineContext } from './directLineContext';
import { DirectLineConversations } from './directLineConversations';
import { parseDirectLineSettings } from './directLineSettings';
import { registerStreamRoute } from './streamRoute';

/** A rate: at most `points` requests per `windowMs` (a fixed window per client address). */
export interface DirectLineRate {
  points: number;
  /** Rounded up to whole seconds. */
  windowMs: number;
}

/** Options for {@link registerLocalDirectLine}. */
export interface LocalDirectLineOptions {
  /** The bot's `POST /api/messages` on loopback, e.g. `http://127.0.0.1:3978/api/messages`. */
  botEndpoint: string | (() => string);
  /** Base URL the browser reaches this server on (known after `listen`), e.g. `http://localhost:3978`. */
  publicBaseUrl: () => string;
  /**
   * Base URL the bot reaches this server on, for the `serviceUrl` of forwarded activities.
   * @defaultValue `publicBaseUrl`
   */
  connectorBaseUrl?: () => string;
  /** @defaultValue `'webchat'` */
  channelId?: string;
  /** The bot's account as the channel shows it. @defaultValue `{ id: 'warmline-bot', name: 'Warmline' }` */
  bot?: { id: string; name?: string };
  /**
   * Most conversations kept at once. When reached, a new conversation replaces expired ones, then the oldest unused
   * one (no activity from the user, no open stream); only when every one is in use is it refused (429).
   * @defaultValue 500
   */
  maxConversations?: number;
  /** New conversations one client address may start (anonymous `POST /conversations`). @defaultValue 30 per 10 minutes */
  conversationRate?: DirectLineRate;
  /** Activities one client address may post (`POST /conversations/:id/activities`, typing included). @defaultValue 120 per minute */
  activityRate?: DirectLineRate;
  /** Most activities kept per conversation; the oldest go first. @defaultValue 200 */
  maxActivitiesPerConversation?: number;
  /** Most bytes (JSON) of activities kept per conversation; the oldest go first. @defaultValue 256 KiB */
  maxConversationBytes?: number;
  /**
   * Largest activity kept or streamed (bytes of JSON, after the text cut), from the user or the bot; larger ones get
   * 413. At most `maxConversationBytes`.
   * @defaultValue 64 KiB (or `maxConversationBytes` when smaller)
   */
  maxActivityBytes?: number;
  /** @defaultValue 30 minutes (Azure Direct Line's 1800 s) */
  tokenLifetimeMs?: number;
  /** How long a `streamUrl` may wait before it is opened. @defaultValue 60 s */
  streamUrlLifetimeMs?: number;
  /**
   * Longest `text` kept of a customer's activity (set it to the input guard's limit). A longer text is cut, at a word
   * boundary, in the copy kept and echoed to the streams; the bot gets it whole, so its input guard can tell the
   * customer.
   * @defaultValue 4000
   */
  maxTextLength?: number;
  /** Longest accepted body, client and connector side. @defaultValue 256 KiB */
  maxBodyBytes?: number;
  /** Time to wait for the bot's HTTP answer before the POST fails with 504. @defaultValue 15 s */
  botTimeoutMs?: number;
  /** @defaultValue 8 */
  maxSocketsPerConversation?: number;
  /** Interval of WebSocket pings that find dead clients, and of the sweep of expired conversations. @defaultValue 30 s */
  socketPingMs?: number;
  /** Origins allowed by CORS on the Direct Line routes. @defaultValue `'*'` (tokens, not cookies, authorise) */
  corsOrigins?: '*' | readonly string[];
  /** Path of the Connector API the bot replies to. @defaultValue `'/directline-connector'` */
  connectorPath?: string;
  /** Secret path segment of the `serviceUrl`, so only the bot can post as the bot. @defaultValue random */
  connectorKey?: string;
  /** @defaultValue `silentLogger` */
  logger?: Logger;
  /** Clock in ms, for tests. @defaultValue `Date.now` */
  now?: () => number;
  /** HTTP client used to reach the bot, for tests. @defaultValue global `fetch` */
  fetch?: typeof fetch;
}

/** What {@link registerLocalDirectLine} returns. */
export interface LocalDirectLine {
  /** The `serviceUrl` set on activities forwarded to the bot. */
  serviceUrl(): string;
  /** Ids of the conversations currently kept. */
  conversationIds(): string[];
  /** The activities kept for a conversation (copies), oldest first; empty when unknown. */
  activities(conversationId: string): Partial<Activity>[];
  /** Number of open WebSocket streams. */
  openSockets(): number;
  /** Closes every WebSocket and stops the timers; the restify server itself is the caller's. */
  close(): Promise<void>;
}

/**
 * Registers a Direct Line 3.0–compatible endpoint (the subset Bot Framework Web Chat uses) and the
 * Connector API the bot replies to, inside the bot's own restify server: Web Chat talks to the bot with no Azure.
 *
 * @remarks
 * Client routes, under `/v3/directline`: `POST /conversations` (201, or 200 when called with a token of an
 * existing conversation), `GET /conversations/:id?watermark=`, `POST /conversations/:id/activities`,
 * `GET /conversations/:id/activities?watermark=`, the WebSocket `streamUrl`, `POST /tokens/refresh`, and
 * `POST /conversations/:id/upload`, which answers 501 (attachments are not implemented). Every call but an
 * anonymous `POST /conversations` needs `Authorization: Bearer <token>`.
 *
 * User activities are kept, echoed to the stream (with `id`, `timestamp`, `from.role: 'user'`, and the
 * client's `channelData.clientActivityID`) and forwarded to `botEndpoint` like a channel does, one at a time
 * per conversation. The bot gets one `conversationUpdate` (bot and user added) when the client connects, as with Azure
 * Direct Line: at `POST /conversations` with the conversation's token (Web Chat's start) or when its stream opens, so the
 * bot greets before the customer types. The user is the one the client names (`user.id` in that POST's body), else an
 * id made by the channel. An anonymous `POST /conversations` only issues the token, unless its body names the user.
 * A bot failure answers the POST with 502 (504 on timeout); the message stays in the conversation.
 *
 * Connector routes, under `${connectorPath}/${connectorKey}/v3/conversations/:id`: `POST /activities[/:replyToId]`,
 * `PUT|DELETE /activities/:activityId`, `GET /members`, `GET /activities/:activityId/members`.
 *
 * Limits, so one client cannot exhaust the process or lock others out: per client address (the socket's peer
 * address, an IPv6 one by its /64), `conversationRate` new conversations and `activityRate` posted activities, past
 * which the answer is 429 with `Retry-After`; `maxConversations` kept at once, unused ones replaced first; per
 * conversation, `maxActivitiesPerConversation` activities and `maxConversationBytes` bytes kept (oldest dropped), each
 * activity at most `maxActivityBytes` (413 otherwise) with its kept text cut to `maxTextLength`. Behind a reverse
 * proxy every client shares the proxy's address, and so its limits.
 *
 * Conversations live in this process's memory: for development and single-instance use (use Azure Direct
 * Line in production). Register before `listen`; the streams are served through the server's {@link upgradeRouter}
 * (installed here if the server has none).
 *
 * @example
 * ```ts
 * const directLine = registerLocalDirectLine(server, {
 *   botEndpoint: () => `http://127.0.0.1:${port}/api/messages`,
 *   publicBaseUrl: () => `http://localhost:${port}`,
 * });
 * ```
 */
export function registerLocalDirectLine(server: restify.Server, options: LocalDirectLineOptions): LocalDirectLine {
  if (!server) throw new TypeError('registerLocalDirectLine: server is required');
  if (typeof options?.publicBaseUrl !== 'function') throw new TypeError('registerLocalDirectLine: publicBaseUrl must be a function');
  if (typeof options.botEndpoint !== 'string' && typeof options.botEndpoint !== 'function') {
    throw new TypeError('registerLocalDirectLine: botEndpoint is required');
  }
  const { ctx, serviceUrl } = directLineContext(options);
  registerConversationRoutes(server, ctx);
  registerActivityRoutes(server, ctx);
  registerConnectorRoutes(server, ctx);
  const streams = registerStreamRoute(server, ctx);
  return {
    serviceUrl,
    conversationIds: () => ctx.store.ids(),
    activities: (conversationId) => {
      const c = ctx.store.get(conversationId);
      return c ? c.activities.map((a) => structuredClone(a.activity)) : [];
    },
    openSockets: streams.openSockets,
    close: streams.close,
  };
}

/** The checked options with their defaults, as the route modules use them, and the bot's `serviceUrl`. */
function directLineContext(options: LocalDirectLineOptions): { ctx: LocalDirectLineContext; serviceUrl: () => string } {
  const settings = parseDirectLineSettings(options);
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const { botEndpoint } = options;
  const connectorBaseUrl = options.connectorBaseUrl ?? options.publicBaseUrl;
  const connectorKey = settings.connectorKey ?? randomBytes(18).toString('base64url');
  const serviceUrl = (): string => `${trimSlash(connectorBaseUrl())}${settings.connectorPath}/${connectorKey}`;
  const botAccount: ChannelAccount = { id: settings.bot.id, name: settings.bot.name ?? settings.bot.id, role: 'bot' };
  const limiter = (rate: DirectLineRate, keyPrefix: string) =>
    new RateLimiterMemory({ keyPrefix, points: rate.points, duration: Math.ceil(rate.windowMs / 1000) });
  const ctx: LocalDirectLineContext = {
    settings,
    store: new DirectLineConversations({
      maxConversations: settings.maxConversations,
      maxActivitiesPerConversation: settings.maxActivitiesPerConversation,
      maxConversationBytes: settings.maxConversationBytes,
      tokenLifetimeMs: settings.tokenLifetimeMs,
      streamUrlLifetimeMs: settings.streamUrlLifetimeMs,
      now,
    }),
    delivery: new BotDelivery({
      botEndpoint: typeof botEndpoint === 'string' ? () => botEndpoint : botEndpoint,
      serviceUrl,
      channelId: settings.channelId,
      botAccount,
      botTimeoutMs: settings.botTimeoutMs,
      fetch: options.fetch ?? fetch,
      now,
      logger,
    }),
    limiters: {
      conversations: limiter(settings.conversationRate, 'directline-conversations'),
      activities: limiter(settings.activityRate, 'directline-activities'),
    },
    botAccount,
    publicBaseUrl: () => trimSlash(options.publicBaseUrl()),
    connectorKey,
    now,
    logger,
  };
  return { ctx, serviceUrl };
}

const trimSlash = (url: string): string => url.replace(/(?<!\/)\/+$/, '');
