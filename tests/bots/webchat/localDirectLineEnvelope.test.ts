import { expect } from 'chai';
import { ActivityHandler } from 'botbuilder';
import { checkActivityEnvelope } from '../../../bots/app/activityEnvelope';
import { startLocalChannel, type LocalChannel } from './localChannelHarness';

/** What the local Direct Line forwarded to `/api/messages` and the bot received, as the bot received it. */
class RecordingBot extends ActivityHandler {
  readonly seen: Array<Record<string, unknown>> = [];
  constructor() {
    super();
    this.onTurn(async (ctx, next) => {
      this.seen.push(JSON.parse(JSON.stringify(ctx.activity)) as Record<string, unknown>);
      await next();
    });
  }
}

const json = (token?: string): Record<string, string> => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('the local Direct Line and the /api/messages envelope check', () => {
  let channel: LocalChannel;
  let bot: RecordingBot;

  before(async () => {
    bot = new RecordingBot();
    channel = await startLocalChannel({ bot, page: false });
  });
  after(async () => channel.close());

  async function start(user: unknown, locale?: string): Promise<{ conversationId: string; token: string }> {
    const res = await fetch(`${channel.base}/v3/directline/conversations`, { method: 'POST', headers: json(), body: JSON.stringify({ user, ...(locale ? { locale } : {}) }) });
    expect(res.status).to.equal(201);
    return (await res.json()) as { conversationId: string; token: string };
  }
  const post = (conv: { conversationId: string; token: string }, activity: Record<string, unknown>) =>
    fetch(`${channel.base}/v3/directline/conversations/${conv.conversationId}/activities`, { method: 'POST', headers: json(conv.token), body: JSON.stringify(activity) });
  const seenIn = (conversationId: string) => bot.seen.filter((a) => (a.conversation as { id: string }).id === conversationId);

  it('forwards its conversationUpdate, typing and messages with envelopes the endpoint accepts', async () => {
    const conv = await start({ id: 'web-user-1', name: 'Zoë' }, 'fr-FR');
    expect((await post(conv, { type: 'typing', from: { id: 'web-user-1' } })).status).to.equal(200);
    expect((await post(conv, { type: 'message', text: 'bonjour', from: { id: 'web-user-1', name: 'Zoë' }, locale: 'fr-FR', channelData: { clientActivityID: 'c1' } })).status).to.equal(200);
    expect((await post(conv, { type: 'conversationUpdate', membersAdded: [{ id: 'web-user-1' }] })).status).to.equal(200);
    expect((await post(conv, { type: 'event', name: 'webchat/join', value: { language: 'fr-FR' }, from: { id: 'web-user-1' } })).status).to.equal(200);
    await until('typing and event at the bot', () => ['typing', 'event'].every((t) => seenIn(conv.conversationId).some((a) => a.type === t)));
    const seen = seenIn(conv.conversationId);
    expect(seen.map((a) => a.type)).to.include.members(['conversationUpdate', 'typing', 'message', 'event']);
    expect(seen.filter((a) => a.type === 'conversationUpdate')).to.have.length(1);
    for (const activity of seen) expect(checkActivityEnvelope(activity), String(activity.type)).to.deep.include({ ok: true });
  });

  it('does not take a user id that is not well-formed UTF-16 (the endpoint would refuse every activity of the conversation)', async () => {
    const conv = await start({ id: 'web-\ud800-user', name: 'x' });
    const res = await post(conv, { type: 'message', text: 'hello', from: { id: 'other-\udfff' } });
    expect(res.status).to.equal(200);
    await until('the message at the bot', () => seenIn(conv.conversationId).some((a) => a.type === 'message'));
    const from = seenIn(conv.conversationId).find((a) => a.type === 'message')!.from as { id: string };
    expect(from.id).to.match(/^wl-/);
  });
});
