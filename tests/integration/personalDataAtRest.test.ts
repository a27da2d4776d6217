import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { directLineMessage, teamsMessage, type WireActivity } from '../helpers/channelActivities';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../middleware/handoff/testRedis';
import { startApp, type RunningApp } from './appHarness';
import { signWebhook } from '../../middleware/handoff/hubs/webhookSigning';

const ALICE = { userId: '29:agent-alice-0001', userName: 'Alice Martin', conversationId: 'a:alice-watch-personal' };
const CUSTOMER = 'DL-pii-at-rest';

// Every way the three personal data are written in this conversation.
const CARD = ['4242 4242 4242 4242', '4242-4242-4242-4242', '4242424242424242'];
const EMAIL = ['sam.customer@example.com'];
const PHONE = ['+33 6 12 34 56 78', '06 12 34 56 78', '+33612345678', '0612345678'];
const PERSONAL = [...CARD, ...EMAIL, ...PHONE];
const WEBHOOK_SECRET = 'a-webhook-secret-of-32-characters!';

/** Every key under `prefix` with everything it holds (key name, values, members, scores) as one string. */
async function dump(redis: Redis, prefix: string): Promise<Array<{ key: string; type: string; ttl: number; content: string }>> {
  const out: Array<{ key: string; type: string; ttl: number; content: string }> = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let content: unknown;
      if (type === 'string') content = await redis.get(key);
      else if (type === 'hash') content = await redis.hgetall(key);
      else if (type === 'list') content = await redis.lrange(key, 0, -1);
      else if (type === 'set') content = await redis.smembers(key);
      else if (type === 'zset') content = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else content = `(${type})`;
      out.push({ key, type, ttl: await redis.pttl(key), content: `${key}\n${JSON.stringify(content)}` });
    }
  } while (cursor !== '0');
  return out;
}

describe('personal data at rest: a whole handoff on real Redis leaves no card number, e-mail or phone number', function () {
  this.timeout(30000);
  let redis: Redis;
  let run: RunningApp;
  let prefix: string;

  before(async function () {
    if (skipRedis()) this.skip();
    redis = await connectTestRedis();
    prefix = uniquePrefix('pii');
    run = await startApp({
      STORAGE: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      WARMLINE_AGENTS: `msteams:${ALICE.userId}`,
      // A hub that cannot be reached: its deliveries stay in the outbox, which is scanned too.
      WEBHOOK_URL: 'http://127.0.0.1:9/hub',
      WEBHOOK_SECRETS: WEBHOOK_SECRET,
      RETENTION_DAYS: '30',
    });
  });

  after(async () => {
    await run?.app.handoff.idle();
    await run?.stop();
    if (redis) {
      await deleteKeys(redis, prefix);
      await redis.quit();
    }
  });

  const post = async (activity: WireActivity) => expect((await run.post(activity)).status).to.equal(200);
  const customer = (text: string) => post(directLineMessage(text, { serviceUrl: run.connector.url, conversationId: CUSTOMER, userId: 'u-sam', userName: 'Sam' }));
  const alice = (text: string) => post(teamsMessage(text, { serviceUrl: run.connector.url, ...ALICE }));

  it('after messages in every phase and a close note carrying all three, no key or value holds any of them, and every data key expires', async () => {
    await alice('online');
    await customer('Someone stole my card 4242 4242 4242 4242 and made payments I do not recognise');
    const opened = await run.app.handoff.customers.findOpenCase(`directline/${CUSTOMER}`);
    expect(opened?.state).to.equal('queued');
    await customer('you can write to sam.customer@example.com or call +33 6 12 34 56 78, card 4242-4242-4242-4242');
    await alice(`accept ${opened?.id}`);
    await customer('again: 4242424242424242, sam.customer@example.com, 06 12 34 56 78');
    await alice('I will call you on 0612345678 and write to sam.customer@example.com about card 4242 4242 4242 4242');
    await alice(`close: card 4242 4242 4242 4242 blocked, called +33612345678, confirmed by sam.customer@example.com`);
    await customer('5');
    await run.app.handoff.idle();
    await new Promise((r) => setTimeout(r, 100)); // transcript writes happen after each turn

    // What the live parties saw is not the point here: the agent and the customer read their messages.
    expect(run.connector.activities(ALICE.conversationId).some((a) => (a.text ?? '').includes('sam.customer@example.com'))).to.equal(true);

    const keys = await dump(redis, prefix);
    if (process.env.DUMP) console.log(keys.map((k) => `${k.type} ${k.ttl} ${k.content.slice(0, 300)}`).join("\n"));
    expect(keys.length, 'the run wrote to Redis').to.be.above(10);
    const kinds = new Set(keys.map((k) => k.key.slice(prefix.length).split(':')[0]));
    for (const kind of ['state', 'transcript', 'handoff', 'activity', 'outbox']) expect(kinds, `keys of kind ${kind}`).to.include(kind);
    for (const k of keys) {
      for (const pii of PERSONAL) expect(k.content, `${k.key} holds "${pii}"`).to.not.include(pii);
    }
    // Shared indexes hold case ids only and have no TTL of their own (their entries are removed with the cases);
    // every other key expires within the retention (open cases one day later, see RedisHandoffStore).
    const retentionMs = 31 * 24 * 3600_000;
    const indexes = /^handoff:(queue|open|idle|presence|state:[a-z_]+|agent:.+|outbox:due|outbox:failed)$|^outbox:(due|failed)$/;
    for (const k of keys) {
      const name = k.key.slice(prefix.length);
      if (indexes.test(name)) continue;
      expect(k.ttl, `${name} expires`).to.be.above(0);
      expect(k.ttl, `${name} expires within the retention`).to.be.at.most(retentionMs);
    }
    const closed = await run.app.handoff.store.get(opened?.id ?? '', { liveChat: true });
    expect(closed?.state).to.equal('resolved');
    expect(closed?.agentNotes[0]?.text).to.equal('card [card •••• 4242] blocked, called [phone], confirmed by [email]');
    expect(closed?.satisfaction).to.equal(5);
  });

  it('the order e-mail path, a display name that is an e-mail and a hub closing with a message leave none of them either', async () => {
    const conversationId = 'DL-pii-purpose';
    const say = (text: string, userName = 'sam.customer@example.com') =>
      post(directLineMessage(text, { serviceUrl: run.connector.url, conversationId, userId: 'u-purpose', userName }));
    await say('where is my parcel?');
    await say("I don't have the tracking number");
    await say('sam.customer@example.com');
    await say('I want to speak to a human please');
    const c = await run.app.handoff.customers.findOpenCase(`directline/${conversationId}`);
    expect(c?.collected.orderEmail, 'the order e-mail reached the case for its agent').to.equal('sam.customer@example.com');
    expect(c?.purposeKeys).to.deep.equal(['orderEmail']);
    expect(c?.customer.name).to.equal('[email]');
    // A hub takes the case, then closes it with a message quoting personal data (signed, as the hub does).
    const status = async (body: Record<string, unknown>) => {
      const raw = JSON.stringify(body);
      const res = await fetch(`${run.url}/api/hub/status`, { method: 'POST', headers: { 'content-type': 'application/json', ...signWebhook(raw, WEBHOOK_SECRET) }, body: raw });
      expect(res.status, raw).to.equal(200);
    };
    await status({ caseId: c?.id, state: 'accepted', agent: { id: 'crm-agent-7', name: 'CRM agent' } });
    await status({ caseId: c?.id, state: 'completed', message: 'refund to card 4242 4242 4242 4242, mailed sam.customer@example.com, called +33 6 12 34 56 78' });
    await run.app.handoff.idle();
    await new Promise((r) => setTimeout(r, 100));
    const closed = await run.app.handoff.store.get(c?.id ?? '');
    expect(closed?.state).to.equal('resolved');
    expect(closed?.collected.orderEmail, 'purpose data erased with the case').to.equal(undefined);
    for (const k of await dump(redis, prefix)) {
      for (const pii of PERSONAL) expect(k.content, `${k.key} holds "${pii}"`).to.not.include(pii);
    }
  });
});
