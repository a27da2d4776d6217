/**
 * Redaction of personal data (cards, IBANs, e-mail addresses, phone numbers) before text leaves the conversation.
 *
 * Hand-written scanners, not regexes, for cards, e-mail addresses and international phone numbers: the natural
 * regexes (`\d(?:[ -]?\d){12,}`, `[\w.%+-]+@...`) backtrack quadratically on inputs such as "1 1 1 1 ..." or
 * "%.%.%.%..." (one customer message froze an instance for minutes), the phone one tries some 10^5 ways to cut
 * "+1111..." into groups, and no library finds card numbers with their issuer and Luhn checks. Each scanner finds
 * exactly the matches the former regex found (same starts, same ends; tests/security/redactionEquivalence.test.ts);
 * each reads every character a bounded number of times. The IBAN and the other phone regexes are proven linear by
 * `recheck` (tests/security/redos.test.ts) and their matches are bounded in length.
 *
 * Cards are read twice. The first card pass keeps the former regex's runs (ASCII digits joined by one space or dash,
 * nothing word-like around), so what it masked and left stays as it was. The second ({@link scanCards}) finds the cards
 * those runs miss (dots, several spaces, tabs, no-break spaces, " - ", letters glued on, digits of any script, a short
 * number typed before the card) and changes nothing else. Tracking numbers stay as written: where a card could be a
 * piece of a longer token, the tracking-number finder the wiring gives ({@link RedactorOptions.trackingNumbers}: the
 * bot's own, `dialogs/tracking`) is asked, not a copy of its rules.
 */

/**
 * A redaction rule a developer adds: a global regular expression and what to put instead.
 *
 * @remarks `replace` returns the token, or `undefined` to keep the match (e.g. a failed checksum).
 * Developer patterns run as written: unlike the built-in rules they cannot be proven linear, so keep them free of
 * nested or adjacent unbounded repetitions (`(a+)+`, `\w+\d+`). The text they run on is bounded by the input guard
 * (`MAX_TEXT_CHARS`, see `InputGuardMiddleware`), which caps what a slow pattern can cost.
 */
export interface RedactionRule {
  /** Name used in reports, e.g. `customer-number`. */
  readonly name: string;
  /** Must have the `g` flag. */
  readonly pattern: RegExp;
  readonly replace: string | ((match: string) => string | undefined);
}

/** Where a tracking number is in a text: its first character and its length. */
export interface TrackingNumberSpan {
  readonly index: number;
  readonly length: number;
}

/**
 * Finds the valid tracking numbers (a known carrier's format, check digit holding) in a text, in order. It must run in
 * time linear in the text.
 */
export type TrackingNumberFinder = (text: string) => readonly TrackingNumberSpan[];

/** Options of a {@link Redactor}. */
export interface RedactorOptions {
  /** Extra rules, applied after the built-in ones (see {@link RedactionRule} about their cost). */
  readonly rules?: readonly RedactionRule[];
  /**
   * Returns true for a candidate that must be kept as written (e.g. a tracking number of a known carrier,
   * recognised by `dialogs/tracking`). Called on every candidate match of every rule.
   */
  readonly keep?: (candidate: string) => boolean;
  /** Built-in rules to turn off. */
  readonly disable?: ReadonlyArray<BuiltInRuleName>;
  /**
   * The tracking numbers of the carriers the bot knows, so that a card-sized piece of a longer number is not masked
   * when it is part of one (see the second card pass). Asked only about a number holding a card in doubt, with the
   * number's groups joined by single spaces and the letters and digits glued to it (`1Z`, `JJD`). Default: none, so
   * every card in doubt is masked.
   * @example new Redactor({ trackingNumbers: (text) => findTrackingNumbers(text).filter((m) => m.valid) })
   */
  readonly trackingNumbers?: TrackingNumberFinder;
}

/** Names of the built-in rules. */
export type BuiltInRuleName = 'card' | 'iban' | 'email' | 'phone';

/** Luhn (mod 10) check of a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616 mod-97 check of an IBAN without separators (upper case). */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = value > 9 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
  }
  return rest === 1;
}

// Lengths of the IBANs of the countries customers most often give (SEPA and neighbours).
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22,
  GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MA: 28, MC: 27, MT: 31,
  NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, TN: 24, VA: 22,
};

/** Shortest and longest card numbers (digits). */
const CARD_MIN = 13;
const CARD_MAX = 19;

/**
 * True when a Luhn-valid digit string also has a card issuer's length and prefix.
 *
 * @remarks Keeps all-digit tracking numbers (FedEx 12/15 digits, USPS 20-22) from being taken for cards:
 * 13 digits start with 4 (Visa), 14 with 30/36/38/39 (Diners), 15 with 34/37 (Amex), 16-19 with 2-6.
 */
function plausibleCard(digits: string): boolean {
  const n = digits.length;
  if (n < CARD_MIN || n > CARD_MAX) return false;
  if (n === 13 && digits[0] !== '4') return false;
  if (n === 14 && !/^3[0689]/.test(digits)) return false;
  if (n === 15 && !/^3[47]/.test(digits)) return false;
  if (n >= 16 && !/^[2-6]/.test(digits)) return false;
  return luhnValid(digits);
}

// IBAN as written by people: compact or in groups of four, any case. At most 38 letters and digits per match.
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,34}(?![A-Za-z0-9])/g;
// 06 12 34 56 78, 06.12.34.56.78, 0612345678
const PHONE_FR = /(?<![\w+])0[1-9](?:[ .-]?\d{2}){4}(?![\w])/g;
// (555) 123-4567, 555-123-4567, 555.123.4567, 1-800-555-1234 (a bare 10-digit run is not taken: DHL numbers)
const PHONE_US = /(?<![\w+(])(?:1[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w])/g;

const digitsOf = (s: string): string => s.replace(/\D/g, '');

// ---------------------------------------------------------------------------------------------------------------
// Character classes of the scanners (ASCII, as the regexes they replace: `\w` is [A-Za-z0-9_] without the u flag).

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** `\w`. `NaN` (past the end of the text) is not. */
const isWord = (c: number): boolean => isDigit(c) || isAsciiLetter(c) || c === 95;
/** `[ -]`: the single separator people type inside a card number. */
const isCardSeparator = (c: number): boolean => c === 32 || c === 45;
/** `[\w.%+-]`: a character of an e-mail address's local part. */
const isLocalPart = (c: number): boolean => isWord(c) || c === 46 || c === 37 || c === 43 || c === 45;
/** `[\w.+-]`: what may not stand just before an e-mail address (so `%` may). */
const isBeforeEmail = (c: number): boolean => isWord(c) || c === 46 || c === 43 || c === 45;
/** `[A-Za-z0-9-]`: a character of a domain label. */
const isLabel = (c: number): boolean => isDigit(c) || isAsciiLetter(c) || c === 45;

/** Where a scanner found a match: `text.slice(start, end)`, never empty. */
interface Span {
  readonly start: number;
  readonly end: number;
}

/** Finds the first match at or after `from` (the lookbehinds still see the text before `from`). */
type Finder = (text: string, from: number) => Span | undefined;

/**
 * Cards: the matches of `(?<![\w-])\d(?:[ -]?\d){12,}(?![\w]|[ -]\d)` (global), in one pass.
 *
 * @remarks A match is always a whole maximal run of digits joined by single spaces or dashes (so a longer run, a
 * USPS tracking number, is never cut into a card-sized piece), started at its first digit when nothing word-like or
 * a dash stands before it, else at the first digit after a space; it needs 13 digits from there and no letter or
 * `_` after the run. A run that fails is skipped whole: every start inside it fails the same way.
 */
const findCard: Finder = (text, from) => {
  const n = text.length;
  let i = from;
  while (i < n) {
    while (i < n && !isDigit(text.charCodeAt(i))) i++;
    if (i >= n) return undefined;
    let start = i === 0 || !(isWord(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 45) ? i : -1;
    let digits = 0;
    let end = i;
    for (;;) {
      if (start < 0 && text.charCodeAt(end - 1) === 32) start = end;
      if (start >= 0) digits++;
      end++;
      const c = text.charCodeAt(end);
      if (isDigit(c)) continue;
      if (isCardSeparator(c) && isDigit(text.charCodeAt(end + 1))) {
        end++;
        continue;
      }
      break;
    }
    if (start >= 0 && digits >= CARD_MIN && !isWord(text.charCodeAt(end))) return { start, end };
    i = end;
  }
  return undefined;
};

/**
 * E-mail addresses: the matches of
 * `(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w])` (global), in one pass.
 *
 * @remarks For each `@`: the local part is the run of `[\w.%+-]` just before it, started at its first character
 * that nothing of `[\w.+-]` precedes; the domain (see {@link domainEnd}) is read once. Local parts and domains of
 * different `@` do not overlap, so every character is read a bounded number of times.
 */
const findEmail: Finder = (text, from) => {
  for (let at = text.indexOf('@', from); at >= 0; at = text.indexOf('@', at + 1)) {
    let first = at;
    while (first > from && isLocalPart(text.charCodeAt(first - 1))) first--;
    let start = -1;
    for (let s = first; s < at; s++) {
      if (s === 0 || !isBeforeEmail(text.charCodeAt(s - 1))) {
        start = s;
        break;
      }
    }
    if (start < 0) continue;
    const end = domainEnd(text, at + 1);
    if (end >= 0) return { start, end };
  }
  return undefined;
};

/**
 * End of `[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w])` matched at `from`, or -1.
 *
 * @remarks The labels are whole (`.` follows each); the regex's backtracking tries the last label as the top-level
 * domain first, then the one before...: the first whose leading letters (two or more) are not followed by `\w`.
 */
function domainEnd(text: string, from: number): number {
  const n = text.length;
  let i = from;
  while (i < n && isLabel(text.charCodeAt(i))) i++;
  if (i === from) return -1;
  const labels: number[] = []; // start of every label after the first
  while (i + 1 < n && text.charCodeAt(i) === 46 && isLabel(text.charCodeAt(i + 1))) {
    labels.push(i + 1);
    i += 2;
    while (i < n && isLabel(text.charCodeAt(i))) i++;
  }
  for (let k = labels.length - 1; k >= 0; k--) {
    let q = labels[k] as number;
    while (isAsciiLetter(text.charCodeAt(q))) q++;
    if (q - (labels[k] as number) >= 2 && !isWord(text.charCodeAt(q))) return q;
  }
  return -1;
}

/**
 * International phone numbers (+33 6 12 34 56 78, +44 20 7946 0958, +1 (555) 123-4567, +33612345678): the matches of
 * `(?<![\w+])\+\d{1,3}(?:[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?){1,6}(?![\w])` (global).
 *
 * @remarks The regex is linear but slow: after a `+` followed by a long run of digits it tries every way of cutting
 * the run into groups (some 10^5 steps per `+`, over a second on 256 KB of "+1111..."). Here the same choices are
 * tried in the same order (see {@link intlPhoneEnd}), each state once.
 */
const findIntlPhone: Finder = (text, from) => {
  for (let p = text.indexOf('+', from); p >= 0; p = text.indexOf('+', p + 1)) {
    const before = p > 0 ? text.charCodeAt(p - 1) : NaN;
    if (isWord(before) || before === 43) continue;
    const end = intlPhoneEnd(text, p + 1);
    if (end >= 0) return { start: p, end };
  }
  return undefined;
};

/** Most groups after the country code. */
const PHONE_GROUPS = 6;
/** Longest match after the `+`: a 3-digit code, then six groups of at most 11 characters (` (0) (1234)`). */
const PHONE_SPAN = 3 + PHONE_GROUPS * 11;
const phoneFailed = new Float64Array((PHONE_SPAN + 1) * (PHONE_GROUPS + 1));
let phoneCalls = 0;

/**
 * End of `\d{1,3}(?:group){1,6}(?![\w])` matched at `from` (after the `+`), or -1: the first success in the regex's
 * order of choices (greedy: longer first), exploring a state (position, groups read) that failed once no more.
 */
function intlPhoneEnd(text: string, from: number): number {
  // States that failed, marked with this call's number (no clearing between calls).
  const call = ++phoneCalls;
  const loop = (at: number, groups: number): number => {
    const state = (at - from) * (PHONE_GROUPS + 1) + groups;
    if (phoneFailed[state] === call) return -1;
    if (groups < PHONE_GROUPS) {
      for (const end of phoneGroupEnds(text, at)) {
        const found = loop(end, groups + 1);
        if (found >= 0) return found;
      }
    }
    if (groups >= 1 && !isWord(text.charCodeAt(at))) return at;
    phoneFailed[state] = call;
    return -1;
  };
  for (let code = 3; code >= 1; code--) {
    if (!digitsAt(text, from, code)) continue;
    const found = loop(from + code, 0);
    if (found >= 0) return found;
  }
  return -1;
}

/** True when `text` has `count` digits from `at`. */
function digitsAt(text: string, at: number, count: number): boolean {
  for (let i = at; i < at + count; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** `[ .-]`: a separator inside a phone number. */
const isPhoneSeparator = (c: number): boolean => c === 32 || c === 46 || c === 45;

/** The ends of one `[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?` at `at`, in the regex's order (each `?` and `{1,4}` greedy). */
function phoneGroupEnds(text: string, at: number): number[] {
  const ends: number[] = [];
  for (const a of isPhoneSeparator(text.charCodeAt(at)) ? [at + 1, at] : [at]) {
    const zero = text.startsWith('(0)', a) ? (isPhoneSeparator(text.charCodeAt(a + 3)) ? [a + 4, a + 3, a] : [a + 3, a]) : [a];
    for (const b of zero) {
      for (const c of text.charCodeAt(b) === 40 ? [b + 1, b] : [b]) {
        let run = 0;
        while (run < 4 && isDigit(text.charCodeAt(c + run))) run++;
        for (let d = run; d >= 1; d--) {
          if (text.charCodeAt(c + d) === 41) ends.push(c + d + 1);
          ends.push(c + d);
        }
      }
    }
  }
  return ends;
}

// ---------------------------------------------------------------------------------------------------------------
// The second card pass: cards as people also type them.

/**
 * White space between the groups of a number: space, tab, no-break and typographic spaces (U+00A0, U+2000-U+200A,
 * U+202F, U+205F, U+3000), and the invisible marks that right-to-left text carries around digits (U+061C,
 * U+200B-U+200F, U+202A-U+202E, U+2060, U+2066-U+2069, U+FEFF). Not line breaks: lines are separate numbers.
 */
function isGroupSpace(c: number): boolean {
  if (c === 32 || c === 9 || c === 0xa0 || c === 0x61c || c === 0x3000 || c === 0xfeff) return true;
  if (c >= 0x2000 && c <= 0x200f) return true;
  return (c >= 0x202a && c <= 0x202f) || c === 0x205f || c === 0x2060 || (c >= 0x2066 && c <= 0x2069);
}

/** A dash between groups: `-`, the Unicode hyphens and dashes (U+2010-U+2015), minus, small and fullwidth `-`. */
const isGroupDash = (c: number): boolean =>
  c === 45 || (c >= 0x2010 && c <= 0x2015) || c === 0x2212 || c === 0xfe63 || c === 0xff0d;
/** `.` or the fullwidth full stop. */
const isGroupDot = (c: number): boolean => c === 46 || c === 0xff0e;
/** `[A-Za-z0-9]`. */
const isAsciiAlnum = (c: number): boolean => isDigit(c) || isAsciiLetter(c);

/** A decimal digit of any script at one position (sticky; with `u`, an astral digit is read as its surrogate pair). */
const UNICODE_DIGIT = /\p{Nd}/uy;
/** Digit values of the BMP, filled in as met: 0 not known yet, 1 not a digit, else 2 + the value. */
const bmpDigitValues = new Uint8Array(0x10000);
/** Values of the astral digits met (Unicode has a few hundred). */
const astralDigitValues = new Map<number, number>();

const isUnicodeDigit = (s: string, at: number): boolean => {
  UNICODE_DIGIT.lastIndex = at;
  return UNICODE_DIGIT.test(s);
};

/** Value of a code point that is a digit: Unicode encodes every script's digits 0 to 9 in a row, in that order. */
function unicodeDigitValue(cp: number): number {
  let zero = cp;
  while (isUnicodeDigit(String.fromCodePoint(zero - 1), 0)) zero--;
  return (cp - zero) % 10;
}

/**
 * Value (0-9) of the decimal digit at `i`, or -1: ASCII, fullwidth (U+FF10-U+FF19), Arabic-Indic (U+0660-U+0669),
 * Extended Arabic-Indic (U+06F0-U+06F9), Devanagari... any `\p{Nd}`, astral ones as a surrogate pair.
 */
function digitAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 48 && c <= 57) return c - 48;
  if (!(c >= 0x660)) return -1; // past the end, or below the first digit after ASCII's
  if (c < 0xd800 || c > 0xdfff) {
    let v = bmpDigitValues[c] as number;
    if (v === 0) {
      v = isUnicodeDigit(text, i) ? 2 + unicodeDigitValue(c) : 1;
      bmpDigitValues[c] = v;
    }
    return v - 2;
  }
  const cp = text.codePointAt(i) as number;
  if (cp < 0x10000) return -1; // a lone or trailing surrogate
  let v = astralDigitValues.get(cp);
  if (v === undefined) {
    if (!isUnicodeDigit(text, i)) return -1;
    v = unicodeDigitValue(cp);
    astralDigitValues.set(cp, v);
  }
  return v;
}

/** UTF-16 length of the digit at `i`: 2 for an astral one. */
const digitWidth = (text: string, i: number): number => {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff ? 2 : 1;
};

/**
 * Where the next group of a number starts when a separator joins it to the group ending at `at`, else -1. Separators:
 * white space (any amount), a dash with or without white space around it, or a dot right between two digits (not
 * "12. 4242": a sentence ends there).
 */
function nextGroup(text: string, at: number): number {
  if (isGroupDot(text.charCodeAt(at))) return digitAt(text, at + 1) >= 0 ? at + 1 : -1;
  let j = at;
  while (isGroupSpace(text.charCodeAt(j))) j++;
  if (isGroupDash(text.charCodeAt(j))) {
    j++;
    while (isGroupSpace(text.charCodeAt(j))) j++;
  }
  return j > at && digitAt(text, j) >= 0 ? j : -1;
}

/** Where the tracking numbers of the number being read are, in the number as the tracking finder reads it. */
interface NumberTracking {
  /** How many letters and digits glued to the number come first. */
  readonly glue: number;
  /** The tracking numbers, in order. */
  readonly spans: readonly Span[];
}

/**
 * The number the second card pass is reading (one at a time, so its arrays are reused): its digits in ASCII, where
 * each group starts and ends in the text, how many digits come before each group (`before[groups]`: all of them), and
 * once asked, its tracking numbers (see {@link inTrackingNumber}).
 */
const reading = {
  digits: '',
  starts: [] as number[],
  ends: [] as number[],
  before: [] as number[],
  tracking: undefined as NumberTracking | undefined,
  /** The tracking finder of the redactor reading (see {@link RedactorOptions.trackingNumbers}). */
  finder: undefined as TrackingNumberFinder | undefined,
};

/** Reads the number whose first digit is at `from` into {@link reading}; returns the index after its last digit. */
function readNumber(text: string, from: number): number {
  const { starts, ends, before } = reading;
  starts.length = ends.length = before.length = 0;
  reading.tracking = undefined;
  let digits = '';
  let at = from;
  for (;;) {
    starts.push(at);
    before.push(digits.length);
    for (let v = digitAt(text, at); v >= 0; v = digitAt(text, at)) {
      digits += String.fromCharCode(48 + v);
      at += digitWidth(text, at);
    }
    ends.push(at);
    const next = nextGroup(text, at);
    if (next < 0) break;
    at = next;
  }
  before.push(digits.length);
  reading.digits = digits;
  return at;
}

/**
 * Groups `s` to `e` (excluded) of {@link reading} are a card: length, issuer and Luhn (see `plausibleCard`), and
 * groups of three digits or more but the last, as people type a card's (4-4-4-4, 4-6-5, 4-4-4-4-2...): French phone
 * pairs, single digits, the decimals of "12.50 13.75" and the "2" of "qty 2 4242 ..." are never read as the start or
 * the middle of one.
 */
function isCardAt(s: number, e: number): boolean {
  const { before } = reading;
  for (let g = s; g < e - 1; g++) if ((before[g + 1] as number) - (before[g] as number) < 3) return false;
  return plausibleCard(reading.digits.slice(before[s], before[e]));
}

/** Most ASCII letters and digits a tracking number has next to 13 digits in a row: `1Z` and three more (UPS). */
const TRACKING_GLUE = 5;

/**
 * True when groups `s` to `e` (excluded) of {@link reading}, a card in doubt, are part of a tracking number: one that
 * the tracking finder finds in the number, written with single spaces between its groups (as a customer types it for
 * the tracking dialog) and with the letters and digits glued to it (`1Z`, `JJD`), whose check digit holds, and that
 * overlaps the card and reaches beyond it. A tracking number inside the card, or the card itself, does not count: a
 * 19-digit card may hold a FedEx number, and a whole number that is both is taken for a card, as the first pass does.
 *
 * @remarks The tracking finder runs at most once per number (linear in its length), and only when a card is in doubt;
 * each question then looks at the few tracking numbers around the card. The finder reads the number alone: a whole
 * number that one of its all-digit formats accepts ("1234 4242 4242 4242 4242" can be a USPS number) is a tracking
 * number, however its tail reads.
 */
function inTrackingNumber(text: string, s: number, e: number): boolean {
  const { glue, spans } = (reading.tracking ??= trackingOf(text));
  const { before } = reading;
  // Where the card stands in the number as read for the tracking finder: after the glue, its digits and one space
  // between groups.
  const start = glue + (before[s] as number) + s;
  const end = glue + (before[e] as number) + e - 1;
  let k = 0;
  for (let hi = spans.length; k < hi; ) {
    const mid = (k + hi) >> 1;
    if ((spans[mid] as Span).end <= start) k = mid + 1;
    else hi = mid;
  }
  for (; k < spans.length && (spans[k] as Span).start < end; k++) {
    if ((spans[k] as Span).start < start || (spans[k] as Span).end > end) return true;
  }
  return false;
}

/** The tracking numbers of {@link reading}, read from `text` (see {@link inTrackingNumber}). */
function trackingOf(text: string): NumberTracking {
  const { digits, starts, ends, before, finder } = reading;
  const first = starts[0] as number;
  if (!finder) return { glue: 0, spans: [] };
  const last = ends[ends.length - 1] as number;
  let a = first;
  while (a > first - TRACKING_GLUE && isAsciiAlnum(text.charCodeAt(a - 1))) a--;
  let b = last;
  while (b < last + TRACKING_GLUE && isAsciiAlnum(text.charCodeAt(b))) b++;
  let spaced = text.slice(a, first);
  for (let g = 0; g < starts.length; g++) spaced += (g > 0 ? ' ' : '') + digits.slice(before[g], before[g + 1]);
  spaced += text.slice(last, b);
  const spans = finder(spaced).map((m) => ({ start: m.index, end: m.index + m.length }));
  return { glue: first - a, spans };
}

/**
 * End group of the longest card (see {@link isCardAt}) that starts at group `lo` of {@link reading} and ends at a
 * group's end at or before `hi`, or -1. A card `inDoubt` (see {@link maskNumber}) that is part of a tracking number
 * is no card.
 */
function cardFrom(text: string, lo: number, hi: number, inDoubt: boolean): number {
  const { before } = reading;
  const start = before[lo] as number;
  let e = lo + 1;
  while (e < hi && (before[e + 1] as number) - start <= CARD_MAX) e++;
  for (; e > lo; e--) {
    const count = (before[e] as number) - start;
    if (count < CARD_MIN) return -1;
    if (count <= CARD_MAX && isCardAt(lo, e) && !(inDoubt && inTrackingNumber(text, lo, e))) return e;
  }
  return -1;
}

/**
 * Start and end groups of a card of {@link reading} (see {@link isCardAt}) that ends at group `hi`, or is followed by
 * at most four more digits (its CVC or expiry), and starts after group `lo`; `undefined` when there is none. It is
 * no part of a tracking number (see {@link inTrackingNumber}), and the shortest is taken first, so that the number
 * typed before it ("qty 2") stays as written.
 */
function cardTo(text: string, lo: number, hi: number): readonly [number, number] | undefined {
  const { before } = reading;
  const end = before[hi] as number;
  for (let e = hi; e > lo && end - (before[e] as number) <= 4; e--) {
    let s = e - 1;
    while (s > lo && (before[e] as number) - (before[s] as number) < CARD_MIN) s--;
    for (; s > lo; s--) {
      const count = (before[e] as number) - (before[s] as number);
      if (count > CARD_MAX) break;
      if (isCardAt(s, e) && !inTrackingNumber(text, s, e)) return [s, e];
    }
  }
  return undefined;
}

/**
 * {@link reading} (read from `text`) with its cards masked, or `undefined` when it has none.
 *
 * @remarks Read from its first group as the first pass reads a run: the longest card starting there (its tail in the
 * token when at most four digits follow), then the rest the same way. When no card starts there: the card that ends
 * the number (see {@link cardTo}), then what is before it, from its end again. A card is in doubt when it does not
 * start the number, or the number is glued to a letter, digit or `_` on its left (a piece of a longer token?): it
 * is masked only when it is no part of a tracking number (see {@link inTrackingNumber}). Each step costs a bounded
 * number of checks (at most seven lengths from a start; five ends and seven lengths from an end), and each step finds
 * a card of 13 digits or more or ends the reading: linear in the number's length.
 */
function maskNumber(text: string, from: number, to: number): string | undefined {
  const { digits, starts, ends, before } = reading;
  const glued = isWord(text.charCodeAt(from - 1));
  const head: Array<[number, number, number]> = []; // [first group, end group of the card, end group of the token]
  const tail: Array<[number, number, number]> = []; // the same, found from the end: in reverse order
  let lo = 0;
  let hi = starts.length;
  let fromStart = true;
  while (lo < hi) {
    if (fromStart) {
      const e = cardFrom(text, lo, hi, lo > 0 || glued);
      if (e > 0) {
        const shortTail = (before[hi] as number) - (before[e] as number) <= 4;
        head.push([lo, e, shortTail ? hi : e]);
        if (shortTail) break;
        lo = e;
        continue;
      }
      // Every card starting at `lo` was tried: none will, whatever is cut off the end.
      fromStart = false;
    }
    const card = cardTo(text, lo, hi);
    if (!card) break;
    tail.push([card[0], card[1], hi]);
    hi = card[0];
  }
  if (head.length === 0 && tail.length === 0) return undefined;
  let out = '';
  let at = from;
  for (const [s, e, t] of [...head, ...tail.reverse()]) {
    const last = before[e] as number;
    out += `${text.slice(at, starts[s])}[card •••• ${digits.slice(last - 4, last)}]`;
    at = ends[t - 1] as number;
  }
  return out + text.slice(at, to);
}

/** A match whose replacement its scanner worked out (it needed the text around the match). */
interface Replacement extends Span {
  readonly token: string;
}

/** Every match in `text`, in order, with its replacement. */
type Scanner = (text: string, trackingNumbers: TrackingNumberFinder | undefined) => Replacement[];

/**
 * The second card pass: every number of 13 digits or more (see {@link nextGroup} for what joins its groups, any
 * script's digits, whatever stands around it) that holds a card the first pass left, with its cards masked (see
 * {@link maskNumber}). Only the cards change: the token, with the last four digits in ASCII, takes the place of the
 * card's digits (and of a CVC or expiry typed right after it); the rest of the number stays as written.
 *
 * @remarks One pass: a number is read once, from its first digit, and the search goes on after its last.
 */
const scanCards: Scanner = (text, trackingNumbers) => {
  const found: Replacement[] = [];
  reading.finder = trackingNumbers;
  for (let i = 0; i < text.length; ) {
    if (digitAt(text, i) < 0) {
      i++;
      continue;
    }
    const end = readNumber(text, i);
    const token = reading.digits.length >= CARD_MIN ? maskNumber(text, i, end) : undefined;
    if (token !== undefined) found.push({ start: i, end, token });
    i = end;
  }
  return found;
};

// ---------------------------------------------------------------------------------------------------------------
// Replacements.

/**
 * A card run is a card when the whole run is one; else when it starts with one (a card followed by its CVC or expiry,
 * or by another number): the short tail (<= 4 digits) goes into the token, a longer tail stays, itself read the same
 * way (a second card typed after the first, "4242 4242 4242 4242 4000 0566 5566 5556", is masked too).
 *
 * @remarks Only the cuts leaving 13 to 19 digits in front can give a card: at most seven Luhn checks per card,
 * whatever the length of the run.
 */
function redactCard(match: string): string | undefined {
  const all = digitsOf(match);
  // sepAfter[k]: index in `match` of the separator that follows its k-th digit, -1 when a digit follows directly.
  const sepAfter = new Int32Array(all.length + 1).fill(-1);
  for (let i = 0, k = 0; i < match.length; i++) {
    if (isDigit(match.charCodeAt(i))) k++;
    else sepAfter[k] = i;
  }
  let out: string | undefined;
  for (let start = 0; ; ) {
    const count = cardAt(all, start, sepAfter);
    if (count === 0) return out === undefined ? undefined : out + match.slice(sepAfter[start]);
    const end = start + count;
    const token = `[card •••• ${all.slice(end - 4, end)}]`;
    out = out === undefined ? token : `${out}${match.charAt(sepAfter[start])}${token}`;
    if (all.length - end <= 4) return out;
    start = end;
  }
}

/**
 * Digits of the card the run's digits `all` begin with from index `start`: all of them when they are a card, else
 * the longest card ending at a separator (`sepAfter`, see {@link redactCard}); 0 when there is none.
 */
function cardAt(all: string, start: number, sepAfter: Int32Array): number {
  const left = all.length - start;
  if (left <= CARD_MAX && plausibleCard(all.slice(start))) return left;
  for (let head = Math.min(CARD_MAX, left - 1); head >= CARD_MIN; head--) {
    if (sepAfter[start + head] >= 0 && plausibleCard(all.slice(start, start + head))) return head;
  }
  return 0;
}

const inRange = (n: number, min: number, max: number): boolean => n >= min && n <= max;

// The regex may run past the IBAN into a following word ("FR76 ... 189 merci" is not, but "FR76...189 ab12" could):
// take the longest prefix that is a valid IBAN and keep the rest as written. Matches are at most 38 characters
// besides separators, so this costs a bounded amount per match.
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

type Replace = RedactionRule['replace'];

/**
 * A built-in rule: a linear finder and its replacement, or a global regex `recheck` proves linear
 * (tests/security/redos.test.ts) and its replacement, or a linear scanner that works out each replacement itself.
 */
type BuiltInRule = { readonly name: BuiltInRuleName } & (
  | { readonly find: Finder | RegExp; readonly replace: Replace }
  | { readonly scan: Scanner }
);

// In this order: an IBAN's digits are not taken for a card, a card's for a phone number. The second card pass comes
// last, on what the others left: an e-mail address or a phone number next to a card is masked as before, and the pass
// changes nothing but the cards it masks.
const BUILT_IN: readonly BuiltInRule[] = [
  { name: 'iban', find: IBAN, replace: redactIban },
  { name: 'card', find: findCard, replace: redactCard },
  { name: 'email', find: findEmail, replace: '[email]' },
  { name: 'phone', find: findIntlPhone, replace: (m: string) => (inRange(digitsOf(m).length, 8, 15) ? '[phone]' : undefined) },
  { name: 'phone', find: PHONE_FR, replace: '[phone]' },
  { name: 'phone', find: PHONE_US, replace: '[phone]' },
  { name: 'card', scan: scanCards },
];

/** `text` with the rule applied (see {@link replaceMatches} and {@link replaceScanned}). */
const applyRule = (text: string, rule: BuiltInRule, keep: (candidate: string) => boolean, tracking: TrackingNumberFinder | undefined): string =>
  'scan' in rule ? replaceScanned(text, rule.scan(text, tracking), keep) : replaceMatches(text, rule.find, rule.replace, keep);

/**
 * `text` with every match of `find` replaced, as `String.prototype.replace` with a global regex does: `keep` is asked
 * about each match first; `replace` gives the token, or `undefined` to keep the match.
 */
function replaceMatches(text: string, find: Finder | RegExp, replace: Replace, keep: (candidate: string) => boolean): string {
  const replacer = (match: string): string => {
    if (keep(match)) return match;
    return (typeof replace === 'string' ? replace : replace(match)) ?? match;
  };
  if (typeof find !== 'function') return text.replace(find, replacer);
  let out = '';
  let last = 0;
  for (let span = find(text, 0); span; span = find(text, span.end)) {
    out += text.slice(last, span.start) + replacer(text.slice(span.start, span.end));
    last = span.end;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** `text` with the scanned replacements made, in order; `keep` is asked about each match first. */
function replaceScanned(text: string, found: readonly Replacement[], keep: (candidate: string) => boolean): string {
  let out = '';
  let last = 0;
  for (const { start, end, token } of found) {
    const match = text.slice(start, end);
    out += text.slice(last, start) + (keep(match) ? match : token);
    last = end;
  }
  return found.length === 0 ? text : out + text.slice(last);
}

/**
 * Removes personal data from text before it goes into a case, a transcript, a hub or a summary.
 *
 * @remarks Built in: card numbers (13-19 digits, Luhn and issuer checked) -> `[card •••• 4242]`, however their
 * groups are separated (spaces, tabs, no-break spaces, dashes, dots), with letters glued on, in any script's digits
 * (fullwidth, Arabic-Indic...), after a short number ("qty 2 4242 ..."); IBANs (mod-97 checked) -> `[IBAN FR76 •••]`;
 * e-mail addresses -> `[email]`; phone numbers (international, French, US) -> `[phone]`. Tracking numbers (UPS
 * `1Z...`, UPU S10 `RR123456789FR`, all-digit carrier numbers) are left alone, those holding a card-sized piece when
 * the {@link RedactorOptions.trackingNumbers} finder knows them. The built-in rules run in time linear
 * in the text (one pass each); developer `rules` run after them, as written. Text without digits (of any script) or
 * `@` is returned at once.
 * @example new Redactor().redact('my card is 4242 4242 4242 4242') // 'my card is [card •••• 4242]'
 * @example new Redactor({ disable: ['iban', 'email', 'phone'] }).redact(view) // cards only (agent views)
 */
export class Redactor {
  private readonly builtIn: readonly BuiltInRule[];
  private readonly rules: readonly RedactionRule[];
  private readonly keep: (candidate: string) => boolean;
  private readonly trackingNumbers: TrackingNumberFinder | undefined;
  /** What a text must hold for some rule to match, when only built-in rules run. */
  private readonly trigger: RegExp | undefined;

  constructor(options: RedactorOptions = {}) {
    for (const r of options.rules ?? []) {
      if (!r.pattern.global) throw new TypeError(`Redactor: rule "${r.name}" needs a global (g) pattern`);
    }
    const off = new Set<string>(options.disable ?? []);
    this.builtIn = BUILT_IN.filter((r) => !off.has(r.name));
    this.rules = [...(options.rules ?? [])];
    this.keep = options.keep ?? (() => false);
    this.trackingNumbers = options.trackingNumbers;
    // Every built-in match holds a digit (a card's may be of any script), except an e-mail address (an `@`).
    this.trigger = this.rules.length > 0 ? undefined : this.builtIn.some((r) => r.name === 'email') ? /[\p{Nd}@]/u : /\p{Nd}/u;
  }

  /** Returns `text` with every personal datum replaced by a labelled token. */
  redact(text: string): string {
    if (this.trigger && !this.trigger.test(text)) return text;
    let out = text;
    for (const rule of this.builtIn) out = applyRule(out, rule, this.keep, this.trackingNumbers);
    for (const rule of this.rules) out = replaceMatches(out, rule.pattern, rule.replace, this.keep);
    return out;
  }

  /**
   * A redactor with only the built-in rules named, and this one's tracking-number finder (no developer rules, no
   * `keep`).
   *
   * @example redactor.restrictTo(['card']) // what an agent may read live: card numbers masked, the rest as written
   */
  restrictTo(names: readonly BuiltInRuleName[]): Redactor {
    const on = new Set(names);
    return new Redactor({
      disable: BUILT_IN_NAMES.filter((n) => !on.has(n)),
      ...(this.trackingNumbers ? { trackingNumbers: this.trackingNumbers } : {}),
    });
  }
}

const BUILT_IN_NAMES: readonly BuiltInRuleName[] = ['card', 'iban', 'email', 'phone'];

/** The built-in redactor with default options. */
export const defaultRedactor = new Redactor();

/** Redacts `text` with the built-in rules (see {@link Redactor}). */
export const redact = (text: string): string => defaultRedactor.redact(text);
