import { expect } from 'chai';
import * as sinon from 'sinon';
import { ActivityTypes, TestAdapter, type TurnContext } from 'botbuilder';
import { AgentDesk, readClick, readAgentInputForTest } from '../../../bots/agentDesk/agentDesk';
import { AgentDirectory } from '../../../middleware/handoff/agentDirectory';
import type { AgentIdentity, HandoffCase } from '../../../middleware/handoff/handoffCase';
import { HandoffService } from '../../../middleware/handoff/handoffService';
import { MemoryHandoffStore } from '../../../middleware/handoff/stores/memoryHandoffStore';
import { RecordingMessenger, queuedCase } from '../../middleware/handoff/handoffTestKit';
import { handoffMessages } from '../../../middleware/handoff/handoffMessages';

const AGENT: AgentIdentity = { id: 'agent-1', channel: 'test', name: 'Alice' };

async function deskWithCase() {
  const store = new MemoryHandoffStore();
  const messenger = new RecordingMessenger();
  const service = new HandoffService({ store, messenger });
  const desk = new AgentDesk({ service, agents: AgentDirectory.parse('test:agent-1'), messenger });
  const c = await queuedCase(store, 'test/customer-1', new Date());
  const adapter = new TestAdapter(async (ctx) => desk.handle(ctx, AGENT));
  const say = (text: string) => adapter.send({ type: ActivityTypes.Message, text, from: { id: AGENT.id, name: 'Alice' } }).startTest();
  await say(`accept ${c.id}`);
  expect((await store.get(c.id))?.state).to.equal('assigned');
  return { store, messenger, service, desk, adapter, say, c, replies: () => adapter.activeQueue.splice(0).map((a) => a.text ?? '') };
}

describe('AgentDesk commands while an agent holds a case', () => {
  it('a sentence starting with "close" / "fermer" / "clore" reaches the customer and does not close the case', async () => {
    const s = await deskWithCase();
    for (const text of ['Close the old account first, then open the new one', 'fermer le compte prendra deux jours', 'clore ce dossier demande une signature']) {
      await s.say(text);
    }
    expect((await s.store.get(s.c.id))?.state).to.equal('assigned');
    expect(s.messenger.textsTo('test/customer-1').slice(-3)).to.deep.equal([
      'Close the old account first, then open the new one',
      'fermer le compte prendra deux jours',
      'clore ce dossier demande une signature',
    ]);
  });

  it('"/close <note>" closes with an internal note: kept on the case (redacted), never sent to the customer', async () => {
    const s = await deskWithCase();
    await s.say('/close internal: suspected account takeover, card 4242 4242 4242 4242 flagged to fraud team');
    const closed = (await s.store.get(s.c.id)) as HandoffCase;
    expect([closed.state, closed.agentNotes[0]?.text]).to.deep.equal(['resolved', 'internal: suspected account takeover, card [card •••• 4242] flagged to fraud team']);
    expect(closed.history.at(-1)?.note).to.equal(closed.agentNotes[0]?.text);
    const toCustomer = s.messenger.textsTo('test/customer-1');
    // The closing sentence, then the rating question (asked by default).
    expect(toCustomer.slice(-2)).to.deep.equal([
      "Alice has closed this conversation. Thank you for your patience. You're back with the assistant; ask me about a parcel anytime.",
      handoffMessages('en').rateQuestion,
    ]);
    expect(toCustomer.join('\n')).to.not.match(/internal|takeover|fraud team|4242/);
  });

  it('bare "close" and "/fermer <note>" close too', async () => {
    const s = await deskWithCase();
    await s.say('close');
    expect((await s.store.get(s.c.id))?.state).to.equal('resolved');
    const t = await deskWithCase();
    await t.say('/fermer merci, bonne journée');
    expect((await t.store.get(t.c.id))?.agentNotes[0]?.text).to.equal('merci, bonne journée');
  });

  it('the help text explains how to close with a note ("close: note")', async () => {
    const s = await deskWithCase();
    s.replies();
    await s.say('help');
    expect(s.replies().pop())
      .to.match(/close: \[note\] or \/close \[note\] \(fermer: \[note\]\)/)
      .and.match(/internal note for the team \(never sent to the customer\)/)
      .and.match(/Close the old account first/);
  });
});

describe('AgentDesk presence while relaying', () => {
  it('a relayed message renews the agent presence, at most once per tenth of the TTL', async () => {
    const s = await deskWithCase();
    const setPresence = sinon.spy(s.store, 'setPresence');
    const clock = sinon.useFakeTimers({ now: Date.now() + s.service.presence.ttlMs / 5, toFake: ['Date'] });
    try {
      await s.say('hello, I am looking at your parcel');
      await s.say('one moment please');
      expect(setPresence.callCount).to.equal(1);
      expect(setPresence.firstCall.args.slice(0, 3)).to.deep.equal([AGENT, 'online', s.service.presence.ttlMs]);
      clock.tick(s.service.presence.ttlMs / 10 + 1);
      await s.say('found it');
      expect(setPresence.callCount).to.equal(2);
    } finally {
      clock.restore();
    }
  });
});

describe('AgentDesk: malformed clicks from agents never crash the turn', () => {
  it('ignores Slack payloads and card submits of the wrong shape', () => {
    for (const activity of [
      { value: null },
      { value: 'accept' },
      { value: { warmline: 'accept', caseId: 42 } },
      { value: { warmline: 'accept', caseId: 'not a case' } },
      { channelData: { Payload: { type: 'block_actions', actions: 'nope' } } },
      { channelData: { Payload: { type: 'block_actions', actions: [null, 7, { action_id: 'warmline_accept' }] } } },
      { channelData: { Payload: null } },
      { channelData: 'x' },
    ]) {
      expect(readClick({ activity } as unknown as Pick<TurnContext, 'activity'>), JSON.stringify(activity)).to.equal(undefined);
    }
    const good = { channelData: { Payload: { type: 'block_actions', actions: [{ action_id: 'warmline_accept', value: 'C-7K3P' }] } } };
    expect(readClick({ activity: good } as unknown as Pick<TurnContext, 'activity'>)).to.equal('C-7K3P');
    expect(readClick({ activity: { value: { warmline: 'accept', caseId: 'C-7K3P' } } } as unknown as Pick<TurnContext, 'activity'>)).to.equal('C-7K3P');
  });
});

describe('AgentDesk: closing forms an agent can type', () => {
  it('"close: note" closes with a note on every channel (Slack keeps "/" for its own commands)', () => {
    expect(readAgentInputForTest('close: card blocked, refund requested', true)).to.deep.equal({ kind: 'command', command: 'close', arg: 'card blocked, refund requested' });
    expect(readAgentInputForTest('Fermer : compte clôturé', true)).to.deep.equal({ kind: 'command', command: 'close', arg: 'compte clôturé' });
    expect(readAgentInputForTest('close the old account first, then we can talk', true)).to.deep.equal({ kind: 'text', text: 'close the old account first, then we can talk' });
    expect(readAgentInputForTest('close', true)).to.deep.equal({ kind: 'command', command: 'close', arg: '' });
  });
});

describe('AgentDesk: announcements are updated in place (issue 13)', () => {
  const ANN: AgentIdentity = { id: 'agent-1', channel: 'test', name: 'Ann' };
  const BOB: AgentIdentity = { id: 'agent-2', channel: 'test', name: 'Bob' };
  const watch = (a: AgentIdentity) => ({ key: `test/watch-${a.id}`, channel: 'test', reference: {} });

  async function announced(language?: 'en' | 'fr') {
    const store = new MemoryHandoffStore();
    const messenger = new RecordingMessenger();
    const service = new HandoffService({ store, messenger });
    const desk = new AgentDesk({ service, agents: AgentDirectory.parse('test:agent-1,test:agent-2'), messenger, ...(language ? { language } : {}) });
    service.addConnector(desk);
    await service.presence.set(ANN, 'online', watch(ANN));
    await service.presence.set(BOB, 'online', watch(BOB));
    const c = await queuedCase(store, 'test/customer-1', new Date());
    await desk.onEvent({ type: 'queued', case: c, opened: true });
    const posted = (a: AgentIdentity) => messenger.messages.filter((m) => m.key === watch(a).key);
    expect(posted(ANN)).to.have.length(1);
    expect(posted(ANN)[0]?.message.text).to.match(/Type "accept C-|Tapez « prendre C-/);
    return { store, messenger, service, desk, c, posted };
  }

  it("another agent takes the case: every kept card is replaced, without the way to accept it, naming who has it", async () => {
    const s = await announced();
    const annId = (await s.store.listAnnouncements(s.c.id)).find((a) => a.where.key === watch(ANN).key)?.messageId;
    expect((await s.service.agents.accept(s.c.id, BOB, watch(BOB))).ok).to.equal(true);
    await s.service.idle();
    const annUpdate = s.messenger.updates.find((u) => u.key === watch(ANN).key);
    expect(annUpdate?.messageId).to.equal(annId);
    expect(annUpdate?.message.text).to.contain('Taken by Bob').and.not.contain('accept C-');
    expect(s.messenger.updates.find((u) => u.key === watch(BOB).key)?.message.text).to.contain('Taken by Bob (you)');
    await s.service.agents.close(s.c.id, BOB);
    await s.service.idle();
    expect(s.messenger.updates.filter((u) => u.key === watch(ANN).key).pop()?.message.text).to.contain('Closed by Bob');
  });

  it('a case back in the queue: earlier cards say so (no Accept), new ones are posted; a customer who left is said so, in French too', async () => {
    const s = await announced('fr');
    await s.store.claim(s.c.id, BOB, watch(BOB));
    const requeued = await s.store.transition(s.c.id, 'queued', 'system');
    await s.desk.onEvent({ type: 'queued', case: requeued });
    const old = s.messenger.updates.find((u) => u.key === watch(ANN).key);
    expect(old?.message.text).to.contain('De retour dans la file : annoncé à nouveau plus bas').and.not.contain('prendre C-');
    expect(s.posted(ANN)).to.have.length(2);
    expect(s.posted(ANN)[1]?.message.text).to.contain(`Tapez « prendre ${s.c.id} »`);
    await s.service.customers.cancel(s.c.id);
    await s.service.idle();
    expect(s.messenger.updates.filter((u) => u.key === watch(ANN).key).pop()?.message.text).to.contain('Le client est parti');
  });

  it('updates of one case land in order: a slow "taken" update never overwrites the "closed" one', async () => {
    const s = await announced();
    // The card updates for "taken" are slow; the case is closed meanwhile and its event handled at once.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const update = s.messenger.update.bind(s.messenger);
    let holding = true;
    s.messenger.update = async (to, messageId, message) => {
      if (holding) await gate;
      return update(to, messageId, message);
    };
    await s.store.claim(s.c.id, BOB, watch(BOB));
    const taken = s.desk.onEvent({ type: 'assigned', case: (await s.store.get(s.c.id))! });
    await new Promise((resolve) => setImmediate(resolve));
    holding = false;
    const closing = s.desk.onEvent({ type: 'resolved', case: await s.store.transition(s.c.id, 'resolved', 'agent') });
    // Whatever "closed" can do without waiting is done before the slow updates go through.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all([taken, closing]);
    expect(s.messenger.updates.filter((u) => u.key === watch(ANN).key).pop()?.message.text).to.contain('Closed by Bob');
  });

  it('a case taken while its cards were on their way has them updated at once', async () => {
    const store = new MemoryHandoffStore();
    const messenger = new RecordingMessenger();
    const service = new HandoffService({ store, messenger });
    const desk = new AgentDesk({ service, agents: AgentDirectory.parse('test:agent-1,test:agent-2'), messenger });
    await service.presence.set(ANN, 'online', watch(ANN));
    const c = await queuedCase(store, 'test/customer-2', new Date());
    // Taken before the announcement ran (the 'assigned' event found no card to update).
    await store.claim(c.id, BOB, watch(BOB));
    await desk.onEvent({ type: 'queued', case: c, opened: true });
    expect(messenger.updates.find((u) => u.key === watch(ANN).key)?.message.text).to.contain('Taken by Bob');
  });
});
