import { expect } from 'chai';
import * as sinon from 'sinon';
import { ConversationState, MemoryStorage, TestAdapter, UserState, type BotState, type Storage, type StoreItems, type TurnContext } from 'botbuilder';
import { JsonMemoryStorage, isJsonSnapshotStorage } from '../../../middleware/storage/jsonMemoryStorage';
import { JsonChangeConversationState, JsonChangeUserState, stateFingerprint } from '../../../middleware/storage/jsonChangeState';

/** Items as compared between the two storages: eTags replaced by their order of appearance, keys sorted. */
function comparable(items: StoreItems, eTags: Map<string, number>): unknown {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(items).sort()) {
    const { eTag, ...rest } = items[key] as Record<string, unknown>;
    if (!eTags.has(String(eTag))) eTags.set(String(eTag), eTags.size);
    out[key] = { ...rest, eTag: eTags.get(String(eTag)) };
  }
  return out;
}

type Op = (s: Storage, last: StoreItems) => Promise<unknown>;

describe('JsonMemoryStorage', () => {
  afterEach(() => sinon.restore());

  it('behaves as MemoryStorage through the same operations: reads, eTags, conflicts, deletes, what JSON drops', async () => {
    const ops: Op[] = [
      (s) => s.write({ a: { n: 1, list: [1, { x: 'é "q" \u2028' }], when: new Date(0), gone: undefined, fn: () => 1 } }),
      (s) => s.read(['a', 'missing']),
      (s, last) => s.write({ a: { ...(last.a as object), n: 2 } }), // current eTag: accepted
      (s) => s.read(['a']),
      (s) => s.write({ a: { n: 3, eTag: '1' } }), // the first eTag: stale now
      (s) => s.read(['a']),
      (s) => s.write({ a: { n: 4, eTag: '*' }, b: { m: 1, eTag: 'not-there-yet' } }),
      (s) => s.read(['a', 'b']),
      (s) => s.write({ a: { n: 5, eTag: 'stale' }, c: { k: 1 } }), // a batch with a stale item: the rest is written
      (s) => s.read(['a', 'b', 'c']),
      (s) => s.delete(['b', 'nope']),
      (s) => s.read(['a', 'b', 'c']),
      (s) => s.write({ '1': { '2': 'integer-like keys', b: 1, a: 2 } }),
      (s) => s.read(['1']),
      (s) => s.write({ '1': { eTag: 'stale', cycle: (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })() }, d: { ok: 1 } }),
      (s) => s.read(['1', 'd']),
      (s) => s.write({ e: { toJSON: () => undefined } as unknown as Record<string, unknown> }),
      (s) => s.read(['e']),
    ];
    const run = async (storage: Storage) => {
      const eTags = new Map<string, number>();
      const trace: unknown[] = [];
      let last: StoreItems = {};
      for (const op of ops) {
        try {
          const r = await op(storage, last);
          if (r && typeof r === 'object') {
            last = r as StoreItems;
            trace.push(comparable(last, eTags));
          } else trace.push('ok');
        } catch (err) {
          trace.push(`error: ${(err as Error).message}`);
        }
      }
      return trace;
    };
    const reference = await run(new MemoryStorage());
    expect(await run(new JsonMemoryStorage())).to.deep.equal(reference);
    expect(reference.filter((t) => String(t).startsWith('error'))).to.have.length(3);
  });

  it('refuses to read or write nothing, as MemoryStorage does', async () => {
    const s = new JsonMemoryStorage();
    for (const p of [s.read(undefined as unknown as string[]), s.write(undefined as unknown as StoreItems)]) {
      const err = await p.then(() => null, (e: Error) => e);
      expect(err).to.be.instanceOf(ReferenceError);
    }
  });

  it('keeps the JSON of each item without its eTag, which is its state fingerprint', async () => {
    const s = new JsonMemoryStorage();
    expect(isJsonSnapshotStorage(s)).to.equal(true);
    expect(isJsonSnapshotStorage(new MemoryStorage())).to.equal(false);
    await s.write({ k: { b: [1, 2], a: { z: 'é' }, eTag: '*' } });
    const { k } = await s.readSnapshots(['k', 'missing']);
    expect(k.json).to.equal(stateFingerprint(k.item as Record<string, unknown>));
    expect(k.json).to.not.include('eTag');
    expect(await s.readSnapshots(['missing'])).to.deep.equal({});
    const err = await s.writeSnapshot('k', { eTag: 'stale' }, '{}').then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/eTag conflict/);
  });

  it('loses no change made while a save is under way: the next save of the turn writes it (as with botbuilder)', async () => {
    for (const [ours, theirs] of [
      [new JsonChangeConversationState(new JsonMemoryStorage()), new ConversationState(new MemoryStorage())],
      [new JsonChangeUserState(new JsonMemoryStorage()), new UserState(new MemoryStorage())],
    ] as const) {
      const stored: unknown[] = [];
      for (const state of [ours, theirs] as BotState[]) {
        const adapter = new TestAdapter(async (ctx) => {
          await state.createProperty<number>('n').set(ctx, 1);
          const saving = state.saveChanges(ctx, false);
          state.get(ctx)!.n = 2; // changed while the save is under way
          await saving;
          await state.saveChanges(ctx, false); // the turn's last save
          const key = (state as unknown as { getStorageKey(c: TurnContext): string }).getStorageKey(ctx);
          const { eTag: _e, ...rest } = (await (state as unknown as { storage: Storage }).storage.read([key]))[key] as Record<string, unknown>;
          void _e;
          stored.push(rest);
        });
        await adapter.send('hi').startTest();
      }
      expect(stored[0]).to.deep.equal({ n: 2 });
      expect(stored[0]).to.deep.equal(stored[1]);
    }
  });

  it('under JSON change detection: writes exactly when botbuilder\'s state on MemoryStorage writes, stores the same, and serialises once', async () => {
    const steps: Array<(ctx: TurnContext, st: BotState) => Promise<void>> = [
      async (ctx, st) => void (await st.createProperty<number>('n').set(ctx, 1)),
      async (ctx, st) => void (await st.createProperty<number>('n').get(ctx, 0)),
      async (ctx, st) => void (await st.createProperty<{ l: number[] }>('o').get(ctx, { l: [] })).l.push(1),
      async (ctx, st) => {
        const o = await st.createProperty<{ l: number[] }>('o').get(ctx, { l: [] });
        o.l.push(2);
        o.l.pop();
      },
      async (ctx, st) => void (await st.clear(ctx)),
      async (ctx, st) => void (await st.load(ctx)),
      async (ctx, st) => void (await st.createProperty<string>('s').set(ctx, 'é "quoted" \u2028')),
    ];
    const run = async (storage: Storage, make: (s: Storage) => BotState) => {
      const writes = sinon.spy(storage, 'write');
      const snapshots = isJsonSnapshotStorage(storage) ? sinon.spy(storage, 'writeSnapshot') : undefined;
      const state = make(storage);
      let key = '';
      for (const step of steps) {
        const adapter = new TestAdapter(async (ctx) => {
          key ||= (state as unknown as { storageKey(c: TurnContext): string }).storageKey(ctx);
          await step(ctx, state);
          await state.saveChanges(ctx, false);
        });
        await adapter.send('hi').startTest();
      }
      const items = await storage.read([key]);
      const { eTag: _e, ...stored } = (items[key] ?? {}) as Record<string, unknown>;
      void _e;
      return { writes: writes.callCount + (snapshots?.callCount ?? 0), viaWrite: writes.callCount, stored };
    };
    for (const [botbuilder, ours] of [
      [(s: Storage) => new ConversationState(s), (s: Storage) => new JsonChangeConversationState(s)],
      [(s: Storage) => new UserState(s), (s: Storage) => new JsonChangeUserState(s)],
    ] as const) {
      const reference = await run(new MemoryStorage(), botbuilder);
      const result = await run(new JsonMemoryStorage(), ours);
      expect(result.writes).to.equal(reference.writes);
      expect(result.writes).to.equal(4);
      expect(result.viaWrite, 'every save hands over its fingerprint').to.equal(0);
      expect(result.stored).to.deep.equal(reference.stored);
    }
  });
});
