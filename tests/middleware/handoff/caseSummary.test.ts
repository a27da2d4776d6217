import { expect } from 'chai';
import { customerLabel, explainTrigger, summarizeCase, type SummarySource } from '../../../middleware/handoff/caseSummary';
import { Redactor } from '../../../middleware/handoff/redaction';

const at = '2026-03-02T09:00:00.000Z';
const bereavementFr: SummarySource = {
  customer: { id: 'u1', name: 'Marie Dupont', channel: 'webchat' },
  conversation: { key: 'webchat/c1', channel: 'webchat', reference: {} },
  language: 'fr',
  reason: 'bereavement',
  priority: 'high',
  trigger: {
    intents: [{ name: 'bereavement', confidence: 0.95, evidence: [{ rule: 'bereavement.fr.deces', matched: ['décédée'] }] }],
    emotions: [{ name: 'grief', score: 0.8, evidence: [{ rule: 'grief.fr', matched: ['décédée'] }] }],
    explanation: 'intent bereavement',
  },
  transcript: [
    { role: 'customer', text: 'Bonjour', at },
    { role: 'bot', text: 'Bonjour ! Que puis-je faire pour vous ?', at },
    {
      role: 'customer',
      text: 'Ma mère est décédée la semaine dernière et je dois fermer son compte, mon numéro est le 06 12 34 56 78',
      at,
    },
  ],
  collected: {},
};

const angryParcelEn: SummarySource = {
  customer: { id: 'U1:T1', channel: 'slack' },
  conversation: { key: 'slack/B1:T1:D1', channel: 'slack', reference: {} },
  language: 'en',
  reason: 'anger',
  priority: 'normal',
  trigger: {
    intents: [],
    emotions: [{ name: 'anger', score: 0.86, evidence: [{ rule: 'anger.en.lexicon', matched: ['ridiculous', '!!!'] }] }],
    explanation: 'emotion anger',
  },
  transcript: [
    { role: 'customer', text: 'where is my parcel 1Z999AA10123456784', at },
    { role: 'bot', text: 'It is delayed.', at },
    { role: 'customer', text: 'This is ridiculous!!! My card 4242 4242 4242 4242 was charged twice', at },
  ],
  collected: { trackingNumber: '1Z999AA10123456784', carrier: 'ups', parcelStatus: 'delayed', email: 'bob@example.com' },
};

describe('summarizeCase', function () {
  it('summarises a French bereavement for an English-speaking agent', function () {
    const s = summarizeCase(bereavementFr);
    expect(s.who).to.equal('Marie Dupont · Web chat · French');
    expect(s.wants).to.match(/^Bereavement \(high priority\) — “Ma mère est décédée/);
    expect(s.wants).to.not.contain('06 12 34 56 78');
    expect(s.bot).to.equal('no attempt, sent straight to a human');
    expect(s.emotion).to.equal('grief 0.8 — “décédée”');
    expect(s.text.split('\n')).to.have.length(5);
    expect(s.text).to.match(/^Who: /);
    expect(s.text.split('\n').pop()).to.equal('Why: Bereavement, high priority: the customer said “décédée”');
  });

  it('writes in French for a French-speaking agent', function () {
    const s = summarizeCase(bereavementFr, { language: 'fr' });
    expect(s.language).to.equal('fr');
    expect(s.who).to.equal('Marie Dupont · Web chat · français');
    expect(s.wants).to.match(/^Deuil \(priorité haute\)/);
    expect(s.bot).to.equal('aucune tentative, transmis directement à un conseiller');
    expect(s.emotion).to.match(/^chagrin 0\.8/);
    expect(s.text).to.match(/^Qui: .*\nDemande: .*\nBot: .*\nÉmotion: .*\nPourquoi: Deuil, priorité haute : le client a écrit « décédée »$/);
  });

  it('quotes the message carrying the evidence, redacted and truncated; shows what the bot collected', function () {
    const s = summarizeCase(angryParcelEn, { maxQuoteChars: 50 });
    expect(s.who).to.equal('Slack customer ···U1T1 · Slack · English');
    expect(s.wants).to.match(/^Angry customer \(normal priority\) — “This is ridiculous!!! My card \[card •••• 4242\]…”$/);
    expect(s.bot).to.equal('looked up parcel 1Z999AA10123456784 (UPS): delayed; collected: e-mail [email]');
    expect(s.emotion).to.equal('anger 0.9 — “ridiculous”, “!!!”');
    const fr = summarizeCase(angryParcelEn, { language: 'fr' });
    expect(fr.bot).to.equal('a consulté le colis 1Z999AA10123456784 (UPS): en retard; collecté: e-mail [email]');
  });

  it('falls back to the latest customer message and says when nothing was collected', function () {
    const s = summarizeCase({
      ...angryParcelEn,
      reason: 'misunderstood',
      trigger: { intents: [], emotions: [], explanation: 'not understood twice' },
      collected: {},
    });
    expect(s.wants).to.contain('This is ridiculous');
    expect(s.bot).to.equal('nothing collected yet');
    expect(s.emotion).to.equal('');
    expect(s.text.split('\n')).to.have.length(4);
    expect(s.why).to.equal('Bot did not understand, normal priority');
  });

  it('shows custom reasons and channels as named, and uses a developer redactor', function () {
    const redactor = new Redactor({ rules: [{ name: 'name', pattern: /\bBob\b/g, replace: '[name]' }] });
    const s = summarizeCase(
      {
        ...angryParcelEn,
        reason: 'legal',
        conversation: { ...angryParcelEn.conversation, channel: 'whatsapp' },
        transcript: [{ role: 'customer', text: 'Bob here, I will sue', at }],
        trigger: { intents: [], emotions: [], explanation: '' },
      },
      { redactor },
    );
    expect(s.who).to.contain('whatsapp');
    expect(s.wants).to.equal('legal (normal priority) — “[name] here, I will sue”');
  });
});

describe('explainTrigger: why a person is needed, in plain words (issue 13)', function () {
  const fraud: Pick<SummarySource, 'reason' | 'priority' | 'trigger'> = {
    reason: 'fraud',
    priority: 'high',
    trigger: {
      intents: [
        {
          name: 'fraud',
          confidence: 1,
          evidence: [
            { rule: 'fraud.en.stole', matched: ['stole'] },
            { rule: 'fraud.en.unrecognised', matched: ["payments I don't recognise", "Payments I don't recognise"] },
            { rule: 'fraud.en.unrecognised2', matched: ["payments I don't recognise"] },
          ],
        },
      ],
      emotions: [{ name: 'distress', score: 0.7, evidence: [{ rule: 'distress.en', matched: ['scared'] }] }],
      explanation: 'intent fraud (1.00) ("stole", "payments I don\'t recognise", "payments I don\'t recognise") -> immediate',
    },
  };

  it('says the reason, the priority and each piece of evidence once, in the agents\' language', function () {
    expect(explainTrigger(fraud)).to.equal("Fraud / security, high priority: the customer said “stole” and “payments I don't recognise”");
    expect(explainTrigger(fraud, 'fr')).to.equal("Fraude / sécurité, priorité haute : le client a écrit « stole » et « payments I don't recognise »");
  });

  it('drops a quote that another one already contains ("died" in "father died")', function () {
    const grief: Pick<SummarySource, 'reason' | 'priority' | 'trigger'> = {
      reason: 'bereavement',
      priority: 'high',
      trigger: {
        intents: [{ name: 'bereavement', confidence: 0.93, evidence: [{ rule: 'r', matched: ['father died'] }, { rule: 's', matched: ['Died', 'passed'] }] }],
        emotions: [],
        explanation: 'intent bereavement (0.93) -> immediate',
      },
    };
    expect(explainTrigger(grief)).to.equal('Bereavement, high priority: the customer said “father died” and “passed”');
  });

  it('never shows the policy\'s developer line, and falls back to the emotion\'s words', function () {
    const angry = { reason: 'anger', priority: 'normal' as const, trigger: { intents: [], emotions: [{ name: 'anger' as const, score: 0.9, evidence: [{ rule: 'a', matched: ['ridiculous', '!!!', 'RIDICULOUS'] }] }], explanation: 'emotion anger (0.90) -> offer' } };
    expect(explainTrigger(angry)).to.equal('Angry customer, normal priority: the customer said “ridiculous”');
    expect(explainTrigger(fraud)).to.not.contain('->').and.not.contain('(1.00)');
  });

  it('keeps the evidence redacted (a card number in the matched words is masked)', function () {
    const leaky = { ...fraud, trigger: { ...fraud.trigger, intents: [{ name: 'fraud' as const, confidence: 1, evidence: [{ rule: 'r', matched: ['card 4242 4242 4242 4242 stolen'] }] }] } };
    expect(explainTrigger(leaky)).to.contain('[card •••• 4242]').and.not.contain('4242 4242 4242 4242');
  });
});

describe('customerLabel: a customer is never a bare channel id (issue 13)', function () {
  it('is the display name when the channel gave one', function () {
    expect(customerLabel({ id: 'u1', name: 'Marie Dupont', channel: 'webchat' })).to.equal('Marie Dupont');
  });

  it('is the channel and the end of the id otherwise, also when the name is only the id again; in both languages', function () {
    expect(customerLabel({ id: 'dl-user-1796608646257', channel: 'directline' })).to.equal('Web chat customer ···6257');
    expect(customerLabel({ id: 'dl-user-1796608646257', name: 'dl-user-1796608646257', channel: 'directline' })).to.equal('Web chat customer ···6257');
    expect(customerLabel({ id: 'dl-user-1796608646257', name: ' ', channel: 'webchat' }, 'fr')).to.equal('Client du chat web ···6257');
    expect(customerLabel({ id: 'U1:T1', channel: 'slack' })).to.equal('Slack customer ···U1T1');
  });

  it('the summary names an unnamed web chat customer that way, not by id', function () {
    const s = summarizeCase({ ...angryParcelEn, customer: { id: 'dl-user-1796608646257', channel: 'directline' }, conversation: { key: 'directline/c', channel: 'directline', reference: {} } });
    expect(s.who).to.equal('Web chat customer ···6257 · Web chat · English');
    expect(s.text).to.not.contain('dl-user-1796608646257');
  });
});
