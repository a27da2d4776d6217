/**
 * The signal model's training data: the shared dev files (`../shared/data/*.dev.tsv`, without `all.dev.tsv`, which
 * concatenates four of them) and the project's own labelled file, with their SHA-256 checksums.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fromEmotionWordsOnly } from '../middleware/signals/model/createModelAugmenter';
import { createSignalDetector } from '../middleware/signals/signalDetector';
import type { TrainingFiles, TrainingRow } from '../middleware/signals/model/trainSignalModel';
import { readTsv } from './evalSignals';

/** Repository root. */
export const ROOT = resolve(__dirname, '..');
/** Where the shared dev files are, by default. */
export const DEFAULT_DATA_DIR = resolve(ROOT, '../shared/data');
/** The project's own labelled examples (every `*.tsv` in this directory, written for Warmline, EN and FR). */
export const PROJECT_DATA_DIR = resolve(ROOT, 'middleware/signals/model/data');
/** The committed model. */
export const MODEL_PATH = resolve(ROOT, 'middleware/signals/model/signalModel.json');
/** Files of the data directory never used: `all.dev.tsv` is the concatenation of four others. */
const CONCATENATIONS = new Set(['all.dev.tsv']);

/**
 * Training weight of the chat-style files (the written `chat.dev.tsv` and the project's own files) against 1 for the
 * public sets, which are many times larger but do not read like chat messages. Cross-validation (5 folds) gave no
 * gain for 2 or 3 over 1 (needs-a-human recall 0.880 with 2 against 0.882 with 1, same false alarms), so 1.
 */
export const CHAT_WEIGHT = 1;
const CHAT_FILES = /(^|\/)(chat\.dev\.tsv$|middleware\/signals\/model\/data\/)/;

/** A training row with the file it came from. */
export interface SourcedRow extends TrainingRow {
  readonly file: string;
  readonly source: string;
}

const tsvFiles = (dir: string, keep: (name: string) => boolean): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.tsv') && keep(f))
    .sort()
    .map((f) => join(dir, f));

/** The shared dev files, sorted by name, then the project's files, sorted by name. Throws when a directory is missing. */
export function trainingFiles(dataDir = DEFAULT_DATA_DIR, projectDir = PROJECT_DATA_DIR): string[] {
  for (const dir of [dataDir, projectDir]) if (!existsSync(dir)) throw new Error(`no data directory ${dir}`);
  return [...tsvFiles(dataDir, (f) => f.endsWith('.dev.tsv') && !CONCATENATIONS.has(f)), ...tsvFiles(projectDir, () => true)];
}

/** Reads the rows of `files` (with the rules' intents on each) and the files' provenance. */
export function loadTrainingData(files: readonly string[]): { rows: SourcedRow[]; provenance: TrainingFiles } {
  const rules = createSignalDetector({ model: false });
  const rows: SourcedRow[] = [];
  const provenance: { path: string; sha256: string; rows: number }[] = [];
  for (const path of files) {
    const name = relative(ROOT, path).split('\\').join('/');
    const read = readTsv(path).filter((r) => r.text.trim() && r.label);
    for (const r of read) {
      const lang = r.lang === 'fr' ? 'fr' : 'en';
      const intents = rules.detect(r.text, { locale: lang }).intents;
      const ruleIntents = intents.map((i) => i.name);
      const emotionOnlyIntents = intents.filter(fromEmotionWordsOnly).map((i) => i.name);
      rows.push({ text: r.text, label: r.label, lang, ruleIntents, emotionOnlyIntents, weight: CHAT_FILES.test(name) ? CHAT_WEIGHT : 1, file: name, source: r.source });
    }
    provenance.push({ path: name, sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), rows: read.length });
  }
  return { rows, provenance };
}
