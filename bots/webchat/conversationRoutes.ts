/**
 * Web Chat's conversation routes on the local Direct Line endpoint: `POST /v3/directline/conversations` (start, or
 * resume with a token), `GET /conversations/:id` (a fresh `streamUrl`) and `POST /tokens/refresh`.
 * @packageDocumentation
 */
import type * as restify from 'restify';
import { z } from 'zod';
import { learnUser } from './directLineAddressing';
import { DIRECT_LINE, type LocalDirectLineContext } from './directLineContext';
import { DirectLineConversations, type DirectLineConversation } from './directLineConversations';
import { authorize, bearer, handle, param, query, registerPreflight, sendError, sendJson, withinRate, type DirectLineHandler } from './directLineHttp';
import { readJsonBody, type RequestWithBody } from './readJsonBody';

const StartSchema = z
  .object({ user: z.object({ id: z.unknown(), name: z.unknown() }).partial().optional(), locale: z.string().max(32).optional() })
  .passthrough();

/** Registers the conversation and token routes (with their CORS preflight). */
export function registerConversationRoutes(server: restify.Server, ctx: LocalDirectLineContext): void {
  registerPreflight(server, ctx, [`${DIRECT_LINE}/conversations`, `${DIRECT_LINE}/conversations/:conversationId`, `${DIRECT_LINE}/tokens/refresh`]);
  server.post(`${DIRECT_LINE}/conversations`, handle(ctx, true, startConversation(ctx)));
  server.get(`${DIRECT_LINE}/conversations/:conversationId`, handle(ctx, true, reconnect(ctx)));
  server.post(`${DIRECT_LINE}/tokens/refresh`, handle(ctx, true, refreshToken(ctx)));
}

/** A single-use `streamUrl` for the conversation, from `watermark` on. */
function streamUrl(ctx: LocalDirectLineContext, c: DirectLineConversation, watermark: number): string {
  const base = ctx.publicBaseUrl().replace(/^http/i, 'ws');
  const ticket = ctx.store.issueTicket(c, watermark);
  return `${base}${DIRECT_LINE}/conversations/${c.id}/stream?watermark=${watermark}&t=${ticket}`;
}

// Anonymous: a new conversation (201), within the per-address rate. With a token: its conversation (200), as Web Chat
// given a token (from this POST or a token service) starts "its" conversation with it; that is when it connects.
const startConversation =
  (ctx: LocalDirectLineContext): DirectLineHandler =>
  async (req, res) => {
    const { store, delivery, logger } = ctx;
    const body = await readJsonBody(req as RequestWithBody, ctx.settings.maxBodyBytes);
    const start = StartSchema.safeParse(body ?? {});
    let conversation: DirectLineConversation | undefined;
    let status = 201;
    if (bearer(req)) {
      conversation = authorize(ctx, req, res);
      if (!conversation) return;
      status = 200;
    } else {
      if (!(await withinRate(ctx, ctx.limiters.conversations, req, res, 'new conversations'))) return;
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
    sendJson(res, status, { conversationId: conversation.id, token, expires_in: expiresIn, streamUrl: streamUrl(ctx, conversation, 0) });
    const c = conversation;
    // With a token this is the client connecting (Web Chat's own POST): the bot greets now, as with Azure Direct Line.
    // Anonymous, it is the page's token request; it starts the conversation only when it names the user.
    if (status === 200) void delivery.connect(c);
    else if (c.userId && !c.started) void delivery.enqueue(c, () => delivery.startIfNeeded(c));
  };

const reconnect =
  (ctx: LocalDirectLineContext): DirectLineHandler =>
  async (req, res) => {
    const c = authorize(ctx, req, res, param(req, 'conversationId'));
    if (!c) return;
    const token = bearer(req) ?? '';
    const watermark = DirectLineConversations.parseWatermark(query(req, 'watermark'));
    sendJson(res, 200, { conversationId: c.id, token, streamUrl: streamUrl(ctx, c, watermark) });
  };

const refreshToken =
  (ctx: LocalDirectLineContext): DirectLineHandler =>
  async (req, res) => {
    const c = authorize(ctx, req, res);
    if (!c) return;
    const { token, expiresIn } = ctx.store.issueToken(c);
    sendJson(res, 200, { conversationId: c.id, token, expires_in: expiresIn });
  };
