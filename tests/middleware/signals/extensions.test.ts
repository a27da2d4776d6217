import { expect } from 'chai';
import * as sinon from 'sinon';
import { composeSignalDetectors, type CustomSignalDetector } from '../../../middleware/signals/composeSignalDetectors';
import { englishPack } from '../../../middleware/signals/lexicons/englishPack';
import { createSignalDetector } from '../../../middleware/signals/signalDetector';
import { hasIntent } from '../../../middleware/signals/signals';

describe('signal detector extension API', () => {
  it('registers a new intent from words, per language, negation included', () => {
    const d = createSignalDetector().registerIntent({ name: 'cancellation', language: 'en', words: ['cancel my subscription', 'unsubscribe'] })
      .registerIntent({ name: 'cancellation', language: 'fr', words: ['résilier mon abonnement', 'désabonner'] });
    const en = d.detect('Please cancel my subscription');
    expect(hasIntent(en, 'cancellation')).to.equal(true);
    expect(en.intents.find((i) => i.name === 'cancellation')?.evidence[0]).to.deep.equal({
      rule: 'cancellation.en.custom',
      matched: ['cancel my subscription'],
    });
    expect(hasIntent(d.detect('je veux resilier mon abonnement'), 'cancellation')).to.equal(true);
    expect(hasIntent(d.detect("I don't want to unsubscribe"), 'cancellation')).to.equal(false);
    expect(hasIntent(createSignalDetector().detect('Please cancel my subscription'), 'cancellation')).to.equal(false);
  });

  it('registers an intent from patterns and adds evidence to a built-in intent', () => {
    const d = createSignalDetector({ intents: [{ name: 'fraud', language: 'en', patterns: [/\bsim swap(?:ped)?\b/], id: 'fraud.en.sim-swap', weight: 0.9 }] });
    const s = d.detect('I think I was sim swapped');
    expect(s.intents[0].name).to.equal('fraud');
    expect(s.intents[0].evidence.map((e) => e.rule)).to.include('fraud.en.sim-swap');
  });

  it('registers an emotion lexicon and sentiment valences', () => {
    const d = createSignalDetector()
      .registerLexicon({ language: 'en', emotion: 'anger', words: { grrrrumpy: 0.9 } })
      .registerLexicon({ language: 'en', sentiment: { splendiferous: 5 } });
    expect(d.detect('so grrrrumpy').emotions[0].name).to.equal('anger');
    expect(d.detect('splendiferous').sentiment).to.be.greaterThan(0.5);
    expect(() => d.registerLexicon({ language: 'en', emotion: 'anger', words: { x: 3 } })).to.throw(RangeError);
  });

  it('registers a whole language', () => {
    const d = createSignalDetector().registerLanguage({
      ...englishPack,
      code: 'xx',
      stopwords: ['blorp', 'zib'],
      rules: [{ id: 'human_request.xx.talk', kind: 'intent', name: 'human_request', pattern: '\\bzib mensch\\b', weight: 0.9 }],
      neutralisers: [],
    });
    expect(d.languages()).to.include('xx');
    const s = d.detect('blorp zib mensch');
    expect(s.language).to.equal('xx');
    expect(hasIntent(s, 'human_request')).to.equal(true);
    expect(d.detect('ok', { locale: 'xx-YY' }).language).to.equal('xx');
  });

  it('refuses unknown languages and empty definitions', () => {
    const d = createSignalDetector();
    expect(() => d.registerIntent({ name: 'x', language: 'de', words: ['y'] })).to.throw(RangeError);
    expect(() => d.registerIntent({ name: 'x', language: 'en' })).to.throw(TypeError);
  });
});

describe('composeSignalDetectors', () => {
  const builtIn = createSignalDetector();
  const llm = (contribution: Awaited<ReturnType<CustomSignalDetector['detect']>>, name = 'llm'): CustomSignalDetector => ({
    name,
    detect: sinon.stub().resolves(contribution),
  });

  it('unions intents (max confidence, evidence from both) and averages sentiment', async () => {
    const custom = llm({
      sentiment: -1,
      intents: [
        { name: 'fraud', confidence: 0.99, evidence: [{ rule: 'classifier', matched: ['stolen'] }] },
        { name: 'vip', confidence: 0.8, evidence: [] },
        { name: 'noise', confidence: 0.2, evidence: [] },
      ],
      emotions: [{ name: 'anger', score: 0.9, evidence: [] }],
    });
    const d = composeSignalDetectors(builtIn, [custom], { sentimentWeight: 0.5 });
    const base = builtIn.detect('my wallet was stolen');
    const s = await d.detect('my wallet was stolen');
    const fraud = s.intents.find((i) => i.name === 'fraud');
    expect(fraud?.confidence).to.equal(0.99);
    expect(fraud?.evidence.map((e) => e.rule)).to.include.members(['fraud.en.stolen', 'llm:classifier']);
    expect(hasIntent(s, 'vip')).to.equal(true);
    expect(hasIntent(s, 'noise')).to.equal(false);
    expect(s.sentiment).to.be.closeTo((base.sentiment - 1) / 2, 0.001);
    expect(s.emotions[0].name).to.equal('anger');
    expect(s.degraded).to.equal(undefined);
    expect(s.language).to.equal('en');
  });

  it('cannot remove a built-in hit', async () => {
    const d = composeSignalDetectors(builtIn, [llm({ intents: [] })]);
    expect(hasIntent(await d.detect('my husband passed away'), 'bereavement')).to.equal(true);
  });

  it('ignores a failing or slow custom detector, marks degraded, logs without text', async () => {
    const logger = { warn: sinon.spy() };
    const failing: CustomSignalDetector = { name: 'cloud', detect: () => { throw new Error('503'); } };
    const slow: CustomSignalDetector = { name: 'slow', detect: () => new Promise((r) => setTimeout(() => r({ sentiment: 1 }), 200)) };
    const d = composeSignalDetectors(builtIn, [failing, slow], { timeoutMs: 20, logger });
    const s = await d.detect('my card number 4111 was stolen');
    expect(hasIntent(s, 'fraud')).to.equal(true);
    expect(s.degraded).to.equal(true);
    expect(logger.warn.callCount).to.equal(2);
    for (const call of logger.warn.getCalls()) expect(String(call.args[0])).to.not.contain('4111');
    expect(logger.warn.getCalls().some((c) => /timeout/.test(String(c.args[0])))).to.equal(true);
  });

  it('gives the custom detector the language and the primary result', async () => {
    const custom = llm({});
    await composeSignalDetectors(builtIn, [custom]).detect('bonjour, je veux parler à un conseiller');
    const ctx = (custom.detect as sinon.SinonStub).firstCall.args[1];
    expect(ctx.language).to.equal('fr');
    expect(hasIntent(ctx.primary, 'human_request')).to.equal(true);
  });

  it('recomputes the trajectory with merged values', async () => {
    const d = composeSignalDetectors(builtIn, [llm({ sentiment: -1, emotions: [{ name: 'anger', score: 0.9, evidence: [] }] })], { sentimentWeight: 1 });
    const first = await d.detect('hello');
    expect(first.trajectory.consecutiveNegative).to.equal(1);
    expect(first.trajectory.rollingSentiment).to.equal(-1);
  });

  it('validates its arguments', () => {
    expect(() => composeSignalDetectors(undefined as unknown as typeof builtIn, [])).to.throw(TypeError);
    expect(() => composeSignalDetectors(builtIn, [{ name: '', detect: () => ({}) }])).to.throw(TypeError);
    expect(() => composeSignalDetectors(builtIn, [], { sentimentWeight: 2 })).to.throw(RangeError);
  });
});

describe('registerLexicon (accents)', () => {
  it('folds accents of sentiment words', () => {
    const d = createSignalDetector().registerLexicon({ language: 'fr', sentiment: { génialissime: 5 } });
    expect(d.detect('génialissime', { locale: 'fr' }).sentiment).to.be.greaterThan(0.5);
    expect(d.detect('genialissime', { locale: 'fr' }).sentiment).to.be.greaterThan(0.5);
  });
});
