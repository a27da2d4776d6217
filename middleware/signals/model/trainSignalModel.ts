/**
 * Deterministic trainer of the signal model: one-vs-rest logistic regression per intent (AdaGrad SGD, L2, balanced
 * class weights, seeded shuffles), Platt calibration on inner cross-validation folds, and per-intent thresholds for
 * the rules + model combination chosen on the same out-of-fold predictions.
 *
 * Hand-written: `ml-logistic-regression` (the maintained npm option) works on dense `ml-matrix` rows, which for
 * 2^17 hashed features and thousands of rows would need gigabytes; this trainer works on sparse rows in a few seconds
 * and is bit-for-bit reproducible (fixed seed, fixed order of floating-point operations).
 */
import { featureVector, type SparseVector } from './modelFeatures';
import { MODEL_LABELS, type ModelLabel, type SignalModelFile } from './signalModel';

/** One labelled training row. */
export interface TrainingRow {
  readonly text: string;
  /** Gold label: one of the intents, or `tracking` / `other_simple` (negatives for every intent). */
  readonly label: string;
  readonly lang: string;
  /** Intents the rules find on this row, used to choose the combination's thresholds. */
  readonly ruleIntents?: readonly string[];
  /** Of those, the intents the rules read from emotion words alone (the combination may ask the model to confirm them). */
  readonly emotionOnlyIntents?: readonly string[];
  /** Weight of the row in training (e.g. more for chat-style rows, which the public sets barely hold). Default 1. */
  readonly weight?: number;
}

/** Trainer settings. */
export interface TrainSettings {
  /** Hash buckets (power of two). Default 2^17. */
  readonly buckets: number;
  readonly epochs: number;
  readonly learningRate: number;
  /** L2 strength per update. */
  readonly l2: number;
  readonly seed: number;
  /** Inner folds used to calibrate and to choose thresholds. */
  readonly calibrationFolds: number;
  /** Lowest threshold a label may get. */
  readonly minThreshold: number;
  /**
   * Lowest threshold of the intents the handoff policy treats as immediate (bereavement, fraud, human_request). The
   * policy offers a person, rather than forcing one, for a model-only hit below its `offerOnModelEvidenceBelow` (0.9).
   */
  readonly minThresholdImmediate: number;
  /** Most "needs a human" false alarms on simple rows one intent's model hits may add, as a share of simple rows. */
  readonly maxAddedFalseAlarms: number;
}

/** Default trainer settings. */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  buckets: 1 << 17,
  epochs: 20,
  learningRate: 0.15,
  l2: 1e-6,
  seed: 20261207,
  calibrationFolds: 3,
  minThreshold: 0.5,
  minThresholdImmediate: 0.5,
  maxAddedFalseAlarms: 0.006,
};

const NEEDS_HUMAN = new Set<string>(['bereavement', 'fraud', 'distress', 'human_request']);
const IMMEDIATE = new Set<string>(['bereavement', 'fraud', 'human_request']);
const SIMPLE = new Set(['tracking', 'other_simple']);
/** Intents the rules also read from emotion words alone. */
const FROM_EMOTIONS = new Set<string>(['distress', 'complaint']);
const CONFIRM_GRID = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4];
const THRESHOLD_GRID = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99];
/** A threshold no calibrated probability reaches: the model never adds this label. */
export const NEVER = 1.01;

/** Deterministic 32-bit PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const shuffle = <T>(items: T[], random: () => number): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
};

/** Stratified fold number (0..k-1) of every row: each label's rows are shuffled with `seed` and dealt in turn. */
export function stratifiedFolds(labels: readonly string[], k: number, seed: number): number[] {
  const random = seededRandom(seed);
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), i]));
  const folds = new Array<number>(labels.length).fill(0);
  let next = 0;
  for (const label of [...byLabel.keys()].sort()) {
    for (const i of shuffle(byLabel.get(label) ?? [], random)) folds[i] = next++ % k;
  }
  return folds;
}

/** Feature vectors of rows (the expensive, label-free step: compute once, reuse for every fold). */
export function featurise(rows: readonly TrainingRow[], buckets: number): SparseVector[] {
  return rows.map((r) => featureVector(r.text, r.lang, buckets));
}

interface Head {
  readonly weights: Float64Array;
  readonly bias: number;
}

const dot = (w: Float64Array, x: SparseVector): number => {
  let s = 0;
  for (let k = 0; k < x.index.length; k++) s += w[x.index[k]] * x.value[k];
  return s;
};

/** Fits one binary logistic regression on `subset` (row indices) with AdaGrad. */
function fitHead(
  vectors: readonly SparseVector[],
  positive: readonly boolean[],
  rowWeights: readonly number[],
  subset: readonly number[],
  label: number,
  s: TrainSettings,
): Head {
  const w = new Float64Array(s.buckets);
  const g2 = new Float64Array(s.buckets);
  let bias = 0;
  let gb = 0;
  let pos = 0;
  let neg = 0;
  for (const i of subset) {
    if (positive[i]) pos += rowWeights[i];
    else neg += rowWeights[i];
  }
  // Balanced class weights: each class weighs half of the data.
  const wPos = pos > 0 ? (pos + neg) / (2 * pos) : 0;
  const wNeg = neg > 0 ? (pos + neg) / (2 * neg) : 0;
  const random = seededRandom(s.seed * 31 + label);
  const order = [...subset];
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const x = vectors[i];
      const y = positive[i] ? 1 : 0;
      const z = bias + dot(w, x);
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - y) * (y ? wPos : wNeg) * rowWeights[i];
      for (let k = 0; k < x.index.length; k++) {
        const j = x.index[k];
        const grad = g * x.value[k] + s.l2 * w[j];
        g2[j] += grad * grad;
        w[j] -= (s.learningRate * grad) / (Math.sqrt(g2[j]) + 1e-8);
      }
      gb += g * g;
      bias -= (s.learningRate * g) / (Math.sqrt(gb) + 1e-8);
    }
  }
  return { weights: w, bias };
}

/** Platt scaling: `a`, `b` minimising log loss of sigmoid(a * score + b) (Newton's method, Platt's target smoothing). */
export function fitPlatt(scores: readonly number[], positive: readonly boolean[]): { a: number; b: number } {
  const nPos = positive.filter(Boolean).length;
  const nNeg = positive.length - nPos;
  const hi = (nPos + 1) / (nPos + 2);
  const lo = 1 / (nNeg + 2);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < scores.length; i++) {
      const p = 1 / (1 + Math.exp(-(a * scores[i] + b)));
      const t = positive[i] ? hi : lo;
      const d = p - t;
      const h = p * (1 - p);
      ga += d * scores[i];
      gb += d;
      haa += h * scores[i] * scores[i];
      hab += h * scores[i];
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) break;
  }
  return { a, b };
}

/**
 * The threshold of `label` and, for the intents the rules also read from emotion words, the confirmation the model
 * must give such a hit: the pair whose rules-and-model F1 on out-of-fold predictions is highest, among thresholds at
 * or above the label's floor that add at most `maxAddedFalseAlarms` "needs a human" false alarms on simple rows.
 */
export function chooseThresholds(
  rows: readonly TrainingRow[],
  probabilities: readonly number[],
  label: string,
  s: TrainSettings,
): { threshold: number; confirm: number } {
  const floor = IMMEDIATE.has(label) ? s.minThresholdImmediate : s.minThreshold;
  const simpleRows = rows.filter((r) => SIMPLE.has(r.label)).length;
  let best = { threshold: NEVER, confirm: 0 };
  let bestF1 = -1;
  for (const confirm of FROM_EMOTIONS.has(label) ? CONFIRM_GRID : [0]) {
    for (const t of [...THRESHOLD_GRID.filter((x) => x >= floor), NEVER]) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let added = 0;
      rows.forEach((r, i) => {
        const found = (r.ruleIntents ?? []).includes(label);
        const rule = found && (probabilities[i] >= confirm || !(r.emotionOnlyIntents ?? []).includes(label));
        const hit = rule || probabilities[i] >= t;
        if (r.label === label) {
          if (hit) tp++;
          else fn++;
        } else if (hit) {
          fp++;
          if (!rule && SIMPLE.has(r.label) && !(r.ruleIntents ?? []).some((x) => NEEDS_HUMAN.has(x))) added++;
        }
      });
      if (NEEDS_HUMAN.has(label) && simpleRows > 0 && added / simpleRows > s.maxAddedFalseAlarms) continue;
      const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      if (f1 > bestF1 + 1e-9) {
        best = { threshold: t, confirm };
        bestF1 = f1;
      }
    }
  }
  return best;
}

/** The threshold of `label` alone (see {@link chooseThresholds}). */
export function chooseThreshold(rows: readonly TrainingRow[], probabilities: readonly number[], label: string, s: TrainSettings): number {
  return chooseThresholds(rows, probabilities, label, s).threshold;
}

/** The training files' provenance stored in the model. */
export type TrainingFiles = SignalModelFile['training']['files'];

const quantise = (w: Float64Array): { scale: number; bytes: Buffer } => {
  let max = 0;
  for (const x of w) max = Math.max(max, Math.abs(x));
  const scale = max > 0 ? max / 32767 : 1;
  const bytes = Buffer.alloc(w.length * 2);
  for (let j = 0; j < w.length; j++) bytes.writeInt16LE(Math.round(w[j] / scale), j * 2);
  return { scale, bytes };
};

const round = (x: number, digits = 8): number => Number(x.toPrecision(digits));

/**
 * Trains the model on `rows` (or on `subset` of them): inner stratified folds give out-of-fold scores for Platt
 * calibration and thresholds, then every head is fitted on all the rows.
 *
 * @remarks Deterministic: the same rows in the same order with the same settings give the same file, byte for byte.
 * `vectors` may be passed when the caller already featurised the rows (cross-validation).
 */
export function trainSignalModel(
  rows: readonly TrainingRow[],
  files: TrainingFiles,
  settings: Partial<TrainSettings> = {},
  vectors?: readonly SparseVector[],
  subset?: readonly number[],
): SignalModelFile {
  const s: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, ...settings };
  const x = vectors ?? featurise(rows, s.buckets);
  const idx = subset ?? rows.map((_, i) => i);
  const inner = stratifiedFolds(idx.map((i) => rows[i].label), s.calibrationFolds, s.seed + 1);
  const oof = MODEL_LABELS.map(() => new Array<number>(idx.length).fill(0));
  const positives = MODEL_LABELS.map((label) => rows.map((r) => r.label === label));
  const rowWeights = rows.map((r) => r.weight ?? 1);
  for (let f = 0; f < s.calibrationFolds; f++) {
    const train = idx.filter((_, k) => inner[k] !== f);
    MODEL_LABELS.forEach((_, l) => {
      const head = fitHead(x, positives[l], rowWeights, train, l, s);
      idx.forEach((i, k) => {
        if (inner[k] === f) oof[l][k] = head.bias + dot(head.weights, x[i]);
      });
    });
  }
  const subRows = idx.map((i) => rows[i]);
  const heads: SignalModelFile['heads'][number][] = [];
  const thresholds: Record<string, number> = {};
  const confirm: Record<string, number> = {};
  const chunks: Buffer[] = [];
  MODEL_LABELS.forEach((label: ModelLabel, l) => {
    const platt = fitPlatt(oof[l], idx.map((i) => positives[l][i]));
    const calibrated = oof[l].map((z) => 1 / (1 + Math.exp(-(platt.a * z + platt.b))));
    const chosen = chooseThresholds(subRows, calibrated, label, s);
    thresholds[label] = chosen.threshold;
    if (chosen.confirm > 0) confirm[label] = chosen.confirm;
    const head = fitHead(x, positives[l], rowWeights, idx, l, s);
    const q = quantise(head.weights);
    chunks.push(q.bytes);
    heads.push({ bias: round(head.bias), plattA: round(platt.a), plattB: round(platt.b), scale: q.scale });
  });
  return {
    format: 'warmline-signal-model/1',
    buckets: s.buckets,
    labels: [...MODEL_LABELS],
    heads,
    thresholds,
    confirm,
    weights: Buffer.concat(chunks).toString('base64'),
    training: { files, settings: { ...s, rows: idx.length } },
  };
}
