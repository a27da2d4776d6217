import { expect } from 'chai';
import { MemoryDeskSessionStore, type DeskSessionStore } from '../../../bots/console/deskSessions';
import { Redis } from 'ioredis';
import { MemoryLockoutStore } from '../../../bots/console/lockoutStore';
import { RedisLockoutStore } from '../../../bots/console/redisLockoutStore';
import { DeskClient, startDeskServer, type DeskTestServer } from './deskTestServer';
import { FakeDeskBackend } from './fakeDeskBackend';
import { SseClient } from './sseClient';

describe('registerDeskConsole with shared session and lock-out stores (two consoles, one store)', function () {
  this.timeout(10000);
  let a: DeskTestServer;
  let b: DeskTestServer;
  let sessions: MemoryDeskSessionStore;
  let lockouts: MemoryLockoutStore;
  let backend: FakeDeskBackend;

  beforeEach(async function () {
    sessions = new MemoryDeskSessionStore();
    lockouts = new MemoryLockoutStore();
    // Both consoles over one backend (cases, presence), as two instances over one Redis.
    backend = new FakeDeskBackend();
    const common = { sessionStore: sessions, lockoutStore: lockouts, heartbeatMs: 100, throttle: { baseLockMs: 60_000 }, backend };
    a = await startDeskServer(common);
    b = await startDeskServer(common);
  });
  afterEach(async function () {
    await a.close();
    await b.close();
  });

  it('a session signed in on one console works on the other, CSRF token included; signing out on one ends it on both', async function () {
    expect(a.desk.sessions).to.equal(sessions);
    const onA = new DeskClient(a.base);
    expect((await onA.login('ana')).status).to.equal(200);
    const onB = Object.assign(new DeskClient(b.base), { cookie: onA.cookie, csrf: onA.csrf });
    const session = await onB.get('/desk/api/session');
    expect(session.status).to.equal(200);
    expect(((await session.json()) as { csrfToken: string }).csrfToken).to.equal(onA.csrf);
    expect((await onB.post('/desk/api/presence', { status: 'away' })).status).to.equal(200);

    // A live stream on B ends at its next heartbeat once the agent signed out on A; presence is cleared.
    const events = await SseClient.open(`${b.base}/desk/api/events`, onB.headers());
    try {
      await events.waitFor((e) => e.event === 'ready');
      expect((await onA.post('/desk/api/logout')).status).to.equal(204);
      expect((await onB.get('/desk/api/queue')).status).to.equal(401);
      const end = await events.waitFor((e) => e.event === 'end', 2000);
      expect(end.data).to.deep.equal({ reason: 'signed_out' });
      await events.waitForEnd();
      expect(b.desk.openStreams()).to.equal(0);
      expect(await backend.store.listPresence()).to.deep.equal([]);
    } finally {
      events.close();
    }
  });

  it('keeps an agent online while another of their sessions lives', async function () {
    const first = new DeskClient(a.base);
    const second = new DeskClient(b.base);
    await first.login('ana');
    await second.login('ana');
    await first.post('/desk/api/logout');
    expect((await backend.store.listPresence()).map((p) => p.agent.id)).to.deep.equal(['ana']);
    await second.post('/desk/api/logout');
    expect(await backend.store.listPresence()).to.deep.equal([]);
  });

  /** Restarts both consoles with presence renewed every second (a third of its 3 s time to live; every 20 s in
   * production), signs Ana in on A, and gives her session to a client of B. */
  async function anaOnBothWithQuickRenewals(heartbeatMs: number) {
    await a.close();
    await b.close();
    const common = { sessionStore: sessions, lockoutStore: lockouts, heartbeatMs, throttle: { baseLockMs: 60_000 }, backend, presenceTtlMs: 3000 };
    a = await startDeskServer(common);
    b = await startDeskServer(common);
    const onA = new DeskClient(a.base);
    expect((await onA.login('ana')).status).to.equal(200);
    const onB = Object.assign(new DeskClient(b.base), { cookie: onA.cookie, csrf: onA.csrf });
    const statusOf = async () => (await backend.store.listPresence()).find((p) => p.agent.id === 'ana')?.status;
    return { onA, onB, statusOf };
  }

  it('an agent away on one console stays away when their console on the other renews presence, reconnects or reloads', async function () {
    const { onA, onB, statusOf } = await anaOnBothWithQuickRenewals(100);
    const events = await SseClient.open(`${b.base}/desk/api/events`, onB.headers());
    try {
      await events.waitFor((e) => e.event === 'ready');
      expect(await statusOf()).to.equal('online');
      expect((await onA.post('/desk/api/presence', { status: 'away' })).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 1400)); // B's console renews presence at least once
      expect(await statusOf(), 'after a renewal on the other instance').to.equal('away');
      const shown = await events.waitFor((e) => e.event === 'presence', 2000);
      expect(shown.data, 'the console on the other instance is told').to.deep.include({ agentId: 'ana', status: 'away' });
      const session = (await (await onB.get('/desk/api/session')).json()) as { status: string };
      expect(session.status, 'the other instance shows the shared status').to.equal('away');
      const again = await SseClient.open(`${b.base}/desk/api/events`, onB.headers());
      try {
        await again.waitFor((e) => e.event === 'ready');
        expect(await statusOf(), 'after a reconnect on the other instance').to.equal('away');
      } finally {
        again.close();
      }
      expect((await onB.post('/desk/api/presence', { status: 'online' })).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 1400));
      expect(await statusOf(), 'back online from the other instance, and kept so by its renewals').to.equal('online');
    } finally {
      events.close();
    }
  });

  it('a renewal in flight neither undoes an "away" set meanwhile nor brings back an agent who signed out', async function () {
    const { onA, onB, statusOf } = await anaOnBothWithQuickRenewals(60_000);
    // Renewals now take 300 ms: B's stream opens (a renewal starts), then A sets away while it is in flight.
    backend.renewDelayMs = 300;
    const events = await SseClient.open(`${b.base}/desk/api/events`, onB.headers());
    try {
      await events.waitFor((e) => e.event === 'ready');
      expect((await onA.post('/desk/api/presence', { status: 'away' })).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 1600)); // the in-flight renewal and one more have landed
      expect(await statusOf(), 'still away').to.equal('away');
      // Signing out with a renewal in flight: the presence stays cleared.
      await new Promise((r) => setTimeout(r, 700));
      expect((await onA.post('/desk/api/logout')).status).to.equal(204);
      await new Promise((r) => setTimeout(r, 1600));
      expect(await statusOf(), 'signed out: no presence').to.equal(undefined);
    } finally {
      events.close();
      backend.renewDelayMs = 0;
    }
  });

  it('reads the console presence of an agent, not the presence of the same id on another channel', async function () {
    const onA = new DeskClient(a.base);
    expect((await onA.login('ana')).status).to.equal(200);
    await backend.store.setPresence({ id: 'ana', name: 'Ana on Teams', channel: 'msteams' }, 'online', 60_000);
    expect((await onA.post('/desk/api/presence', { status: 'away' })).status).to.equal(200);
    const onB = Object.assign(new DeskClient(b.base), { cookie: onA.cookie, csrf: onA.csrf });
    const session = (await (await onB.get('/desk/api/session')).json()) as { status: string };
    expect(session.status).to.equal('away');
  });

  it('adds up wrong passwords made on both consoles: the account is locked out on both', async function () {
    for (let i = 1; i <= 5; i++) {
      const on = i % 2 ? a : b;
      expect((await new DeskClient(on.base).login('ana', `wrong-${i}`)).status, `try ${i}`).to.equal(401);
    }
    expect((await new DeskClient(a.base).login('ana')).status).to.equal(429);
    expect((await new DeskClient(b.base).login('ana')).status).to.equal(429);
    expect((await new DeskClient(b.base).login('ben')).status, 'another account is not locked').to.equal(200);
  });
});

describe('registerDeskConsole when its stores fail', function () {
  it('answers 503 (never 200, never a crash) when sessions or lock-outs cannot be read', async function () {
    const down = (): Promise<never> => Promise.reject(new Error('redis down'));
    const sessionStore: DeskSessionStore = { create: down, touch: down, destroy: down, countOfAgent: down };
    // Lock-out counters on a Redis that cannot be reached: every command fails at once.
    const unreachable = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    unreachable.on('error', () => undefined);
    const t = await startDeskServer({ sessionStore, lockoutStore: new RedisLockoutStore({ redis: unreachable }) });
    try {
      const c = new DeskClient(t.base);
      expect((await c.login('ana')).status).to.equal(503);
      const api = await fetch(`${t.base}/desk/api/queue`, { headers: { Cookie: 'warmline_desk=whatever' } });
      expect(api.status).to.equal(503);
    } finally {
      await t.close();
      unreachable.disconnect();
    }
  });
});
