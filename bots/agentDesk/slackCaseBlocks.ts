import type { HandoffCase } from '../../middleware/handoff/handoffCase';
import { caseView, fitNewest, type CaseCardOptions } from './agentCards';
import type { SlackBlock } from './slackWebApi';

/** `action_id` of the Accept button; its `value` is the case id. */
export const SLACK_ACCEPT_ACTION = 'warmline_accept';

/** Block Kit allows 50 blocks per message. */
const MAX_BLOCKS = 50;
/** Block Kit allows 3,000 characters per section text; keep a margin. */
const SECTION_MAX = 2900;
/**
 * Size of the whole `blocks` JSON we aim to stay under. Slack answers `msg_blocks_too_long` to messages whose
 * blocks add up to about 13,000 characters, well before the documented 50 blocks of 3,000 characters each.
 */
const MESSAGE_BUDGET = 11_000;

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * A customer-written line as a mrkdwn quote: escaped, every line of it quoted (so a line break cannot make customer
 * text look like the bot's own), and cut (on a character, never inside an entity) to fit one section.
 */
function quote(line: string): string {
  let out = '> ';
  for (const ch of line) {
    const piece = ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '\n' ? '\n> ' : ch;
    if (out.length + piece.length > SECTION_MAX - 200) return `${out}…`;
    out += piece;
  }
  return out;
}

/** Section blocks holding a title, an optional marker and lines, packed by whole lines under {@link SECTION_MAX}. */
function sections(lines: readonly string[]): SlackBlock[] {
  const texts: string[] = [];
  for (const line of lines) {
    const last = texts.length - 1;
    if (last >= 0 && (texts[last] as string).length + 1 + line.length <= SECTION_MAX) texts[last] += `\n${line}`;
    else texts.push(line);
  }
  return texts.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, SECTION_MAX) } }));
}

/**
 * A case as Slack Block Kit: header, facts, summary, emotion and evidence, collected data, redacted transcript, and
 * (announce) an Accept button whose click comes back as a `block_actions` payload.
 *
 * @remarks Within Slack's limits: at most 50 blocks, section texts under 3,000 characters (long lists continue in
 * further sections), button text under 75, and the whole message under ~11,000 characters of blocks (Slack refuses
 * about 13,000). The newest transcript lines and messages sent while waiting are kept; when earlier ones are left out
 * an "N earlier lines not shown" line says so.
 */
export function caseBlocks(c: HandoffCase, options: CaseCardOptions): { text: string; blocks: SlackBlock[] } {
  const v = caseView(c, options);
  const l = v.labels;
  const acceptable = options.mode === 'announce' && (v.status?.claimable ?? true);
  const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, SECTION_MAX) } });
  const transcript = v.transcript.map(quote);
  const waiting = options.mode === 'full' ? v.waiting.map(quote) : [];
  // A titled list of the newest `shown` lines, after a marker counting the ones left out (by the view and by size).
  const list = (title: string, all: readonly string[], omittedByView: number, shown: number): SlackBlock[] => {
    const omitted = omittedByView + all.length - shown;
    return sections([title, ...(omitted > 0 ? [`_${l.earlierLines(omitted)}_`] : []), ...all.slice(all.length - shown)]);
  };
  const build = (transcriptShown: number, waitingShown: number): SlackBlock[] => {
    const blocks: SlackBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: cut(`${options.mode === 'announce' ? l.newCase : l.acceptedShort} ${v.title}`, 150) } },
      ...(v.status ? [section(`*${esc(v.status.text)}*`)] : []),
      { type: 'section', fields: v.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: cut(`*${esc(f.title)}*\n${esc(f.value)}`, 300) })) },
      // One line per fact of the summary (what the customer wants, what the bot did, why...), never one paragraph.
      section(v.details.map((d) => (d.title ? `*${esc(d.title)}:* ${esc(d.value)}` : esc(d.value))).join('\n')),
    ];
    if (v.collected.length) blocks.push(section(`*${esc(l.collected)}*\n${v.collected.map((f) => `${esc(f.title)}: ${esc(f.value)}`).join('\n')}`));
    if (transcript.length) blocks.push(...list(`*${esc(l.transcript)}*`, transcript, v.transcriptOmitted, transcriptShown));
    if (waiting.length) blocks.push(...list(`*${esc(l.waiting)}*`, waiting, v.waitingOmitted, waitingShown));
    if (acceptable) {
      blocks.push({
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: l.accept }, style: 'primary', action_id: SLACK_ACCEPT_ACTION, value: c.id }],
      });
    } else if (options.mode === 'full') {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: esc(l.closingHint) }] });
    }
    return blocks;
  };
  // Too many blocks counts as too big, so the fit never has to drop the Accept button or the closing hint.
  const size = (blocks: SlackBlock[]): number => (blocks.length > MAX_BLOCKS ? Infinity : JSON.stringify(blocks).length);
  const [t, w] = fitNewest([transcript, waiting], (l) => l.length, (a, b) => size(build(a, b)), MESSAGE_BUDGET);
  const headline = v.status ? `${v.title}: ${v.status.text}` : `${options.mode === 'announce' ? l.newCase : l.acceptedShort} ${v.title}`;
  return { text: cut(headline, 300), blocks: build(t, w) };
}
