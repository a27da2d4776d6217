import { expect } from 'chai';
import { ConversationState, MemoryStorage, TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { LoadedStateProperty } from '../../dialogs/loadedStateProperty';

interface Counter {
  count: number;
}

const message: Partial<Activity> = {
  type: 'message',
  text: 'hi',
  channelId: 'test',
  conversation: { id: 'conv-1', isGroup: false, conversationType: '', name: '' },
  from: { id: 'user-1', name: 'User' },
  recipient: { id: 'bot', name: 'Bot' },
};

/** Runs `logic` in one turn with real conversation state over `storage`, then saves the state. */
async function turn(storage: MemoryStorage, logic: (ctx: TurnContext, state: ConversationState) => Promise<void>): Promise<void> {
  const state = new ConversationState(storage);
  const adapter = new TestAdapter(async (ctx) => {
    await logic(ctx, state);
    await state.saveChanges(ctx, false);
  });
  await adapter.send(message).startTest();
}

describe('LoadedStateProperty', () => {
  it('requires a state', () => {
    expect(() => new LoadedStateProperty<Counter>(undefined as unknown as ConversationState, 'x')).to.throw(TypeError, /state is required/);
  });

  it('loads the state when it is not loaded yet, creating the property from a copy of the default', async () => {
    const storage = new MemoryStorage();
    const initial: Counter = { count: 0 };
    await turn(storage, async (ctx, state) => {
      expect(state.get(ctx), 'not loaded before the first read').to.equal(undefined);
      const counter = await new LoadedStateProperty<Counter>(state, 'counter').get(ctx, initial);
      expect(counter).to.deep.equal({ count: 0 });
      expect(counter, 'a copy, as botbuilder does').to.not.equal(initial);
      counter.count += 1;
    });
    await turn(storage, async (ctx, state) => {
      const counter = await new LoadedStateProperty<Counter>(state, 'counter').get(ctx, { count: 0 });
      expect(counter.count, 'the change was saved').to.equal(1);
    });
  });

  it('returns the very object botbuilder’s accessor returns once the state is loaded, and changes to it are saved', async () => {
    const storage = new MemoryStorage();
    await turn(storage, async (ctx, state) => {
      const plain = state.createProperty<Counter>('counter');
      const fast = new LoadedStateProperty<Counter>(state, 'counter');
      const fromLibrary = await plain.get(ctx, { count: 5 });
      const fromFast = await fast.get(ctx, { count: 99 });
      expect(fromFast, 'same object, default ignored').to.equal(fromLibrary);
      fromFast.count = 6;
    });
    await turn(storage, async (ctx, state) => {
      expect(await state.createProperty<Counter>('counter').get(ctx)).to.deep.equal({ count: 6 });
    });
  });

  it('without a default, a missing property reads as undefined and is not created', async () => {
    const storage = new MemoryStorage();
    await turn(storage, async (ctx, state) => {
      await state.load(ctx);
      const fast = new LoadedStateProperty<Counter>(state, 'missing');
      expect(await fast.get(ctx)).to.equal(undefined);
      expect(Object.keys(state.get(ctx) as object)).to.not.include('missing');
    });
  });

  it('set and delete go through botbuilder', async () => {
    const storage = new MemoryStorage();
    await turn(storage, async (ctx, state) => {
      const fast = new LoadedStateProperty<Counter>(state, 'counter');
      await fast.set(ctx, { count: 3 });
      expect(await fast.get(ctx)).to.deep.equal({ count: 3 });
      await fast.delete(ctx);
      expect(await fast.get(ctx)).to.equal(undefined);
      await fast.set(ctx, { count: 4 });
    });
    await turn(storage, async (ctx, state) => {
      expect(await new LoadedStateProperty<Counter>(state, 'counter').get(ctx)).to.deep.equal({ count: 4 });
    });
  });
});
