import { expect } from 'chai';
import type { Middleware } from 'botbuilder';
import { directLineMessage, teamsMessage } from '../helpers/channelActivities';
import { parseExposition, sampleValue, type Family } from '../helpers/prometheusText';
import { MemoryHandoffStore } from '../../middleware/handoff/stores/memoryHandoffStore';
import type { HandoffCase } from '../../middleware/handoff/handoffCase';
import type { StateCounts } from '../../middleware/handoff/stores/handoffStore';
import { COLLECT_ERRORS_METRIC, PROMETHEUS_CONTENT_TYPE } from '../../bots/app/metricsRegistry';
import { useTestRedis } from '../middleware/handoff/testRedis';
import { startApp, type RunningApp } from './appHarness';

const TOKEN = 'scrape-token-0123456789abcdef';
const AGENT = { id: 'ana', name: 'Ana', channel: 'console' };

let seq = 0;
const conv = (name: string) => `DL-metrics-${name}-${process.pid}-${++seq}`;

async function scrape(run: RunningApp, headers: Record<string, string> = {}): Promise<{ status: number; text: string; contentType: string | null; res: Response }> {
  const res = await fetch(`${run.url}/metrics`, { headers });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type'), res };
}

async function families(run: RunningApp, headers: Record<string, string> = {}): Promise<{ f: Map<string, Family>; text: string }> {
  const r = await scrape(run, headers);
  expect(r.status, r.text).to.equal(200);
  return { f: parseExposition(r.text), text: r.text };
}

/** Posts a customer message on Direct Line and expects 200. */
async function customer(run: RunningApp, conversationId: string, text: string): Promise<void> {
  const res = await run.post(directLineMessage(text, { serviceUrl: run.connector.url, conversationId, userId: `u-${conversationId}` }));
  expect(res.status).to.equal(200);
}

const value = (f: Map<string, Family>, name: string, labels: Record<string, string> = {}): number => sampleValue(f, name, labels) ?? 0;

describe('GET /metrics over the real HTTP server', function () {
  this.timeout(30000);

  describe('without METRICS_TOKEN (loopback only)', () => {
    let run: RunningApp;
    beforeEach(async () => {
      run = await startApp();
    });
    afterEach(async () => {
      await run.app.handoff.idle();
      await run.stop();
    });

    it('serves the Prometheus text format to a loopback client, with every declared metric', async () => {
      const r = await scrape(run);
      expect(r.status).to.equal(200);
      expect(r.contentType).to.equal(PROMETHEUS_CONTENT_TYPE);
      expect(r.res.headers.get('cache-control')).to.equal('no-store');
      const f = parseExposition(r.text);
      for (const name of [
        'warmline_turns_total',
        'warmline_turn_duration_seconds',
        'warmline_signals_total',
        'warmline_handoffs_total',
        'warmline_relay_messages_total',
        'warmline_handoff_queue_length',
        'warmline_cases',
        'warmline_agents_online',
        COLLECT_ERRORS_METRIC,
        'process_resident_memory_bytes',
        'process_cpu_seconds_total',
        'nodejs_heap_used_bytes',
        'process_start_time_seconds',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(f.has(name), name).to.equal(true);
      }
      expect(value(f, 'warmline_handoff_queue_length')).to.equal(0);
      expect(value(f, 'warmline_cases', { state: 'queued' })).to.equal(0);
    });

    it('refuses a request forwarded by a proxy on the same host (403)', async () => {
      const r = await scrape(run, { 'X-Forwarded-For': '203.0.113.9' });
      expect(r.status).to.equal(403);
      expect(JSON.parse(r.text)).to.deep.include({ error: 'Forbidden' });
    });

    it('counts turns by channel and times them (a Teams and a Direct Line message)', async () => {
      const before = (await families(run)).f;
      const teams = await run.post(teamsMessage('hello', { serviceUrl: run.connector.url }));
      expect(teams.status).to.equal(200);
      await customer(run, conv('dl'), 'hello');
      const { f } = await families(run);
      const diff = (name: string, labels: Record<string, string>) => value(f, name, labels) - value(before, name, labels);
      expect(diff('warmline_turns_total', { channel: 'msteams', outcome: 'ok' })).to.equal(1);
      expect(diff('warmline_turns_total', { channel: 'directline', outcome: 'ok' })).to.equal(1);
      expect(diff('warmline_turn_duration_seconds_count', { channel: 'msteams' })).to.equal(1);
      expect(diff('warmline_turn_duration_seconds_count', { channel: 'directline' })).to.equal(1);
      expect(value(f, 'warmline_turn_duration_seconds_sum', { channel: 'directline' })).to.be.greaterThan(0);
      expect(value(f, 'warmline_turn_duration_seconds_bucket', { channel: 'directline', le: '+Inf' })).to.equal(1);
    });

    it('a fraud message with no agent online: the signal and the opened case are counted (timed out at once)', async () => {
      await customer(run, conv('fraud'), 'There is a payment on my card I did not make, I think my card was stolen');
      await run.app.handoff.idle();
      const { f } = await families(run);
      expect(value(f, 'warmline_signals_total', { intent: 'fraud' })).to.be.at.least(1);
      expect(value(f, 'warmline_handoffs_total', { reason: 'fraud', priority: 'high' })).to.equal(1);
      expect(value(f, 'warmline_handoff_events_total', { event: 'timed_out' })).to.equal(1);
      expect(value(f, 'warmline_cases', { state: 'timed_out' })).to.equal(1);
      expect(value(f, 'warmline_handoff_queue_length')).to.equal(0);
      expect(value(f, 'warmline_agents_online')).to.equal(0);
    });

    it('with an agent online: a bereavement case is queued (gauges read the store), relays are counted, and no customer text appears', async () => {
      const marker = `zyxquorble${process.pid}${Date.now()}`;
      await run.app.handoff.presence.set(AGENT, 'online');
      const cust = conv('bereave');
      await customer(run, cust, `hello ${marker}, can you help me`);
      await customer(run, cust, `My mother passed away last week and I need to close her account ${marker}`);
      await run.app.handoff.idle();

      let { f, text } = await families(run);
      expect(value(f, 'warmline_signals_total', { intent: 'bereavement' })).to.be.at.least(1);
      expect(value(f, 'warmline_handoffs_total', { reason: 'bereavement', priority: 'high' })).to.equal(1);
      expect(value(f, 'warmline_handoff_events_total', { event: 'queued' })).to.equal(1);
      expect(value(f, 'warmline_handoff_queue_length')).to.equal(1);
      expect(value(f, 'warmline_cases', { state: 'queued' })).to.equal(1);
      expect(value(f, 'warmline_agents_online')).to.equal(1);

      // The agent takes the case; one message each way.
      const c = (await run.app.handoff.customers.findOpenCase(`directline/${cust}`)) as HandoffCase;
      expect((await run.app.handoff.agents.accept(c.id, AGENT)).ok).to.equal(true);
      await customer(run, cust, `are you there? ${marker}`);
      expect((await run.app.handoff.agents.sendToCustomer(c.id, AGENT, `Yes, I am here ${marker}`)).ok).to.equal(true);
      await run.app.handoff.idle();

      ({ f, text } = await families(run));
      expect(value(f, 'warmline_relay_messages_total', { direction: 'customer_to_agent' })).to.equal(1);
      expect(value(f, 'warmline_relay_messages_total', { direction: 'agent_to_customer' })).to.equal(1);
      expect(value(f, 'warmline_handoff_events_total', { event: 'assigned' })).to.equal(1);
      expect(value(f, 'warmline_handoff_queue_length')).to.equal(0);
      expect(value(f, 'warmline_cases', { state: 'assigned' })).to.equal(1);
      for (const secret of [marker, cust, c.id, 'u-DL', 'passed away', 'Ana']) expect(text, secret).not.to.contain(secret);
      // Every label value comes from a fixed list: only bounded words, no ids.
      for (const fam of f.values()) {
        for (const s of fam.samples) for (const v of Object.values(s.labels)) expect(v).to.match(/^[a-z_+]+$|^[0-9.]+$|^\+Inf$/);
      }
    });
  });

  it('a server listening beyond loopback (HOST 0.0.0.0) serves /metrics to nobody without a token, loopback included', async () => {
    const run = await startApp({ HOST: '0.0.0.0' });
    try {
      const res = await fetch(`${run.url}/metrics`);
      expect(res.status).to.equal(403);
      expect(((await res.json()) as { message: string }).message).to.match(/METRICS_TOKEN/);
    } finally {
      await run.stop();
    }
  });

  it('counts a turn that throws as outcome="error"', async () => {
    const failing: Middleware = {
      async onTurn() {
        throw new Error('signals exploded');
      },
    };
    const run = await startApp({}, { signals: failing });
    try {
      await customer(run, conv('boom'), 'hello');
      const { f } = await families(run);
      expect(value(f, 'warmline_turns_total', { channel: 'directline', outcome: 'error' })).to.equal(1);
      expect(value(f, 'warmline_turns_total', { channel: 'directline', outcome: 'ok' })).to.equal(0);
      expect(value(f, 'warmline_turn_duration_seconds_count', { channel: 'directline' })).to.equal(1);
    } finally {
      await run.stop();
    }
  });

  it('when the store read fails, the scrape still answers with the other metrics and counts the error', async () => {
    class BrokenListStore extends MemoryHandoffStore {
      override async countByState(): Promise<StateCounts> {
        throw Object.assign(new Error('READONLY'), { code: 'ECONNRESET' });
      }
    }
    const store = new BrokenListStore();
    const run = await startApp({}, { handoffStore: store });
    try {
      const first = await families(run);
      expect(first.f.get('warmline_cases')?.samples).to.deep.equal([]);
      expect(value(first.f, COLLECT_ERRORS_METRIC, { metric: 'warmline_cases' })).to.equal(1);
      expect(sampleValue(first.f, 'warmline_handoff_queue_length')).to.equal(0);
      expect(sampleValue(first.f, 'process_resident_memory_bytes')).to.be.greaterThan(0);
      const second = await families(run);
      expect(value(second.f, COLLECT_ERRORS_METRIC, { metric: 'warmline_cases' })).to.equal(2);
    } finally {
      await run.stop();
      await store.dispose();
    }
  });

  describe('with METRICS_TOKEN', () => {
    let run: RunningApp;
    before(async () => {
      run = await startApp({ METRICS_TOKEN: TOKEN });
    });
    after(async () => {
      await run.stop();
    });

    it('requires the bearer token, even from loopback (401 without or with a wrong one)', async () => {
      const none = await scrape(run);
      expect(none.status).to.equal(401);
      expect(none.res.headers.get('www-authenticate')).to.match(/^Bearer/);
      expect(none.text).not.to.contain('warmline_');
      expect((await scrape(run, { Authorization: `Bearer ${TOKEN}-wrong` })).status).to.equal(401);
      expect((await scrape(run, { Authorization: TOKEN })).status).to.equal(401);
      const ok = await scrape(run, { Authorization: `Bearer ${TOKEN}` });
      expect(ok.status).to.equal(200);
      parseExposition(ok.text);
      // With a token, a proxied scrape is fine: the token is the credential.
      expect((await scrape(run, { Authorization: `Bearer ${TOKEN}`, 'X-Forwarded-For': '203.0.113.9' })).status).to.equal(200);
    });
  });

  describe('with Redis (STORAGE=redis): gauges read the shared store', () => {
    const redis = useTestRedis();

    it('queue length, open cases and agents online come from Redis', async () => {
      const prefix = redis.prefix('metrics');
      const run = await startApp({ STORAGE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix });
      try {
        await run.app.handoff.presence.set(AGENT, 'online');
        await customer(run, conv('redis-a'), 'My father died yesterday and I have to close his account');
        await customer(run, conv('redis-b'), 'I want to speak to a human please');
        await run.app.handoff.idle();
        const { f } = await families(run);
        expect(value(f, 'warmline_handoff_queue_length')).to.equal(2);
        expect(value(f, 'warmline_cases', { state: 'queued' })).to.equal(2);
        expect(value(f, 'warmline_agents_online')).to.equal(1);
        expect(value(f, 'warmline_handoffs_total', { reason: 'bereavement', priority: 'high' })).to.equal(1);
        expect(value(f, 'warmline_handoffs_total', { reason: 'human_request', priority: 'normal' })).to.equal(1);
      } finally {
        await run.app.handoff.idle();
        await run.stop();
      }
    });
  });
});
