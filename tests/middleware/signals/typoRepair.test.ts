import { expect } from 'chai';
import { englishPack } from '../../../middleware/signals/lexicons/englishPack';
import { frenchPack } from '../../../middleware/signals/lexicons/frenchPack';
import { buildTypoIndex, repairTypo } from '../../../middleware/signals/textNormaliser';

// Every one-letter typo of a word: a letter missing, one added (letters and digits) or two swapped.
function typosOf(word: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) out.add(word.slice(0, i) + word.slice(i + 1));
  for (let i = 0; i <= word.length; i++) for (const c of 'ae1z0') out.add(word.slice(0, i) + c + word.slice(i));
  for (let i = 0; i < word.length - 1; i++) out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  return [...out];
}

// Tracking, order and phone numbers, and words with two digits: more than one edit from any key word.
const NUMBERS = ['1z4e29w70374856127', 'xy307182650fr', '9400111899223854017347', '0612345678', 'h3lp3r', 'c0mpla1nt', 'refund12'];

describe('repairTypo', () => {
  for (const pack of [englishPack, frenchPack]) {
    it(`${pack.code}: every one-letter typo of every key word is repaired to a key word; numbers are left alone`, () => {
      const index = buildTypoIndex(pack.typoTargets ?? []);
      const typos = [...index.targets].flatMap(typosOf).filter((t) => t.length >= 4 && !index.targets.has(t));
      expect(typos.length).to.be.greaterThan(1000);
      for (const typo of typos) expect(index.targets.has(repairTypo(typo, index) ?? ''), typo).to.equal(true);
      for (const token of NUMBERS) expect(repairTypo(token, index), token).to.equal(undefined);
    });
  }

  it('repairs a key word with one digit typed into it', () => {
    expect(repairTypo('sup2port', buildTypoIndex(englishPack.typoTargets ?? []))).to.equal('support');
  });

  it('repairs tokens with digits when a key word has digits itself', () => {
    const index = buildTypoIndex(['route66a', 'complaint']);
    expect(repairTypo('route66', index)).to.equal('route66a');
    expect(repairTypo('rotue66a', index)).to.equal('route66a');
    expect(repairTypo('complant', index)).to.equal('complaint');
    expect(repairTypo('compla1int', index)).to.equal('complaint');
  });
});
