import { expect } from 'chai';
import { draftCase, transition, type HandoffCase } from '../../../middleware/handoff/handoffCase';
import { HandoffDeskBackend, caseEventToDesk, toDeskEvents } from '../../../bots/desk/handoffDeskBackend';
import type { DeskEvent } from '../../../bots/desk/deskBackend';
import { toDeskCaseView } from '../../../bots/desk/deskViews';
import { MemoryHandoffStore } from '../../../middleware/handoff/memoryHandoffStore';
import { HandoffService } from '../../../middleware/handoff/handoffService';
import { RecordingMessenger, queuedCase } from '../../middleware/handoff/handoffTestKit';

const base = (): HandoffCase => ({
  ...transition(
    draftCase({
      conversation: { key: 'webchat/c1', channel: 'webchat', reference: {} },
      customer: { id: 'u1', channel: 'webchat' },
      reason: 'fraud',
      priority: 'high',
      trigger: { intents: [], emotions: [], explanation: '' },
      language: 'en',
    }),
    'queued',
    { by: 'bot' },
  ),
  id: 'C-7K3P',
  version: 1,
});
const ana = { id: 'ana', name: 'Ana', channel: 'console' };
const teams = { id: '29:x', name: 'Tom', channel: 'msteams' };
const at = new Date().toISOString();

describe('toDeskEvents (handoff events -> console events)', () => {
  it('refreshes the queue on queue changes and tells who accepted', () => {
    expect(toDeskEvents({ type: 'queued', case: base() })).to.deep.equal([{ type: 'queue' }, { type: 'case', caseId: 'C-7K3P', state: 'queued' }]);
    const assigned = { ...base(), state: 'assigned' as const, agent: ana };
    expect(toDeskEvents({ type: 'assigned', case: assigned })).to.deep.equal([
      { type: 'queue' },
      { type: 'case', caseId: 'C-7K3P', state: 'assigned', agent: ana },
    ]);
  });

  it('relays customer messages live only for cases a console agent holds, and echoes console agents only', () => {
    const mine = { ...base(), state: 'assigned' as const, agent: ana };
    expect(toDeskEvents({ type: 'customer_message', case: mine, text: 'hi', at })).to.deep.equal([
      { type: 'message', caseId: 'C-7K3P', agentId: 'ana', from: 'customer', text: 'hi', at },
    ]);
    const onTeams = { ...base(), state: 'assigned' as const, agent: teams };
    expect(toDeskEvents({ type: 'customer_message', case: onTeams, text: 'hi', at })).to.deep.equal([{ type: 'case', caseId: 'C-7K3P', state: 'assigned' }]);
    expect(toDeskEvents({ type: 'customer_message', case: base(), text: 'hi', at })).to.deep.equal([{ type: 'case', caseId: 'C-7K3P', state: 'queued' }]);
    expect(toDeskEvents({ type: 'agent_message', case: mine, agent: ana, text: 'yo', at })[0]).to.include({ from: 'agent', agentId: 'ana' });
    expect(toDeskEvents({ type: 'agent_message', case: onTeams, agent: teams, text: 'yo', at })).to.deep.equal([]);
  });
});

describe('caseEventToDesk (store case events -> console events)', () => {
  it('maps state changes, console live lines and lines of cases held elsewhere', () => {
    expect(caseEventToDesk({ kind: 'state', caseId: 'C-7K3P', state: 'assigned', agent: ana })).to.deep.equal([
      { type: 'queue' },
      { type: 'case', caseId: 'C-7K3P', state: 'assigned', agent: ana },
    ]);
    expect(caseEventToDesk({ kind: 'state', caseId: 'C-7K3P', state: 'resolved', agent: ana })).to.deep.equal([
      { type: 'case', caseId: 'C-7K3P', state: 'resolved', agent: ana },
    ]);
    expect(caseEventToDesk({ kind: 'message', caseId: 'C-7K3P', from: 'customer', text: 'hi', at, agent: ana })).to.deep.equal([
      { type: 'message', caseId: 'C-7K3P', agentId: 'ana', from: 'customer', text: 'hi', at },
    ]);
    expect(caseEventToDesk({ kind: 'message', caseId: 'C-7K3P', from: 'agent', text: 'yo', at, agent: teams })).to.deep.equal([
      { type: 'case', caseId: 'C-7K3P', state: 'assigned' },
    ]);
  });
});

describe('HandoffDeskBackend live chat (service + memory store)', () => {
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  it('streams each live line once, in order, and keeps the redacted chat on the case for a reload', async () => {
    const store = new MemoryHandoffStore();
    const messenger = new RecordingMessenger();
    const service = new HandoffService({ store, messenger });
    const backend = new HandoffDeskBackend(service);
    service.addConnector(backend.connector);
    const events: DeskEvent[] = [];
    const off = await backend.subscribe((e) => events.push(e));
    try {
      const c = await queuedCase(store, 'webchat/live-1', new Date());
      expect((await backend.accept(c.id, ana)).ok).to.equal(true);
      const assigned = (await store.get(c.id)) as HandoffCase;
      for (let i = 0; i < 5; i++) {
        expect(await service.customerMessage(assigned, `question ${i}`)).to.equal('relayed');
        expect((await backend.send(c.id, ana, `answer ${i}`)).ok).to.equal(true);
      }
      await service.customerMessage(assigned, 'my card is 4111 1111 1111 1111');
      await sleep(20);
      const messages = events.filter((e): e is Extract<DeskEvent, { type: 'message' }> => e.type === 'message');
      expect(messages.map((m) => `${m.from}:${m.text}`)).to.deep.equal([
        ...Array.from({ length: 5 }, (_, i) => [`customer:question ${i}`, `agent:answer ${i}`]).flat(),
        'customer:my card is 4111 1111 1111 1111',
      ]);
      expect(messages.every((m) => m.agentId === 'ana' && m.caseId === c.id)).to.equal(true);
      expect(events.filter((e) => e.type === 'case' && e.state === 'assigned')).to.have.length(1);

      const view = toDeskCaseView((await backend.getCase(c.id)) as HandoffCase);
      expect(view.liveChat).to.have.length(11);
      expect(view.liveChat[0]).to.include({ role: 'customer', text: 'question 0' });
      expect(view.liveChat[1]).to.include({ role: 'agent', text: 'answer 0' });
      expect(view.liveChat[10]?.text).to.not.include('4111 1111 1111 1111');
      // Redacted by the service before it is stored, not only in the view.
      const stored = ((await store.get(c.id)) as HandoffCase).liveChat ?? [];
      expect(stored[10]?.text).to.match(/^my card is /).and.not.include('4111 1111 1111 1111');
      expect(messenger.textsTo('webchat/live-1')).to.include('answer 4');
    } finally {
      off();
      await store.dispose();
    }
  });

  it('records the live chat of a Teams agent too, without streaming it to consoles as messages', async () => {
    const store = new MemoryHandoffStore();
    const service = new HandoffService({ store, messenger: new RecordingMessenger(), connectors: [{ name: 'teams', deliverToAgent: async () => true }] });
    const backend = new HandoffDeskBackend(service);
    const events: DeskEvent[] = [];
    const off = await backend.subscribe((e) => events.push(e));
    try {
      const c = await queuedCase(store, 'webchat/live-2', new Date());
      await service.accept(c.id, teams);
      await service.customerMessage((await store.get(c.id)) as HandoffCase, 'hello Tom');
      await service.sendToCustomer(c.id, teams, 'hello there');
      await sleep(20);
      expect(events.some((e) => e.type === 'message')).to.equal(false);
      expect(((await store.get(c.id)) as HandoffCase).liveChat?.map((l) => `${l.role}:${l.text}`)).to.deep.equal(['customer:hello Tom', 'agent:hello there']);
    } finally {
      off();
      await store.dispose();
    }
  });
});
