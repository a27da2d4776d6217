import { expect } from 'chai';
import * as sinon from 'sinon';
import { ConversationState, MemoryStorage, TestAdapter, type TurnContext } from 'botbuilder';
import { HandoffMiddleware } from '../../middleware/handoff/handoffMiddleware';
import { HandoffService } from '../../middleware/handoff/handoffService';
import { MemoryHandoffStore } from '../../middleware/handoff/memoryHandoffStore';
import { createSignalDetector } from '../../middleware/signals/signalDetector';
import { SignalsMiddleware, TRAJECTORY_PROPERTY } from '../../middleware/signals/signalsMiddleware';
import { isSavedAtTurnEnd, withTurnEndSave } from '../../middleware/withTurnEndSave';

const KEY = 'test/conversations/Convo1/';

describe('withTurnEndSave', () => {
  it('the outermost piece saves once after the inner ones; inner pieces see that and skip', async () => {
    const state = new ConversationState(new MemoryStorage());
    const save = sinon.spy(state, 'saveChanges');
    const seen: boolean[] = [];
    const adapter = new TestAdapter(async (ctx) => {
      seen.push(isSavedAtTurnEnd(ctx, state));
      await withTurnEndSave(ctx, state, async () => {
        seen.push(isSavedAtTurnEnd(ctx, state));
        await state.createProperty('n').set(ctx, 1);
        expect(save.callCount).to.equal(0);
      });
      expect(save.callCount).to.equal(0);
    }).use({
      onTurn: (ctx: TurnContext, next: () => Promise<void>) => withTurnEndSave(ctx, state, next),
    });
    await adapter.send('hi').startTest();
    expect(seen).to.deep.equal([true, true]);
    expect(save.callCount).to.equal(1);
  });

  it('saves also when the work throws, and another state is not affected', async () => {
    const storage = new MemoryStorage();
    const state = new ConversationState(storage);
    const other = new ConversationState(new MemoryStorage());
    const ctx = { activity: { channelId: 'test', conversation: { id: 'c1' } }, turnState: new Map() } as unknown as TurnContext;
    let otherOwned: boolean | undefined;
    await withTurnEndSave(ctx, state, async () => {
      otherOwned = isSavedAtTurnEnd(ctx, other);
      await state.createProperty('x').set(ctx, 'kept');
      throw new Error('bot failed');
    }).then(
      () => expect.fail('should throw'),
      (err: Error) => expect(err.message).to.equal('bot failed'),
    );
    expect(otherOwned).to.equal(false);
    expect(isSavedAtTurnEnd(ctx, state)).to.equal(false);
    const stored = (await storage.read(['test/conversations/c1/']))['test/conversations/c1/'] as Record<string, unknown>;
    expect(stored.x).to.equal('kept');
  });

  it('signals + handoff + a bot sharing one ConversationState: one saveChanges per turn, every change stored', async () => {
    const storage = new MemoryStorage();
    const state = new ConversationState(storage);
    const save = sinon.spy(state, 'saveChanges');
    const write = sinon.spy(storage, 'write');
    const service = new HandoffService({ store: new MemoryHandoffStore(), messenger: { continueConversation: async () => undefined }, conversationState: state });
    const handoff = new HandoffMiddleware({ service, conversationState: state, policy: () => ({ action: 'continue', explanation: 'x' }) });
    const signals = new SignalsMiddleware(createSignalDetector(), { conversationState: state });
    const count = state.createProperty<number>('count');
    const adapter = new TestAdapter(async (ctx) => {
      await count.set(ctx, (await count.get(ctx, 0)) + 1);
      await ctx.sendActivity('answer');
      // What CustomerBot.run does at the end of its turn.
      if (!isSavedAtTurnEnd(ctx, state)) await state.saveChanges(ctx);
    })
      .use(signals)
      .use(handoff);
    await adapter.send('where is my parcel?').assertReply('answer').send('and when will it arrive?').assertReply('answer').startTest();
    expect(save.callCount).to.equal(2);
    expect(write.callCount).to.equal(2);
    const stored = (await storage.read([KEY]))[KEY] as Record<string, { turns?: number; offered?: unknown[] } | number>;
    expect(stored.count).to.equal(2);
    expect((stored[TRAJECTORY_PROPERTY] as { turns: number }).turns).to.equal(2);
    expect(stored['warmline.handoff']).to.deep.equal({ offered: [] });
  });

  it('without an outer owner, the handoff middleware saves by itself', async () => {
    const storage = new MemoryStorage();
    const state = new ConversationState(storage);
    const service = new HandoffService({ store: new MemoryHandoffStore(), messenger: { continueConversation: async () => undefined }, conversationState: state });
    const handoff = new HandoffMiddleware({ service, conversationState: state, policy: () => ({ action: 'continue', explanation: 'x' }) });
    const adapter = new TestAdapter(async (ctx) => {
      await state.createProperty('seen').set(ctx, true);
    }).use(handoff);
    await adapter.send('hello').startTest();
    const stored = (await storage.read([KEY]))[KEY] as Record<string, unknown>;
    expect(stored.seen).to.equal(true);
    expect(stored['warmline.handoff']).to.deep.equal({ offered: [] });
  });
});
