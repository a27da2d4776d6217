import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as restify from 'restify';
import { TurnContext, type ConversationReference } from 'botbuilder';
import { registerLocalDirectLine } from '../../../bots/webchat/registerLocalDirectLine';
import { shorten } from '../../../middleware/inputGuardMiddleware';
import { startLocalChannel, StreamClient, WelcomeEchoBot, type LocalChannel } from './localChannelHarness';

interface Conversation {
  conversationId: string;
  token: string;
  expires_in: number;
  streamUrl: string;
}

const json = (token?: string): Record<string, string> => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

async function startConversation(base: string, userId = 'user-1', locale = 'en-US'): Promise<Conversation> {
  // Same two steps as the page and Web Chat: an anonymous POST for a token, then Web Chat's POST with it.
  const first = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: json(), body: '{}' });
  expect(first.status).to.equal(201);
  const anonymous = (await first.json()) as Conversation;
  const second = await fetch(`${base}/v3/directline/conversations`, {
    method: 'POST',
    headers: json(anonymous.token),
    body: JSON.stringify({ user: { id: userId }, locale }),
  });
  expect(second.status).to.equal(200);
  const resumed = (await second.json()) as Conversation;
  expect(resumed.conversationId).to.equal(anonymous.conversationId);
  return resumed;
}

function postActivity(base: string, conv: Conversation, activity: Record<string, unknown>, token = conv.token): Promise<Response> {
  return fetch(`${base}/v3/directline/conversations/${conv.conversationId}/activities`, {
    method: 'POST',
    headers: json(token),
    body: JSON.stringify(activity),
  });
}

const message = (text: string, clientActivityID: string, from = 'user-1') => ({
  type: 'message',
  text,
  from: { id: from, role: 'user' },
  locale: 'en-US',
  channelData: { clientActivityID },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the conversation keeps an activity with this text (the welcome is sent asynchronously). */
async function waitForKept(channel: LocalChannel, conversationId: string, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (channel.directLine.activities(conversationId).some((a) => a.text === text)) return;
    await sleep(20);
  }
  throw new Error(`no activity "${text}" kept`);
}

describe('registerLocalDirectLine', () => {
  let clock = Date.parse('2025-03-01T10:00:00Z');
  let channel: LocalChannel;
  let base: string;
  const references: ConversationReference[] = [];

  before(async () => {
    const bot = new WelcomeEchoBot();
    bot.onMessage(async (ctx, next) => {
      references.push(TurnContext.getConversationReference(ctx.activity) as ConversationReference);
      await next();
    });
    channel = await startLocalChannel({
      bot,
      directLine: { now: () => clock, maxTextLength: 200, maxBodyBytes: 8 * 1024, maxActivitiesPerConversation: 20 },
    });
    base = channel.base;
  });
  after(async () => channel.close());

  it('starts a conversation: 201 with id, token, expiry and a WebSocket streamUrl', async () => {
    const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: json() });
    expect(res.status).to.equal(201);
    const body = (await res.json()) as Conversation;
    expect(body.conversationId).to.match(/^[A-Za-z0-9_-]{20,}$/);
    expect(body.token).to.have.length.greaterThan(30);
    expect(body.expires_in).to.equal(1800);
    expect(body.streamUrl).to.match(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${body.conversationId}/stream\\?`));
  });

  it('welcomes once, echoes the user activity with its clientActivityID, then streams the bot reply', async () => {
    const conv = await startConversation(base);
    const stream = await StreamClient.open(conv.streamUrl);
    try {
      const welcome = await stream.waitFor((a) => a.text === 'welcome');
      expect((welcome.from as { role: string }).role).to.equal('bot');
      // Web Chat versions that announce themselves with a conversationUpdate must not cause a second welcome.
      const announce = await postActivity(base, conv, { type: 'conversationUpdate', from: { id: 'user-1' }, membersAdded: [{ id: 'user-1' }] });
      expect(announce.status).to.equal(200);

      const res = await postActivity(base, conv, message('hello there', 'client-1'));
      expect(res.status).to.equal(200);
      const { id } = (await res.json()) as { id: string };
      expect(id).to.be.a('string').and.contain(conv.conversationId);

      const echo = await stream.waitFor((a) => a.id === id);
      expect(echo.channelData).to.deep.include({ clientActivityID: 'client-1' });
      expect(echo.from).to.deep.include({ id: 'user-1', role: 'user' });
      expect(new Date(echo.timestamp as string).toISOString()).to.equal(new Date(clock).toISOString());
      expect(echo).not.to.have.property('serviceUrl');

      const reply = await stream.waitFor((a) => a.text === 'echo: hello there');
      expect(reply.replyToId).to.equal(id);
      expect(reply.from).to.deep.include({ role: 'bot' });
      expect(reply.recipient).to.deep.include({ id: 'user-1' });

      // Watermarks grow with each kept activity.
      const marks = stream.frames.map((f) => Number(f.watermark));
      expect(marks).to.deep.equal([...marks].sort((a, b) => a - b));
      expect(new Set(marks).size).to.equal(marks.length);

      await sleep(100);
      const kept = channel.directLine.activities(conv.conversationId);
      expect(kept.filter((a) => a.text === 'welcome')).to.have.length(1);
      expect(kept.map((a) => a.text)).to.deep.equal(['welcome', 'hello there', 'echo: hello there']);
    } finally {
      await stream.close();
    }
  });

  describe('greets when the client connects, before the customer writes (as Azure Direct Line sends the start)', () => {
    const anonymousStart = async (): Promise<Conversation> => {
      const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: json(), body: '{}' });
      expect(res.status).to.equal(201);
      return (await res.json()) as Conversation;
    };

    it('a client that connects with its token but names no user gets the welcome, and keeps the id the channel gave it', async () => {
      const anonymous = await anonymousStart();
      // DirectLineJS with a token that already names the user sends no body at all.
      const connect = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: json(anonymous.token) });
      expect(connect.status).to.equal(200);
      const conv = (await connect.json()) as Conversation;
      const stream = await StreamClient.open(conv.streamUrl);
      try {
        const welcome = await stream.waitFor((a) => a.text === 'welcome');
        const userId = (welcome.recipient as { id: string }).id;
        expect(userId).to.match(/^wl-[A-Za-z0-9_-]{8,}$/);
        expect(channel.directLine.activities(conv.conversationId).map((a) => a.text)).to.deep.equal(['welcome']);

        // The client's later activities are the same user's, whatever id it puts in them.
        const res = await postActivity(base, conv, message('hello', 'n-1', 'someone-else'));
        expect(res.status).to.equal(200);
        const echo = await stream.waitFor((a) => a.text === 'hello');
        expect(echo.from).to.deep.include({ id: userId, role: 'user' });
      } finally {
        await stream.close();
      }
    });

    it('a client that opens the stream straight after the anonymous start gets the welcome on it', async () => {
      const conv = await anonymousStart();
      const stream = await StreamClient.open(conv.streamUrl);
      try {
        await stream.waitFor((a) => a.text === 'welcome');
        await sleep(100);
        expect(channel.directLine.activities(conv.conversationId).map((a) => a.text)).to.deep.equal(['welcome']);
      } finally {
        await stream.close();
      }
    });

    it('the page\'s anonymous token request alone starts nothing (the client has not connected yet)', async () => {
      const conv = await anonymousStart();
      await sleep(150);
      expect(channel.directLine.activities(conv.conversationId)).to.deep.equal([]);
    });
  });

  it('forwards to the bot what a channel would: serviceUrl, recipient, channelId, locale, and strips what a client may not set', async () => {
    const conv = await startConversation(base, 'user-7', 'fr-FR');
    const before = references.length;
    const res = await postActivity(base, conv, {
      ...message('bonjour', 'c-7', 'user-7'),
      locale: 'fr-FR',
      serviceUrl: 'http://attacker.example/',
      deliveryMode: 'expectReplies',
      recipient: { id: 'someone-else' },
    });
    expect(res.status).to.equal(200);
    const ref = references[before];
    expect(ref.serviceUrl).to.equal(channel.directLine.serviceUrl());
    expect(ref.serviceUrl).to.match(new RegExp(`^${base}/directline-connector/`));
    expect(ref.channelId).to.equal('webchat');
    expect(ref.conversation.id).to.equal(conv.conversationId);
    expect(ref.bot).to.deep.include({ id: 'warmline-bot', role: 'bot' });
    expect(ref.user).to.deep.include({ id: 'user-7' });
    expect(ref.locale).to.equal('fr-FR');
    // The reply came through the connector, not in the HTTP response (deliveryMode was stripped).
    await sleep(50);
    expect(channel.directLine.activities(conv.conversationId).map((a) => a.text)).to.include('echo: bonjour');
  });

  it('serves activities by polling from a watermark, and resumes a stream after a watermark', async () => {
    const conv = await startConversation(base, 'user-2');
    const url = (w: string) => `${base}/v3/directline/conversations/${conv.conversationId}/activities?watermark=${w}`;
    await waitForKept(channel, conv.conversationId, 'welcome');
    await postActivity(base, conv, message('one', 'p1', 'user-2'));
    await postActivity(base, conv, message('two', 'p2', 'user-2'));

    const all = (await (await fetch(url(''), { headers: json(conv.token) })).json()) as { activities: Array<{ text: string }>; watermark: string };
    expect(all.activities.map((a) => a.text)).to.deep.equal(['welcome', 'one', 'echo: one', 'two', 'echo: two']);
    const afterTwo = (await (await fetch(url('3'), { headers: json(conv.token) })).json()) as typeof all;
    expect(afterTwo.activities.map((a) => a.text)).to.deep.equal(['two', 'echo: two']);
    const none = (await (await fetch(url(all.watermark), { headers: json(conv.token) })).json()) as typeof all;
    expect(none.activities).to.deep.equal([]);
    expect(none.watermark).to.equal(all.watermark);

    // Reconnect as DirectLineJS does: GET /conversations/:id?watermark= gives a fresh streamUrl.
    const again = await fetch(`${base}/v3/directline/conversations/${conv.conversationId}?watermark=3`, { headers: json(conv.token) });
    expect(again.status).to.equal(200);
    const { streamUrl } = (await again.json()) as Conversation;
    const stream = await StreamClient.open(streamUrl);
    try {
      await stream.waitFor((a) => a.text === 'echo: two');
      expect(stream.frames[0].activities.map((a) => a.text)).to.deep.equal(['two', 'echo: two']);
      // Empty-string pings from the client are ignored; the stream stays open.
      stream.ws.send('');
      await postActivity(base, conv, message('three', 'p3', 'user-2'));
      await stream.waitFor((a) => a.text === 'echo: three');
    } finally {
      await stream.close();
    }
    // A streamUrl is single use.
    let refused: unknown;
    await StreamClient.open(streamUrl).catch((err: unknown) => (refused = err));
    expect(String(refused)).to.contain('403');
  });

  it('lets several sockets follow one conversation', async () => {
    const conv = await startConversation(base, 'user-3');
    const get = async () =>
      ((await (await fetch(`${base}/v3/directline/conversations/${conv.conversationId}`, { headers: json(conv.token) })).json()) as Conversation)
        .streamUrl;
    const a = await StreamClient.open(await get());
    const b = await StreamClient.open(await get());
    try {
      await postActivity(base, conv, message('both', 'm1', 'user-3'));
      await a.waitFor((x) => x.text === 'echo: both');
      await b.waitFor((x) => x.text === 'echo: both');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refreshes tokens and refuses expired ones with 403', async () => {
    const conv = await startConversation(base, 'user-4');
    const refresh = await fetch(`${base}/v3/directline/tokens/refresh`, { method: 'POST', headers: json(conv.token) });
    expect(refresh.status).to.equal(200);
    const refreshed = (await refresh.json()) as Conversation;
    expect(refreshed.conversationId).to.equal(conv.conversationId);
    expect(refreshed.token).not.to.equal(conv.token);
    expect(refreshed.expires_in).to.equal(1800);

    clock += 20 * 60 * 1000;
    const newer = await (await fetch(`${base}/v3/directline/tokens/refresh`, { method: 'POST', headers: json(refreshed.token) })).json() as Conversation;
    clock += 15 * 60 * 1000; // the first two tokens are now past 30 minutes, the newest is not
    for (const token of [conv.token, refreshed.token]) {
      const res = await fetch(`${base}/v3/directline/conversations/${conv.conversationId}`, { headers: json(token) });
      expect(res.status).to.equal(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('TokenExpired');
    }
    expect((await postActivity(base, conv, message('late', 'l1', 'user-4'), conv.token)).status).to.equal(403);
    expect((await fetch(`${base}/v3/directline/tokens/refresh`, { method: 'POST', headers: json(conv.token) })).status).to.equal(403);
    expect((await postActivity(base, conv, message('still here', 'l2', 'user-4'), newer.token)).status).to.equal(200);
  });

  it('answers 403 to a missing, wrong or foreign token and 404 to an unknown conversation', async () => {
    const conv = await startConversation(base, 'user-5');
    const other = await startConversation(base, 'user-6');
    const path = `${base}/v3/directline/conversations/${conv.conversationId}`;
    expect((await fetch(path)).status).to.equal(403);
    expect((await fetch(path, { headers: json('not-a-token') })).status).to.equal(403);
    expect((await fetch(path, { headers: json(other.token) })).status).to.equal(403);
    expect((await fetch(`${path}/activities`, { headers: json('nope') })).status).to.equal(403);
    expect((await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: json('nope') })).status).to.equal(403);
    const unknown = await fetch(`${base}/v3/directline/conversations/doesNotExist123/activities`, { headers: json(conv.token) });
    expect(unknown.status).to.equal(404);

    const connector = `${channel.directLine.serviceUrl()}/v3/conversations`;
    const reply = JSON.stringify({ type: 'message', text: 'hi' });
    expect((await fetch(`${connector}/doesNotExist123/activities`, { method: 'POST', headers: json(), body: reply })).status).to.equal(404);
    const wrongKey = `${base}/directline-connector/${'x'.repeat(24)}/v3/conversations/${conv.conversationId}/activities`;
    expect((await fetch(wrongKey, { method: 'POST', headers: json(), body: reply })).status).to.equal(404);
    expect(channel.directLine.activities(conv.conversationId).map((a) => a.text)).not.to.include('hi');
  });

  it('answers 413 to oversized bodies, 400 to bad activities, 501 to uploads', async () => {
    const conv = await startConversation(base, 'user-8');
    const bigBody = await postActivity(base, conv, { ...message('hi', 'big2', 'user-8'), value: 'y'.repeat(9000) });
    expect(bigBody.status).to.equal(413);
    const connector = `${channel.directLine.serviceUrl()}/v3/conversations/${conv.conversationId}/activities`;
    const bigReply = await fetch(connector, { method: 'POST', headers: json(), body: JSON.stringify({ type: 'message', text: 'z'.repeat(9000) }) });
    expect(bigReply.status).to.equal(413);

    expect((await postActivity(base, conv, { text: 'no type' })).status).to.equal(400);
    expect((await postActivity(base, conv, { type: 'invoke', name: 'x' })).status).to.equal(400);
    const notJson = await fetch(`${base}/v3/directline/conversations/${conv.conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${conv.token}` },
      body: '{not json',
    });
    expect(notJson.status).to.equal(400);
    const upload = await fetch(`${base}/v3/directline/conversations/${conv.conversationId}/upload?userId=user-8`, {
      method: 'POST',
      headers: { authorization: `Bearer ${conv.token}` },
    });
    expect(upload.status).to.equal(501);
    expect(((await upload.json()) as { error: { message: string } }).error.message).to.match(/upload/i);
    expect(channel.directLine.activities(conv.conversationId).map((a) => a.text)).to.deep.equal(['welcome']);
  });

  it('keeps and echoes a long text cut to maxTextLength at a word boundary, and gives the bot the whole text', async () => {
    const conv = await startConversation(base, 'user-12');
    await waitForKept(channel, conv.conversationId, 'welcome');
    const long = `${'parcel '.repeat(40)}END`; // 283 characters, over the 200 of this server
    const stream = await StreamClient.open(conv.streamUrl);
    try {
      const res = await postActivity(base, conv, message(long, 'long-1', 'user-12'));
      expect(res.status).to.equal(200);
      const { id } = (await res.json()) as { id: string };
      const echoed = await stream.waitFor((a) => a.id === id);
      expect(echoed.text).to.equal(shorten(long, 200));
      expect((echoed.text as string).length).to.be.at.most(200);
      // The bot read the whole message (its own input guard cuts it and tells the customer).
      await waitForKept(channel, conv.conversationId, `echo: ${long}`);
      expect(channel.directLine.activities(conv.conversationId).find((a) => a.id === id)?.text).to.equal(shorten(long, 200));
    } finally {
      await stream.close();
    }
  });

  it('answers CORS preflights allowing Authorization and x-ms-bot-agent', async () => {
    const res = await fetch(`${base}/v3/directline/conversations/abc/activities`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,x-ms-bot-agent' },
    });
    expect(res.status).to.equal(204);
    expect(res.headers.get('access-control-allow-origin')).to.equal('*');
    expect(res.headers.get('access-control-allow-headers')).to.match(/Authorization/).and.match(/x-ms-bot-agent/);
    const post = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { origin: 'http://example.test' } });
    expect(post.headers.get('access-control-allow-origin')).to.equal('*');
  });

  it('delivers proactive messages sent later with continueConversationAsync', async () => {
    const conv = await startConversation(base, 'user-9');
    await postActivity(base, conv, message('remember me', 'r1', 'user-9'));
    const ref = references.find((r) => r.conversation.id === conv.conversationId)!;
    const stream = await StreamClient.open(conv.streamUrl);
    try {
      await channel.adapter.continueConversationAsync('', ref, async (ctx) => {
        await ctx.sendActivity('An agent joined: hello!');
      });
      const pushed = await stream.waitFor((a) => a.text === 'An agent joined: hello!');
      expect(pushed.from).to.deep.include({ role: 'bot' });
      expect(pushed.id).to.contain(conv.conversationId);
    } finally {
      await stream.close();
    }
  });

  it('lets the bot update and delete its activities and list members', async () => {
    const conv = await startConversation(base, 'user-10');
    const connector = `${channel.directLine.serviceUrl()}/v3/conversations/${conv.conversationId}`;
    const posted = await fetch(`${connector}/activities`, { method: 'POST', headers: json(), body: JSON.stringify({ type: 'message', text: 'draft' }) });
    const { id } = (await posted.json()) as { id: string };
    const enc = encodeURIComponent(id);
    const put = await fetch(`${connector}/activities/${enc}`, { method: 'PUT', headers: json(), body: JSON.stringify({ type: 'message', text: 'final' }) });
    expect(put.status).to.equal(200);
    expect(channel.directLine.activities(conv.conversationId).find((a) => a.id === id)?.text).to.equal('final');
    const members = (await (await fetch(`${connector}/members`)).json()) as Array<{ id: string }>;
    expect(members.map((m) => m.id)).to.deep.equal(['warmline-bot', 'user-10']);
    expect((await fetch(`${connector}/activities/${enc}`, { method: 'DELETE' })).status).to.equal(200);
    expect(channel.directLine.activities(conv.conversationId).find((a) => a.id === id)).to.equal(undefined);
    expect((await fetch(`${connector}/activities/${enc}`, { method: 'DELETE' })).status).to.equal(404);
  });

  it('keeps a bounded number of activities per conversation', async () => {
    const conv = await startConversation(base, 'user-11');
    const connector = `${channel.directLine.serviceUrl()}/v3/conversations/${conv.conversationId}/activities`;
    for (let i = 0; i < 25; i++) {
      await fetch(connector, { method: 'POST', headers: json(), body: JSON.stringify({ type: 'message', text: `n${i}` }) });
    }
    const kept = channel.directLine.activities(conv.conversationId);
    expect(kept).to.have.length(20);
    expect(kept[kept.length - 1].text).to.equal('n24');
  });
});

describe('registerLocalDirectLine when the bot fails', () => {
  let channel: LocalChannel;
  let botStatus = 500;
  /** Messages answered 503 with Retry-After: 1 before the bot takes them (a storage blip). */
  let retryLater = 0;
  let bot: http.Server;
  let botUrl = '';
  const received: Array<{ type: string; conversationId: string }> = [];

  before(async () => {
    // A "bot" that answers conversationUpdate but fails messages, and can be switched off.
    bot = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const activity = JSON.parse(body) as { type: string; conversation: { id: string } };
        const type = activity.type;
        received.push({ type, conversationId: activity.conversation.id });
        if (type === 'message' && retryLater > 0) {
          retryLater -= 1;
          res.writeHead(503, { 'Retry-After': '1' });
          return void res.end();
        }
        res.writeHead(type === 'conversationUpdate' ? 200 : botStatus);
        res.end();
      });
    });
    await new Promise<void>((r) => bot.listen(0, '127.0.0.1', r));
    botUrl = `http://127.0.0.1:${(bot.address() as AddressInfo).port}/api/messages`;
    channel = await startLocalChannel({ directLine: { botEndpoint: () => botUrl } });
  });
  after(async () => {
    await channel.close();
    bot.close();
  });

  it('sends an activity again, as a channel does, when the bot answers 503 with Retry-After, and succeeds once it takes it', async () => {
    botStatus = 200;
    retryLater = 1;
    try {
      const conv = await startConversation(channel.base, 'u-retry');
      const before = received.filter((r) => r.type === 'message').length;
      const res = await postActivity(channel.base, conv, message('hello after a blip', 'r1', 'u-retry'));
      expect(res.status).to.equal(200);
      expect(received.filter((r) => r.type === 'message').length - before).to.equal(2);
    } finally {
      botStatus = 500;
      retryLater = 0;
    }
  });

  it('answers 502 when the bot answers an error, keeps the message, and stays up', async () => {
    const conv = await startConversation(channel.base, 'u-err');
    const res = await postActivity(channel.base, conv, message('my parcel is lost', 'e1', 'u-err'));
    expect(res.status).to.equal(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('BotError');
    expect(channel.directLine.activities(conv.conversationId).map((a) => a.text)).to.deep.equal(['my parcel is lost']);
    expect((await fetch(`${channel.base}/healthz`)).status).to.equal(200);
  });

  it('answers 502 when the bot is down, keeps the message, and welcomes once it is back', async () => {
    const down = await new Promise<string>((resolve) => {
      const s = http.createServer();
      s.listen(0, '127.0.0.1', () => {
        const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/messages`;
        s.close(() => resolve(url));
      });
    });
    const real = botUrl;
    botUrl = down;
    const conv = await startConversation(channel.base, 'u-down');
    const res = await postActivity(channel.base, conv, message('anyone there?', 'd1', 'u-down'));
    expect(res.status).to.equal(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('BotUnreachable');
    expect(channel.directLine.activities(conv.conversationId).map((a) => a.text)).to.deep.equal(['anyone there?']);

    botUrl = real;
    botStatus = 200;
    const ok = await postActivity(channel.base, conv, message('hello?', 'd2', 'u-down'));
    expect(ok.status).to.equal(200);
    // The bot never saw the first conversationUpdate, so it gets it now, once, before the message.
    expect(received.filter((r) => r.conversationId === conv.conversationId).map((r) => r.type)).to.deep.equal([
      'conversationUpdate',
      'message',
    ]);
  });

  it('answers 504 when the bot does not answer in time', async () => {
    const slow = http.createServer(() => undefined);
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const server = restify.createServer();
    let base = '';
    const dl = registerLocalDirectLine(server, {
      botEndpoint: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/api/messages`,
      publicBaseUrl: () => base,
      botTimeoutMs: 300,
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // This server has no body parser at all: the routes read their own bodies.
      const start = (await (await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: json(), body: '{}' })).json()) as Conversation;
      const res = await postActivity(base, start, message('hi', 's1'));
      expect(res.status).to.equal(504);
      expect(dl.activities(start.conversationId).map((a) => a.text)).to.deep.equal(['hi']);
    } finally {
      await dl.close();
      slow.closeAllConnections();
      slow.close();
      server.close();
    }
  });
});

describe('registerLocalDirectLine limits and options', () => {
  it('refuses new conversations past maxConversations with 429 only while all are in use, until tokens expire', async () => {
    let clock = 0;
    const channel = await startLocalChannel({ directLine: { maxConversations: 2, now: () => clock, tokenLifetimeMs: 60_000 } });
    try {
      const start = () => fetch(`${channel.base}/v3/directline/conversations`, { method: 'POST', headers: json() });
      // In use: one with a message from the user, one with an open stream.
      const talking = await startConversation(channel.base, 'u-talk');
      expect((await postActivity(channel.base, talking, message('hello', 't1', 'u-talk'))).status).to.equal(200);
      const watching = await startConversation(channel.base, 'u-watch');
      const stream = await StreamClient.open(watching.streamUrl);
      try {
        const full = await start();
        expect(full.status).to.equal(429);
        expect(Number(full.headers.get('retry-after'))).to.be.greaterThan(0);
        clock += 61_000; // the talking one's tokens expire; the watched one stays while its stream is open
        expect((await start()).status).to.equal(201);
        expect(channel.directLine.conversationIds()).to.have.length(2);
        expect(channel.directLine.conversationIds()).to.include(watching.conversationId);
      } finally {
        await stream.close();
      }
    } finally {
      await channel.close();
    }
  });

  it('sweeps conversations whose tokens expired and that have no open stream', async () => {
    let clock = 0;
    const channel = await startLocalChannel({ directLine: { now: () => clock, tokenLifetimeMs: 60_000, socketPingMs: 100 } });
    try {
      const idle = await startConversation(channel.base, 'u-idle');
      const watched = await startConversation(channel.base, 'u-watch');
      const stream = await StreamClient.open(watched.streamUrl);
      clock += 61_000;
      await sleep(250);
      expect(channel.directLine.conversationIds()).to.deep.equal([watched.conversationId]);
      expect(channel.directLine.conversationIds()).not.to.include(idle.conversationId);
      await stream.close();
    } finally {
      await channel.close();
    }
  });

  it('rejects bad options at start-up', () => {
    const server = restify.createServer();
    expect(() => registerLocalDirectLine(server, { botEndpoint: 'x', publicBaseUrl: 'nope' as unknown as () => string })).to.throw(TypeError, /publicBaseUrl/);
    expect(() => registerLocalDirectLine(server, { botEndpoint: 'x', publicBaseUrl: () => '', maxConversations: 0 })).to.throw(TypeError, /maxConversations/);
    const bad = (options: Partial<Parameters<typeof registerLocalDirectLine>[1]>) => () =>
      registerLocalDirectLine(server, { botEndpoint: 'x', publicBaseUrl: () => '', ...options });
    expect(bad({ conversationRate: { points: 0, windowMs: 60_000 } })).to.throw(TypeError, /conversationRate\.points/);
    expect(bad({ activityRate: { points: 10, windowMs: 10 } })).to.throw(TypeError, /activityRate\.windowMs/);
    expect(bad({ maxConversationBytes: 100 })).to.throw(TypeError, /maxConversationBytes/);
    expect(bad({ maxConversationBytes: 8192, maxActivityBytes: 16384 })).to.throw(TypeError, /maxActivityBytes/);
  });

  it('closes its sockets on close()', async () => {
    const channel = await startLocalChannel();
    const conv = await startConversation(channel.base, 'u-close');
    const stream = await StreamClient.open(conv.streamUrl);
    expect(channel.directLine.openSockets()).to.equal(1);
    const closed = new Promise<number>((r) => stream.ws.once('close', (code: number) => r(code)));
    await channel.close();
    expect(await closed).to.equal(1001);
  });
});
