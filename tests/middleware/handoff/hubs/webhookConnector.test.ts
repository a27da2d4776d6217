import { expect } from 'chai';
import { Redis } from 'ioredis';
import { MemoryOutbox } from '../../../../middleware/handoff/hubs/memoryOutbox';
import type { Outbox } from '../../../../middleware/handoff/hubs/outbox';
import { RedisOutbox } from '../../../../middleware/handoff/hubs/redisOutbox';
import { WebhookConnector, type WebhookConnectorOptions } from '../../../../middleware/handoff/hubs/webhookConnector';
import type { WebhookPayload } from '../../../../middleware/handoff/hubs/webhookPayload';
import { verifyWebhookSignature } from '../../../../middleware/handoff/hubs/webhookSigning';
import { MemoryHandoffStore } from '../../../../middleware/handoff/stores/memoryHandoffStore';
import type { HandoffCase } from '../../../../middleware/handoff/handoffCase';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../testRedis';
import { createFraudCase, leaksPii } from './caseFixture';
import { FakeWebhookReceiver, waitUntil } from './fakeWebhookReceiver';

const SECRET = 'whsec_test_0123456789abcdef';

function signedOk(r: { headers: Record<string, string | string[] | undefined>; body: string }): boolean {
  return verifyWebhookSignature({ rawBody: r.body, signature: r.headers['x-warmline-signature'], timestamp: r.headers['x-warmline-timestamp'], secrets: [SECRET] }).ok;
}

describe('WebhookConnector', function () {
  let receiver: FakeWebhookReceiver;
  let store: MemoryHandoffStore;
  let c: HandoffCase;
  const connectors: WebhookConnector[] = [];
  const make = (outbox: Outbox, extra: Partial<WebhookConnectorOptions> = {}) => {
    const w = new WebhookConnector({ url: receiver.url, secret: SECRET, outbox, baseDelayMs: 5, maxDelayMs: 40, pollIntervalMs: 10, timeoutMs: 2000, ...extra });
    connectors.push(w);
    return w;
  };

  beforeEach(async function () {
    receiver = new FakeWebhookReceiver();
    await receiver.start();
    store = new MemoryHandoffStore();
    c = await createFraudCase(store, 'conv-hook');
  });
  afterEach(async function () {
    for (const w of connectors.splice(0)) await w.stop();
    await receiver.stop();
  });

  it('retries 500 twice, then delivers once, with the same idempotency key, each attempt freshly signed', async function () {
    receiver.script = [500, 500, 200];
    const outbox = new MemoryOutbox();
    const hook = make(outbox);
    hook.start();
    const id = await hook.caseCreated(c);
    await waitUntil(async () => receiver.delivered.length === 1 && (await outbox.size()) === 0, 4000, 'delivery');
    expect(receiver.received.map((r) => r.status)).to.deep.equal([500, 500, 200]);
    expect(new Set(receiver.received.map((r) => r.headers['x-warmline-delivery']))).to.deep.equal(new Set([id]));
    expect(receiver.received.every(signedOk)).to.equal(true);
    expect(receiver.received[0]?.headers['x-warmline-event']).to.equal('case.created');
    const payload = JSON.parse(receiver.delivered[0]!.body) as WebhookPayload;
    expect(payload).to.include({ event: 'case.created', deliveryId: id });
    expect(payload.case).to.include({ id: c.id, reason: 'fraud', priority: 'high', language: 'en', channel: 'directline', state: 'queued' });
    expect(payload.case.summary).to.equal(c.summary);
    expect(payload.case.emotion[0]).to.deep.equal({ name: 'distress', score: 0.7, evidence: [{ rule: 'distress.en.panic', matched: ['without me'] }] });
    expect(payload.case.transcript).to.have.length(3);
    expect(payload.case.timestamps.created).to.equal(c.timestamps.created);
    expect(payload.case.collected.trackingNumber).to.equal('1Z999AA10123456784');
    expect(leaksPii(receiver.delivered[0]!.body)).to.equal(false);
    expect(receiver.delivered[0]!.body).not.to.contain('dl_user_1');
    await new Promise((r) => setTimeout(r, 60));
    expect(receiver.delivered).to.have.length(1);
  });

  it('does not retry a 400: the delivery is kept as failed with the reason', async function () {
    receiver.script = [400];
    const outbox = new MemoryOutbox();
    const hook = make(outbox);
    const id = await hook.caseCreated(c);
    expect(await hook.drain()).to.equal(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(await hook.drain()).to.equal(0);
    expect(receiver.received).to.have.length(1);
    const failed = await outbox.listFailed();
    expect(failed).to.have.length(1);
    expect(failed[0]).to.include({ id, reason: 'HTTP 400: not retried', attempts: 1 });
    expect(await outbox.size()).to.equal(0);
    // An operator can send it again once the receiver is fixed.
    expect(await outbox.retryFailed(id)).to.equal(true);
    await hook.drain();
    expect(receiver.delivered.map((r) => r.headers['x-warmline-delivery'])).to.deep.equal([id]);
  });

  it('retries 429 (honouring Retry-After), timeouts and cut connections', async function () {
    receiver.script = [{ status: 429, headers: { 'retry-after': '0' } }, 'hang', 'destroy', 503, 200];
    const outbox = new MemoryOutbox();
    const hook = make(outbox, { timeoutMs: 150 });
    hook.start();
    await hook.caseCreated(c);
    await waitUntil(() => receiver.delivered.length === 1, 5000, 'delivery');
    expect(receiver.received.map((r) => r.status)).to.deep.equal([429, 0, 0, 503, 200]);
  });

  it('gives up after maxAttempts and keeps the delivery as failed', async function () {
    receiver.script = [500, 500, 500];
    const outbox = new MemoryOutbox();
    const hook = make(outbox, { maxAttempts: 3 });
    hook.start();
    await hook.caseCreated(c);
    await waitUntil(async () => (await outbox.listFailed()).length === 1, 4000, 'failure');
    expect((await outbox.listFailed())[0]?.reason).to.equal('gave up after 3 attempts: HTTP 500');
    expect(receiver.received).to.have.length(3);
  });

  it('loses nothing while the receiver is down, then delivers every event in order when it is back', async function () {
    const port = Number(new URL(receiver.url).port);
    await receiver.stop();
    const outbox = new MemoryOutbox();
    const hook = make(outbox);
    hook.start();
    await hook.caseCreated(c);
    const appended = await store.appendCustomerMessage(c.id, { text: 'still there? card 4242 4242 4242 4242', at: new Date().toISOString() });
    expect(appended.ok).to.equal(true);
    await hook.customerMessage((await store.get(c.id))!, { text: 'still there? card 4242 4242 4242 4242', at: new Date().toISOString() });
    const claimed = await store.claim(c.id, { id: 'a1', channel: 'msteams' });
    if (!claimed.ok) throw new Error('claim failed');
    await hook.caseUpdated(claimed.case, claimed.case.history.at(-1));
    await new Promise((r) => setTimeout(r, 80));
    expect(await outbox.size()).to.equal(3);
    await receiver.start(port);
    await waitUntil(() => receiver.delivered.length === 3, 4000, 'three deliveries');
    const events = receiver.delivered.map((r) => JSON.parse(r.body) as WebhookPayload);
    expect(events.map((e) => e.event).sort()).to.deep.equal(['case.created', 'case.message', 'case.updated']);
    const message = events.find((e) => e.event === 'case.message')!;
    expect(message.message?.text).to.equal('still there? card [card •••• 4242]');
    expect(message.case.queuedMessages[0]?.text).to.equal('still there? card [card •••• 4242]');
    expect(events.find((e) => e.event === 'case.updated')?.change).to.include({ from: 'queued', to: 'assigned', by: 'a1' });
    expect(receiver.delivered.every((r) => !leaksPii(r.body))).to.equal(true);
  });

  it('maps handoff events: first queued -> case.created, state changes -> case.updated, customer messages -> case.message', async function () {
    const outbox = new MemoryOutbox();
    const hook = make(outbox);
    await hook.onEvent({ type: 'queued', case: c });
    await hook.onEvent({ type: 'customer_message', case: c, text: 'mail me at jane.doe@example.com', at: new Date().toISOString() });
    await hook.onEvent({ type: 'agent_message', case: c, agent: { id: 'a', channel: 'msteams' }, text: 'hi', at: new Date().toISOString() });
    const assigned = await store.claim(c.id, { id: 'hub-x', channel: 'hub:webhook' });
    if (!assigned.ok) throw new Error('claim failed');
    await hook.onEvent({ type: 'assigned', case: assigned.case });
    expect(await hook.deliverToAgent(assigned.case, { text: 'are you there', at: new Date().toISOString() })).to.equal(true);
    expect(await hook.deliverToAgent({ ...assigned.case, agent: { id: 'd', channel: 'msteams' } }, { text: 'x', at: '' })).to.equal(false);
    await hook.drain();
    const events = receiver.delivered.map((r) => JSON.parse(r.body) as WebhookPayload);
    expect(events.map((e) => e.event)).to.deep.equal(['case.created', 'case.message', 'case.updated', 'case.message']);
    expect(events[1]?.message?.text).to.equal('mail me at [email]');
  });

  it('refuses bad options at construction', function () {
    expect(() => new WebhookConnector({ url: 'ftp://x', secret: SECRET, outbox: new MemoryOutbox() })).to.throw(TypeError, /url/);
    expect(() => new WebhookConnector({ url: 'https://x.example', secret: 'short', outbox: new MemoryOutbox() })).to.throw(TypeError, /secret/);
  });

  it('backs off exponentially with jitter, capped', function () {
    const hook = new WebhookConnector({ url: 'https://x.example', secret: SECRET, outbox: new MemoryOutbox(), baseDelayMs: 1000, maxDelayMs: 8000, random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 9].map((a) => hook.retryDelay(a))).to.deep.equal([750, 1500, 3000, 6000, 6000, 6000]);
    const low = new WebhookConnector({ url: 'https://x.example', secret: SECRET, outbox: new MemoryOutbox(), baseDelayMs: 1000, random: () => 0 });
    expect(low.retryDelay(3)).to.equal(2000);
    expect(low.retryDelay(1, 30_000)).to.equal(30_000);
  });

  describe('with the Redis outbox', function () {
    let redis: Redis;
    let prefix: string;
    before(async function () {
      if (skipRedis()) this.skip();
      redis = await connectTestRedis();
    });
    after(async function () {
      if (redis) redis.disconnect();
    });
    beforeEach(function () {
      prefix = uniquePrefix('outbox');
    });
    afterEach(async function () {
      if (redis) await deleteKeys(redis, prefix);
    });

    it('survives a new connector instance: nothing lost, delivered with the same idempotency key', async function () {
      const port = Number(new URL(receiver.url).port);
      await receiver.stop();
      const first = make(new RedisOutbox({ redis, keyPrefix: prefix }));
      const id = await first.caseCreated(c);
      expect(await first.drain()).to.equal(1); // refused connection: rescheduled
      await first.stop();

      await receiver.start(port);
      const fresh = new RedisOutbox({ redis: 'redis://127.0.0.1:6379', keyPrefix: prefix });
      try {
        const second = make(fresh);
        await waitUntil(async () => (await second.drain(), receiver.delivered.length === 1), 3000, 'redelivery');
        expect(receiver.delivered[0]?.headers['x-warmline-delivery']).to.equal(id);
        expect(signedOk(receiver.delivered[0]!)).to.equal(true);
        expect(await fresh.size()).to.equal(0);
      } finally {
        await fresh.dispose();
      }
    });
  });
});
