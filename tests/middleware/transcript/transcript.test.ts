import { expect } from 'chai';
import { ActivityTypes, TestAdapter, TranscriptLoggerMiddleware, type Activity } from 'botbuilder';
import type { Redis } from 'ioredis';
import type { TranscriptEntry } from '../../../middleware/handoff/handoffCase';
import { InputGuardMiddleware } from '../../../middleware/inputGuardMiddleware';
import { MemoryTranscriptStore } from '../../../middleware/handoff/transcripts/memoryTranscriptStore';
import { RedactingTranscriptLogger } from '../../../middleware/redactingTranscriptLogger';
import { RedisTranscriptStore } from '../../../middleware/handoff/transcripts/redisTranscriptStore';
import { markTranscriptRole } from '../../../middleware/transcriptRole';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../handoff/testRedis';

const entry = (text: string, role: TranscriptEntry['role'] = 'customer'): TranscriptEntry => ({ role, text, at: '2026-01-01T00:00:00.000Z' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MemoryTranscriptStore', () => {
  it('keeps the most recent entries per conversation, oldest first, and reads the last N', async () => {
    const store = new MemoryTranscriptStore({ maxEntries: 3 });
    await store.append('c/1', [entry('a'), entry('b')]);
    await store.append('c/1', [entry('c'), entry('d')]);
    expect((await store.read('c/1')).map((e) => e.text)).to.deep.equal(['b', 'c', 'd']);
    expect((await store.read('c/1', 2)).map((e) => e.text)).to.deep.equal(['c', 'd']);
    expect(await store.read('c/unknown')).to.deep.equal([]);
    await store.clear('c/1');
    expect(await store.read('c/1')).to.deep.equal([]);
  });

  it('forgets the least recently written conversation beyond its bound, and copies in and out', async () => {
    const store = new MemoryTranscriptStore({ maxConversations: 2 });
    await store.append('c/1', [entry('one')]);
    await store.append('c/2', [entry('two')]);
    await store.append('c/1', [entry('one again')]);
    await store.append('c/3', [entry('three')]);
    expect(await store.read('c/2')).to.deep.equal([]);
    expect((await store.read('c/1')).map((e) => e.text)).to.deep.equal(['one', 'one again']);
    const read = await store.read('c/3');
    (read[0] as { text: string }).text = 'changed';
    expect((await store.read('c/3'))[0]?.text).to.equal('three');
  });

  it('rejects bad bounds at construction', () => {
    expect(() => new MemoryTranscriptStore({ maxEntries: 0 })).to.throw(TypeError, /maxEntries/);
    expect(() => new MemoryTranscriptStore({ maxConversations: 1.5 })).to.throw(TypeError, /maxConversations/);
  });
});

describe('RedisTranscriptStore (real Redis)', () => {
  let redis: Redis;
  const prefix = uniquePrefix('transcript');
  before(async function () {
    if (skipRedis()) this.skip();
    redis = await connectTestRedis();
  });
  after(async () => {
    if (!redis) return;
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('keeps a capped list per conversation with an expiry, under its prefix', async () => {
    const store = new RedisTranscriptStore({ redis, keyPrefix: prefix, maxEntries: 3, ttlSeconds: 60 });
    await store.append('directline/x', [entry('a'), entry('b', 'bot')]);
    await store.append('directline/x', [entry('c'), entry('d', 'agent')]);
    expect(await store.read('directline/x')).to.deep.equal([entry('b', 'bot'), entry('c'), entry('d', 'agent')]);
    expect((await store.read('directline/x', 1)).map((e) => e.text)).to.deep.equal(['d']);
    const ttl = await redis.ttl(`${prefix}directline/x`);
    expect(ttl).to.be.within(1, 60);
    await store.clear('directline/x');
    expect(await store.read('directline/x')).to.deep.equal([]);
  });

  it('is shared by two instances (a restarted process reads what the first wrote)', async () => {
    const a = new RedisTranscriptStore({ redis: 'redis://127.0.0.1:6379', keyPrefix: prefix });
    await a.append('msteams/y', [entry('hello')]);
    await a.dispose();
    const b = new RedisTranscriptStore({ redis, keyPrefix: prefix });
    expect((await b.read('msteams/y')).map((e) => e.text)).to.deep.equal(['hello']);
  });
});

describe('RedactingTranscriptLogger', () => {
  const message = (over: Partial<Activity>): Activity =>
    ({
      type: ActivityTypes.Message,
      channelId: 'webchat',
      conversation: { id: 'conv-1' },
      from: { id: 'u1', role: 'user' },
      timestamp: new Date('2026-02-03T04:05:06Z'),
      ...over,
    }) as Activity;

  it('stores redacted lines with roles, under channel/conversation', async () => {
    const store = new MemoryTranscriptStore();
    const logger = new RedactingTranscriptLogger(store);
    await logger.logActivity(message({ text: 'my card is 4242 4242 4242 4242 and mail a.b@example.com' }));
    await logger.logActivity(message({ text: 'Thanks, I can help.', from: { id: 'bot', name: 'bot', role: 'bot' } }));
    await logger.logActivity(markTranscriptRole(message({ text: 'Agent here', from: { id: 'bot', name: 'bot', role: 'bot' } }), 'agent'));
    const lines = await store.read('webchat/conv-1');
    expect(lines.map((l) => l.role)).to.deep.equal(['customer', 'bot', 'agent']);
    expect(lines[0]?.text).to.equal('my card is [card •••• 4242] and mail [email]');
    expect(lines[0]?.at).to.equal('2026-02-03T04:05:06.000Z');
  });

  it('skips non-messages, empty messages and what the skip option names; cards are noted, not dumped', async () => {
    const store = new MemoryTranscriptStore();
    const logger = new RedactingTranscriptLogger(store, { skip: (a) => a.from?.id === 'agent-1' });
    await logger.logActivity(message({ type: ActivityTypes.Typing }));
    await logger.logActivity(message({ text: '   ' }));
    await logger.logActivity(message({ text: 'agent chatter', from: { id: 'agent-1', name: 'A' } }));
    await logger.logActivity(message({ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { secret: 'x' } }] }));
    expect((await store.read('webchat/conv-1')).map((l) => l.text)).to.deep.equal(['[card]']);
  });

  it('never throws into the turn when the store fails', async () => {
    const errors: unknown[] = [];
    const failing = { append: async () => Promise.reject(new Error('down')), read: async () => [], clear: async () => undefined };
    const logger = new RedactingTranscriptLogger(failing, { onError: (e) => errors.push(e) });
    await logger.logActivity(message({ text: 'hello' }));
    expect(errors).to.have.length(1);
  });
});

describe("RedactingTranscriptLogger in botbuilder's TranscriptLoggerMiddleware", () => {
  it('records a message the input guard shortened as shortened (redacted), like the bot sees it; replies are bot lines', async () => {
    const store = new MemoryTranscriptStore();
    const seen: string[] = [];
    const adapter = new TestAdapter(async (ctx) => {
      seen.push(ctx.activity.text);
      await ctx.sendActivity('ok');
      await ctx.sendActivity(markTranscriptRole({ type: ActivityTypes.Message, text: 'from the agent' }, 'agent'));
    })
      .use(new InputGuardMiddleware({ maxTextChars: 100 }))
      .use(new TranscriptLoggerMiddleware(new RedactingTranscriptLogger(store)));
    const long = `${'word '.repeat(10)}call me at +33 6 12 34 56 78 please ${'word '.repeat(30)}`;
    await adapter.send(long).assertReply((a) => expect(a.text).to.match(/long message/)).assertReply('ok').assertReply('from the agent').startTest();
    await sleep(20);
    expect(seen[0]?.length).to.be.at.most(100);
    const lines = await store.read('test/Convo1');
    const customer = lines.find((l) => l.role === 'customer');
    expect(customer?.text).to.contain('call me at [phone] please');
    expect(customer?.text.length).to.be.at.most(100);
    expect(customer?.text).to.equal(seen[0]?.replace('+33 6 12 34 56 78', '[phone]').trim());
    expect(lines.filter((l) => l.role === 'bot').map((l) => l.text)).to.include('ok');
    expect(lines.filter((l) => l.role === 'agent').map((l) => l.text)).to.deep.equal(['from the agent']);
  });

  it('stores redacted customer, bot and agent lines in order, cards as [card], typing left out', async () => {
    const store = new MemoryTranscriptStore();
    const adapter = new TestAdapter(async (ctx) => {
      await ctx.sendActivity(`got ${ctx.activity.text}, mail me at jo@example.com`);
      await ctx.sendActivity({ type: ActivityTypes.Typing });
      await ctx.sendActivities([
        { type: ActivityTypes.Message, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: {} }] },
        markTranscriptRole({ type: ActivityTypes.Message, text: 'agent here' }, 'agent'),
      ]);
    }).use(new InputGuardMiddleware({ maxTextChars: 40 })).use(new TranscriptLoggerMiddleware(new RedactingTranscriptLogger(store)));
    await adapter.send('hello').assertReply((a) => expect(a.text).to.match(/got hello/)).assertReply((a) => expect(a.type).to.equal('typing')).assertReply(() => undefined).assertReply('agent here').startTest();
    await adapter
      .send(`my card 4242 4242 4242 4242 ${'and more words '.repeat(5)}`)
      .assertReply((a) => expect(a.text).to.match(/long message/))
      .assertReply((a) => expect(a.text).to.match(/^got /)).assertReply(() => undefined).assertReply(() => undefined).assertReply(() => undefined).startTest();
    await sleep(20);
    const lines = (await store.read('test/Convo1')).map((l) => `${l.role}: ${l.text}`);
    expect(lines).to.deep.equal([
      'customer: hello',
      'bot: got hello, mail me at [email]',
      'bot: [card]',
      'agent: agent here',
      'customer: my card [card •••• 4242] and more',
      lines[5],
      'bot: [card]',
      'agent: agent here',
    ]);
    expect(lines[5]).to.match(/^bot: got my card \[card •••• 4242\]/);
  });
});
