import { expect } from 'chai';
import {
  createHandoffPolicy,
  defaultHandoffPolicy,
  emptyHandoffMemory,
  rememberOffer,
  type HandoffMemory,
  type HandoffPolicyInput,
} from '../../../middleware/handoff/handoffPolicy';
import type { EmotionScore, IntentHit, Signals } from '../../../middleware/signals/signals';

const intent = (name: string, confidence = 0.9, words: string[] = [name], rule = `${name}.en.test`): IntentHit => ({
  name,
  confidence,
  evidence: [{ rule, matched: words }],
});
const emotion = (name: string, score: number, words: string[] = [name]): EmotionScore => ({
  name,
  score,
  evidence: [{ rule: `${name}.en.test`, matched: words }],
});
const signals = (intents: IntentHit[] = [], emotions: EmotionScore[] = []): Signals => ({
  language: 'en',
  languageSource: 'detected',
  sentiment: emotions.length ? -0.6 : 0,
  emotions,
  intents,
  trajectory: { turns: 1, rollingSentiment: 0, consecutiveNegative: 0, escalating: false },
});
/** One row of a table of the default policy's decisions. */
type PolicyRow = { name: string; input: HandoffPolicyInput; action: string; reason?: string; priority?: string };

/** One test per row: the default policy's action (and reason, priority when given), with an explanation. */
function itDecides(rows: readonly PolicyRow[]): void {
  for (const row of rows) {
    it(row.name, function () {
      const d = defaultHandoffPolicy(row.input);
      expect(d.action).to.equal(row.action);
      if (row.reason) expect(d.reason).to.equal(row.reason);
      if (row.priority) expect(d.priority).to.equal(row.priority);
      expect(d.explanation).to.be.a('string').and.not.equal('');
    });
  }
}

const input = (
  s: Signals | undefined,
  facts: Partial<HandoffPolicyInput['facts']> = {},
  memory: HandoffMemory = emptyHandoffMemory(),
): HandoffPolicyInput => ({ signals: s, facts: { misunderstandings: 0, recentRequests: [], ...facts }, memory });

describe('handoffPolicy (default rules)', function () {
  const table: PolicyRow[] = [
    { name: 'bereavement -> immediate, high', input: input(signals([intent('bereavement')])), action: 'immediate', reason: 'bereavement', priority: 'high' },
    { name: 'fraud -> immediate, high', input: input(signals([intent('fraud')])), action: 'immediate', reason: 'fraud', priority: 'high' },
    {
      name: 'distress from hardship -> immediate, high',
      input: input(signals([intent('distress', 0.8, ['lost my job'], 'distress.en.hardship')])),
      action: 'immediate',
      reason: 'distress',
      priority: 'high',
    },
    {
      name: 'distress from illness (French) -> immediate, high',
      input: input(signals([intent('distress', 0.7, ['hospitalisé'], 'distress.fr.illness')])),
      action: 'immediate',
      reason: 'distress',
      priority: 'high',
    },
    {
      name: 'distress from worried words alone -> offer, normal',
      input: input(signals([intent('distress', 0.84, ['worried'], 'distress.en.emotion')])),
      action: 'offer',
      reason: 'distress',
      priority: 'normal',
    },
    {
      name: 'distress from worried words, already offered -> continue',
      input: input(signals([intent('distress', 0.84, ['worried'], 'distress.en.emotion')]), {}, { offered: ['distress'] }),
      action: 'continue',
    },
    { name: 'explicit human request -> immediate, normal', input: input(signals([intent('human_request')])), action: 'immediate', reason: 'human_request', priority: 'normal' },
    { name: 'human request + urgency -> high', input: input(signals([intent('human_request'), intent('urgent')])), action: 'immediate', reason: 'human_request', priority: 'high' },
    {
      name: 'bereavement wins over a more confident human request (higher priority first)',
      input: input(signals([intent('human_request', 0.99), intent('bereavement', 0.6)])),
      action: 'immediate',
      reason: 'bereavement',
      priority: 'high',
    },
    {
      name: 'the most confident of two high-priority intents wins',
      input: input(signals([intent('bereavement', 0.6), intent('fraud', 0.8)])),
      action: 'immediate',
      reason: 'fraud',
      priority: 'high',
    },
    { name: 'a low-confidence intent is ignored', input: input(signals([intent('bereavement', 0.3)])), action: 'continue' },
    { name: 'immediate even when anger was already offered', input: input(signals([intent('fraud')], [emotion('anger', 0.9)]), {}, { offered: ['anger'] }), action: 'immediate', reason: 'fraud', priority: 'high' },
    { name: 'anger -> offer, normal', input: input(signals([], [emotion('anger', 0.8)])), action: 'offer', reason: 'anger', priority: 'normal' },
    { name: 'frustration -> offer', input: input(signals([], [emotion('frustration', 0.6)])), action: 'offer', reason: 'frustration', priority: 'normal' },
    { name: 'anger + urgency -> offer, high', input: input(signals([intent('urgent')], [emotion('anger', 0.8)])), action: 'offer', reason: 'anger', priority: 'high' },
    { name: 'weak anger -> continue', input: input(signals([], [emotion('anger', 0.3)])), action: 'continue' },
    { name: 'anger offered once per conversation', input: input(signals([], [emotion('anger', 0.9)]), {}, { offered: ['anger'] }), action: 'continue' },
    { name: 'frustration after an anger offer -> no second emotional offer', input: input(signals([], [emotion('frustration', 0.9)]), {}, { offered: ['anger'] }), action: 'continue' },
    { name: 'grief emotion alone does not trigger', input: input(signals([], [emotion('grief', 0.9)])), action: 'continue' },
    { name: 'not understood once -> continue', input: input(signals(), { misunderstandings: 1 }), action: 'continue' },
    { name: 'not understood twice -> offer', input: input(signals(), { misunderstandings: 2 }), action: 'offer', reason: 'misunderstood', priority: 'normal' },
    { name: 'not understood twice without signals -> offer', input: input(undefined, { misunderstandings: 2 }), action: 'offer', reason: 'misunderstood' },
    { name: 'same request twice -> continue', input: input(signals(), { recentRequests: ['where is my parcel', 'hello', 'where is my parcel'] }), action: 'continue' },
    {
      name: 'same request three times -> offer',
      input: input(signals(), { recentRequests: ['where is my parcel', 'hello', 'where is my parcel', 'where is my parcel'] }),
      action: 'offer',
      reason: 'repeated_request',
    },
    {
      name: 'three old repeats but a different latest request -> continue',
      input: input(signals(), { recentRequests: ['a', 'a', 'a', 'b'] }),
      action: 'continue',
    },
    { name: 'failure offers are limited (2 by default)', input: input(signals(), { misunderstandings: 4 }, { offered: ['misunderstood', 'repeated_request'] }), action: 'continue' },
    { name: 'a second failure offer is allowed', input: input(signals(), { misunderstandings: 2 }, { offered: ['misunderstood'] }), action: 'offer', reason: 'misunderstood' },
    // One offer per trigger: a run of misunderstandings (or of the same request) goes on after its offer without a new one.
    { name: 'not understood a third time in the same run -> continue', input: input(signals(), { misunderstandings: 3 }, { offered: ['misunderstood'] }), action: 'continue' },
    { name: 'not understood a fourth time in the same run -> continue', input: input(signals(), { misunderstandings: 4 }, { offered: ['misunderstood'] }), action: 'continue' },
    {
      name: 'same request a fourth time -> continue (offered at the third)',
      input: input(signals(), { recentRequests: ['track', 'track', 'track', 'track'] }, { offered: ['repeated_request'] }),
      action: 'continue',
    },
    { name: 'nothing -> continue', input: input(signals()), action: 'continue' },
    { name: 'no signals -> continue', input: input(undefined), action: 'continue' },
  ];

  itDecides(table);
});

describe('handoffPolicy (weak evidence: the learned model alone offers a person, it does not force one)', function () {
  const model = (name: string, p: number): IntentHit => intent(name, p, ['card', 'took'], `model.${name}`);
  const table: PolicyRow[] = [
    { name: 'fraud from the model alone at 0.85 -> offer, high', input: input(signals([model('fraud', 0.85)])), action: 'offer', reason: 'fraud', priority: 'high' },
    { name: 'bereavement from the model alone at 0.82 -> offer', input: input(signals([model('bereavement', 0.82)])), action: 'offer', reason: 'bereavement' },
    { name: 'human_request from the model alone at 0.88 -> offer', input: input(signals([model('human_request', 0.88)])), action: 'offer', reason: 'human_request' },
    { name: 'fraud from the model alone at 0.95 (confident) -> immediate', input: input(signals([model('fraud', 0.95)])), action: 'immediate', reason: 'fraud' },
    { name: 'fraud from a rule at 0.6 -> immediate (the rules keep their guarantees)', input: input(signals([intent('fraud', 0.6)])), action: 'immediate', reason: 'fraud' },
    {
      name: 'a weak model fraud beside a rule bereavement -> immediate bereavement',
      input: input(signals([model('fraud', 0.85), intent('bereavement', 0.7)])),
      action: 'immediate',
      reason: 'bereavement',
    },
    { name: 'a weak model fraud already offered -> continue (offered once)', input: input(signals([model('fraud', 0.85)]), {}, { offered: ['fraud'] }), action: 'continue' },
    { name: 'a weak model fraud offered before the anger offer', input: input(signals([model('fraud', 0.85)], [emotion('anger', 0.9)])), action: 'offer', reason: 'fraud' },
    { name: 'urgent stakes the model reads at 0.93 -> the deadline offer, high', input: input(signals([model('urgent', 0.93)])), action: 'offer', reason: 'deadline', priority: 'high' },
    { name: 'urgent from the model at 0.7 -> continue (it only raises priority)', input: input(signals([model('urgent', 0.7)])), action: 'continue' },
  ];

  itDecides(table);

  it('says why in the explanation, and the threshold is an option', function () {
    const d = defaultHandoffPolicy(input(signals([model('fraud', 0.85)])));
    expect(d.explanation).to.contain('learned model alone');
    const strict = createHandoffPolicy({ offerOnModelEvidenceBelow: 0 });
    expect(strict(input(signals([model('fraud', 0.85)]))).action).to.equal('immediate');
  });

  it('carries the evidence that fired, for the agent', function () {
    const d = defaultHandoffPolicy(input(signals([intent('bereavement', 0.9, ['passed away'])])));
    expect(d.action).to.equal('immediate');
    if (d.action === 'continue') return;
    expect(d.intents[0]?.evidence[0]?.matched).to.deep.equal(['passed away']);
    expect(d.explanation).to.contain('passed away');
    const o = defaultHandoffPolicy(input(signals([], [emotion('anger', 0.9, ['ridiculous'])])));
    if (o.action === 'continue') throw new Error('expected an offer');
    expect(o.emotions.map((e) => e.name)).to.deep.equal(['anger']);
  });

  it('remembers offers, so anger is offered only once over a conversation', function () {
    let memory = emptyHandoffMemory();
    const angry = signals([], [emotion('anger', 0.9)]);
    const first = defaultHandoffPolicy(input(angry, {}, memory));
    memory = rememberOffer(memory, first);
    const second = defaultHandoffPolicy(input(angry, {}, memory));
    memory = rememberOffer(memory, second);
    expect([first.action, second.action]).to.deep.equal(['offer', 'continue']);
    expect(memory).to.deep.equal({ offered: ['anger'] });
    expect(rememberOffer(memory, defaultHandoffPolicy(input(signals([intent('fraud')]), {}, memory)))).to.equal(memory);
  });

  it('is pure: same input, same decision, input untouched', function () {
    const i = input(signals([intent('fraud')], [emotion('anger', 0.9)]), { misunderstandings: 3, recentRequests: ['x'] });
    const copy = JSON.parse(JSON.stringify(i)) as HandoffPolicyInput;
    expect(defaultHandoffPolicy(i)).to.deep.equal(defaultHandoffPolicy(i));
    expect(i).to.deep.equal(copy);
  });
});

describe('handoffPolicy (options)', function () {
  const table: Array<{ name: string; options: Parameters<typeof createHandoffPolicy>[0]; input: HandoffPolicyInput; action: string; reason?: string; priority?: string }> = [
    { name: 'higher emotion threshold', options: { emotionScore: 0.9 }, input: input(signals([], [emotion('anger', 0.8)])), action: 'continue' },
    { name: 'three misunderstandings before an offer', options: { misunderstandingsBeforeOffer: 3 }, input: input(signals(), { misunderstandings: 2 }), action: 'continue' },
    { name: 'two repeats are enough', options: { repeatsBeforeOffer: 2 }, input: input(signals(), { recentRequests: ['a', 'a'] }), action: 'offer', reason: 'repeated_request' },
    { name: 'urgency does not raise', options: { urgencyRaisesPriority: false }, input: input(signals([intent('human_request'), intent('urgent')])), action: 'immediate', priority: 'normal' },
    { name: 'emotions offered twice', options: { emotionOffers: 2 }, input: input(signals([], [emotion('anger', 0.9)]), {}, { offered: ['anger'] }), action: 'offer', reason: 'anger' },
    {
      name: 'a custom intent rule with its own reason',
      options: { intentRules: [{ intent: 'legal_threat', action: 'immediate', priority: 'high', reason: 'legal' }] },
      input: input(signals([intent('legal_threat')])),
      action: 'immediate',
      reason: 'legal',
      priority: 'high',
    },
    {
      name: 'complaint offered once, low priority',
      options: { intentRules: [{ intent: 'complaint', action: 'offer', priority: 'low' }] },
      input: input(signals([intent('complaint')])),
      action: 'offer',
      reason: 'complaint',
      priority: 'low',
    },
    {
      name: 'complaint already offered',
      options: { intentRules: [{ intent: 'complaint', action: 'offer', priority: 'low' }] },
      input: input(signals([intent('complaint')]), {}, { offered: ['complaint'] }),
      action: 'continue',
    },
    {
      name: 'bereavement removed from the rules',
      options: { intentRules: [{ intent: 'fraud', action: 'immediate', priority: 'high' }] },
      input: input(signals([intent('bereavement')])),
      action: 'continue',
    },
  ];
  for (const row of table) {
    it(row.name, function () {
      const d = createHandoffPolicy(row.options)(row.input);
      expect(d.action).to.equal(row.action);
      if (row.reason) expect(d.reason).to.equal(row.reason);
      if (row.priority) expect(d.priority).to.equal(row.priority);
    });
  }

  it('rejects bad options at start-up', function () {
    expect(() => createHandoffPolicy({ emotionScore: 2 })).to.throw();
    expect(() => createHandoffPolicy({ repeatsBeforeOffer: 1 })).to.throw();
  });
});

describe('handoffPolicy (deadlines)', function () {
  const missed = { neededBy: '2026-03-04', expected: '2026-03-05', status: 'delayed', missed: true } as const;
  const met = { neededBy: '2026-03-06', expected: '2026-03-05', status: 'delayed', missed: false } as const;
  const essential = (lang: 'en' | 'fr') => intent('urgent', 0.75, [lang === 'en' ? 'insulin is in that parcel and i need it tomorrow' : 'passeport ... mon vol'], `urgent.${lang}.deadline`);
  const table: PolicyRow[] = [
    { name: 'deadline met -> continue (status only)', input: input(signals(), { deadline: met }), action: 'continue' },
    { name: 'deadline missed -> offer, high', input: input(signals(), { deadline: missed }), action: 'offer', reason: 'deadline', priority: 'high' },
    { name: 'no signals, deadline missed -> offer, high', input: input(undefined, { deadline: missed }), action: 'offer', reason: 'deadline', priority: 'high' },
    { name: 'English essential-contents deadline -> offer, high', input: input(signals([essential('en')])), action: 'offer', reason: 'deadline', priority: 'high' },
    { name: 'French essential-contents deadline -> offer, high', input: input(signals([essential('fr')])), action: 'offer', reason: 'deadline', priority: 'high' },
    { name: 'urgent from a keyword alone -> continue (it only raises priority)', input: input(signals([intent('urgent', 0.85, ['asap'], 'urgent.en.keyword')])), action: 'continue' },
    { name: 'no deadline -> continue', input: input(signals()), action: 'continue' },
    {
      name: 'missed deadline already offered -> continue',
      input: input(signals(), { deadline: missed }, { offered: ['deadline'] }),
      action: 'continue',
    },
    {
      name: 'fraud with a missed deadline -> immediate fraud still wins',
      input: input(signals([intent('fraud')]), { deadline: missed }),
      action: 'immediate',
      reason: 'fraud',
      priority: 'high',
    },
    {
      name: 'anger with a missed deadline -> the deadline offer first',
      input: input(signals([], [emotion('anger', 0.9)]), { deadline: missed }),
      action: 'offer',
      reason: 'deadline',
      priority: 'high',
    },
    {
      name: 'two misunderstandings with a missed deadline -> the deadline offer first',
      input: input(signals(), { deadline: missed, misunderstandings: 2 }),
      action: 'offer',
      reason: 'deadline',
      priority: 'high',
    },
  ];
  itDecides(table);

  it('says why: the needed-by and expected days, never customer text', function () {
    const d = defaultHandoffPolicy(input(signals(), { deadline: missed }));
    expect(d.explanation).to.equal('deadline missed: needed by 2026-03-04, expected 2026-03-05 -> offer');
  });

  it('options: offerOnMissedDeadline false and deadlinePriority', function () {
    expect(createHandoffPolicy({ offerOnMissedDeadline: false })(input(signals(), { deadline: missed })).action).to.equal('continue');
    expect(createHandoffPolicy({ deadlinePriority: 'normal' })(input(signals(), { deadline: missed })).priority).to.equal('normal');
  });
});
