import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Activity, ChannelAccount } from 'botbuilder';
import type * as restify from 'restify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { shorten } from '../../middleware/inputGuardMiddleware';
import { errorFields, silentLogger, type Logger } from '../../middleware/shared/logger';
import { refuseUpgrade, upgradeRouter } from '../app/upgradeRouter';
import { clientAddressKey } from './clientAddressKey';
import { activityBytes, DirectLineConversations, type DirectLineConversation } from './directLineConversations';
import { DirectLineHttpError, readJsonBody, type RequestWithBody } from './readJsonBody';

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

const DIRECT_LINE = '/v3/directline';
const STREAM_PATH = /^\/v3\/directline\/conversations\/([A-Za-z0-9_-]{1,64})\/stream$/;
// Well-formed (no lone UTF-16 surrogate): the bot's endpoint refuses ids that are not, which would leave the
// conversation unable to reach the bot at all.
const USER_ID = z
  .string()
  .min(1)
  .max(256)
  .refine((id) => (id as string & { isWellFormed(): boolean }).isWellFormed());

const RateSchema = z.object({ points: z.number().int().min(1), windowMs: z.number().int().min(1000) }).strict();

const OptionsSchema = z
  .object({
    channelId: z.string().min(1).max(64).default('webchat'),
    bot: z.object({ id: z.string().min(1), name: z.string().optional() }).default({ id: 'warmline-bot', name: 'Warmline' }),
    maxConversations: z.number().int().min(1).default(500),
    conversationRate: RateSchema.default({ points: 30, windowMs: 10 * 60 * 1000 }),
    activityRate: RateSchema.default({ points: 120, windowMs: 60 * 1000 }),
    maxActivitiesPerConversation: z.number().int().min(10).default(200),
    maxConversationBytes: z.number().int().min(4096).default(256 * 1024),
    maxActivityBytes: z.number().int().min(1024).optional(),
    tokenLifetimeMs: z.number().int().min(1000).default(30 * 60 * 1000),
    streamUrlLifetimeMs: z.number().int().min(1000).default(60 * 1000),
    maxTextLength: z.number().int().min(1).default(4000),
    maxBodyBytes: z.number().int().min(1024).default(256 * 1024),
    botTimeoutMs: z.number().int().min(100).default(15000),
    maxSocketsPerConversation: z.number().int().min(1).default(8),
    socketPingMs: z.number().int().min(100).default(30000),
    corsOrigins: z.union([z.literal('*'), z.array(z.string().url())]).default('*'),
    connectorPath: z.string().regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, 'a path like /directline-connector').default('/directline-connector'),
    connectorKey: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, '16 to 128 URL-safe characters').optional(),
  })
  .refine((o) => o.maxActivityBytes === undefined || o.maxActivityBytes <= o.maxConversationBytes, {
    message: 'must not exceed maxConversationBytes',
    path: ['maxActivityBytes'],
  })
  .transform((o) => ({ ...o, maxActivityBytes: o.maxActivityBytes ?? Math.min(64 * 1024, o.maxConversationBytes) }));

/** What a client may post: a Bot Framework activity, loosely checked; everything else is set by the channel. */
const ClientActivitySchema = z
  .object({
    type: z.string().min(1).max(64),
    text: z.string().optional(),
    locale: z.string().max(32).optional(),
    from: z.object({ id: z.string().max(256).optional(), name: z.string().max(256).optional() }).passthrough().optional(),
    channelData: z.record(z.unknown()).optional(),
    membersAdded: z.array(z.object({ id: z.string().max(256) }).passthrough()).optional(),
  })
  .passthrough();

const CLIENT_TYPES = new Set(['message', 'event', 'typing', 'conversationUpdate', 'messageReaction', 'endOfConversation']);
/** Fields only the channel sets; a client could otherwise redirect the bot's replies or impersonate someone. */
const CHANNEL_FIELDS = ['id', 'timestamp', 'serviceUrl', 'channelId', 'conversation', 'recipient', 'deliveryMode', 'callerId'] as const;

type ForwardResult = { ok: true } | { ok: false; status: 502 | 504; code: string; message: string; unreachable: boolean };

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
 * per conversation. The bot gets one `conversationUpdate` (bot and user added) as soon as the user id is known.
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
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TypeError(`registerLocalDirectLine: invalid options (${detail})`);
  }
  const o = parsed.data;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const httpFetch = options.fetch ?? fetch;
  const botEndpoint = typeof options.botEndpoint === 'string' ? () => options.botEndpoint as string : options.botEndpoint;
  const connectorBaseUrl = options.connectorBaseUrl ?? options.publicBaseUrl;
  const connectorKey = o.connectorKey ?? randomBytes(18).toString('base64url');
  const botAccount: ChannelAccount = { id: o.bot.id, name: o.bot.name ?? o.bot.id, role: 'bot' };
  const store = new DirectLineConversations({
    maxConversations: o.maxConversations,
    maxActivitiesPerConversation: o.maxActivitiesPerConversation,
    maxConversationBytes: o.maxConversationBytes,
    tokenLifetimeMs: o.tokenLifetimeMs,
    streamUrlLifetimeMs: o.streamUrlLifetimeMs,
    now,
  });
  const trimSlash = (url: string) => url.replace(/(?<!\/)\/+$/, '');
  const serviceUrl = () => `${trimSlash(connectorBaseUrl())}${o.connectorPath}/${connectorKey}`;
  const activityId = (c: DirectLineConversation, seq: number) => `${c.id}|${String(seq).padStart(7, '0')}`;
  const userAccount = (c: DirectLineConversation): ChannelAccount => ({
    id: c.userId ?? '',
    name: c.userName ?? '',
    role: 'user',
  });

  // ---------------------------------------------------------------- HTTP plumbing

  const allowOrigin = (req: IncomingMessage): string | undefined => {
    if (o.corsOrigins === '*') return '*';
    const origin = req.headers.origin;
    return origin && o.corsOrigins.includes(origin) ? origin : undefined;
  };
  const setCors = (req: IncomingMessage, res: restify.Response) => {
    const origin = allowOrigin(req);
    if (!origin) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (origin !== '*') res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, x-ms-bot-agent, x-requested-with');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Max-Age', '600');
  };
  const sendJson = (res: restify.Response, status: number, body: unknown) => {
    res.setHeader('Cache-Control', 'no-store');
    res.send(status, body);
  };
  const sendError = (res: restify.Response, status: number, code: string, message: string) =>
    sendJson(res, status, { error: { code, message } });
  const bearer = (req: IncomingMessage): string | undefined => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return m?.[1];
  };
  const query = (req: IncomingMessage, name: string) => new URL(req.url ?? '/', 'http://local').searchParams.get(name);
  const param = (req: restify.Request, name: string): string => {
    const v: unknown = (req.params as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v : '';
  };

  /** Wraps a handler: CORS (client routes), and any thrown error becomes a clean JSON answer. */
  const handle =
    (cors: boolean, fn: (req: restify.Request, res: restify.Response) => Promise<void>) =>
    async (req: restify.Request, res: restify.Response): Promise<void> => {
      if (cors) setCors(req, res);
      try {
        await fn(req, res);
      } catch (err) {
        if (res.headersSent) return;
        if (err instanceof DirectLineHttpError) {
          if (err.status === 413) res.setHeader('Connection', 'close');
          sendError(res, err.status, err.code, err.message);
          return;
        }
        logger.error('directline.handler_failed', { error: err instanceof Error ? err.name : typeof err });
        sendError(res, 500, 'ServiceError', 'The request could not be processed.');
      }
    };

  const authorize = (req: restify.Request, res: restify.Response, conversationId?: string): DirectLineConversation | undefined => {
    const check = store.checkToken(bearer(req), conversationId);
    if (check.ok) return check.conversation;
    sendError(res, check.status, check.code, check.message);
    return undefined;
  };

  const limiter = (rate: DirectLineRate, keyPrefix: string) =>
    new RateLimiterMemory({ keyPrefix, points: rate.points, duration: Math.ceil(rate.windowMs / 1000) });
  const conversationLimiter = limiter(o.conversationRate, 'directline-conversations');
  const activityLimiter = limiter(o.activityRate, 'directline-activities');
  /** Counts one request of the client's address; answers 429 with `Retry-After` and returns `false` past the rate. */
  const withinRate = async (rateLimiter: RateLimiterMemory, req: restify.Request, res: restify.Response, what: string): Promise<boolean> => {
    try {
      await rateLimiter.consume(clientAddressKey(req.socket.remoteAddress));
      return true;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      logger.info('directline.rate_limited', { what });
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.msBeforeNext / 1000))));
      sendError(res, 429, 'TooManyRequests', `Too many ${what} from this address; try again later.`);
      return false;
    }
  };
  /** Refuses an activity too large to keep or stream. */
  const checkSize = (bytes: number): void => {
    if (bytes > o.maxActivityBytes) {
      throw new DirectLineHttpError(413, 'MessageSizeTooBig', `The activity is larger than ${o.maxActivityBytes} bytes.`);
    }
  };

  const streamUrl = (c: DirectLineConversation, watermark: number): string => {
    const base = trimSlash(options.publicBaseUrl()).replace(/^http/i, 'ws');
    const ticket = store.issueTicket(c, watermark);
    return `${base}${DIRECT_LINE}/conversations/${c.id}/stream?watermark=${watermark}&t=${ticket}`;
  };

  const learnUser = (c: DirectLineConversation, id: unknown, name?: unknown): void => {
    if (c.userId) return;
    const parsedId = USER_ID.safeParse(id);
    // 'dl_' ids are reserved for ids embedded in tokens by Azure Direct Line; never accept them from a client.
    if (!parsedId.success || parsedId.data.startsWith('dl_')) return;
    c.userId = parsedId.data;
    if (typeof name === 'string' && name.length <= 256) c.userName = name;
  };

  // ---------------------------------------------------------------- delivery to the bot

  /**
   * Delivers an activity to the bot as a channel does: a `503` with `Retry-After` (the bot could not keep it: storage
   * unavailable, or the same activity still in progress) is sent again, the same activity, after the wait it asks for
   * (at most 5 s, within `botTimeoutMs` in all).
   */
  const forward = async (activity: Partial<Activity>): Promise<ForwardResult> => {
    const until = now() + o.botTimeoutMs;
    for (;;) {
      const result = await forwardOnce(activity);
      if (result.ok || result.retryAfterMs === undefined || now() + result.retryAfterMs > until) return result;
      await new Promise((resolve) => setTimeout(resolve, result.retryAfterMs));
    }
  };

  const forwardOnce = async (activity: Partial<Activity>): Promise<ForwardResult & { retryAfterMs?: number }> => {
    let response: Response;
    try {
      response = await httpFetch(botEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(o.botTimeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      logger.warn('directline.bot_unreachable', { conversationId: activity.conversation?.id, timedOut });
      return timedOut
        ? { ok: false, status: 504, code: 'BotTimeout', message: 'The bot did not answer in time.', unreachable: false }
        : { ok: false, status: 502, code: 'BotUnreachable', message: 'The bot could not be reached.', unreachable: true };
    }
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { ok: true };
    logger.warn('directline.bot_error', { conversationId: activity.conversation?.id, status: response.status });
    const retryAfter = response.status === 503 ? Number(response.headers.get('retry-after')) : NaN;
    return {
      ok: false,
      status: 502,
      code: 'BotError',
      message: `The bot answered HTTP ${response.status}.`,
      unreachable: false,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: Math.min(5, retryAfter) * 1000 } : {}),
    };
  };

  const toBot = (c: DirectLineConversation, activity: Partial<Activity>): Partial<Activity> => ({
    ...activity,
    serviceUrl: serviceUrl(),
    channelId: o.channelId,
    conversation: { id: c.id, isGroup: false, conversationType: 'personal', name: '' },
    recipient: botAccount,
  });

  /** Sends the conversation's one `conversationUpdate`, unless already delivered. Runs inside the queue. */
  const startIfNeeded = async (c: DirectLineConversation): Promise<void> => {
    if (c.started || !c.userId) return;
    const result = await forward(
      toBot(c, {
        type: 'conversationUpdate',
        id: `${c.id}|start`,
        timestamp: new Date(now()),
        from: userAccount(c),
        membersAdded: [botAccount, userAccount(c)],
        ...(c.locale ? { locale: c.locale } : {}),
      }),
    );
    // Retry later only when the bot never saw it; an HTTP error means the bot got it (no double welcome).
    c.started = result.ok || !result.unreachable;
  };

  /** Queues work for a conversation so deliveries to the bot keep their order. */
  const enqueue = <T>(c: DirectLineConversation, work: () => Promise<T>): Promise<T> => {
    const run = c.queue.then(work);
    c.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  // ---------------------------------------------------------------- client routes (Web Chat)

  const conversationBody = (c: DirectLineConversation, token: string, expiresIn: number, watermark: number) => ({
    conversationId: c.id,
    token,
    expires_in: expiresIn,
    streamUrl: streamUrl(c, watermark),
  });

  const cors = handle(true, async () => undefined);
  for (const path of [
    `${DIRECT_LINE}/conversations`,
    `${DIRECT_LINE}/conversations/:conversationId`,
    `${DIRECT_LINE}/conversations/:conversationId/activities`,
    `${DIRECT_LINE}/conversations/:conversationId/upload`,
    `${DIRECT_LINE}/tokens/refresh`,
  ]) {
    server.opts(path, async (req, res) => {
      await cors(req, res);
      res.send(204);
    });
  }

  server.post(
    `${DIRECT_LINE}/conversations`,
    handle(true, async (req, res) => {
      const body = await readJsonBody(req as RequestWithBody, o.maxBodyBytes);
      const start = z
        .object({ user: z.object({ id: z.unknown(), name: z.unknown() }).partial().optional(), locale: z.string().max(32).optional() })
        .passthrough()
        .safeParse(body ?? {});
      let conversation: DirectLineConversation | undefined;
      let status = 201;
      if (bearer(req)) {
        // Web Chat given a token (from this POST or a token service) starts "its" conversation with it.
        conversation = authorize(req, res);
        if (!conversation) return;
        status = 200;
      } else {
        if (!(await withinRate(conversationLimiter, req, res, 'new conversations'))) return;
        conversation = store.create();
        if (!conversation) {
          logger.warn('directline.conversations_full', { kept: store.size });
          res.setHeader('Retry-After', '60');
          sendError(res, 429, 'TooManyConversations', 'Too many open conversations; try again later.');
          return;
        }
      }
      if (start.success) {
        learnUser(conversation, start.data.user?.id, start.data.user?.name);
        if (!conversation.locale && start.data.locale) conversation.locale = start.data.locale;
      }
      const { token, expiresIn } = store.issueToken(conversation);
      sendJson(res, status, conversationBody(conversation, token, expiresIn, 0));
      const c = conversation;
      if (c.userId && !c.started) void enqueue(c, () => startIfNeeded(c));
    }),
  );

  server.get(
    `${DIRECT_LINE}/conversations/:conversationId`,
    handle(true, async (req, res) => {
      const c = authorize(req, res, param(req, 'conversationId'));
      if (!c) return;
      const token = bearer(req) ?? '';
      const watermark = DirectLineConversations.parseWatermark(query(req, 'watermark'));
      sendJson(res, 200, { conversationId: c.id, token, streamUrl: streamUrl(c, watermark) });
    }),
  );

  server.post(
    `${DIRECT_LINE}/tokens/refresh`,
    handle(true, async (req, res) => {
      const c = authorize(req, res);
      if (!c) return;
      const { token, expiresIn } = store.issueToken(c);
      sendJson(res, 200, { conversationId: c.id, token, expires_in: expiresIn });
    }),
  );

  server.get(
    `${DIRECT_LINE}/conversations/:conversationId/activities`,
    handle(true, async (req, res) => {
      const c = authorize(req, res, param(req, 'conversationId'));
      if (!c) return;
      sendJson(res, 200, store.since(c, DirectLineConversations.parseWatermark(query(req, 'watermark'))));
    }),
  );

  server.post(
    `${DIRECT_LINE}/conversations/:conversationId/upload`,
    handle(true, async (req, res) => {
      const c = authorize(req, res, param(req, 'conversationId'));
      if (!c) return;
      sendError(res, 501, 'NotImplemented', 'File uploads are not supported by the local Direct Line endpoint.');
    }),
  );

  server.post(
    `${DIRECT_LINE}/conversations/:conversationId/activities`,
    handle(true, async (req, res) => {
      const c = authorize(req, res, param(req, 'conversationId'));
      if (!c) return;
      if (!(await withinRate(activityLimiter, req, res, 'activities'))) return;
      const parsedBody = ClientActivitySchema.safeParse(await readJsonBody(req as RequestWithBody, o.maxBodyBytes));
      if (!parsedBody.success) {
        sendError(res, 400, 'BadArgument', 'The body must be an activity with a "type".');
        return;
      }
      const posted = parsedBody.data;
      if (!CLIENT_TYPES.has(posted.type)) {
        sendError(res, 400, 'BadArgument', `Activities of type "${posted.type.slice(0, 64)}" are not accepted.`);
        return;
      }
      learnUser(c, posted.from?.id, posted.from?.name);
      if (posted.type === 'conversationUpdate') {
        // Some Web Chat versions announce themselves this way: it only tells us the user; the bot gets our own
        // single conversationUpdate, so the welcome is sent once.
        learnUser(c, posted.membersAdded?.[0]?.id);
        await enqueue(c, () => startIfNeeded(c));
        sendJson(res, 200, { id: `${c.id}|${randomBytes(6).toString('hex')}` });
        return;
      }
      if (!c.userId) c.userId = `wl-${randomBytes(9).toString('base64url')}`;

      const clean: Record<string, unknown> = { ...posted };
      for (const field of CHANNEL_FIELDS) delete clean[field];
      const seq = store.nextSeq(c);
      const activity: Partial<Activity> = {
        ...(clean as Partial<Activity>),
        id: activityId(c, seq),
        timestamp: new Date(now()),
        channelId: o.channelId,
        conversation: { id: c.id, isGroup: false, conversationType: 'personal', name: '' },
        from: userAccount(c),
        recipient: botAccount,
        ...((posted.locale ?? c.locale) ? { locale: posted.locale ?? c.locale } : {}),
      };

      // What is kept and streamed has the text cut to maxTextLength; the bot gets the whole text (within the body
      // limit), so its input guard cuts it the same way and tells the customer.
      const shown = activity.text !== undefined && activity.text.length > o.maxTextLength ? { ...activity, text: shorten(activity.text, o.maxTextLength) } : activity;
      const bytes = activityBytes(shown);
      checkSize(bytes);

      if (posted.type === 'typing') {
        // Not kept and not worth waiting for: the bot may want it, the transcript does not.
        store.pushEphemeral(c, shown);
        void enqueue(c, async () => {
          await startIfNeeded(c);
          await forward(toBot(c, activity));
        });
        sendJson(res, 200, { id: activity.id });
        return;
      }

      // Keep and echo first: nothing the customer said is lost, whatever happens to the bot.
      store.append(c, shown, seq, bytes);
      c.userPosted = true;
      const result = await enqueue(c, async () => {
        await startIfNeeded(c);
        return forward(toBot(c, activity));
      });
      if (result.ok) sendJson(res, 200, { id: activity.id });
      else sendError(res, result.status, result.code, result.message);
    }),
  );

  // ---------------------------------------------------------------- Connector API (the bot's replies)

  const connectorBase = `${o.connectorPath}/:connectorKey/v3/conversations/:conversationId`;
  const keyBuffer = Buffer.from(connectorKey);
  const connectorConversation = (req: restify.Request, res: restify.Response): DirectLineConversation | undefined => {
    const given = Buffer.from(param(req, 'connectorKey'));
    const keyOk = given.length === keyBuffer.length && timingSafeEqual(given, keyBuffer);
    const c = keyOk ? store.get(param(req, 'conversationId')) : undefined;
    if (!c) sendError(res, 404, 'ConversationNotFound', 'Unknown conversation.');
    return c;
  };
  const BotActivitySchema = z.object({ type: z.string().min(1).max(64) }).passthrough();

  const fromBot = async (req: restify.Request, c: DirectLineConversation, replyToId?: string, keepId?: string) => {
    const parsedBody = BotActivitySchema.safeParse(await readJsonBody(req as RequestWithBody, o.maxBodyBytes));
    if (!parsedBody.success) throw new DirectLineHttpError(400, 'BadArgument', 'The body must be an activity with a "type".');
    const posted = parsedBody.data as Partial<Activity> & { type: string };
    const from = posted.from && typeof posted.from.id === 'string' ? posted.from : botAccount;
    const rest: Record<string, unknown> = { ...posted };
    delete rest.serviceUrl;
    return {
      ...(rest as Partial<Activity>),
      id: keepId,
      timestamp: new Date(now()),
      channelId: o.channelId,
      conversation: { id: c.id, isGroup: false, conversationType: 'personal', name: '' },
      from: { ...from, role: 'bot' },
      recipient: userAccount(c),
      ...(replyToId ? { replyToId } : {}),
    } satisfies Partial<Activity>;
  };

  const postFromBot = async (req: restify.Request, res: restify.Response, replyToId?: string) => {
    const c = connectorConversation(req, res);
    if (!c) return;
    const activity = await fromBot(req, c, replyToId);
    if (activity.type === 'typing') {
      activity.id = `${c.id}|t${randomBytes(6).toString('hex')}`;
      checkSize(activityBytes(activity));
      store.pushEphemeral(c, activity);
    } else {
      const seq = store.nextSeq(c);
      activity.id = activityId(c, seq);
      const bytes = activityBytes(activity);
      checkSize(bytes);
      store.append(c, activity, seq, bytes);
    }
    sendJson(res, 200, { id: activity.id });
  };

  server.post(`${connectorBase}/activities`, handle(false, (req, res) => postFromBot(req, res)));
  server.post(`${connectorBase}/activities/:activityId`, handle(false, (req, res) => postFromBot(req, res, param(req, 'activityId'))));

  server.put(
    `${connectorBase}/activities/:activityId`,
    handle(false, async (req, res) => {
      const c = connectorConversation(req, res);
      if (!c) return;
      const id = param(req, 'activityId');
      const kept = store.find(c, id);
      if (!kept || kept.activity.from?.role !== 'bot') {
        sendError(res, 404, 'ActivityNotFound', 'Unknown activity.');
        return;
      }
      const updated = await fromBot(req, c, kept.activity.replyToId, id);
      const bytes = activityBytes(updated);
      checkSize(bytes);
      store.replace(c, kept, updated, bytes);
      // Web Chat replaces an activity it already shows when one with the same id arrives again.
      store.broadcast(c, JSON.stringify({ activities: [updated], watermark: String(c.seq) }));
      sendJson(res, 200, { id });
    }),
  );

  server.del(
    `${connectorBase}/activities/:activityId`,
    handle(false, async (req, res) => {
      const c = connectorConversation(req, res);
      if (!c) return;
      if (!store.remove(c, param(req, 'activityId'))) {
        sendError(res, 404, 'ActivityNotFound', 'Unknown activity.');
        return;
      }
      sendJson(res, 200, {});
    }),
  );

  const members = handle(false, async (req, res) => {
    const c = connectorConversation(req, res);
    if (!c) return;
    sendJson(res, 200, c.userId ? [botAccount, userAccount(c)] : [botAccount]);
  });
  server.get(`${connectorBase}/members`, members);
  server.get(`${connectorBase}/activities/:activityId/members`, members);

  // ---------------------------------------------------------------- WebSocket streams

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, clientTracking: true });
  const alive = new WeakMap<WebSocket, boolean>();

  // Called by the server's upgrade router for stream paths only; it owns the socket's errors already.
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://local');
    const conversationId = STREAM_PATH.exec(url.pathname)?.[1] ?? '';
    const taken = store.takeTicket(url.searchParams.get('t') ?? '', conversationId);
    if (!taken) {
      refuseUpgrade(socket, store.get(conversationId) ? 403 : 404);
      return;
    }
    const { conversation, watermark } = taken;
    if (conversation.sinks.size >= o.maxSocketsPerConversation) {
      refuseUpgrade(socket, 429);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sink = {
        send: (frame: string) => {
          if (ws.readyState === ws.OPEN) ws.send(frame);
        },
      };
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      // The stream is one-way; clients send empty-string pings, which need no answer.
      ws.on('message', () => undefined);
      ws.on('error', (err) => logger.debug('directline.socket_error', errorFields(err)));
      ws.on('close', () => conversation.sinks.delete(sink));
      const backlog = store.since(conversation, watermark);
      if (backlog.activities.length > 0) sink.send(JSON.stringify(backlog));
      conversation.sinks.add(sink);
    });
  };
  const unregisterStreams = upgradeRouter(server.server, { logger }).register((pathname) => STREAM_PATH.test(pathname), onUpgrade);

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
  }, o.socketPingMs);
  pinger.unref();

  return {
    serviceUrl,
    conversationIds: () => store.ids(),
    activities: (conversationId) => {
      const c = store.get(conversationId);
      return c ? c.activities.map((a) => structuredClone(a.activity)) : [];
    },
    openSockets: () => wss.clients.size,
    close: async () => {
      clearInterval(pinger);
      unregisterStreams();
      const open = [...wss.clients];
      await Promise.all(
        open.map(
          (ws) =>
            new Promise<void>((resolve) => {
              const force = setTimeout(() => ws.terminate(), 1000);
              ws.once('close', () => {
                clearTimeout(force);
                resolve();
              });
              ws.close(1001, 'server closing');
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
