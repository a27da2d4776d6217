import { expect } from 'chai';
import fc from 'fast-check';
import { Redactor, type RedactorOptions } from '../../middleware/handoff/redaction';
import { findTrackingNumbers } from '../../dialogs/tracking/carriers';
import { ReferenceRedactor } from './redactionReference';

// The linear-time redaction must give exactly what the former regex implementation gave, on every input: same
// matches (starts and ends), same tokens, same calls to `keep`. Inputs are short (the reference is quadratic) and
// built from the pieces the rules look at, so that near-misses (a dash before a card, `%` in a local part, a label
// ending in a digit) come up often.
//
// Deliberate differences, each made in the reference too (see redactionReference.ts) and checked here:
// - with the linear rewrite, a card typed right after another card in the same run is masked;
// - with the card review, the second card pass masks the cards the former runs missed (dots, several spaces, tabs,
//   no-break spaces, " - ", letters glued on, digits of any script, a short number before the card), and nothing
//   else changes: the last test compares with the reference without that pass.
const PIECES = [
  '4242 4242 4242 4242', '4111111111111111', '5555-5555-5555-4444', '378282246310005', '3782 822463 10005',
  '4242424242424', '30569309025904', '123', '1234', '0612345678', '06 12 34 56 78', '+33 6 12 34 56 78',
  '(555) 123-4567', '1-800-555-1234', 'FR76 3000 6000 0112 3456 7890 189', 'fr7630006000011234567890189',
  'GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000', 'jean.dupont+sav@example.co.uk', 'a@b.fr', 'x%y@z.com',
  '1Z999AA10123456784', 'RR123456789FR', '9400 1118 9922 3856 9284 99', 'merci', 'card', 'é', '_', 'a', 'Z9',
  '+33 (0)6 12 34 56 78', '+1 (555) 123-4567', '+44 20 7946 0958', '+33612345678', '+1111111111111111111111111111', '(0)',
  '+49 (0) 30-1234.5678', '+1 2 3 4 5 6 7 8',
  // The card review: cards as people also type them, and what must stay around them.
  '4242.4242.4242.4242', '4242  4242  4242  4242', '4242 - 4242 - 4242 - 4242', '4242\t4242\t4242\t4242',
  '4242\u00a04242\u202f4242\u00a04242', '４２４２ ４２４２ ４２４２ ４２４２', '٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢', '۴۲۴۲ ۴۲۴۲ ۴۲۴۲ ۴۲۴۲',
  '𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐', 'card4242424242424242', '4000056655665556abc', 'qty 2 4242 4242 4242 4242', '3782.822463.10005',
  '1Z4242424242424242', 'JJD4242424242424242', '3123 4597 5127 7407 7015', '6147  3477  1524  6179  4270', '12.50',
  '1 200.00', '2024.05.12', '\u200f4242\u200e', '４', '٢', '.4242', '4242 -', '- 4242', '612345678901231',
];
const CHARS = [
  '1', '4', '0', '9', ' ', '-', '.', '@', '%', '+', '_', '(', ')', 'a', 'b', 'c', 'o', 'm', 'F', 'R', 'é', ',',
  '\t', '\u00a0', '２', '٤', '–', '．',
];

const JOINS = [' ', '  ', ' - ', '.', '\t', '\u00a0', '', 'qty 2 ', 'x'];

const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 50 }),
  fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.constantFrom(...CHARS)), { maxLength: 10 }).map((parts) => parts.join('')),
  fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.constantFrom(' ', '-', '', '.', 'x', '@')), { maxLength: 6 }).map((parts) => parts.join('')),
  // The card review: pieces joined by the second card pass's separators.
  fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.constantFrom(...JOINS)), { maxLength: 6 })
    .map((parts) => parts.join('')),
);

// The reference asks dialogs/tracking itself; the redactor is given the same finder, as the app gives it.
const trackingNumbers = (t: string) => findTrackingNumbers(t).filter((m) => m.valid);

const VARIANTS: Array<{ name: string; options: RedactorOptions }> = [
  { name: 'default', options: { trackingNumbers } },
  { name: 'cards only (agent views)', options: { disable: ['iban', 'email', 'phone'], trackingNumbers } },
  { name: 'without cards', options: { disable: ['card'], trackingNumbers } },
  { name: 'without IBAN and e-mail', options: { disable: ['iban', 'email'], trackingNumbers } },
  { name: 'keep', options: { keep: (c) => c.includes('7'), trackingNumbers } },
  { name: 'developer rule', options: { rules: [{ name: 'ref', pattern: /\bref \d+/g, replace: '[ref]' }], trackingNumbers } },
];

describe('redaction equals the former regex implementation', function () {
  for (const { name, options } of VARIANTS) {
    it(`on random text: ${name}`, function () {
      const linear = new Redactor(options);
      const reference = new ReferenceRedactor(options);
      fc.assert(
        fc.property(text, (t) => {
          expect(linear.redact(t)).to.equal(reference.redact(t));
        }),
        { seed: 20251, numRuns: 3000 },
      );
    });
  }

  it('calls keep on the same candidates in the same order', function () {
    fc.assert(
      fc.property(text, (t) => {
        const seen: string[][] = [[], []];
        const keep = (k: number) => (c: string) => (seen[k]?.push(c), c.length % 2 === 0);
        new Redactor({ keep: keep(0), trackingNumbers }).redact(t);
        new ReferenceRedactor({ keep: keep(1) }).redact(t);
        expect(seen[0]).to.deep.equal(seen[1]);
      }),
      { seed: 20252, numRuns: 2000 },
    );
  });

  // The card review changes nothing but cards (see onlyCardsAdded).
  it('differs from the redaction before the card review only by cards newly masked', function () {
    const pairs = [
      { now: new Redactor({ trackingNumbers }), before: new ReferenceRedactor({}, { secondCardPass: false }) },
      {
        now: new Redactor({ disable: ['iban', 'email', 'phone'], trackingNumbers }),
        before: new ReferenceRedactor({ disable: ['iban', 'email', 'phone'] }, { secondCardPass: false }),
      },
    ];
    fc.assert(
      fc.property(text, (t) => {
        for (const { now, before } of pairs) {
          const [a, b] = [now.redact(t), before.redact(t)];
          expect(onlyCardsAdded(a, b), `${JSON.stringify(t)}: ${JSON.stringify(b)} -> ${JSON.stringify(a)}`).to.equal(true);
        }
      }),
      { seed: 20253, numRuns: 3000 },
    );
  });
});

const CARD_TOKEN = /\[card •••• \d{4}\]/g;
// What a new card token may stand for: digits of any script and the separators of the second card pass.
const DIGITS_AND_SEPARATORS =
  '[\\p{Nd}\\s.．\\-\\u2010-\\u2015\\u2212\\ufe63\\uff0d\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060\\u2066-\\u2069]+';
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * True when `now` is `before` with some runs of digits (and what joins them) replaced by card tokens: between the
 * tokens of `now`, the text is what it was. A token that was in `before` may also stand for itself.
 */
function onlyCardsAdded(now: string, before: string): boolean {
  const parts = now.split(CARD_TOKEN).map(escape);
  const tokens = now.match(CARD_TOKEN) ?? [];
  const pattern = parts.reduce((acc, part, k) => `${acc}(?:${DIGITS_AND_SEPARATORS}|${escape(tokens[k - 1] ?? '')})${part}`);
  return new RegExp(`^${pattern}$`, 'u').test(before);
}
