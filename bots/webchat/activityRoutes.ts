/**
 * Web Chat's activity routes on the local Direct Line endpoint: `GET /v3/directline/conversations/:id/activities`
 * (polling), `POST .../activities` (the user's activities: kept, echoed to the streams, delivered to the bot) and
 * `POST .../upload` (501: attachments are not implemented).
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type * as restify from 'restify';
import { z } from 'zod';
import { shorten } from '../../middleware/inputGuardMiddleware';
import { activityId, conversationAccount, ensureUser, learnUser, userAccount } from './directLineAddressing';
import { DIRECT_LINE, type LocalDirectLineContext } from './directLineContext';
import { activityBytes, DirectLineConversations, type DirectLineConversation } from './directLineConversations';
import { authorize, checkSize, handle, param, query, registerPreflight, sendError, sendJson, withinRate, type DirectLineHandler } from './directLineHttp';
import { readJsonBody, type RequestWithBody } from './readJsonBody';

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
type ClientActivity = z.infer<typeof ClientActivitySchema>;

const CLIENT_TYPES = new Set(['message', 'event', 'typing', 'conversationUpdate', 'messageReaction', 'endOfConversation']);
/** Fields only the channel sets; a client could otherwise redirect the bot's replies or impersonate someone. */
const CHANNEL_FIELDS = ['id', 'timestamp', 'serviceUrl', 'channelId', 'conversation', 'recipient', 'deliveryMode', 'callerId'] as const;

/** Registers the activity and upload routes (with their CORS preflight). */
export function registerActivityRoutes(server: restify.Server, ctx: LocalDirectLineContext): void {
  const activities = `${DIRECT_LINE}/conversations/:conversationId/activities`;
  const upload = `${DIRECT_LINE}/conversations/:conversationId/upload`;
  registerPreflight(server, ctx, [activities, upload]);
  server.get(activities, handle(ctx, true, listActivities(ctx)));
  server.post(upload, handle(ctx, true, refuseUpload(ctx)));
  server.post(activities, handle(ctx, true, postActivity(ctx)));
}

const listActivities =
  (ctx: LocalDirectLineContext): DirectLineHandler =>
  async (req, res) => {
    const c = authorize(ctx, req, res, param(req, 'conversationId'));
    if (!c) return;
    sendJson(res, 200, ctx.store.since(c, DirectLineConversations.parseWatermark(query(req, 'watermark'))));
  };

const refuseUpload =
  (ctx: LocalDirectLineContext): DirectLineHandler =>
  async (req, res) => {
    const c = authorize(ctx, req, res, param(req, 'conversationId'));
    if (!c) return;
    sendError(res, 501, 'NotImplemented', 'File uploads are not supported by the local Direct Line endpoint.');
  };

const postActivity =
  (ctx: LocalDirectLineContext): DirectLineHandler =>
  async (req, res) => {
    const { store, delivery } = ctx;
    const c = authorize(ctx, req, res, param(req, 'conversationId'));
    if (!c) return;
    if (!(await withinRate(ctx, ctx.limiters.activities, req, res, 'activities'))) return;
    const parsedBody = ClientActivitySchema.safeParse(await readJsonBody(req as RequestWithBody, ctx.settings.maxBodyBytes));
    if (!parsedBody.success) return sendError(res, 400, 'BadArgument', 'The body must be an activity with a "type".');
    const posted = parsedBody.data;
    if (!CLIENT_TYPES.has(posted.type)) return sendError(res, 400, 'BadArgument', `Activities of type "${posted.type.slice(0, 64)}" are not accepted.`);
    learnUser(c, posted.from?.id, posted.from?.name);
    if (posted.type === 'conversationUpdate') {
      // Some Web Chat versions announce themselves this way: it only tells us the user; the bot gets our own
      // single conversationUpdate, so the welcome is sent once.
      learnUser(c, posted.membersAdded?.[0]?.id);
      await delivery.enqueue(c, () => delivery.startIfNeeded(c));
      return sendJson(res, 200, { id: `${c.id}|${randomBytes(6).toString('hex')}` });
    }
    ensureUser(c);

    const seq = store.nextSeq(c);
    const activity = fromUser(ctx, c, posted, seq);
    // What is kept and streamed has the text cut to maxTextLength; the bot gets the whole text (within the body
    // limit), so its input guard cuts it the same way and tells the customer.
    const max = ctx.settings.maxTextLength;
    const shown = activity.text !== undefined && activity.text.length > max ? { ...activity, text: shorten(activity.text, max) } : activity;
    const bytes = activityBytes(shown);
    checkSize(ctx, bytes);

    if (posted.type === 'typing') {
      // Not kept and not worth waiting for: the bot may want it, the transcript does not.
      store.pushEphemeral(c, shown);
      void delivery.enqueue(c, async () => {
        await delivery.startIfNeeded(c);
        await delivery.send(c, activity);
      });
      return sendJson(res, 200, { id: activity.id });
    }

    // Keep and echo first: nothing the customer said is lost, whatever happens to the bot.
    store.append(c, shown, seq, bytes);
    c.userPosted = true;
    const result = await delivery.enqueue(c, async () => {
      await delivery.startIfNeeded(c);
      return delivery.send(c, activity);
    });
    if (result.ok) sendJson(res, 200, { id: activity.id });
    else sendError(res, result.status, result.code, result.message);
  };

/** The user's activity as the channel keeps it: channel fields replaced by the channel's own. */
function fromUser(ctx: LocalDirectLineContext, c: DirectLineConversation, posted: ClientActivity, seq: number): Partial<Activity> {
  const clean: Record<string, unknown> = { ...posted };
  for (const field of CHANNEL_FIELDS) delete clean[field];
  return {
    ...(clean as Partial<Activity>),
    id: activityId(c, seq),
    timestamp: new Date(ctx.now()),
    channelId: ctx.settings.channelId,
    conversation: conversationAccount(c),
    from: userAccount(c),
    recipient: ctx.botAccount,
    ...((posted.locale ?? c.locale) ? { locale: posted.locale ?? c.locale } : {}),
  };
}
