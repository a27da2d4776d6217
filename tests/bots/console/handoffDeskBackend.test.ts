import { expect } from 'chai';
import type { HandoffCase } from '../../../middleware/handoff/handoffCase';
import { HandoffDeskBackend, caseEventToDesk } from '../../../bots/console/handoffDeskBackend';
import type { DeskEvent } from '../../../bots/console/deskBackend';
import { toDeskCaseView } from '../../../bots/console/deskViews';
import { MemoryHandoffStore } from '../../../middleware/handoff/stores/memoryHandoffStore';
import { HandoffService } from '../../../middleware/handoff/handoffService';
import { RecordingMessenger, queuedCase } from '../../middleware/handoff/handoffTestKit';
import { DeskClient, startDeskServer } from './deskTestServer';
import { SseClient } from './sseClient';
import { handoffMessages } from '../../../middleware/handoff/handoffMessages';

const ana = { id: 'ana', name: 'Ana', channel: 'console' };
const teams = { id: '29:x', name: 'Tom', channel: 'msteams' };
const at = new Date().toISOString();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('caseEventToDesk (store case events -> console events)', () => {
  it('maps state changes (queue refresh) and console live lines (to the holder)', () => {
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
  });

  it('tells viewers of a case to reload it for lines consoles do not stream, without refreshing the queue', () => {
    expect(caseEventToDesk({ kind: 'message', caseId: 'C-7K3P', from: 'agent', text: 'yo', at, agent: teams })).to.deep.equal([
      { type: 'lines', caseId: 'C-7K3P' },
    ]);
    expect(caseEventToDesk({ kind: 'message', caseId: 'C-7K3P', from: 'customer', text: 'hi', at })).to.deep.equal([{ type: 'lines', caseId: 'C-7K3P' }]);
    expect(caseEventToDesk({ kind: 'queued_message', caseId: 'C-7K3P', at, count: 2 })).to.deep.equal([{ type: 'lines', caseId: 'C-7K3P' }]);
  });
});

describe('HandoffDeskBackend live chat (service + memory store)', () => {
  it('streams each live line once, in order (card numbers masked live, e-mail and phone shown to the agent), and keeps the redacted chat on the case', async () => {
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
        expect(await service.customers.receive(assigned, `question ${i}`)).to.equal('relayed');
        expect((await backend.send(c.id, ana, `answer ${i}`)).ok).to.equal(true);
      }
      await service.customers.receive(assigned, 'my card is 4111 1111 1111 1111, mail sam@example.com or call +33 6 12 34 56 78');
      await sleep(20);
      const messages = events.filter((e): e is Extract<DeskEvent, { type: 'message' }> => e.type === 'message');
      expect(messages.map((m) => `${m.from}:${m.text}`)).to.deep.equal([
        ...Array.from({ length: 5 }, (_, i) => [`customer:question ${i}`, `agent:answer ${i}`]).flat(),
        // PCI DSS: no full card number on an agent's screen, live or not; the assigned agent sees how to reach them.
        'customer:my card is [card •••• 1111], mail sam@example.com or call +33 6 12 34 56 78',
      ]);
      expect(messages.every((m) => m.agentId === 'ana' && m.caseId === c.id)).to.equal(true);
      expect(events.filter((e) => e.type === 'case' && e.state === 'assigned')).to.have.length(1);

      const view = toDeskCaseView((await backend.getCase(c.id)) as HandoffCase);
      expect(view.liveChat).to.have.length(11);
      expect(view.liveChat[0]).to.include({ role: 'customer', text: 'question 0' });
      expect(view.liveChat[1]).to.include({ role: 'agent', text: 'answer 0' });
      // Redacted by the service before it is stored: the view shows the stored line as it is.
      const stored = ((await store.get(c.id, { liveChat: true })) as HandoffCase).liveChat ?? [];
      expect(stored[10]?.text).to.equal('my card is [card •••• 1111], mail [email] or call [phone]');
      expect(view.liveChat[10]?.text).to.equal(stored[10]?.text);
      expect(messenger.textsTo('webchat/live-1')).to.include('answer 4');
    } finally {
      off();
      await store.dispose();
    }
  });

  it('a console close keeps the note on the case (redacted) and never sends it to the customer; a resent message goes once', async () => {
    const store = new MemoryHandoffStore();
    const messenger = new RecordingMessenger();
    const service = new HandoffService({ store, messenger });
    const backend = new HandoffDeskBackend(service);
    service.addConnector(backend.connector);
    const c = await queuedCase(store, 'webchat/close-1', new Date());
    expect((await backend.accept(c.id, ana)).ok).to.equal(true);
    for (let i = 0; i < 3; i++) expect((await backend.send(c.id, ana, 'I have blocked the card', 'ana:msg-0001')).ok).to.equal(true);
    expect((await backend.close(c.id, ana, 'internal: fraud confirmed, card 4111 1111 1111 1111 blocked')).ok).to.equal(true);
    const toCustomer = messenger.textsTo('webchat/close-1');
    expect(toCustomer.filter((t) => t === 'I have blocked the card')).to.have.length(1);
    expect(toCustomer.join('\n')).to.not.match(/fraud confirmed|internal|4111/);
    expect(toCustomer.at(-2)).to.match(/has closed this conversation\. Thank you for your patience\./);
    expect(toCustomer.at(-1)).to.equal(handoffMessages('en').rateQuestion);
    const closed = (await store.get(c.id)) as HandoffCase;
    expect(closed.agentNotes.map((n) => n.text)).to.deep.equal(['internal: fraud confirmed, card [card •••• 1111] blocked']);
    await store.dispose();
  });

  it('records the live chat of a Teams agent too, without streaming it to consoles as messages', async () => {
    const store = new MemoryHandoffStore();
    const service = new HandoffService({ store, messenger: new RecordingMessenger(), connectors: [{ name: 'teams', deliverToAgent: async () => true }] });
    const backend = new HandoffDeskBackend(service);
    const events: DeskEvent[] = [];
    const off = await backend.subscribe((e) => events.push(e));
    try {
      const c = await queuedCase(store, 'webchat/live-2', new Date());
      await service.agents.accept(c.id, teams);
      await service.customers.receive((await store.get(c.id)) as HandoffCase, 'hello Tom');
      await service.agents.sendToCustomer(c.id, teams, 'hello there');
      await sleep(20);
      expect(events.some((e) => e.type === 'message')).to.equal(false);
      expect(((await store.get(c.id, { liveChat: true })) as HandoffCase).liveChat?.map((l) => `${l.role}:${l.text}`)).to.deep.equal([
        'customer:hello Tom',
        'agent:hello there',
      ]);
    } finally {
      off();
      await store.dispose();
    }
  });

  it('reads the live chat for the case view only', async () => {
    const store = new MemoryHandoffStore();
    const service = new HandoffService({ store, messenger: new RecordingMessenger(), connectors: [{ name: 'teams', deliverToAgent: async () => true }] });
    const backend = new HandoffDeskBackend(service);
    try {
      const c = await queuedCase(store, 'webchat/live-3', new Date());
      await service.agents.accept(c.id, teams);
      await service.customers.receive((await store.get(c.id)) as HandoffCase, 'hello Tom');
      expect((await store.get(c.id))?.liveChat).to.equal(undefined);
      expect((await backend.getCase(c.id))?.liveChat?.map((l) => l.text)).to.deep.equal(['hello Tom']);
      expect((await backend.listAssigned(teams))[0]?.liveChat).to.equal(undefined);
    } finally {
      await store.dispose();
    }
  });

  it('tells consoles about a message written while the case waits (from the store), without refreshing the queue', async () => {
    const store = new MemoryHandoffStore();
    const service = new HandoffService({ store, messenger: new RecordingMessenger() });
    const backend = new HandoffDeskBackend(service);
    const events: DeskEvent[] = [];
    const off = await backend.subscribe((e) => events.push(e));
    try {
      const c = await queuedCase(store, 'webchat/wait-1', new Date());
      await sleep(20);
      events.length = 0;
      expect(await service.customers.receive(c, 'are you there?')).to.equal('kept');
      // Written straight to the store (as another instance's service would): consoles hear it too.
      await store.appendCustomerMessage(c.id, { text: 'hello?', at: new Date().toISOString() });
      await sleep(20);
      expect(events).to.deep.equal([
        { type: 'lines', caseId: c.id },
        { type: 'lines', caseId: c.id },
      ]);
      expect(toDeskCaseView((await backend.getCase(c.id)) as HandoffCase).waitingMessages.map((m) => m.text)).to.deep.equal(['are you there?', 'hello?']);
    } finally {
      off();
      await store.dispose();
    }
  });
});

describe('console event stream over HandoffDeskBackend (real HTTP, memory store)', () => {
  const teamsHub = { name: 'teams', deliverToAgent: async (c: HandoffCase) => c.agent?.channel === 'msteams' };

  it('sends one case reload per live line of a Teams case and per waiting message, and no queue refresh for them', async () => {
    const store = new MemoryHandoffStore();
    const service = new HandoffService({ store, messenger: new RecordingMessenger(), connectors: [teamsHub] });
    const backend = new HandoffDeskBackend(service);
    service.addConnector(backend.connector);
    const t = await startDeskServer({ backend });
    const ana = new DeskClient(t.base);
    expect((await ana.login('ana')).status).to.equal(200);
    const events = await SseClient.open(`${t.base}/desk/api/events`, ana.headers());
    try {
      await events.waitFor((e) => e.event === 'ready');
      const onTeams = await queuedCase(store, 'webchat/sse-teams', new Date());
      const waiting = await queuedCase(store, 'webchat/sse-waiting', new Date());
      expect((await service.agents.accept(onTeams.id, teams)).ok).to.equal(true);
      await events.waitFor((e) => e.event === 'case' && e.data.caseId === onTeams.id && e.data.state === 'assigned');
      await sleep(50);
      const refreshes = () => events.events.filter((e) => e.event === 'queue' || e.event === 'case').length;
      const before = refreshes();

      const assigned = (await store.get(onTeams.id)) as HandoffCase;
      const n = 10;
      for (let i = 0; i < n; i++) {
        expect(await service.customers.receive(assigned, `question ${i}`)).to.equal('relayed');
        expect((await service.agents.sendToCustomer(onTeams.id, teams, `answer ${i}`)).ok).to.equal(true);
      }
      expect(await service.customers.receive(waiting, 'still waiting, my card is 4111 1111 1111 1111')).to.equal('kept');
      const lines = (caseId: string) => events.events.filter((e) => e.event === 'lines' && e.data.caseId === caseId);
      await events.waitFor(() => lines(onTeams.id).length === 2 * n && lines(waiting.id).length === 1);
      await sleep(100); // anything more would have arrived by now

      expect(refreshes() - before, 'queue or case events for lines').to.equal(0);
      expect(lines(onTeams.id)).to.have.length(2 * n);
      expect(lines(waiting.id)).to.have.length(1);
      // The stream names the case only: no customer text goes to every console.
      expect(events.events.filter((e) => e.event === 'lines').every((e) => Object.keys(e.data).sort().join() === 'caseId,type')).to.equal(true);
      expect(events.events.some((e) => e.event === 'message')).to.equal(false);
      // A console showing the waiting case reloads it and sees the message (redacted).
      const view = (await (await ana.get(`/desk/api/cases/${waiting.id}`)).json()) as { case: { waitingMessages: Array<{ text: string }> } };
      expect(view.case.waitingMessages.map((m) => m.text)).to.have.length(1);
      expect(view.case.waitingMessages[0]?.text).to.match(/^still waiting, my card is /).and.not.include('4111 1111 1111 1111');
    } finally {
      events.close();
      await t.close();
      await store.dispose();
    }
  });
});
