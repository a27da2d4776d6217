import { expect } from 'chai';
import * as sinon from 'sinon';
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, type TurnContext } from 'botbuilder';
import { readContact, readCustomerReply } from '../../middleware/handoff/customerReply';
import type { HandoffCase } from '../../middleware/handoff/handoffCase';
import { HandoffMiddleware } from '../../middleware/handoffMiddleware';
import type { HandoffDecision, HandoffPolicy } from '../../middleware/handoff/handoffPolicy';
import { HandoffService } from '../../middleware/handoff/handoffService';
import type { HubConnector } from '../../middleware/handoff/hubs/hubConnector';
import { MemoryHandoffStore } from '../../middleware/handoff/stores/memoryHandoffStore';
import { RecordingMessenger } from './handoff/handoffTestKit';
import { silentLogger } from '../../middleware/shared/logger';

const human: HandoffDecision = { action: 'immediate', reason: 'human_request', priority: 'normal', explanation: 'asked', intents: [], emotions: [] };

function setup(options: { online?: boolean; connectors?: HubConnector[]; store?: MemoryHandoffStore; policy?: HandoffPolicy } = {}) {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const store = options.store ?? new MemoryHandoffStore();
  const messenger = new RecordingMessenger();
  const warnings: Array<{ event: string; fields?: Record<string, unknown> }> = [];
  const service = new HandoffService({
    store,
    messenger,
    connectors: options.connectors ?? [],
    logger: { ...silentLogger, warn: (event, fields) => void warnings.push({ event, ...(fields ? { fields } : {}) }) },
  });
  let decide: HandoffDecision = human;
  const handoff = new HandoffMiddleware({ service, conversationState, policy: options.policy ?? (() => decide) });
  const bot = sinon.spy(async (ctx: TurnContext) => {
    await ctx.sendActivity('bot answer');
  });
  const adapter = new TestAdapter(bot).use(handoff);
  const replies = (): string[] => adapter.activeQueue.splice(0).map((a) => a.text ?? '');
  const say = async (text: string, extra: Record<string, unknown> = {}): Promise<string[]> => {
    await adapter.send({ type: ActivityTypes.Message, text, ...extra }).startTest();
    return replies();
  };
  const caseNow = async (): Promise<HandoffCase> => (await store.findOpenByConversation('test/Convo1')) as HandoffCase;
  return {
    store,
    service,
    messenger,
    conversationState,
    bot,
    adapter,
    say,
    caseNow,
    warnings,
    setDecision: (d: HandoffDecision) => void (decide = d),
  };
}

describe('HandoffMiddleware: a callback without contact details', () => {
  it('"phone" alone asks for the number; the next reply is stored as callback.contact, not as a waiting message', async () => {
    const s = setup();
    expect((await s.say('I want a human')).join(' ')).to.match(/No one from the team is available/);
    s.setDecision({ action: 'continue', explanation: 'x' });
    expect(await s.say('phone')).to.deep.equal(['Thank you. What phone number should we call you on?']);
    const asked = await s.caseNow();
    expect([asked.state, asked.callback?.preference, asked.callback?.contact]).to.deep.equal(['callback_requested', 'phone', undefined]);
    expect((await s.say('06 12 34 56 78'))[0]).to.match(/get back to you by phone/);
    const c = await s.caseNow();
    expect(c.callback).to.deep.include({ preference: 'phone', contact: '06 12 34 56 78' });
    expect(c.queuedMessages).to.deep.equal([]);
    expect(s.bot.callCount).to.equal(0);
  });

  it('in French, asks for the address; a reply without one is asked again once, then the team answers in the chat', async () => {
    const s = setup();
    const fr = { locale: 'fr-FR' };
    await s.say('je veux un conseiller', fr);
    s.setDecision({ action: 'continue', explanation: 'x' });
    expect(await s.say('par e-mail', fr)).to.deep.equal(['Merci. À quelle adresse e-mail pouvons-nous vous écrire ?']);
    expect((await s.say('je ne sais plus', fr))[0]).to.match(/pas trouvé d’adresse e-mail/);
    expect((await s.say('toujours pas', fr))[0]).to.match(/vous répondra donc ici/);
    const c = await s.caseNow();
    expect(c.callback?.contact).to.equal(undefined);
    expect(c.queuedMessages.map((m) => m.text)).to.deep.equal(['je ne sais plus', 'toujours pas']);
    // The flag is gone: the next message is simply kept on the case.
    await s.say('encore une chose', fr);
    expect((await s.caseNow()).queuedMessages.map((m) => m.text)).to.include('encore une chose');
  });

  it('a second try with the address is accepted; "here" needs no contact at all', async () => {
    const s = setup();
    await s.say('I want a human');
    s.setDecision({ action: 'continue', explanation: 'x' });
    await s.say('email');
    await s.say('hmm');
    expect((await s.say('it is jo.doe@example.org.'))[0]).to.match(/by e-mail/);
    expect((await s.caseNow()).callback).to.deep.include({ preference: 'email', contact: 'jo.doe@example.org' });

    const t = setup();
    await t.say('I want a human');
    t.setDecision({ action: 'continue', explanation: 'x' });
    expect((await t.say('here'))[0]).to.match(/answer you here in this chat/);
    expect((await t.caseNow()).callback?.preference).to.equal('chat');
  });

  it('readContact and readCustomerReply', () => {
    expect(readContact('call 06 12 34 56 78 please')).to.deep.equal({ kind: 'phone', value: '06 12 34 56 78' });
    expect(readContact('a@b.fr')).to.deep.equal({ kind: 'email', value: 'a@b.fr' });
    expect(readContact('no idea')).to.equal(undefined);
    expect(readCustomerReply('ici')).to.deep.equal({ kind: 'callback', preference: 'chat', explicit: true });
    expect(readCustomerReply('the chat was useless')).to.deep.equal({ kind: 'other' });
  });
});

describe('HandoffMiddleware: the closing rating survives a concurrent state write', () => {
  const KEY = 'test/conversations/Convo1/';
  const alice = { id: 'alice', channel: 'msteams', name: 'Alice' };

  async function handedOverAndClosed(overwriteStateAfterClose: boolean) {
    const s = setup();
    await s.store.setPresence(alice, 'online', 60_000);
    await s.say('I want a human');
    s.setDecision({ action: 'continue', explanation: 'x' });
    const c = await s.caseNow();
    await s.service.agents.accept(c.id, alice);
    const storage = (s.conversationState as unknown as { storage: MemoryStorage }).storage;
    const before = (await storage.read([KEY]))[KEY] as Record<string, unknown>;
    expect((await s.service.agents.close(c.id, alice, 'done')).ok).to.equal(true);
    if (overwriteStateAfterClose) {
      // Another instance's customer turn that read the state before the close saves it now (botbuilder: eTag '*').
      await storage.write({ [KEY]: { ...before, eTag: '*' } });
    }
    return { s, c };
  }

  it('the rating question is recorded on the resolved case, and a "4" after a racing state write is still stored', async () => {
    const { s, c } = await handedOverAndClosed(true);
    expect((await s.store.get(c.id))?.ratingRequested).to.equal(true);
    expect(s.messenger.textsTo('test/Convo1').pop()).to.match(/from 1 \(poor\) to 5 \(excellent\)/);
    expect(await s.say('4')).to.deep.equal(['Thank you for your feedback.']);
    const rated = (await s.store.get(c.id)) as HandoffCase;
    expect([rated.satisfaction, rated.ratingRequested]).to.deep.equal([4, undefined]);
    expect(s.bot.callCount).to.equal(0);
    // Asked once: a later "5" is for the bot.
    expect(await s.say('5')).to.deep.equal(['bot answer']);
    expect((await s.store.get(c.id))?.satisfaction).to.equal(4);
  });

  it('anything but a rating goes to the bot and drops the marker: at most one extra lookup after a handover', async () => {
    const { s, c } = await handedOverAndClosed(false);
    const get = sinon.spy(s.store, 'get');
    expect(await s.say('where is my parcel')).to.deep.equal(['bot answer']);
    expect(get.callCount).to.equal(0);
    await s.say('3');
    expect(get.callCount).to.equal(0);
    expect((await s.store.get(c.id))?.satisfaction).to.equal(undefined);
  });

  it('a 1–5 reply counts only while the store says a rating is awaited (not for a case closed without the question)', async () => {
    const store = new MemoryHandoffStore();
    const s = setup({ store });
    await store.setPresence(alice, 'online', 60_000);
    await s.say('I want a human');
    s.setDecision({ action: 'continue', explanation: 'x' });
    const c = await s.caseNow();
    const noQuestion = new HandoffService({ store, messenger: new RecordingMessenger(), ratingQuestion: false });
    await noQuestion.agents.accept(c.id, alice);
    await noQuestion.agents.close(c.id, alice);
    expect(await s.say('5')).to.deep.equal(['bot answer']);
    expect((await store.get(c.id))?.satisfaction).to.equal(undefined);
  });
});

describe('HandoffMiddleware: waiting messages are acknowledged truthfully', () => {
  const alice = { id: 'alice', channel: 'msteams', name: 'Alice' };

  it('a case that is full says so instead of "added to your case"', async () => {
    const s = setup({ store: new MemoryHandoffStore({ maxQueuedMessages: 1 }) });
    await s.store.setPresence(alice, 'online', 60_000);
    await s.say('I want a human');
    s.setDecision({ action: 'continue', explanation: 'x' });
    expect((await s.say('first detail'))[0]).to.match(/I've added that to your case/);
    expect(await s.say('second detail')).to.deep.equal([
      "Your case already holds as many messages as it can, so I couldn't add that one. The person will read our whole conversation when they join.",
    ]);
    expect((await s.caseNow()).queuedMessages.map((m) => m.text)).to.deep.equal(['first detail']);
  });

  it('a case closed between the lookup and the append says the request ended', async () => {
    const s = setup();
    await s.store.setPresence(alice, 'online', 60_000);
    await s.say('I want a human');
    s.setDecision({ action: 'continue', explanation: 'x' });
    sinon.stub(s.store, 'appendCustomerMessage').resolves({ ok: false, reason: 'not_waiting', state: 'abandoned' });
    expect(await s.say('are you there?')).to.deep.equal(["I couldn't add that: your request for a person has just ended. I'm still here if you need me."]);
  });
});

describe('HandoffMiddleware: attachment-only customer messages', () => {
  const alice = { id: 'alice', channel: 'msteams', name: 'Alice' };
  const photo = { attachments: [{ contentType: 'image/jpeg', name: 'damaged-parcel.jpg', contentUrl: 'https://files.example/secret-token/damaged-parcel.jpg' }] };

  it('while queued: recorded on the case as [attachment: name], never the URL, and the customer is told', async () => {
    const s = setup();
    await s.store.setPresence(alice, 'online', 60_000);
    await s.say('I want a human');
    s.setDecision({ action: 'continue', explanation: 'x' });
    const replies = await s.say('', photo);
    expect(replies).to.have.length(1);
    expect(replies[0]).to.match(/you sent a file \(damaged-parcel\.jpg\)/);
    const c = await s.caseNow();
    expect(c.queuedMessages.map((m) => m.text)).to.deep.equal(['[attachment: damaged-parcel.jpg]']);
    expect(JSON.stringify(c)).not.to.contain('secret-token');
  });

  it('while assigned: relayed to the agent with the text, a nameless file by its type, Teams HTML copies skipped', async () => {
    const delivered: string[] = [];
    const s = setup({ connectors: [{ name: 'rec', deliverToAgent: async (_c, m) => (delivered.push(m.text), true) }] });
    await s.store.setPresence(alice, 'online', 60_000);
    await s.say('I want a human');
    await s.service.agents.accept((await s.caseNow()).id, alice);
    s.setDecision({ action: 'continue', explanation: 'x' });
    expect((await s.say('', photo))[0]).to.match(/you sent a file \(damaged-parcel\.jpg\)/);
    const mixed = { attachments: [{ contentType: 'text/html', content: '<p>look</p>' }, { contentType: 'application/pdf' }] };
    expect((await s.say('look', mixed))[0]).to.match(/a file \(application\/pdf\)/);
    expect(await s.say('thanks')).to.deep.equal([]);
    expect(delivered).to.deep.equal(['[attachment: damaged-parcel.jpg]', 'look [attachment: application/pdf]', 'thanks']);
    expect(s.bot.callCount).to.equal(0);
  });
});

describe('HandoffMiddleware: an unreachable agent conversation', () => {
  const alice = { id: 'alice', channel: 'msteams', name: 'Alice' };

  async function assignedWith(deliver: (text: string) => Promise<boolean>) {
    const s = setup({ connectors: [{ name: 'desk', deliverToAgent: async (_c, m) => deliver(m.text) }] });
    await s.store.setPresence(alice, 'online', 60_000);
    await s.say('I want a human');
    const id = (await s.caseNow()).id;
    await s.service.agents.accept(id, alice);
    s.setDecision({ action: 'continue', explanation: 'x' });
    return { s, id };
  }

  it('keeps the message, tells the customer, and delivers the backlog first once the agent is back', async () => {
    let down = true;
    const delivered: string[] = [];
    const { s, id } = await assignedWith(async (text) => {
      if (down) throw new Error('conversation not found');
      delivered.push(text);
      return true;
    });
    expect(await s.say('one')).to.deep.equal(["I couldn't reach the person helping you just now. Your message is saved on your case and they will see it."]);
    expect((await s.store.get(id))?.undelivered?.map((m) => m.text)).to.deep.equal(['one']);
    down = false;
    expect(await s.say('two')).to.deep.equal([]);
    expect(delivered).to.deep.equal(['one', 'two']);
    const c = (await s.store.get(id)) as HandoffCase;
    expect([c.state, c.undelivered, c.relayFailures]).to.deep.equal(['assigned', undefined, undefined]);
    expect(s.warnings.map((w) => w.event)).to.include('handoff.relay_failed');
    expect(JSON.stringify(s.warnings)).not.to.contain('one');
  });

  it('after 3 failures in a row the case is back in the queue with the unsent messages and announced again', async () => {
    const { s, id } = await assignedWith(async () => Promise.reject(new Error('gone')));
    const queued: string[] = [];
    s.service.subscribe((e) => void (e.type === 'queued' && queued.push(e.case.id)));
    await s.say('a');
    await s.say('b');
    expect(await s.say('c')).to.deep.equal([
      "The person helping you can't be reached, so I've put you back in the queue: you're next. Everything you wrote is saved on your case.",
    ]);
    const c = (await s.store.get(id)) as HandoffCase;
    expect([c.state, c.agent, c.priority]).to.deep.equal(['queued', undefined, 'high']);
    expect(c.queuedMessages.map((m) => m.text)).to.deep.equal(['a', 'b', 'c']);
    expect(c.history.at(-1)?.note).to.match(/unreachable/);
    expect(queued).to.deep.equal([id]);
    // The next message is kept on the waiting case, as for any queued customer.
    expect((await s.say('d'))[0]).to.match(/added that to your case/);
  });
});
