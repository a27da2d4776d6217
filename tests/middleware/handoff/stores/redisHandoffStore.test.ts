import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { RedisHandoffStore } from '../../../../middleware/handoff/stores/redisHandoffStore';
import type { HandoffStore } from '../../../../middleware/handoff/stores/handoffStore';
import { handoffStoreSuite, queuedDraft } from './handoffStoreSuite';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../testRedis';

if (skipRedis()) {
  describe('RedisHandoffStore', function () {
    it('is skipped because WARMLINE_SKIP_REDIS=1');
  });
} else {
  handoffStoreSuite('RedisHandoffStore (real Redis)', async (clock) => {
    const redis = await connectTestRedis();
    const prefix = uniquePrefix('handoff');
    const store = new RedisHandoffStore({ redis, keyPrefix: prefix, clock: () => clock.now });
    const others: Array<{ store: HandoffStore; redis: Redis }> = [];
    return {
      store,
      reopen: async () => {
        const otherRedis = await connectTestRedis();
        const other = new RedisHandoffStore({ redis: otherRedis, keyPrefix: prefix, clock: () => clock.now });
        others.push({ store: other, redis: otherRedis });
        return other;
      },
      cleanup: async () => {
        for (const o of others) {
          await o.store.dispose();
          await o.redis.quit();
        }
        await store.dispose();
        await deleteKeys(redis, prefix);
        await redis.quit();
      },
    };
  });

  describe('RedisHandoffStore specifics (real Redis)', function () {
    let redis: Redis;
    let prefix: string;
    beforeEach(async function () {
      redis = await connectTestRedis();
      prefix = uniquePrefix('handoff-x');
    });
    afterEach(async function () {
      await deleteKeys(redis, prefix);
      await redis.quit();
    });

    it('keeps everything under its key prefix, with the queue as a sorted set (priority, then age)', async function () {
      const store = new RedisHandoffStore({ redis, keyPrefix: prefix });
      const now = Date.now();
      const c = await store.create(queuedDraft('low', now));
      const score = Number(await redis.zscore(`${prefix}queue`, c.id));
      expect(score).to.equal(2e13 + now);
      const keys = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 100);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      expect(keys).to.include.members([`${prefix}case:${c.id}`, `${prefix}queue`, `${prefix}idle`]);
      await store.dispose();
      // The caller owns the injected client: it is still usable.
      expect(await redis.ping()).to.equal('PONG');
    });

    it('keeps a case\'s announcements under its prefix with the case\'s time to live, refreshed by case writes (issue 13)', async function () {
      const store = new RedisHandoffStore({ redis, keyPrefix: prefix, retentionMs: 3_600_000 });
      const c = await store.create(queuedDraft('normal', Date.now()));
      const where = { key: 'msteams/a', channel: 'msteams', reference: {} };
      await store.saveAnnouncement(c.id, { where, messageId: 'm1', via: 'messenger', at: new Date().toISOString() });
      const caseTtl = await redis.pttl(`${prefix}case:${c.id}`);
      const postsTtl = await redis.pttl(`${prefix}case:${c.id}:posts`);
      expect(postsTtl).to.be.greaterThan(0).and.at.most(caseTtl);
      await redis.pexpire(`${prefix}case:${c.id}:posts`, 1000);
      await store.transition(c.id, 'abandoned', 'customer');
      expect(await redis.pttl(`${prefix}case:${c.id}:posts`)).to.be.greaterThan(1000);
      await store.dispose();
    });

    it('retries a colliding id', async function () {
      const ids = ['C-AAAA', 'C-AAAA', 'C-BBBB'];
      const store = new RedisHandoffStore({ redis, keyPrefix: prefix, newId: () => ids.shift() ?? 'C-CCCC' });
      expect((await store.create(queuedDraft('normal', Date.now()))).id).to.equal('C-AAAA');
      expect((await store.create(queuedDraft('normal', Date.now()))).id).to.equal('C-BBBB');
    });

    it('opens and closes its own connection from a URL', async function () {
      const store = new RedisHandoffStore({ redis: 'redis://127.0.0.1:6379', keyPrefix: prefix });
      const c = await store.create(queuedDraft('normal', Date.now()));
      expect((await store.get(c.id))?.id).to.equal(c.id);
      await store.dispose();
    });

    it('rejects a missing client', function () {
      expect(() => new RedisHandoffStore({} as never)).to.throw(TypeError, /redis/);
    });
  });
}
