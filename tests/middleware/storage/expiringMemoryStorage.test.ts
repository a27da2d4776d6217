import { expect } from 'chai';
import { ConversationState, TestAdapter, type StoreItems } from 'botbuilder';
import { ExpiringMemoryStorage } from '../../../middleware/storage/expiringMemoryStorage';

const DAY = 24 * 3600_000;

describe('ExpiringMemoryStorage', () => {
  let now = 0;
  const storage = () => new ExpiringMemoryStorage({ retentionMs: DAY, clock: () => now });
  beforeEach(() => (now = Date.UTC(2026, 0, 1)));

  it('keeps MemoryStorage behaviour: eTags, conflicts, fresh copies, deletes', async () => {
    const s = storage();
    await s.write({ a: { n: 1 } });
    const first = (await s.read(['a', 'missing'])) as StoreItems;
    expect(Object.keys(first)).to.deep.equal(['a']);
    first.a.n = 99; // a read gives a copy
    expect(((await s.read(['a'])) as StoreItems).a.n).to.equal(1);
    await s.write({ a: { n: 2, eTag: first.a.eTag } });
    const conflict = await s.write({ a: { n: 3, eTag: first.a.eTag } }).then(() => null, (e: Error) => e);
    expect(conflict?.message).to.match(/eTag conflict/);
    expect(((await s.read(['a'])) as StoreItems).a.n).to.equal(2);
    await s.delete(['a']);
    expect(await s.read(['a'])).to.deep.equal({});
  });

  it('refuses to read or write nothing, as MemoryStorage does', async () => {
    const s = storage();
    for (const p of [s.read(undefined as unknown as string[]), s.write(undefined as unknown as StoreItems)]) {
      expect(await p.then(() => null, (e: Error) => e)).to.be.instanceOf(ReferenceError);
    }
  });

  it('forgets an item one retention after its last write, and a write restarts the clock', async () => {
    const s = storage();
    await s.write({ old: { n: 1 }, kept: { n: 1 } });
    now += DAY - 1;
    await s.write({ kept: { n: 2, eTag: '*' } });
    expect(Object.keys(await s.read(['old', 'kept'])).sort()).to.deep.equal(['kept', 'old']);
    now += 1;
    expect(Object.keys(await s.read(['old', 'kept']))).to.deep.equal(['kept']);
    // An expired item cannot be revived by a write carrying its old eTag: it is a new item.
    await s.write({ old: { n: 5, eTag: 'whatever' } });
    expect(((await s.read(['old'])) as StoreItems).old.n).to.equal(5);
  });

  it('purges expired items, oldest first, and only those', async () => {
    const s = storage();
    await s.write({ a: { n: 1 } });
    now += 1000;
    await s.write({ b: { n: 1 } });
    now += DAY - 500;
    expect(await s.purgeExpired()).to.equal(1);
    expect(Object.keys(await s.read(['a', 'b']))).to.deep.equal(['b']);
    now += 500;
    expect(await s.purgeExpired()).to.equal(1);
    expect(await s.purgeExpired()).to.equal(0);
  });

  it("holds botbuilder's ConversationState, which writes only when the state changed", async () => {
    const s = storage();
    let writes = 0;
    const write = s.write.bind(s);
    s.write = (changes) => ((writes += 1), write(changes));
    const state = new ConversationState(s);
    const count = state.createProperty<number>('count');
    const adapter = new TestAdapter(async (ctx) => {
      const n = await count.get(ctx, 0);
      if (ctx.activity.text === 'add') await count.set(ctx, n + 1);
      await state.saveChanges(ctx, false);
      await state.saveChanges(ctx, false);
      await ctx.sendActivity(String(await count.get(ctx, 0)));
    });
    await adapter.send('add').assertReply('1').send('read').assertReply('1').send('add').assertReply('2').startTest();
    expect(writes).to.equal(2); // the turn that only reads writes nothing
  });

  it('requires a positive retention', () => {
    expect(() => new ExpiringMemoryStorage({ retentionMs: 0 })).to.throw(TypeError, /retentionMs/);
  });
});
