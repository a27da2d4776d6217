import { expect } from 'chai';
import * as sinon from 'sinon';
import { BotState, ConversationState, MemoryStorage, TestAdapter, UserState, type TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, TextPrompt, WaterfallDialog, type DialogState } from 'botbuilder-dialogs';
import { JsonChangeConversationState, JsonChangeUserState, stateFingerprint } from '../../../middleware/storage/jsonChangeState';

type Step = (ctx: TurnContext, state: BotState) => Promise<void>;

/** Runs the same turns against botbuilder's state and ours; returns each storage's writes and final contents. */
async function runBoth(make: (storage: MemoryStorage) => [BotState, BotState], steps: Step[]) {
  const out: Array<{ writes: number; memory: Record<string, unknown> }> = [];
  for (const which of [0, 1]) {
    const memory: Record<string, string> = {};
    const storage = new MemoryStorage(memory);
    const write = sinon.spy(storage, 'write');
    const state = make(storage)[which];
    for (const step of steps) {
      const adapter = new TestAdapter(async (ctx) => {
        await step(ctx, state);
        await state.saveChanges(ctx, false);
      });
      await adapter.send('hi').startTest();
    }
    const parsed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(memory)) {
      if (v === undefined) continue;
      const { eTag: _ignored, ...rest } = JSON.parse(v) as Record<string, unknown>;
      void _ignored;
      parsed[k] = rest;
    }
    out.push({ writes: write.callCount, memory: parsed });
  }
  return { botbuilder: out[0], ours: out[1] };
}

const conversation = (s: MemoryStorage): [BotState, BotState] => [new ConversationState(s), new JsonChangeConversationState(s)];
const user = (s: MemoryStorage): [BotState, BotState] => [new UserState(s), new JsonChangeUserState(s)];

describe('JsonChangeConversationState / JsonChangeUserState', () => {
  it('writes exactly when botbuilder does, and stores the same content (conversation and user state)', async () => {
    const steps: Step[] = [
      async (ctx, st) => void (await st.createProperty<number>('n').set(ctx, 1)), // new value: write
      async (ctx, st) => void (await st.createProperty<number>('n').get(ctx, 0)), // read only: no write
      async (ctx, st) => {
        const o = await st.createProperty<{ deep: { list: number[] } }>('o').get(ctx, { deep: { list: [] } });
        o.deep.list.push(1); // nested mutation: write
      },
      async (ctx, st) => {
        const o = await st.createProperty<{ deep: { list: number[] } }>('o').get(ctx, { deep: { list: [] } });
        o.deep.list.push(2);
        o.deep.list.pop(); // changed and changed back: no write, as botbuilder
      },
      async (ctx, st) => void (await st.clear(ctx)), // clear: write of an empty state
      async (ctx, st) => void (await st.load(ctx)), // nothing: no write
      async (ctx, st) => void (await st.createProperty<string>('s').set(ctx, 'é "quoted" \u2028')),
    ];
    for (const make of [conversation, user]) {
      const { botbuilder, ours } = await runBoth(make, steps);
      expect(ours.writes).to.equal(botbuilder.writes);
      expect(ours.memory).to.deep.equal(botbuilder.memory);
      expect(ours.writes).to.equal(4);
    }
  });

  it('force saves even when nothing changed, and also without a loaded state (as botbuilder)', async () => {
    const storage = new MemoryStorage();
    const write = sinon.spy(storage, 'write');
    const state = new JsonChangeConversationState(storage);
    await new TestAdapter(async (ctx) => {
      await state.saveChanges(ctx, true); // nothing loaded: writes an empty state
      await state.load(ctx);
      await state.saveChanges(ctx, true);
      await state.saveChanges(ctx, false);
    })
      .send('hi')
      .startTest();
    expect(write.callCount).to.equal(2);
  });

  it('keeps botbuilder\'s cache: get() after load() is the same object; delete() removes the stored state', async () => {
    const memory: Record<string, string> = {};
    const state = new JsonChangeConversationState(new MemoryStorage(memory));
    await new TestAdapter(async (ctx) => {
      const loaded = await state.load(ctx);
      expect(state.get(ctx)).to.equal(loaded);
      expect(await state.load(ctx)).to.equal(loaded); // cached: no second read
      loaded.x = 1;
      await state.saveChanges(ctx);
      expect(Object.values(memory).filter(Boolean)).to.have.length(1);
      await state.delete(ctx);
      // botbuilder's MemoryStorage deletes by setting the key to undefined.
      expect(Object.values(memory).filter(Boolean)).to.have.length(0);
      expect(state.get(ctx)).to.equal(undefined);
    })
      .send('hi')
      .startTest();
  });

  it('a state that cannot be serialised counts as changed, and the storage reports the problem', async () => {
    const state = new JsonChangeConversationState(new MemoryStorage());
    let error: unknown;
    await new TestAdapter(async (ctx) => {
      const s = await state.load(ctx);
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      s.loop = loop;
      error = await state.saveChanges(ctx).then(() => undefined, (e: unknown) => e);
    })
      .send('hi')
      .startTest();
    expect(error).to.be.instanceOf(TypeError);
    expect(stateFingerprint({ a: 1n } as unknown as Record<string, unknown>)).to.equal(undefined);
  });

  it('ignores the eTag, as botbuilder\'s change hash does', () => {
    expect(stateFingerprint({ a: 1, eTag: '*' })).to.equal(stateFingerprint({ a: 1, eTag: '7' }));
    expect(stateFingerprint({ a: 1 })).to.not.equal(stateFingerprint({ a: 2 }));
  });

  it('runs a waterfall with a prompt across turns (dialog state kept between turns)', async () => {
    const state = new JsonChangeConversationState(new MemoryStorage());
    const dialogs = new DialogSet(state.createProperty<DialogState>('dialogState'));
    const root = new ComponentDialog('root');
    root.addDialog(
      new WaterfallDialog('steps', [
        (step) => step.prompt('name', 'Your name?'),
        async (step) => {
          await step.context.sendActivity(`Hello ${String(step.result)}`);
          return step.endDialog();
        },
      ]),
    );
    root.addDialog(new TextPrompt('name'));
    dialogs.add(root);
    const adapter = new TestAdapter(async (ctx) => {
      const dc = await dialogs.createContext(ctx);
      const r = await dc.continueDialog();
      if (r.status === 'empty') await dc.beginDialog('root');
      await state.saveChanges(ctx);
    });
    await adapter.send('hi').assertReply('Your name?').send('Ada').assertReply('Hello Ada').startTest();
  });
});
