/**
 * Adversarial texts for the linear-time tests and `bench/textWorstCase.ts`: the shapes that make backtracking
 * regexes or naive loops super-linear (runs of digits with single separators, long words, nested punctuation,
 * repeated key words with no ending, many `@` or dots, numbers whose groups are joined by " - ", dots, several spaces
 * or written in fullwidth digits...), each repeated to the requested length.
 */

/** `unit` repeated to exactly `size` UTF-16 code units (a final surrogate pair may be cut: also adversarial). */
export const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** Default size: 256 KB of text, far above the input guard's cut, to show each pass is linear on its own. */
export const ADVERSARIAL_SIZE = 256 * 1024;

/** Name -> repeated unit. Names are short, for test titles and bench rows. */
export const ADVERSARIAL_UNITS: Readonly<Record<string, string>> = {
  'digits with spaces': '1 ',
  'digits with dashes': '1-',
  'digit pairs with spaces': '42 ',
  'card-like groups': '4242 ',
  'digits then a letter': '4242 4242 4242 4242 4242 x',
  'dash before digits': '-1 1 1 1 1 1 1 1 1 1 1 1 1 1 ',
  'plus ones': '+1 ',
  'plus digits': '+1111111111111111111111111111 ',
  'phone groups': '06 12 34 56 78 ',
  'repeated token': 'fraud ',
  'repeated phrase': 'when do i get a new card ',
  'repeated kin': 'my mom my dad my wife ',
  'nested parentheses': '(',
  'nested brackets': '[',
  'long word': 'a',
  'long word, no repeats': 'abcdefghij',
  'long digit run': '7',
  'long alphanumeric': 'a1',
  'emoji run': '😡',
  'many at signs': '@',
  'many dots': '.',
  'percent dots': '%.',
  'dotted domain': 'a@a.a.a.a.',
  'domain labels': 'a.',
  'iban-like': 'FR76 ',
  'tracking-like': '1Z 999 ',
  'tracking-shaped numbers': '3318810025 x ',
  'french accents': 'éàçèùâêîôûœ ',
  'rtl marks': 'a\u200f1\u200e ',
  'lone surrogates': '\ud800a\udc00 ',
  'apostrophes': "j'ai l'",
  'capital elisions': "J'AI L'ÉTÉ ",
  'elision chain': "J'",
  'phone parentheses': '+1(0)1(1)1-1.1 ',
  'exclamations': '!?',
  'spaces': ' ',
  // The second card pass (card review): its separators, digits of other scripts, cards in doubt.
  'digits with spaced dashes': '1 - ',
  'card groups with spaced dashes': '4242 - ',
  'dotted card groups': '4242.',
  'digits with dots': '1.',
  'fullwidth digits': '４',
  'fullwidth card groups': '４２４２ ',
  'arabic-indic card groups': '٤٢٤٢ ',
  'no-break spaces and tabs': '4242\u00a0\u202f4242\t',
  'short number before a card': '2 4242 4242 4242 4242 ',
  'cards glued to letters': 'x4242424242424242',
  'astral digits': '𝟒𝟐𝟒𝟐 ',
};

/** The adversarial texts at `size` code units, by name. */
export function adversarialInputs(size: number = ADVERSARIAL_SIZE): Array<{ name: string; text: string }> {
  const inputs = Object.entries(ADVERSARIAL_UNITS).map(([name, unit]) => ({ name, text: fill(unit, size) }));
  // A text a customer could type once, then padding: the shapes meet each other.
  inputs.push({ name: 'mixed', text: fill('4242-4242 x@y.fr +33 6 (0) 12 ((a@b. 1Z 😡 é ', size) });
  // An e-mail local part with no `@` before the very end.
  inputs.push({ name: 'local part then at', text: `${fill('a%', size - 6)}@b.com` });
  return inputs;
}
