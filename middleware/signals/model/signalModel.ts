/**
 * The learned signal model at run time: one-vs-rest logistic regression per intent over hashed n-grams
 * (see modelFeatures.ts), Platt-calibrated, with evidence words for each hit.
 */
import type { Evidence, LanguageCode } from '../signals';
import { originalSpan } from '../textNormaliser';
import { forEachFeature, readModelText, type ModelText } from './modelFeatures';

/** Intents the model scores. */
export const MODEL_LABELS = ['bereavement', 'fraud', 'distress', 'complaint', 'urgent', 'human_request'] as const;
/** One intent the model scores. */
export type ModelLabel = (typeof MODEL_LABELS)[number];

/** The serialised model (the committed JSON file). */
export interface SignalModelFile {
  readonly format: 'warmline-signal-model/1';
  /** Hash buckets, a power of two. */
  readonly buckets: number;
  readonly labels: readonly ModelLabel[];
  /** Per label: bias, Platt `a` and `b` (p = 1 / (1 + exp(-(a * score + b)))), weight scale of the int16 weights. */
  readonly heads: readonly { readonly bias: number; readonly plattA: number; readonly plattB: number; readonly scale: number }[];
  /** Calibrated probability from which the combination adds the intent, per label (chosen by cross-validation). */
  readonly thresholds: Readonly<Record<string, number>>;
  /**
   * Calibrated probability the model must give an intent that the rules found from emotion words alone (every piece
   * of evidence `<intent>.<lang>.emotion`) for the combination to keep it, per label (chosen by cross-validation; 0 or
   * absent: always kept).
   */
  readonly confirm?: Readonly<Record<string, number>>;
  /** Little-endian int16 weights, label-major (`labels.length * buckets`), base64. */
  readonly weights: string;
  /** How the model was trained: files with their SHA-256, row counts, trainer settings. */
  readonly training: {
    readonly files: readonly { readonly path: string; readonly sha256: string; readonly rows: number }[];
    readonly settings: Readonly<Record<string, number | string>>;
  };
}

/** The model's reading of one message for one intent. */
export interface ModelScore {
  readonly name: ModelLabel;
  /** Calibrated probability, 0..1. */
  readonly probability: number;
}

/** A trained model ready to predict. Create it with {@link loadSignalModel}. */
export interface SignalModel {
  readonly labels: readonly ModelLabel[];
  /** Thresholds stored with the model (see {@link SignalModelFile.thresholds}). */
  readonly thresholds: Readonly<Record<string, number>>;
  /** Confirmation thresholds stored with the model (see {@link SignalModelFile.confirm}). */
  readonly confirm: Readonly<Record<string, number>>;
  /** Calibrated probability of every label for `text` written in `language`. */
  predict(text: string, language: LanguageCode): ModelScore[];
  /** The customer's words that weighed most for `label` (at most `max`), as evidence. */
  explain(text: string, language: LanguageCode, label: ModelLabel, max?: number): Evidence;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Decodes the weights of a model file, bucket-major (`weights[bucket * labels + label]`): the labels' weights of one
 * bucket share a cache line, so scoring all labels costs one memory access per feature, not one per label.
 */
export function decodeWeights(file: SignalModelFile): Float32Array {
  const bytes = Buffer.from(file.weights, 'base64');
  const labels = file.labels.length;
  const expected = labels * file.buckets * 2;
  if (bytes.length !== expected) throw new RangeError(`loadSignalModel: weights hold ${bytes.length} bytes, expected ${expected}`);
  const w = new Float32Array(file.buckets * labels);
  for (let l = 0; l < labels; l++) {
    const scale = file.heads[l].scale;
    for (let j = 0; j < file.buckets; j++) w[j * labels + l] = bytes.readInt16LE((l * file.buckets + j) * 2) * scale;
  }
  return w;
}

class LinearSignalModel implements SignalModel {
  readonly labels: readonly ModelLabel[];
  readonly thresholds: Readonly<Record<string, number>>;
  readonly confirm: Readonly<Record<string, number>>;
  private readonly weights: Float32Array;
  private readonly buckets: number;
  // Per-message scratch (counts per bucket and group, and the buckets touched), reused: prediction allocates little.
  private readonly counts: [Float64Array, Float64Array];
  private readonly touched: [number[], number[]] = [[], []];
  // The last message read: `explain` right after `predict` on the same text (a model hit) does not read it again.
  private last: { text: string; language: LanguageCode; read: ModelText } | undefined;

  constructor(private readonly file: SignalModelFile) {
    if (file.format !== 'warmline-signal-model/1') throw new TypeError(`loadSignalModel: unknown format ${String(file.format)}`);
    if (!(file.buckets > 0 && (file.buckets & (file.buckets - 1)) === 0)) throw new RangeError('loadSignalModel: buckets must be a power of two');
    this.labels = file.labels;
    this.thresholds = file.thresholds;
    this.confirm = file.confirm ?? {};
    this.buckets = file.buckets;
    this.weights = decodeWeights(file);
    this.counts = [new Float64Array(file.buckets), new Float64Array(file.buckets)];
  }

  private read(text: string, language: LanguageCode): ModelText {
    if (this.last && this.last.text === text && this.last.language === language) return this.last.read;
    const read = readModelText(text, language);
    this.last = { text, language, read };
    return read;
  }

  /** Raw (uncalibrated) linear scores per label. */
  scores(text: string, language: LanguageCode): number[] {
    const read = this.read(text, language);
    const { counts, touched } = this;
    forEachFeature(read, language, this.buckets, (bucket, group) => {
      if (counts[group][bucket] === 0) touched[group].push(bucket);
      counts[group][bucket] += 1;
    });
    const out = this.file.heads.map((h) => h.bias);
    for (let g = 0; g < 2; g++) {
      const c = counts[g];
      const list = touched[g];
      let sq = 0;
      for (const b of list) sq += c[b] * c[b];
      const scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      const w = this.weights;
      const n = out.length;
      for (const b of list) {
        const x = c[b] * scale;
        const at = b * n;
        for (let l = 0; l < n; l++) out[l] += x * w[at + l];
        c[b] = 0;
      }
      list.length = 0;
    }
    return out;
  }

  predict(text: string, language: LanguageCode): ModelScore[] {
    const raw = this.scores(text, language);
    return this.labels.map((name, l) => {
      const h = this.file.heads[l];
      return { name, probability: Math.round(sigmoid(h.plattA * raw[l] + h.plattB) * 1000) / 1000 };
    });
  }

  explain(text: string, language: LanguageCode, label: ModelLabel, max = 3): Evidence {
    const l = this.labels.indexOf(label);
    if (l < 0) throw new RangeError(`explain: unknown label ${label}`);
    const read = this.read(text, language);
    const n = this.labels.length;
    const occurrences: { bucket: number; group: 0 | 1; first: number; last: number }[] = [];
    const groupCounts: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
    forEachFeature(read, language, this.buckets, (bucket, group, first, last) => {
      occurrences.push({ bucket, group, first, last });
      groupCounts[group].set(bucket, (groupCounts[group].get(bucket) ?? 0) + 1);
    });
    const scales = groupCounts.map((m) => {
      let sq = 0;
      for (const c of m.values()) sq += c * c;
      return sq > 0 ? 1 / Math.sqrt(sq) : 0;
    });
    // Each occurrence's share of the score goes to the words it came from (a bigram to both words together).
    const spans = new Map<string, { first: number; last: number; weight: number }>();
    for (const o of occurrences) {
      if (o.first < 0) continue;
      const key = `${o.first}:${o.last}`;
      const span = spans.get(key) ?? { first: o.first, last: o.last, weight: 0 };
      span.weight += this.weights[o.bucket * n + l] * scales[o.group];
      spans.set(key, span);
    }
    // A word's own n-grams (unigram and character n-grams) weigh for the word; a bigram stands on its own.
    const ranked = [...spans.values()].filter((s) => s.weight > 0).sort((a, b) => b.weight - a.weight || a.first - b.first);
    const matched: string[] = [];
    for (const s of ranked) {
      const words = originalSpan(read.norm, s.first, s.last).trim();
      if (!words || matched.some((m) => m.includes(words))) continue;
      for (let i = matched.length - 1; i >= 0; i--) if (words.includes(matched[i])) matched.splice(i, 1);
      matched.push(words);
      if (matched.length >= max) break;
    }
    return { rule: `model.${label}`, matched };
  }
}

/**
 * Loads a trained model from its file contents (the parsed JSON).
 *
 * @remarks Decodes the weights once (about 3 MB of memory for 2^17 buckets and six labels); prediction is then
 * synchronous, allocation-light and bounded by the model's maximum text length (1000 characters).
 * @example
 * const model = loadSignalModel(JSON.parse(readFileSync('signalModel.json', 'utf8')));
 * model.predict('someone took money from my account', 'en');
 */
export function loadSignalModel(file: SignalModelFile): SignalModel {
  if (!file || typeof file !== 'object') throw new TypeError('loadSignalModel: a model file is required');
  return new LinearSignalModel(file);
}
