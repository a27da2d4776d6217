import type { HandoffCase } from '../../middleware/handoff/handoffCase';
import { caseView, type CaseCardOptions } from './agentCards';
import type { SlackBlock } from './slackWebApi';

/** `action_id` of the Accept button; its `value` is the case id. */
export const SLACK_ACCEPT_ACTION = 'warmline_accept';

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * A case as Slack Block Kit: header, facts, summary, emotion and evidence, collected data, redacted transcript, and
 * (announce) an Accept button whose click comes back as a `block_actions` payload.
 *
 * @remarks Within Slack's limits: at most 50 blocks, section texts under 3,000 characters, button text under 75.
 */
export function caseBlocks(c: HandoffCase, options: CaseCardOptions): { text: string; blocks: SlackBlock[] } {
  const v = caseView(c, options);
  const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, 2900) } });
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(options.mode === 'announce' ? `New case ${v.title}` : `Accepted ${v.title}`, 150) } },
    { type: 'section', fields: v.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: cut(`*${esc(f.title)}*\n${esc(f.value)}`, 1900) })) },
    section(esc(v.summary)),
  ];
  const context = [v.emotion ? `Emotion: ${esc(v.emotion)}` : '', `Why: ${esc(v.evidence)}`].filter(Boolean).join('\n');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(context, 2900) }] });
  if (v.collected.length) blocks.push(section(`*Collected*\n${v.collected.map((f) => `${esc(f.title)}: ${esc(f.value)}`).join('\n')}`));
  if (v.transcript.length) blocks.push(section(`*Transcript (redacted)*\n${v.transcript.map((l) => `> ${esc(l)}`).join('\n')}`));
  if (options.mode === 'full' && v.waiting.length) blocks.push(section(`*Sent while waiting*\n${v.waiting.map((l) => `> ${esc(l)}`).join('\n')}`));
  if (options.mode === 'announce') {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Accept' }, style: 'primary', action_id: SLACK_ACCEPT_ACTION, value: c.id }],
    });
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Everything you write here goes to the customer. Type `close [note]` when done.' }] });
  }
  return { text: cut(`${options.mode === 'announce' ? 'New case' : 'Accepted'} ${v.title}`, 300), blocks: blocks.slice(0, 50) };
}
