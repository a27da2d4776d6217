import { expect } from 'chai';
import { ConversationState, MemoryStorage, TestAdapter, type Storage } from 'botbuilder';
import type { Redis } from 'ioredis';
import { ETagConflictError, RedisStorage } from '../../../middleware/storage/redisStorage';
import { ExpiringMemoryStorage } from '../../../middleware/storage/expiringMemoryStorage';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../handoff/testRedis';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function rejection(p: Promise<unknown>): Promise<Error | undefined> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

/** eTag semantics every botbuilder Storage must share with MemoryStorage. */
function eTagSuite(name: string, make: () => Promise<{ storage: Storage; cleanup: () => Promise<void> }>): void {
  describe(`Storage eTag semantics: ${name}`, function () {
    let storage: Storage;
    let cleanup: () => Promise<void>;
    beforeEach(async function () {
      ({ storage, cleanup } = await make());
    });
    afterEach(async function () {
      await cleanup();
    });

    it('reads back what was written, with an eTag, and omits missing keys', async function () {
      await storage.write({ a: { count: 1, nested: { list: [1, 2] } } });
      const items = await storage.read(['a', 'missing']);
      expect(Object.keys(items)).to.deep.equal(['a']);
      expect(items.a).to.deep.include({ count: 1, nested: { list: [1, 2] } });
      expect(items.a.eTag).to.be.a('string').and.not.equal('');
      expect(await storage.read([])).to.deep.equal({});
    });

    it('lets a write without eTag, or with *, always win', async function () {
      await storage.write({ a: { v: 1 } });
      await storage.write({ a: { v: 2 } });
      await storage.write({ a: { v: 3, eTag: '*' } });
      expect((await storage.read(['a'])).a.v).to.equal(3);
    });

    it('accepts the current eTag, gives a new one, and rejects the stale one', async function () {
      await storage.write({ a: { v: 1 } });
      const first = (await storage.read(['a'])).a;
      await storage.write({ a: { ...first, v: 2 } });
      const second = (await storage.read(['a'])).a;
      expect(second.v).to.equal(2);
      expect(second.eTag).to.not.equal(first.eTag);
      const err = await rejection(storage.write({ a: { ...first, v: 99 } }));
      expect(err?.message).to.match(/eTag conflict/);
      expect((await storage.read(['a'])).a.v).to.equal(2);
    });

    it('lets a write with an eTag create a missing item', async function () {
      await storage.write({ fresh: { v: 1, eTag: 'whatever' } });
      expect((await storage.read(['fresh'])).fresh.v).to.equal(1);
    });

    it('deletes, ignoring missing keys', async function () {
      await storage.write({ a: { v: 1 }, b: { v: 2 } });
      await storage.delete(['a', 'nope']);
      expect(Object.keys(await storage.read(['a', 'b']))).to.deep.equal(['b']);
    });

    it('lets exactly one of concurrent writers holding the same eTag win', async function () {
      await storage.write({ a: { v: 0 } });
      const base = (await storage.read(['a'])).a;
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => storage.write({ a: { ...base, v: i + 1 } })));
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      expect((await storage.read(['a'])).a.v).to.equal(winner + 1);
    });

    it('works under ConversationState across turns', async function () {
      const state = new ConversationState(storage);
      const counter = state.createProperty<number>('counter');
      const adapter = new TestAdapter(async (ctx) => {
        const n = (await counter.get(ctx, 0)) + 1;
        await counter.set(ctx, n);
        await state.saveChanges(ctx);
        await ctx.sendActivity(`count ${n}`);
      });
      await adapter.send('a').assertReply('count 1').send('b').assertReply('count 2').send('c').assertReply('count 3').startTest();
    });
  });
}

eTagSuite('MemoryStorage (reference)', async () => ({ storage: new MemoryStorage(), cleanup: async () => undefined }));
eTagSuite('ExpiringMemoryStorage', async () => ({ storage: new ExpiringMemoryStorage({ retentionMs: 3_600_000 }), cleanup: async () => undefined }));

if (skipRedis()) {
  describe('RedisStorage', function () {
    it('is skipped because WARMLINE_SKIP_REDIS=1');
  });
} else {
  let redis: Redis;
  let prefix: string;
  eTagSuite('RedisStorage (real Redis)', async () => {
    redis = await connectTestRedis();
    prefix = uniquePrefix('storage');
    return {
      storage: new RedisStorage({ redis, keyPrefix: prefix }),
      cleanup: async () => {
        await deleteKeys(redis, prefix);
        await redis.quit();
      },
    };
  });

  describe('RedisStorage specifics (real Redis)', function () {
    beforeEach(async function () {
      redis = await connectTestRedis();
      prefix = uniquePrefix('storage-x');
    });
    afterEach(async function () {
      await deleteKeys(redis, prefix);
      await redis.quit();
    });

    it('throws a typed conflict naming the key, and writes nothing of a batch with a stale item', async function () {
      const storage = new RedisStorage({ redis, keyPrefix: prefix });
      await storage.write({ a: { v: 1 }, b: { v: 1 } });
      const { a: staleA } = await storage.read(['a']);
      await storage.write({ a: { v: 2 } });
      const err = await rejection(storage.write({ b: { v: 5 }, a: { ...staleA, v: 5 } }));
      expect(err).to.be.instanceOf(ETagConflictError);
      expect((err as ETagConflictError).key).to.equal('a');
      const items = await storage.read(['a', 'b']);
      expect([items.a.v, items.b.v]).to.deep.equal([2, 1]);
    });

    it('is seen by a second instance (another bot process) under the same prefix', async function () {
      const one = new RedisStorage({ redis, keyPrefix: prefix });
      const two = new RedisStorage({ redis: 'redis://127.0.0.1:6379', keyPrefix: prefix });
      try {
        await one.write({ 'webchat/conversations/c1': { dialogStack: ['tracking'] } });
        const read = await two.read(['webchat/conversations/c1']);
        expect(read['webchat/conversations/c1'].dialogStack).to.deep.equal(['tracking']);
        await two.write({ 'webchat/conversations/c1': read['webchat/conversations/c1'] });
        const err = await rejection(one.write({ 'webchat/conversations/c1': read['webchat/conversations/c1'] }));
        expect(err).to.be.instanceOf(ETagConflictError);
      } finally {
        await two.dispose();
      }
    });

    it('expires items after the TTL, renewed on each write', async function () {
      const storage = new RedisStorage({ redis, keyPrefix: prefix, ttlSeconds: 0.3 });
      await storage.write({ a: { v: 1 } });
      const ttl = await redis.pttl(`${prefix}a`);
      expect(ttl).to.be.greaterThan(0).and.at.most(300);
      await sleep(500);
      expect(await storage.read(['a'])).to.deep.equal({});
      const forever = new RedisStorage({ redis, keyPrefix: prefix });
      await storage.write({ b: { v: 1 } });
      await forever.write({ b: { v: 2 } });
      expect(await redis.pttl(`${prefix}b`)).to.equal(-1);
    });

    it('rejects misuse clearly', async function () {
      expect(() => new RedisStorage({} as never)).to.throw(TypeError, /redis/);
      expect(() => new RedisStorage({ redis, ttlSeconds: 0 })).to.throw(TypeError, /ttlSeconds/);
      const storage = new RedisStorage({ redis, keyPrefix: prefix });
      expect(await rejection(storage.write({ a: 'not an object' }))).to.be.instanceOf(TypeError);
    });
  });
}
