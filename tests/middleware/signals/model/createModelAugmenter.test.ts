import { expect } from 'chai';
import { bundledSignalModel } from '../../../../middleware/signals/model/bundledSignalModel';
import { createModelAugmenter } from '../../../../middleware/signals/model/createModelAugmenter';
import { loadSignalModel, MODEL_LABELS, type ModelLabel, type SignalModel } from '../../../../middleware/signals/model/signalModel';
import { createSignalDetector } from '../../../../middleware/signals/signalDetector';

/** A model that gives fixed probabilities, to test the combination alone. */
const fixedModel = (probabilities: Partial<Record<ModelLabel, number>>, confirm: Partial<Record<ModelLabel, number>> = {}): SignalModel => ({
  labels: MODEL_LABELS,
  thresholds: { bereavement: 0.9, fraud: 0.8, distress: 0.8, complaint: 0.5, urgent: 0.6, human_request: 0.8 },
  confirm,
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

  it('never removes, lowers or replaces a hit a rule pattern found', () => {
    for (const text of ['my father passed away last week', 'my dad passed away, i am devastated', 'I lost my job and cannot pay rent']) {
      const rulesOnly = createSignalDetector({ model: false }).detect(text, { locale: 'en' });
      const combined = createSignalDetector({ model: createModelAugmenter(fixedModel({ distress: 0.01, complaint: 0.01 }, { distress: 0.9, complaint: 0.9 })) }).detect(text, { locale: 'en' });
      expect(combined.intents, text).to.deep.equal(rulesOnly.intents);
      // Even an augmenter that returns nothing cannot take a pattern's hit away.
      const rogue = createSignalDetector({ model: { augment: () => [] } }).detect(text, { locale: 'en' });
      expect(rogue.intents, text).to.deep.equal(rulesOnly.intents);
    }
  });

  it('adds nothing to a message of fewer than two content words, and quotes no function words as evidence', () => {
    const eager = createSignalDetector({ model: createModelAugmenter(fixedModel({ bereavement: 0.99, urgent: 0.99 })) });
    for (const text of ['annuler', 'ok', "je ne l'ai pas", 'hello there', '???']) expect(eager.detect(text, { locale: 'en' }).intents, text).to.deep.equal([]);
    const quoting: SignalModel = { ...fixedModel({ urgent: 0.99 }), explain: (_t, _l, label) => ({ rule: `model.${label}`, matched: ['je', 'ne pas', 'médicaments'] }) };
    const s = createSignalDetector({ model: createModelAugmenter(quoting) }).detect('je ne trouve pas mes médicaments', { locale: 'fr' });
    expect(s.intents.find((i) => i.name === 'urgent')?.evidence).to.deep.equal([{ rule: 'model.urgent', matched: ['médicaments'] }]);
  });

  it('keeps an intent read from emotion words alone only when the model agrees enough (confirm)', () => {
    const text = 'I am so worried and anxious';
    const rules = createSignalDetector({ model: false }).detect(text, { locale: 'en' });
    expect(rules.intents.map((i) => [i.name, i.evidence.map((e) => e.rule)])).to.deep.equal([['distress', ['distress.en.emotion']]]);
    const doubted = createSignalDetector({ model: createModelAugmenter(fixedModel({ distress: 0.05 }, { distress: 0.1 })) }).detect(text, { locale: 'en' });
    expect(doubted.intents).to.deep.equal([]);
    expect(doubted.emotions.map((e) => e.name), 'the emotion itself stays').to.include('distress');
    const agreed = createSignalDetector({ model: createModelAugmenter(fixedModel({ distress: 0.2 }, { distress: 0.1 })) }).detect(text, { locale: 'en' });
    expect(agreed.intents).to.deep.equal(rules.intents);
    const optionOff = createSignalDetector({ model: createModelAugmenter(fixedModel({ distress: 0.05 }, { distress: 0.1 }), { confirm: { distress: 0 } }) });
    expect(optionOff.detect(text, { locale: 'en' }).intents).to.deep.equal(rules.intents);
    expect(() => createModelAugmenter(fixedModel({}), { confirm: { distress: 2 } })).to.throw(RangeError);
  });

  it('keeps the immediate intents for confident model hits only (per-label thresholds, overridable)', () => {
    const weak = createSignalDetector({ model: createModelAugmenter(fixedModel({ fraud: 0.7 })) });
    expect(weak.detect('about my account today', { locale: 'en' }).intents).to.have.length(0);
    const lowered = createSignalDetector({ model: createModelAugmenter(fixedModel({ fraud: 0.7 }), { thresholds: { fraud: 0.6 } }) });
    expect(lowered.detect('about my account today', { locale: 'en' }).intents.map((i) => i.name)).to.deep.equal(['fraud']);
    expect(() => createModelAugmenter(fixedModel({}), { thresholds: { fraud: 0 } })).to.throw(RangeError);
  });

  it('is on by default with the bundled model, and model: false gives the rules alone', () => {
    // Fraud told in plain words that no rule pattern reads; the model does.
    const text = 'there is a withdrawal on my statement i do not recognise';
    const byDefault = createSignalDetector().detect(text, { locale: 'en' });
    const bundled = createSignalDetector({ model: createModelAugmenter(loadSignalModel(bundledSignalModel())) }).detect(text, { locale: 'en' });
    expect(byDefault).to.deep.equal(bundled);
    const rulesOnly = createSignalDetector({ model: false }).detect(text, { locale: 'en' });
    expect(rulesOnly.intents.flatMap((i) => i.evidence).some((e) => e.rule.startsWith('model.'))).to.equal(false);
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
