import { expect } from 'chai';
import * as restify from 'restify';
import { listen } from '../../../bots/app/server';
import { HandoffStatusVerifier, signHandoffStatus } from '../../../middleware/handoff/hubs/handoffStatusVerifier';
import { applyHubStatus, type HubStatusUpdate } from '../../../middleware/handoff/hubs/hubStatus';
import { RedisReplayCache } from '../../../middleware/shared/redisReplayCache';
import { registerWebhookStatusRoute } from '../../../bots/hubs/registerWebhookStatusRoute';
import { MemoryReplayCache, REPLAY_CLOCK_SKEW_MS, replayTtlMs, type ReplayCache } from '../../../middleware/shared/replayCache';
import { signWebhook } from '../../../middleware/handoff/hubs/webhookSigning';
import { MemoryHandoffStore } from '../../../middleware/handoff/stores/memoryHandoffStore';
import { deleteKeys, useTestRedis } from '../handoff/testRedis';
import { createFraudCase } from '../handoff/hubs/caseFixture';

const SECRET = 'status-secret-0123456789';
const WEBHOOK_SECRET = 'whsec_inbound_0123456789abcdef';

interface Harness {
  /** A cache over the shared backing (a second call is "another instance" for a shared cache). */
  cache(): ReplayCache;
  /** Lets `ms` pass for the cache. */
  advance(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

/** What every ReplayCache must do. */
function replayCacheSuite(name: string, make: () => Promise<Harness>): void {
  describe(`ReplayCache behaviour: ${name}`, function () {
    let h: Harness;
    let c: ReplayCache;
    beforeEach(async function () {
      h = await make();
      c = h.cache();
    });
    afterEach(async function () {
      await h.cleanup();
    });

    it('claims a key once, as pending; the same key again is pending until completed, then done; another key is free', async function () {
      expect(await c.begin('sig-1', 60_000)).to.equal('claimed');
      expect(await c.begin('sig-1', 60_000)).to.equal('pending');
      expect(await h.cache().begin('sig-1', 60_000), 'on another instance too').to.equal('pending');
      expect(await c.begin('sig-2', 60_000)).to.equal('claimed');
      await c.complete('sig-1');
      expect(await c.begin('sig-1', 60_000)).to.equal('done');
      expect(await h.cache().begin('sig-1', 60_000)).to.equal('done');
      await c.complete('sig-1');
      expect(await c.begin('sig-1', 60_000), 'completing twice changes nothing').to.equal('done');
      await c.complete('never-claimed');
      expect(await c.begin('never-claimed', 60_000), 'completing an absent key does not record it').to.equal('claimed');
    });

    it('forgets a released key (pending or done), and a key whose time is up', async function () {
      expect(await c.begin('sig-1', 60_000)).to.equal('claimed');
      await c.release('sig-1');
      expect(await c.begin('sig-1', 60_000)).to.equal('claimed');
      await c.complete('sig-1');
      await c.release('sig-1');
      expect(await c.begin('sig-1', 60_000)).to.equal('claimed');
      expect(await c.begin('short', 40)).to.equal('claimed');
      await h.advance(150);
      expect(await c.begin('short', 40)).to.equal('claimed');
      expect(await c.begin('sig-1', 60_000), 'a long one is still there').to.equal('pending');
    });

    it('with owner tokens, a late release or completion of an expired claim leaves a later claim (and its done) alone', async function () {
      expect(await c.begin('k', 40, 'owner-a')).to.equal('claimed');
      await h.advance(150);
      // A's lease ran out; B claims and completes.
      expect(await h.cache().begin('k', 60_000, 'owner-b')).to.equal('claimed');
      await c.complete('k', 60_000, 'owner-a');
      expect(await c.begin('k', 60_000), "A's late completion does not complete B's claim").to.equal('pending');
      await c.release('k', 'owner-a');
      expect(await c.begin('k', 60_000), "A's late release does not forget B's claim").to.equal('pending');
      await h.cache().complete('k', 60_000, 'owner-b');
      await c.release('k', 'owner-a');
      expect(await c.begin('k', 60_000), "nor B's done").to.equal('done');
      // The owner releases its own pending claim; a release without a token still forgets whatever is there.
      expect(await c.begin('m', 60_000, 'owner-c')).to.equal('claimed');
      await c.release('m', 'owner-c');
      expect(await c.begin('m', 60_000, 'owner-d')).to.equal('claimed');
      await c.release('m');
      expect(await c.begin('m', 60_000)).to.equal('claimed');
    });

    it('keeps the time to live set by begin when completing (done is not remembered longer)', async function () {
      expect(await c.begin('short', 400)).to.equal('claimed');
      await h.advance(200);
      await c.complete('short');
      expect(await c.begin('short', 400)).to.equal('done');
      await h.advance(300);
      expect(await c.begin('short', 400), 'gone at the deadline begin set, not 400 ms after complete').to.equal('claimed');
    });

    it('lets exactly one of concurrent claims of a key win, across instances; the others see it pending', async function () {
      const caches = [c, h.cache(), h.cache()];
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => caches[i % 3]!.begin('same', 60_000)));
      expect(results.filter((r) => r === 'claimed')).to.have.length(1);
      expect(results.filter((r) => r === 'pending')).to.have.length(29);
    });

    it('makes a HandoffStatusVerifier refuse a status replayed to another instance sharing the cache', async function () {
      const first = new HandoffStatusVerifier({ secret: SECRET, replayCache: c });
      const second = new HandoffStatusVerifier({ secret: SECRET, replayCache: h.cache() });
      const signed = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'accepted' });
      expect(await second.verifyAsync({ ...signed, signature: 'forged' })).to.deep.equal({ ok: false, reason: 'mismatch' });
      expect(await first.verifyAsync(signed)).to.deep.equal({ ok: true });
      expect(await second.verifyAsync(signed)).to.deep.equal({ ok: false, reason: 'replayed' });
      expect(await first.verifyAsync(signed)).to.deep.equal({ ok: false, reason: 'replayed' });
    });

    it('holds a claimed status as pending until completed or released', async function () {
      const first = new HandoffStatusVerifier({ secret: SECRET, replayCache: c });
      const second = new HandoffStatusVerifier({ secret: SECRET, replayCache: h.cache() });
      const signed = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'accepted' });
      const claim = await first.claimAsync(signed);
      if (!claim.ok) throw new Error(`not claimed: ${claim.reason}`);
      expect(await second.claimAsync(signed)).to.deep.equal({ ok: false, reason: 'in_progress' });
      expect(await second.verifyAsync(signed)).to.deep.equal({ ok: false, reason: 'in_progress' });
      await claim.release();
      const again = await second.claimAsync(signed);
      expect(again.ok, 'released: the resend goes through').to.equal(true);
      if (again.ok) await again.complete();
      expect(await first.claimAsync(signed)).to.deep.equal({ ok: false, reason: 'replayed' });
    });
  });
}

replayCacheSuite('MemoryReplayCache', async () => {
  let now = 1_767_225_600_000;
  const shared = new MemoryReplayCache({ now: () => now });
  return {
    cache: () => shared,
    advance: async (ms) => void (now += ms),
    cleanup: async () => undefined,
  };
});

describe('MemoryReplayCache', function () {
  it('keeps at most maxEntries keys, forgetting the oldest first', async function () {
    const c = new MemoryReplayCache({ maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) expect(await c.begin(k, 60_000)).to.equal('claimed');
    expect(c.size).to.equal(2);
    expect(c.beginNow('a', 60_000), 'the oldest went').to.equal('claimed');
    expect(c.beginNow('c', 60_000)).to.equal('pending');
  });

  it('beginNow and completeNow: the synchronous steps of the memory cache (HandoffStatusVerifier.verify)', function () {
    const c = new MemoryReplayCache();
    expect(c.beginNow('a', 60_000)).to.equal('claimed');
    expect(c.beginNow('a', 60_000), 'a pending key is not free').to.equal('pending');
    c.completeNow('a');
    expect(c.beginNow('a', 60_000)).to.equal('done');
  });

  it('remembers a signature exactly as long as its timestamp is in the window, plus a margin for clocks', function () {
    const now = 1_767_225_600_000;
    expect(replayTtlMs(now / 1000, 300, now)).to.equal(301_000 + REPLAY_CLOCK_SKEW_MS);
    // Signed in the future (allowed within the window): valid, so remembered, for longer.
    expect(replayTtlMs(now / 1000 + 300, 300, now)).to.equal(601_000 + REPLAY_CLOCK_SKEW_MS);
    expect(replayTtlMs(now / 1000 - 400, 300, now)).to.equal(1 + REPLAY_CLOCK_SKEW_MS);
  });
});

describe('HandoffStatusVerifier replay cache choice', function () {
  it('by default keeps one cache per verifier (per process): another instance accepts the replay', async function () {
    const signed = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'accepted' });
    const a = new HandoffStatusVerifier({ secret: SECRET });
    const b = new HandoffStatusVerifier({ secret: SECRET });
    expect(a.verify(signed)).to.deep.equal({ ok: true });
    expect(await a.verifyAsync(signed)).to.deep.equal({ ok: false, reason: 'replayed' });
    expect(b.verify(signed)).to.deep.equal({ ok: true });
  });

  it('refuses the synchronous verify with a cache that is not in memory', function () {
    const external: ReplayCache = { begin: async () => 'claimed', complete: async () => undefined, release: async () => undefined };
    const v = new HandoffStatusVerifier({ secret: SECRET, replayCache: external });
    expect(() => v.verify(signHandoffStatus(SECRET, { caseId: 'C-1', state: 'accepted' }))).to.throw(TypeError, /verifyAsync/);
    expect(v.replayCacheSize).to.equal(0);
  });
});

const WEBHOOK_PATH = '/api/hooks/crm/status';

const post = (url: string, body: string, headers: object) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(headers as Record<string, string>) } });

/**
 * Webhook status servers for the tests of one `describe` (mocha hooks): a fresh store and call list per test, every
 * server closed after it. `beforeApply`, when set, runs once inside the next status applied (to hold or fail it).
 */
function useWebhookServers() {
  const w = {
    store: new MemoryHandoffStore(),
    calls: [] as HubStatusUpdate[],
    beforeApply: undefined as (() => Promise<void>) | undefined,
    /** Starts a server; with `recordOnly` it records statuses without applying them to the store. */
    async start(replayCache?: ReplayCache, options: { secrets?: string[]; recordOnly?: boolean } = {}): Promise<string> {
      const server = restify.createServer();
      registerWebhookStatusRoute(server, {
        path: WEBHOOK_PATH,
        secrets: options.secrets ?? [WEBHOOK_SECRET],
        ...(replayCache ? { replayCache } : {}),
        onStatus: async (u) => {
          w.calls.push(u);
          if (options.recordOnly) return undefined;
          const before = w.beforeApply;
          w.beforeApply = undefined;
          if (before) await before();
          return applyHubStatus(w.store, u);
        },
      });
      servers.push(server);
      return `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}${WEBHOOK_PATH}`;
    },
  };
  const servers: restify.Server[] = [];
  beforeEach(function () {
    w.store = new MemoryHandoffStore();
    w.calls = [];
    w.beforeApply = undefined;
  });
  afterEach(async function () {
    for (const server of servers.splice(0)) await new Promise<void>((r) => server.close(() => r()));
  });
  return w;
}

describe('registerWebhookStatusRoute with a replay cache', function () {
  const w = useWebhookServers();

  it('answers a replay reaching another server that shares the cache as a duplicate, without applying it twice', async function () {
    const shared = new MemoryReplayCache();
    const [a, b] = [await w.start(shared), await w.start(shared)];
    const c = await createFraudCase(w.store, 'conv-replay');
    const body = JSON.stringify({ caseId: c.id, state: 'accepted', agent: { id: 'crm-1' } });
    const headers = signWebhook(body, WEBHOOK_SECRET);
    expect(await (await post(a, body, headers)).json()).to.deep.equal({ ok: true, caseState: 'assigned' });
    const replay = await post(b, body, headers);
    expect(replay.status).to.equal(200);
    expect(await replay.json()).to.deep.equal({ ok: true, duplicate: true });
    expect(w.calls).to.have.length(1);
  });

  it('with a cache per server (the default), the other server applies the replay again', async function () {
    const [a, b] = [await w.start(), await w.start()];
    const c = await createFraudCase(w.store, 'conv-replay');
    const body = JSON.stringify({ caseId: c.id, state: 'accepted', agent: { id: 'crm-1' } });
    const headers = signWebhook(body, WEBHOOK_SECRET);
    await post(a, body, headers);
    expect(await (await post(b, body, headers)).json()).not.to.have.property('duplicate');
    expect(w.calls).to.have.length(2);
  });

  it('catches a replay that keeps only one of two rotation signatures', async function () {
    const shared = new MemoryReplayCache();
    const OLD = 'whsec_inbound_old_0123456789ab';
    const url = await w.start(shared, { secrets: [WEBHOOK_SECRET, OLD], recordOnly: true });
    const body = JSON.stringify({ caseId: 'C-7K3P', state: 'completed' });
    const both = signWebhook(body, [WEBHOOK_SECRET, OLD]);
    expect((await post(url, body, both)).status).to.equal(200);
    const onlyOld = { ...both, 'X-Warmline-Signature': both['X-Warmline-Signature'].split(',')[1] };
    expect(await (await post(url, body, onlyOld)).json()).to.deep.equal({ ok: true, duplicate: true });
    expect(w.calls).to.have.length(1);
  });

  it('forgets a status that could not be applied (so the hub may retry it), and answers 503 when the cache fails', async function () {
    const shared = new MemoryReplayCache();
    const a = await w.start(shared);
    const body = JSON.stringify({ caseId: 'C-ZZZZ', state: 'accepted' });
    const headers = signWebhook(body, WEBHOOK_SECRET);
    expect((await post(a, body, headers)).status).to.equal(404);
    expect((await post(a, body, headers)).status, 'retried, not a duplicate').to.equal(404);
    expect(w.calls).to.have.length(2);

    const broken: ReplayCache = { begin: async () => Promise.reject(new Error('redis down')), complete: async () => undefined, release: async () => undefined };
    const b = await w.start(broken);
    const res = await post(b, body, signWebhook(body, WEBHOOK_SECRET));
    expect(res.status).to.equal(503);
    expect(w.calls).to.have.length(2);
  });
});

/** A promise and the function that settles it. */
function deferred(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A hub retry reaching a second server (sharing the cache) while the first is still applying the same status. */
function inFlightRetrySuite(name: string, makeCache: () => ReplayCache): void {
  describe(`registerWebhookStatusRoute: a retry while the original is applied (${name})`, function () {
    const w = useWebhookServers();

    async function inFlight(fail: boolean) {
      const cache = makeCache();
      const [a, b] = [await w.start(cache), await w.start(cache)];
      const c = await createFraudCase(w.store, `conv-inflight-${fail ? 'fail' : 'ok'}`);
      const body = JSON.stringify({ caseId: c.id, state: 'accepted', agent: { id: 'crm-1' } });
      const headers = signWebhook(body, WEBHOOK_SECRET);
      const entered = deferred();
      const release = deferred();
      w.beforeApply = async () => {
        entered.resolve();
        await release.promise;
        if (fail) throw new Error('store unreachable');
      };
      const original = post(a, body, headers);
      await entered.promise;
      const concurrent = await post(b, body, headers);
      release.resolve();
      return { original: await original, concurrent, retry: () => post(b, body, headers), caseId: c.id };
    }

    it('slow then failing: the concurrent retry is told to come back (503, Retry-After), not "done"; a later retry is applied', async function () {
      const { original, concurrent, retry, caseId } = await inFlight(true);
      expect(concurrent.status).to.equal(503);
      expect(concurrent.headers.get('retry-after')).to.equal('1');
      expect(await concurrent.json()).to.deep.equal({ error: 'InProgress', message: 'An identical status is being processed; retry in a moment.' });
      expect(original.status).to.equal(500);
      expect((await w.store.get(caseId))?.state).to.equal('queued');
      const later = await retry();
      expect(later.status).to.equal(200);
      expect(await later.json()).to.deep.equal({ ok: true, caseState: 'assigned' });
      expect(w.calls, 'the original, then the later retry').to.have.length(2);
    });

    it('slow then succeeding: the concurrent retry gets 503 in progress; a later retry is a 200 duplicate', async function () {
      const { original, concurrent, retry, caseId } = await inFlight(false);
      expect(concurrent.status).to.equal(503);
      expect(concurrent.headers.get('retry-after')).to.equal('1');
      expect(((await concurrent.json()) as { error: string }).error).to.equal('InProgress');
      expect(original.status).to.equal(200);
      expect(await original.json()).to.deep.equal({ ok: true, caseState: 'assigned' });
      const later = await retry();
      expect(later.status).to.equal(200);
      expect(await later.json()).to.deep.equal({ ok: true, duplicate: true });
      expect(w.calls).to.have.length(1);
      expect((await w.store.get(caseId))?.state).to.equal('assigned');
    });
  });
}

inFlightRetrySuite('MemoryReplayCache', () => new MemoryReplayCache());

describe('RedisReplayCache (real Redis)', function () {
  const t = useTestRedis();

  replayCacheSuite('RedisReplayCache', async () => {
    const prefix = t.prefix('replay');
    return {
      cache: () => new RedisReplayCache({ redis: t.redis, keyPrefix: prefix }),
      advance: (ms) => new Promise((r) => setTimeout(r, ms)),
      cleanup: async () => void (await deleteKeys(t.redis, prefix)),
    };
  });

  inFlightRetrySuite('RedisReplayCache', () => new RedisReplayCache({ redis: t.redis, keyPrefix: t.prefix('replay-inflight') }));

  it('stores a hash of the key with a TTL, nothing in clear; completing keeps the TTL', async function () {
    const prefix = t.prefix('replay-keys');
    const c = new RedisReplayCache({ redis: t.redis, keyPrefix: prefix });
    await c.begin('C-7K3P.signature-value', 30_000);
    const keys = await t.redis.keys(`${prefix}*`);
    expect(keys).to.have.length(1);
    expect(keys[0]).not.to.contain('C-7K3P').and.not.to.contain('signature');
    expect(await t.redis.get(keys[0]!)).to.equal('pending');
    expect(await t.redis.pttl(keys[0]!)).to.be.within(1, 30_000);
    await t.redis.pexpire(keys[0]!, 10_000);
    await c.complete('C-7K3P.signature-value');
    expect(await t.redis.get(keys[0]!)).to.equal('done');
    expect(await t.redis.pttl(keys[0]!)).to.be.within(1, 10_000);
  });

  it('reads a key written by an earlier version (value 1, no state) as done', async function () {
    const prefix = t.prefix('replay-legacy');
    const c = new RedisReplayCache({ redis: t.redis, keyPrefix: prefix });
    await c.begin('legacy', 30_000);
    const [key] = await t.redis.keys(`${prefix}*`);
    await t.redis.set(key!, '1', 'PX', 30_000);
    expect(await c.begin('legacy', 30_000)).to.equal('done');
  });
});
