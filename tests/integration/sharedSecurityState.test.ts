import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { hashDeskPassword } from '../../bots/console/deskPassword';
import { signHandoffStatus } from '../../middleware/handoff/hubs/handoffStatusVerifier';
import { signWebhook } from '../../middleware/handoff/hubs/webhookSigning';
import { DeskClient } from '../bots/console/deskTestServer';
import { directLineMessage } from '../helpers/channelActivities';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../middleware/handoff/testRedis';
import { startApp, type RunningApp } from './appHarness';

const STATUS_SECRET = 'status-secret-for-tests-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
const FRAUD = "Someone stole my card and there are payments I don't recognise";

/**
 * Two createApp instances on one Redis, as behind a load balancer without sticky sessions: the console's sessions and
 * lock-outs and the replay caches of signed inbound statuses must hold whichever instance a request reaches.
 */
describe('security state shared by two instances on one Redis (createApp x2)', function () {
  this.timeout(60000);
  let a: RunningApp | undefined;
  let b: RunningApp | undefined;
  let cleaner: Redis | undefined;
  let prefix = '';
  let receiver: http.Server | undefined;
  let hashes: string[] = [];
  let env: Record<string, string> = {};

  before(async function () {
    if (skipRedis()) this.skip();
    cleaner = await connectTestRedis();
    prefix = uniquePrefix('shared-security');
    // The CRM the webhook connector delivers cases to: accepts everything.
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    hashes = await Promise.all(['ana', 'cat', 'dan'].map((id) => hashDeskPassword(`${id}-password`, { N: 1024 })));
    env = {
      STORAGE: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      DESK_AGENTS: `ana:Ana Martin:${hashes[0]},cat:Cat Roy:${hashes[1]},dan:Dan Roy:${hashes[2]}`,
      // Each test signs in "from" its own address, so per-address lock-outs of one test do not touch another.
      DESK_TRUST_PROXY: 'true',
      HANDOFF_PROTOCOL: 'on',
      HANDOFF_STATUS_SECRET: STATUS_SECRET,
      WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cases`,
      WEBHOOK_SECRETS: WEBHOOK_SECRET,
    };
    a = await startApp(env);
    b = await startApp(env);
  });

  after(async () => {
    await a?.app.handoff.idle();
    await b?.app.handoff.idle();
    await a?.stop();
    await b?.stop();
    if (receiver) {
      receiver.closeAllConnections();
      await new Promise<void>((r) => receiver!.close(() => r()));
    }
    if (cleaner) {
      await deleteKeys(cleaner, prefix);
      await cleaner.quit();
    }
  });

  const from = (ip: string) => ({ 'X-Forwarded-For': ip });

  /** A Direct Line customer reporting fraud on `run`; resolves with the queued case id. */
  async function fraudCase(run: RunningApp, conversationId: string): Promise<string> {
    const res = await run.post(directLineMessage(FRAUD, { serviceUrl: run.connector.url, conversationId }));
    expect(res.status).to.equal(200);
    const c = await run.app.handoff.customers.findOpenCase(`directline/${conversationId}`);
    expect(c?.state).to.equal('queued');
    return c!.id;
  }

  /** State of the open case of a Direct Line conversation, as instance `run` reads it. */
  const stateOf = async (run: RunningApp, conversationId: string) => (await run.app.handoff.customers.findOpenCase(`directline/${conversationId}`))?.state;

  describe('the agent console', function () {
    it('a session signed in on instance A works on instance B, and signing out on A ends it on B', async function () {
      const onA = new DeskClient(a!.url);
      expect((await onA.login('ana', 'ana-password', from('198.51.100.1'))).status).to.equal(200);
      // The same browser, its next request routed to B.
      const onB = Object.assign(new DeskClient(b!.url), { cookie: onA.cookie, csrf: onA.csrf });
      const session = await onB.get('/desk/api/session');
      expect(session.status).to.equal(200);
      const body = (await session.json()) as { agent: { id: string }; csrfToken: string };
      expect(body.agent.id).to.equal('ana');
      expect(body.csrfToken).to.equal(onA.csrf);
      // Mutating calls on B take the CSRF token issued by A (and still refuse a wrong one).
      expect((await onB.post('/desk/api/presence', { status: 'away' })).status).to.equal(200);
      expect((await onB.post('/desk/api/presence', { status: 'online' }, { 'X-CSRF-Token': 'x'.repeat(43) })).status).to.equal(403);

      expect((await onA.post('/desk/api/logout')).status).to.equal(204);
      expect((await onB.get('/desk/api/session')).status).to.equal(401);
      expect((await onA.get('/desk/api/session')).status).to.equal(401);
    });

    it('wrong passwords spread over both instances add up: the account is locked out on both', async function () {
      const ip = from('198.51.100.2');
      for (let i = 1; i <= 5; i++) {
        const on = i % 2 ? a! : b!;
        expect((await new DeskClient(on.url).login('cat', `wrong-${i}`, ip)).status, `try ${i}`).to.equal(401);
      }
      for (const on of [a!, b!]) {
        const locked = await new DeskClient(on.url).login('cat', 'cat-password', ip);
        expect(locked.status).to.equal(429);
        expect(locked.headers.get('retry-after')).to.match(/^\d+$/);
      }
    });

    it('wrong passwords from one address spread over both instances lock that address out on both', async function () {
      const ip = from('198.51.100.3');
      for (let i = 0; i < 20; i++) {
        expect((await new DeskClient((i % 2 ? a : b)!.url).login(`user${i}`, 'wrong', ip)).status, `try ${i}`).to.equal(401);
      }
      expect((await new DeskClient(a!.url).login('ana', 'ana-password', ip)).status).to.equal(429);
      expect((await new DeskClient(b!.url).login('ana', 'ana-password', ip)).status).to.equal(429);
      expect((await new DeskClient(b!.url).login('ana', 'ana-password', from('198.51.100.4'))).status, 'another address').to.equal(200);
    });

    it('a burst of simultaneous wrong passwords spread over both instances gets no more than 5 checked', async function () {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => new DeskClient((i % 2 ? a : b)!.url).login('dan', `wrong-${i}`, from(`198.51.100.${20 + i}`))),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401), 'passwords checked').to.have.length(5);
      expect(statuses.filter((s) => s === 429)).to.have.length(35);
    });

    it('the forged entries a client puts before the proxy\'s own in X-Forwarded-For do not dodge the per-address lock-out', async function () {
      for (let i = 0; i < 20; i++) {
        const forged = from(`10.${i}.${i}.${i}, 198.51.100.5`);
        expect((await new DeskClient((i % 2 ? a : b)!.url).login(`user${i}`, 'wrong', forged)).status, `try ${i}`).to.equal(401);
      }
      expect((await new DeskClient(a!.url).login('ana', 'ana-password', from('192.0.2.77, 198.51.100.5'))).status).to.equal(429);
    });

    it('an instance configured with a new password hash for an agent refuses the sessions signed in under the old one', async function () {
      const onA = new DeskClient(a!.url);
      expect((await onA.login('ana', 'ana-password', from('198.51.100.6'))).status).to.equal(200);
      // A redeploy with ana's password changed in DESK_AGENTS (cat's entry unchanged), on the same Redis.
      const rotated = await startApp({ ...env, DESK_AGENTS: `ana:Ana Martin:${await hashDeskPassword('ana-new-password', { N: 1024 })},cat:Cat Roy:${hashes[1]}` });
      try {
        const onNew = Object.assign(new DeskClient(rotated.url), { cookie: onA.cookie, csrf: onA.csrf });
        expect((await onNew.get('/desk/api/session')).status).to.equal(401);
        expect((await onNew.get('/desk/api/queue')).status).to.equal(401);
        expect((await new DeskClient(rotated.url).login('ana', 'ana-new-password', from('198.51.100.6'))).status).to.equal(200);
      } finally {
        await rotated.stop();
      }
    });
  });

  describe('signed inbound statuses', function () {
    it('a signed webhook status replayed to the other instance is answered as a duplicate and not applied again', async function () {
      const conversationId = `dl-replay-webhook-${Date.now()}`;
      const caseId = await fraudCase(a!, conversationId);
      const send = (run: RunningApp, body: string, headers: object) =>
        fetch(`${run.url}/api/hub/status`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const accepted = JSON.stringify({ caseId, state: 'accepted', agent: { id: 'crm-7', name: 'Zoé' } });
      const acceptedHeaders = signWebhook(accepted, WEBHOOK_SECRET);
      const first = await send(a!, accepted, acceptedHeaders);
      expect(first.status).to.equal(200);
      expect(await first.json()).to.deep.equal({ ok: true, caseState: 'assigned' });

      // The hub's agent gives the case back; then someone replays the earlier "accepted" to instance B.
      const failed = JSON.stringify({ caseId, state: 'failed' });
      expect((await send(a!, failed, signWebhook(failed, WEBHOOK_SECRET))).status).to.equal(200);
      expect(await stateOf(a!, conversationId)).to.equal('queued');
      const replay = await send(b!, accepted, acceptedHeaders);
      expect(replay.status).to.equal(200);
      expect(await replay.json()).to.deep.equal({ ok: true, duplicate: true });
      expect(await stateOf(b!, conversationId), 'the replay changed nothing').to.equal('queued');
    });

    it('a signed handoff.status replayed to the other instance is refused', async function () {
      const conversationId = `dl-replay-status-${Date.now()}`;
      const caseId = await fraudCase(a!, conversationId);
      const status = (run: RunningApp, value: object) =>
        run.post({ ...directLineMessage('', { serviceUrl: run.connector.url, conversationId }), type: 'event', name: 'handoff.status', text: undefined, value });
      const accepted = signHandoffStatus(STATUS_SECRET, { caseId, state: 'accepted' });
      expect((await status(a!, accepted)).status).to.equal(200);
      expect(await stateOf(a!, conversationId)).to.equal('assigned');
      expect((await status(a!, signHandoffStatus(STATUS_SECRET, { caseId, state: 'failed' }))).status).to.equal(200);
      expect(await stateOf(a!, conversationId)).to.equal('queued');

      // A client in the conversation saw the "accepted" event and posts it again, to instance B.
      expect((await status(b!, accepted)).status).to.equal(200);
      expect(await stateOf(b!, conversationId), 'the replay changed nothing').to.equal('queued');
    });
  });
});
