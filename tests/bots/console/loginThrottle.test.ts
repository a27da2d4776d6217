import { expect } from 'chai';
import { Redis } from 'ioredis';
import sinon from 'sinon';
import { lockoutMs, MemoryLockoutStore, type LockoutStore } from '../../../bots/console/lockoutStore';
import { LoginThrottle, type LoginThrottleOptions } from '../../../bots/console/loginThrottle';
import { RedisLockoutStore } from '../../../bots/console/redisLockoutStore';
import { deleteKeys, useTestRedis } from '../../middleware/handoff/testRedis';

interface Harness {
  /** A store over the shared backing (a second call is "another instance" for a shared store). */
  store(): LockoutStore;
  /** Lets time pass: the fake clock in memory, real time on Redis (whose keys expire on the server's clock). */
  advance(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

/** What LoginThrottle does over every store. */
function throttleSuite(name: string, make: () => Promise<Harness>): void {
  describe(`LoginThrottle over ${name}`, function () {
    this.timeout(20000);
    let h: Harness;
    const throttle = (options: LoginThrottleOptions = {}, store: LockoutStore = h.store()) => new LoginThrottle({ store, ...options });
    beforeEach(async function () {
      h = await make();
    });
    afterEach(async function () {
      await h.cleanup();
    });

    it('lets 5 wrong passwords through, then locks 1 s, 2 s, capped; attempts during a lock-out are refused and not counted', async function () {
      const t = throttle({ baseLockMs: 1000, maxLockMs: 2000 });
      for (let i = 0; i < 4; i++) {
        expect(await t.attempt('ana'), `attempt ${i + 1}`).to.equal(0);
        expect(await t.lockedFor('ana')).to.equal(0);
      }
      expect(await t.attempt('ana'), 'the fifth goes ahead').to.equal(0);
      expect(await t.lockedFor('ana'), 'and starts 1 s').to.be.within(500, 1000);
      for (let i = 0; i < 5; i++) expect(await t.attempt('ana'), 'refused with the time left').to.be.within(1, 1000);
      await h.advance(1000);
      expect(await t.lockedFor('ana')).to.equal(0);
      expect(await t.attempt('ana'), 'one goes ahead once it is over').to.equal(0);
      expect(await t.lockedFor('ana'), 'then 2 s: the refused ones did not count').to.be.within(1500, 2000);
      expect(await t.attempt('ana')).to.be.within(1, 2000);
      await h.advance(2000);
      expect(await t.attempt('ana')).to.equal(0);
      expect(await t.lockedFor('ana'), 'capped').to.be.within(1500, 2000);
      expect(await t.lockedFor('ben'), 'another key').to.equal(0);
    });

    it('lets exactly the free attempts through a burst of 40 simultaneous ones on three instances, and counts every one', async function () {
      const options = { baseLockMs: 60_000, maxLockMs: 60_000 };
      const instances = [throttle(options), throttle(options), throttle(options)];
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => instances[i % 3]!.attempt('ana')));
      expect(results.filter((ms) => ms === 0)).to.have.length(5);
      expect(results.filter((ms) => ms > 0 && ms <= 60_000)).to.have.length(35);
      expect(await instances[1]!.lockedFor('ana')).to.be.above(50_000);
      // 30 free attempts at once: all go ahead, and all were counted (the 30th started a lock-out).
      const wide = [throttle({ ...options, freeFailures: 30 }), throttle({ ...options, freeFailures: 30 })];
      expect(await Promise.all(Array.from({ length: 30 }, (_, i) => wide[i % 2]!.attempt('ben')))).to.deep.equal(Array(30).fill(0));
      expect(await wide[0]!.attempt('ben')).to.be.above(50_000);
    });

    it('takes back a counted attempt (refund), with the lock-out it started', async function () {
      const t = throttle({ freeFailures: 2, baseLockMs: 1000, maxLockMs: 4000 });
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.attempt('ip'), 'locked').to.be.above(0);
      await t.refund('ip');
      expect(await t.lockedFor('ip'), 'lifted').to.equal(0);
      expect(await t.attempt('ip'), 'the second again').to.equal(0);
      expect(await t.lockedFor('ip'), 'the first lock-out again').to.be.within(500, 1000);
      await h.advance(1000);
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.lockedFor('ip')).to.be.within(1500, 2000);
      await t.refund('ip');
      expect(await t.lockedFor('ip')).to.equal(0);
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.lockedFor('ip'), 'the second lock-out again, not the third').to.be.within(1500, 2000);
      await t.reset('ip');
      // Two refunds of one counted attempt, or of none, take back nothing more.
      expect(await t.attempt('ip')).to.equal(0);
      await t.refund('ip');
      await t.refund('ip');
      await t.refund('never-seen');
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.lockedFor('ip'), 'one counted').to.equal(0);
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.lockedFor('ip'), 'two counted').to.be.above(0);
      expect(await t.attempt('never-seen')).to.equal(0);
      expect(await t.lockedFor('never-seen')).to.equal(0);
    });

    it('forgets a key on reset (a right password)', async function () {
      const t = throttle({ baseLockMs: 60_000 });
      for (let i = 0; i < 5; i++) await t.attempt('ana');
      expect(await t.lockedFor('ana')).to.be.above(0);
      await t.reset('ana');
      expect(await t.lockedFor('ana')).to.equal(0);
      for (let i = 0; i < 4; i++) expect(await t.attempt('ana')).to.equal(0);
      expect(await t.lockedFor('ana'), '4 free again').to.equal(0);
      await t.reset('never-seen');
    });

    it('forgets failures forgetAfterMs after the first, and once locked out, after the last lock-out started', async function () {
      const t = throttle({ freeFailures: 2, baseLockMs: 1000, maxLockMs: 1000, forgetAfterMs: 2000 });
      expect(await t.attempt('ip')).to.equal(0);
      await h.advance(2100);
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.lockedFor('ip'), 'the first was forgotten').to.equal(0);
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.lockedFor('ip'), 'locked out').to.be.above(0);
      await h.advance(1000);
      expect(await t.attempt('ip')).to.equal(0);
      await h.advance(1500);
      // 2.5 s after the first lock-out, 1.5 s after the second.
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.lockedFor('ip'), 'still remembered').to.be.above(0);
      await h.advance(2100);
      expect(await t.attempt('ip')).to.equal(0);
      expect(await t.lockedFor('ip'), 'forgotten').to.equal(0);
    });

    it('is shared by the throttles (instances) of one store; another prefix is another key', async function () {
      const options = { baseLockMs: 1000, maxLockMs: 5000, keyPrefix: 'account:' };
      const a = throttle(options);
      const b = throttle(options);
      const ip = throttle({ ...options, keyPrefix: 'ip:' });
      for (let i = 0; i < 5; i++) expect(await (i % 2 ? b : a).attempt('ana')).to.equal(0);
      expect(await a.lockedFor('ana')).to.be.within(500, 1000);
      expect(await b.attempt('ana'), 'refused on the other throttle').to.be.within(1, 1000);
      expect(await ip.lockedFor('ana')).to.equal(0);
      expect(await ip.attempt('ana')).to.equal(0);
      await h.advance(1000);
      expect(await a.lockedFor('ana')).to.equal(0);
      expect(await a.attempt('ana')).to.equal(0);
      expect(await b.lockedFor('ana')).to.be.within(1500, 2000);
      await b.reset('ana');
      expect(await a.lockedFor('ana')).to.equal(0);
      expect(await a.attempt('ana')).to.equal(0);
      expect(await a.lockedFor('ana')).to.equal(0);
    });
  });
}

describe('lockoutMs', function () {
  it('is 0 below the free attempts, then doubles from the base up to the cap', function () {
    const policy = { freeFailures: 5, baseLockMs: 1000, maxLockMs: 15 * 60_000 };
    expect([1, 4, 5, 6, 7, 14, 15, 100].map((n) => lockoutMs(n, policy))).to.deep.equal([0, 0, 1000, 2000, 4000, 512_000, 900_000, 900_000]);
  });
});

describe('LoginThrottle options', function () {
  it('refuses no free attempt or no lock-out', function () {
    expect(() => new LoginThrottle({ freeFailures: 0 })).to.throw(TypeError);
    expect(() => new LoginThrottle({ baseLockMs: 0 })).to.throw(TypeError);
  });
});

describe('memory', function () {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });

  throttleSuite('MemoryLockoutStore', async () => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const shared = new MemoryLockoutStore();
    return {
      store: () => shared,
      advance: async (ms) => void clock?.tick(ms),
      cleanup: async () => undefined,
    };
  });

  describe('MemoryLockoutStore', function () {
    it('keeps at most maxKeys keys, dropping the least recently counted from every counter', async function () {
      const store = new MemoryLockoutStore({ maxKeys: 2 });
      const t = new LoginThrottle({ store, freeFailures: 2, baseLockMs: 60_000 });
      await t.attempt('a');
      await t.attempt('b');
      await t.attempt('a');
      expect(await t.lockedFor('a')).to.be.above(0);
      await t.attempt('c');
      expect(store.size).to.equal(2);
      expect(await t.attempt('b')).to.equal(0);
      expect(await t.lockedFor('b'), 'b was dropped: that was its first attempt again').to.equal(0);
      expect(store.size).to.equal(2);
      expect(await t.lockedFor('c')).to.equal(0);
      await t.attempt('c');
      expect(await t.lockedFor('c'), 'c was kept').to.be.above(0);
      expect(await t.lockedFor('a'), 'a was dropped, lock-out and all').to.equal(0);
    });
  });
});

describe('RedisLockoutStore (real Redis)', function () {
  const t = useTestRedis();

  throttleSuite('RedisLockoutStore', async () => {
    const prefix = t.prefix('desk-lockout');
    return {
      store: () => new RedisLockoutStore({ redis: t.redis, keyPrefix: prefix }),
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      cleanup: async () => void (await deleteKeys(t.redis, prefix)),
    };
  });

  it('names keys by a hash (no account id or address in clear) and gives each a TTL', async function () {
    const prefix = t.prefix('desk-lockout-keys');
    const throttle = new LoginThrottle({ store: new RedisLockoutStore({ redis: t.redis, keyPrefix: prefix }), freeFailures: 1, keyPrefix: 'ip:' });
    expect(await throttle.attempt('203.0.113.7')).to.equal(0);
    const keys = await t.redis.keys(`${prefix}*`);
    expect(keys.map((k) => k.slice(prefix.length, k.lastIndexOf(':'))).sort()).to.deep.equal(['failures', 'lock', 'lockouts']);
    for (const key of keys) {
      expect(key).not.to.contain('203.0.113.7');
      expect(await t.redis.pttl(key)).to.be.within(1, 30 * 60_000);
    }
  });

  it('throws when Redis cannot be reached (never a lock-out, never a pass)', async function () {
    const down = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      const throttle = new LoginThrottle({ store: new RedisLockoutStore({ redis: down }) });
      for (const call of [() => throttle.lockedFor('ana'), () => throttle.attempt('ana'), () => throttle.refund('ana'), () => throttle.reset('ana')]) {
        let error: unknown;
        await call().catch((err: unknown) => (error = err));
        expect(error).to.be.instanceOf(Error);
      }
    } finally {
      down.disconnect();
    }
  });
});
