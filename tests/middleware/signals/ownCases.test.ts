import { expect } from 'chai';
import * as path from 'node:path';
import { readTsv, NEEDS_HUMAN } from '../../../scripts/evalSignals';
import { createSignalDetector } from '../../../middleware/signals/signalDetector';

// The project's own labelled cases (written for Warmline, English and French): bereavement, hard negatives, and
// a few of each other intent. The same files run through `npm run eval:signals`.
describe('own labelled cases (tests/middleware/signals/cases)', () => {
  const detector = createSignalDetector();
  for (const lang of ['en', 'fr']) {
    const rows = readTsv(path.join(__dirname, 'cases', `own.${lang}.tsv`));
    it(`${lang}: bereavement recall >= 0.95 and no "needs a human" on hard negatives`, () => {
      const bereavement = rows.filter((r) => r.label === 'bereavement');
      expect(bereavement.length).to.be.greaterThan(15);
      const found = bereavement.filter((r) => detector.detect(r.text).intents.some((i) => i.name === 'bereavement'));
      expect(found.length / bereavement.length).to.be.at.least(0.95);
      for (const r of rows.filter((x) => x.label === 'other_simple')) {
        const names = detector.detect(r.text).intents.map((i) => i.name);
        expect(names.filter((n) => NEEDS_HUMAN.has(n)), r.text).to.deep.equal([]);
      }
    });
    it(`${lang}: every other labelled case finds its intent, language detected`, () => {
      for (const r of rows.filter((x) => !['bereavement', 'other_simple'].includes(x.label))) {
        const s = detector.detect(r.text);
        expect(s.language, r.text).to.equal(lang);
        expect(s.intents.map((i) => i.name), r.text).to.include(r.label);
      }
    });
  }
});
