import { expect } from 'chai';
import { createHmac, randomUUID } from 'node:crypto';
import { MESSAGES } from '../../dialogs/messages';
import { DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';
import type { TrackingProvider, TrackingResult } from '../../dialogs/tracking/trackingProvider';
import { proactiveTexts } from '../../middleware/proactive/proactiveMessages';
import { demoAfterShipPayload, type DemoEventStatus } from '../../bots/carriers/registerDemoCarrierEventRoute';
import { directLineMessage, teamsMessage } from '../helpers/channelActivities';
import { startApp, type RunningApp } from './appHarness';
import type { Redis } from 'ioredis';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../middleware/handoff/testRedis';

const SECRET = 'aftership-test-secret-0123456789';
const ALICE = { userId: '29:agent-alice-0001', userName: 'Alice Martin', conversationId: 'a:alice-proactive' };

let seq = 0;
const convId = (name: string) => `DL-proactive-${name}-${process.pid}-${++seq}`;
const inTransit = DEMO_PARCELS.find((p) => p.status === 'in_transit')?.trackingNumber ?? '';

/**
 * Issue 15, acceptance over the real endpoint (createApp): a web chat customer tracks a demo parcel; a signed
 * AfterShip event for it arrives; the customer is told first, in their language, once; unsigned events get 401; an
 * exception for a customer who was angry earlier opens a high-priority case an online agent sees.
 */
const ENV = { AFTERSHIP_WEBHOOK_SECRET: SECRET, PROACTIVE_QUIET_HOURS: 'off', WARMLINE_AGENTS: `msteams:${ALICE.userId}` };
const redisEnv = (prefix: string) => ({ STORAGE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix });

for (const redis of [false, true]) describe(`proactive care over HTTP (signed AfterShip events, web chat, Teams agent; ${redis ? 'Redis' : 'memory'})`, function () {
  this.timeout(30000);
  let run: RunningApp;
  let cleaner: Redis | undefined;
  const prefix = uniquePrefix('proactive-http');
  before(async function () {
    if (redis && skipRedis()) this.skip();
    if (redis) cleaner = await connectTestRedis();
    run = await startApp({ ...ENV, ...(redis ? redisEnv(prefix) : {}) });
  });
  after(async () => {
    await run?.app.handoff.idle();
    await run?.stop();
    if (cleaner) {
      await deleteKeys(cleaner, prefix);
      cleaner.disconnect();
    }
  });

  const customer = async (conversationId: string, text: string, locale = 'en-US') => {
    const res = await run.post(directLineMessage(text, { serviceUrl: run.connector.url, conversationId, userId: `u-${conversationId}`, locale }));
    expect(res.status).to.equal(200);
  };
  const texts = (conversationId: string) => run.connector.activities(conversationId).map((a) => a.text ?? a.summary ?? '');
  const postEvent = async (payload: Record<string, unknown>, sign = true) => {
    const raw = JSON.stringify(payload);
    const res = await fetch(`${run.url}/api/carrier-events/aftership`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(sign ? { 'aftership-hmac-sha256': createHmac('sha256', SECRET).update(raw).digest('base64') } : {}) },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const event = (status: DemoEventStatus) => demoAfterShipPayload(inTransit, status, Date.now());

  it('tells a web chat customer first, in English, that their parcel is late; the same event again sends nothing; unsigned is 401', async () => {
    const c = convId('en');
    await customer(c, `where is ${inTransit}?`);
    await run.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('en').watching);
    const before = texts(c).length;

    const delay = event('delayed');
    expect((await postEvent(delay, false)).status).to.equal(401);
    const first = await postEvent(delay);
    expect(first).to.deep.equal({ status: 200, body: { accepted: true } });
    const told = await run.connector.waitFor((x) => x.conversationId === c && /running late/.test(x.activity.text ?? ''));
    expect(told.activity.text).to.contain(`…${inTransit.slice(-4)}`).and.not.contain(inTransit);
    expect(told.activity.replyToId ?? told.replyToId, 'a message sent first answers nothing').to.equal(undefined);

    expect(await postEvent(delay)).to.deep.equal({ status: 200, body: { duplicate: true } });
    // Another event with the same news (a new id, the same date) is not told twice either.
    await postEvent({ ...delay, event_id: randomUUID() });
    await run.app.handoff.idle();
    await new Promise((r) => setTimeout(r, 200));
    expect(texts(c).length - before, texts(c).slice(before).join(' | ')).to.equal(1);
  });

  it('speaks French to a French customer, and "arrêter les notifications" stops it', async () => {
    const c = convId('fr');
    await customer(c, `où est mon colis ${inTransit} ?`, 'fr-FR');
    await run.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('fr').watching);
    await postEvent(event('damaged'));
    await run.connector.waitFor((x) => x.conversationId === c && /endommagé/.test(x.activity.text ?? ''));
    await customer(c, 'arrêter les notifications', 'fr-FR');
    expect(texts(c).at(-1)).to.equal(proactiveTexts('fr').stopped(1));
    const count = texts(c).length;
    await postEvent(event('lost'));
    await new Promise((r) => setTimeout(r, 300));
    expect(texts(c).length).to.equal(count);
  });

  it('"tell me when it\'s delivered": out for delivery and delivered are told too', async () => {
    const c = convId('delivery');
    await customer(c, `track ${inTransit}`);
    await customer(c, "tell me when it's delivered");
    expect(texts(c).at(-1)).to.equal(proactiveTexts('en').watchingDelivery);
    await postEvent(event('out_for_delivery'));
    await run.connector.waitFor((x) => x.conversationId === c && /out for delivery today/.test(x.activity.text ?? ''));
    await postEvent(event('delivered'));
    await run.connector.waitFor((x) => x.conversationId === c && /has been delivered/.test(x.activity.text ?? ''));
  });

  it('"tell me when it\'s delivered" before naming the parcel: the parcel tracked next is watched to delivery', async () => {
    const c = convId('delivery-first');
    await customer(c, 'can you tell me when my parcel is delivered?');
    await customer(c, inTransit);
    await run.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('en').watchingDelivery);
    expect(texts(c), 'the plain watching line is not said as well').to.not.include(proactiveTexts('en').watching);
    const watch = (await run.app.proactive.watches.forConversation(`directline/${c}`))[0];
    expect(watch?.wants).to.equal('delivery');
  });

  it('the next contact starts informed: no number asked, and a case opened then carries the parcel and the news', async () => {
    const c = convId('next');
    await customer(c, `where is ${inTransit}?`);
    await run.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('en').watching);
    await postEvent(event('delayed'));
    await run.connector.waitFor((x) => x.conversationId === c && /running late/.test(x.activity.text ?? ''));
    const before = texts(c).length;
    await customer(c, 'so when will it arrive now?');
    const answer = texts(c).slice(before);
    expect(answer, 'the bot reuses the parcel it wrote about').to.not.include(MESSAGES.en.askNumber('warm'));
    expect(answer.join(' | ')).to.match(/\[card\]|arrive|expected/i);
    const metrics = await (await fetch(`${run.url}/metrics`)).text();
    expect(metrics).to.match(/warmline_proactive_follow_ups_total\{status="delayed",channel="directline"\} [1-9]/);
    await customer(c, 'a person please');
    const opened = await run.app.handoff.store.findOpenByConversation(`directline/${c}`);
    expect(opened?.collected.trackingNumber).to.equal(inTransit);
    expect(opened?.collected.parcelNews).to.match(/^delayed, expected \d{4}-\d{2}-\d{2} \(told /);
  });

  it('a channel that refuses the conversation (403): the watch is marked unreachable and never tried again', async () => {
    const c = convId('403');
    await customer(c, `where is ${inTransit}?`);
    await run.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('en').watching);
    const callsTo = () => run.connector.calls.filter((x) => x.conversationId === c).length;
    const sentBefore = callsTo();
    run.connector.failWith = 403;
    try {
      await postEvent(event('damaged'));
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      delete run.connector.failWith;
    }
    const watch = (await run.app.proactive.watches.forConversation(`directline/${c}`))[0];
    expect(watch?.unreachable).to.equal(true);
    expect(callsTo() - sentBefore, 'tried once').to.equal(1);
    await postEvent(event('lost'));
    await new Promise((r) => setTimeout(r, 300));
    expect(callsTo() - sentBefore, 'never tried again').to.equal(1);
  });

  it('an exception for a customer who was angry earlier opens a high-priority case that an online agent sees', async () => {
    const agent = await run.post(teamsMessage('online', { serviceUrl: run.connector.url, ...ALICE }));
    expect(agent.status).to.equal(200);
    const c = convId('angry');
    await customer(c, 'this is ridiculous, I am furious, my parcel is always late');
    await customer(c, inTransit);
    await run.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('en').watching);
    expect(await run.app.handoff.store.findOpenByConversation(`directline/${c}`), 'no case before the event').to.equal(undefined);

    await postEvent(event('lost'));
    const told = await run.connector.waitFor((x) => x.conversationId === c && /has been lost/.test(x.activity.text ?? ''));
    expect(told.activity.text).to.contain(proactiveTexts('en').caseOpened);
    const opened = await run.app.handoff.store.findOpenByConversation(`directline/${c}`);
    expect(opened?.priority).to.equal('high');
    expect(opened?.reason).to.equal('parcel_exception');
    await run.connector.waitFor((x) => x.conversationId === ALICE.conversationId && JSON.stringify(x.activity).includes(opened?.id ?? '?'));
  });
});

describe('the local demo: npm run demo:event makes the demo carrier send a real signed event', function () {
  this.timeout(30000);
  let run: RunningApp;
  before(async () => {
    // No AFTERSHIP_WEBHOOK_SECRET: with the demo provider a secret is made at start and the demo signs with it.
    run = await startApp({ PROACTIVE_QUIET_HOURS: 'off' });
  });
  after(async () => {
    await run.stop();
  });

  it('a customer who tracked a demo parcel sees the news arrive; a bad body is 400; unsigned calls to the webhook are 401', async () => {
    const c = convId('demo');
    const res = await run.post(directLineMessage(`where is ${inTransit}`, { serviceUrl: run.connector.url, conversationId: c, userId: 'u-demo' }));
    expect(res.status).to.equal(200);
    await run.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('en').watching);
    const demo = (body: unknown) =>
      fetch(`${run.url}/api/dev/carrier-events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await demo({ trackingNumber: inTransit, status: 'teleported' })).status).to.equal(400);
    const ok = await demo({ trackingNumber: inTransit, status: 'out_for_delivery' });
    expect(ok.status).to.equal(200);
    // Out for delivery was not asked for: nothing is said. A delay is.
    const delayed = await demo({ trackingNumber: inTransit, status: 'delayed' });
    expect(await delayed.json()).to.deep.equal({ accepted: true });
    await run.connector.waitFor((x) => x.conversationId === c && /running late/.test(x.activity.text ?? ''));
    const unsigned = await fetch(`${run.url}/api/carrier-events/aftership`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).to.equal(401);
  });
});

describe('proactive care on two instances sharing Redis', function () {
  this.timeout(30000);
  let a: RunningApp;
  let b: RunningApp;
  let cleaner: Redis | undefined;
  const prefix = uniquePrefix('proactive-two');
  before(async function () {
    if (skipRedis()) this.skip();
    cleaner = await connectTestRedis();
    a = await startApp({ ...ENV, ...redisEnv(prefix) });
    b = await startApp({ ...ENV, ...redisEnv(prefix) });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    if (cleaner) {
      await deleteKeys(cleaner, prefix);
      cleaner.disconnect();
    }
  });

  it('one event delivered to both instances (and retried): one message', async () => {
    const c = convId('two');
    const res = await a.post(directLineMessage(`where is ${inTransit}?`, { serviceUrl: a.connector.url, conversationId: c, userId: 'u-two' }));
    expect(res.status).to.equal(200);
    await a.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('en').watching);
    const raw = JSON.stringify(demoAfterShipPayload(inTransit, 'delayed', Date.now()));
    const signature = createHmac('sha256', SECRET).update(raw).digest('base64');
    const post = (run: RunningApp) =>
      fetch(`${run.url}/api/carrier-events/aftership`, { method: 'POST', headers: { 'content-type': 'application/json', 'aftership-hmac-sha256': signature }, body: raw });
    const answers = await Promise.all([post(a), post(b), post(a), post(b)]);
    expect(answers.map((r) => r.status).filter((s) => s === 200).length, 'every copy answered (200 or 503 retry)').to.be.at.least(1);
    await a.connector.waitFor((x) => x.conversationId === c && /running late/.test(x.activity.text ?? ''));
    await new Promise((r) => setTimeout(r, 1000));
    const told = a.connector.activities(c).filter((x) => /running late/.test(x.text ?? ''));
    expect(told).to.have.length(1);
  });
});

describe('proactive care for a carrier without webhooks (TRACKING_PROVIDER=http): watched parcels are polled', function () {
  this.timeout(30000);
  let run: RunningApp;
  let status: TrackingResult['status'] = 'in_transit';
  const provider: TrackingProvider = {
    name: 'laposte-fake',
    track: async (trackingNumber) => ({
      trackingNumber,
      carrier: 'colissimo',
      status,
      ...(status === 'delayed' ? { expectedDelivery: '2026-12-11' } : {}),
    }),
  };
  before(async () => {
    run = await startApp({ PROACTIVE_QUIET_HOURS: 'off', TRACKING_PROVIDER: 'http', TRACKING_API_URL: 'https://api.laposte.example/suivi/v2', TRACKING_API_KEY: 'test-key' }, { trackingProvider: provider });
  });
  after(async () => {
    await run.stop();
  });

  it('a change found by polling is told first, once; polling again with the same news says nothing', async () => {
    const c = convId('poll');
    const number = '8R03274195588';
    const res = await run.post(directLineMessage(`where is ${number}?`, { serviceUrl: run.connector.url, conversationId: c, userId: 'u-poll' }));
    expect(res.status).to.equal(200);
    await run.connector.waitFor((x) => x.conversationId === c && x.activity.text === proactiveTexts('en').watching).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(run.connector.activities(c).map((a) => a.text ?? a.attachments?.length))}`);
    });
    const poller = run.app.proactive.poller;
    expect(poller, 'a poller with TRACKING_PROVIDER=http').to.not.equal(undefined);
    await poller?.pollOnce();
    status = 'delayed';
    await poller?.pollOnce();
    await run.connector.waitFor((x) => x.conversationId === c && /running late/.test(x.activity.text ?? ''));
    await poller?.pollOnce();
    await new Promise((r) => setTimeout(r, 300));
    expect(run.connector.activities(c).filter((x) => /running late/.test(x.text ?? ''))).to.have.length(1);
  });
});
