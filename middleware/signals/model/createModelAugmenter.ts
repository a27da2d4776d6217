import type { IntentAugmenter } from '../signalDetector';
import type { IntentHit, LanguageCode } from '../signals';
import { bundledSignalModel } from './bundledSignalModel';
import { loadSignalModel, type ModelLabel, type SignalModel } from './signalModel';

/** Options of {@link createModelAugmenter}. */
export interface ModelAugmenterOptions {
  /** Calibrated probability from which the model adds an intent, per label. Default: the thresholds stored in the model. */
  readonly thresholds?: Readonly<Partial<Record<ModelLabel, number>>>;
  /** Evidence words per model hit. Default 3. */
  readonly evidenceWords?: number;
}

/**
 * The rules + model combination, for `createSignalDetector({ model })`: the rules' hits stay as they are; the model
 * adds an intent the rules did not find when its calibrated probability reaches the label's threshold.
 *
 * @remarks The rules keep their guarantees: the model cannot remove or lower a rule hit; it reads the text with the
 * language pack's hard negatives blanked; the thresholds stored with the model were chosen by cross-validation, and
 * those of the intents the handoff policy treats as immediate (bereavement, fraud, human_request) are at least 0.8.
 * A model hit's confidence is its calibrated probability and its evidence (`model.<label>`) the words that weighed
 * most. Off unless passed to `createSignalDetector`.
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
  const evidenceWords = options.evidenceWords ?? 3;
  return {
    augment(text: string, language: LanguageCode, ruleHits: readonly IntentHit[]): readonly IntentHit[] {
      const added: IntentHit[] = [];
      for (const score of model.predict(text, language)) {
        if (score.probability < (thresholds.get(score.name) ?? Infinity)) continue;
        if (ruleHits.some((h) => h.name === score.name)) continue;
        added.push({ name: score.name, confidence: score.probability, evidence: [model.explain(text, language, score.name, evidenceWords)] });
      }
      return added.length === 0 ? ruleHits : [...ruleHits, ...added];
    },
  };
}
