import { expect } from 'chai';
import { createSignalDetector } from '../../../middleware/signals/signalDetector';
import { hasIntent, type Signals } from '../../../middleware/signals/signals';

// The rules engine alone: the combination with the learned model is tested in model/createModelAugmenter.test.ts and
// ownCases.test.ts (product-level cases), and the odd-input tests below run both.
const detector = createSignalDetector({ model: false });
const combined = createSignalDetector();
const detect = (text: string, locale?: string): Signals => detector.detect(text, { locale });
const intents = (s: Signals): string[] => s.intents.map((i) => i.name);
const emotion = (s: Signals, name: string): number => s.emotions.find((e) => e.name === name)?.score ?? 0;

/** Messages that must raise `intent`, in English and French, formal and informal. */
const POSITIVES: Record<string, { en: string[]; fr: string[] }> = {
  bereavement: {
    en: [
      'My husband passed away last month and I need to close his account',
      'my mum died on tuesday, what do I do with her card',
      'I am the executor of my late father\'s estate',
      'We lost our son in March and there is still a direct debit in his name',
      'Dad passed last week. His mortgage payment is due',
      'I need to send you the death certificate for my wife',
      'my grandmother has died and the bank froze her account',
      'after the death of my brother I found loans I did not know about',
      'I am dealing with probate for my aunt',
      'my partner was killed in an accident and I cannot access our joint account',
      'sorting out the funeral costs for my father',
      'I am recently widowed and don\'t know how to handle the bills',
    ],
    fr: [
      'Mon père est décédé, je suis l\'exécuteur testamentaire',
      'ma mère nous a quittés la semaine dernière',
      'mon mari est mort le mois dernier et je dois fermer son compte',
      'suite au décès de mon frère, que faire de son abonnement',
      'je m\'occupe de la succession de ma grand-mère',
      'j\'ai perdu mon fils en janvier',
      'mon epoux est decede, comment resilier son contrat',
      'je suis veuve depuis peu et je ne sais pas quoi faire des factures',
      'voici l\'acte de décès de ma tante',
      'les obsèques de mon papa ont lieu demain',
    ],
  },
  fraud: {
    en: [
      "I don't recognise this payment on my card",
      'There is a transaction on my statement that I did not make',
      'someone used my card without my permission',
      'my wallet was stolen this morning',
      'I lost my credit card yesterday',
      'my account has been hacked',
      "I've been scammed by a fake email from your bank",
      'I think I clicked a phishing link and gave them my card details',
      'someone opened a loan in my name, identity theft',
      'please freeze my card right now',
      'there are unauthorised charges on my account',
      'my phone got stolen and it has the banking app',
      'wtf there is a withdrawal i never made',
      'i didnt make this purchase!!',
      'theres a fraudulant charge on my acount',
    ],
    fr: [
      'je ne reconnais pas ce prélèvement sur mon compte',
      'on a utilisé ma carte sans mon accord',
      'mon téléphone a été volé',
      "j'ai perdu ma carte bancaire",
      'il y a un paiement que je n\'ai pas fait',
      'je me suis fait arnaquer par un faux conseiller',
      'mon compte a été piraté',
      'je veux faire opposition sur ma carte',
      'quelqu\'un a ouvert un crédit à mon nom',
      'je conteste ce débit, c\'est une fraude',
      'je retrouve plus mon portefeuille',
      'un retrait inconnu apparait sur mon releve',
      'g recu un sms bizarre et j\'ai donné mon code secret',
    ],
  },
  human_request: {
    en: [
      'I want to speak to a human',
      'can I talk to a real person please',
      'agent',
      'human please',
      'get me a representative',
      'connect me with customer service',
      'i need to talk to somebody',
      'I want to spek to an opertor',
      'put me through to a manager now',
      'I am done talking to a bot, give me a person',
      'let me chat with a live agent',
    ],
    fr: [
      'jveux parler a un humain',
      'je veux parler à un conseiller',
      'conseiller svp',
      'pouvez-vous me mettre en relation avec une vraie personne',
      'passez-moi le service client',
      'je voudrais un humain',
      'est-ce que je peux parler à quelqu\'un ?',
      'marre de parler à un robot',
      'un agent stp',
    ],
  },
  distress: {
    en: [
      "I lost my job and can't pay my rent this month",
      'I have cancer and I am in hospital, please help with my payments',
      'I am really scared and I don\'t know what to do',
      'my partner is abusive and controls my money',
      'I am so anxious about this debt I cannot sleep',
      'I am struggling to feed my kids',
      'I feel hopeless',
    ],
    fr: [
      'je suis au chômage et je n\'arrive plus à payer mon loyer',
      'je suis hospitalisée pour un cancer',
      'j\'ai très peur, je suis désespérée',
      'je suis en surendettement',
      'je n\'en peux plus, je craque',
      'je suis vraiment angoissée par cette dette',
    ],
  },
  complaint: {
    en: [
      'I want to file a complaint',
      'This is unacceptable, third time my parcel is late',
      'THIS IS RIDICULOUS!!!',
      "I'm not happy at all with your service",
      'worst service ever, totally useless',
      'wtf where is my money',
      'I am fed up with waiting for weeks',
    ],
    fr: [
      'je veux faire une réclamation',
      "C'EST INADMISSIBLE !!!",
      'pas du tout content de votre service',
      "ça fait 3 semaines que j'attends, c'est n'importe quoi",
      'chui pas content pk ma commande est pas arrivée',
      'service client lamentable, je vais porter plainte',
      'j\'en ai marre, toujours rien reçu',
    ],
  },
  urgent: {
    en: ['this is urgent, please call me back', 'I need this fixed immediately', 'help asap', 'the ATM swallowed my card'],
    fr: ['c\'est urgent', 'merci de traiter ma demande au plus vite', 'j\'ai besoin de ma carte tout de suite', 'le distributeur a avalé ma carte'],
  },
};

/** Messages that must NOT raise the named intents. */
const HARD_NEGATIVES: Array<{ text: string; not: string[] }> = [
  { text: 'my phone battery died', not: ['bereavement', 'fraud', 'distress'] },
  { text: "I'm dying to know when it arrives", not: ['bereavement', 'distress'] },
  { text: 'close my account', not: ['bereavement', 'fraud'] },
  { text: 'I want to close my account please', not: ['bereavement', 'fraud'] },
  { text: 'my card payment was declined', not: ['fraud'] },
  { text: 'killer deal on these shoes', not: ['bereavement', 'distress'] },
  { text: 'mort de rire', not: ['bereavement', 'distress'] },
  { text: 'mdr je suis mort de rire', not: ['bereavement', 'distress'] },
  { text: 'I lost my tracking number', not: ['fraud'] },
  { text: 'my car battery is dead, can you jump start it', not: ['bereavement', 'distress'] },
  { text: 'the battery in my car died', not: ['bereavement'] },
  { text: 'ma batterie est morte', not: ['bereavement'] },
  { text: "j'ai perdu mon numéro de suivi", not: ['fraud'] },
  { text: 'I was charged twice for the same order', not: ['fraud'] },
  { text: 'the deadline has passed, can I still return it', not: ['bereavement'] },
  { text: 'real estate agents are calling me', not: ['bereavement'] },
  { text: 'I forgot my password', not: ['fraud'] },
  { text: 'what are your customer service opening hours', not: ['human_request'] },
  { text: "It's not fraud, I just want to understand a fee", not: ['fraud'] },
  { text: 'je ne conteste pas le prélèvement, je veux juste comprendre', not: ['fraud'] },
  { text: 'ce n\'est pas une arnaque, je veux juste des infos', not: ['fraud'] },
  { text: 'where is my parcel?', not: ['fraud', 'bereavement', 'distress', 'human_request', 'complaint'] },
  { text: 'où est mon colis ?', not: ['fraud', 'bereavement', 'distress', 'human_request', 'complaint'] },
  { text: 'merci beaucoup pour votre aide', not: ['complaint', 'distress'] },
  { text: 'thanks a lot, that was helpful', not: ['complaint', 'distress'] },
  { text: 'my new card has not arrived yet', not: ['fraud'] },
  { text: 'mon vol a été annulé', not: ['fraud'] },
  { text: 'this is a sick deal', not: ['distress'] },
  { text: 'the delivery is killing me, lol', not: ['bereavement'] },
  { text: 'une succession de problèmes avec le site', not: ['bereavement'] },
];

describe('createSignalDetector', () => {
  for (const [intent, byLang] of Object.entries(POSITIVES)) {
    for (const [lang, texts] of Object.entries(byLang)) {
      describe(`${intent} (${lang})`, () => {
        for (const text of texts) {
          it(`detects ${intent}: "${text}"`, () => {
            const s = detect(text);
            expect(s.language, 'language').to.equal(lang);
            expect(intents(s), JSON.stringify(s.intents)).to.include(intent);
            const hit = s.intents.find((i) => i.name === intent);
            expect(hit?.confidence).to.be.within(0.5, 1);
            expect(hit?.evidence.length).to.be.greaterThan(0);
            expect(hit?.evidence[0].rule).to.match(new RegExp(`^${intent}\\.`));
          });
        }
      });
    }
  }

  describe('hard negatives stay quiet', () => {
    for (const { text, not } of HARD_NEGATIVES) {
      it(`"${text}" is not ${not.join('/')}`, () => {
        const s = detect(text);
        for (const n of not) expect(hasIntent(s, n), `${n}: ${JSON.stringify(s.intents)}`).to.equal(false);
      });
    }
  });

  describe('language', () => {
    it('uses the locale first', () => {
      const s = detect('ok', 'fr-CA');
      expect(s.language).to.equal('fr');
      expect(s.languageSource).to.equal('locale');
    });
    it('detects French without a locale, with or without accents', () => {
      expect(detect('bonjour, ma commande est toujours pas arrivée').language).to.equal('fr');
      expect(detect('jveux savoir ou est mon colis').language).to.equal('fr');
      expect(detect('Où est ma commande ?').languageSource).to.equal('detected');
    });
    it('detects English and falls back to the default', () => {
      expect(detect('where is my order').language).to.equal('en');
      expect(detect('12345').language).to.equal('en');
    });
    it("reads a message clearly written in another registered language with that language's pack, whatever the locale", () => {
      // A French customer on a Teams client set to en-US, and the reverse: the words, not the client setting.
      const fr = detect('mon père est décédé la semaine dernière et je dois fermer son compte', 'en-US');
      expect([fr.language, fr.languageSource]).to.deep.equal(['fr', 'detected']);
      expect(hasIntent(fr, 'bereavement')).to.equal(true);
      expect(hasIntent(detect('je veux parler à un conseiller', 'en-US'), 'human_request')).to.equal(true);
      const en = detect('my father passed away last week and I need to close his account', 'fr-FR');
      expect([en.language, en.languageSource]).to.deep.equal(['en', 'detected']);
      expect(hasIntent(en, 'bereavement')).to.equal(true);
    });
    it('keeps the locale for short or mixed messages', () => {
      for (const [text, locale] of [['ok merci', 'en-US'], ['Bonjour', 'en-US'], ['parcel 1Z4E29W70374856127', 'fr-FR']] as const)
        expect(detect(text, locale).languageSource, text).to.equal('locale');
    });
    it('ignores an unregistered locale', () => {
      const s = detect('je veux parler à un conseiller', 'de-DE');
      expect(s.language).to.equal('fr');
      expect(s.languageSource).to.equal('detected');
    });
  });

  describe('sentiment', () => {
    it('is within -1..1 and signed', () => {
      const pos = detect('thank you so much, this is great and very helpful');
      const neg = detect('this is terrible, awful, the worst service');
      expect(pos.sentiment).to.be.within(0.3, 1);
      expect(neg.sentiment).to.be.within(-1, -0.3);
    });
    it('has a French lexicon with negation', () => {
      expect(detect('très satisfait, merci', 'fr').sentiment).to.be.greaterThan(0.3);
      expect(detect('je ne suis pas satisfait', 'fr').sentiment).to.be.lessThan(0);
      expect(detect('service nul et lamentable', 'fr').sentiment).to.be.lessThan(-0.5);
      expect(detect('service nul et lamentable', 'fr').sentiment).to.equal(detect('service nul et lamentable', 'fr').sentiment);
    });
    it('negation flips English sentiment', () => {
      expect(detect('I am happy').sentiment).to.be.greaterThan(0);
      expect(detect('I am not happy').sentiment).to.be.lessThan(0);
    });
    it('is 0 for an empty or symbol-only message', () => {
      expect(detect('').sentiment).to.equal(0);
      expect(detect('???').intents).to.deep.equal([]);
      expect(combined.detect('???').intents).to.deep.equal([]);
    });
  });

  describe('emotions, negation, intensifiers, caps, punctuation, emoji', () => {
    it('scores gratitude', () => {
      expect(emotion(detect('thanks a lot'), 'gratitude')).to.be.greaterThan(0.5);
      expect(emotion(detect('merci beaucoup'), 'gratitude')).to.be.greaterThan(0.5);
    });
    it('scores grief with a bereavement', () => {
      expect(emotion(detect('my father passed away'), 'grief')).to.be.greaterThan(0.7);
      expect(emotion(detect('ma mère est décédée'), 'grief')).to.be.greaterThan(0.7);
    });
    it('turns a negated positive into frustration', () => {
      expect(emotion(detect('not happy with this'), 'frustration')).to.be.greaterThan(0.4);
      expect(emotion(detect('pas du tout content'), 'frustration')).to.be.greaterThan(0.4);
      expect(emotion(detect('happy with this'), 'frustration')).to.equal(0);
    });
    it('a negated negative emotion does not count', () => {
      expect(emotion(detect('I am not angry'), 'anger')).to.equal(0);
      expect(emotion(detect('je ne suis pas en colère'), 'anger')).to.equal(0);
    });
    it('intensifiers raise and downtoners lower', () => {
      const plain = emotion(detect('I am worried'), 'distress');
      expect(emotion(detect('I am extremely worried'), 'distress')).to.be.greaterThan(plain);
      expect(emotion(detect('I am slightly worried'), 'distress')).to.be.lessThan(plain);
      expect(emotion(detect('je suis très inquiète'), 'distress')).to.be.greaterThan(emotion(detect('je suis un peu inquiète'), 'distress'));
    });
    it('CAPS and repeated punctuation strengthen anger', () => {
      const calm = emotion(detect('this is ridiculous'), 'anger');
      expect(emotion(detect('THIS IS RIDICULOUS!!!'), 'anger')).to.be.greaterThan(calm);
      expect(detect('THIS IS RIDICULOUS!!!').emotions.some((e) => e.evidence.some((ev) => /caps/.test(ev.rule)))).to.equal(true);
    });
    it('reads emoji', () => {
      expect(emotion(detect('my parcel 😡'), 'anger')).to.be.greaterThan(0.5);
      expect(emotion(detect('merci 🙏'), 'gratitude')).to.be.greaterThan(0.5);
      expect(emotion(detect('still nothing 😢'), 'distress')).to.be.greaterThan(0.3);
    });
    it('repairs elongations and SMS spellings', () => {
      expect(intents(detect('pleeeease I want a huuuman'))).to.include('human_request');
      expect(intents(detect('pk jpeux pas parler a un conseiller'))).to.include('human_request');
      expect(intents(detect('u guys stole my money'))).to.include('fraud');
    });
    it('repairs one-letter typos of key words', () => {
      expect(intents(detect('i need to talk to a eprson'))).to.include('human_request');
      expect(intents(detect('need help to speak with customer spport'))).to.include('human_request');
    });
  });

  describe('evidence', () => {
    it('quotes the customer\'s own words', () => {
      const s = detect("Mon père est DÉCÉDÉ hier");
      const words = s.intents.find((i) => i.name === 'bereavement')?.evidence.flatMap((e) => e.matched) ?? [];
      expect(words.join(' ')).to.contain('DÉCÉDÉ');
    });
    it('names the rule', () => {
      const s = detect('my wallet was stolen');
      expect(s.intents[0].evidence.map((e) => e.rule)).to.include('fraud.en.stolen');
    });
    it('holds several intents at once', () => {
      const s = detect('my husband died and someone has been using his card without permission, I need a human urgently');
      expect(intents(s)).to.include.members(['bereavement', 'fraud', 'human_request', 'urgent']);
    });
  });

  describe('results', () => {
    it('are frozen', () => {
      const s = detect('my card was stolen!!');
      expect(Object.isFrozen(s)).to.equal(true);
      expect(Object.isFrozen(s.intents)).to.equal(true);
      expect(Object.isFrozen(s.intents[0])).to.equal(true);
      expect(Object.isFrozen(s.trajectory)).to.equal(true);
    });
    it('survive odd input', () => {
      for (const d of [detector, combined]) {
        for (const text of ['', ' ', '\u0000\u0001', '🙂'.repeat(500), 'a'.repeat(20000), "''''", '- - -']) {
          const s = d.detect(text);
          expect(s.sentiment).to.be.within(-1, 1);
        }
        expect(d.detect(undefined as unknown as string).intents).to.deep.equal([]);
      }
    });
    it('advance the trajectory from `previous`', () => {
      const first = detect('this is terrible, useless service');
      const second = detector.detect('still nothing, I am fed up!!', { previous: first.trajectory });
      const third = detector.detect('worst company ever, unacceptable', { previous: second.trajectory });
      expect(first.trajectory.turns).to.equal(1);
      expect(second.trajectory.consecutiveNegative).to.equal(2);
      expect(third.trajectory.consecutiveNegative).to.equal(3);
      expect(third.trajectory.escalating).to.equal(true);
      const calm = detector.detect('ok thanks, that helps', { previous: third.trajectory });
      expect(calm.trajectory.consecutiveNegative).to.equal(0);
      expect(calm.trajectory.escalating).to.equal(false);
      expect(calm.trajectory.rollingSentiment).to.be.greaterThan(third.trajectory.rollingSentiment);
    });
  });

  describe('options', () => {
    it('rejects bad thresholds at creation', () => {
      expect(() => createSignalDetector({ intentThreshold: 0 })).to.throw(RangeError);
      expect(() => createSignalDetector({ defaultLanguage: 'de' })).to.throw(RangeError);
    });
    it('cuts long messages to maxLength', () => {
      const d = createSignalDetector({ maxLength: 20 });
      expect(hasIntent(d.detect('hello there, how are you? my card was stolen'), 'fraud')).to.equal(false);
      expect(hasIntent(createSignalDetector().detect('hello there, how are you? my card was stolen'), 'fraud')).to.equal(true);
    });
  });
});
