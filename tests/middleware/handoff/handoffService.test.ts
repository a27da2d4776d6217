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
