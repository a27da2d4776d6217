/**
 * Features of the learned signal model: hashed word uni/bi-grams and character 3-5-grams of the text as the rule
 * detector normalises it, with the language pack's hard-negative phrases replaced by one placeholder token.
 *
 * Hand-written rather than a library: the hashing must match byte for byte between training and prediction, run in a
 * few microseconds per message, and reuse the project's own normaliser and hard negatives.
 */
import type { LanguagePack } from '../languagePack';
import { englishPack } from '../lexicons/englishPack';
import { frenchPack } from '../lexicons/frenchPack';
import type { LanguageCode } from '../signals';
import { packRegexes } from '../packRegexes';
import { buildTypoIndex, foldWord, normaliseText, tokenAt, type NormalisedText, type NormaliserLanguage } from '../textNormaliser';

/** Characters of a message the model reads; longer messages are cut (bounded work). */
export const MODEL_MAX_LENGTH = 1000;
/** Token standing for a hard-negative phrase ("dying to know", "my battery died"). */
const HARD_NEGATIVE_TOKEN = '_hn_';
const PUNCTUATION = new Set(['.', ',']);
const WORD_RE = /[a-z0-9]/;

/** A message read for the model. */
export interface ModelText {
  readonly norm: NormalisedText;
  /** Normalised tokens with hard negatives replaced by a placeholder. */
  readonly tokens: readonly string[];
}

interface PreparedLanguage {
  readonly normaliser: NormaliserLanguage;
  readonly neutraliser: RegExp | undefined;
}

const prepared = new Map<string, PreparedLanguage>();

/** The normaliser settings of `pack`, built as the rule detector builds them (vocabulary, typo targets). */
function prepareLanguage(pack: LanguagePack): PreparedLanguage {
  const replacements = new Map<string, readonly string[]>();
  for (const [from, to] of Object.entries(pack.replacements)) replacements.set(from, to.split(' ').filter(Boolean));
  const vocabulary = new Set<string>([
    ...Object.keys(pack.sentimentLabels),
    ...Object.values(pack.emotionLexicons).flatMap((l) => Object.keys(l).map(foldWord)),
    ...Object.keys(pack.intensifiers),
    ...Object.keys(pack.negatedPositives),
    ...pack.stopwords,
    ...replacements.keys(),
  ]);
  const neutraliser = packRegexes(pack).find((r) => r.role === 'neutraliser')?.regex;
  return {
    normaliser: {
      splitElisions: pack.splitElisions,
      replacements,
      vocabulary,
      typos: pack.typoTargets && pack.typoTargets.length > 0 ? buildTypoIndex(pack.typoTargets) : undefined,
    },
    neutraliser,
  };
}

const languageFor = (language: LanguageCode): PreparedLanguage => {
  const code = language === 'fr' ? 'fr' : 'en';
  let p = prepared.get(code);
  if (!p) {
    p = prepareLanguage(code === 'fr' ? frenchPack : englishPack);
    prepared.set(code, p);
  }
  return p;
};

/** Normalises `text` (cut to {@link MODEL_MAX_LENGTH}) and blanks the language's hard negatives. */
export function readModelText(text: string, language: LanguageCode): ModelText {
  const lang = languageFor(language);
  const norm = normaliseText(typeof text === 'string' ? text.slice(0, MODEL_MAX_LENGTH) : '', lang.normaliser);
  const tokens = [...norm.tokens];
  if (lang.neutraliser && tokens.length > 0) {
    const re = lang.neutraliser;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(norm.joined)) !== null) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const lead = m[0].length - m[0].trimStart().length;
      const body = m[0].trim().length;
      if (body === 0) continue;
      const first = tokenAt(norm, m.index + lead);
      const last = tokenAt(norm, m.index + lead + body - 1);
      for (let i = first; i <= last; i++) tokens[i] = i === first ? HARD_NEGATIVE_TOKEN : '';
    }
  }
  return { norm, tokens };
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit state after `s`, continuing from `h`. */
const fnv = (h: number, s: string): number => {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
};

/** FNV-1a 32-bit hash of `s`, then reduced to `buckets` (a power of two). */
export function hashFeature(s: string, buckets: number): number {
  return (fnv(FNV_OFFSET, s) >>> 0) & (buckets - 1);
}

const WORD_STATE = fnv(FNV_OFFSET, 'w|');
const BIGRAM_STATE = fnv(FNV_OFFSET, 'b|');
const CHAR_STATE = fnv(FNV_OFFSET, 'c|');
const LT = '<'.charCodeAt(0);
const GT = '>'.charCodeAt(0);
const SPACE = ' '.charCodeAt(0);
/** Letters of a word that its character n-grams read. */
const MAX_WORD = 24;

/**
 * Calls `visit` for every feature occurrence of `text`: the language (`l|fr`), word unigrams (`w|card`) and bigrams
 * (`b|my card`), and character 3-5-grams of each word with `<` `>` boundary marks (`c|<ca`). Punctuation `.` `,`
 * only separates bigrams. `first`/`last` are the tokens a feature came from (-1 for the language).
 *
 * @remarks Hashes are computed incrementally over the feature's characters, equal to {@link hashFeature} of its name,
 * without building the name (this runs on every message).
 */
export function forEachFeature(
  text: ModelText,
  language: LanguageCode,
  buckets: number,
  visit: (bucket: number, group: 0 | 1, first: number, last: number) => void,
): void {
  const { tokens } = text;
  const mask = buckets - 1;
  visit(hashFeature(`l|${language}`, buckets), 0, -1, -1);
  let previous = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '') continue;
    if (PUNCTUATION.has(t)) {
      previous = -1;
      continue;
    }
    visit((fnv(WORD_STATE, t) >>> 0) & mask, 0, i, i);
    if (previous >= 0) {
      const h = fnv(Math.imul(fnv(BIGRAM_STATE, tokens[previous]) ^ SPACE, FNV_PRIME), t);
      visit((h >>> 0) & mask, 0, previous, i);
    }
    previous = i;
    if (t === HARD_NEGATIVE_TOKEN || !WORD_RE.test(t)) continue;
    const letters = Math.min(t.length, MAX_WORD);
    const length = letters + 2;
    for (let s = 0; s + 3 <= length; s++) {
      let h = CHAR_STATE;
      for (let j = s; j < s + 5 && j < length; j++) {
        const code = j === 0 ? LT : j === length - 1 ? GT : t.charCodeAt(j - 1);
        h = Math.imul(h ^ code, FNV_PRIME);
        if (j - s >= 2) visit((h >>> 0) & mask, 1, i, i);
      }
    }
  }
}

/** A sparse feature vector: sorted distinct buckets and their values (each group scaled to unit L2 norm). */
export interface SparseVector {
  readonly index: Int32Array;
  readonly value: Float64Array;
}

/** The sparse vector of `text` used in training (prediction computes the same dot product without building it). */
export function featureVector(text: string, language: LanguageCode, buckets: number): SparseVector {
  const read = readModelText(text, language);
  const counts = [new Map<number, number>(), new Map<number, number>()];
  forEachFeature(read, language, buckets, (bucket, group) => {
    counts[group].set(bucket, (counts[group].get(bucket) ?? 0) + 1);
  });
  const merged = new Map<number, number>();
  for (const group of counts) {
    let sq = 0;
    for (const c of group.values()) sq += c * c;
    const scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (const [b, c] of group) merged.set(b, (merged.get(b) ?? 0) + c * scale);
  }
  const index = Int32Array.from([...merged.keys()].sort((a, b) => a - b));
  const value = Float64Array.from(index, (b) => merged.get(b) ?? 0);
  return { index, value };
}
