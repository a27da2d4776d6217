/**
 * The Connector API the bot replies to, under `${connectorPath}/${connectorKey}/v3/conversations/:id`:
 * `POST /activities[/:replyToId]`, `PUT|DELETE /activities/:activityId`, `GET /members` and
 * `GET /activities/:activityId/members`. The secret key in the path keeps anyone but the bot from posting as the bot.
 * @packageDocumentation
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type * as restify from 'restify';
import { z } from 'zod';
import { activityId, conversationAccount, userAccount } from './directLineAddressing';
import type { LocalDirectLineContext } from './directLineContext';
import { activityBytes, type DirectLineConversation } from './directLineConversations';
import { checkSize, handle, param, sendError, sendJson, type DirectLineHandler } from './directLineHttp';
import { DirectLineHttpError, readJsonBody, type RequestWithBody } from './readJsonBody';

const BotActivitySchema = z.object({ type: z.string().min(1).max(64) }).passthrough();

/** Registers the Connector API routes (no CORS: only the bot calls them). */
export function registerConnectorRoutes(server: restify.Server, ctx: LocalDirectLineContext): void {
  const base = `${ctx.settings.connectorPath}/:connectorKey/v3/conversations/:conversationId`;
  const find = conversationOf(ctx);
  server.post(`${base}/activities`, handle(ctx, false, (req, res) => postFromBot(ctx, find, req, res)));
  server.post(`${base}/activities/:activityId`, handle(ctx, false, (req, res) => postFromBot(ctx, find, req, res, param(req, 'activityId'))));
  server.put(`${base}/activities/:activityId`, handle(ctx, false, updateActivity(ctx, find)));
  server.del(`${base}/activities/:activityId`, handle(ctx, false, deleteActivity(ctx, find)));
  const members = handle(ctx, false, listMembers(ctx, find));
  server.get(`${base}/members`, members);
  server.get(`${base}/activities/:activityId/members`, members);
}

/** The conversation of a Connector call with the right key; answers 404 otherwise. */
type FindConversation = (req: restify.Request, res: restify.Response) => DirectLineConversation | undefined;

function conversationOf(ctx: LocalDirectLineContext): FindConversation {
  const keyBuffer = Buffer.from(ctx.connectorKey);
  return (req, res) => {
    const given = Buffer.from(param(req, 'connectorKey'));
    const keyOk = given.length === keyBuffer.length && timingSafeEqual(given, keyBuffer);
    const c = keyOk ? ctx.store.get(param(req, 'conversationId')) : undefined;
    if (!c) sendError(res, 404, 'ConversationNotFound', 'Unknown conversation.');
    return c;
  };
}

/** The bot's activity as the channel keeps it: addressed to the user, from the bot, without a `serviceUrl`. */
async function fromBot(ctx: LocalDirectLineContext, req: restify.Request, c: DirectLineConversation, replyToId?: string, keepId?: string) {
  const parsedBody = BotActivitySchema.safeParse(await readJsonBody(req as RequestWithBody, ctx.settings.maxBodyBytes));
  if (!parsedBody.success) throw new DirectLineHttpError(400, 'BadArgument', 'The body must be an activity with a "type".');
  const posted = parsedBody.data as Partial<Activity> & { type: string };
  const from = posted.from && typeof posted.from.id === 'string' ? posted.from : ctx.botAccount;
  const rest: Record<string, unknown> = { ...posted };
  delete rest.serviceUrl;
  return {
    ...(rest as Partial<Activity>),
    id: keepId,
    timestamp: new Date(ctx.now()),
    channelId: ctx.settings.channelId,
    conversation: conversationAccount(c),
    from: { ...from, role: 'bot' },
    recipient: userAccount(c),
    ...(replyToId ? { replyToId } : {}),
  } satisfies Partial<Activity>;
}

async function postFromBot(ctx: LocalDirectLineContext, find: FindConversation, req: restify.Request, res: restify.Response, replyToId?: string): Promise<void> {
  const { store } = ctx;
  const c = find(req, res);
  if (!c) return;
  const activity = await fromBot(ctx, req, c, replyToId);
  if (activity.type === 'typing') {
    activity.id = `${c.id}|t${randomBytes(6).toString('hex')}`;
    checkSize(ctx, activityBytes(activity));
    store.pushEphemeral(c, activity);
  } else {
    const seq = store.nextSeq(c);
    activity.id = activityId(c, seq);
    const bytes = activityBytes(activity);
    checkSize(ctx, bytes);
    store.append(c, activity, seq, bytes);
  }
  sendJson(res, 200, { id: activity.id });
}

const updateActivity =
  (ctx: LocalDirectLineContext, find: FindConversation): DirectLineHandler =>
  async (req, res) => {
    const { store } = ctx;
    const c = find(req, res);
    if (!c) return;
    const id = param(req, 'activityId');
    const kept = store.find(c, id);
    if (!kept || kept.activity.from?.role !== 'bot') return sendError(res, 404, 'ActivityNotFound', 'Unknown activity.');
    const updated = await fromBot(ctx, req, c, kept.activity.replyToId, id);
    const bytes = activityBytes(updated);
    checkSize(ctx, bytes);
    store.replace(c, kept, updated, bytes);
    // Web Chat replaces an activity it already shows when one with the same id arrives again.
    store.broadcast(c, JSON.stringify({ activities: [updated], watermark: String(c.seq) }));
    sendJson(res, 200, { id });
  };

const deleteActivity =
  (ctx: LocalDirectLineContext, find: FindConversation): DirectLineHandler =>
  async (req, res) => {
    const c = find(req, res);
    if (!c) return;
    if (!ctx.store.remove(c, param(req, 'activityId'))) return sendError(res, 404, 'ActivityNotFound', 'Unknown activity.');
    sendJson(res, 200, {});
  };

const listMembers =
  (ctx: LocalDirectLineContext, find: FindConversation): DirectLineHandler =>
  async (req, res) => {
    const c = find(req, res);
    if (!c) return;
    sendJson(res, 200, c.userId ? [ctx.botAccount, userAccount(c)] : [ctx.botAccount]);
  };
