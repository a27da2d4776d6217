import { expect } from 'chai';
import { MemoryHandoffStore } from '../../../../middleware/handoff/stores/memoryHandoffStore';
import { handoffStoreSuite, queuedDraft } from './handoffStoreSuite';

handoffStoreSuite('MemoryHandoffStore', async (clock) => {
  const store = new MemoryHandoffStore({ clock: () => clock.now });
  return {
    store,
    // A restarted process starts with an empty memory store: nothing to reopen.
    reopen: async () => undefined,
    cleanup: () => store.dispose(),
  };
});

describe('MemoryHandoffStore specifics', function () {
  it('retries a colliding id and grows it when the short space is exhausted', async function () {
    const store = new MemoryHandoffStore({ newId: () => 'C-AAAA' });
    const first = await store.create(queuedDraft('normal', Date.now()));
    const second = await store.create(queuedDraft('normal', Date.now()));
    expect(first.id).to.equal('C-AAAA');
    expect(second.id).to.match(/^C-[2-9A-Z]{6}$/);
  });

  it('caps the messages kept on a waiting case', async function () {
    const store = new MemoryHandoffStore({ maxQueuedMessages: 2 });
    const c = await store.create(queuedDraft('normal', Date.now()));
    await store.appendCustomerMessage(c.id, { text: 'a', at: '' });
    await store.appendCustomerMessage(c.id, { text: 'b', at: '' });
    expect(await store.appendCustomerMessage(c.id, { text: 'c', at: '' })).to.deep.equal({ ok: false, reason: 'full', count: 2 });
  });
});

describe('MemoryHandoffStore input checks', function () {
  it('rejects a malformed draft with a clear error', async function () {
    const store = new MemoryHandoffStore();
    const bad = { ...queuedDraft('normal', Date.now()), conversation: undefined } as never;
    let error: unknown;
    try {
      await store.create(bad);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.contain('draftCase');
  });
});
