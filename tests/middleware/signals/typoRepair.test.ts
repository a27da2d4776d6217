import { expect } from 'chai';
import { englishPack } from '../../../middleware/signals/lexicons/englishPack';
import { frenchPack } from '../../../middleware/signals/lexicons/frenchPack';
import { buildTypoIndex, repairTypo, type TypoIndex } from '../../../middleware/signals/textNormaliser';

// Every one-letter typo of every key word (a letter missing, added or two swapped), plus tokens with digits.
function typosOf(word: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) out.add(word.slice(0, i) + word.slice(i + 1));
  for (let i = 0; i <= word.length; i++) for (const c of 'ae1z0') out.add(word.slice(0, i) + c + word.slice(i));
  for (let i = 0; i < word.length - 1; i++) out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  return [...out];
}

const DIGIT_TOKENS = ['1z4e29w70374856127', 'xy307182650fr', '9400111899223854017347', '0612345678', 'h3lp3r', 'c0mpla1nt', 'sup2port', 'refund12'];

describe('repairTypo', () => {
  for (const pack of [englishPack, frenchPack]) {
    it(`${pack.code}: skipping tokens with two digits or more changes no repair (every typo of every key word, and numbers)`, () => {
      const index = buildTypoIndex(pack.typoTargets ?? []);
      expect(index.digitFree).to.equal(true);
      const unskipped: TypoIndex = { targets: index.targets, deletes: index.deletes };
      const tokens = [...[...index.targets].flatMap(typosOf), ...DIGIT_TOKENS];
      expect(tokens.length).to.be.greaterThan(1000);
      for (const token of tokens) expect(repairTypo(token, index), token).to.equal(repairTypo(token, unskipped));
    });
  }

  it('still repairs tokens with digits when a key word has digits itself', () => {
    const index = buildTypoIndex(['route66a', 'complaint']);
    expect(index.digitFree).to.equal(false);
    expect(repairTypo('route66', index)).to.equal('route66a');
    expect(repairTypo('rotue66a', index)).to.equal('route66a');
    expect(repairTypo('complant', index)).to.equal('complaint');
    expect(repairTypo('compla1int', index)).to.equal('complaint');
  });
});
