import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SignalModelFile } from './signalModel';

let bundled: SignalModelFile | undefined;

/**
 * The model trained by `npm run train:signals` and shipped with Warmline (English and French, six intents).
 *
 * @remarks Read from `signalModel.json` beside this file (about 2 MB) on the first call, not when Warmline is loaded:
 * a server that does not use the model pays nothing for it. Pass it to `loadSignalModel`. Its `training.files` lists
 * the training files with their SHA-256 and row counts.
 * @example
 * const detector = createSignalDetector({ model: createModelAugmenter(loadSignalModel(bundledSignalModel())) });
 */
export function bundledSignalModel(): SignalModelFile {
  bundled ??= JSON.parse(readFileSync(path.join(__dirname, 'signalModel.json'), 'utf8')) as SignalModelFile;
  return bundled;
}
