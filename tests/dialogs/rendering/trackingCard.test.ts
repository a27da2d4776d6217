import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderTrackingReply } from '../../../dialogs/rendering/renderTrackingReply';
import { trackingCard } from '../../../dialogs/rendering/trackingCard';
import type { DialogLanguage } from '../../../dialogs/messages';
import { cardTexts, contrastRatio, parseColour, TEAMS_LIGHT, WEB_CHAT_4_18, WEB_CHAT_COLOURS_VERSION } from '../../helpers/cardContrast';
import { PARCEL_STATUSES, sampleTrackingView } from './sampleTrackingView';

const STATUSES = PARCEL_STATUSES;
const LANGUAGES: DialogLanguage[] = ['en', 'fr'];
const view = sampleTrackingView;

/** Where the installed package's folder is (its `exports` hide `package.json` and the sources). */
function packageDir(name: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(path.join(dir, name, 'package.json'))) return path.join(dir, name);
  }
  throw new Error(`${name} is not installed`);
}

describe('tracking cards are readable everywhere', () => {
  describe('text contrast of at least 4.5:1 (WCAG AA) in each host', () => {
    it('the contrast ratio is WCAG 2\'s (the check can fail)', () => {
      expect(contrastRatio(parseColour('#000000'), parseColour('#FFFFFF'))).to.be.closeTo(21, 0.001);
      expect(contrastRatio(parseColour('#767676'), parseColour('#FFFFFF'))).to.be.closeTo(4.54, 0.01);
      // Teams' yellow "warning" on white, the headline of the issue.
      expect(contrastRatio(parseColour('#F8D22A'), parseColour('#FFFFFF'))).to.be.below(2);
      // #AARRGGBB is composited over the background.
      for (const half of [parseColour('#80000000', [255, 255, 255]), parseColour('rgba(0, 0, 0, 0.5)')]) {
        for (const channel of half) expect(channel).to.be.closeTo(127.5, 1);
      }
      const yellow = { type: 'TextBlock', text: 'Delayed', color: 'Warning' };
      expect(cardTexts({ body: [yellow] }, TEAMS_LIGHT)[0].ratio).to.be.below(4.5);
    });

    it(`the Web Chat colours are those of the installed botframework-webchat ${WEB_CHAT_COLOURS_VERSION}`, () => {
      const webchat = packageDir('botframework-webchat');
      const version = (JSON.parse(readFileSync(path.join(webchat, 'package.json'), 'utf8')) as { version: string }).version;
      expect(version, 'botframework-webchat changed: re-read its host config colours into cardContrast.ts').to.equal(WEB_CHAT_COLOURS_VERSION);
      const hostConfig = readFileSync(path.join(webchat, 'src', 'adaptiveCards', 'Styles', 'adaptiveCardHostConfig.ts'), 'utf8');
      const defaults = readFileSync(path.join(packageDir('botframework-webchat-api'), 'lib', 'defaultStyleOptions.js'), 'utf8');
      const { foregroundColors } = WEB_CHAT_4_18.containerStyles.default;
      for (const [name, colours] of Object.entries(foregroundColors)) {
        // `default` and `accent` come from the style options (bubbleTextColor, accent, subtle), the rest are literals.
        for (const c of name === 'default' || name === 'accent' ? [] : [colours.default, colours.subtle]) {
          if (name === 'light' && c === colours.subtle) continue;
          expect(hostConfig, `${name} ${c}`).to.contain(`'${c}'`);
        }
      }
      expect(defaults).to.contain(`DEFAULT_ACCENT = '${foregroundColors.accent.default}'`);
      expect(defaults).to.contain(`DEFAULT_SUBTLE = '${foregroundColors.default.subtle}'`);
      expect(defaults).to.contain("bubbleTextColor: 'Black'").and.contain("bubbleBackground: 'White'");
    });

    for (const host of [WEB_CHAT_4_18, TEAMS_LIGHT]) {
      for (const language of LANGUAGES) {
        it(`${host.name}, ${language}: every text of every status's card`, () => {
          const weak = STATUSES.flatMap((status) =>
            cardTexts(trackingCard(view(status, language)), host)
              .filter((t) => t.ratio < 4.5)
              .map((t) => `${status}: "${t.text}" ${t.colour} on ${t.background} = ${t.ratio.toFixed(2)}:1`),
          );
          expect(weak).to.deep.equal([]);
        });
      }
    }
  });

  describe('wording matches the layout', () => {
    const POSITION_WORDS: ReadonlyArray<{ words: RegExp; where: 'after' | 'before' }> = [
      { words: /\b(below|underneath)\b|ci-dessous|plus bas/i, where: 'after' },
      { words: /\babove\b|ci-dessus|plus haut/i, where: 'before' },
    ];

    /** Texts that point at something below or above them with nothing there: "the date below" under the date. */
    function misplaced(lines: readonly string[], isFact: (line: string) => boolean): string[] {
      const wrong: string[] = [];
      lines.forEach((line, i) => {
        for (const { words, where } of POSITION_WORDS) {
          if (!words.test(line)) continue;
          const others = where === 'after' ? lines.slice(i + 1) : lines.slice(0, i);
          if (!others.some(isFact)) wrong.push(`"${line}" says ${where === 'after' ? 'below' : 'above'}, and nothing is there`);
        }
      });
      return wrong;
    }

    it('the rule catches a text that says "below" under what it points at', () => {
      expect(misplaced(['Expected delivery: Thursday', 'The expected date below is an estimate.'], (l) => l.includes(':'))).to.have.length(1);
      expect(misplaced(['The expected date below is an estimate.', 'Expected delivery: Thursday'], (l) => l.includes(':'))).to.deep.equal([]);
    });

    for (const language of LANGUAGES) {
      for (const status of STATUSES) {
        it(`${status} in ${language}: card, Slack and plain text point only at what is there`, () => {
          const v = view(status, language);
          const factValues = [v.statusName, v.trackingNumber, v.expectedDelivery, v.deliveredAt, v.lastEvent].filter((x): x is string => !!x);
          const isFact = (line: string) => factValues.some((value) => line.includes(value.replace(/([\\*_~`[\]()#>])/g, '\\$1')) || line.includes(value));
          const cardLines = trackingCard(v).body.map((b) => String(b.text ?? ''));
          expect(misplaced(cardLines, isFact), 'card').to.deep.equal([]);
          for (const channel of ['slack', 'sms']) {
            const lines = (renderTrackingReply(v, channel).text ?? '').split('\n');
            expect(misplaced(lines, isFact), channel).to.deep.equal([]);
          }
        });
      }
    }
  });
});
