import { expect } from 'chai';
import type { CasePriority } from '../../../middleware/handoff/handoffCase';
import { HandoffService, type OpenCaseInput } from '../../../middleware/handoff/handoffService';
import { handoffMessages } from '../../../middleware/handoff/handoffMessages';
import { MemoryHandoffStore } from '../../../middleware/handoff/stores/memoryHandoffStore';
import { MemoryReplayCache } from '../../../middleware/shared/replayCache';
import { RecordingMessenger, queuedCase } from './handoffTestKit';
import { silentLogger } from '../../../middleware/shared/logger';

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

function serviceWith(store = new MemoryHandoffStore(), now = () => new Date(), relayLedger?: MemoryReplayCache) {
  const messenger = new RecordingMessenger();
  const warnings: Array<{ event: string; fields?: Record<string, unknown> }> = [];
  const service = new HandoffService({
    store,
    messenger,
    clock: now,
    ...(relayLedger ? { relayLedger } : {}),
    logger: { ...silentLogger, warn: (event, fields) => void warnings.push({ event, ...(fields ? { fields } : {}) }) },
  });
  return { store, messenger, service, warnings };
}

describe('HandoffService: queue position updates', () => {
  it('a high-priority case that jumps the queue tells the customers pushed back their new position', async () => {
    const s = serviceWith();
    await s.store.setPresence({ id: 'a', channel: 'msteams' }, 'online', 60_000);
    await s.service.customers.openCase(input('test/n1', 'normal'));
    await s.service.customers.openCase(input('test/n2', 'normal'));
    await s.service.idle();
    expect(s.messenger.sent).to.deep.equal([]);
    const high = await s.service.customers.openCase(input('test/h', 'high'));
    expect(high.position).to.equal(1);
    await s.service.idle();
    expect(s.messenger.textsTo('test/n1')).to.deep.equal(["You're now number 2 in the queue."]);
    expect(s.messenger.textsTo('test/n2')).to.deep.equal(["You're now number 3 in the queue."]);
    expect(s.messenger.textsTo('test/h')).to.deep.equal([]);
  });

  it('a case added at the end of the queue sends no update', async () => {
    const s = serviceWith();
    await s.store.setPresence({ id: 'a', channel: 'msteams' }, 'online', 60_000);
    await s.service.customers.openCase(input('test/n1', 'high'));
    await s.service.customers.openCase(input('test/n2', 'normal'));
    await s.service.idle();
    expect(s.messenger.sent).to.deep.equal([]);
  });

  it('sweep: a customer who cannot be reached is logged (no text) and the others are still told', async () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const s = serviceWith(new MemoryHandoffStore(), () => now);
    const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
    const dead = await queuedCase(s.store, 'test/dead', minutesAgo(30));
    const old = await queuedCase(s.store, 'test/old', minutesAgo(20));
    const fresh = await queuedCase(s.store, 'test/fresh', minutesAgo(1));
    // Each was told its position when it was queued.
    for (const c of [dead, old, fresh]) await s.service.queue.tellPosition(c.id);
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
  const opened = await s.service.customers.openCase(input('test/cust', 'normal'));
  const accepted = await s.service.agents.accept(opened.case.id, AGENT, { key: 'msteams/agent', channel: 'msteams', reference: {} });
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
    expect(await s.service.customers.receive(c1, 'huge message')).to.equal('relayed');
    const c2 = (await s.store.get(caseId))!;
    expect(await s.service.customers.receive(c2, 'hello, are you there?')).to.equal('relayed');
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
    expect(await s.service.customers.receive((await s.store.get(caseId))!, long)).to.equal('relayed');
    expect(delivered[0].length).to.be.below(4100);
    expect(delivered[0]).to.match(/message shortened/);
    const line = (await s.store.get(caseId, { liveChat: true }))!.liveChat!.at(-1)!;
    expect(line.text.length).to.be.at.most(4001);
  });
});

describe('HandoffService: a message the input guard shortened', () => {
  it('is relayed with a note telling the agent it was shortened', async () => {
    const { s, caseId } = await assignedCase();
    const delivered = recordingConnector(s);
    await s.service.customers.receive((await s.store.get(caseId))!, 'the first part of a long story', 'act-1', { shortened: true });
    expect(delivered).to.deep.equal(['the first part of a long story… (message shortened: ask the customer for the rest if you need it)']);
  });
});

describe('HandoffService: a customer message racing the close', () => {
  it('is not relayed to the former agent once the case is closed; the caller hands it to the bot', async () => {
    const { s, caseId } = await assignedCase();
    const delivered = recordingConnector(s);
    // The customer's turn read the case while it was still assigned...
    const seenAssigned = (await s.store.get(caseId))!;
    // ...and the agent closed it before the relay ran.
    expect((await s.service.agents.close(caseId, AGENT, 'done')).ok).to.equal(true);
    expect(await s.service.customers.receive(seenAssigned, 'one more thing')).to.equal('closed');
    expect(delivered).to.deep.equal([]);
    expect((await s.store.get(caseId, { liveChat: true }))!.liveChat ?? []).to.deep.equal([]);
  });
});

const CARD = '4242 4242 4242 4242';
const EMAIL = 'sam.customer@example.com';
const PHONE = '+33 6 12 34 56 78';
const PII = [CARD, '4242424242424242', EMAIL, PHONE];

describe('HandoffService: what a customer or an agent wrote is stored redacted, once', () => {
  it('waiting messages, evidence words, the customer name and the close note are redacted before they are stored', async () => {
    const s = serviceWith();
    await s.store.setPresence(AGENT, 'online', 60_000);
    const opened = await s.service.customers.openCase({
      ...input('test/pii', 'high'),
      customer: { id: 'u1', channel: 'test', name: `Sam ${EMAIL}` },
      intents: [{ name: 'fraud', confidence: 1, evidence: [{ rule: 'r', matched: [`payments on ${CARD}`] }] }],
    });
    const events: string[] = [];
    s.service.subscribe((e) => {
      if (e.type === 'customer_message' || e.type === 'agent_message') events.push(e.text);
    });
    expect(await s.service.customers.receive(opened.case, `my card ${CARD}, mail ${EMAIL}, call ${PHONE}`, 'act-1')).to.equal('kept');
    await s.service.agents.accept(opened.case.id, AGENT, { key: 'msteams/agent', channel: 'msteams', reference: {} });
    recordingConnector(s);
    expect(await s.service.customers.receive((await s.store.get(opened.case.id))!, `again ${CARD}`, 'act-2')).to.equal('relayed');
    expect((await s.service.agents.sendToCustomer(opened.case.id, AGENT, `we wrote to ${EMAIL}`, 'm-1')).ok).to.equal(true);
    expect((await s.service.agents.close(opened.case.id, AGENT, `internal: card ${CARD} blocked, called ${PHONE}`)).ok).to.equal(true);
    const stored = JSON.stringify(await s.store.get(opened.case.id, { liveChat: true }));
    for (const pii of PII) expect(stored, pii).to.not.include(pii);
    expect(stored).to.include('[card •••• 4242]').and.include('[email]').and.include('[phone]');
    for (const pii of PII) expect(events.join('\n'), pii).to.not.include(pii);
  });

  it('the agent reads card numbers masked live, and e-mail and phone as written; the customer never reads the note', async () => {
    const { s, caseId } = await assignedCase();
    const delivered = recordingConnector(s);
    await s.service.customers.receive((await s.store.get(caseId))!, `card ${CARD}, reach me at ${EMAIL} or ${PHONE}`);
    expect(delivered).to.deep.equal([`card [card •••• 4242], reach me at ${EMAIL} or ${PHONE}`]);
    await s.service.agents.close(caseId, AGENT, 'internal: suspected account takeover');
    expect(s.messenger.textsTo('test/cust').join('\n')).to.not.include('takeover');
  });
});

describe('HandoffService: a retried activity is relayed once', () => {
  it('customer to agent: the same activity id relayed again (sequentially or at once) reaches the agent once', async () => {
    const { s, caseId } = await assignedCase();
    const delivered = recordingConnector(s);
    const c = (await s.store.get(caseId))!;
    expect(await s.service.customers.receive(c, 'hello', 'act-1')).to.equal('relayed');
    expect(await s.service.customers.receive(c, 'hello', 'act-1')).to.equal('relayed');
    const together = await Promise.allSettled([s.service.customers.receive(c, 'next', 'act-2'), s.service.customers.receive(c, 'next', 'act-2')]);
    expect(delivered).to.deep.equal(['hello', 'next']);
    // The second copy either saw it done (in this process the lane runs them one after the other) or was told to retry.
    for (const r of together) if (r.status === 'rejected') expect((r.reason as Error).name).to.equal('RetryLaterError');
    expect((await s.store.get(caseId, { liveChat: true }))!.liveChat!.map((l) => l.text)).to.deep.equal(['hello', 'next']);
  });

  it('agent to customer: the same message id is sent once; without an id every call sends', async () => {
    const { s, caseId } = await assignedCase();
    for (let i = 0; i < 3; i++) expect((await s.service.agents.sendToCustomer(caseId, AGENT, 'on it', 'console-1')).ok).to.equal(true);
    await s.service.agents.sendToCustomer(caseId, AGENT, 'twice');
    await s.service.agents.sendToCustomer(caseId, AGENT, 'twice');
    expect(s.messenger.textsTo('test/cust').filter((t) => t === 'on it')).to.have.length(1);
    expect(s.messenger.textsTo('test/cust').filter((t) => t === 'twice')).to.have.length(2);
  });

  it('a message the customer channel refuses is not marked sent: the agent can send it again with the same id', async () => {
    const { s, caseId } = await assignedCase();
    s.messenger.failFor.add('test/cust');
    let error: unknown;
    try {
      await s.service.agents.sendToCustomer(caseId, AGENT, 'hello', 'm-1');
    } catch (err) {
      error = err;
    }
    expect((error as Error)?.name).to.equal('CustomerUnreachableError');
    s.messenger.failFor.delete('test/cust');
    expect((await s.service.agents.sendToCustomer(caseId, AGENT, 'hello', 'm-1')).ok).to.equal(true);
    expect(s.messenger.textsTo('test/cust').filter((t) => t === 'hello')).to.have.length(1);
  });

  it('a failure after the customer channel took the message is logged, not reported: the message counts as sent, once', async () => {
    const { s, caseId } = await assignedCase();
    s.messenger.failAfterSendFor.add('test/cust');
    expect((await s.service.agents.sendToCustomer(caseId, AGENT, 'hello', 'm-1')).ok).to.equal(true);
    s.messenger.failAfterSendFor.delete('test/cust');
    expect((await s.service.agents.sendToCustomer(caseId, AGENT, 'hello', 'm-1')).ok).to.equal(true);
    expect(s.messenger.textsTo('test/cust').filter((t) => t === 'hello')).to.have.length(1);
    expect(s.warnings.find((w) => w.event === 'handoff.after_send_failed')?.fields).to.deep.include({ caseId });
    expect((await s.store.get(caseId, { liveChat: true }))!.liveChat!.map((l) => l.text)).to.deep.equal(['hello']);
  });

  it('relays the agent\'s words as the agent\'s (transcript role), and the bot\'s notices as the bot\'s', async () => {
    const { s, caseId } = await assignedCase();
    await s.service.agents.sendToCustomer(caseId, AGENT, 'on it');
    const roles = s.messenger.messages.filter((m) => m.key === 'test/cust').map((m) => [m.message.text, m.message.role]);
    expect(roles).to.deep.equal([
      [handoffMessages('en').agentJoined(undefined), 'bot'],
      ['on it', 'agent'],
    ]);
  });

  it('a relay that another instance holds is answered "retry later", not dropped', async () => {
    const ledger = new MemoryReplayCache();
    const s = serviceWith(new MemoryHandoffStore(), undefined, ledger);
    await s.store.setPresence(AGENT, 'online', 60_000);
    const opened = await s.service.customers.openCase(input('test/cust', 'normal'));
    await s.service.agents.accept(opened.case.id, AGENT, { key: 'msteams/agent', channel: 'msteams', reference: {} });
    const delivered = recordingConnector(s);
    // Another instance claimed this relay and has not finished it.
    await ledger.begin(`relay:to-agent:${opened.case.id}:act-9`, 15_000);
    let error: unknown;
    try {
      await s.service.customers.receive((await s.store.get(opened.case.id))!, 'hi', 'act-9');
    } catch (err) {
      error = err;
    }
    expect((error as Error)?.name).to.equal('RetryLaterError');
    expect(delivered).to.deep.equal([]);
  });
});

describe('HandoffService: a queue that scales', () => {
  it('300 concurrent escalations: nobody is told a position twice or a position that did not change', async () => {
    const s = serviceWith();
    await s.store.setPresence(AGENT, 'online', 60_000);
    const opened = await Promise.all(Array.from({ length: 300 }, (_, i) => s.service.customers.openCase(input(`test/c${i}`, i % 7 === 0 ? 'high' : 'normal'))));
    await s.service.idle();
    const told = new Map<string, number[]>();
    for (const o of opened) if (o.position) told.set(o.case.conversation.key, [o.position]);
    for (const m of s.messenger.sent) {
      const position = Number(/number (\d+)/.exec(m.text ?? '')?.[1] ?? (/next/.test(m.text ?? '') ? 1 : NaN));
      told.get(m.key)?.push(position);
    }
    for (const [key, positions] of told) {
      for (let i = 1; i < positions.length; i++) expect(positions[i], `${key} told ${positions.join(', ')}`).to.not.equal(positions[i - 1]);
    }
    // What each customer heard last is where they are.
    for (const o of opened) {
      const heard = told.get(o.case.conversation.key) ?? [];
      expect(heard.at(-1)).to.equal(await s.store.queuePosition(o.case.id));
    }
  });

  it('lists claimable cases from the indexes: a case timed out behind a long queue is still offered', async () => {
    const s = serviceWith();
    await s.store.setPresence(AGENT, 'online', 60_000);
    for (let i = 0; i < 250; i++) await queuedCase(s.store, `test/q${i}`, new Date());
    const late = await queuedCase(s.store, 'test/late', new Date());
    await s.store.transition(late.id, 'timed_out', 'system');
    const claimable = await s.service.agents.listClaimable(300);
    expect(claimable).to.have.length(251);
    expect(claimable.at(-1)?.id).to.equal(late.id);
    expect((await s.service.agents.listClaimable(10)).map((c) => c.state)).to.deep.equal(Array(10).fill('queued'));
  });
});

describe('HandoffService: closing a case', () => {
  it('tells the customer they are back with the bot, then asks for a 1–5 rating (by default), recorded on the case', async () => {
    const { s, caseId } = await assignedCase();
    expect((await s.service.agents.close(caseId, AGENT)).ok).to.equal(true);
    const m = handoffMessages('en');
    expect(s.messenger.textsTo('test/cust').slice(-2)).to.deep.equal([m.closed(undefined), m.rateQuestion]);
    expect((await s.store.get(caseId))?.ratingRequested).to.equal(true);
    expect((await s.service.customers.awaitingRating(caseId))?.id).to.equal(caseId);
  });

  it('asks nothing with ratingQuestion: false', async () => {
    const store = new MemoryHandoffStore();
    const messenger = new RecordingMessenger();
    const service = new HandoffService({ store, messenger, ratingQuestion: false });
    const c = await queuedCase(store, 'test/norate', new Date());
    await service.agents.accept(c.id, AGENT);
    await service.agents.close(c.id, AGENT);
    expect(messenger.textsTo('test/norate').at(-1)).to.equal(handoffMessages('en').closed(undefined));
    expect(messenger.textsTo('test/norate')).to.not.include(handoffMessages('en').rateQuestion);
    expect(await service.customers.awaitingRating(c.id)).to.equal(undefined);
  });
});
