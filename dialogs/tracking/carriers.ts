import type { CarrierId } from './trackingProvider';

/**
 * Identifies which tracking-number format matched.
 *
 * @remarks Check-digit rules, researched from the carriers' label specifications as collected by the
 * public `tracking_number_data` project, the UPU S10 standard and La Poste samples:
 * - `ups`: `1Z` + 15 characters + check; UPS modified mod 10 (letters map to `(code - 3) % 10`, every
 *   second character from the left doubled).
 * - `fedex_express`: 12 digits; weights 3,1,7 (repeating, left to right) on the first 11, sum mod 11
 *   mod 10.
 * - `fedex_ground`: 15 digits; GS1 mod 10 (weights 3,1 from the right) on the first 14.
 * - `fedex_ground_96`: 22 digits starting `96`; GS1 mod 10 on the last 15 (14 + check).
 * - `fedex_34`: 34 digits starting `100` (Express) or `96` (Ground GSN); weights 1,7,3 on digits 21–33,
 *   sum mod 11 mod 10.
 * - `fedex_smartpost`: 20 digits that validate only with the implied `92` application identifier.
 * - `usps_impb`: 22 or 26 digits starting `91`–`95`, optionally behind a `420` + ZIP routing prefix (30 or
 *   34 digits); GS1 mod 10 over the whole tracking part.
 * - `usps_20`: 20 digits; GS1 mod 10 as printed, or with the implied `91` identifier.
 * - `dhl_express`: 10 digits; the first 9 as an integer mod 7 equals the last.
 * - `dhl_jjd`: `JJD` + 10–20 digits, or `JVGL` + 9–10 digits (DHL piece ids; no check digit defined).
 * - `laposte_13`: a digit, a letter, 10 digits and a GS1 mod 10 check digit (e.g. Colissimo `6A…`, `8R…`).
 *   Parcel products (first digit 5–9, Colissimo) are checked; letter products (first digit 0–4, Lettre
 *   suivie / recommandée) are accepted on format only because their key is not publicly confirmed.
 * - `s10`: UPU S10 — 2 letters, 8 digits, a check digit (weights 8,6,4,2,3,5,9,7; `11 - sum mod 11`, 10→0,
 *   11→5) and an ISO 3166-1 country code. `…US` is USPS, `X…FR` Chronopost, `C…FR` Colissimo,
 *   other `…FR` La Poste, the rest the issuing postal operator (`upu`).
 */
export type TrackingFormatId =
  | 'ups'
  | 'fedex_express'
  | 'fedex_ground'
  | 'fedex_ground_96'
  | 'fedex_34'
  | 'fedex_smartpost'
  | 'usps_impb'
  | 'usps_20'
  | 'dhl_express'
  | 'dhl_jjd'
  | 'laposte_13'
  | 's10';

/** Whether a check digit was verified for a match. */
export type CheckDigitState = 'valid' | 'invalid' | 'none';

/** One tracking number found in free text by {@link findTrackingNumbers}. */
export interface TrackingNumberMatch {
  /** Upper case, without spaces or dashes, e.g. `1Z999AA10123456784`. */
  readonly normalized: string;
  readonly carrier: CarrierId;
  readonly format: TrackingFormatId;
  /** True when the format matched and its check digit holds (or the format defines none). */
  readonly valid: boolean;
  /** `none` when the format defines no (publicly known) check digit. */
  readonly checkDigit: CheckDigitState;
  /** Offset of the match in the searched text. */
  readonly index: number;
  /** Length of the match in the searched text (spaces and dashes included). */
  readonly length: number;
}

/** A tracking number that is well formed and whose check digit holds. */
export interface ValidTrackingNumber {
  readonly valid: true;
  readonly carrier: CarrierId;
  readonly normalized: string;
  readonly format: TrackingFormatId;
  readonly checkDigit: CheckDigitState;
}

/** Why a text is not a usable tracking number, and what one looks like. */
export interface InvalidTrackingNumber {
  readonly valid: false;
  /** `check_digit`: shaped like carrier X's numbers but the check digit is wrong (a typo); `format`: not a tracking number. */
  readonly reason: 'check_digit' | 'format';
  /** The carrier the text most resembles, when there is a hint (prefix, length). */
  readonly carrierGuess?: CarrierId;
  /** Short human description of the expected format, in the requested language, with an example. */
  readonly expected: string;
}

/** Result of {@link validateTrackingNumber}. */
export type TrackingNumberValidation = ValidTrackingNumber | InvalidTrackingNumber;

/** Options for {@link validateTrackingNumber}. */
export interface ValidateTrackingNumberOptions {
  /** Language of {@link InvalidTrackingNumber.expected}: a BCP 47 tag; `fr…` gives French, anything else English. */
  readonly locale?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Check-digit algorithms (pure, on normalised upper-case strings).

const CODE_0 = 48;

/** Numeric value of a character for the UPS / mod 10 schemes: digits as is, letters `(code - 3) % 10`. */
function charValue(c: string): number {
  const code = c.charCodeAt(0);
  return code >= CODE_0 && code <= CODE_0 + 9 ? code - CODE_0 : (code - 3) % 10;
}

/** GS1 mod 10: weights 3,1,3,1… from the rightmost digit of `body`; returns the check digit. */
function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = body.length - 1, k = 0; i >= 0; i -= 1, k += 1) {
    sum += (body.charCodeAt(i) - CODE_0) * (k % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

const gs1Valid = (s: string): boolean => gs1CheckDigit(s.slice(0, -1)) === s.charCodeAt(s.length - 1) - CODE_0;

function upsValid(s: string): boolean {
  // s = 1Z + 15 characters + check digit
  let sum = 0;
  for (let i = 2; i < 17; i += 1) sum += charValue(s[i]) * ((i - 2) % 2 === 1 ? 2 : 1);
  const last = s.charCodeAt(17) - CODE_0;
  return last >= 0 && last <= 9 && (10 - (sum % 10)) % 10 === last;
}

/** Weighted sum mod 11 mod 10 (FedEx Express). */
function weightedMod11(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) sum += (digits.charCodeAt(i) - CODE_0) * weights[i % weights.length];
  return (sum % 11) % 10;
}

const FEDEX_12_WEIGHTS = [3, 1, 7] as const;
const FEDEX_34_WEIGHTS = [1, 7, 3] as const;
const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;

function s10CheckDigit(eightDigits: string): number {
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += (eightDigits.charCodeAt(i) - CODE_0) * S10_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}

function dhlMod7Valid(s: string): boolean {
  return Number(s.slice(0, 9)) % 7 === s.charCodeAt(9) - CODE_0;
}

// ISO 3166-1 alpha-2 codes (officially assigned), for the S10 country suffix.
const ISO_COUNTRIES = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO ' +
    'JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR ' +
    'MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO ' +
    'RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV ' +
    'TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

// ---------------------------------------------------------------------------------------------------------
// Formats. `strength` drives free-text detection: `strong` shapes (letters, fixed prefixes) are reported
// even with a wrong check digit; `digits` shapes are plain digit runs that must not be a phone number,
// amount, order number or date; `weak` ones (10 and 12 digits) also need a tracking context.

type Strength = 'strong' | 'digits' | 'weak';

interface FormatHit {
  readonly format: TrackingFormatId;
  readonly carrier: CarrierId;
  readonly checkDigit: CheckDigitState;
  readonly strength: Strength;
}

interface FormatDef {
  readonly format: TrackingFormatId;
  /** Every length `shape` can match (checked first: most candidates of a long digit run have none of them). */
  readonly lengths: readonly number[];
  readonly shape: RegExp;
  readonly strength: Strength;
  /** Returns the carrier and check state for a string that has the shape, or undefined to reject it. */
  readonly test: (s: string) => { carrier: CarrierId; checkDigit: CheckDigitState } | undefined;
}

const checked = (carrier: CarrierId, ok: boolean) => ({ carrier, checkDigit: ok ? ('valid' as const) : ('invalid' as const) });

function s10Carrier(s: string): CarrierId {
  const country = s.slice(11);
  if (country === 'US') return 'usps';
  if (country === 'FR') {
    if (s[0] === 'X') return 'chronopost';
    if (s[0] === 'C') return 'colissimo';
    return 'laposte';
  }
  return 'upu';
}

const FORMATS: readonly FormatDef[] = [
  { format: 'ups', lengths: [18], shape: /^1Z[0-9A-Z]{16}$/, strength: 'strong', test: (s) => checked('ups', upsValid(s)) },
  {
    format: 's10',
    lengths: [13],
    shape: /^[A-Z]{2}\d{9}[A-Z]{2}$/,
    strength: 'strong',
    test: (s) =>
      ISO_COUNTRIES.has(s.slice(11)) ? checked(s10Carrier(s), s10CheckDigit(s.slice(2, 10)) === s.charCodeAt(10) - CODE_0) : undefined,
  },
  {
    format: 'laposte_13',
    lengths: [13],
    shape: /^\d[A-Z]\d{11}$/,
    strength: 'strong',
    test: (s) => {
      const parcel = s.charCodeAt(0) - CODE_0 >= 5;
      if (!parcel) return { carrier: 'laposte', checkDigit: 'none' };
      return checked('colissimo', gs1CheckDigit(s.slice(2, 12)) === s.charCodeAt(12) - CODE_0);
    },
  },
  {
    format: 'dhl_jjd',
    lengths: [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23],
    shape: /^(?:JJD\d{10,20}|JVGL\d{9,10})$/,
    strength: 'strong',
    test: () => ({ carrier: 'dhl', checkDigit: 'none' }),
  },
  {
    format: 'usps_impb',
    lengths: [22, 26, 30, 34],
    shape: /^(?:420\d{5}(?:\d{4})?)?9[1-5]\d{20}(?:\d{4})?$/,
    strength: 'strong',
    test: (s) => {
      // Strip the optional 420 + ZIP (5 or 9 digits) routing prefix: the tracking part is 22 or 26 digits.
      for (const tracking of uspsTrackingParts(s)) if (gs1Valid(tracking)) return { carrier: 'usps', checkDigit: 'valid' };
      return uspsTrackingParts(s).length > 0 ? { carrier: 'usps', checkDigit: 'invalid' } : undefined;
    },
  },
  { format: 'fedex_ground_96', lengths: [22], shape: /^96\d{20}$/, strength: 'strong', test: (s) => checked('fedex', gs1Valid(s.slice(7))) },
  {
    format: 'fedex_34',
    lengths: [33, 34, 35],
    shape: /^(?:100|96)\d{31,32}$/,
    strength: 'strong',
    test: (s) => (s.length === 34 ? checked('fedex', weightedMod11(s.slice(20, 33), FEDEX_34_WEIGHTS) === s.charCodeAt(33) - CODE_0) : undefined),
  },
  {
    format: 'usps_20',
    lengths: [20],
    shape: /^\d{20}$/,
    strength: 'digits',
    test: (s) => (gs1Valid(s) || gs1Valid(`91${s}`) ? { carrier: 'usps', checkDigit: 'valid' } : { carrier: 'usps', checkDigit: 'invalid' }),
  },
  { format: 'fedex_smartpost', lengths: [20], shape: /^\d{20}$/, strength: 'digits', test: (s) => checked('fedex', gs1Valid(`92${s}`)) },
  { format: 'fedex_ground', lengths: [15], shape: /^\d{15}$/, strength: 'digits', test: (s) => checked('fedex', gs1Valid(s)) },
  {
    format: 'fedex_express',
    lengths: [12],
    shape: /^\d{12}$/,
    strength: 'weak',
    test: (s) => checked('fedex', weightedMod11(s.slice(0, 11), FEDEX_12_WEIGHTS) === s.charCodeAt(11) - CODE_0),
  },
  { format: 'dhl_express', lengths: [10], shape: /^\d{10}$/, strength: 'weak', test: (s) => checked('dhl', dhlMod7Valid(s)) },
];

/** The formats that can match a string of each length, in the order of {@link FORMATS}. */
const FORMATS_BY_LENGTH: ReadonlyArray<readonly FormatDef[] | undefined> = (() => {
  const byLength: FormatDef[][] = [];
  for (const def of FORMATS) for (const n of def.lengths) (byLength[n] ??= []).push(def);
  return byLength;
})();

function uspsTrackingParts(s: string): string[] {
  const parts: string[] = [];
  const add = (p: string) => {
    if ((p.length === 22 || p.length === 26) && /^9[1-5]/.test(p)) parts.push(p);
  };
  add(s);
  if (s.startsWith('420')) {
    add(s.slice(8));
    add(s.slice(12));
  }
  return parts;
}

const MIN_LEN = 10;
const MAX_LEN = 34;

/** Best format for a normalised candidate: a valid one first, else the first shape that matched. */
function classify(s: string): FormatHit | undefined {
  if (s.length < MIN_LEN || s.length > MAX_LEN) return undefined;
  let firstInvalid: FormatHit | undefined;
  for (const def of FORMATS_BY_LENGTH[s.length] ?? []) {
    if (!def.shape.test(s)) continue;
    const r = def.test(s);
    if (!r) continue;
    const hit: FormatHit = { format: def.format, carrier: r.carrier, checkDigit: r.checkDigit, strength: def.strength };
    if (r.checkDigit !== 'invalid') return hit;
    firstInvalid ??= hit;
  }
  return firstInvalid;
}

// ---------------------------------------------------------------------------------------------------------
// Free-text detection.

// A token is a run of letters/digits; tokens are joined across single separators a customer types inside a
// number (space, no-break spaces, dash). Anything else (punctuation, slash, dot, +) ends a group.
const TOKEN = /[A-Za-z0-9]+/g;
const JOINER = /^[ \u00A0\u202F\t]{1,2}$|^ ?[-\u2010\u2011\u2013] ?$/;
const DIGITS_ONLY = /^\d+$/;
const NO_DIGIT_PREFIX = /^\D{5}/;

// Context cues (lower-cased text). Compiled once.
const TRACKING_CONTEXT =
  /\b(?:dhl|fedex|fed ex|ups|usps|waybill|awb|track(?:ing)?|suivi|suivre|num(?:é|e)ro|number|colis|parcel|package|shipment|envoi|exp(?:é|e)dition|livraison|delivery|lettre de transport)\b|\bn[°º]/;
const DHL_CONTEXT = /\b(?:dhl|waybill|awb|lettre de transport)\b/;
// Cue words before a number (lower-cased text), matched at one position at a time (sticky); a word comes before
// the cues that match its beginning (`appelez` before `appel`, `référence` before `\bréf\b`: `é` is not `\w`), so
// that each position gives its longest cue. See {@link cueBefore}.
const PHONE_CUE = /phone|t(?:é|e)l(?:é|e)phone|\btel\b|\btél\b|mobile|portable|\bcell\b|call|appelez|appel|rappel|joindre|whatsapp|\bsms\b|\bfax\b/y;
const ORDER_CUE =
  /order|commande|\bcmd\b|invoice|facture|r(?:é|e)f(?:é|e)rence|\bref\b|\bréf\b|account|compte|client|customer|iban|\bcard\b|carte|siret|siren|ticket|dossier|\bcase\b/y;
/** Longest cue word. */
const MAX_CUE_LENGTH = 9;
// What may stand between a cue and the number: punctuation and spaces, then at most four (phone) or two (order)
// words, each followed by white space.
const PHONE_CUE_TAIL = /^[^a-z0-9]*(?:[a-z0-9]\S*\s+(?:\S+\s+){0,3})?$/;
const ORDER_CUE_TAIL = /^[^a-z0-9]*(?:[a-z0-9]\S*\s+(?:\S+\s+)?)?$/;
const TRAILER = /[\s.!?]/;
const AMOUNT_BEFORE = /[$€£¥]\s*$|\b(?:eur|usd|gbp|chf)\s*$/;
const AMOUNT_AFTER = /^\s*(?:[$€£¥]|eur\b|euros?\b|usd\b|dollars?\b|gbp\b|chf\b|%)/;
const DATE_START = /^\d{4}[-\s]\d{1,2}[-\s]\d{1,2}(?:\D|$)|^\d{1,2}[-\s]\d{1,2}[-\s]\d{4}(?:\D|$)/;
const FR_PHONE_PAIRS = /^0\d(?:[ .\-\u00A0]\d{2}){4}$/;
const US_PHONE_GROUPS = /^\d{3}[ \-.\u00A0]\d{3}[ \-.\u00A0]\d{4}$/;
const WINDOW = 40;

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function tokenize(text: string): Token[][] {
  const groups: Token[][] = [];
  let current: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const tok = { text: m[0], start: m.index, end: m.index + m[0].length };
    const prev = current[current.length - 1];
    if (prev && !JOINER.test(text.slice(prev.end, tok.start))) {
      groups.push(current);
      current = [];
    }
    current.push(tok);
  }
  if (current.length) groups.push(current);
  return groups;
}

/**
 * What the checks of plain-digit candidates read of the whole message, each computed at most once per
 * {@link findTrackingNumbers} call: a message of digits holds many candidates, and reading the whole message again
 * for each would make the scan quadratic.
 */
class MessageContext {
  private dhl: boolean | undefined;
  private tracking: boolean | undefined;
  private contentStart = -1;
  private contentEnd = -1;

  constructor(
    readonly text: string,
    readonly lower: string,
  ) {}

  /** DHL (or a waybill) is named somewhere in the message. */
  dhlNamed(): boolean {
    this.dhl ??= DHL_CONTEXT.test(this.lower);
    return this.dhl;
  }

  /** The message names a carrier or speaks of tracking, a parcel, a delivery. */
  trackingNamed(): boolean {
    this.tracking ??= TRACKING_CONTEXT.test(this.lower);
    return this.tracking;
  }

  /** Only white space before `start`, and only white space and `.` `!` `?` from `end` on. */
  alone(start: number, end: number): boolean {
    const { lower } = this;
    if (this.contentStart < 0) {
      this.contentStart = lower.length - lower.trimStart().length;
      let k = lower.length;
      while (k > 0 && TRAILER.test(lower.charAt(k - 1))) k--;
      this.contentEnd = k;
    }
    return start <= this.contentStart && end >= this.contentEnd;
  }
}

/**
 * True when a cue word (`cue`, sticky) stands in `before` with only `tail` after it up to the end: the former
 * `(?:cue words)[^a-z0-9]*(?:\S+\s+){0,4}$`, without its quadratic backtracking.
 *
 * @remarks Whatever follows a cue that passes the tail test, cut anywhere, passes it too; so the cue that ends last
 * decides, and the tail is tested once. Cues are looked for from the end, a bounded number of positions past the
 * first one found.
 */
function cueBefore(before: string, cue: RegExp, tail: RegExp): boolean {
  let end = -1;
  for (let p = before.length - 1; p >= 0 && p + MAX_CUE_LENGTH > end; p--) {
    cue.lastIndex = p;
    if (cue.test(before)) end = Math.max(end, cue.lastIndex);
  }
  return end >= 0 && tail.test(before.slice(end));
}

/** Plain-digit candidates must not be phone numbers, dates, amounts or order numbers (see module notes). */
function plausibleDigits(hit: FormatHit, message: MessageContext, start: number, end: number): boolean {
  const { text, lower } = message;
  const span = text.slice(start, end);
  const before = lower.slice(Math.max(0, start - WINDOW), start);
  const after = lower.slice(end, end + 12);
  if (/\+\s*$/.test(before)) return false;
  if (DATE_START.test(span)) return false;
  if (AMOUNT_BEFORE.test(before) || AMOUNT_AFTER.test(after) || /^[.,]\d/.test(after)) return false;
  if (cueBefore(before, ORDER_CUE, ORDER_CUE_TAIL)) return false;
  const phoneCue = cueBefore(before, PHONE_CUE, PHONE_CUE_TAIL);
  if (hit.strength !== 'weak') return !phoneCue;

  // 10 and 12 digits: too many phone numbers and references have this length, so a tracking context is
  // required: the message is only the number, or it names a carrier / tracking words.
  const alone = message.alone(start, end);
  const dhlNamed = message.dhlNamed();
  if (phoneCue && !dhlNamed) return false;
  if (hit.format === 'dhl_express') {
    // A 10-digit number starting with 0 or typed in phone groups is a phone number unless DHL is named.
    if ((span.startsWith('0') || FR_PHONE_PAIRS.test(span) || US_PHONE_GROUPS.test(span)) && !dhlNamed) return false;
    return alone || dhlNamed || message.trackingNamed();
  }
  return alone || message.trackingNamed();
}

/**
 * Finds the tracking numbers in a customer's message.
 *
 * @remarks Tolerates lower case and the spaces or dashes people type inside numbers
 * ("1z 999 aa1 01 2345 6784", "6a 0099 3561 113"). Returns well-formed numbers (`valid: true`) and numbers
 * whose shape is unmistakable (1Z…, S10, Colissimo, 22-digit USPS…) but whose check digit is wrong
 * (`valid: false`, a typo). Plain digit runs count only when their check digit holds and they do not look
 * like a phone number (a `+` or "call/tel/téléphone" before, French pairs "06 12 34 56 78", US "555-123-4567"),
 * a date (2024-05-12), an amount (currency, decimal) or an order/invoice/reference number. 10-digit (DHL
 * Express) and 12-digit (FedEx Express) numbers, which a random number passes one time in 7 or 10, also need
 * the message to be only the number or to mention tracking, a parcel or the carrier; a 10-digit number
 * starting with 0 counts as DHL only when DHL (or a waybill) is named. Results are in text order.
 * @example findTrackingNumbers('où est mon colis 6Y 1113 8937 441 ?')[0].carrier // 'colissimo'
 */
export function findTrackingNumbers(text: string): TrackingNumberMatch[] {
  const found: TrackingNumberMatch[] = [];
  if (!text) return found;
  const message = new MessageContext(text, text.toLowerCase());
  for (const group of tokenize(text)) {
    // The group's characters upper-cased (tokens are ASCII: same length), and where each token starts in them: a
    // candidate is a slice, made only for a length some format has.
    const chars = group.map((t) => t.text).join('').toUpperCase();
    const offsets = [0];
    for (const t of group) offsets.push(offsets[offsets.length - 1] + t.text.length);
    let i = 0;
    while (i < group.length) {
      let best: { hit: FormatHit; j: number; normalized: string } | undefined;
      const from = offsets[i];
      // Every format has a digit among its first five characters (see FORMATS): no candidate of five characters
      // or more from here can match, so words before a number ("where is my parcel 1Z…") cost no format tests.
      const wordy = from + 5 <= chars.length && NO_DIGIT_PREFIX.test(chars.slice(from, from + 5));
      for (let j = i; j < group.length; j += 1) {
        const length = offsets[j + 1] - from;
        if (length > MAX_LEN) break;
        if (length >= 5 && wordy) break;
        if (!FORMATS_BY_LENGTH[length]) continue;
        const normalized = chars.slice(from, from + length);
        const hit = classify(normalized);
        if (!hit) continue;
        if (hit.strength !== 'strong') {
          // A plain-digit candidate must be a whole run of digit tokens, not a slice of a longer number.
          const allDigits = DIGITS_ONLY.test(normalized);
          const prevDigits = i > 0 && DIGITS_ONLY.test(group[i - 1].text);
          const nextDigits = j + 1 < group.length && DIGITS_ONLY.test(group[j + 1].text);
          if (!allDigits || prevDigits || nextDigits) continue;
          if (hit.checkDigit === 'invalid') continue;
          if (!plausibleDigits(hit, message, group[i].start, group[j].end)) continue;
        }
        if (!best || hit.checkDigit !== 'invalid' || best.hit.checkDigit === 'invalid') best = { hit, j, normalized };
      }
      if (best) {
        const start = group[i].start;
        const end = group[best.j].end;
        found.push({
          normalized: best.normalized,
          carrier: best.hit.carrier,
          format: best.hit.format,
          valid: best.hit.checkDigit !== 'invalid',
          checkDigit: best.hit.checkDigit,
          index: start,
          length: end - start,
        });
        i = best.j + 1;
      } else {
        i += 1;
      }
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Validation of one number and "what a number looks like".

type Lang = 'en' | 'fr';

const EXPECTED: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  ups: {
    en: 'a UPS number has 18 characters: 1Z followed by 16 letters and digits (e.g. 1Z 999 AA1 01 2345 6784)',
    fr: 'un numéro UPS compte 18 caractères : 1Z suivi de 16 lettres et chiffres (ex. 1Z 999 AA1 01 2345 6784)',
  },
  fedex: {
    en: 'a FedEx number has 12, 15, 20, 22 or 34 digits (e.g. 9865 7878 8855)',
    fr: 'un numéro FedEx compte 12, 15, 20, 22 ou 34 chiffres (ex. 9865 7878 8855)',
  },
  usps: {
    en: 'a USPS number has 20 to 22 digits, usually starting with 9 (e.g. 9400 1112 0108 0805 4830 16), or 2 letters, 9 digits and US',
    fr: 'un numéro USPS compte 20 à 22 chiffres, commençant souvent par 9 (ex. 9400 1112 0108 0805 4830 16), ou 2 lettres, 9 chiffres et US',
  },
  dhl: {
    en: 'a DHL Express waybill number has 10 digits (e.g. 33 1881 0025), a DHL parcel number starts with JJD',
    fr: 'un numéro de lettre de transport DHL Express compte 10 chiffres (ex. 33 1881 0025), un colis DHL commence par JJD',
  },
  colissimo: {
    en: 'a La Poste / Colissimo number has 13 characters: a digit, a letter, then 11 digits (e.g. 6Y 1113 8937 441)',
    fr: 'un numéro La Poste / Colissimo compte 13 caractères : un chiffre, une lettre puis 11 chiffres (ex. 6Y 1113 8937 441)',
  },
  chronopost: {
    en: 'a Chronopost number has 13 characters: 2 letters, 9 digits and FR (e.g. XY 746 876 977 FR)',
    fr: 'un numéro Chronopost compte 13 caractères : 2 lettres, 9 chiffres et FR (ex. XY 746 876 977 FR)',
  },
  upu: {
    en: 'an international postal number has 13 characters: 2 letters, 9 digits and a country code (e.g. RB 123 456 785 GB)',
    fr: 'un numéro postal international compte 13 caractères : 2 lettres, 9 chiffres et un code pays (ex. RB 123 456 785 GB)',
  },
  any: {
    en: 'a tracking number has 10 to 34 letters and digits, e.g. 1Z 999 AA1 01 2345 6784 (UPS) or 6Y 1113 8937 441 (Colissimo)',
    fr: 'un numéro de suivi compte 10 à 34 lettres et chiffres, par ex. 6Y 1113 8937 441 (Colissimo) ou 1Z 999 AA1 01 2345 6784 (UPS)',
  },
};

const langOf = (locale: string | undefined): Lang => (locale && /^fr\b/i.test(locale) ? 'fr' : 'en');

/**
 * A short human description of the numbers a carrier uses, with an example, in English or French.
 *
 * @remarks `laposte` shares the Colissimo description; unknown carriers get the generic one.
 * @example describeTrackingFormat('ups', 'fr-FR')
 */
export function describeTrackingFormat(carrier: CarrierId | undefined, locale?: string): string {
  const key = carrier === 'laposte' ? 'colissimo' : carrier && carrier in EXPECTED ? carrier : 'any';
  return EXPECTED[key][langOf(locale)];
}

const STRIP = /[\s\u00A0\u202F\-\u2010\u2011\u2013.]/g;
const NUMBER_PREFIX = /^(?:#|n°|no\.?|nº)\s*/i;

function guessByPrefix(s: string): CarrierId | undefined {
  if (s.startsWith('1Z')) return 'ups';
  if (s.startsWith('JJD') || s.startsWith('JVGL')) return 'dhl';
  if (/^\d[A-Z]\d/.test(s)) return s.charCodeAt(0) - CODE_0 >= 5 ? 'colissimo' : 'laposte';
  if (/^X[A-Z]\d/.test(s) && s.endsWith('FR')) return 'chronopost';
  if (/^[A-Z]{2}\d{5,}[A-Z]{0,2}$/.test(s)) return s.endsWith('US') ? 'usps' : 'upu';
  if (/^9[1-5]\d{15,}$/.test(s) || /^420\d{20,}$/.test(s)) return 'usps';
  if (/^96\d{15,}$/.test(s)) return 'fedex';
  return undefined;
}

/**
 * Says whether a customer's answer is a usable tracking number, and if not, why and what one looks like.
 *
 * @remarks Accepts a bare number ("1z 999 aa1 01 2345 6784") or a sentence containing one. A bare number
 * is trusted as meant to be a tracking number, so a lone 10- or 12-digit number is accepted as DHL Express /
 * FedEx Express when its check digit holds (unlike in {@link findTrackingNumbers}, which needs context).
 * `reason: 'check_digit'` means the text has a carrier's shape but a wrong check digit (likely a typo);
 * `reason: 'format'` means it is not a tracking number. `expected` is in `options.locale` (English by default).
 * @example validateTrackingNumber('6Y 1113 8937 442', { locale: 'fr' }) // { valid: false, reason: 'check_digit', carrierGuess: 'colissimo', ... }
 */
export function validateTrackingNumber(raw: string, options: ValidateTrackingNumberOptions = {}): TrackingNumberValidation {
  const text = typeof raw === 'string' ? raw : '';
  const matches = findTrackingNumbers(text);
  const good = matches.find((m) => m.valid);
  if (good) return { valid: true, carrier: good.carrier, normalized: good.normalized, format: good.format, checkDigit: good.checkDigit };

  const normalized = text.trim().replace(NUMBER_PREFIX, '').replace(STRIP, '').toUpperCase();
  if (/^[A-Z0-9]+$/.test(normalized)) {
    const hit = classify(normalized);
    if (hit && hit.checkDigit !== 'invalid') {
      return { valid: true, carrier: hit.carrier, normalized, format: hit.format, checkDigit: hit.checkDigit };
    }
    if (hit) {
      return { valid: false, reason: 'check_digit', carrierGuess: hit.carrier, expected: describeTrackingFormat(hit.carrier, options.locale) };
    }
  }
  const typo = matches.find((m) => !m.valid);
  if (typo) {
    return { valid: false, reason: 'check_digit', carrierGuess: typo.carrier, expected: describeTrackingFormat(typo.carrier, options.locale) };
  }
  const guess = /^[A-Z0-9]+$/.test(normalized) ? guessByPrefix(normalized) : undefined;
  return guess
    ? { valid: false, reason: 'format', carrierGuess: guess, expected: describeTrackingFormat(guess, options.locale) }
    : { valid: false, reason: 'format', expected: describeTrackingFormat(undefined, options.locale) };
}

/**
 * Display name of a carrier, e.g. `La Poste / Colissimo`.
 *
 * @example carrierDisplayName('ups') // 'UPS'
 */
export function carrierDisplayName(carrier: CarrierId): string {
  switch (carrier) {
    case 'ups':
      return 'UPS';
    case 'fedex':
      return 'FedEx';
    case 'usps':
      return 'USPS';
    case 'dhl':
      return 'DHL';
    case 'laposte':
      return 'La Poste';
    case 'colissimo':
      return 'Colissimo';
    case 'chronopost':
      return 'Chronopost';
    case 'upu':
      return 'Postal service';
    default:
      return carrier;
  }
}
