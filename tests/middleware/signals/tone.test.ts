import { expect } from 'chai';
import { createSignalDetector } from '../../../middleware/signals/signalDetector';
import type { Signals } from '../../../middleware/signals/signals';
import { acknowledge, isUpset } from '../../../middleware/signals/tone';

describe('tone helper', () => {
  it('never offers condolences on a guess: an intent only the learned model found counts from 0.9', () => {
    const signals = (confidence: number, rule: string): Signals => ({
      language: 'en',
      languageSource: 'detected',
      sentiment: 0,
      emotions: [],
      intents: [{ name: 'bereavement', confidence, evidence: [{ rule, matched: ['cancel', 'account'] }] }],
      trajectory: { turns: 1, rollingSentiment: 0, consecutiveNegative: 0, escalating: false },
    });
    expect(acknowledge(signals(0.8, 'model.bereavement'))).to.equal(undefined);
    expect(acknowledge(signals(0.95, 'model.bereavement'))).to.equal("I'm so sorry for your loss.");
    expect(acknowledge(signals(0.6, 'bereavement.en.passed-away'))).to.equal("I'm so sorry for your loss.");
  });

  const d = createSignalDetector();
  const cases: Array<[string, string | undefined]> = [
    ['my husband passed away last week', "I'm so sorry for your loss."],
    ['ma mère est décédée hier', 'Toutes mes condoléances.'],
    ['my card was stolen', "I understand this is worrying. Let's make sure your account is safe."],
    ['on a piraté mon compte', 'Je comprends que ce soit inquiétant. Assurons-nous que votre compte est protégé.'],
    ['I lost my job and cannot pay my rent', "I'm sorry you're going through this. I'm here to help."],
    ["j'ai très peur, je suis désespérée", 'Je suis désolé que vous traversiez cela. Je suis là pour vous aider.'],
    ['I am furious, this is a disgrace', "I'm sorry, I understand why you're upset."],
    ['I am so frustrated, still waiting', "I'm sorry this has been so frustrating."],
    ["c'est inadmissible, je suis furieux", 'Je suis désolé, je comprends votre mécontentement.'],
    ['where is my parcel?', undefined],
    ['où est mon colis ?', undefined],
    ['thanks a lot!', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`acknowledges "${text}"`, () => {
      const s = d.detect(text);
      expect(acknowledge(s)).to.equal(expected);
      expect(isUpset(s)).to.equal(expected !== undefined);
    });
  }

  it('never uses an exclamation mark', () => {
    for (const text of ['my father died', 'mon père est mort', 'fraud!!!', 'I am so angry', 'je suis angoissée']) {
      expect(acknowledge(d.detect(text)) ?? '').to.not.contain('!');
    }
  });

  it('handles missing signals', () => {
    expect(acknowledge(undefined)).to.equal(undefined);
    expect(isUpset(undefined)).to.equal(false);
  });

  it('is upset on an escalating conversation even with a neutral message', () => {
    const s = d.detect('ok', { previous: { turns: 3, rollingSentiment: -0.6, consecutiveNegative: 3, escalating: true } });
    expect(acknowledge(s)).to.equal(undefined);
    // The neutral message resets the run of negatives, so only a still-negative course keeps the bot sober.
    expect(isUpset(d.detect('still nothing', { previous: { turns: 3, rollingSentiment: -0.6, consecutiveNegative: 3, escalating: true } }))).to.equal(true);
  });
});
