import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { directLineMessage, teamsMessage, type WireActivity } from '../helpers/channelActivities';
import { TcpProxy } from '../helpers/tcpProxy';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../middleware/handoff/testRedis';
import { startApp, type RunningApp } from './appHarness';
import type { StoreItems } from 'botbuilder';
import { ExpiringMemoryStorage } from '../../middleware/storage/expiringMemoryStorage';
import { createLogger } from '../../middleware/shared/logger';
import { customerLabel } from '../../middleware/handoff/caseSummary';

const ALICE = { userId: '29:agent-alice-0001', userName: 'Alice Martin', conversationId: 'a:alice-watch-outage' };
const CUSTOMER = 'DL-outage';

describe('nothing acknowledged that was not kept: Redis unreachable during a relay', function () {
  this.timeout(30000);
  let redis: Redis;
  let proxy: TcpProxy;
  let run: RunningApp;
  let prefix: string;

  before(async function () {
    if (skipRedis()) this.skip();
    redis = await connectTestRedis();
    proxy = new TcpProxy(6379);
    await proxy.start();
    prefix = uniquePrefix('outage');
    run = await startApp({
      STORAGE: 'redis',
      REDIS_URL: proxy.url,
      REDIS_KEY_PREFIX: prefix,
      WARMLINE_AGENTS: `msteams:${ALICE.userId}`,
      // Fail fast so the test is short: one reconnection attempt, half a second per command.
      REDIS_MAX_RETRIES_PER_REQUEST: '1',
      REDIS_COMMAND_TIMEOUT_MS: '500',
    });
  });

  after(async () => {
    await proxy?.restore();
    await run?.app.handoff.idle();
    await run?.stop();
    await proxy?.stop();
    if (redis) {
      await deleteKeys(redis, prefix);
      await redis.quit();
    }
  });

  const fromCustomer = (text: string) => directLineMessage(text, { serviceUrl: run.connector.url, conversationId: CUSTOMER, userId: 'u-out' });
  const fromAlice = (text: string) => teamsMessage(text, { serviceUrl: run.connector.url, ...ALICE });
  const ok = async (activity: WireActivity) => expect((await run.post(activity)).status).to.equal(200);
  const texts = (conversationId: string) => run.connector.activities(conversationId).map((a) => a.text ?? '');

  it('answers 503 with Retry-After while Redis is down, tells nobody the other side\'s error, and relays each retried message once after', async () => {
    await ok(fromAlice('online'));
    await ok(fromCustomer('I want to speak to a human'));
    const c = await run.app.handoff.customers.findOpenCase(`directline/${CUSTOMER}`);
    await ok(fromAlice(`accept ${c?.id}`));
    const customerBefore = texts(CUSTOMER).length;
    const agentBefore = texts(ALICE.conversationId).length;

    await proxy.cut();
    const toAgent = fromCustomer('are you still there?');
    const toCustomer = fromAlice('yes, checking your account now');
    for (const activity of [toAgent, toCustomer]) {
      const answer = await fetch(`${run.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      expect(answer.status, 'a channel retries a 5xx').to.equal(503);
      expect(Number(answer.headers.get('retry-after'))).to.be.at.least(1);
    }
    // Nothing was acknowledged, so nobody was told anything: no "reached us", no apology meant for the other side.
    expect(texts(CUSTOMER).slice(customerBefore)).to.deep.equal([]);
    expect(texts(ALICE.conversationId).slice(agentBefore)).to.deep.equal([]);

    await proxy.restore();
    // The channels retry the same activities (twice each, as a load balancer might): each reaches the other side once.
    for (let attempt = 0; attempt < 40; attempt++) {
      if ((await run.post(toAgent)).status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await ok(toAgent);
    await ok(toCustomer);
    await ok(toCustomer);
    expect(texts(ALICE.conversationId).slice(agentBefore)).to.deep.equal([`[${c?.id}] ${c ? customerLabel(c.customer) : ''}: are you still there?`]);
    expect(texts(CUSTOMER).slice(customerBefore)).to.deep.equal(['yes, checking your account now']);
  });

  it('when the same activity keeps failing, the customer is told plainly to send it again (and the channel is answered)', async () => {
    await proxy.cut();
    const message = fromCustomer('hello again');
    const before = texts(CUSTOMER).length;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await run.post(message)).status);
    expect(statuses).to.deep.equal([503, 503, 200]);
    expect(texts(CUSTOMER).slice(before)).to.deep.equal(['Sorry, a problem on our side stopped your message from getting through. Please send it again in a moment.']);
    await proxy.restore();
  });
});

describe('a turn that answered before its state could be saved', function () {
  this.timeout(20000);

  it('is answered 200 (a retry would answer twice), counts as handled, and logs the lost state change', async () => {
    class FailingOnce extends ExpiringMemoryStorage {
      fail = false;
      private failure(): Promise<void> | undefined {
        if (!this.fail) return undefined;
        this.fail = false;
        return Promise.reject(Object.assign(new Error('Reached the max retries per request limit (which is 4).'), { name: 'MaxRetriesPerRequestError' }));
      }
      override write(changes: StoreItems): Promise<void> {
        return this.failure() ?? super.write(changes);
      }
    }
    const storage = new FailingOnce({ retentionMs: 3_600_000 });
    const lines: string[] = [];
    const run = await startApp({}, { storage, logger: createLogger({ level: 'warn', write: (line) => void lines.push(line) }) });
    try {
      const conversationId = 'DL-state-lost';
      const ask = directLineMessage('where is my parcel?', { serviceUrl: run.connector.url, conversationId, userId: 'u-s' });
      storage.fail = true;
      expect((await run.post(ask)).status).to.equal(200);
      expect(storage.fail, 'the state write failed').to.equal(false);
      const replies = run.connector.activities(conversationId).map((a) => a.text ?? '');
      expect(replies).to.have.length(1);
      expect((await run.post(ask)).status, 'the channel retries anyway').to.equal(200);
      expect(run.connector.activities(conversationId)).to.have.length(1);
      expect(lines.some((l) => l.includes('turn.answered_state_not_kept'))).to.equal(true);
    } finally {
      await run.stop();
    }
  });
});
