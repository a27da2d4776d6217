import { expect } from 'chai';
import { TestAdapter, type TurnContext } from 'botbuilder-core';
import { checkTurnOrder, recordTurn, warmlineTurn, type TurnRecorder } from '../../middleware/warmlineTurn';
import { createWarmlineMiddleware } from '../../middleware/createWarmlineMiddleware';
import { HandoffMiddleware } from '../../middleware/handoffMiddleware';
import type { Signals } from '../../middleware/signals/signals';

const writes = (...fields: TurnRecorder['turnFields']['writes']): TurnRecorder => ({ turnFields: { writes: fields, reads: [] } });
const reads = (...fields: TurnRecorder['turnFields']['reads']): TurnRecorder => ({ turnFields: { writes: [], reads: fields } });

describe('the turn record (WarmlineTurn)', () => {
  it('is empty before any piece writes, keeps each field written, and refuses a second write of a field', async () => {
    const seen: unknown[] = [];
    const adapter = new TestAdapter(async (ctx: TurnContext) => {
      seen.push(warmlineTurn(ctx));
      recordTurn(ctx, 'textShortened', true);
      recordTurn(ctx, 'duplicate', false);
      seen.push(warmlineTurn(ctx));
      expect(() => recordTurn(ctx, 'textShortened', false)).to.throw(/"textShortened" was already written/);
      expect(Object.isFrozen(warmlineTurn(ctx))).to.equal(true);
    });
    await adapter.send('hello');
    expect(seen).to.deep.equal([{}, { textShortened: true, duplicate: false }]);
  });

  it('checkTurnOrder refuses a piece reading a field a later piece writes, and a field with two writers', () => {
    expect(() => checkTurnOrder([{ name: 'a', piece: writes('signals') }, { name: 'b', piece: reads('signals') }])).to.not.throw();
    expect(() => checkTurnOrder([{ name: 'b', piece: reads('signals') }, { name: 'a', piece: writes('signals') }])).to.throw(
      TypeError,
      /b reads "signals" before a writes it/,
    );
    expect(() => checkTurnOrder([{ name: 'a', piece: writes('signals') }, { name: 'c', piece: writes('signals') }])).to.throw(
      TypeError,
      /"signals" is written by both a and c/,
    );
    // A piece that declares nothing is not checked; a field nobody writes may be read (it stays undefined).
    expect(() => checkTurnOrder([{ name: 'plain', piece: {} }, { name: 'b', piece: reads('textShortened') }])).to.not.throw();
  });

  it('createWarmlineMiddleware runs a bare detector as the signals piece, so the bot reads the signals in the record', async () => {
    const signals = { language: 'en', sentiment: 0, emotions: [], intents: [], trajectory: { turns: 1 } } as unknown as Signals;
    const detector = { detect: async () => signals };
    const transcript = { logActivity: () => undefined };
    const handoff = Object.create(HandoffMiddleware.prototype) as HandoffMiddleware;
    Object.assign(handoff, { turnFields: { writes: [], reads: ['textShortened', 'signals'] }, onTurn: (_ctx: TurnContext, next: () => Promise<void>) => next() });
    const seen: unknown[] = [];
    const adapter = new TestAdapter(async (ctx) => void seen.push(warmlineTurn(ctx).signals)).use(
      createWarmlineMiddleware({ transcript, signals: detector, handoff }),
    );
    await adapter.send('hello');
    expect(seen).to.deep.equal([signals]);
  });
});
