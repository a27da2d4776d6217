import { expect } from 'chai';
import { applyHubStatus, normaliseHubState, type HubStatusState } from '../../../../middleware/handoff/hubs/hubStatus';
import { MemoryHandoffStore } from '../../../../middleware/handoff/stores/memoryHandoffStore';
import type { CaseState } from '../../../../middleware/handoff/handoffCase';
import { createFraudCase } from './caseFixture';

const HUB = 'botframework-handoff';
const update = (caseId: string, state: HubStatusState) => ({ hub: HUB, caseId, state, agent: { id: 'hub-agent-7', name: 'Ana' } });

describe('applyHubStatus', function () {
  let store: MemoryHandoffStore;
  let n = 0;
  beforeEach(function () {
    store = new MemoryHandoffStore();
  });

  async function caseIn(state: 'queued' | 'assigned_to_hub' | 'assigned_to_desk' | 'resolved'): Promise<string> {
    const c = await createFraudCase(store, `conv-${++n}`);
    if (state === 'assigned_to_hub') await store.claim(c.id, { id: 'hub-agent-7', name: 'Ana', channel: `hub:${HUB}` });
    if (state === 'assigned_to_desk' || state === 'resolved') await store.claim(c.id, { id: 'desk-1', channel: 'msteams' });
    if (state === 'resolved') await store.resolve(c.id, { by: 'desk-1' });
    return c.id;
  }

  const table: Array<{ from: Parameters<typeof caseIn>[0]; status: HubStatusState; to: CaseState; ok: boolean; changed?: boolean; reason?: string }> = [
    { from: 'queued', status: 'accepted', to: 'assigned', ok: true, changed: true },
    { from: 'assigned_to_hub', status: 'accepted', to: 'assigned', ok: true, changed: false },
    { from: 'assigned_to_desk', status: 'accepted', to: 'assigned', ok: false, reason: 'taken' },
    { from: 'queued', status: 'failed', to: 'queued', ok: true, changed: false },
    { from: 'assigned_to_hub', status: 'failed', to: 'queued', ok: true, changed: true },
    { from: 'assigned_to_desk', status: 'failed', to: 'assigned', ok: false, reason: 'not_applicable' },
    { from: 'queued', status: 'timedOut', to: 'timed_out', ok: true, changed: true },
    { from: 'assigned_to_hub', status: 'timedOut', to: 'timed_out', ok: true, changed: true },
    { from: 'assigned_to_hub', status: 'completed', to: 'resolved', ok: true, changed: true },
    { from: 'queued', status: 'completed', to: 'resolved', ok: true, changed: true },
    { from: 'assigned_to_desk', status: 'completed', to: 'assigned', ok: false, reason: 'not_applicable' },
    { from: 'assigned_to_hub', status: 'transferBack', to: 'resolved', ok: true, changed: true },
    { from: 'assigned_to_hub', status: 'endOfConversation', to: 'resolved', ok: true, changed: true },
    { from: 'queued', status: 'endOfConversation', to: 'abandoned', ok: true, changed: true },
    { from: 'resolved', status: 'completed', to: 'resolved', ok: false, reason: 'not_applicable' },
    { from: 'resolved', status: 'accepted', to: 'resolved', ok: false, reason: 'not_applicable' },
  ];
  for (const row of table) {
    it(`${row.from} + ${row.status} -> ${row.to}${row.ok ? '' : ` (${row.reason})`}`, async function () {
      const id = await caseIn(row.from);
      const r = await applyHubStatus(store, update(id, row.status));
      expect(r.ok).to.equal(row.ok);
      if (r.ok) expect(r.changed).to.equal(row.changed);
      else expect(r.reason).to.equal(row.reason);
      const after = await store.get(id);
      expect(after?.state).to.equal(row.to);
      if (row.ok && row.to === 'assigned') expect(after?.agent).to.deep.equal({ id: 'hub-agent-7', name: 'Ana', channel: `hub:${HUB}` });
    });
  }

  it('records the hub and its message in the history', async function () {
    const id = await caseIn('assigned_to_hub');
    await applyHubStatus(store, { hub: HUB, caseId: id, state: 'failed', message: 'queue closed' });
    const last = (await store.get(id))?.history.at(-1);
    expect(last).to.include({ from: 'assigned', to: 'queued', by: HUB, note: `${HUB}: failed (queue closed)` });
  });

  it('answers not_found for an unknown case', async function () {
    expect(await applyHubStatus(store, update('C-ZZZZ', 'accepted'))).to.deep.equal({ ok: false, operation: 'assign', reason: 'not_found' });
  });

  it('reads status words case-insensitively, with aliases', function () {
    expect(normaliseHubState('TIMEDOUT')).to.equal('timedOut');
    expect(normaliseHubState('timeout')).to.equal('timedOut');
    expect(normaliseHubState('transfer_back')).to.equal('transferBack');
    expect(normaliseHubState('end-of-conversation')).to.equal('endOfConversation');
    expect(normaliseHubState('nope')).to.equal(undefined);
  });
});
