import { expect } from 'chai';
import * as sinon from 'sinon';
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, type TurnContext } from 'botbuilder';
import { createSignalDetector, type SignalDetector } from '../../../middleware/signals/signalDetector';
import { SignalsMiddleware, TRAJECTORY_PROPERTY } from '../../../middleware/signalsMiddleware';
import { hasIntent, type Signals, type Trajectory } from '../../../middleware/signals/signals';
import { warmlineTurn } from '../../../middleware/warmlineTurn';

describe('SignalsMiddleware', () => {
  const quietLogger = () => ({ warn: sinon.spy() });

  it('stores frozen signals in turn state and calls next() exactly once', async () => {
    const seen: Array<Signals | undefined> = [];
    let calls = 0;
    const adapter = new TestAdapter(async (ctx) => {
      calls++;
      seen.push(warmlineTurn(ctx).signals);
      await ctx.sendActivity('ok');
    }).use(new SignalsMiddleware(createSignalDetector()));
    await adapter.send('my wallet was stolen').assertReply('ok').startTest();
    expect(calls).to.equal(1);
    expect(seen[0]).to.not.equal(undefined);
    expect(hasIntent(seen[0], 'fraud')).to.equal(true);
    expect(Object.isFrozen(seen[0])).to.equal(true);
  });

  it('uses activity.locale first', async () => {
    let signals: Signals | undefined;
    const adapter = new TestAdapter(async (ctx) => {
      signals = warmlineTurn(ctx).signals;
    }).use(new SignalsMiddleware(createSignalDetector()));
    await adapter.send({ type: ActivityTypes.Message, text: 'ok', locale: 'fr-FR' }).startTest();
    expect(signals?.language).to.equal('fr');
    expect(signals?.languageSource).to.equal('locale');
  });

  it('skips non-message activities, empty text and what shouldAnalyse rejects, still calling next()', async () => {
    const detector = { detect: sinon.stub().returns(createSignalDetector().detect('x')) };
    const next: string[] = [];
    const adapter = new TestAdapter(async (ctx) => {
      next.push(ctx.activity.type);
      expect(warmlineTurn(ctx).signals).to.equal(undefined);
    }).use(new SignalsMiddleware(detector, { shouldAnalyse: (ctx: TurnContext) => ctx.activity.from?.id !== 'agent-1' }));
    await adapter
      .send({ type: ActivityTypes.Typing })
      .send({ type: ActivityTypes.Message, text: '   ' })
      .send({ type: ActivityTypes.Message, text: 'hello from the agent', from: { id: 'agent-1', name: 'Agent' } })
      .startTest();
    expect(next).to.have.length(3);
    expect(detector.detect.called).to.equal(false);
  });

  it('keeps the trajectory across turns in conversation state and saves it', async () => {
    const storage = new MemoryStorage();
    const conversationState = new ConversationState(storage);
    const trajectories: Trajectory[] = [];
    const adapter = new TestAdapter(async (ctx) => {
      trajectories.push(warmlineTurn(ctx).signals!.trajectory);
      await ctx.sendActivity('noted');
    }).use(new SignalsMiddleware(createSignalDetector(), { conversationState }));
    await adapter
      .send('this is terrible, useless service')
      .assertReply('noted')
      .send('still nothing, I am fed up!!')
      .assertReply('noted')
      .send('worst company ever, unacceptable')
      .assertReply('noted')
      .startTest();
    expect(trajectories.map((t) => t.turns)).to.deep.equal([1, 2, 3]);
    expect(trajectories[2].consecutiveNegative).to.equal(3);
    expect(trajectories[2].escalating).to.equal(true);
    // The state was written to storage by the middleware (the bot never saved).
    const items = await storage.read([]);
    expect(items).to.be.an('object');
    const keys = Object.keys((storage as unknown as { memory: Record<string, unknown> }).memory);
    expect(keys.some((k) => k.includes('conversations'))).to.equal(true);
    const stored = JSON.parse((storage as unknown as { memory: Record<string, string> }).memory[keys[0]]) as Record<string, Trajectory>;
    expect(stored[TRAJECTORY_PROPERTY].turns).to.equal(3);
  });

  it('uses a given accessor and leaves saving to the bot', async () => {
    const conversationState = new ConversationState(new MemoryStorage());
    const accessor = conversationState.createProperty<Trajectory>('mine');
    const save = sinon.spy(conversationState, 'saveChanges');
    const adapter = new TestAdapter(async (ctx) => {
      expect((await accessor.get(ctx))?.turns).to.equal(1);
    }).use(new SignalsMiddleware(createSignalDetector(), { trajectoryAccessor: accessor }));
    await adapter.send('hello').startTest();
    expect(save.called).to.equal(false);
  });

  it('passes the previous trajectory to the detector', async () => {
    const real = createSignalDetector();
    const detect = sinon.spy((text: string, o?: { locale?: string; previous?: Trajectory }) => real.detect(text, o));
    const conversationState = new ConversationState(new MemoryStorage());
    const adapter = new TestAdapter(async () => undefined).use(new SignalsMiddleware({ detect }, { conversationState }));
    await adapter.send('one').send('two').startTest();
    expect(detect.secondCall.args[1]?.previous?.turns).to.equal(1);
  });

  it('accepts an async detector', async () => {
    const real = createSignalDetector();
    const asyncDetector: SignalDetector = { detect: async (t, o) => real.detect(t, o) };
    let signals: Signals | undefined;
    const adapter = new TestAdapter(async (ctx) => {
      signals = warmlineTurn(ctx).signals;
    }).use(new SignalsMiddleware(asyncDetector));
    await adapter.send('je veux parler à un conseiller').startTest();
    expect(hasIntent(signals, 'human_request')).to.equal(true);
  });

  it('fails safe toward a human when detection throws, and logs no text', async () => {
    const logger = quietLogger();
    const detector = { detect: sinon.stub().throws(new TypeError('boom')) };
    let signals: Signals | undefined;
    let calls = 0;
    const adapter = new TestAdapter(async (ctx) => {
      calls++;
      signals = warmlineTurn(ctx).signals;
    }).use(new SignalsMiddleware(detector, { logger }));
    await adapter.send('my secret card number is 4111 1111 1111 1111').startTest();
    expect(calls).to.equal(1);
    expect(signals?.degraded).to.equal(true);
    expect(hasIntent(signals, 'human_request')).to.equal(true);
    expect(signals?.intents[0].evidence[0].rule).to.equal('signals.degraded');
    expect(logger.warn.calledOnce).to.equal(true);
    expect(String(logger.warn.firstCall.args[0])).to.not.contain('4111');
    expect(String(logger.warn.firstCall.args[0])).to.contain('TypeError');
  });

  it('gives neutral degraded signals when failTowardHuman is false', async () => {
    const detector = { detect: sinon.stub().rejects(new Error('down')) };
    let signals: Signals | undefined;
    const adapter = new TestAdapter(async (ctx) => {
      signals = warmlineTurn(ctx).signals;
    }).use(new SignalsMiddleware(detector, { failTowardHuman: false, logger: quietLogger() }));
    await adapter.send('hello').startTest();
    expect(signals?.degraded).to.equal(true);
    expect(signals?.intents).to.deep.equal([]);
  });

  it('treats a malformed detector result as a failure', async () => {
    const detector = { detect: () => ({ nope: true }) as unknown as Signals };
    let signals: Signals | undefined;
    const adapter = new TestAdapter(async (ctx) => {
      signals = warmlineTurn(ctx).signals;
    }).use(new SignalsMiddleware(detector, { logger: quietLogger() }));
    await adapter.send('hello').startTest();
    expect(signals?.degraded).to.equal(true);
  });

  it('rejects misuse at construction', () => {
    expect(() => new SignalsMiddleware(undefined as unknown as SignalDetector)).to.throw(TypeError, /detector is required/);
    const cs = new ConversationState(new MemoryStorage());
    expect(() => new SignalsMiddleware(createSignalDetector(), { conversationState: cs, trajectoryAccessor: cs.createProperty('x') })).to.throw(TypeError);
    expect(() => new SignalsMiddleware(createSignalDetector(), { maxTextLength: 0 })).to.throw();
  });
});
