import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readTsv } from '../../../scripts/evalSignals';
import type { LanguagePack } from '../../../middleware/signals/languagePack';
import { englishPack } from '../../../middleware/signals/lexicons/englishPack';
import { frenchPack } from '../../../middleware/signals/lexicons/frenchPack';
import { RulePrefilter } from '../../../middleware/signals/regexPrefilter';
import { createSignalDetector, type SignalDetectorOptions } from '../../../middleware/signals/signalDetector';

// The prefilter must never change a result: `detect` with it and without it must give deep-equal signals on every
// message we have. Failures name the file and row, never the customer's text.

/** The shared development data (`../shared/data` next to the repository); absent on machines without it. */
const DATA_DIR = path.resolve(__dirname, '../../../../shared/data');
// `all.dev.tsv` is the concatenation of the four original sets: reading it once covers them.
const DATA_FILES = ['all.dev.tsv', 'cfpb.dev.tsv', 'french.dev.tsv'];

interface Sample {
  readonly where: string;
  readonly text: string;
}

/** String literals of the other signal tests (the hand-written phrases they check). */
function testPhrases(): Sample[] {
  const dir = __dirname;
  const out: Sample[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts') && !f.startsWith('prefilter') && !f.startsWith('regexPrefilter'))) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    let n = 0;
    for (const m of source.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)`/g)) {
      const raw = m[1] ?? m[2] ?? m[3] ?? '';
      const text = raw.replace(/\\(.)/g, '$1');
      if (text.length >= 3) out.push({ where: `${file}#${++n}`, text });
    }
  }
  return out;
}

function samples(): { samples: Sample[]; dataRows: number } {
  const out: Sample[] = [];
  for (const lang of ['en', 'fr']) {
    readTsv(path.join(__dirname, 'cases', `own.${lang}.tsv`)).forEach((r, i) => out.push({ where: `own.${lang}.tsv:${i + 2}`, text: r.text }));
  }
  out.push(...testPhrases());
  let dataRows = 0;
  if (existsSync(DATA_DIR)) {
    for (const file of DATA_FILES) {
      const rows = readTsv(path.join(DATA_DIR, file));
      dataRows += rows.length;
      rows.forEach((r, i) => out.push({ where: `${file}:${i + 2}`, text: r.text }));
    }
  }
  return { samples: out, dataRows };
}

/** Custom rules too (they go through the same compilation): a case-insensitive one, words, a lookbehind. */
const CUSTOM: SignalDetectorOptions = {
  intents: [
    { name: 'fraud', language: 'en', patterns: [/\bSIM swap(?:ped)?\b/i, '(?<!no )chargeback'], id: 'fraud.en.sim-swap' },
    { name: 'cancellation', language: 'en', words: ['cancel my subscription', 'unsubscribe'] },
    { name: 'cancellation', language: 'fr', words: ['résilier mon abonnement', 'désabonner'] },
  ],
};

describe('rule prefilter: identical results with and without it', () => {
  const { samples: all, dataRows } = samples();
  const pairs = [
    // Each message through both language packs (the locale picks the pack).
    { name: 'built-in', locales: ['en-US', 'fr-FR'], stride: 1, on: createSignalDetector(), off: createSignalDetector({ prefilter: false }) },
    // Language detection as in production; every other sample (keeps the whole file under 3 s).
    { name: 'custom rules', locales: [undefined], stride: 2, on: createSignalDetector(CUSTOM), off: createSignalDetector({ ...CUSTOM, prefilter: false }) },
  ];

  it(`has the data (${dataRows} rows from ${DATA_DIR}) and the test phrases`, function () {
    if (dataRows === 0) this.skip(); // the shared data is not on this machine
    expect(dataRows).to.be.greaterThan(5000);
    expect(all.length - dataRows).to.be.greaterThan(300);
  });

  for (const pair of pairs) {
    it(`${pair.name}: detect is deep-equal on ${pair.stride === 1 ? 'every sample' : `one sample in ${pair.stride}`} (locales: ${pair.locales.join(', ') || 'none'})`, () => {
      let previous = undefined as ReturnType<typeof pair.off.detect>['trajectory'] | undefined;
      for (let i = 0; i < all.length; i += pair.stride) {
        const s = all[i];
        for (const locale of pair.locales) {
          const expected = pair.off.detect(s.text, { locale, previous });
          const actual = pair.on.detect(s.text, { locale, previous });
          try {
            expect(actual).to.deep.equal(expected);
          } catch {
            // No customer text in the failure (chai's diff would quote the evidence): only where the sample is.
            expect.fail(`results differ on ${s.where} (locale ${locale ?? 'none'})`);
          }
          previous = expected.trajectory;
        }
      }
    });
  }

  it('the prefilter skips most rules on ordinary messages (and every rule match holds a required literal)', () => {
    const toRegExp = (p: RegExp | string): RegExp => (typeof p === 'string' ? new RegExp(p, 'g') : p);
    let checked = 0;
    let skipped = 0;
    for (const pack of [englishPack, frenchPack] as LanguagePack[]) {
      const regexes = pack.rules.map((r) => toRegExp(r.pattern));
      const prefilter = new RulePrefilter(regexes);
      expect(prefilter.prefiltered).to.be.at.least(regexes.length - 2);
      // Folded, spaced text is close to what the rules see; the property (a match implies a literal) holds on any text.
      for (const s of all) {
        const text = ` ${s.text.toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '').replace(/['’]/g, ' ')} `;
        const select = prefilter.select(text);
        for (let r = 0; r < regexes.length; r++) {
          checked++;
          if (select[r] === 1) continue;
          skipped++;
          regexes[r].lastIndex = 0;
          if (regexes[r].test(text)) expect.fail(`${pack.rules[r].id} matches ${s.where} but was skipped`);
        }
      }
    }
    expect(skipped / checked).to.be.greaterThan(0.8);
  });
});
