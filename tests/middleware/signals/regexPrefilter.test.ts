import { expect } from 'chai';
import { analyseRegex, MIN_LITERAL_LENGTH, RulePrefilter, SCAN_LITERAL_LENGTH } from '../../../middleware/signals/regexPrefilter';

const literals = (re: RegExp): string[] | undefined => {
  const req = analyseRegex(re);
  return req ? [...req.literals].sort() : undefined;
};

/** A small deterministic PRNG (mulberry32) so failures replay. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('regex prefilter: requirement analysis', () => {
  it('a plain literal, escapes and assertions', () => {
    expect(literals(/\bfraud\b/)).to.deep.equal(['fraud']);
    expect(literals(/\.com\b/)).to.deep.equal(['.com']);
    expect(literals(/a\.b\?c\\d/)).to.deep.equal(['a.b?c\\d']);
    expect(literals(/^hello world$/)).to.deep.equal(['hello world']);
    expect(literals(/tab\there/)).to.deep.equal(['tab\there']);
    expect(literals(/\x41\u0042C/)).to.deep.equal(['ABC']);
  });

  it('an optional word is not required; what follows is', () => {
    expect(literals(/(?:very )?angry/)).to.deep.equal(['angry']);
    expect(literals(/\b(?:so |really )?(?:angry|furious)\b/)).to.deep.equal(['angry', 'furious']);
  });

  it('an alternation with an empty branch requires nothing of its own', () => {
    expect(literals(/(?:abc|)/)).to.equal(undefined);
    expect(literals(/x(?:abc|)/)).to.equal(undefined);
    expect(literals(/(?:a|)bcd/)).to.deep.equal(['bcd']);
  });

  it('quantifiers: min 0 requires nothing, min >= 1 keeps the atom', () => {
    expect(literals(/(?:abc){0,3}/)).to.equal(undefined);
    expect(literals(/(?:abc)*/)).to.equal(undefined);
    expect(literals(/(?:abc){1,3}/)).to.deep.equal(['abc']);
    expect(literals(/a{2}bc/)).to.deep.equal(['aabc']);
    expect(literals(/abc+/)).to.deep.equal(['abc']);
    expect(literals(/abc+?d/)).to.deep.equal(['abc']);
    expect(literals(/(?:\w+ ){0,3}(?:card|wallet)\b/)).to.deep.equal(['card', 'wallet']);
  });

  it('lookarounds add nothing, neither the looked-at text nor a requirement', () => {
    expect(literals(/(?<=pre)fix(?=post)/)).to.deep.equal(['fix']);
    expect(literals(/(?<!not )happy\b/)).to.deep.equal(['happy']);
    expect(literals(/(?=abcdef)\w+/)).to.equal(undefined);
    expect(literals(/card\b(?! (?:number|pin)\b)/)).to.deep.equal(['card']);
  });

  it('character classes: a few plain characters expand, anything else is opaque', () => {
    expect(literals(/unauthori[sz]ed/)).to.deep.equal(['unauthorised', 'unauthorized']);
    expect(literals(/[.]com/)).to.deep.equal(['.com']);
    expect(literals(/[a-z]+ing/)).to.deep.equal(['ing']);
    expect(literals(/[^abc]def/)).to.deep.equal(['def']);
    expect(literals(/ab[\w]cd/)).to.equal(undefined);
    expect(literals(new RegExp('x[]yz]abc'))).to.equal(undefined); // `[]` (matches nothing) and a bare `]`: not relied on
  });

  it('nested groups and alternations combine into exact strings', () => {
    expect(literals(/(?:(?:a|b)(?:cd|ef))gh/)).to.deep.equal(['acdgh', 'aefgh', 'bcdgh', 'befgh']);
    expect(literals(/\bdead (?:battery|phone)\b/)).to.deep.equal(['dead battery', 'dead phone']);
    expect(literals(/\bwhat (?:is|was) (this|that)\b/)).to.deep.equal(['what is that', 'what is this', 'what was that', 'what was this']);
    expect(literals(/ab(?<n>cde)\k<n>/)).to.deep.equal(['abcde']);
  });

  it('a literal containing another one is dropped (the shorter one is implied)', () => {
    expect(literals(/\b(?:fraud|frauds|fraudulent|scam|scammed)\b/)).to.deep.equal(['fraud', 'scam']);
  });

  it('the most selective part of a sequence wins', () => {
    expect(literals(/\b(?:i|we) (?:\w+ ){0,3}(?:never|did not) (?:make|made)\b/)).to.deep.equal([
      'did not made',
      'did not make',
      'never made',
      'never make',
    ]);
  });

  it('says "unknown" when a match need not hold a literal of 3+ characters', () => {
    for (const re of [/\w+ly/, /\d{3}-\d{4}/, /\b(?:hi|hello)\b/, /abc|de/, /(a)\1bc/, /^$/, /(?:)/, /./, /a|b|c/]) {
      expect(analyseRegex(re), String(re)).to.equal(undefined);
    }
  });

  it('says "unknown" for syntax it does not handle', () => {
    const unsupported = [/a{,3}bcd/, /abc}/, /\cJabc/, /\pLabc/, new RegExp('abcd', 'v'), new RegExp('abc\\Xdef')];
    for (const re of unsupported) expect(analyseRegex(re), String(re)).to.equal(undefined);
  });

  it('the i flag: literals are lower-cased ASCII; non-ASCII (and s, k with u) are left out', () => {
    expect(analyseRegex(/Hello World/i)).to.deep.equal({ literals: ['hello world'], caseInsensitive: true });
    expect(analyseRegex(/caf\u00e9 noir/i)?.literals).to.deep.equal([' noir']);
    // With `u`, `s` also matches `ſ` (U+017F) and `k` the Kelvin sign: they cannot be compared as ASCII.
    expect(literals(/sick of it/iu)).to.deep.equal([' of it']);
    expect(literals(/KILL/iu)).to.deep.equal(['ill']);
    expect(literals(/sick of it/i)).to.deep.equal(['sick of it']);
    expect(analyseRegex(/Hello/)).to.deep.equal({ literals: ['Hello'], caseInsensitive: false });
  });

  it('a string pattern is a source without flags (as the detector compiles it)', () => {
    expect(literals(new RegExp('\\b(?:passed away|passed on)\\b', 'g'))).to.deep.equal(['passed away', 'passed on']);
  });

  it('is sound on random regexes: every match contains a required literal', () => {
    const rnd = prng(20240611);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const atoms = ['a', 'b', 'c', 'ab', 'bca', 'cab ', ' ', 'A', 'S', 'k', '\\b', '\\w', '\\s', '.', '[ab]', '[^a]', '[sk]', '\\.', '\\B', '^', '$'];
    const gen = (depth: number): string => {
      const n = 1 + Math.floor(rnd() * 4);
      let s = '';
      for (let i = 0; i < n; i++) {
        let atom: string;
        const r = rnd();
        if (depth > 0 && r < 0.25) {
          const branches = 1 + Math.floor(rnd() * 3);
          const body = Array.from({ length: branches }, () => (rnd() < 0.15 ? '' : gen(depth - 1))).join('|');
          atom = `(${pick(['?:', '', '?=', '?!', '?<=', '?<!'])}${body})`;
        } else {
          atom = pick(atoms);
        }
        const q = rnd() < 0.3 ? pick(['?', '*', '+', '{2}', '{0,2}', '{1,3}', '{2,}', '??', '+?']) : '';
        // Quantified assertions are syntax errors; keep the atom bare then.
        s += /^(?:\\[bB]|\^|\$|\(\?<?[=!])/.test(atom) ? atom : atom + q;
      }
      return s;
    };
    const alphabet = ['a', 'b', 'c', 'A', 'B', 'C', ' ', 's', 'k', 'S', 'K', '\u017f', '\u212a', '.'];
    const texts: string[] = [];
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(rnd() * 14);
      let t = '';
      for (let j = 0; j < len; j++) t += pick(alphabet);
      texts.push(t);
    }
    let analysed = 0;
    for (let i = 0; i < 2000; i++) {
      let re: RegExp;
      try {
        re = new RegExp(gen(3), pick(['g', 'gi', 'giu', 'gu']));
      } catch {
        continue;
      }
      const req = analyseRegex(re);
      if (!req) continue;
      analysed++;
      expect(req.literals.every((l) => l.length >= MIN_LITERAL_LENGTH)).to.equal(true);
      const prefilter = new RulePrefilter([re]);
      for (const text of texts) {
        re.lastIndex = 0;
        let m: RegExpExecArray | null;
        let matched = false;
        while ((m = re.exec(text)) !== null) {
          if (m[0].length === 0) re.lastIndex++;
          matched = true;
          const body = req.caseInsensitive ? m[0].replace(/[A-Z]/g, (c) => c.toLowerCase()) : m[0];
          expect(req.literals.some((l) => body.includes(l)), `${String(re)} on ${JSON.stringify(text)}`).to.equal(true);
        }
        if (matched) expect(prefilter.select(text)[0], `${String(re)} on ${JSON.stringify(text)}`).to.equal(1);
      }
    }
    expect(analysed).to.be.greaterThan(300);
  });
});

describe('regex prefilter: selecting rules for a text', () => {
  it('runs rules without a requirement always, others only when a literal is present', () => {
    const p = new RulePrefilter([/\bfraud\b/g, /\w+ly/g, /\bdead (?:battery|phone)\b/g, /Refund/gi]);
    expect(p.prefiltered).to.equal(3);
    expect([...p.select(' where is my parcel ? ')]).to.deep.equal([0, 1, 0, 0]);
    expect([...p.select(' this is fraud ')]).to.deep.equal([1, 1, 0, 0]);
    expect([...p.select(' my dead phone ')]).to.deep.equal([0, 1, 1, 0]);
    expect([...p.select(' I want a REFUND ')]).to.deep.equal([0, 1, 0, 1]);
    expect([...p.select('')]).to.deep.equal([0, 1, 0, 0]);
  });

  it('finds overlapping and repeated literals, and literals with other characters', () => {
    const p = new RulePrefilter([/abcd/g, /bcde/g, /cdx/g, /caf\u00e9/g, /😢 sad/g]);
    expect([...p.select('xabcdex')]).to.deep.equal([1, 1, 0, 0, 0]);
    expect([...p.select('abcabcdx')]).to.deep.equal([1, 0, 1, 0, 0]);
    expect([...p.select('un café, 😢 sad')]).to.deep.equal([0, 0, 0, 1, 1]);
    expect([...p.select('un cafe')]).to.deep.equal([0, 0, 0, 0, 0]);
  });

  it('always runs a RegExp subclass or a regex with its own exec (they may not match as their source says)', () => {
    class Loose extends RegExp {}
    const own = /needle/g;
    Object.defineProperty(own, 'exec', { value: () => null });
    const p = new RulePrefilter([new Loose('needle', 'g'), own, /needle/g]);
    expect(p.prefiltered).to.equal(1);
    expect([...p.select('hay')]).to.deep.equal([1, 1, 0]);
  });

  it('handles many distinct characters, and gives up (every rule runs) when the table would be too big', () => {
    const chars = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => String.fromCharCode(from + i));
    const cjk = chars(0x4e00, 300);
    // 300 classes: ids above 255 must not wrap.
    const p = new RulePrefilter([new RegExp(cjk.map((c) => c.repeat(3)).join('|'), 'g'), /abc/g]);
    expect([...p.select('xx abc')]).to.deep.equal([0, 1]);
    expect([...p.select(`x${cjk[299].repeat(3)}`)]).to.deep.equal([1, 0]);
    const huge = [0, 1, 2, 3].map((j) => new RegExp(chars(0x4e00 + 500 * j, 500).map((c) => c.repeat(3)).join('|'), 'g'));
    const q = new RulePrefilter([...huge, /abc/g]);
    expect(q.prefiltered).to.equal(0);
    expect([...q.select('nothing here')]).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it('a word list of more than 1000 words has no requirement (bounded compile time)', () => {
    const words = Array.from({ length: 1200 }, (_, i) => `word${i}x`);
    expect(analyseRegex(new RegExp(`\\b(?:${words.join('|')})\\b`))).to.equal(undefined);
    expect(analyseRegex(new RegExp(`\\b(?:${words.slice(0, 900).join('|')})\\b`))?.literals.length).to.equal(900);
  });

  it('agrees with a naive substring check on random texts', () => {
    const rnd = prng(7);
    const words = ['lost', 'card', 'lost card', 'stolen', 'tolen', 'olen', 'my dead phone', 'dead', 'phone', 'Refund'];
    const regexes = [/\b(?:lost|stolen) card\b/g, /olen/g, /dead (?:phone|battery)/g, /refund/gi, /(?:my )?phone\b/g];
    const p = new RulePrefilter(regexes);
    const reqs = regexes.map((re) => analyseRegex(re));
    for (let i = 0; i < 2000; i++) {
      let text = ' ';
      const n = Math.floor(rnd() * 6);
      for (let j = 0; j < n; j++) text += `${words[Math.floor(rnd() * words.length)]}${rnd() < 0.8 ? ' ' : ''}`;
      const folded = text.toLowerCase();
      const expected = reqs.map((req) => (req ? (req.literals.some((l) => folded.includes(l.slice(0, SCAN_LITERAL_LENGTH).toLowerCase())) ? 1 : 0) : 1));
      expect([...p.select(text)], JSON.stringify(text)).to.deep.equal(expected);
    }
  });
});
