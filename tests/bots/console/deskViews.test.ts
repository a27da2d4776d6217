import { expect } from 'chai';
import { toDeskCaseView } from '../../../bots/console/deskViews';
import { draftCase, transition, type HandoffCase } from '../../../middleware/handoff/handoffCase';

const ana = { id: 'ana', name: 'Ana', channel: 'console' };
const ben = { id: 'ben', name: 'Ben', channel: 'console' };

function caseWith(state: 'queued' | 'assigned'): HandoffCase {
  const queued = transition(
    draftCase({
      conversation: { key: 'webchat/c1', channel: 'webchat', reference: {} },
      customer: { id: 'u1', channel: 'webchat' },
      reason: 'human_request',
      priority: 'normal',
      trigger: { intents: [], emotions: [], explanation: 'asked for a person' },
      language: 'en',
      collected: { trackingNumber: '1Z999AA10123456784', orderEmail: 'sam@example.com' },
    }),
    'queued',
    { by: 'bot' },
  );
  const c: HandoffCase = { ...queued, purposeKeys: ['orderEmail'], id: 'C-7K3P', version: 1, queuedMessages: [] };
  return state === 'assigned' ? { ...transition(c, 'assigned', { by: 'ana' }), agent: ana } : c;
}

describe('toDeskCaseView', () => {
  it('shows purpose data (an order e-mail) only to the agent who holds the case', () => {
    expect(toDeskCaseView(caseWith('assigned'), ana).collected).to.deep.equal({ trackingNumber: '1Z999AA10123456784', orderEmail: 'sam@example.com' });
    for (const [c, viewer] of [
      [caseWith('assigned'), ben],
      [caseWith('queued'), ana],
      [caseWith('assigned'), undefined],
    ] as const) {
      expect(toDeskCaseView(c, viewer).collected).to.deep.equal({ trackingNumber: '1Z999AA10123456784', orderEmail: '(shown to the agent who takes the case)' });
    }
  });
});
