import { expect } from 'chai';
import { bundledSignalModel } from '../../../../middleware/signals/model/bundledSignalModel';
import { createModelAugmenter } from '../../../../middleware/signals/model/createModelAugmenter';
import { loadSignalModel, MODEL_LABELS, type ModelLabel, type SignalModel } from '../../../../middleware/signals/model/signalModel';
import { createSignalDetector } from '../../../../middleware/signals/signalDetector';

/** A model that gives fixed probabilities, to test the combination alone. */
const fixedModel = (probabilities: Partial<Record<ModelLabel, number>>): SignalModel => ({
  labels: MODEL_LABELS,
  thresholds: { bereavement: 0.9, fraud: 0.8, distress: 0.8, complaint: 0.5, urgent: 0.6, human_request: 0.8 },
  predict: () => MODEL_LABELS.map((name) => ({ name, probability: probabilities[name] ?? 0 })),
  explain: (_text, _lang, label) => ({ rule: `model.${label}`, matched: ['words'] }),
});

describe('createModelAugmenter (rules + model)', () => {
  it('adds an intent the rules missed when the model reaches its threshold, with model evidence', () => {
    const detector = createSignalDetector({ model: createModelAugmenter(fixedModel({ urgent: 0.7, complaint: 0.4 })) });
    const s = detector.detect('where is my parcel', { locale: 'en' });
    expect(s.intents.map((i) => i.name)).to.deep.equal(['urgent']);
    expect(s.intents[0].confidence).to.equal(0.7);
    expect(s.intents[0].evidence).to.deep.equal([{ rule: 'model.urgent', matched: ['words'] }]);
  });

  it('never removes, lowers or replaces a rule hit', () => {
    const text = 'my father passed away last week';
    const rulesOnly = createSignalDetector().detect(text, { locale: 'en' });
    const combined = createSignalDetector({ model: createModelAugmenter(fixedModel({ bereavement: 0.95 })) }).detect(text, { locale: 'en' });
    expect(combined.intents).to.deep.equal(rulesOnly.intents);
  });

  it('keeps the immediate intents for confident model hits only (per-label thresholds, overridable)', () => {
    const weak = createSignalDetector({ model: createModelAugmenter(fixedModel({ fraud: 0.7 })) });
    expect(weak.detect('hello', { locale: 'en' }).intents).to.have.length(0);
    const lowered = createSignalDetector({ model: createModelAugmenter(fixedModel({ fraud: 0.7 }), { thresholds: { fraud: 0.6 } }) });
    expect(lowered.detect('hello', { locale: 'en' }).intents.map((i) => i.name)).to.deep.equal(['fraud']);
    expect(() => createModelAugmenter(fixedModel({}), { thresholds: { fraud: 0 } })).to.throw(RangeError);
  });

  it('leaves the default detector unchanged: no model, rules only', () => {
    const text = 'i never made this payment, someone used my card';
    const a = createSignalDetector().detect(text, { locale: 'en' });
    const b = createSignalDetector({}).detect(text, { locale: 'en' });
    expect(a).to.deep.equal(b);
  });

  it('with the bundled model: hard negatives stay negative and hits quote the customer', () => {
    const detector = createSignalDetector({ model: createModelAugmenter(loadSignalModel(bundledSignalModel())) });
    for (const [text, locale] of [
      ['my phone battery died, where is my parcel', 'en'],
      ['mort de rire, vous livrez en suisse ?', 'fr'],
      ['i am dying to get my new shoes, when do they come', 'en'],
    ]) {
      const names = detector.detect(text, { locale }).intents.map((i) => i.name);
      expect(names, text).to.not.include('bereavement');
      expect(names, text).to.not.include('fraud');
    }
    const text = 'there is a withdrawal on my statement i do not recognise';
    const s = detector.detect(text, { locale: 'en' });
    expect(s.intents.map((i) => i.name)).to.include('fraud');
    for (const e of s.intents.flatMap((i) => i.evidence)) for (const w of e.matched) expect(text.toLowerCase()).to.include(w.toLowerCase());
  });
});
