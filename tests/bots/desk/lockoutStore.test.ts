import { expect } from 'chai';
import { MemoryLockoutStore, type LockoutPolicy, type LockoutStore } from '../../../bots/desk/lockoutStore';
import { LoginThrottle } from '../../../bots/desk/loginThrottle';
import { RedisLockoutStore } from '../../../bots/desk/redisLockoutStore';
import { deleteKeys, useTestRedis } from '../../middleware/handoff/testRedis';

interface Harness {
  /** A store over the shared backing (a second call is "another instance" for a shared store). */
  store(): LockoutStore;
  cleanup(): Promise<void>;
}

/** What every LockoutStore must do, and LoginThrottle on top of it. */
function lockoutStoreSuite(name: string, make: () => Promise<Harness>): void {
  describe(`LockoutStore behaviour: ${name}`, function () {
    let h: Harness;
    let s: LockoutStore;
    beforeEach(async function () {
      h = await make();
      s = h.store();
    });
    afterEach(async function () {
      await h.cleanup();
    });

    // Never locks out: for the counting itself.
    const counting = (windowMs: number, ttlMs?: number): LockoutPolicy => ({
      freeFailures: 1_000_000,
      baseLockMs: 1000,
      maxLockMs: 1000,
      windowMs,
      ...(ttlMs !== undefined ? { ttlMs } : {}),
    });

    it('counts attempts per key with the time of the last one', async function () {
      expect(await s.read('account:ana', 0)).to.equal(undefined);
      expect(await s.attempt('account:ana', 1000, counting(10_000))).to.deep.equal({ admitted: true, count: 1, lastAt: 1000 });
      expect(await s.attempt('account:ana', 2000, counting(10_000))).to.deep.equal({ admitted: true, count: 2, lastAt: 2000 });
      expect(await s.attempt('account:ben', 2000, counting(10_000))).to.deep.equal({ admitted: true, count: 1, lastAt: 2000 });
      expect(await s.read('account:ana', 2500)).to.deep.equal({ count: 2, lastAt: 2000 });
    });

    it('starts again once the last attempt is older than the window; forgets the key after its time to live', async function () {
      await s.attempt('ip:1', 0, counting(10_000));
      await s.attempt('ip:1', 5000, counting(10_000));
      expect((await s.attempt('ip:1', 16_000, counting(10_000))).count, 'window over').to.equal(1);
      expect(await s.read('ip:1', 26_000)).to.deep.equal({ count: 1, lastAt: 16_000 });
      expect(await s.read('ip:1', 26_001), 'time to live over').to.equal(undefined);
      // A longer ttl keeps the counter (a long lock-out), the window still restarts the count.
      await s.attempt('ip:2', 0, counting(1000, 60_000));
      expect(await s.read('ip:2', 59_000)).to.deep.equal({ count: 1, lastAt: 0 });
      expect((await s.attempt('ip:2', 59_000, counting(1000, 60_000))).count).to.equal(1);
    });

    it('refuses attempts during a lock-out without counting them, following the schedule', async function () {
      const policy: LockoutPolicy = { freeFailures: 3, baseLockMs: 1000, maxLockMs: 4000, windowMs: 60_000, ttlMs: 60_000 };
      const at = async (now: number) => {
        const r = await s.attempt('account:ana', now, policy);
        return [r.admitted, r.count, r.lastAt];
      };
      expect(await at(0)).to.deep.equal([true, 1, 0]);
      expect(await at(0)).to.deep.equal([true, 2, 0]);
      expect(await at(0), 'the third starts a 1 s lock-out').to.deep.equal([true, 3, 0]);
      expect(await at(500)).to.deep.equal([false, 3, 0]);
      expect(await at(999)).to.deep.equal([false, 3, 0]);
      expect(await at(1000)).to.deep.equal([true, 4, 1000]);
      expect(await at(2999), 'then 2 s').to.deep.equal([false, 4, 1000]);
      expect(await at(3000)).to.deep.equal([true, 5, 3000]);
      expect(await at(6999), 'then 4 s').to.deep.equal([false, 5, 3000]);
      expect(await at(7000)).to.deep.equal([true, 6, 7000]);
      expect(await at(10_999), 'capped at 4 s').to.deep.equal([false, 6, 7000]);
      expect(await s.read('account:ana', 10_999)).to.deep.equal({ count: 6, lastAt: 7000 });
    });

    it('takes back a counted attempt (refund), lifting the lock-out it started', async function () {
      const policy: LockoutPolicy = { freeFailures: 2, baseLockMs: 1000, maxLockMs: 1000, windowMs: 60_000 };
      await s.attempt('ip:1', 0, policy);
      expect((await s.attempt('ip:1', 0, policy)).count).to.equal(2);
      expect((await s.attempt('ip:1', 1, policy)).admitted, 'locked').to.equal(false);
      await s.refund('ip:1');
      expect(await s.read('ip:1', 1)).to.deep.equal({ count: 1, lastAt: 0 });
      expect(await s.attempt('ip:1', 1, policy)).to.deep.equal({ admitted: true, count: 2, lastAt: 1 });
      await s.refund('ip:1');
      await s.refund('ip:1');
      expect(await s.read('ip:1', 2), 'nothing left').to.equal(undefined);
      await s.refund('ip:1');
      await s.refund('never-seen');
      expect(await s.read('never-seen', 2)).to.equal(undefined);
    });

    it('resets a key (successful sign-in)', async function () {
      await s.attempt('account:ana', 0, counting(10_000));
      await s.reset('account:ana');
      expect(await s.read('account:ana', 1)).to.equal(undefined);
      expect((await s.attempt('account:ana', 2, counting(10_000))).count).to.equal(1);
      await s.reset('never-seen');
    });

    it('counts every one of concurrent attempts from several instances', async function () {
      const stores = [s, h.store(), h.store()];
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 3]!.attempt('account:ana', 1000, counting(60_000))));
      expect(results.map((r) => r.count).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
      expect((await stores[1]!.read('account:ana', 1000))?.count).to.equal(30);
    });

    it('lets no more than the free attempts through a burst of 40 simultaneous ones on several instances', async function () {
      const policy: LockoutPolicy = { freeFailures: 5, baseLockMs: 60_000, maxLockMs: 60_000, windowMs: 60_000 };
      const stores = [s, h.store(), h.store()];
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 3]!.attempt('account:ana', 1000, policy)));
      const admitted = results.filter((r) => r.admitted);
      expect(admitted.map((r) => r.count).sort((a, b) => a - b)).to.deep.equal([1, 2, 3, 4, 5]);
      expect(results.filter((r) => !r.admitted).every((r) => r.count === 5)).to.equal(true);
      expect((await stores[2]!.read('account:ana', 1000))?.count).to.equal(5);
    });

    it('drives LoginThrottle: 5 free failures, then doubling lock-outs, shared between two throttles', async function () {
      let now = 1_000_000;
      const options = { clock: () => now, baseLockMs: 1000, maxLockMs: 5000, keyPrefix: 'account:' };
      const a = new LoginThrottle({ ...options, store: s });
      const b = new LoginThrottle({ ...options, store: h.store() });
      const ip = new LoginThrottle({ ...options, store: s, keyPrefix: 'ip:' });
      for (let i = 0; i < 5; i++) expect(await (i % 2 ? b : a).attempt('ana')).to.equal(0);
      expect(await a.lockedFor('ana')).to.equal(1000);
      expect(await b.attempt('ana'), 'refused on the other throttle').to.equal(1000);
      expect(await ip.lockedFor('ana'), 'another prefix is another key').to.equal(0);
      now += 1000;
      expect(await a.lockedFor('ana')).to.equal(0);
      expect(await a.attempt('ana')).to.equal(0);
      expect(await b.lockedFor('ana')).to.equal(2000);
      await b.reset('ana');
      expect(await a.lockedFor('ana')).to.equal(0);
      expect(await a.attempt('ana')).to.equal(0);
      expect(await a.lockedFor('ana')).to.equal(0);
    });
  });
}

lockoutStoreSuite('MemoryLockoutStore', async () => {
  const shared = new MemoryLockoutStore();
  return { store: () => shared, cleanup: async () => undefined };
});

describe('MemoryLockoutStore', function () {
  it('keeps at most maxKeys keys, dropping the least recently counted', async function () {
    const s = new MemoryLockoutStore({ maxKeys: 2 });
    const policy: LockoutPolicy = { freeFailures: 100, baseLockMs: 1000, maxLockMs: 1000, windowMs: 1000 };
    await s.attempt('a', 0, policy);
    await s.attempt('b', 1, policy);
    await s.attempt('a', 2, policy);
    await s.attempt('c', 3, policy);
    expect(s.size).to.equal(2);
    expect(await s.read('b', 4)).to.equal(undefined);
    expect((await s.read('a', 4))?.count).to.equal(2);
  });
});

describe('RedisLockoutStore (real Redis)', function () {
  const t = useTestRedis();

  lockoutStoreSuite('RedisLockoutStore', async () => {
    const prefix = t.prefix('desk-lockout');
    return { store: () => new RedisLockoutStore({ redis: t.redis, keyPrefix: prefix }), cleanup: async () => void (await deleteKeys(t.redis, prefix)) };
  });

  it('names keys by a hash (no account id or address in clear) and gives them a TTL', async function () {
    const prefix = t.prefix('desk-lockout-keys');
    const s = new RedisLockoutStore({ redis: t.redis, keyPrefix: prefix });
    await s.attempt('ip:203.0.113.7', Date.now(), { freeFailures: 5, baseLockMs: 1000, maxLockMs: 120_000, windowMs: 60_000, ttlMs: 120_000 });
    const keys = await t.redis.keys(`${prefix}*`);
    expect(keys).to.have.length(1);
    expect(keys[0]).not.to.contain('203.0.113.7');
    expect(await t.redis.pttl(keys[0]!)).to.be.within(110_000, 121_000);
  });
});
