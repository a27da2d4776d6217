
/**
 * Language code of a message. `en` and `fr` are built in; developers may register more.
 */
export type LanguageCode = 'en' | 'fr' | (string & {});

/** Emotions the built-in detector scores. Custom detectors may add their own names. */
export type EmotionName = 'anger' | 'frustration' | 'distress' | 'grief' | 'gratitude' | (string & {});

/** Sensitive intents the built-in detector recognises. Custom intents may add their own names. */
export type IntentName =
  | 'bereavement'
  | 'fraud'
  | 'distress'
  | 'complaint'
  | 'urgent'
  | 'human_request'
  | (string & {});

/** Why a detector believes something: the rule that fired and the words it matched. */
export interface Evidence {
  /** Stable rule id, e.g. `fraud.en.unrecognised-transaction`. */
  readonly rule: string;
  /** The words of the message the rule matched (as written by the customer). */
  readonly matched: readonly string[];
}

/** One detected intent with its confidence in 0..1 and its evidence. */
export interface IntentHit {
  readonly name: IntentName;
  readonly confidence: number;
  readonly evidence: readonly Evidence[];
}

/**
 * Something that adds intents to the rules' hits for a message. It may drop a hit that the rules read from emotion
 * words alone (evidence `<intent>.<lang>.emotion` only), never one a rule pattern found: the detector keeps those.
 */
export interface IntentAugmenter {
  /** The intents to report: `ruleHits` plus any it adds. */
  augment(text: string, language: LanguageCode, ruleHits: readonly IntentHit[]): readonly IntentHit[];
}

/** One emotion with its score in 0..1 and its evidence. */
export interface EmotionScore {
  readonly name: EmotionName;
  readonly score: number;
  readonly evidence: readonly Evidence[];
}

/** The emotional course of the conversation so far, kept in conversation state. */
export interface Trajectory {
  /** Customer messages seen in this conversation. */
  readonly turns: number;
  /** Exponentially weighted sentiment over the conversation, -1..1. */
  readonly rollingSentiment: number;
  /** Customer messages in a row with negative sentiment or a negative emotion. */
  readonly consecutiveNegative: number;
  /** True when the conversation is getting worse (see the signals README section). */
  readonly escalating: boolean;
}

/** Everything Warmline read in one customer message. Plain, read-only data. */
export interface Signals {
  readonly language: LanguageCode;
  /** Where the language came from: the activity's locale or detection on the text. */
  readonly languageSource: 'locale' | 'detected';
  /** Sentiment normalised to -1..1. */
  readonly sentiment: number;
  readonly emotions: readonly EmotionScore[];
  readonly intents: readonly IntentHit[];
  readonly trajectory: Trajectory;
  /**
   * True when detection failed or a composed detector failed or timed out, so these signals may be incomplete.
   * Absent (undefined) on a normal result. See the failure policy in the signals README section.
   */
  readonly degraded?: boolean;
}

/** True when `signals` holds the named intent. */
export const hasIntent = (signals: Signals | undefined, name: IntentName): boolean =>
  !!signals && signals.intents.some((i) => i.name === name);
