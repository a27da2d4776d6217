import { expect } from 'chai';
import { draftCase, transition, type HandoffCase } from '../../../middleware/handoff/handoffCase';
import { toDeskEvents } from '../../../bots/desk/handoffDeskBackend';

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
