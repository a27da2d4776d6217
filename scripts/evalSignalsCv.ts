/**
 * Cross-validated evaluation of the rules, the learned model and their combination (`npm run eval:signals:cv`).
 *
 * Usage: `npm run eval:signals:cv -- [--data DIR] [--folds 5] [--seed N] [--json OUT.json] [--set epochs=20 ...]`
 * (`--set` overrides a trainer setting, see `TrainSettings`, to compare settings by cross-validation).
 *
 * The training rows (see signalTrainingData.ts) are split into k stratified folds (by file and label, fixed seed).
 * For each fold the whole training procedure (inner folds for calibration and thresholds included) runs on the other
 * folds, and only the held-out fold is scored: no row is scored by a model that saw it. The rules are not trained and
 * score every row. Prints, for rules / model / rules+model: per-label precision and recall, "needs a human" recall and
 * false alarms on simple requests per language and per file, the top confusion pairs, and the model's reliability.
 */
import { writeFileSync } from 'node:fs';
import { createModelAugmenter } from '../middleware/signals/model/createModelAugmenter';
import { loadSignalModel } from '../middleware/signals/model/signalModel';
import { featurise, stratifiedFolds, trainSignalModel, DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../middleware/signals/model/trainSignalModel';
import { createSignalDetector } from '../middleware/signals/signalDetector';
import { INTENT_LABELS, NEEDS_HUMAN } from './evalSignals';
import { DEFAULT_DATA_DIR, loadTrainingData, trainingFiles, type SourcedRow } from './signalTrainingData';

const SIMPLE = new Set(['tracking', 'other_simple']);
const SYSTEMS = ['rules', 'model', 'combined'] as const;
type System = (typeof SYSTEMS)[number];

/** Figures of one system on a set of rows. */
interface Figures {
  labels: Record<string, { precision: number; recall: number; tp: number; fp: number; fn: number }>;
  needsHuman: { recall: number; precision: number; support: number; falseAlarmRate: number; simpleRows: number };
}

const r4 = (x: number): number => Math.round(x * 10000) / 10000;

function score(rows: readonly SourcedRow[], predicted: readonly (readonly string[])[], subset: readonly number[]): Figures {
  const labels: Figures['labels'] = {};
  for (const label of INTENT_LABELS) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const i of subset) {
      const hit = predicted[i].includes(label);
      if (rows[i].label === label) {
        if (hit) tp++;
        else fn++;
      } else if (hit) fp++;
    }
    labels[label] = { precision: r4(tp + fp ? tp / (tp + fp) : 0), recall: r4(tp + fn ? tp / (tp + fn) : 0), tp, fp, fn };
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let simple = 0;
  let alarms = 0;
  for (const i of subset) {
    const gold = NEEDS_HUMAN.has(rows[i].label);
    const pred = predicted[i].some((p) => NEEDS_HUMAN.has(p));
    if (gold && pred) tp++;
    else if (gold) fn++;
    else if (pred) fp++;
    if (SIMPLE.has(rows[i].label)) {
      simple++;
      if (pred) alarms++;
    }
  }
  return {
    labels,
    needsHuman: {
      recall: r4(tp + fn ? tp / (tp + fn) : 0),
      precision: r4(tp + fp ? tp / (tp + fp) : 0),
      support: tp + fn,
      falseAlarmRate: r4(simple ? alarms / simple : 0),
      simpleRows: simple,
    },
  };
}

/** Gold label -> wrongly predicted intent (or `(none)` for a missed one), most frequent first. */
function confusions(rows: readonly SourcedRow[], predicted: readonly (readonly string[])[], top: number): [string, number][] {
  const counts = new Map<string, number>();
  rows.forEach((r, i) => {
    const wrong = predicted[i].filter((p) => p !== r.label);
    for (const p of wrong) counts.set(`${r.label} -> ${p}`, (counts.get(`${r.label} -> ${p}`) ?? 0) + 1);
    if (!SIMPLE.has(r.label) && !predicted[i].includes(r.label)) counts.set(`${r.label} -> (missed)`, (counts.get(`${r.label} -> (missed)`) ?? 0) + 1);
  });
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top);
}

interface CvResult {
  predicted: Record<System, string[][]>;
  probabilities: number[][];
  thresholds: Record<string, number>[];
}

function crossValidate(rows: readonly SourcedRow[], k: number, seed: number, settings: Partial<TrainSettings>): CvResult {
  const vectors = featurise(rows, settings.buckets ?? DEFAULT_TRAIN_SETTINGS.buckets);
  const folds = stratifiedFolds(rows.map((r) => `${r.file}|${r.label}`), k, seed);
  const predicted: Record<System, string[][]> = { rules: [], model: [], combined: [] };
  const probabilities: number[][] = [];
  const thresholds: Record<string, number>[] = [];
  rows.forEach((r, i) => (predicted.rules[i] = [...(r.ruleIntents ?? [])]));
  const confirms: Record<string, number>[] = [];
  for (let f = 0; f < k; f++) {
    const train = rows.map((_, i) => i).filter((i) => folds[i] !== f);
    const file = trainSignalModel(rows, [], settings, vectors, train);
    thresholds.push({ ...file.thresholds });
    confirms.push({ ...file.confirm });
    const model = loadSignalModel(file);
    const combined = createSignalDetector({ model: createModelAugmenter(model) });
    rows.forEach((r, i) => {
      if (folds[i] !== f) return;
      const p = model.predict(r.text, r.lang);
      probabilities[i] = p.map((s) => s.probability);
      predicted.model[i] = p.filter((s) => s.probability >= 0.5).map((s) => s.name);
      predicted.combined[i] = combined.detect(r.text, { locale: r.lang }).intents.map((h) => h.name);
    });
    console.error(`fold ${f + 1}/${k} done`);
  }
  console.error(`fold confirmations: ${confirms.map((c) => JSON.stringify(c)).join(' ')}`);
  return { predicted, probabilities, thresholds };
}

function reliability(rows: readonly SourcedRow[], probabilities: readonly number[][]): string[] {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, pos: 0 }));
  rows.forEach((r, i) =>
    INTENT_LABELS.forEach((label, l) => {
      const p = probabilities[i][l];
      const b = bins[Math.min(9, Math.floor(p * 10))];
      b.n++;
      b.p += p;
      if (r.label === label) b.pos++;
    }),
  );
  return bins.flatMap((b, i) => (b.n === 0 ? [] : [`  ${(i / 10).toFixed(1)}-: n=${b.n} mean p=${(b.p / b.n).toFixed(3)} positive rate=${(b.pos / b.n).toFixed(3)}`]));
}

const fmt = (x: number): string => x.toFixed(3);

function printReport(rows: readonly SourcedRow[], cv: CvResult): Record<string, unknown> {
  const all = rows.map((_, i) => i);
  const groups: [string, number[]][] = [
    ['all', all],
    ['lang=en', all.filter((i) => rows[i].lang === 'en')],
    ['lang=fr', all.filter((i) => rows[i].lang === 'fr')],
    ...[...new Set(rows.map((r) => r.file))].map((f): [string, number[]] => [f.replace(/^.*\//, ''), all.filter((i) => rows[i].file === f)]),
    ['chat.dev.tsv en', all.filter((i) => rows[i].file.endsWith('chat.dev.tsv') && rows[i].lang === 'en')],
    ['chat.dev.tsv fr', all.filter((i) => rows[i].file.endsWith('chat.dev.tsv') && rows[i].lang === 'fr')],
  ];
  const out: Record<string, unknown> = {};
  console.log(`rows: ${rows.length}; fold thresholds: ${cv.thresholds.map((t) => JSON.stringify(t)).join(' ')}`);
  console.log('\nper label, all rows (precision / recall)');
  console.log(`${'label'.padEnd(15)}${SYSTEMS.map((s) => s.padEnd(17)).join('')}`);
  const overall = Object.fromEntries(SYSTEMS.map((s) => [s, score(rows, cv.predicted[s], all)])) as Record<System, Figures>;
  for (const label of INTENT_LABELS) {
    console.log(`${label.padEnd(15)}${SYSTEMS.map((s) => `${fmt(overall[s].labels[label].precision)} / ${fmt(overall[s].labels[label].recall)}`.padEnd(17)).join('')}`);
  }
  console.log('\nneeds a human: recall, false alarms on simple requests (per group)');
  for (const [name, subset] of groups) {
    const figures = Object.fromEntries(SYSTEMS.map((s) => [s, score(rows, cv.predicted[s], subset)])) as Record<System, Figures>;
    out[name] = figures;
    const cells = SYSTEMS.map((s) => {
      const h = figures[s].needsHuman;
      return `${s} R ${h.support ? fmt(h.recall) : '  -  '} FA ${h.simpleRows ? `${(h.falseAlarmRate * 100).toFixed(1)}%` : '-'}`.padEnd(27);
    });
    console.log(`${name.padEnd(36)}${cells.join('')}`);
  }
  for (const [name, subset] of groups.filter(([n]) => n.startsWith('lang=') || n.startsWith('chat.dev.tsv '))) {
    console.log(`\nper label, ${name} (precision / recall)`);
    const figures = out[name] as Record<System, Figures>;
    for (const label of INTENT_LABELS) {
      if (!subset.some((i) => rows[i].label === label)) continue;
      console.log(`${label.padEnd(15)}${SYSTEMS.map((s) => `${fmt(figures[s].labels[label].precision)} / ${fmt(figures[s].labels[label].recall)}`.padEnd(17)).join('')}`);
    }
  }
  for (const s of SYSTEMS) console.log(`\ntop confusions, ${s}: ${confusions(rows, cv.predicted[s], 8).map(([k, n]) => `${k} ${n}`).join('; ')}`);
  console.log('\nmodel reliability (all labels, out-of-fold calibrated probability)');
  for (const line of reliability(rows, cv.probabilities)) console.log(line);
  return out;
}

function main(argv: string[]): void {
  let dataDir = DEFAULT_DATA_DIR;
  let k = 5;
  let seed = 5;
  let jsonOut: string | undefined;
  const settings: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--data') dataDir = argv[++i] ?? dataDir;
    else if (a === '--folds') k = Number(argv[++i]);
    else if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--json') jsonOut = argv[++i];
    else if (a === '--set') {
      const [key, value] = (argv[++i] ?? '').split('=');
      if (!(key in DEFAULT_TRAIN_SETTINGS) || !Number.isFinite(Number(value))) throw new Error(`--set ${key}: unknown setting or not a number`);
      settings[key] = Number(value);
    }
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(k >= 2 && Number.isInteger(k))) throw new Error('--folds must be an integer >= 2');
  const { rows } = loadTrainingData(trainingFiles(dataDir));
  const cv = crossValidate(rows, k, seed, settings as Partial<TrainSettings>);
  const figures = printReport(rows, cv);
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ folds: k, seed, settings, rows: rows.length, thresholds: cv.thresholds, figures }, null, 1)}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`eval:signals:cv: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
