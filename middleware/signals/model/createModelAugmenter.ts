import type { IntentAugmenter, IntentHit, LanguageCode } from '../signals';
import { foldWord } from '../textNormaliser';
import { bundledSignalModel } from './bundledSignalModel';
import { loadSignalModel, type ModelLabel, type SignalModel } from './signalModel';

/** Options of {@link createModelAugmenter}. */
export interface ModelAugmenterOptions {
  /** Calibrated probability from which the model adds an intent, per label. Default: the thresholds stored in the model. */
  readonly thresholds?: Readonly<Partial<Record<ModelLabel, number>>>;
  /**
   * Calibrated probability the model must give an intent the rules found from emotion words alone for it to be kept,
   * per label. Default: the values stored in the model; 0 keeps every such hit.
   */
  readonly confirm?: Readonly<Partial<Record<ModelLabel, number>>>;
  /** Evidence words per model hit. Default 3. */
  readonly evidenceWords?: number;
}

/**
 * Function words of English and French (folded): pronouns, articles, auxiliaries, prepositions, negation particles.
 * A model hit needs evidence beyond them ("je ne l'ai pas" says nothing an agent could act on). Hand-written: a dozen
 * lines, where stop-word packages list content words too ("plus", "rien", "personne") that matter here.
 */
const FUNCTION_WORDS = new Set(
  (
    'i me my mine you your yours he him his she her it its we us our they them their this that these those a an the ' +
    'is am are was were be been being do does did done have has had having will would can could should shall may ' +
    'might must to of in on at for with by from and or but so if not no nor don doesn didn isn aren wasn weren t s m ' +
    're ve ll d just there here as up out about into than then too very also oh ok okay hi hello hey pls please ' +
    'je j tu il elle on nous vous ils elles me m te se le la les l un une des du de au aux ce c cet cette ces ' +
    'mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs et ou mais donc car ni que qu qui quoi ne n pas ' +
    'y en ai as avons avez ont est es suis sommes etes sont etre avoir ete pour par sur dans avec chez tres ca cela ' +
    'ceci bonjour salut svp stp merci oui non'
  ).split(' '),
);
const WORD_SPLIT = /[^\p{L}\p{N}]+/u;
/** Content words a message needs before the model may add an intent to it. */
const MIN_CONTENT_WORDS = 2;
/** Words of `text` that are not function words (counted up to 2: enough to decide). */
const contentWords = (text: string): number => {
  let n = 0;
  for (const w of text.slice(0, 1000).split(WORD_SPLIT)) if (w.length > 1 && !FUNCTION_WORDS.has(foldWord(w)) && ++n >= MIN_CONTENT_WORDS) break;
  return n;
};
/** True when `span` (customer's words) holds a word that is not a function word. */
const meaningful = (span: string): boolean => span.split(WORD_SPLIT).some((w) => w.length > 0 && !FUNCTION_WORDS.has(foldWord(w)));
const EMOTION_RULE = /^[a-z_]+\.[a-z]+\.emotion$/;

/** True when every piece of a hit's evidence comes from the emotion lexicons (`complaint.en.emotion`). */
export const fromEmotionWordsOnly = (hit: IntentHit): boolean => hit.evidence.length > 0 && hit.evidence.every((e) => EMOTION_RULE.test(e.rule));

/**
 * The rules + model combination, for `createSignalDetector({ model })`: the rules' hits stay as they are; the model
 * adds an intent the rules did not find when its calibrated probability reaches the label's threshold, and an intent
 * the rules read from emotion words alone (a complaint from angry words, distress from sad ones) needs the model's
 * agreement (`confirm`, chosen by cross-validation: emotion words alone were the rules' largest source of false alarms).
 *
 * @remarks The rules keep their guarantees: the model cannot remove or lower a rule hit that a rule pattern found
 * (negation, hard negatives and the immediate intents stay the rules' decision); it reads the text with the
 * language pack's hard negatives blanked; the thresholds stored with the model were chosen by cross-validation, and
 * those of the intents the handoff policy treats as immediate (bereavement, fraud, human_request) are at least 0.8.
 * A model hit's confidence is its calibrated probability and its evidence (`model.<label>`) the words that weighed
 * most (function words left out); a hit without such a word is not added, nor any on a message of fewer than two
 * content words. Off unless passed to `createSignalDetector`.
 * @param model a loaded model. Default: the one shipped with Warmline (read on this call, about 2 MB).
 * @example
 * const detector = createSignalDetector({ model: createModelAugmenter() });
 */
export function createModelAugmenter(model: SignalModel = loadSignalModel(bundledSignalModel()), options: ModelAugmenterOptions = {}): IntentAugmenter {
  if (!model || typeof model.predict !== 'function') throw new TypeError('createModelAugmenter: model is required');
  const thresholds = new Map<string, number>();
  for (const label of model.labels) {
    const t = options.thresholds?.[label] ?? model.thresholds[label];
    if (typeof t !== 'number' || !(t > 0)) throw new RangeError(`createModelAugmenter: threshold of ${label} must be > 0`);
    thresholds.set(label, t);
  }
  const confirm = new Map<string, number>();
  for (const label of model.labels) {
    const c = options.confirm?.[label] ?? model.confirm[label] ?? 0;
    if (!(c >= 0 && c <= 1)) throw new RangeError(`createModelAugmenter: confirm of ${label} must be in 0..1`);
    if (c > 0) confirm.set(label, c);
  }
  const evidenceWords = options.evidenceWords ?? 3;
  return {
    augment(text: string, language: LanguageCode, ruleHits: readonly IntentHit[]): readonly IntentHit[] {
      const scores = model.predict(text, language);
      const probability = (name: string): number => scores.find((s) => s.name === name)?.probability ?? 0;
      // An intent the rules read from emotion words alone stays when the model agrees enough.
      const kept = ruleHits.filter((h) => !(fromEmotionWordsOnly(h) && probability(h.name) < (confirm.get(h.name) ?? 0)));
      const added: IntentHit[] = [];
      // One word is too little for a learned guess ("annuler" alone read as bereavement): the model adds nothing.
      const enough = contentWords(text) >= MIN_CONTENT_WORDS;
      for (const score of enough ? scores : []) {
        if (score.probability < (thresholds.get(score.name) ?? Infinity)) continue;
        if (ruleHits.some((h) => h.name === score.name)) continue;
        const explained = model.explain(text, language, score.name, evidenceWords + 2);
        // Evidence an agent can read: the customer's words that weighed most, function words alone left out. A hit
        // with no such word ("je ne l'ai pas" read as distress) is not added.
        const matched = explained.matched.filter(meaningful).slice(0, evidenceWords);
        if (matched.length === 0) continue;
        added.push({ name: score.name, confidence: score.probability, evidence: [{ rule: explained.rule, matched }] });
      }
      return added.length === 0 && kept.length === ruleHits.length ? ruleHits : [...kept, ...added];
    },
  };
}

let shared: IntentAugmenter | undefined;

/**
 * The augmenter of the model shipped with Warmline, built on the first call and shared by every detector of the
 * process (the default of `createSignalDetector`): the weights are decoded once.
 */
export function sharedModelAugmenter(): IntentAugmenter {
  shared ??= createModelAugmenter();
  return shared;
}
