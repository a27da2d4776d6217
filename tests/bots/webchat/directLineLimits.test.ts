import { expect } from 'chai';
import * as http from 'node:http';
import { clientAddressKey } from '../../../bots/webchat/clientAddressKey';
import { startLocalChannel, StreamClient, type LocalChannel } from './localChannelHarness';

interface Conversation {
  conversationId: string;
  token: string;
  streamUrl: string;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A request from a chosen loopback address (127.0.0.0/8 is all loopback on Linux), as a distinct client would send it. */
function requestFrom(from: string, base: string, method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        localAddress: from,
        agent: false,
        headers: {
          'content-type': 'application/json',
          ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const start = (from: string, base: string) => requestFrom(from, base, 'POST', '/v3/directline/conversations', {});
const post = (from: string, base: string, conv: Conversation, activity: Record<string, unknown>) =>
  requestFrom(from, base, 'POST', `/v3/directline/conversations/${conv.conversationId}/activities`, activity, conv.token);
const say = (text: string) => ({ type: 'message', text, from: { id: 'limits-user' }, channelData: { clientActivityID: text } });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitForKept(channel: LocalChannel, conversationId: string, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (channel.directLine.activities(conversationId).some((a) => a.text === text)) return;
    await sleep(20);
  }
  throw new Error(`no activity "${text}" kept`);
}

describe('local Direct Line: limits per client address', () => {
  it('limits new conversations per address with 429 and Retry-After, and a burst from one address locks no one else out', async () => {
    const channel = await startLocalChannel({ directLine: { conversationRate: { points: 3, windowMs: 60_000 }, maxConversations: 10 } });
    try {
      const burst: number[] = [];
      for (let i = 0; i < 8; i++) burst.push((await start('127.0.0.2', channel.base)).status);
      expect(burst).to.deep.equal([201, 201, 201, 429, 429, 429, 429, 429]);
      const refused = await start('127.0.0.2', channel.base);
      expect(refused.status).to.equal(429);
      expect(Number(refused.headers['retry-after'])).to.be.within(1, 60);
      expect(refused.body).to.deep.include({ error: { code: 'TooManyRequests', message: 'Too many new conversations from this address; try again later.' } });
      // Another address is counted on its own.
      expect((await start('127.0.0.3', channel.base)).status).to.equal(201);
      expect(channel.directLine.conversationIds()).to.have.length(4);
    } finally {
      await channel.close();
    }
  });

  it('limits posted activities per address with 429 and Retry-After, without touching other addresses', async () => {
    const channel = await startLocalChannel({ directLine: { activityRate: { points: 4, windowMs: 60_000 } } });
    try {
      const a = (await start('127.0.0.4', channel.base)).body as Conversation;
      const b = (await start('127.0.0.5', channel.base)).body as Conversation;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await post('127.0.0.4', channel.base, a, say(`a${i}`))).status);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 429, 429]);
      const refused = await post('127.0.0.4', channel.base, a, { type: 'typing' });
      expect(refused.status).to.equal(429);
      expect(Number(refused.headers['retry-after'])).to.be.within(1, 60);
      // The refused messages were not kept nor sent to the bot.
      expect(channel.directLine.activities(a.conversationId).map((x) => x.text)).not.to.include('a4');
      expect((await post('127.0.0.5', channel.base, b, say('b0'))).status).to.equal(200);
    } finally {
      await channel.close();
    }
  });

  it('replaces the oldest unused conversation when full, so a burst of empty conversations does not lock others out', async () => {
    const channel = await startLocalChannel({ directLine: { maxConversations: 4, conversationRate: { points: 100, windowMs: 60_000 } } });
    try {
      const used = (await start('127.0.0.6', channel.base)).body as Conversation;
      expect((await post('127.0.0.6', channel.base, used, say('hello'))).status).to.equal(200);
      const watched = (await start('127.0.0.6', channel.base)).body as Conversation;
      const stream = await StreamClient.open(watched.streamUrl);
      try {
        // A burst of conversations nobody uses: each new one replaces the oldest unused one.
        const burst: Conversation[] = [];
        for (let i = 0; i < 20; i++) {
          const res = await start('127.0.0.8', channel.base);
          expect(res.status, `burst ${i}`).to.equal(201);
          burst.push(res.body as Conversation);
        }
        const kept = channel.directLine.conversationIds();
        expect(kept).to.have.length(4);
        expect(kept).to.include.members([used.conversationId, watched.conversationId, burst[18].conversationId, burst[19].conversationId]);
        // Another client still gets in; a replaced conversation is gone with its token.
        expect((await start('127.0.0.9', channel.base)).status).to.equal(201);
        const gone = await requestFrom('127.0.0.8', channel.base, 'GET', `/v3/directline/conversations/${burst[0].conversationId}`, undefined, burst[0].token);
        expect(gone.status).to.be.oneOf([403, 404]);
      } finally {
        await stream.close();
      }
    } finally {
      await channel.close();
    }
  });
});

describe('local Direct Line: memory kept per conversation', () => {
  let channel: LocalChannel;
  before(async () => {
    channel = await startLocalChannel({
      directLine: { maxActivityBytes: 2048, maxConversationBytes: 8192, maxActivitiesPerConversation: 50, maxBodyBytes: 64 * 1024 },
    });
  });
  after(async () => channel.close());

  const connector = (conversationId: string) => `${channel.directLine.serviceUrl()}/v3/conversations/${conversationId}/activities`;
  const botPost = (conversationId: string, activity: Record<string, unknown>) =>
    fetch(connector(conversationId), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const keptBytes = (conversationId: string) =>
    channel.directLine.activities(conversationId).reduce((sum, a) => sum + Buffer.byteLength(JSON.stringify(a)), 0);

  it('refuses with 413 a user activity too large to keep, and keeps nothing of it', async () => {
    const conv = (await start('127.0.0.1', channel.base)).body as Conversation;
    const big = await post('127.0.0.1', channel.base, conv, { ...say('hi'), channelData: { clientActivityID: 'big', blob: 'x'.repeat(3000) } });
    expect(big.status).to.equal(413);
    expect(big.body).to.deep.include({ error: { code: 'MessageSizeTooBig', message: 'The activity is larger than 2048 bytes.' } });
    const typing = await post('127.0.0.1', channel.base, conv, { type: 'typing', value: 'y'.repeat(3000) });
    expect(typing.status).to.equal(413);
    expect(channel.directLine.activities(conv.conversationId).map((a) => a.text)).not.to.include('hi');
  });

  it('refuses with 413 a bot activity (or an update) too large to keep, and keeps the original', async () => {
    const conv = (await start('127.0.0.1', channel.base)).body as Conversation;
    expect((await botPost(conv.conversationId, { type: 'message', text: 'z'.repeat(3000) })).status).to.equal(413);
    const small = await botPost(conv.conversationId, { type: 'message', text: 'small' });
    const { id } = (await small.json()) as { id: string };
    const put = await fetch(`${connector(conv.conversationId)}/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'w'.repeat(3000) }),
    });
    expect(put.status).to.equal(413);
    expect(channel.directLine.activities(conv.conversationId).find((a) => a.id === id)?.text).to.equal('small');
  });

  it('keeps at most maxConversationBytes per conversation, dropping the oldest, and still serves watermarks', async () => {
    const conv = (await start('127.0.0.1', channel.base)).body as Conversation;
    for (let i = 0; i < 40; i++) {
      const res = await botPost(conv.conversationId, { type: 'message', text: `n${i} ${'p'.repeat(1500)}` });
      expect(res.status).to.equal(200);
      expect(keptBytes(conv.conversationId), `after ${i}`).to.be.at.most(8192);
    }
    const kept = channel.directLine.activities(conv.conversationId);
    expect(kept.length).to.be.within(2, 8);
    expect((kept[kept.length - 1].text as string).startsWith('n39 ')).to.equal(true);
    const poll = await requestFrom('127.0.0.1', channel.base, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities?watermark=0`, undefined, conv.token);
    const page = poll.body as { activities: Array<{ text: string }>; watermark: string };
    expect(page.activities.map((a) => a.text)).to.deep.equal(kept.map((a) => a.text));
    expect(page.watermark).to.equal('40');
  });

  it('bounds the memory of a conversation flooded with maximal user activities', async () => {
    const conv = (await start('127.0.0.1', channel.base)).body as Conversation;
    for (let i = 0; i < 30; i++) {
      const res = await post('127.0.0.1', channel.base, conv, { ...say(`m${i}`), channelData: { clientActivityID: `m${i}`, pad: 'q'.repeat(1200) } });
      expect(res.status).to.equal(200);
    }
    await waitForKept(channel, conv.conversationId, 'echo: m29');
    expect(keptBytes(conv.conversationId)).to.be.at.most(8192);
  });
});

describe('clientAddressKey', () => {
  it('keys IPv4 (also IPv4-mapped) by address and IPv6 by its /64', () => {
    expect(clientAddressKey('203.0.113.9')).to.equal('203.0.113.9');
    expect(clientAddressKey('::ffff:203.0.113.9')).to.equal('203.0.113.9');
    expect(clientAddressKey('2001:db8:1:2:3:4:5:6')).to.equal('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8:1:2::99')).to.equal('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:DB8:0001:0002:ffff::1')).to.equal('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).to.equal('0:0:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
    expect(clientAddressKey(undefined)).to.equal('unknown');
    expect(clientAddressKey('not an address')).to.equal('unknown');
  });
});
