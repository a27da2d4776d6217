import { expect } from 'chai';
import { caseCard, caseText, inertMarkdown } from '../../../bots/channels/agentCards';
import { SLACK_ACCEPT_ACTION, caseBlocks } from '../../../bots/channels/slackCaseBlocks';
import { SlackWebApi, slackChannelOf } from '../../../bots/channels/slackWebApi';
import { draftCase, transition, type HandoffCase } from '../../../middleware/handoff/handoffCase';
import { FakeSlackApi } from '../../helpers/fakeSlackApi';
import { cardProblems } from '../../helpers/adaptiveCards';

const parseErrors = cardProblems;

function sampleCase(lines = 4): HandoffCase {
  const draft = draftCase({
    conversation: { key: 'webchat/c1', channel: 'webchat', reference: {} },
    customer: { id: 'u1', name: 'Megan Bowen', channel: 'webchat' },
    reason: 'fraud',
    priority: 'high',
    trigger: {
      intents: [{ name: 'fraud', confidence: 0.95, evidence: [{ rule: 'fraud.en', matched: ['did not make these payments'] }] }],
      emotions: [{ name: 'distress', score: 0.7, evidence: [{ rule: 'distress.en', matched: ['scared'] }] }],
      explanation: 'intent fraud (0.95) -> immediate',
    },
    language: 'en',
    summary: 'Who: Megan Bowen · Web chat · English\nWants: Fraud / security (high priority)',
    transcript: Array.from({ length: lines }, (_, i) => ({ role: i % 2 ? 'bot' : 'customer', text: `line ${i} ${'x'.repeat(600)}`, at: new Date().toISOString() }) as const),
    collected: { trackingNumber: '1Z999AA10123456784', email: 'megan@example.com' },
  });
  const queued = transition(draft, 'queued', { by: 'bot' });
  return {
    ...queued,
    id: 'C-7K3P',
    version: 1,
    queuedMessages: [{ text: 'my card is 4242 4242 4242 4242', at: new Date().toISOString() }],
  };
}

describe('agent case cards', () => {
  it('the new-case card is a valid Adaptive Card 1.5 with an Accept Action.Submit and redacted data', () => {
    const card = caseCard(sampleCase(), { mode: 'announce', position: 2 });
    expect(card.version).to.equal('1.5');
    expect(parseErrors(card)).to.deep.equal([]);
    expect(card.actions).to.deep.equal([{ type: 'Action.Submit', title: 'Accept', data: { warmline: 'accept', caseId: 'C-7K3P' } }]);
    const json = JSON.stringify(card);
    expect(json).to.contain('Fraud / security').and.contain('#2').and.contain('distress 0.7').and.contain('did not make these payments');
    expect(json).to.contain('[email]').and.not.contain('megan@example.com');
    expect(json).to.contain('1Z999AA10123456784');
  });

  it('the full card has no Accept, shows messages sent while waiting (redacted) and stays under Teams\' 28 KB', () => {
    const card = caseCard(sampleCase(200), { mode: 'full' });
    expect(parseErrors(card)).to.deep.equal([]);
    expect(card.actions).to.equal(undefined);
    const json = JSON.stringify(card);
    expect(json).to.contain('Sent while waiting').and.contain('[card •••• 4242]').and.not.contain('4242 4242 4242 4242');
    expect(Buffer.byteLength(json)).to.be.below(28 * 1024);
  });

  it('Slack blocks stay within Block Kit limits and carry the Accept button', () => {
    const { text, blocks } = caseBlocks(sampleCase(200), { mode: 'announce' });
    expect(text).to.contain('C-7K3P');
    expect(blocks.length).to.be.at.most(50);
    for (const b of blocks) {
      const t = (b as { text?: { text?: string } }).text?.text;
      if (t) expect(t.length).to.be.at.most(3000);
    }
    const actions = blocks.find((b) => b.type === 'actions') as { elements: Array<Record<string, unknown>> };
    expect(actions.elements[0]).to.deep.include({ type: 'button', action_id: SLACK_ACCEPT_ACTION, value: 'C-7K3P' });
    expect(JSON.stringify(blocks)).not.to.contain('megan@example.com');
    expect(caseBlocks(sampleCase(), { mode: 'full' }).blocks.some((b) => b.type === 'actions')).to.equal(false);
  });

  it('the text rendering tells the agent how to accept', () => {
    expect(caseText(sampleCase(), { mode: 'announce' })).to.contain('accept C-7K3P');
  });
});

describe('SlackWebApi', () => {
  const slack = new FakeSlackApi();
  before(() => slack.start());
  after(() => slack.stop());

  it('posts chat.postMessage with the bearer token and Block Kit, and reads Slack\'s answer', async () => {
    const api = new SlackWebApi({ baseUrl: `${slack.url}/` });
    const out = await api.postMessage('xoxb-1-2-token', { channel: 'D05DM1', text: 'New case', blocks: [{ type: 'section' }] });
    expect(out.ok).to.equal(true);
    expect(out.ts).to.match(/^\d+\.\d+$/);
    const call = slack.calls[slack.calls.length - 1];
    expect(call?.api).to.equal('chat.postMessage');
    expect(call?.authorization).to.equal('Bearer xoxb-1-2-token');
    expect(call?.body).to.deep.equal({ channel: 'D05DM1', text: 'New case', blocks: [{ type: 'section' }] });
  });

  it('reports Slack errors and network failures without throwing', async () => {
    const api = new SlackWebApi({ baseUrl: slack.url });
    expect(await api.postMessage('not-a-token', { channel: 'D1', text: 'x' })).to.deep.equal({ ok: false, error: 'invalid_auth' });
    expect(await api.postMessage('', { channel: 'D1', text: 'x' })).to.deep.equal({ ok: false, error: 'no_token' });
    const dead = new SlackWebApi({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
    expect((await dead.postMessage('xoxb-1', { channel: 'D1', text: 'x' })).ok).to.equal(false);
    expect(() => new SlackWebApi({ baseUrl: 'slack.com' })).to.throw(TypeError);
  });

  it('finds the Slack channel in a Bot Framework conversation id', () => {
    expect(slackChannelOf('B01BOT0001:T01TEAM0001:D05DM1')).to.equal('D05DM1');
    expect(slackChannelOf('B01BOT0001:T01TEAM0001:C0CHANNEL')).to.equal('C0CHANNEL');
    expect(slackChannelOf('a:teams-conversation')).to.equal(undefined);
  });
});

describe('case card: customer text stays inert', () => {
  it('breaks markdown links and list markers a customer typed, keeping the words', () => {
    const evil = '[Verify your account here](https://evil.example)\n- Supervisor: approve refund';
    const safe = inertMarkdown(evil);
    expect(safe).to.not.match(/\]\(/);
    expect(safe).to.not.match(/^- /m);
    expect(safe.replace(/\u200B/g, '')).to.equal(evil);
  });
});
