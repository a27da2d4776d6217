import { expect } from 'chai';
import type { CasePriority } from '../../../middleware/handoff/handoffCase';
import { HandoffService, type OpenCaseInput } from '../../../middleware/handoff/handoffService';
import { MemoryHandoffStore } from '../../../middleware/handoff/memoryHandoffStore';
import { RecordingMessenger, queuedCase } from './handoffTestKit';

const input = (key: string, priority: CasePriority): OpenCaseInput => ({
  conversation: { key, channel: 'test', reference: {} },
  customer: { id: key, channel: 'test' },
  reason: priority === 'high' ? 'fraud' : 'human_request',
  priority,
  explanation: 't',
  intents: [],
  emotions: [],
  language: 'en',
  transcript: [],
  collected: {},
});

function serviceWith(store = new MemoryHandoffStore(), now = () => new Date()) {
  const messenger = new RecordingMessenger();
  const warnings: Array<{ event: string; fields?: Record<string, unknown> }> = [];
  const service = new HandoffService({ store, messenger, clock: now, logger: { warn: (event, fields) => void warnings.push({ event, ...(fields ? { fields } : {}) }) } });
  return { store, messenger, service, warnings };
}

describe('HandoffService: queue position updates', () => {
  it('a high-priority case that jumps the queue tells the customers pushed back their new position', async () => {
    const s = serviceWith();
    await s.store.setPresence({ id: 'a', channel: 'msteams' }, 'online', 60_000);
    await s.service.openCase(input('test/n1', 'normal'));
    await s.service.openCase(input('test/n2', 'normal'));
    await s.service.idle();
    expect(s.messenger.sent).to.deep.equal([]);
    const high = await s.service.openCase(input('test/h', 'high'));
    expect(high.position).to.equal(1);
    await s.service.idle();
    expect(s.messenger.textsTo('test/n1')).to.deep.equal(["You're now number 2 in the queue."]);
    expect(s.messenger.textsTo('test/n2')).to.deep.equal(["You're now number 3 in the queue."]);
    expect(s.messenger.textsTo('test/h')).to.deep.equal([]);
  });

  it('a case added at the end of the queue sends no update', async () => {
    const s = serviceWith();
    await s.store.setPresence({ id: 'a', channel: 'msteams' }, 'online', 60_000);
    await s.service.openCase(input('test/n1', 'high'));
    await s.service.openCase(input('test/n2', 'normal'));
    await s.service.idle();
    expect(s.messenger.sent).to.deep.equal([]);
  });

  it('sweep: a customer who cannot be reached is logged (no text) and the others are still told', async () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const s = serviceWith(new MemoryHandoffStore(), () => now);
    const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
    const dead = await queuedCase(s.store, 'test/dead', minutesAgo(30));
    const old = await queuedCase(s.store, 'test/old', minutesAgo(20));
    await queuedCase(s.store, 'test/fresh', minutesAgo(1));
    s.messenger.failFor.add('test/dead');
    expect(await s.service.sweep()).to.deep.equal([dead.id, old.id]);
    await s.service.idle();
    expect(s.messenger.textsTo('test/old')).to.have.length(1);
    expect(s.messenger.textsTo('test/fresh')).to.deep.equal(["You're next in the queue."]);
    const warning = s.warnings.find((w) => w.event === 'handoff.timeout_notice_failed');
    expect(warning?.fields).to.deep.include({ caseId: dead.id });
  });
});

const AGENT = { id: 'a', channel: 'msteams' };

/** A service with one case assigned to AGENT, and a connector recording what reaches the agent. */
async function assignedCase() {
  const s = serviceWith();
  await s.store.setPresence(AGENT, 'online', 60_000);
  const opened = await s.service.openCase(input('test/cust', 'normal'));
  const accepted = await s.service.accept(opened.case.id, AGENT, { key: 'msteams/agent', channel: 'msteams', reference: {} });
  expect(accepted.ok).to.equal(true);
  return { s, caseId: opened.case.id };
}

function recordingConnector(s: ReturnType<typeof serviceWith>, refuse?: (text: string) => boolean): string[] {
  const delivered: string[] = [];
  s.service.addConnector({
    name: 'recording',
    deliverToAgent: async (_c, m) => {
      if (refuse?.(m.text)) throw Object.assign(new Error('Request Entity Too Large'), { statusCode: 413 });
      delivered.push(m.text);
      return true;
    },
  });
  return delivered;
}

describe('HandoffService: relaying to the agent', () => {
  it('a message the agent channel refuses for good (413) is skipped, not retried forever, and later ones still arrive', async () => {
    const { s, caseId } = await assignedCase();
    const delivered = recordingConnector(s, (text) => text.startsWith('huge'));
    const c1 = (await s.store.get(caseId))!;
    expect(await s.service.customerMessage(c1, 'huge message')).to.equal('relayed');
    const c2 = (await s.store.get(caseId))!;
    expect(await s.service.customerMessage(c2, 'hello, are you there?')).to.equal('relayed');
    expect(delivered).to.deep.equal(['hello, are you there?']);
    const after = (await s.store.get(caseId, { liveChat: true }))!;
    expect(after.state).to.equal('assigned');
    expect(after.relayFailures ?? 0).to.equal(0);
    expect((after.liveChat ?? []).map((l) => l.text)).to.deep.equal(['huge message', 'hello, are you there?']);
    expect(s.warnings.some((w) => w.event === 'handoff.relay_message_refused')).to.equal(true);
  });

  it('a very long customer message is shortened for the agent and kept bounded on the case', async () => {
    const { s, caseId } = await assignedCase();
    const delivered = recordingConnector(s);
    const long = 'word '.repeat(3000);
    expect(await s.service.customerMessage((await s.store.get(caseId))!, long)).to.equal('relayed');
    expect(delivered[0].length).to.be.below(4100);
    expect(delivered[0]).to.match(/message shortened/);
    const line = (await s.store.get(caseId, { liveChat: true }))!.liveChat!.at(-1)!;
    expect(line.text.length).to.be.at.most(4001);
  });
});

describe('HandoffService: a customer message racing the close', () => {
  it('is not relayed to the former agent once the case is closed; the caller hands it to the bot', async () => {
    const { s, caseId } = await assignedCase();
    const delivered = recordingConnector(s);
    // The customer's turn read the case while it was still assigned...
    const seenAssigned = (await s.store.get(caseId))!;
    // ...and the agent closed it before the relay ran.
    expect((await s.service.close(caseId, AGENT, 'done')).ok).to.equal(true);
    expect(await s.service.customerMessage(seenAssigned, 'one more thing')).to.equal('closed');
    expect(delivered).to.deep.equal([]);
    expect((await s.store.get(caseId, { liveChat: true }))!.liveChat ?? []).to.deep.equal([]);
  });
});
