import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundledSignalModel } from '../../../../middleware/signals/model/bundledSignalModel';
import { loadSignalModel, MODEL_LABELS } from '../../../../middleware/signals/model/signalModel';
import {
  chooseThreshold,
  chooseThresholds,
  DEFAULT_TRAIN_SETTINGS,
  fitPlatt,
  NEVER,
  stratifiedFolds,
  trainSignalModel,
  type TrainingRow,
} from '../../../../middleware/signals/model/trainSignalModel';

const ROOT = resolve(__dirname, '../../../..');
const PROJECT_DIR = 'middleware/signals/model/data';
const PROJECT = resolve(ROOT, PROJECT_DIR, 'project.tsv');

const projectRows = (): TrainingRow[] =>
  readFileSync(PROJECT, 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [text, label, , lang] = line.split('\t');
      return { text, label, lang };
    });

// Small and quick: 2^12 buckets, a few epochs, the project's own rows.
const SMALL = { buckets: 1 << 12, epochs: 3 };

describe('trainSignalModel', () => {
  it('gives the same model, byte for byte, when trained again on the same rows', () => {
    const rows = projectRows();
    const a = JSON.stringify(trainSignalModel(rows, [], SMALL));
    const b = JSON.stringify(trainSignalModel(rows, [], SMALL));
    expect(a).to.equal(b);
    const c = JSON.stringify(trainSignalModel(rows, [], { ...SMALL, seed: 7 }));
    expect(c).to.not.equal(a);
  });

  it('learns the project rows it was trained on', () => {
    const rows = projectRows();
    const model = loadSignalModel(trainSignalModel(rows, [], { buckets: 1 << 14 }));
    let right = 0;
    for (const r of rows) {
      const best = model.predict(r.text, r.lang).reduce((x, y) => (y.probability > x.probability ? y : x));
      const simple = r.label === 'tracking' || r.label === 'other_simple';
      if (simple ? best.probability < 0.5 : best.name === r.label) right++;
    }
    expect(right / rows.length).to.be.greaterThan(0.8);
  });

  it('deals stratified folds: each label spread evenly, the same for the same seed', () => {
    const labels = [...Array(50).fill('a'), ...Array(10).fill('b')] as string[];
    const folds = stratifiedFolds(labels, 5, 1);
    expect(folds).to.deep.equal(stratifiedFolds(labels, 5, 1));
    for (let f = 0; f < 5; f++) {
      expect(folds.filter((x, i) => x === f && labels[i] === 'a')).to.have.length(10);
      expect(folds.filter((x, i) => x === f && labels[i] === 'b')).to.have.length(2);
    }
  });

  it('fits Platt scaling that orders and calibrates separable scores', () => {
    const scores = [-3, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 3];
    const positive = scores.map((s) => s > 0);
    const { a, b } = fitPlatt(scores, positive);
    const p = (s: number): number => 1 / (1 + Math.exp(-(a * s + b)));
    expect(a).to.be.greaterThan(0);
    expect(p(3)).to.be.greaterThan(0.8);
    expect(p(-3)).to.be.lessThan(0.2);
  });

  it('asks the model to confirm an intent read from emotion words when those hits are mostly false alarms it doubts', () => {
    // Emotion-word distress on 10 simple rows the model scores 0.03, and on 10 distress rows it scores 0.6.
    const rows: TrainingRow[] = [
      ...Array.from({ length: 10 }, () => ({ text: '', label: 'tracking', lang: 'en', ruleIntents: ['distress'], emotionOnlyIntents: ['distress'] })),
      ...Array.from({ length: 10 }, () => ({ text: '', label: 'distress', lang: 'en', ruleIntents: ['distress'], emotionOnlyIntents: ['distress'] })),
      ...Array.from({ length: 80 }, () => ({ text: '', label: 'other_simple', lang: 'en' })),
    ];
    const probabilities = rows.map((r) => (r.label === 'distress' ? 0.6 : r.label === 'tracking' ? 0.03 : 0.01));
    expect(chooseThresholds(rows, probabilities, 'distress', DEFAULT_TRAIN_SETTINGS).confirm).to.be.greaterThan(0.03);
    // A pattern's hit is never put to the model: the same rows without emotionOnlyIntents need no confirmation.
    const patternRows = rows.map((r) => ({ ...r, emotionOnlyIntents: [] }));
    expect(chooseThresholds(patternRows, probabilities, 'distress', DEFAULT_TRAIN_SETTINGS).confirm).to.equal(0);
    // Fraud is never read from emotion words: no confirmation is ever chosen for it.
    expect(chooseThresholds(rows.map((r) => ({ ...r, emotionOnlyIntents: ['fraud'], ruleIntents: ['fraud'] })), probabilities, 'fraud', DEFAULT_TRAIN_SETTINGS).confirm).to.equal(0);
  });

  it('chooses no threshold (never) when every model hit would be a false alarm on simple rows', () => {
    const rows: TrainingRow[] = [
      ...Array.from({ length: 20 }, () => ({ text: '', label: 'tracking', lang: 'en' })),
      { text: '', label: 'fraud', lang: 'en', ruleIntents: ['fraud'] },
    ];
    const probabilities = rows.map((r) => (r.label === 'tracking' ? 0.99 : 0.1));
    expect(chooseThreshold(rows, probabilities, 'fraud', DEFAULT_TRAIN_SETTINGS)).to.equal(NEVER);
  });
});

describe('the committed signal model', () => {
  const file = bundledSignalModel();

  it('is under 5 MB and loads', () => {
    expect(statSync(resolve(ROOT, 'middleware/signals/model/signalModel.json')).size).to.be.lessThan(5e6);
    expect(loadSignalModel(file).labels).to.deep.equal([...MODEL_LABELS]);
  });

  it('was trained on every committed project file as it is now (retrain after editing one) and not on all.dev.tsv', () => {
    const committed = readdirSync(resolve(ROOT, PROJECT_DIR)).filter((f) => f.endsWith('.tsv')).sort();
    expect(committed).to.include('project.tsv');
    const trained = file.training.files.filter((f) => f.path.startsWith(`${PROJECT_DIR}/`));
    expect(trained.map((f) => f.path)).to.deep.equal(committed.map((f) => `${PROJECT_DIR}/${f}`));
    for (const f of trained) {
      expect(f.sha256, f.path).to.equal(createHash('sha256').update(readFileSync(resolve(ROOT, f.path))).digest('hex'));
    }
    expect(file.training.files.map((f) => f.path).some((p) => p.endsWith('all.dev.tsv'))).to.equal(false);
  });

  it('keeps every threshold at or above its floor, and asks the model to confirm only the intents read from emotion words', () => {
    for (const label of MODEL_LABELS) expect(file.thresholds[label], label).to.be.at.least(DEFAULT_TRAIN_SETTINGS.minThreshold);
    for (const label of Object.keys(file.confirm ?? {})) expect(['distress', 'complaint']).to.include(label);
  });
});
