import type { EmotionName, IntentName, LanguageCode } from './signals';

/**
 * One pattern rule: a regular expression over the normalised text that adds evidence for an intent or an emotion.
 *
 * @remarks Patterns run on the normalised text: lower case, no accents, single spaces between tokens, punctuation
 * (`!` `?` `.` `,`) as separate tokens, English contractions expanded (`didn't` -> `did not`), French elisions split
 * (`j'ai` -> `j ai`). Write them accent-free with `\b` word boundaries. A string pattern is compiled with the `g` flag.
 */
export interface PatternRule {
  /** Stable id shown in the evidence, e.g. `fraud.en.unrecognised-transaction`. */
  readonly id: string;
  /** Whether the rule adds to an intent or to an emotion. */
  readonly kind: 'intent' | 'emotion';
  /** The intent or emotion name. */
  readonly name: IntentName | EmotionName;
  readonly pattern: RegExp | string;
  /** Contribution in 0..1; several hits combine as `1 - Π(1 - w)`. */
  readonly weight: number;
  /**
   * When true (default), a negator within the four tokens before the match cancels it ("it's not fraud",
   * "je ne conteste pas"). Set false for rules whose pattern already holds its own negation ("a payment I did not make").
   */
  readonly negatable?: boolean;
  /** The rule is ignored when this pattern matches anywhere in the normalised message. */
  readonly unless?: RegExp | string;
}

/** A word list scoring one emotion: normalised word (accent-free, lower case) -> weight in 0..1. */
export type EmotionLexicon = Readonly<Record<string, number>>;

/**
 * Everything the built-in detector knows about one language.
 *
 * @remarks Register a new one with `SignalDetector.registerLanguage`; extend an existing one with
 * `registerIntent` / `registerLexicon`.
 */
export interface LanguagePack {
  readonly code: LanguageCode;
  /** Split apostrophes as elisions (`j'ai` -> `j ai`) instead of joining them (`don't` -> `dont`). */
  readonly splitElisions: boolean;
  /** Frequent short words, used to tell languages apart. Normalised forms. */
  readonly stopwords: readonly string[];
  /** Token -> replacement words (SMS spellings, contractions, typos). */
  readonly replacements: Readonly<Record<string, string>>;
  /** Words that negate what follows (`not`, `never`, `pas`, `jamais`...). */
  readonly negators: readonly string[];
  /** Words that end a negation's scope (`but`, `if`, `know`: "I don't know if this is fraud" keeps the fraud). */
  readonly scopeBreakers: readonly string[];
  /** Word -> multiplier applied to the next emotion word (`very` 1.5, `so` 1.4, `slightly` 0.6). */
  readonly intensifiers: Readonly<Record<string, number>>;
  /** AFINN-style valences (-5..5) for the `sentiment` package. */
  readonly sentimentLabels: Readonly<Record<string, number>>;
  /** Emotion lexicons; words are single normalised tokens (use pattern rules for phrases). */
  readonly emotionLexicons: Readonly<Record<string, EmotionLexicon>>;
  /** Positive words that signal frustration when negated ("not happy", "pas content"): word -> weight. */
  readonly negatedPositives: Readonly<Record<string, number>>;
  readonly rules: readonly PatternRule[];
  /**
   * Key words (five letters or more) whose one-letter typos are repaired when the typed word is not in the
   * vocabulary (`spport` -> `support`, `eprson` -> `person`). Optional.
   */
  readonly typoTargets?: readonly string[];
  /**
   * Hard negatives: phrases removed before any rule or lexicon runs ("my phone battery died", "mort de rire",
   * "dying to know", "real estate").
   */
  readonly neutralisers: readonly (RegExp | string)[];
}
