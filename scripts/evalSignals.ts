/**
 * Evaluates the built-in signal detector on labelled TSV files.
 *
 * Usage: `npm run eval:signals -- FILE.tsv [FILE.tsv ...] [--predictions OUT.jsonl] [--by-source] [--rules | --model [MODEL.json]]`
 *
 * Each file: UTF-8, one header line with the columns `text`, `label`, `source_label`, `lang` (any order), then one
 * row per line split on TAB. Prints precision / recall / F1 per intent label and for "needs a human" (gold label in
 * bereavement, fraud, distress, human_request; predicted when any of those intents fires), the false-positive rate
 * of "needs a human" on `tracking` + `other_simple` rows, and last a one-line JSON with all figures.
 * `--predictions` writes one JSON line per row: `{"text","gold","lang","intents":[...]}`.
 * `--by-source` also prints the recall of each gold label per `source_label` (for development).
 * By default the detector is the product's: the rules and the bundled learned model together. `--rules` evaluates the
 * rules alone; `--model MODEL.json` the rules with another model file. The bundled model was trained on the shared dev
 * files, so its figures on them are optimistic: for cross-validated figures use `eval:signals:cv`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { bundledSignalModel } from '../middleware/signals/model/bundledSignalModel';
import { createModelAugmenter } from '../middleware/signals/model/createModelAugmenter';
import { loadSignalModel, type SignalModelFile } from '../middleware/signals/model/signalModel';
import { createSignalDetector } from '../middleware/signals/signalDetector';

/** Intent labels scored one by one. */
export const INTENT_LABELS = ['bereavement', 'fraud', 'distress', 'complaint', 'urgent', 'human_request'] as const;
/** Labels (gold) and intents (predicted) that mean "needs a human". */
export const NEEDS_HUMAN = new Set(['bereavement', 'fraud', 'distress', 'human_request']);
const SIMPLE = new Set(['tracking', 'other_simple']);

/** One labelled row. */
export interface EvalRow {
  text: string;
  label: string;
  source: string;
  lang: string;
}

/** Precision, recall, F1 and counts for one label. */
export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
  support: number;
}

/** Reads a TSV file in the shared data format. Throws a readable error on a malformed header. */
export function readTsv(path: string): EvalRow[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = (lines.shift() ?? '').split('\t');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${path}: header has no "${name}" column`);
    return i;
  };
  const [ti, li] = [col('text'), col('label')];
  const si = header.indexOf('source_label');
  const gi = header.indexOf('lang');
  const rows: EvalRow[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    const f = line.split('\t');
    rows.push({ text: f[ti] ?? '', label: (f[li] ?? '').trim(), source: si >= 0 ? f[si] ?? '' : '', lang: gi >= 0 ? (f[gi] ?? '').trim() : '' });
  }
  return rows;
}

const prf = (tp: number, fp: number, fn: number): Prf => {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const r = (x: number): number => Math.round(x * 10000) / 10000;
  return { precision: r(precision), recall: r(recall), f1: r(f1), tp, fp, fn, support: tp + fn };
};

function main(argv: string[]): void {
  const files: string[] = [];
  let predictionsPath: string | undefined;
  let bySource = false;
  let model: SignalModelFile | undefined;
  let rulesOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--predictions') {
      predictionsPath = argv[++i];
      if (!predictionsPath) throw new Error('--predictions needs a file path');
    } else if (a === '--by-source') {
      bySource = true;
    } else if (a === '--rules') {
      rulesOnly = true;
    } else if (a === '--model') {
      const path = argv[i + 1] !== undefined && argv[i + 1].endsWith('.json') ? argv[++i] : undefined;
      model = path ? (JSON.parse(readFileSync(path, 'utf8')) as SignalModelFile) : bundledSignalModel();
    } else if (a.startsWith('--')) {
      throw new Error(`unknown option ${a}`);
    } else {
      files.push(a);
    }
  }
  if (files.length === 0) {
    console.error('usage: npm run eval:signals -- FILE.tsv [FILE.tsv ...] [--predictions OUT.jsonl] [--by-source] [--rules | --model [MODEL.json]]');
    process.exitCode = 2;
    return;
  }

  const rows = files.flatMap(readTsv);
  if (rulesOnly && model) throw new Error('--rules and --model exclude each other');
  // The default detector is the product's: rules + the bundled model.
  const detector = createSignalDetector(rulesOnly ? { model: false } : model ? { model: createModelAugmenter(loadSignalModel(model)) } : {});
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (label: string, key: 'tp' | 'fp' | 'fn'): void => {
    const c = counts.get(label) ?? { tp: 0, fp: 0, fn: 0 };
    c[key]++;
    counts.set(label, c);
  };
  let simpleRows = 0;
  let simpleFalseAlarms = 0;
  const sources = new Map<string, { n: number; hit: number }>();
  const predictions: string[] = [];

  for (const row of rows) {
    const locale = row.lang === 'en' || row.lang === 'fr' ? row.lang : undefined;
    const signals = detector.detect(row.text, { locale });
    const intents = signals.intents.map((i) => i.name);
    const predicted = new Set(intents);
    for (const label of INTENT_LABELS) {
      if (row.label === label && predicted.has(label)) bump(label, 'tp');
      else if (row.label !== label && predicted.has(label)) bump(label, 'fp');
      else if (row.label === label) bump(label, 'fn');
    }
    const goldHuman = NEEDS_HUMAN.has(row.label);
    const predHuman = intents.some((i) => NEEDS_HUMAN.has(i));
    if (goldHuman && predHuman) bump('needs_human', 'tp');
    else if (!goldHuman && predHuman) bump('needs_human', 'fp');
    else if (goldHuman) bump('needs_human', 'fn');
    if (SIMPLE.has(row.label)) {
      simpleRows++;
      if (predHuman) simpleFalseAlarms++;
    }
    if (bySource) {
      const key = `${row.label}\t${row.source}`;
      const s = sources.get(key) ?? { n: 0, hit: 0 };
      s.n++;
      const ok = SIMPLE.has(row.label) ? !predHuman : predicted.has(row.label);
      if (ok) s.hit++;
      sources.set(key, s);
    }
    if (predictionsPath) {
      predictions.push(JSON.stringify({ text: row.text, gold: row.label, lang: signals.language, intents }));
    }
  }

  const labels: Record<string, Prf> = {};
  const pad = (s: string, n: number): string => s.padEnd(n);
  console.log(`rows: ${rows.length} (${files.join(', ')}); ${rulesOnly ? 'rules' : 'rules + model'}`);
  console.log(`${pad('label', 16)}${pad('precision', 11)}${pad('recall', 9)}${pad('f1', 9)}${pad('tp', 6)}${pad('fp', 6)}${pad('fn', 6)}support`);
  for (const label of [...INTENT_LABELS, 'needs_human']) {
    const c = counts.get(label) ?? { tp: 0, fp: 0, fn: 0 };
    const p = prf(c.tp, c.fp, c.fn);
    labels[label] = p;
    console.log(
      `${pad(label, 16)}${pad(p.precision.toFixed(3), 11)}${pad(p.recall.toFixed(3), 9)}${pad(p.f1.toFixed(3), 9)}${pad(String(p.tp), 6)}${pad(String(p.fp), 6)}${pad(String(p.fn), 6)}${p.support}`,
    );
  }
  const fpr = simpleRows === 0 ? 0 : Math.round((simpleFalseAlarms / simpleRows) * 10000) / 10000;
  console.log(`needs_human false-positive rate on tracking + other_simple: ${(fpr * 100).toFixed(2)} % (${simpleFalseAlarms}/${simpleRows})`);
  if (bySource) {
    console.log('\nper source (label, source: share right: intent found, or for simple rows no human needed)');
    for (const [key, s] of [...sources.entries()].sort()) {
      if (s.hit < s.n) console.log(`  ${key.replace('\t', '  ')}  ${s.hit}/${s.n}`);
    }
  }
  if (predictionsPath) writeFileSync(predictionsPath, predictions.length ? `${predictions.join('\n')}\n` : '');
  console.log(
    JSON.stringify({
      files,
      detector: rulesOnly ? 'rules' : 'rules+model',
      rows: rows.length,
      labels,
      needsHumanFalsePositiveRate: fpr,
      simpleRows,
      simpleFalseAlarms,
    }),
  );
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`eval:signals: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
