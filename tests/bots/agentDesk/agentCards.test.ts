import { expect } from 'chai';
import { caseCard, caseText, inertMarkdown, type AdaptiveCardJson } from '../../../bots/agentDesk/agentCards';
import { SLACK_ACCEPT_ACTION, caseBlocks } from '../../../bots/agentDesk/slackCaseBlocks';
import { SlackWebApi, slackChannelOf } from '../../../bots/agentDesk/slackWebApi';
import { draftCase, transition, type HandoffCase } from '../../../middleware/handoff/handoffCase';
import { FakeSlackApi } from '../../helpers/fakeSlackApi';
import { cardProblems } from '../../helpers/adaptiveCards';
import { cardTexts, TEAMS_LIGHT, WEB_CHAT_4_18 } from '../../helpers/cardContrast';

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
    // As the handoff service stores them: free text redacted, the order e-mail (a purpose field) in clear.
    collected: { trackingNumber: '1Z999AA10123456784', orderEmail: 'megan@example.com', note: 'call [phone]' },
  });
  const queued = transition(draft, 'queued', { by: 'bot' });
  return {
    ...queued,
    purposeKeys: ['orderEmail'],
    id: 'C-7K3P',
    version: 1,
    queuedMessages: [{ text: 'my card is [card •••• 4242]', at: new Date().toISOString() }],
  };
}

describe('agent case cards', () => {
  it('the new-case card is a valid Adaptive Card 1.5 with an Accept Action.Submit; purpose data only for the agent who takes it', () => {
    const card = caseCard(sampleCase(), { mode: 'announce', position: 2 });
    expect(card.version).to.equal('1.5');
    expect(parseErrors(card)).to.deep.equal([]);
    expect(card.actions).to.deep.equal([{ type: 'Action.Submit', title: 'Accept', data: { warmline: 'accept', caseId: 'C-7K3P' } }]);
    const json = JSON.stringify(card);
    expect(json).to.contain('Fraud / security').and.contain('#2').and.contain('distress 0.7').and.contain('did not make these payments');
    expect(json).to.contain('(shown to the agent who takes the case)').and.not.contain('megan@example.com');
    expect(json).to.contain('1Z999AA10123456784').and.contain('call [phone]');
    // The case as stored is shown as it is: nothing is redacted again on read.
    expect(JSON.stringify(caseCard(sampleCase(), { mode: 'full' }))).to.contain('megan@example.com');
  });

  it('the full card has no Accept, shows messages sent while waiting (redacted) and stays under Teams\' 28 KB', () => {
    const card = caseCard(sampleCase(200), { mode: 'full' });
    expect(parseErrors(card)).to.deep.equal([]);
    expect(card.actions).to.equal(undefined);
    const json = JSON.stringify(card);
    expect(json).to.contain('Sent while waiting').and.contain('[card •••• 4242]');
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
    expect(JSON.stringify(caseBlocks(sampleCase(200), { mode: 'full' }).blocks)).to.contain('megan@example.com');
    expect(caseBlocks(sampleCase(), { mode: 'full' }).blocks.some((b) => b.type === 'actions')).to.equal(false);
  });

  it('the text rendering tells the agent how to accept', () => {
    expect(caseText(sampleCase(), { mode: 'announce' })).to.contain('accept C-7K3P');
  });
});

/** A queued case with `transcript` lines and `waiting` messages made by the given functions. */
function longCase(transcript: number, waiting: number, say: (i: number) => string, wait: (i: number) => string): HandoffCase {
  const base = sampleCase(0);
  return {
    ...base,
    transcript: Array.from({ length: transcript }, (_, i) => ({ role: 'customer' as const, text: say(i), at: new Date().toISOString() })),
    queuedMessages: Array.from({ length: waiting }, (_, i) => ({ text: wait(i), at: new Date().toISOString() })),
  };
}

interface CardItem {
  type: string;
  text?: string;
  items?: CardItem[];
}

/** The TextBlock texts of the container after the TextBlock titled `title`. */
function listAfter(card: AdaptiveCardJson, title: string): string[] {
  const body = card.body as CardItem[];
  const at = body.findIndex((b) => b.type === 'TextBlock' && b.text === title);
  expect(at, `no ${title}`).to.be.at.least(0);
  const container = body[at + 1] as CardItem;
  expect(container.type).to.equal('Container');
  return (container.items ?? []).map((i) => i.text ?? '');
}

/** The `label N` numbers shown, in order, and the "N earlier lines not shown" count (0 without a marker). */
function numbered(lines: string[], label: string): { numbers: number[]; omitted: number } {
  const numbers = lines.flatMap((l) => new RegExp(`^(?:customer: )?${label} (\\d+)`).exec(l)?.[1] ?? []).map(Number);
  const marker = lines.map((l) => /^(\d+) earlier lines? not shown$/.exec(l)).find(Boolean);
  if (marker) expect(lines[0], 'the marker comes first').to.equal(marker[0]);
  return { numbers, omitted: marker ? Number(marker[1]) : 0 };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('case card (Teams): long lists keep the newest lines and say what is left out', () => {
  it('marks the transcript lines beyond the last 30 (issue 4)', () => {
    const card = caseCard(longCase(200, 1, (i) => `line ${i}`, (i) => `msg ${i}`), { mode: 'full' });
    expect(parseErrors(card)).to.deep.equal([]);
    const transcript = numbered(listAfter(card, 'Transcript (redacted)'), 'line');
    expect(transcript.numbers).to.deep.equal(range(170, 200));
    expect(transcript.omitted).to.equal(170);
    expect(numbered(listAfter(card, 'Sent while waiting'), 'msg')).to.deep.equal({ numbers: [0], omitted: 0 });
  });

  it('stays a valid 1.5 card under 28 KB with many long multi-byte lines in both lists, newest kept', () => {
    const say = (i: number) => `line ${i} ${'é'.repeat(600)}`;
    const wait = (i: number) => `msg ${i} ${'ü😀'.repeat(200)}`;
    const card = caseCard(longCase(200, 40, say, wait), { mode: 'full' });
    expect(parseErrors(card)).to.deep.equal([]);
    expect(Buffer.byteLength(JSON.stringify(card))).to.be.below(28 * 1024);
    const transcript = numbered(listAfter(card, 'Transcript (redacted)'), 'line');
    const waiting = numbered(listAfter(card, 'Sent while waiting'), 'msg');
    expect(transcript.numbers.length).to.be.at.least(3);
    expect(waiting.numbers.length).to.be.at.least(3);
    expect(transcript.numbers).to.deep.equal(range(200 - transcript.numbers.length, 200));
    expect(waiting.numbers).to.deep.equal(range(40 - waiting.numbers.length, 40));
    expect(transcript.omitted).to.equal(200 - transcript.numbers.length);
    expect(waiting.omitted).to.equal(40 - waiting.numbers.length);
  });

  it('keeps inert markdown on every message sent while waiting (stored redacted)', () => {
    const wait = (i: number) => `msg ${i} [Verify here](https://evil.example) card [card •••• 4242]\n- Supervisor: approve refund`;
    const card = caseCard(longCase(3, 35, (i) => `line ${i}`, wait), { mode: 'full' });
    expect(parseErrors(card)).to.deep.equal([]);
    const json = JSON.stringify(card);
    expect(json).not.to.contain('](https');
    expect(json).to.contain('[card •••• 4242]').and.to.contain(']\u200B(https');
    expect(json).not.to.contain('\\n- Supervisor');
    const waiting = numbered(listAfter(card, 'Sent while waiting'), 'msg');
    expect(waiting.numbers).to.deep.equal(range(5, 35));
    expect(waiting.omitted).to.equal(5);
  });

  it('the text rendering marks the left-out lines too', () => {
    const text = caseText(longCase(40, 0, (i) => `line ${i}`, (i) => `msg ${i}`), { mode: 'full' });
    expect(text).to.contain('Transcript (redacted):\n(10 earlier lines not shown)\ncustomer: line 10\n');
    expect(text).to.contain('customer: line 39');
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

describe('case cards laid out line by line, and updated in place (issue 13)', () => {
  const summaryOf = (c: HandoffCase): HandoffCase => ({
    ...c,
    summary: 'Who: Megan Bowen · Web chat · English\nWants: Fraud / security (high priority) — “did not make these payments”\nBot: no attempt, sent straight to a human\nEmotion: distress 0.7 — “scared”\nWhy: Fraud / security, high priority: the customer said “did not make these payments”',
  });
  const facts = (card: AdaptiveCardJson): string[] =>
    (card.body as Array<Record<string, unknown>>).filter((b) => b.type === 'FactSet').flatMap((b) => (b.facts as Array<{ title: string; value: string }>).map((f) => `${f.title}: ${f.value}`));

  it('each summary line is its own fact (no paragraph), the customer once, why in plain words', () => {
    const card = caseCard(summaryOf(sampleCase()), { mode: 'announce' });
    const f = facts(card);
    expect(f).to.include.members(['Wants: Fraud / security (high priority) — “did not make these payments”', 'Bot: no attempt, sent straight to a human', 'Emotion: distress 0.7 — “scared”']);
    expect(f.filter((x) => x.startsWith('Why: '))).to.deep.equal(['Why: Fraud / security, high priority: the customer said “did not make these payments”']);
    expect(f.filter((x) => x.startsWith('Customer: '))).to.deep.equal(['Customer: Megan Bowen · Web chat · en']);
    expect(JSON.stringify(card)).to.not.contain('Who:').and.not.contain('-> immediate');
    expect(parseErrors(card)).to.deep.equal([]);
  });

  it('a status replaces the Accept button when nobody can take the case any more, on Teams, Slack and text alike', () => {
    const c = summaryOf(sampleCase());
    const status = { text: 'Taken by Bob', claimable: false };
    const card = caseCard(c, { mode: 'announce', status });
    expect(card.actions).to.equal(undefined);
    expect(JSON.stringify(card.body)).to.contain('Taken by Bob');
    expect(parseErrors(card)).to.deep.equal([]);
    const slack = caseBlocks(c, { mode: 'announce', status });
    expect(JSON.stringify(slack.blocks)).to.contain('Taken by Bob').and.not.contain(SLACK_ACCEPT_ACTION);
    expect(slack.text).to.contain('Taken by Bob');
    const text = caseText(c, { mode: 'announce', status });
    expect(text).to.contain('Taken by Bob').and.not.contain('accept C-7K3P');
    expect(text.split('\n')).to.include('Bot: no attempt, sent straight to a human');
  });

  it('every text of a case card, in every status, has a contrast of at least 4.5:1 on Teams and Web Chat light hosts', () => {
    const c = summaryOf(sampleCase());
    const statuses = [undefined, { text: 'Taken by Bob', claimable: false }, { text: 'Back in the queue', claimable: true }];
    const weak = [TEAMS_LIGHT, WEB_CHAT_4_18].flatMap((host) =>
      statuses.flatMap((status) =>
        cardTexts({ body: caseCard(c, { mode: 'announce', ...(status ? { status } : {}) }).body as ReadonlyArray<Record<string, unknown>> }, host)
          .filter((t) => t.ratio < 4.5)
          .map((t) => `${host.name} "${t.text}" ${t.colour} = ${t.ratio.toFixed(2)}:1`),
      ),
    );
    expect(weak).to.deep.equal([]);
  });

  it('speaks French to French-speaking agents', () => {
    const card = caseCard(summaryOf(sampleCase()), { mode: 'announce', language: 'fr' });
    expect(card.actions).to.deep.equal([{ type: 'Action.Submit', title: 'Prendre', data: { warmline: 'accept', caseId: 'C-7K3P' } }]);
    expect(facts(card)).to.include('Pourquoi: Fraude / sécurité, priorité haute : le client a écrit « did not make these payments »');
    expect(JSON.stringify(card)).to.contain('Nouveau dossier').and.contain('Motif');
  });
});
