import { expect } from 'chai';
import { bundledSignalModel } from '../../../../middleware/signals/model/bundledSignalModel';
import { forEachFeature, hashFeature, readModelText } from '../../../../middleware/signals/model/modelFeatures';
import { loadSignalModel, type SignalModelFile } from '../../../../middleware/signals/model/signalModel';

describe('SignalModel', () => {
  const model = loadSignalModel(bundledSignalModel());
  const probability = (text: string, lang: string, label: string): number =>
    model.predict(text, lang).find((s) => s.name === label)?.probability ?? 0;

  it('scores clear messages of each intent in English and French', () => {
    const cases: [string, string, string][] = [
      ['there is a card payment on my account that i never made', 'en', 'fraud'],
      ['il y a un paiement sur ma carte que je ne reconnais pas', 'fr', 'fraud'],
      ['i want to speak to a human agent', 'en', 'human_request'],
      ['je veux parler à un conseiller', 'fr', 'human_request'],
    ];
    for (const [text, lang, label] of cases) expect(probability(text, lang, label), `${label}: ${text}`).to.be.greaterThan(0.5);
    expect(probability('where is my parcel', 'en', 'fraud')).to.be.lessThan(0.1);
  });

  it('gives probabilities in 0..1 for every label, and none for empty or odd input', () => {
    for (const text of ['', '!!!', '😀', ' '.repeat(50)]) {
      for (const s of model.predict(text, 'en')) expect(s.probability).to.be.within(0, 1);
    }
    expect(model.predict(undefined as unknown as string, 'en')).to.have.length(6);
  });

  it('quotes the customer’s own words as evidence', () => {
    const text = 'Someone STOLE my wallet with my cards';
    const evidence = model.explain(text, 'en', 'fraud');
    expect(evidence.rule).to.equal('model.fraud');
    expect(evidence.matched.length).to.be.within(1, 3);
    for (const w of evidence.matched) expect(text).to.include(w);
  });

  it('reads at most 1000 characters (bounded work) and is fast (median < 0.05 ms)', () => {
    const long = 'my card was stolen '.repeat(5000);
    expect(model.predict(long, 'en')).to.deep.equal(model.predict(long.slice(0, 1000), 'en'));
    const texts = ['where is my parcel', 'someone used my card without asking', 'je veux parler a un conseiller svp', 'my mum passed away last week and her account is still open'];
    const times: number[] = [];
    for (let k = 0; k < 300; k++) {
      for (const t of texts) {
        const start = process.hrtime.bigint();
        model.predict(t, k % 2 ? 'fr' : 'en');
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
    times.sort((a, b) => a - b);
    expect(times[times.length >> 1]).to.be.lessThan(0.05);
  });

  it('refuses a file of another format or with truncated weights', () => {
    const file = bundledSignalModel();
    expect(() => loadSignalModel({ ...file, format: 'x' } as unknown as SignalModelFile)).to.throw(TypeError);
    expect(() => loadSignalModel({ ...file, weights: file.weights.slice(0, 100) })).to.throw(RangeError);
  });
});

describe('model features', () => {
  it('hashes each feature as hashFeature of its name: language, words, bigrams, character 3-5-grams', () => {
    const seen = new Set<number>();
    const text = readModelText('My card', 'en');
    forEachFeature(text, 'en', 1 << 17, (bucket) => seen.add(bucket));
    for (const name of ['l|en', 'w|my', 'w|card', 'b|my card', 'c|<my', 'c|<my>', 'c|<ca', 'c|<car', 'c|<card', 'c|card>', 'c|rd>']) {
      expect(seen.has(hashFeature(name, 1 << 17)), name).to.equal(true);
    }
    expect(seen.has(hashFeature('c|<card>', 1 << 17)), 'no 6-gram').to.equal(false);
  });

  it('replaces the language pack’s hard negatives by one placeholder token', () => {
    const text = readModelText('my phone battery died, where is my parcel', 'en');
    expect(text.tokens).to.include('_hn_');
    expect(text.tokens).to.not.include('died');
  });
});
