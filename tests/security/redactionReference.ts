/**
 * The regex implementation of the built-in redaction as it shipped before the linear-time rewrite (issue 11), kept
 * as the reference the rewrite must equal: same matches, same tokens, same order of rules. Its CARD and EMAIL
 * regexes are quadratic, so it is only ever run on short strings. The changes made since are applied here too,
 * written the simple way, each marked:
 * - "Change made with the linear rewrite": a card typed right after another card in the same run of digits is masked
 *   as well.
 * - "Change made with the card review": a second card pass masks the cards the runs of CARD miss (dots, several
 *   spaces, tabs, no-break spaces, " - " between groups, letters glued on, digits of any script, a short number typed
 *   before the card), and changes nothing else. `{ secondCardPass: false }` leaves it out: the redaction as it was.
 */
import { findTrackingNumbers } from '../../dialogs/tracking/carriers';
import { luhnValid, ibanValid, type RedactionRule, type RedactorOptions } from '../../middleware/handoff/redaction';

// Lengths of the IBANs of the countries customers most often give (SEPA and neighbours).
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22,
  GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MA: 28, MC: 27, MT: 31,
  NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, TN: 24, VA: 22,
};

/**
 * True when a Luhn-valid digit string also has a card issuer's length and prefix.
 *
 * @remarks Keeps all-digit tracking numbers (FedEx 12/15 digits, USPS 20-22) from being taken for cards:
 * 13 digits start with 4 (Visa), 14 with 30/36/38/39 (Diners), 15 with 34/37 (Amex), 16-19 with 2-6.
 */
function plausibleCard(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  if (n === 13 && digits[0] !== '4') return false;
  if (n === 14 && !/^3[0689]/.test(digits)) return false;
  if (n === 15 && !/^3[47]/.test(digits)) return false;
  if (n >= 16 && !/^[2-6]/.test(digits)) return false;
  return luhnValid(digits);
}

// Maximal runs of digits with single space/dash separators; the length and checksum are checked afterwards,
// so a longer run (a USPS tracking number) is never cut into a card-sized piece.
const CARD = /(?<![\w-])\d(?:[ -]?\d){12,}(?![\w]|[ -]\d)/g;
// IBAN as written by people: compact or in groups of four, any case.
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,34}(?![A-Za-z0-9])/g;
const EMAIL = /(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w])/g;
// +33 6 12 34 56 78, +44 20 7946 0958, +1 (555) 123-4567, +33612345678
const PHONE_INTL = /(?<![\w+])\+\d{1,3}(?:[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?){1,6}(?![\w])/g;
// 06 12 34 56 78, 06.12.34.56.78, 0612345678
const PHONE_FR = /(?<![\w+])0[1-9](?:[ .-]?\d{2}){4}(?![\w])/g;
// (555) 123-4567, 555-123-4567, 555.123.4567, 1-800-555-1234 (a bare 10-digit run is not taken: DHL numbers)
const PHONE_US = /(?<![\w+(])(?:1[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w])/g;

const digitsOf = (s: string): string => s.replace(/\D/g, '');

/**
 * Removes personal data from text before it goes into a case, a transcript, a hub or a summary.
 *
 * @remarks Built in: card numbers (13-19 digits, Luhn and issuer checked) -> `[card •••• 4242]`; IBANs (mod-97
 * checked) -> `[IBAN FR76 •••]`; e-mail addresses -> `[email]`; phone numbers (international, French, US) ->
 * `[phone]`. Tracking numbers (UPS `1Z...`, UPU S10 `RR123456789FR`, all-digit carrier numbers) are left alone.
 * All regular expressions are compiled once; text without digits or `@` is returned at once.
 * @example new ReferenceRedactor().redact('my card is 4242 4242 4242 4242') // 'my card is [card •••• 4242]'
 */
export class ReferenceRedactor {
  private readonly rules: readonly RedactionRule[];
  private readonly keep: (candidate: string) => boolean;
  private readonly onlyBuiltIn: boolean;

  constructor(options: RedactorOptions = {}, { secondCardPass = true }: { secondCardPass?: boolean } = {}) {
    for (const r of options.rules ?? []) {
      if (!r.pattern.global) throw new TypeError(`Redactor: rule "${r.name}" needs a global (g) pattern`);
    }
    const off = new Set(options.disable ?? []);
    const all: RedactionRule[] = [
      { name: 'iban', pattern: IBAN, replace: redactIban },
      { name: 'card', pattern: CARD, replace: redactCard },
      { name: 'email', pattern: EMAIL, replace: '[email]' },
      { name: 'phone', pattern: PHONE_INTL, replace: (m: string) => (inRange(digitsOf(m).length, 8, 15) ? '[phone]' : undefined) },
      { name: 'phone', pattern: PHONE_FR, replace: '[phone]' },
      { name: 'phone', pattern: PHONE_US, replace: '[phone]' },
      // Change made with the card review: the second card pass, last (see redactNumber).
      ...(secondCardPass ? [{ name: 'card', pattern: NUMBER, replace: SECOND_CARD_PASS }] : []),
    ];
    const builtIn = all.filter((r) => !off.has(r.name as 'card'));
    this.rules = [...builtIn, ...(options.rules ?? [])];
    this.keep = options.keep ?? (() => false);
    this.onlyBuiltIn = !options.rules?.length;
  }

  /** Returns `text` with every personal datum replaced by a labelled token. */
  redact(text: string): string {
    // Change made with the card review: digits of any script count.
    if (this.onlyBuiltIn && !/[\p{Nd}@]/u.test(text)) return text;
    let out = text;
    for (const rule of this.rules) {
      if (rule.replace === SECOND_CARD_PASS) {
        out = out.replace(rule.pattern, (match: string, offset: number, whole: string) => {
          const masked = redactNumber(match, offset, whole);
          return masked === undefined || this.keep(match) ? match : masked;
        });
        continue;
      }
      const once = (t: string): string =>
        t.replace(rule.pattern, (match: string) => {
          if (this.keep(match)) return match;
          const token = typeof rule.replace === 'string' ? rule.replace : rule.replace(match);
          return token ?? match;
        });
      out = once(out);
    }
    return out;
  }
}

// A run of digits is a card when the whole run is one; else when it starts with one (a card followed by its
// CVC or expiry, or by another number): the short tail (<= 4 digits) goes into the token, a longer tail stays.
function redactCard(match: string): string | undefined {
  const all = digitsOf(match);
  if (plausibleCard(all)) return `[card •••• ${all.slice(-4)}]`;
  const separators = [...match.matchAll(/[ -]/g)].map((m) => m.index ?? 0);
  for (let k = separators.length - 1; k >= 0; k--) {
    const cut = separators[k] as number;
    const head = digitsOf(match.slice(0, cut));
    if (head.length < 13) break;
    if (!plausibleCard(head)) continue;
    const tail = match.slice(cut);
    if (digitsOf(tail).length <= 4) return `[card •••• ${head.slice(-4)}]`;
    // Change made with the linear rewrite: the tail is read the same way (a second card after the first).
    return `[card •••• ${head.slice(-4)}]${tail[0]}${redactCard(tail.slice(1)) ?? tail.slice(1)}`;
  }
  return undefined;
}

const inRange = (n: number, min: number, max: number): boolean => n >= min && n <= max;

// The regex may run past the IBAN into a following word ("FR76 ... 189 merci" is not, but "FR76...189 ab12" could):
// take the longest prefix that is a valid IBAN and keep the rest as written.
function redactIban(match: string): string | undefined {
  let compact = '';
  const ends: number[] = []; // ends[i] = index in match after the (i+1)-th alphanumeric char
  for (let i = 0; i < match.length; i++) {
    const ch = match[i] as string;
    if (ch !== ' ' && ch !== '-') {
      compact += ch.toUpperCase();
      ends.push(i + 1);
    }
  }
  const country = compact.slice(0, 2);
  const known = IBAN_LENGTHS[country];
  const lengths = known !== undefined ? [known] : Array.from({ length: compact.length - 14 }, (_, k) => compact.length - k);
  for (const len of lengths) {
    if (len > compact.length || len < 15) continue;
    if (ibanValid(compact.slice(0, len))) {
      const end = ends[len - 1] as number;
      return `[IBAN ${compact.slice(0, 4)} •••]${match.slice(end)}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Change made with the card review: the second card pass, written the simple way.

/** Marks the second card pass in the list of rules (it is applied apart: see `redact`). */
const SECOND_CARD_PASS = (): undefined => undefined;

const SPACE = '\\t \\u00a0\\u061c\\u2000-\\u200f\\u202a-\\u202f\\u205f\\u2060\\u2066-\\u2069\\u3000\\ufeff';
const DASH = '\\-\\u2010-\\u2015\\u2212\\ufe63\\uff0d';
// A number: groups of digits of any script joined by white space, by a dash with white space around it or not, or by
// a dot. Letters around it do not matter.
const NUMBER = new RegExp(`\\p{Nd}+(?:(?:[${SPACE}]+|[${SPACE}]*[${DASH}][${SPACE}]*|[.\\uff0e])\\p{Nd}+)*`, 'gu');

/** The ASCII digit of a digit of any script: each script has its ten digits in a row, 0 first. */
function asciiDigit(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  let zero = cp;
  while (/\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  return String((cp - zero) % 10);
}

/** A card of a number: its first group, the group after its last, and the group after the token's last. */
type Card = readonly [number, number, number];

/**
 * The number `match` (at `offset` in `text`) with its cards masked, or `undefined` when it has none. A card: 13 to 19
 * digits (issuer, Luhn) in groups of three digits or more but the last. From the number's first group: the longest card
 * starting there, its tail in the token when at most four digits, then the rest the same way; when no card starts
 * there, the card ending the number (or followed by at most four digits), shortest first, then what is before it from
 * its end again. A card that does not start the number, or whose number is glued to a letter or digit, is masked only
 * when no valid tracking number that findTrackingNumbers finds in the number (written with single spaces, with 5
 * letters or digits glued on each side) overlaps it and reaches beyond it.
 */
function redactNumber(match: string, offset: number, text: string): string | undefined {
  const groups = [...match.matchAll(/\p{Nd}+/gu)].map((m) => ({ at: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
  const g = [...match.matchAll(/\p{Nd}+/gu)].map((m) => [...m[0]].map(asciiDigit).join(''));
  const digits = (a: number, b: number): string => g.slice(a, b).join('');
  const glued = /\w/.test(text.charAt(offset - 1));
  const left = /[A-Za-z0-9]{0,5}$/.exec(text.slice(0, offset))?.[0] ?? '';
  const right = /^[A-Za-z0-9]{0,5}/.exec(text.slice(offset + match.length))?.[0] ?? '';
  const hits = findTrackingNumbers(`${left}${g.join(' ')}${right}`).filter((m) => m.valid);
  // Where each digit of the number is in that text: after `left`, the digits and the spaces before it.
  const places = g.flatMap((x, k) => [...x].map((_, i) => left.length + digits(0, k).length + k + i));
  // Groups a to b are part of a tracking number: one overlaps them and reaches beyond them.
  const inTracking = (a: number, b: number): boolean => {
    const start = places[digits(0, a).length] as number;
    const end = (places[digits(0, b).length - 1] as number) + 1;
    return hits.some((m) => m.index < end && m.index + m.length > start && (m.index < start || m.index + m.length > end));
  };
  const isCard = (a: number, b: number): boolean =>
    g.slice(a, b - 1).every((x) => x.length >= 3) && plausibleCard(digits(a, b));
  const fromEnd = (lo: number, hi: number): Card[] => {
    for (let e = hi; e > lo && digits(e, hi).length <= 4; e--) {
      for (let s = e - 1; s > lo; s--) {
        if (isCard(s, e) && !inTracking(s, e)) return [...fromEnd(lo, s), [s, e, hi]];
      }
    }
    return [];
  };
  const read = (lo: number, hi: number): Card[] => {
    for (let e = hi; e > lo; e--) {
      if (!isCard(lo, e) || ((lo > 0 || glued) && inTracking(lo, e))) continue;
      return digits(e, hi).length <= 4 ? [[lo, e, hi]] : [[lo, e, e], ...read(e, hi)];
    }
    return fromEnd(lo, hi);
  };
  const cards = read(0, g.length);
  if (cards.length === 0) return undefined;
  let out = '';
  let at = 0;
  for (const [s, e, t] of cards) {
    out += `${match.slice(at, groups[s]?.at)}[card •••• ${digits(0, e).slice(-4)}]`;
    at = groups[t - 1]?.end ?? match.length;
  }
  return out + match.slice(at);
}
