import { expect } from 'chai';
import { SLACK_ACCEPT_ACTION, caseBlocks } from '../../../bots/agentDesk/slackCaseBlocks';
import type { SlackBlock } from '../../../bots/agentDesk/slackWebApi';
import { draftCase, transition, type HandoffCase } from '../../../middleware/handoff/handoffCase';

/** A queued case with `transcript` lines and `waiting` messages, each made by the given functions. */
function caseWith(transcript: number, waiting: number, say = (i: number) => `line ${i}`, wait = (i: number) => `msg ${i}`): HandoffCase {
  const draft = draftCase({
    conversation: { key: 'webchat/c9', channel: 'webchat', reference: {} },
    customer: { id: 'u9', name: 'Adele Vance', channel: 'webchat' },
    reason: 'complaint',
    priority: 'normal',
    trigger: { intents: [], emotions: [], explanation: 'asked for a human' },
    language: 'en',
    summary: 'Who: Adele Vance · Web chat · English',
    transcript: Array.from({ length: transcript }, (_, i) => ({ role: 'customer' as const, text: say(i), at: new Date().toISOString() })),
    collected: { trackingNumber: '1Z999AA10123456784' },
  });
  const queued = transition(draft, 'queued', { by: 'bot' });
  return {
    ...queued,
    id: 'C-9WQ2',
    version: 1,
    queuedMessages: Array.from({ length: waiting }, (_, i) => ({ text: wait(i), at: new Date().toISOString() })),
  };
}

const sectionTexts = (blocks: SlackBlock[]): string[] =>
  blocks.map((b) => (b as { text?: { text?: string } }).text?.text).filter((t): t is string => typeof t === 'string');

/** Every Block Kit limit we promise: 50 blocks, section text under 3,000, the whole blocks JSON well under 13,000. */
function expectWithinLimits(blocks: SlackBlock[]): void {
  expect(blocks.length).to.be.at.most(50);
  for (const t of sectionTexts(blocks)) expect(t.length).to.be.at.most(3000);
  expect(JSON.stringify(blocks).length).to.be.below(12_000);
}

/** The numbers of the `label N` lines shown, in order, and the "N earlier lines not shown" count of that list. */
function shown(blocks: SlackBlock[], title: string, label: string): { numbers: number[]; omitted: number } {
  const all = sectionTexts(blocks);
  const start = all.findIndex((t) => t.startsWith(title));
  expect(start, `no ${title} section`).to.be.at.least(0);
  // The list runs from its titled section to the next section that starts with a title (or the end).
  const end = all.findIndex((t, i) => i > start && /^\*[^*]+\*/.test(t));
  const text = all.slice(start, end < 0 ? undefined : end).join('\n');
  const numbers = [...text.matchAll(new RegExp(`^> (?:customer: )?${label} (\\d+)`, 'gm'))].map((m) => Number(m[1]));
  const marker = /_(\d+) earlier lines? not shown_/.exec(text);
  return { numbers, omitted: marker ? Number(marker[1]) : 0 };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('caseBlocks (Slack Block Kit): long lists keep the newest lines', () => {
  it('shows all 10 messages sent while waiting of ~390 characters, over several sections (issue 4)', () => {
    const { blocks } = caseBlocks(caseWith(4, 10, undefined, (i) => `msg ${i} ${'w'.repeat(385)}`), { mode: 'full' });
    expectWithinLimits(blocks);
    const waiting = shown(blocks, '*Sent while waiting*', 'msg');
    expect(waiting.numbers).to.deep.equal(range(0, 10));
    expect(waiting.omitted).to.equal(0);
    expect(sectionTexts(blocks).join('\n')).not.to.match(/earlier lines? not shown/);
  });

  it('keeps the newest of many long messages and says how many earlier ones are left out', () => {
    const { blocks } = caseBlocks(caseWith(200, 60, (i) => `line ${i} ${'t'.repeat(600)}`, (i) => `msg ${i} ${'w'.repeat(480)}`), { mode: 'full' });
    expectWithinLimits(blocks);
    const waiting = shown(blocks, '*Sent while waiting*', 'msg');
    expect(waiting.numbers.length).to.be.at.least(3);
    // The last messages, contiguous, and the marker accounts for every one left out.
    expect(waiting.numbers).to.deep.equal(range(60 - waiting.numbers.length, 60));
    expect(waiting.omitted).to.equal(60 - waiting.numbers.length);
    const transcript = shown(blocks, '*Transcript (redacted)*', 'line');
    expect(transcript.numbers.length).to.be.at.least(3);
    expect(transcript.numbers).to.deep.equal(range(200 - transcript.numbers.length, 200));
    expect(transcript.omitted).to.equal(200 - transcript.numbers.length);
    expect(blocks[blocks.length - 1]).to.deep.include({ type: 'context' });
  });

  it('marks transcript lines beyond the view\'s cap even when everything shown fits', () => {
    const { blocks } = caseBlocks(caseWith(45, 0), { mode: 'full' });
    expectWithinLimits(blocks);
    const transcript = shown(blocks, '*Transcript (redacted)*', 'line');
    expect(transcript.numbers).to.deep.equal(range(15, 45));
    expect(transcript.omitted).to.equal(15);
  });

  it('announcing a case keeps the Accept button and the newest lines, within limits, whatever the transcript', () => {
    const { blocks } = caseBlocks(caseWith(200, 60, (i) => `line ${i} ${'&'.repeat(900)}`), { mode: 'announce' });
    expectWithinLimits(blocks);
    const actions = blocks.find((b) => b.type === 'actions') as { elements: Array<Record<string, unknown>> };
    expect(actions.elements[0]).to.deep.include({ type: 'button', action_id: SLACK_ACCEPT_ACTION, value: 'C-9WQ2' });
    const transcript = shown(blocks, '*Transcript (redacted)*', 'line');
    expect(transcript.numbers).to.deep.equal(range(194, 200));
    expect(transcript.omitted).to.equal(194);
    expect(sectionTexts(blocks).join('\n')).not.to.contain('Sent while waiting');
  });

  it('keeps escaping, and quotes every line of a multi-line customer message (stored redacted)', () => {
    const evil = (i: number) => `msg ${i} my card is [card •••• 4242], write to [email] <https://evil.example|Verify>\nSupervisor: approve refund`;
    const { blocks } = caseBlocks(caseWith(2, 3, undefined, evil), { mode: 'full' });
    const all = JSON.stringify(blocks);
    expect(all).to.contain('[card •••• 4242]').and.contain('[email]');
    expect(all).to.contain('&lt;https://evil.example|Verify&gt;').and.not.contain('<https://evil');
    const text = sectionTexts(blocks).join('\n');
    expect(text).to.contain('\n> Supervisor: approve refund');
    expect(text).not.to.match(/^Supervisor/m);
  });
});
