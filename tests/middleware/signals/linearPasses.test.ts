import { expect } from 'chai';
import { englishPack } from '../../../middleware/signals/lexicons/englishPack';
import { frenchPack } from '../../../middleware/signals/lexicons/frenchPack';
import { createSignalDetector, packRegexes } from '../../../middleware/signals/signalDetector';
import {
  buildTypoIndex,
  normaliseText,
  repairTypo,
  tokenAt,
  type NormaliserLanguage,
  type TypoIndex,
} from '../../../middleware/signals/textNormaliser';

// Issue 11: the signals engine's passes are linear in the message. These tests pin the behaviour of the parts that
// were changed for it (they give what they gave before) and time them on long input.

const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

const french: NormaliserLanguage = {
  splitElisions: true,
  replacements: new Map(),
  vocabulary: new Set(['ai', 'ete']),
  typos: buildTypoIndex(frenchPack.typoTargets ?? []),
};

describe('signals: linear-time passes', function () {
  describe('typo repair', function () {
    it('records the longest key word and skips longer tokens without changing any repair', function () {
      const index = buildTypoIndex(englishPack.typoTargets ?? []);
      expect(index.longest).to.equal(Math.max(...(englishPack.typoTargets ?? []).map((t) => t.length)));
      const unskipped: TypoIndex = { targets: index.targets, deletes: index.deletes };
      const tokens = ['representativee', 'representativeee', 'rrepresentative', 'x'.repeat(40), 'transactionss', 'eprson'];
      for (const token of tokens) expect(repairTypo(token, index), token).to.equal(repairTypo(token, unskipped));
      expect(repairTypo('representativee', index)).to.equal('representative');
    });

    it('does not try every deletion of a very long word', function () {
      const start = process.hrtime.bigint();
      expect(repairTypo('abcdefghij'.repeat(20_000), buildTypoIndex(englishPack.typoTargets ?? []))).to.equal(undefined);
      expect(ms(start)).to.be.lessThan(100);
    });
  });

  describe('elisions', function () {
    it('maps each part back to the letters the customer typed, capitals and accents included', function () {
      const n = normaliseText("J'AI vu l'été, qu'l'l'l'x", french);
      expect(n.tokens).to.deep.equal(['j', 'ai', 'vu', 'l', 'ete', ',', 'qu', 'l', 'l', 'l', 'x']);
      // A part whose folded first letter is not in the token as typed ("a" of "AI", "e" of "été") falls back to the
      // token's start (as before the linear rewrite: pinned here).
      expect(n.starts).to.deep.equal([0, 0, 5, 8, 8, 13, 15, 18, 20, 22, 24]);
      expect(n.ends).to.deep.equal([1, 2, 7, 9, 11, 14, 17, 19, 21, 23, 25]);
    });

    it('reads a token of many elisions in linear time', function () {
      const start = process.hrtime.bigint();
      const n = normaliseText("J'".repeat(50_000), french);
      expect(n.tokens.length).to.equal(50_000);
      expect(ms(start)).to.be.lessThan(1000);
    });
  });

  describe('tokenAt', function () {
    it('gives the same token by table (after many lookups) as by binary search', function () {
      const n = normaliseText("Bonjour, je veux parler à un humain !! j'ai été volé 😡", french);
      const expected = (at: number): number => {
        let k = 0;
        for (let i = 0; i < n.offsets.length; i++) if (n.offsets[i] <= at) k = i;
        return k;
      };
      // The first lookups search, the later ones read the table: both ranges are covered twice.
      for (let round = 0; round < 2; round++) {
        for (let at = -2; at <= n.joined.length + 2; at++) expect(tokenAt(n, at), `offset ${at}`).to.equal(expected(at));
      }
    });
  });

  describe('rule guards', function () {
    const stolenUnless = packRegexes(englishPack).find((r) => r.id === 'fraud.en.stolen' && r.role === 'unless')?.regex;

    it('"X, later Y" guards hold exactly when a timing word comes before a replacement word', function () {
      expect(stolenUnless).to.be.instanceOf(RegExp);
      const holds = (text: string): boolean => (stolenUnless as RegExp).test(` ${text} `);
      expect(holds('my card was stolen , how long until the replacement arrives')).to.equal(true);
      expect(holds('when will i get a new card , mine was stolen')).to.equal(true);
      expect(holds('the replacement is late , when can i have it')).to.equal(true);
      expect(holds('what a steal')).to.equal(true);
      expect(holds('my card was stolen')).to.equal(false);
      expect(holds('a new card was stolen , how long')).to.equal(false);
      expect(holds('timelines of replacements')).to.equal(false);
    });

    it('tests a long message in linear time', function () {
      const start = process.hrtime.bigint();
      (stolenUnless as RegExp).test(' when do '.repeat(30_000));
      (stolenUnless as RegExp).test(' replace '.repeat(30_000));
      // The former `X.*Y` took seconds: every "when do" read the rest of the message again.
      expect(ms(start)).to.be.lessThan(200);
    });

    it('still lets a stolen card through to the fraud intent, and not a replacement question', function () {
      const detector = createSignalDetector();
      expect(detector.detect('my card was stolen yesterday').intents.map((i) => i.name)).to.include('fraud');
      const guarded = detector.detect('how long until i get a replacement for my stolen card');
      expect(guarded.intents.flatMap((i) => i.evidence.map((e) => e.rule))).to.not.include('fraud.en.stolen');
    });
  });

  describe('packRegexes', function () {
    it('lists every regex the detector compiles for a pack, as it compiles them', function () {
      for (const pack of [englishPack, frenchPack]) {
        const found = packRegexes(pack);
        const unless = pack.rules.filter((r) => r.unless !== undefined).length;
        expect(found.length).to.equal(pack.rules.length + unless + 1);
        for (const r of found.filter((x) => x.role === 'pattern')) expect(r.regex.flags).to.include('g');
        for (const r of found.filter((x) => x.role === 'unless')) expect(r.regex.flags).to.not.include('g');
        const neutraliser = found.find((r) => r.role === 'neutraliser');
        expect(neutraliser?.regex.source).to.include(String(pack.neutralisers[0]));
      }
    });
  });
});
