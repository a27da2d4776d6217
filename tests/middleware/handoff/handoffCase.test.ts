import { expect } from 'chai';
import {
  CASE_ID_PATTERN,
  IllegalTransitionError,
  canTransition,
  draftCase,
  isOpen,
  newCaseId,
  transition,
  type CaseState,
} from '../../../middleware/handoff/handoffCase';

const draft = () =>
  draftCase(
    {
      conversation: { key: 'webchat/c1', channel: 'webchat', reference: { conversation: { id: 'c1' } } },
      customer: { id: 'u1', name: 'Ann', channel: 'webchat' },
      reason: 'fraud',
      priority: 'high',
      trigger: { intents: [], emotions: [], explanation: 'intent fraud' },
      language: 'fr',
    },
    new Date('2026-03-02T09:00:00Z'),
  );

describe('handoffCase', function () {
  it('makes short readable ids', function () {
    const ids = new Set(Array.from({ length: 200 }, () => newCaseId()));
    for (const id of ids) expect(id).to.match(CASE_ID_PATTERN).and.have.length(6);
    expect(ids.size).to.be.greaterThan(190);
    expect(newCaseId(4, () => 0)).to.equal('C-2222');
    expect(newCaseId(6)).to.have.length(8);
    expect(CASE_ID_PATTERN.test('C-0O1I')).to.equal(false);
  });

  it('drafts a case in state bot with empty history', function () {
    const d = draft();
    expect(d.state).to.equal('bot');
    expect(d.history).to.deep.equal([]);
    expect(d.timestamps).to.deep.equal({ created: '2026-03-02T09:00:00.000Z', updated: '2026-03-02T09:00:00.000Z' });
    expect(d.summary).to.equal('');
    expect(d.queuedMessages).to.deep.equal([]);
  });

  const legal: Array<[CaseState, CaseState]> = [
    ['bot', 'queued'],
    ['bot', 'callback_requested'],
    ['queued', 'assigned'],
    ['queued', 'abandoned'],
    ['queued', 'timed_out'],
    ['queued', 'callback_requested'],
    ['assigned', 'resolved'],
    ['assigned', 'queued'],
    ['timed_out', 'callback_requested'],
    ['timed_out', 'assigned'],
    ['callback_requested', 'assigned'],
    ['callback_requested', 'resolved'],
  ];
  const illegal: Array<[CaseState, CaseState]> = [
    ['bot', 'assigned'],
    ['bot', 'resolved'],
    ['queued', 'resolved'],
    ['queued', 'queued'],
    ['resolved', 'queued'],
    ['abandoned', 'queued'],
    ['resolved', 'assigned'],
    ['callback_requested', 'queued'],
  ];
  for (const [from, to] of legal) it(`allows ${from} -> ${to}`, () => expect(canTransition(from, to)).to.equal(true));
  for (const [from, to] of illegal) it(`forbids ${from} -> ${to}`, () => expect(canTransition(from, to)).to.equal(false));

  it('records history and timestamps on each transition, without mutating the input', function () {
    const d = draft();
    const q = transition(d, 'queued', { by: 'bot', at: new Date('2026-03-02T09:00:01Z') });
    const a = transition(q, 'assigned', { by: 'agent-7', note: 'on it', at: new Date('2026-03-02T09:02:00Z') });
    const r = transition(a, 'resolved', { by: 'agent-7', at: new Date('2026-03-02T09:10:00Z') });
    expect(d.state).to.equal('bot');
    expect(r.history).to.deep.equal([
      { from: 'bot', to: 'queued', at: '2026-03-02T09:00:01.000Z', by: 'bot' },
      { from: 'queued', to: 'assigned', at: '2026-03-02T09:02:00.000Z', by: 'agent-7', note: 'on it' },
      { from: 'assigned', to: 'resolved', at: '2026-03-02T09:10:00.000Z', by: 'agent-7' },
    ]);
    expect(r.timestamps).to.deep.include({
      queued: '2026-03-02T09:00:01.000Z',
      assigned: '2026-03-02T09:02:00.000Z',
      resolved: '2026-03-02T09:10:00.000Z',
      updated: '2026-03-02T09:10:00.000Z',
    });
    expect(isOpen(a.state)).to.equal(true);
    expect(isOpen(r.state)).to.equal(false);
  });

  it('throws a typed error on an illegal transition', function () {
    const c = { ...transition(draft(), 'queued', { by: 'bot' }), id: 'C-7K3P', version: 1 };
    let error: unknown;
    try {
      transition(c, 'resolved', { by: 'agent' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(IllegalTransitionError);
    expect(error).to.include({ from: 'queued', to: 'resolved', caseId: 'C-7K3P' });
    expect((error as Error).message).to.contain('C-7K3P');
  });
});
