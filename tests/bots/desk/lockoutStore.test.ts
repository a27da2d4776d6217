import { expect } from 'chai';
import { MemoryLockoutStore, type LockoutStore } from '../../../bots/desk/lockoutStore';
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

    it('counts failures per key with the time of the last one', async function () {
      expect(await s.read('account:ana', 0)).to.equal(undefined);
      expect(await s.increment('account:ana', 1000, 10_000)).to.deep.equal({ count: 1, lastAt: 1000 });
      expect(await s.increment('account:ana', 2000, 10_000)).to.deep.equal({ count: 2, lastAt: 2000 });
      expect(await s.increment('account:ben', 2000, 10_000)).to.deep.equal({ count: 1, lastAt: 2000 });
      expect(await s.read('account:ana', 2500)).to.deep.equal({ count: 2, lastAt: 2000 });
    });

    it('starts again once the last failure is older than the window; forgets the key after its time to live', async function () {
      await s.increment('ip:1', 0, 10_000);
      await s.increment('ip:1', 5000, 10_000);
      expect((await s.increment('ip:1', 16_000, 10_000)).count, 'window over').to.equal(1);
      expect(await s.read('ip:1', 26_000)).to.deep.equal({ count: 1, lastAt: 16_000 });
      expect(await s.read('ip:1', 26_001), 'time to live over').to.equal(undefined);
      // A longer ttl keeps the counter (a long lock-out), the window still restarts the count.
      await s.increment('ip:2', 0, 1000, 60_000);
      expect(await s.read('ip:2', 59_000)).to.deep.equal({ count: 1, lastAt: 0 });
      expect((await s.increment('ip:2', 59_000, 1000, 60_000)).count).to.equal(1);
    });

    it('resets a key (successful sign-in)', async function () {
      await s.increment('account:ana', 0, 10_000);
      await s.reset('account:ana');
      expect(await s.read('account:ana', 1)).to.equal(undefined);
      expect((await s.increment('account:ana', 2, 10_000)).count).to.equal(1);
      await s.reset('never-seen');
    });

    it('counts every one of concurrent failures from several instances', async function () {
      const stores = [s, h.store(), h.store()];
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 3]!.increment('account:ana', 1000, 60_000)));
      expect(results.map((r) => r.count).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
      expect((await stores[1]!.read('account:ana', 1000))?.count).to.equal(30);
    });

    it('drives LoginThrottle: 5 free failures, then doubling lock-outs, shared between two throttles', async function () {
      let now = 1_000_000;
      const options = { clock: () => now, baseLockMs: 1000, maxLockMs: 5000, keyPrefix: 'account:' };
      const a = new LoginThrottle({ ...options, store: s });
      const b = new LoginThrottle({ ...options, store: h.store() });
      const ip = new LoginThrottle({ ...options, store: s, keyPrefix: 'ip:' });
      for (let i = 0; i < 4; i++) expect(await (i % 2 ? b : a).fail('ana')).to.equal(0);
      expect(await b.fail('ana')).to.equal(1000);
      expect(await a.lockedFor('ana')).to.equal(1000);
      expect(await ip.lockedFor('ana'), 'another prefix is another key').to.equal(0);
      now += 1000;
      expect(await a.lockedFor('ana')).to.equal(0);
      expect(await a.fail('ana')).to.equal(2000);
      expect(await b.lockedFor('ana')).to.equal(2000);
      await b.reset('ana');
      expect(await a.lockedFor('ana')).to.equal(0);
      expect(await a.fail('ana')).to.equal(0);
    });
  });
}

lockoutStoreSuite('MemoryLockoutStore', async () => {
  const shared = new MemoryLockoutStore();
  return { store: () => shared, cleanup: async () => undefined };
});

describe('MemoryLockoutStore', function () {
  it('keeps at most maxKeys keys, dropping the least recently failed', async function () {
    const s = new MemoryLockoutStore({ maxKeys: 2 });
    await s.increment('a', 0, 1000);
    await s.increment('b', 1, 1000);
    await s.increment('a', 2, 1000);
    await s.increment('c', 3, 1000);
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
    await s.increment('ip:203.0.113.7', Date.now(), 60_000, 120_000);
    const keys = await t.redis.keys(`${prefix}*`);
    expect(keys).to.have.length(1);
    expect(keys[0]).not.to.contain('203.0.113.7');
    expect(await t.redis.pttl(keys[0]!)).to.be.within(110_000, 121_000);
  });
});
