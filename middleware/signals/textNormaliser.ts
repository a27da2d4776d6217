/**
 * Text normalisation for the signal detectors: tokens folded to lower-case ASCII, elisions, SMS spellings and common
 * typos expanded, elongations squeezed, punctuation and emoji kept as tokens, and every token mapped back to the
 * customer's own words so that evidence quotes what they wrote.
 */

/** Per-language knobs the normaliser needs. */
export interface NormaliserLanguage {
  /** Split tokens on apostrophes (French elisions `j'ai` -> `j ai`) instead of joining them (English `didn't` -> `didnt`). */
  readonly splitElisions: boolean;
  /** Token replacements (SMS spellings, contractions, typos); a value may hold several words separated by spaces. */
  readonly replacements: ReadonlyMap<string, readonly string[]>;
  /** Words the language knows, used to undo elongations (`pleeeease` -> `please`, `goood` -> `good`). */
  readonly vocabulary: ReadonlySet<string>;
  /** Typo repair for key words: see {@link buildTypoIndex}. */
  readonly typos?: TypoIndex;
}

/** Key words and their one-letter-deleted forms, to repair one missing, extra or swapped letter. */
export interface TypoIndex {
  readonly targets: ReadonlySet<string>;
  /** Deleted form -> target (a token missing one letter of a target). */
  readonly deletes: ReadonlyMap<string, string>;
  /**
   * Length of the longest target: a token two letters longer or more cannot be one letter away from a target, and is
   * not looked at (trying every deletion of a long token would cost its length squared).
   */
  readonly longest?: number;
}

/** Minimum length of a token the typo repair looks at. */
const TYPO_MIN_LENGTH = 5;

/** Builds the typo index of `targets` (normalised words of at least five letters). */
export function buildTypoIndex(targets: Iterable<string>): TypoIndex {
  const set = new Set<string>();
  const deletes = new Map<string, string>();
  let longest = 0;
  for (const t of targets) {
    if (t.length < TYPO_MIN_LENGTH) continue;
    set.add(t);
    longest = Math.max(longest, t.length);
    for (let i = 0; i < t.length; i++) {
      const d = t.slice(0, i) + t.slice(i + 1);
      if (!deletes.has(d)) deletes.set(d, t);
    }
  }
  return { targets: set, deletes, longest };
}

/**
 * Repairs one missing letter (`spport`), one extra letter (`somneone`) or two swapped letters (`eprson`) in a word
 * that is not in the vocabulary. Substitutions are not repaired: they turn real words into others (`change`/`charge`).
 */
export function repairTypo(word: string, index: TypoIndex): string | undefined {
  if (word.length < TYPO_MIN_LENGTH - 1) return undefined;
  if (index.longest !== undefined && word.length > index.longest + 1) return undefined;
  const missing = index.deletes.get(word);
  if (missing) return missing;
  for (let i = 0; i < word.length; i++) {
    const d = word.slice(0, i) + word.slice(i + 1);
    if (index.targets.has(d)) return d;
  }
  for (let i = 0; i < word.length - 1; i++) {
    const swapped = word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    if (index.targets.has(swapped)) return swapped;
  }
  return undefined;
}

/** Surface features of a message (shouting, repeated punctuation, emoji). */
export interface TextFeatures {
  /** Share of letters written in capitals, 0..1 (0 when the message has fewer than 6 letters). */
  readonly capsRatio: number;
  /** Number of `!` characters. */
  readonly exclamations: number;
  /** Number of `?` characters. */
  readonly questions: number;
  /** True when some `!`/`?` run is at least two characters long (`!!`, `?!`, `???`). */
  readonly repeatedPunctuation: boolean;
  /** Words with a letter repeated three times or more (`sooooo`). */
  readonly elongations: number;
}

/** A normalised message. */
export interface NormalisedText {
  /** Normalised tokens: folded words, `!` `?` `.` `,` punctuation tokens, emoji and emoticons. */
  readonly tokens: readonly string[];
  /** `' ' + tokens.join(' ') + ' '`: the string rule patterns run on. */
  readonly joined: string;
  /** Offset in `joined` where each token starts. */
  readonly offsets: readonly number[];
  /** Start (inclusive) in the original text of each token. */
  readonly starts: readonly number[];
  /** End (exclusive) in the original text of each token. */
  readonly ends: readonly number[];
  readonly features: TextFeatures;
  /** The original text (possibly truncated to the detector's maximum length). */
  readonly original: string;
}

// Words (letters, digits, apostrophes, inner hyphens are split), emoticons, punctuation runs, pictographs.
const TOKEN_RE =
  /(?:[:;=]-?[()[\]DPp/\\|]|<3)(?![\p{L}\p{N}])|[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*['’]?|[!?]+|[.,;:]|\p{Extended_Pictographic}/gu;
const DIACRITICS_RE = /\p{M}+/gu;
const ELONGATION_RE = /(\p{L})\1{2,}/u;
const ELONGATION_ALL_RE = /(\p{L})\1{2,}/gu;
const ELONGATION_ALL_ONE_RE = /(\p{L})\1+/gu;
const APOSTROPHE_RE = /['’]/g;
const UPPER_RE = /\p{Lu}/gu;
const LETTER_RE = /\p{L}/gu;

/** Lower-cases and strips accents (`Décédé` -> `decede`). */
export function foldWord(word: string): string {
  const lower = word.toLowerCase();
  // Most words are ASCII once lower-cased: decomposing them changes nothing, so it is skipped (the same result).
  if (!NON_ASCII_RE.test(lower)) return lower;
  return lower.normalize('NFD').replace(DIACRITICS_RE, '').replace('œ', 'oe').replace('æ', 'ae');
}

const NON_ASCII_RE = /[^\u0020-\u007e]/;

const squeeze = (word: string, vocabulary: ReadonlySet<string>): string => {
  if (!ELONGATION_RE.test(word)) return word;
  const two = word.replace(ELONGATION_ALL_RE, '$1$1');
  if (vocabulary.has(two)) return two;
  const one = two.replace(ELONGATION_ALL_ONE_RE, '$1');
  if (vocabulary.has(one)) return one;
  return two;
};

const countMatches = (text: string, re: RegExp): number => {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
};

// Where normaliseText puts tokens (module-level helpers rather than per-call closures: this runs on every message).
interface TokenSink {
  readonly tokens: string[];
  readonly starts: number[];
  readonly ends: number[];
}

function push(out: TokenSink, token: string, start: number, end: number): void {
  out.tokens.push(token);
  out.starts.push(start);
  out.ends.push(end);
}

function pushWord(out: TokenSink, language: NormaliserLanguage, word: string, start: number, end: number): void {
  const replacement = language.replacements.get(word);
  if (replacement) {
    for (const r of replacement) push(out, r, start, end);
    return;
  }
  if (language.typos && !language.vocabulary.has(word) && !language.typos.targets.has(word)) {
    const repaired = repairTypo(word, language.typos);
    if (repaired) {
      push(out, repaired, start, end);
      return;
    }
  }
  push(out, word, start, end);
}

/** First index of `ch` in `text` within `[from, end)`, or -1 (unlike `indexOf`, never reads past `end`). */
function indexBefore(text: string, ch: string, from: number, end: number): number {
  for (let i = from; i < end; i++) if (text[i] === ch) return i;
  return -1;
}

/**
 * The positions of each character of one token, for tokens with many elisions (`l'l'l'l'...`): finding each part's
 * first letter by scanning from the previous part would read the token again for every part (quadratic when a
 * folded letter is not found as written, `J'` or `É`); a binary search in the letter's positions does not.
 */
class CharPositions {
  private readonly positions = new Map<string, number[]>();

  constructor(text: string, start: number, end: number) {
    for (let i = start; i < end; i++) {
      const ch = text[i];
      const list = this.positions.get(ch);
      if (list) list.push(i);
      else this.positions.set(ch, [i]);
    }
  }

  /** First position of `ch` at or after `from` in the token, or -1. */
  next(ch: string, from: number): number {
    const list = this.positions.get(ch);
    if (!list) return -1;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length ? list[lo] : -1;
  }
}

/**
 * Normalises `text` for the given language.
 *
 * @remarks Never throws on odd input: an empty or symbol-only message gives no tokens.
 */
export function normaliseText(text: string, language: NormaliserLanguage): NormalisedText {
  const tokens: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let exclamations = 0;
  let questions = 0;
  let repeatedPunctuation = false;
  let elongations = 0;

  const out: TokenSink = { tokens, starts, ends };

  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN_RE.exec(text)) !== null) {
    const raw = m[0];
    const start = m.index;
    const end = start + raw.length;
    const first = raw.charCodeAt(0);
    if (first === 33 || first === 63) {
      // `!` / `?` runs become one token each kind; the run length is a feature.
      let ex = 0;
      let qu = 0;
      for (let i = 0; i < raw.length; i++) {
        if (raw.charCodeAt(i) === 33) ex++;
        else qu++;
      }
      exclamations += ex;
      questions += qu;
      if (raw.length > 1) repeatedPunctuation = true;
      push(out, ex > 0 ? '!' : '?', start, end);
      continue;
    }
    if (raw.length === 1 && '.,;:'.includes(raw)) {
      push(out, raw === ';' || raw === ':' ? ',' : raw, start, end);
      continue;
    }
    let word = foldWord(raw);
    if (ELONGATION_RE.test(word) && !language.vocabulary.has(word)) {
      elongations++;
      word = squeeze(word, language.vocabulary);
    }
    if (!/[a-z0-9]/.test(word)) {
      // Emoji, emoticons and letters outside the Latin script are kept as they are.
      push(out, word, start, end);
      continue;
    }
    if (word.includes("'") || word.includes('’')) {
      word = word.replace(APOSTROPHE_RE, "'");
      const whole = language.replacements.get(word);
      if (whole) {
        for (const r of whole) push(out, r, start, end);
        continue;
      }
      if (language.splitElisions) {
        const parts = word.split(APOSTROPHE_RE);
        const positions = parts.length > 2 ? new CharPositions(text, start, end) : undefined;
        let offset = start;
        for (const part of parts) {
          if (part.length === 0) continue;
          // Where the part's (folded) first letter appears in the token from `offset`, else the token's start.
          const at = positions ? positions.next(part.charAt(0), offset) : indexBefore(text, part.charAt(0), offset, end);
          const partStart = at >= 0 ? at : start;
          offset = Math.min(end, partStart + part.length);
          pushWord(out, language, part, partStart, offset);
        }
        continue;
      }
      word = word.replace(APOSTROPHE_RE, '');
    }
    pushWord(out, language, word, start, end);
  }

  const letters = countMatches(text, LETTER_RE);
  const capsRatio = letters >= 6 ? countMatches(text, UPPER_RE) / letters : 0;

  const offsets: number[] = new Array<number>(tokens.length);
  let pos = 1;
  for (let i = 0; i < tokens.length; i++) {
    offsets[i] = pos;
    pos += tokens[i].length + 1;
  }
  return {
    tokens,
    joined: ` ${tokens.join(' ')} `,
    offsets,
    starts,
    ends,
    features: { capsRatio, exclamations, questions, repeatedPunctuation, elongations },
    original: text,
  };
}

/**
 * Index of the token that holds offset `at` of `joined`.
 *
 * @remarks A binary search for the first few calls on a message; a message with many matches gets a table (one entry
 * per character of `joined`, built once), so that the lookups of all its matches cost linear time, not n log n.
 */
export function tokenAt(norm: NormalisedText, at: number): number {
  let lookup = tokenLookups.get(norm);
  if (!lookup) {
    lookup = { calls: 0, table: undefined };
    tokenLookups.set(norm, lookup);
  }
  if (lookup.table) return lookup.table[Math.max(0, Math.min(lookup.table.length - 1, at))];
  if (++lookup.calls > TOKEN_SEARCHES && norm.joined.length > 0) {
    lookup.table = tokenTable(norm);
    return lookup.table[Math.max(0, Math.min(lookup.table.length - 1, at))];
  }
  const { offsets } = norm;
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Binary searches on one message before {@link tokenAt} builds its table. */
const TOKEN_SEARCHES = 32;
const tokenLookups = new WeakMap<NormalisedText, { calls: number; table: Int32Array | undefined }>();

/** For each offset of `joined`, the index of the last token starting at or before it (0 before the first). */
function tokenTable(norm: NormalisedText): Int32Array {
  const { offsets, joined } = norm;
  const table = new Int32Array(joined.length);
  let t = 0;
  for (let p = 0; p < joined.length; p++) {
    while (t + 1 < offsets.length && offsets[t + 1] <= p) t++;
    table[p] = t;
  }
  return table;
}

/** The customer's own words for tokens `first..last` (inclusive). */
export function originalSpan(norm: NormalisedText, first: number, last: number): string {
  if (norm.tokens.length === 0) return '';
  return norm.original.slice(norm.starts[first], norm.ends[Math.max(first, last)]);
}
