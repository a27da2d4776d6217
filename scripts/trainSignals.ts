/**
 * Trains the signal model and writes it (`npm run train:signals`).
 *
 * Usage: `npm run train:signals -- [--data DIR] [--out FILE]`. Reads `DIR/*.dev.tsv` (default `../shared/data`,
 * without `all.dev.tsv`) and every `middleware/signals/model/data/*.tsv`; writes
 * `middleware/signals/model/signalModel.json` with the files' SHA-256. Deterministic: the same files give the same
 * model, byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { trainSignalModel } from '../middleware/signals/model/trainSignalModel';
import { DEFAULT_DATA_DIR, loadTrainingData, MODEL_PATH, trainingFiles } from './signalTrainingData';

function main(argv: string[]): void {
  let dataDir = DEFAULT_DATA_DIR;
  let out = MODEL_PATH;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data') dataDir = argv[++i] ?? dataDir;
    else if (argv[i] === '--out') out = argv[++i] ?? out;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  const started = Date.now();
  const { rows, provenance } = loadTrainingData(trainingFiles(dataDir));
  const model = trainSignalModel(rows, provenance);
  const json = `${JSON.stringify(model)}\n`;
  writeFileSync(out, json);
  console.log(`train:signals: ${rows.length} rows from ${provenance.length} files -> ${out} (${(json.length / 1e6).toFixed(2)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`thresholds: ${JSON.stringify(model.thresholds)}`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`train:signals: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
