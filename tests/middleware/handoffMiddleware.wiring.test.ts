import { expect } from 'chai';
import { RecordingMessenger } from './handoff/handoffTestKit';
import * as sinon from 'sinon';
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, type Middleware, type TurnContext } from 'botbuilder';
import { createWarmlineMiddleware } from '../../middleware/createWarmlineMiddleware';
import { AgentDirectory } from '../../middleware/handoff/agentDirectory';
import { readCustomerReply } from '../../middleware/handoff/customerReply';
import { draftCase, transition, type HandoffCase } from '../../middleware/handoff/handoffCase';
import { HandoffMiddleware, type AgentTurnHandler } from '../../middleware/handoffMiddleware';
import { declinedOffer } from '../../middleware/handoffConversationState';
import { defaultHandoffPolicy, type HandoffDecision, type HandoffPolicy } from '../../middleware/handoff/handoffPolicy';
import { createSignalDetector } from '../../middleware/signals/signalDetector';
import { HandoffService } from '../../middleware/handoff/handoffService';
import { handoffMessages } from '../../middleware/handoff/handoffMessages';
import type { HubConnector } from '../../middleware/handoff/hubs/hubConnector';
import { MemoryHandoffStore } from '../../middleware/handoff/stores/memoryHandoffStore';
import { type IntentAugmenter, type Signals } from '../../middleware/signals/signals';
import { MemoryTranscriptStore } from '../../middleware/handoff/transcripts/memoryTranscriptStore';
import { RedactingTranscriptLogger } from '../../middleware/redactingTranscriptLogger';
import { warmlineTurn } from '../../middleware/warmlineTurn';
import { silentLogger } from '../../middleware/shared/logger';

const CONTINUE: HandoffDecision = { action: 'continue', explanation: 'nothing' };
const immediate = (reason: string, priority: 'high' | 'normal' = 'high'): HandoffDecision => ({
  action: 'immediate',
  reason,
  priority,
  explanation: `test ${reason}`,
  intents: [{ name: reason, confidence: 0.9, evidence: [{ rule: 'test', matched: ['passed away'] }] }],
  emotions: [],
});

function setup(policy: HandoffPolicy, options: { agents?: AgentTurnHandler; connectors?: HubConnector[]; online?: boolean } = {}) {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const store = new MemoryHandoffStore();
  const messenger = new RecordingMessenger();
  const service = new HandoffService({ store, messenger, connectors: options.connectors ?? [] });
  const transcripts = new MemoryTranscriptStore();
  const handoff = new HandoffMiddleware({
    service,
    conversationState,
    policy,
    transcripts,
    dialogStateProperty: 'dialogState',
    ...(options.agents ? { agents: options.agents } : {}),
  });
  const bot = sinon.spy(async (ctx: TurnContext) => {
    await conversationState.createProperty('dialogState').set(ctx, { stack: ['tracking'] });
    await ctx.sendActivity('bot answer');
    await conversationState.saveChanges(ctx);
  });
  const adapter = new TestAdapter(bot).use(handoff);
  return { adapter, bot, store, service, messenger, conversationState, storage, transcripts };
}

describe('HandoffMiddleware wiring (TestAdapter)', () => {
  it('continue: the bot runs exactly once and the store is asked once', async () => {
    const s = setup(() => CONTINUE);
    const lookup = sinon.spy(s.store, 'findOpenByConversation');
    await s.adapter.send('hello').assertReply('bot answer').startTest();
    expect(s.bot.callCount).to.equal(1);
    expect(lookup.callCount).to.equal(1);
  });

  it('immediate: one acknowledgement with the position, no bot, a queued case with transcript, the dialog stack emptied', async () => {
    let decide: HandoffDecision = CONTINUE;
    const s = setup(() => decide);
    await s.store.setPresence({ id: 'a1', channel: 'msteams' }, 'online', 60_000);
    await s.adapter.send('hi, write to me at x.y@example.com').assertReply('bot answer').startTest();
    await s.transcripts.append('test/Convo1', [{ role: 'customer', text: 'hi, write to me at [email]', at: new Date().toISOString() }]);
    decide = immediate('bereavement');
    await s.adapter
      .send('my mother passed away')
      .assertReply((a) => expect(a.text).to.match(/sorry for your loss/).and.match(/next in the queue, expected wait about/))
      .startTest();
    expect(s.bot.callCount).to.equal(1);
    const c = (await s.store.findOpenByConversation('test/Convo1')) as HandoffCase;
    expect([c.state, c.reason, c.priority]).to.deep.equal(['queued', 'bereavement', 'high']);
    expect(c.transcript.map((t) => t.text)).to.deep.equal(['hi, write to me at [email]', 'my mother passed away']);
    expect(c.summary).to.match(/Bereavement/);
    const stored = (await s.storage.read(['test/conversations/Convo1/']))['test/conversations/Convo1/'] as Record<string, unknown>;
    expect(stored.dialogState).to.equal(undefined);
  });

  it('assigned: the message goes to the agent through the connector, the bot stays silent', async () => {
    const delivered: string[] = [];
    const connector: HubConnector = { name: 'rec', deliverToAgent: async (_c, m) => (delivered.push(m.text), true) };
    const s = setup(() => immediate('human_request', 'normal'), { connectors: [connector] });
    await s.store.setPresence({ id: 'a1', channel: 'msteams' }, 'online', 60_000);
    await s.adapter.send('I want a human').assertReply((a) => expect(a.text).to.match(/Of course/)).startTest();
    const c = (await s.store.findOpenByConversation('test/Convo1')) as HandoffCase;
    const claim = await s.service.agents.accept(c.id, { id: 'a1', channel: 'msteams', name: 'Alice' });
    expect(claim.ok).to.equal(true);
    expect(s.messenger.sent.map((m) => m.text)).to.deep.equal(['Alice from our team has joined and has your whole conversation. They\'ll reply here.']);
    await s.adapter.send('first').send('second').startTest();
    expect(delivered).to.deep.equal(['first', 'second']);
    expect(s.bot.callCount).to.equal(0);
  });

  it('agents are handed to the agent handler; the bot and the policy never see them', async () => {
    const handled: string[] = [];
    const policy = sinon.spy(() => CONTINUE);
    const agents: AgentTurnHandler = {
      identify: (ctx) => (ctx.activity.from.id === 'agent-1' ? { id: 'agent-1', channel: 'test' } : undefined),
      handle: async (ctx) => void handled.push(ctx.activity.text),
    };
    const s = setup(policy, { agents });
    await s.adapter.send({ type: ActivityTypes.Message, text: 'queue', from: { id: 'agent-1', name: 'A' } }).startTest();
    expect(handled).to.deep.equal(['queue']);
    expect(policy.callCount).to.equal(0);
    expect(s.bot.callCount).to.equal(0);
  });

  it('offer: the bot answers, then the offer; "non" continues, a second emotion offer is not made', async () => {
    const offer: HandoffDecision = { action: 'offer', reason: 'anger', priority: 'normal', explanation: 'anger', intents: [], emotions: [] };
    const policy: HandoffPolicy = ({ memory }) => (memory.offered.includes('anger') ? CONTINUE : offer);
    const s = setup(policy);
    await s.adapter
      .send({ type: ActivityTypes.Message, text: 'this is useless', locale: 'fr-FR' })
      .assertReply('bot answer')
      .assertReply((a) => expect(a.text).to.match(/\(oui \/ non\)/))
      .send({ type: ActivityTypes.Message, text: 'non', locale: 'fr-FR' })
      .assertReply((a) => expect(a.text).to.match(/continuons ensemble/))
      .send({ type: ActivityTypes.Message, text: 'still useless', locale: 'fr-FR' })
      .assertReply('bot answer')
      .startTest();
    expect(await s.store.findOpenByConversation('test/Convo1')).to.equal(undefined);
  });

  /** A bot offered a person once (for anger), behind the handoff middleware with `options`. */
  const offeringOnce = (bot: (ctx: TurnContext) => Promise<void>, options: { passDeclinedOfferToBot?: boolean } = {}) => {
    const offer: HandoffDecision = { action: 'offer', reason: 'anger', priority: 'normal', explanation: 'anger', intents: [], emotions: [] };
    const policy: HandoffPolicy = ({ memory }) => (memory.offered.includes('anger') ? CONTINUE : offer);
    const conversationState = new ConversationState(new MemoryStorage());
    const service = new HandoffService({ store: new MemoryHandoffStore(), messenger: new RecordingMessenger() });
    return new TestAdapter(bot).use(new HandoffMiddleware({ service, conversationState, policy, ...options }));
  };

  it('offer declined, passDeclinedOfferToBot: the bot hears the "no", marked, once; what it says replaces "let\'s keep going"', async () => {
    const seen: Array<string | undefined> = [];
    const adapter = offeringOnce(
      async (ctx) => {
        seen.push(declinedOffer(ctx));
        await ctx.sendActivity(declinedOffer(ctx) ? 'the question again' : 'bot answer');
      },
      { passDeclinedOfferToBot: true },
    );
    await adapter
      .send('this is useless')
      .assertReply('bot answer')
      .assertReply((a) => expect(a.text).to.match(/\(yes \/ no\)/))
      .send('no')
      .assertReply('the question again')
      .send('no')
      .assertReply('bot answer')
      .startTest();
    expect(seen).to.deep.equal([undefined, 'anger', undefined]);
  });

  it('offer declined, by default: the middleware answers the "no" and a bot that knows nothing of it never sees it', async () => {
    const heard: string[] = [];
    // A bot waiting on its own yes/no question: the "no" meant for the offer must not answer it.
    const adapter = offeringOnce(async (ctx) => {
      heard.push(ctx.activity.text ?? '');
      await ctx.sendActivity('Cancel your order? (yes / no)');
    });
    await adapter
      .send('this is useless')
      .assertReply('Cancel your order? (yes / no)')
      .assertReply((a) => expect(a.text).to.match(/\(yes \/ no\)/))
      .send('no')
      .assertReply(handoffMessages('en').offerDeclined)
      .startTest();
    expect(heard).to.deep.equal(['this is useless']);
  });

  it('offer declined, passDeclinedOfferToBot, a bot that only types: the middleware still says "let\'s keep going"', async () => {
    const adapter = offeringOnce(
      async (ctx) => {
        if (declinedOffer(ctx)) await ctx.sendActivity({ type: ActivityTypes.Typing });
        else await ctx.sendActivity('bot answer');
      },
      { passDeclinedOfferToBot: true },
    );
    await adapter
      .send('this is useless')
      .assertReply('bot answer')
      .assertReply((a) => expect(a.text).to.match(/\(yes \/ no\)/))
      .send('no')
      .assertReply((a) => expect(a.type).to.equal(ActivityTypes.Typing))
      .assertReply(handoffMessages('en').offerDeclined)
      .startTest();
  });

  it('no agent online: the case is timed out at once and a callback is offered', async () => {
    const s = setup(() => immediate('fraud'));
    await s.adapter
      .send('someone took money from my account')
      .assertReply((a) => expect(a.text).to.match(/never share your PIN/).and.match(/No one from the team is available/))
      .send('email me at jo@example.org')
      .assertReply((a) => expect(a.text).to.match(/by e-mail/))
      .startTest();
    const c = (await s.store.findOpenByConversation('test/Convo1')) as HandoffCase;
    expect(c.state).to.equal('callback_requested');
    expect(c.callback).to.deep.include({ preference: 'email', contact: 'jo@example.org' });
  });

  it('rejects a missing service, state or a policy that is not a function', () => {
    const conversationState = new ConversationState(new MemoryStorage());
    const service = new HandoffService({ store: new MemoryHandoffStore(), messenger: new RecordingMessenger() });
    expect(() => new HandoffMiddleware({ conversationState } as never)).to.throw(TypeError, /service/);
    expect(() => new HandoffMiddleware({ service } as never)).to.throw(TypeError, /conversationState/);
    expect(() => new HandoffMiddleware({ service, conversationState, policy: 'x' as never })).to.throw(TypeError, /policy/);
  });
});

describe('HandoffService', () => {
  const newCase = (store: MemoryHandoffStore, key: string, queuedAt: Date) =>
    store.create(
      transition(
        draftCase(
          {
            conversation: { key, channel: 'test', reference: {} },
            customer: { id: key, channel: 'test' },
            reason: 'human_request',
            priority: 'normal',
            trigger: { intents: [], emotions: [], explanation: 't' },
            language: 'en',
          },
          queuedAt,
        ),
        'queued',
        { by: 'bot', at: queuedAt },
      ),
    );

  it('sweep: cases past the wait limit time out once, even with two instances sweeping, and their customers are told', async () => {
    const store = new MemoryHandoffStore();
    const now = new Date('2026-03-01T10:00:00Z');
    const old = await newCase(store, 'test/old', new Date(now.getTime() - 11 * 60_000));
    const fresh = await newCase(store, 'test/fresh', new Date(now.getTime() - 60_000));
    // Both customers heard their position when they were queued.
    for (const c of [old, fresh]) await store.tellPosition(c.id);
    const m1 = new RecordingMessenger();
    const m2 = new RecordingMessenger();
    const a = new HandoffService({ store, messenger: m1, clock: () => now, maxWaitMs: 10 * 60_000 });
    const b = new HandoffService({ store, messenger: m2, clock: () => now, maxWaitMs: 10 * 60_000 });
    const [ra, rb] = await Promise.all([a.sweep(), b.sweep()]);
    expect([...ra, ...rb]).to.deep.equal([old.id]);
    expect((await store.get(old.id))?.state).to.equal('timed_out');
    expect((await store.get(fresh.id))?.state).to.equal('queued');
    await a.idle();
    await b.idle();
    const told = [...m1.sent, ...m2.sent];
    expect(told.filter((t) => t.key === 'test/old' && /sorry for the wait/.test(t.text ?? ''))).to.have.length(1);
    expect(told.filter((t) => t.key === 'test/fresh').map((t) => t.text)).to.deep.equal(["You're next in the queue."]);
  });

  it('sendToCustomer and close refuse an agent who does not hold the case', async () => {
    const store = new MemoryHandoffStore();
    const service = new HandoffService({ store, messenger: new RecordingMessenger() });
    const c = await newCase(store, 'test/c', new Date());
    const alice = { id: 'alice', channel: 'msteams', name: 'Alice' };
    const bob = { id: 'bob', channel: 'slack' };
    expect(await service.agents.sendToCustomer(c.id, alice, 'hi')).to.deep.equal({ ok: false, reason: 'not_assigned', state: 'queued' });
    await service.agents.accept(c.id, alice);
    expect(await service.agents.sendToCustomer(c.id, bob, 'hi')).to.deep.include({ ok: false, reason: 'not_yours' });
    expect(await service.agents.close(c.id, bob)).to.deep.include({ ok: false, reason: 'not_yours' });
    expect(await service.agents.sendToCustomer('C-NONE', alice, 'hi')).to.deep.equal({ ok: false, reason: 'not_found' });
    expect((await service.agents.close(c.id, alice, 'done')).ok).to.equal(true);
  });

  it('a failing connector never breaks the caller', async () => {
    const store = new MemoryHandoffStore();
    const warnings: string[] = [];
    const service = new HandoffService({
      store,
      messenger: new RecordingMessenger(),
      connectors: [{ name: 'broken', onEvent: async () => Promise.reject(new Error('hub down')) }],
      logger: { ...silentLogger, warn: (e) => void warnings.push(e) },
    });
    await store.setPresence({ id: 'a', channel: 'msteams' }, 'online', 60_000);
    const opened = await service.customers.openCase({
      conversation: { key: 'test/x', channel: 'test', reference: {} },
      customer: { id: 'x', channel: 'test' },
      reason: 'fraud',
      priority: 'high',
      explanation: 't',
      intents: [],
      emotions: [],
      language: 'en',
      transcript: [],
      collected: {},
    });
    expect(opened.case.state).to.equal('queued');
    await service.idle();
    expect(warnings).to.include('handoff.connector_failed');
  });
});

describe('createWarmlineMiddleware', () => {
  const handoffFor = () =>
    new HandoffMiddleware({
      service: new HandoffService({ store: new MemoryHandoffStore(), messenger: new RecordingMessenger() }),
      conversationState: new ConversationState(new MemoryStorage()),
      policy: () => CONTINUE,
    });

  it('runs transcript -> signals -> handoff, in that order, with next() once each', async () => {
    const order: string[] = [];
    const piece = (name: string): Middleware => ({ onTurn: async (_ctx, next) => (order.push(name), next()) });
    const set = createWarmlineMiddleware({ transcript: piece('transcript'), signals: piece('signals'), handoff: handoffFor() });
    const bot = sinon.spy(async () => void order.push('bot'));
    await new TestAdapter(bot).use(set).send('hi').startTest();
    expect(order).to.deep.equal(['transcript', 'signals', 'bot']);
  });

  it('wraps a TranscriptLogger and a bare SignalDetector (skipping agents)', async () => {
    const store = new MemoryTranscriptStore();
    const signals: Signals = {
      language: 'en',
      languageSource: 'detected',
      sentiment: 0,
      emotions: [],
      intents: [],
      trajectory: { turns: 1, rollingSentiment: 0, consecutiveNegative: 0, escalating: false },
    };
    const detect = sinon.spy(() => signals);
    const seen: Array<Signals | undefined> = [];
    const set = createWarmlineMiddleware({
      transcript: new RedactingTranscriptLogger(store),
      signals: { detect },
      handoff: handoffFor(),
      skipSignals: (ctx) => ctx.activity.from.id === 'agent',
    });
    const adapter = new TestAdapter(async (ctx) => void seen.push(warmlineTurn(ctx).signals)).use(set);
    await adapter.send('hello').startTest();
    expect(detect.callCount).to.equal(1);
    expect(seen[0]).to.deep.equal(signals);
    expect(Object.isFrozen(seen[0])).to.equal(true);
    await new Promise((r) => setTimeout(r, 10));
    expect((await store.read('test/Convo1')).map((l) => l.text)).to.deep.equal(['hello']);
  });

  it('a fraud only the learned model reads, with weak evidence: a person is offered, and "yes" queues it at high priority', async () => {
    const conversationState = new ConversationState(new MemoryStorage());
    const store = new MemoryHandoffStore();
    const service = new HandoffService({ store, messenger: new RecordingMessenger() });
    // A model that gives fraud 0.85 to every message: above its threshold, below the policy's confident range (0.9).
    const model: IntentAugmenter = {
      augment: (_text, _language, hits) => [...hits, { name: 'fraud', confidence: 0.85, evidence: [{ rule: 'model.fraud', matched: ['withdrawal'] }] }],
    };
    const set = createWarmlineMiddleware({
      transcript: new RedactingTranscriptLogger(new MemoryTranscriptStore()),
      signals: createSignalDetector({ model }),
      handoff: new HandoffMiddleware({ service, conversationState, policy: defaultHandoffPolicy }),
    });
    const adapter = new TestAdapter(async (ctx) => {
      await ctx.sendActivity('bot answer');
    }).use(set);
    await adapter
      .send({ type: ActivityTypes.Message, text: 'there is a withdrawal on my statement', locale: 'en-GB' })
      .assertReply('bot answer')
      .assertReply(handoffMessages('en').offer('fraud'))
      .send({ type: ActivityTypes.Message, text: 'yes', locale: 'en-GB' })
      .assertReply((a) => expect(a.text).to.match(/person/i))
      .startTest();
    const open = await store.findOpenByConversation('test/Convo1');
    expect(open?.reason).to.equal('fraud');
    expect(open?.priority).to.equal('high');
  });

  it('checks its pieces at build time', () => {
    const handoff = handoffFor();
    const ok: Middleware = { onTurn: async (_c, n) => n() };
    expect(() => createWarmlineMiddleware({ signals: ok, handoff } as never)).to.throw(TypeError, /transcript/);
    expect(() => createWarmlineMiddleware({ transcript: ok, handoff } as never)).to.throw(TypeError, /signals/);
    expect(() => createWarmlineMiddleware({ transcript: ok, signals: ok } as never)).to.throw(TypeError, /handoff/);
    expect(() => createWarmlineMiddleware({ transcript: ok, signals: ok, handoff: ok as never })).to.throw(TypeError, /HandoffMiddleware/);
    expect(() => createWarmlineMiddleware({ transcript: {} as never, signals: ok, handoff })).to.throw(TypeError, /TranscriptLogger/);
    expect(() => createWarmlineMiddleware({ transcript: ok, signals: {} as never, handoff })).to.throw(TypeError, /SignalDetector/);
  });
});

describe('readCustomerReply', () => {
  const cases: Array<[string, ReturnType<typeof readCustomerReply>]> = [
    ['yes', { kind: 'yes' }],
    ['Oui !', { kind: 'yes' }],
    ["d'accord", { kind: 'yes' }],
    ['no thanks', { kind: 'no' }],
    ['Non merci.', { kind: 'no' }],
    ['cancel', { kind: 'cancel' }],
    ['Annuler', { kind: 'cancel' }],
    ['wait', { kind: 'wait' }],
    ["j'attends", { kind: 'wait' }],
    ['5', { kind: 'rating', value: 5 }],
    ['4/5', { kind: 'rating', value: 4 }],
    ['6', { kind: 'other' }],
    ['phone', { kind: 'callback', preference: 'phone', explicit: true }],
    ['rappelez-moi au 06 12 34 56 78', { kind: 'callback', preference: 'phone', explicit: true, contact: '06 12 34 56 78' }],
    ['by e-mail please: a@b.fr', { kind: 'callback', preference: 'email', explicit: true, contact: 'a@b.fr' }],
    ['un ticket', { kind: 'callback', preference: 'ticket', explicit: true }],
    // A bare contact answers the callback offer; a number inside a message is not a contact.
    ['06 12 34 56 78', { kind: 'callback', preference: 'phone', explicit: false, contact: '06 12 34 56 78' }],
    ['my parcel 6A24188037153 has not arrived', { kind: 'other' }],
    ['order 12345678 is still not here, what is going on', { kind: 'other' }],
    ['the total was 1 200.00 euros', { kind: 'other' }],
    ['my email jo@example.com is wrong on the order', { kind: 'other' }],
    ['yes my parcel is late', { kind: 'other' }],
    ['my phone was stolen yesterday and I need help with my account now', { kind: 'other' }],
    ['', { kind: 'other' }],
  ];
  for (const [text, expected] of cases) {
    it(`"${text}" -> ${expected.kind}`, () => expect(readCustomerReply(text)).to.deep.equal(expected));
  }
});

describe('AgentDirectory', () => {
  it('recognises agents by channel and id (or Teams aadObjectId), never by name', () => {
    const agents = AgentDirectory.parse(' msteams:29:1abc , slack:U1:T1,msteams:aad-42 ');
    expect(agents.size).to.equal(3);
    expect(agents.identify({ channelId: 'msteams', from: { id: '29:1abc', name: 'Alice' } })).to.deep.equal({ id: '29:1abc', channel: 'msteams', name: 'Alice' });
    expect(agents.identify({ channelId: 'slack', from: { id: 'U1:T1', name: '' } })).to.deep.equal({ id: 'U1:T1', channel: 'slack' });
    expect(agents.identify({ channelId: 'msteams', from: { id: '29:other', name: 'x', aadObjectId: 'aad-42' } as never })?.id).to.equal('29:other');
    expect(agents.identify({ channelId: 'webchat', from: { id: '29:1abc', name: 'Alice' } })).to.equal(undefined);
    expect(agents.identify({ channelId: 'msteams', from: { id: '29:someone', name: '29:1abc' } })).to.equal(undefined);
    expect(AgentDirectory.parse(undefined).size).to.equal(0);
  });

  it('rejects entries that are not channelId:userId', () => {
    expect(() => AgentDirectory.parse('msteams')).to.throw(TypeError, /channelId:userId/);
    expect(() => AgentDirectory.parse('slack:')).to.throw(TypeError);
  });
});
