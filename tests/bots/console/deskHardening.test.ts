import { expect } from 'chai';
import type { DeskAgent } from '../../../bots/console/deskAgents';
import { hashDeskPassword } from '../../../bots/console/deskPassword';
import { deskSessionDigest, MemoryDeskSessionStore, type DeskSessionStore } from '../../../bots/console/deskSessions';
import { MemoryLockoutStore, type LockoutStore } from '../../../bots/console/lockoutStore';
import { RedisDeskSessionStore } from '../../../bots/console/redisDeskSessionStore';
import { RedisLockoutStore } from '../../../bots/console/redisLockoutStore';
import { deskClientAddress } from '../../../bots/console/registerDeskConsole';
import { useTestRedis } from '../../middleware/handoff/testRedis';
import { DeskClient, startDeskServer, testAgents, type DeskTestServer } from './deskTestServer';
import { FakeDeskBackend } from './fakeDeskBackend';
import { SseClient } from './sseClient';

const statuses = (responses: Response[]) => responses.map((r) => r.status);
const countOf = (list: number[], status: number) => list.filter((s) => s === status).length;

describe('desk console: event streams end with a reason the page acts on', function () {
  this.timeout(10000);

  it('shutdown ends streams with reason "shutdown" and the session lives on (another instance serves it); new streams get 503', async function () {
    const sessionStore = new MemoryDeskSessionStore();
    const backend = new FakeDeskBackend();
    const a = await startDeskServer({ sessionStore, backend });
    const b = await startDeskServer({ sessionStore, backend });
    try {
      const ana = new DeskClient(a.base);
      expect((await ana.login('ana')).status).to.equal(200);
      const events = await SseClient.open(`${a.base}/desk/api/events`, ana.headers());
      await events.waitFor((e) => e.event === 'ready');
      await a.desk.close();
      expect((await events.waitFor((e) => e.event === 'end')).data).to.deep.equal({ reason: 'shutdown' });
      await events.waitForEnd();
      // A stream opened on the stopping instance would hold its shutdown up: refused, the page tries again later.
      const late = await fetch(`${a.base}/desk/api/events`, { headers: ana.headers() });
      expect(late.status).to.equal(503);
      await late.body?.cancel();
      // The same cookie on the next instance: still signed in, and its stream opens.
      const onB = Object.assign(new DeskClient(b.base), { cookie: ana.cookie, csrf: ana.csrf });
      expect((await onB.get('/desk/api/session')).status).to.equal(200);
      const again = await SseClient.open(`${b.base}/desk/api/events`, onB.headers());
      try {
        await again.waitFor((e) => e.event === 'ready');
      } finally {
        again.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('signing out ends the session\'s streams with reason "signed_out"', async function () {
    const t = await startDeskServer();
    try {
      const ana = new DeskClient(t.base);
      await ana.login('ana');
      const events = await SseClient.open(`${t.base}/desk/api/events`, ana.headers());
      await events.waitFor((e) => e.event === 'ready');
      expect((await ana.post('/desk/api/logout')).status).to.equal(204);
      expect((await events.waitFor((e) => e.event === 'end')).data).to.deep.equal({ reason: 'signed_out' });
      await events.waitForEnd();
    } finally {
      await t.close();
    }
  });
});

describe('desk console: client address behind a trusted proxy', function () {
  it('takes the right-most X-Forwarded-For entry (the one the proxy appended), without its port', function () {
    const peer = '10.0.0.9';
    const cases: Array<[string | string[] | undefined, string]> = [
      ['203.0.113.7', '203.0.113.7'],
      ['198.51.100.1, 203.0.113.7', '203.0.113.7'],
      ['1.1.1.1,2.2.2.2 ,  203.0.113.7  ', '203.0.113.7'],
      ['forged, 203.0.113.7:50123', '203.0.113.7'],
      ['2001:db8::1', '2001:db8::1'],
      ['203.0.113.7, 2001:DB8::1', '2001:db8::1'],
      ['[2001:db8::1]:443', '2001:db8::1'],
      ['[::1]', '::1'],
      ['::ffff:203.0.113.7', '::ffff:203.0.113.7'],
      [['1.1.1.1, 2.2.2.2', '203.0.113.7'], '203.0.113.7'],
      // Empty or malformed: the socket peer (the proxy), never the client's text.
      [undefined, peer],
      ['', peer],
      ['   ', peer],
      ['203.0.113.7, ', peer],
      ['203.0.113.7,', peer],
      ['unknown', peer],
      ['203.0.113.7, not-an-ip', peer],
      ['203.0.113.7:99999999', peer],
      ['[2001:db8::1', peer],
      ['999.1.1.1', peer],
      ['2001:db8::1:443', '2001:db8::1:443'],
    ];
    for (const [header, expected] of cases) {
      expect(deskClientAddress(header, peer, true), JSON.stringify(header)).to.equal(expected);
    }
    expect(deskClientAddress('203.0.113.7', undefined, true)).to.equal('203.0.113.7');
    expect(deskClientAddress('junk', undefined, true)).to.equal('unknown');
    // Without trustProxy the header is ignored.
    expect(deskClientAddress('203.0.113.7', peer, false)).to.equal(peer);
  });

  it('locks out the proxied address after 20 wrong passwords however the client varies the entries before it', async function () {
    const t = await startDeskServer({ trustProxy: true, throttle: { baseLockMs: 60_000 } });
    try {
      const results: number[] = [];
      for (let i = 0; i < 30; i++) {
        // What the client sent, then what the one trusted proxy appended (sometimes with the client's port).
        const forged = `${(i * 7) % 256}.${i}.0.${i + 1}, 192.0.2.${i}`;
        const appended = i % 3 === 0 ? '203.0.113.9:4711' : '203.0.113.9';
        results.push((await new DeskClient(t.base).login(`user${i}`, 'wrong', { 'X-Forwarded-For': `${forged}, ${appended}` })).status);
      }
      expect(results.slice(0, 20)).to.deep.equal(Array(20).fill(401));
      expect(results.slice(20), 'locked out, whatever the first entries').to.deep.equal(Array(10).fill(429));
      const locked = await new DeskClient(t.base).login('ben', 'ben-password', { 'X-Forwarded-For': '198.51.100.200, 203.0.113.9' });
      expect(locked.status).to.equal(429);
      // Another client behind the proxy is not locked out.
      const other = await new DeskClient(t.base).login('ben', 'ben-password', { 'X-Forwarded-For': '203.0.113.9, 198.51.100.4' });
      expect(other.status).to.equal(200);
    } finally {
      await t.close();
    }
  });

  it('counts a malformed or empty header against the socket peer (the proxy), not a fresh address each time', async function () {
    const t = await startDeskServer({ trustProxy: true, throttle: { baseLockMs: 60_000 } });
    try {
      const headers = ['', 'garbage', '203.0.113.9, ', '[::1', 'x, y, z'];
      for (let i = 0; i < 20; i++) {
        expect((await new DeskClient(t.base).login(`user${i}`, 'wrong', { 'X-Forwarded-For': headers[i % headers.length]! })).status).to.equal(401);
      }
      expect((await new DeskClient(t.base).login('ben', 'ben-password', { 'X-Forwarded-For': 'still-garbage' })).status).to.equal(429);
      expect((await new DeskClient(t.base).login('ben')).status, 'no header: the socket peer, locked too').to.equal(429);
    } finally {
      await t.close();
    }
  });
});

/** Lock-outs of the burst tests: long enough to outlast a burst with real scrypt checks, short enough to wait out. */
const BURST_LOCK_MS = 3000;

/** Bursts of simultaneous sign-ins against each lock-out store. */
function burstSuite(name: string, makeStore: () => LockoutStore): void {
  describe(`desk console: lock-outs hold against simultaneous attempts (${name})`, function () {
    this.timeout(30000);
    let agents: DeskAgent[];
    let t: DeskTestServer;

    before(async function () {
      // A real scrypt cost: each check takes tens of ms, the window in which a burst used to slip through.
      agents = await Promise.all(
        ['ana', 'ben'].map(async (id) => ({ id, displayName: id, passwordHash: await hashDeskPassword(`${id}-password`) })),
      );
    });
    beforeEach(async function () {
      t = await startDeskServer({ agents, lockoutStore: makeStore(), throttle: { baseLockMs: BURST_LOCK_MS, maxLockMs: BURST_LOCK_MS } });
    });
    afterEach(async () => t.close());

    it('40 simultaneous wrong passwords for one account: only 5 are checked (401), the rest refused (429); the right one works after the lock-out', async function () {
      const results = statuses(await Promise.all(Array.from({ length: 40 }, (_, i) => new DeskClient(t.base).login('ana', `wrong-${i}`))));
      expect(countOf(results, 401), 'passwords checked').to.equal(5);
      expect(countOf(results, 429)).to.equal(35);
      expect((await new DeskClient(t.base).login('ana')).status, 'still locked out').to.equal(429);
      expect((await new DeskClient(t.base).login('ben')).status, 'another account').to.equal(200);
      // The counters expire on the store's clock (Redis's for Redis): wait the lock-out out.
      await new Promise((resolve) => setTimeout(resolve, BURST_LOCK_MS));
      expect((await new DeskClient(t.base).login('ana')).status, 'after the lock-out').to.equal(200);
      // The success cleared the account: 4 wrong passwords are free again.
      for (let i = 0; i < 4; i++) expect((await new DeskClient(t.base).login('ana', 'wrong')).status).to.equal(401);
      expect((await new DeskClient(t.base).login('ana')).status).to.equal(200);
    });

    it('40 simultaneous wrong passwords spread over accounts from one address: at most 20 are checked', async function () {
      const results = statuses(await Promise.all(Array.from({ length: 40 }, (_, i) => new DeskClient(t.base).login(`user${i}`, 'wrong'))));
      expect(countOf(results, 401)).to.equal(20);
      expect(countOf(results, 429)).to.equal(20);
    });

    it('right passwords do not use up the address allowance (offices share an address)', async function () {
      for (let i = 0; i < 25; i++) expect((await new DeskClient(t.base).login(i % 2 ? 'ana' : 'ben')).status, `sign-in ${i}`).to.equal(200);
      for (let i = 0; i < 20; i++) expect((await new DeskClient(t.base).login(`user${i}`, 'wrong')).status).to.equal(401);
      expect((await new DeskClient(t.base).login('ben')).status).to.equal(429);
    });
  });
}

burstSuite('MemoryLockoutStore', () => new MemoryLockoutStore());

describe('RedisLockoutStore under the console (real Redis)', function () {
  const r = useTestRedis();
  burstSuite('RedisLockoutStore', () => new RedisLockoutStore({ redis: r.redis, keyPrefix: r.prefix('desk-burst') }));
});

/** Two consoles over one session store, the second configured with a new password hash for ana. */
function rotationSuite(name: string, makeStore: () => DeskSessionStore): void {
  describe(`desk console: a password change ends the agent's sessions (${name})`, function () {
    this.timeout(10000);

    it('refuses a session signed in under the previous password hash; new sign-ins work', async function () {
      const sessionStore = makeStore();
      const backend = new FakeDeskBackend();
      const before = await testAgents();
      // DESK_AGENTS after ana's password was changed (a new scrypt hash for her only).
      const newHash = await hashDeskPassword('ana-new-password', { N: 1024 });
      const rotated = before.map((a) => (a.id === 'ana' ? { ...a, passwordHash: newHash } : a));
      const old = await startDeskServer({ sessionStore, backend, agents: before });
      const renewed = await startDeskServer({ sessionStore, backend, agents: rotated });
      try {
        const ana = new DeskClient(old.base);
        const ben = new DeskClient(old.base);
        expect((await ana.login('ana')).status).to.equal(200);
        expect((await ben.login('ben')).status).to.equal(200);
        const onNew = (c: DeskClient) => Object.assign(new DeskClient(renewed.base), { cookie: c.cookie, csrf: c.csrf });
        for (const path of ['/desk/api/session', '/desk/api/queue']) {
          expect((await onNew(ana).get(path)).status, `${path} with the old session`).to.equal(401);
        }
        expect((await onNew(ana).post('/desk/api/presence', { status: 'away' })).status).to.equal(401);
        expect((await onNew(ben).get('/desk/api/session')).status, 'an agent whose hash did not change').to.equal(200);
        // The new password signs in on the new configuration; that session means nothing under the old one.
        expect((await new DeskClient(renewed.base).login('ana')).status, 'the old password').to.equal(401);
        const fresh = new DeskClient(renewed.base);
        expect((await fresh.login('ana', 'ana-new-password')).status).to.equal(200);
        expect((await fresh.get('/desk/api/session')).status).to.equal(200);
        expect((await Object.assign(new DeskClient(old.base), { cookie: fresh.cookie }).get('/desk/api/session')).status).to.equal(401);
      } finally {
        await old.close();
        await renewed.close();
      }
    });
  });
}

rotationSuite('MemoryDeskSessionStore', () => new MemoryDeskSessionStore());

describe('RedisDeskSessionStore under the console (real Redis)', function () {
  const r = useTestRedis();
  rotationSuite('RedisDeskSessionStore', () => new RedisDeskSessionStore({ redis: r.redis, keyPrefix: r.prefix('desk-rotation') }));

  it('refuses a session stored without a credential digest (signed in before digests were kept)', async function () {
    const prefix = r.prefix('desk-legacy');
    const t = await startDeskServer({ sessionStore: new RedisDeskSessionStore({ redis: r.redis, keyPrefix: prefix }) });
    try {
      const ana = new DeskClient(t.base);
      expect((await ana.login('ana')).status).to.equal(200);
      expect((await ana.get('/desk/api/session')).status).to.equal(200);
      const id = ana.cookie.slice('warmline_desk='.length);
      expect(await r.redis.hdel(`${prefix}session:${deskSessionDigest(id)}`, 'cred')).to.equal(1);
      expect((await ana.get('/desk/api/session')).status).to.equal(401);
    } finally {
      await t.close();
    }
  });
});
