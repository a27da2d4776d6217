import { z } from 'zod';
import type { ConversationFacts } from './conversationFacts';
import type { EmotionScore, Evidence, IntentHit, Signals } from '../signals/signals';
import { priorityRank, type CasePriority, type HandoffReason } from './handoffCase';

/**
 * Offer reasons decided on what the bot learns while it answers (its failure counts, a deadline checked against the
 * tracking): the handoff asks the policy again after the bot, and makes these offers then, never on stale facts.
 */
export const AFTER_BOT_REASONS: ReadonlySet<HandoffReason> = new Set(['misunderstood', 'repeated_request', 'deadline']);

/** What the handoff should do with this message. */
export type HandoffAction = 'immediate' | 'offer' | 'continue';

/**
 * The policy's answer for one customer message.
 *
 * @remarks `immediate`: queue the customer now, no bot attempt. `offer`: ask the customer whether they want a
 * human (remember the offer with {@link rememberOffer}). `continue`: let the bot answer.
 */
export type HandoffDecision =
  | {
      readonly action: 'immediate' | 'offer';
      readonly reason: HandoffReason;
      readonly priority: CasePriority;
      /** One line for logs and for the agent: which rule fired and on what. */
      readonly explanation: string;
      /** The intents that fired (with their evidence). */
      readonly intents: readonly IntentHit[];
      /** The emotions that fired (with their evidence). */
      readonly emotions: readonly EmotionScore[];
    }
  | {
      readonly action: 'continue';
      readonly reason?: undefined;
      readonly priority?: undefined;
      readonly explanation: string;
    };

/** What the conversation remembers about earlier offers (kept in conversation state by the wiring). */
export interface HandoffMemory {
  /** Reasons a human was already offered for in this conversation, oldest first. */
  readonly offered: readonly HandoffReason[];
}

/** Everything the policy decides on. */
export interface HandoffPolicyInput {
  /** Signals of the current message; `undefined` when no signals middleware ran. */
  readonly signals: Signals | undefined;
  /**
   * Facts of the conversation (misunderstandings in a row, recent requests, a deadline checked this turn). The
   * handoff middleware asks once before the bot without `deadline` and once after it with this turn's facts; offers
   * for {@link AFTER_BOT_REASONS} are made only after the bot.
   */
  readonly facts: Pick<ConversationFacts, 'misunderstandings' | 'recentRequests'> & Partial<Pick<ConversationFacts, 'deadline'>>;
  /** Earlier offers in this conversation. */
  readonly memory: HandoffMemory;
}

/** A policy: a pure function. A bot developer can supply their own with the same type. */
export type HandoffPolicy = (input: HandoffPolicyInput) => HandoffDecision;

const priority = z.enum(['high', 'normal', 'low']);

const IntentRuleSchema = z.object({
  /** Intent name as the signals detector reports it. */
  intent: z.string().min(1),
  action: z.enum(['immediate', 'offer']),
  priority,
  /** Reason recorded on the case; defaults to the intent name. */
  reason: z.string().min(1).optional(),
  /** Minimum confidence; defaults to `intentConfidence`. */
  minConfidence: z.number().min(0).max(1).optional(),
  /**
   * Regular expression over the evidence's rule ids: when given, the rule fires only if at least one piece of
   * evidence comes from a matching rule (e.g. distress from hardship or illness, not from a worried word alone).
   */
  evidence: z
    .string()
    .refine((src) => {
      try {
        new RegExp(src);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression')
    .optional(),
});

/** One intent rule: which intent leads to which action. */
export type IntentRule = z.infer<typeof IntentRuleSchema>;

const HandoffPolicyOptionsSchema = z.object({
  intentRules: z.array(IntentRuleSchema).default([
    { intent: 'bereavement', action: 'immediate', priority: 'high' },
    { intent: 'fraud', action: 'immediate', priority: 'high' },
    // Vulnerability (hardship, illness, crisis, not coping): a person at once. Worry or fear in words alone: offer.
    { intent: 'distress', action: 'immediate', priority: 'high', evidence: '^distress\\.[a-z]+\\.(hardship|illness|crisis|cope)$' },
    { intent: 'distress', action: 'offer', priority: 'normal' },
    { intent: 'human_request', action: 'immediate', priority: 'normal' },
    // A deadline that matters (medicine, a document, a housing or travel date with a time): a person at once.
    { intent: 'urgent', action: 'offer', priority: 'high', reason: 'deadline', evidence: '^urgent\\.[a-z]+\\.deadline(?:-[a-z-]+)?$' },
    // The same stakes read by the learned model with confidence ("il contient mes médicaments"): the same offer.
    { intent: 'urgent', action: 'offer', priority: 'high', reason: 'deadline', evidence: '^model\\.urgent$', minConfidence: 0.9 },
  ]),
  intentConfidence: z.number().min(0).max(1).default(0.5),
  offerEmotions: z.array(z.string().min(1)).default(['anger', 'frustration']),
  emotionScore: z.number().min(0).max(1).default(0.5),
  /** How many times per conversation an emotion may lead to an offer (any of `offerEmotions` counts). */
  emotionOffers: z.number().int().min(0).default(1),
  emotionPriority: priority.default('normal'),
  misunderstandingsBeforeOffer: z.number().int().min(1).default(2),
  repeatsBeforeOffer: z.number().int().min(2).default(3),
  /** How many times per conversation misunderstandings or repeats may lead to an offer. */
  failureOffers: z.number().int().min(0).default(2),
  failurePriority: priority.default('normal'),
  urgentIntent: z.string().min(1).default('urgent'),
  urgencyRaisesPriority: z.boolean().default(true),
  /** Offer a person when the dialogs record a missed deadline ({@link ConversationFacts.deadline}). */
  offerOnMissedDeadline: z.boolean().default(true),
  deadlinePriority: priority.default('high'),
  /**
   * An intent found by the learned model alone (every piece of evidence `model.*`) whose calibrated confidence is
   * below this gets an offer instead of an immediate handoff: weak evidence lets the customer choose.
   */
  offerOnModelEvidenceBelow: z.number().min(0).max(1).default(0.9),
});

/**
 * Options of the default policy.
 *
 * @remarks Defaults: `intentRules` bereavement, fraud, distress from hardship/illness/crisis/not coping ->
 * immediate/high, distress from worried or fearful words alone -> offer/normal, human_request -> immediate/normal;
 * `intentConfidence` 0.5; `offerEmotions` anger, frustration with `emotionScore` >= 0.5, offered `emotionOffers` = 1
 * time per conversation at `emotionPriority` normal; `misunderstandingsBeforeOffer` 2, `repeatsBeforeOffer` 3,
 * `failureOffers` 2 per conversation at `failurePriority` normal; an `urgentIntent` (`urgent`) raises the priority
 * one step when `urgencyRaisesPriority` (true); an `urgent` hit from a deadline rule (`urgent.<lang>.deadline`: medicine, a
 * document, a housing or travel date, with a time), or an `urgent` hit of the learned model at 0.9 or more, -> offer/high
 * with reason `deadline`; a deadline the dialogs found
 * missed (`facts.deadline.missed`) -> offer at `deadlinePriority` (high) with reason `deadline`, when
 * `offerOnMissedDeadline` (true); an immediate intent that only the learned model found, with a confidence below
 * `offerOnModelEvidenceBelow` (0.9), -> offer instead. Each kind of offer is made once per conversation. A failure offer is made once per trigger: when the count of
 * misunderstandings in a row (or of the same request) reaches its threshold, not again while that run goes on.
 */
export type HandoffPolicyOptions = z.infer<typeof HandoffPolicyOptionsSchema>;

const FAILURE_REASONS: readonly HandoffReason[] = ['misunderstood', 'repeated_request'];

const raise = (p: CasePriority): CasePriority => (p === 'low' ? 'normal' : 'high');
const withUrgency = (p: CasePriority, urgent: boolean): CasePriority => (urgent ? raise(p) : p);

function isUrgent(signals: Signals | undefined, urgentIntent: string, minConfidence: number): boolean {
  if (!signals) return false;
  for (const i of signals.intents) if (i.name === urgentIntent && i.confidence >= minConfidence) return true;
  return false;
}

function countWhere(offered: readonly HandoffReason[], reasons: readonly string[]): number {
  let n = 0;
  for (const r of offered) if (reasons.includes(r)) n++;
  return n;
}

const words = (evidence: readonly Evidence[]): string => {
  const all = evidence.flatMap((e) => e.matched);
  return all.length ? ` ("${all.slice(0, 3).join('", "')}")` : '';
};

/**
 * Builds the default handoff policy with the given options.
 *
 * @remarks Order of precedence: immediate intent rules, then a missed deadline, then offer intent rules (higher priority, then
 * higher confidence first), then emotions,
 * then misunderstandings and repeated requests. The policy is pure: it never reads the clock, state or I/O.
 * @throws a zod error at start-up for invalid options.
 * @example const policy = createHandoffPolicy({ emotionScore: 0.7 });
 */
export function createHandoffPolicy(options: Partial<HandoffPolicyOptions> = {}): HandoffPolicy {
  const o = HandoffPolicyOptionsSchema.parse(options);
  const ruleOrder = new Map(o.intentRules.map((r, i) => [r, i]));
  const evidencePatterns = new Map(o.intentRules.filter((r) => r.evidence).map((r) => [r, new RegExp(r.evidence as string)]));
  const evidenceHolds = (rule: IntentRule, hit: IntentHit) => {
    const pattern = evidencePatterns.get(rule);
    return !pattern || hit.evidence.some((e) => pattern.test(e.rule));
  };

  // Weak evidence (the learned model alone, below its confident range): offer a person rather than force one.
  const weak = (hit: IntentHit): boolean =>
    hit.confidence < o.offerOnModelEvidenceBelow && hit.evidence.length > 0 && hit.evidence.every((e) => e.rule.startsWith('model.'));
  const actionOf = ({ rule, hit }: { rule: IntentRule; hit: IntentHit }): 'immediate' | 'offer' =>
    rule.action === 'immediate' && weak(hit) ? 'offer' : rule.action;

  return ({ signals, facts, memory }) => {
    const urgent = o.urgencyRaisesPriority && isUrgent(signals, o.urgentIntent, o.intentConfidence);
    const urgencyNote = urgent ? '; urgency raised the priority' : '';

    // 1. Intent rules.
    const fired: Array<{ rule: IntentRule; hit: IntentHit }> = [];
    for (const hit of signals?.intents ?? []) {
      for (const rule of o.intentRules) {
        if (rule.intent === hit.name && hit.confidence >= (rule.minConfidence ?? o.intentConfidence) && evidenceHolds(rule, hit)) fired.push({ rule, hit });
      }
    }
    const usable = fired.filter((f) => actionOf(f) === 'immediate' || !memory.offered.includes(f.rule.reason ?? f.rule.intent));
    usable.sort(
      (a, b) =>
        (actionOf(a) === 'immediate' ? 0 : 1) - (actionOf(b) === 'immediate' ? 0 : 1) ||
        priorityRank(a.rule.priority) - priorityRank(b.rule.priority) ||
        b.hit.confidence - a.hit.confidence ||
        (ruleOrder.get(a.rule) ?? 0) - (ruleOrder.get(b.rule) ?? 0),
    );
    const best = usable[0];
    // 2. A deadline the bot cannot meet (checked by the dialogs against the tracking): offer a person at once, before
    // any lower offer; an immediate rule still wins.
    if (
      o.offerOnMissedDeadline &&
      facts.deadline?.missed === true &&
      (!best || actionOf(best) !== 'immediate') &&
      !memory.offered.includes('deadline')
    ) {
      const d = facts.deadline;
      return {
        action: 'offer',
        reason: 'deadline',
        priority: withUrgency(o.deadlinePriority, urgent),
        explanation: `deadline missed: needed by ${d.neededBy}, ${d.expected ? `expected ${d.expected}` : `status ${d.status}`} -> offer${urgencyNote}`,
        intents: [...fired.map((f) => f.hit)],
        emotions: [],
      };
    }
    if (best) {
      const reason = best.rule.reason ?? best.rule.intent;
      const action = actionOf(best);
      const weakNote = action !== best.rule.action ? ' (learned model alone, weak evidence)' : '';
      return {
        action,
        reason,
        priority: withUrgency(best.rule.priority, urgent),
        explanation: `intent ${best.hit.name} (${best.hit.confidence.toFixed(2)})${words(best.hit.evidence)} -> ${action}${weakNote}${urgencyNote}`,
        intents: [best.hit, ...fired.filter((f) => f !== best).map((f) => f.hit)],
        emotions: [],
      };
    }

    // 3. Emotions: offer a human, a limited number of times per conversation.
    const emotionOffersMade = countWhere(memory.offered, o.offerEmotions);
    const strong: EmotionScore[] = [];
    for (const e of signals?.emotions ?? []) if (o.offerEmotions.includes(e.name) && e.score >= o.emotionScore) strong.push(e);
    if (strong.length > 1) strong.sort((a, b) => b.score - a.score);
    const emotion = strong[0];
    if (emotion && emotionOffersMade < o.emotionOffers) {
      return {
        action: 'offer',
        reason: emotion.name,
        priority: withUrgency(o.emotionPriority, urgent),
        explanation: `emotion ${emotion.name} (${emotion.score.toFixed(2)})${words(emotion.evidence)} -> offer${urgencyNote}`,
        intents: [],
        emotions: strong,
      };
    }

    // 4. The bot is failing this customer: offer a human, once per trigger. The offer comes when a count reaches its
    // threshold; a longer run of the same failure (the customer ignored or declined the offer) is not a new trigger.
    const failureOffersMade = countWhere(memory.offered, FAILURE_REASONS);
    if (failureOffersMade < o.failureOffers) {
      if (facts.misunderstandings === o.misunderstandingsBeforeOffer) {
        return {
          action: 'offer',
          reason: 'misunderstood',
          priority: withUrgency(o.failurePriority, urgent),
          explanation: `not understood ${facts.misunderstandings} times in a row -> offer${urgencyNote}`,
          intents: [],
          emotions: [],
        };
      }
      const last = facts.recentRequests[facts.recentRequests.length - 1];
      const repeats = last === undefined ? 0 : countWhere(facts.recentRequests, [last]);
      if (repeats === o.repeatsBeforeOffer) {
        return {
          action: 'offer',
          reason: 'repeated_request',
          priority: withUrgency(o.failurePriority, urgent),
          explanation: `same request ${repeats} times -> offer${urgencyNote}`,
          intents: [],
          emotions: [],
        };
      }
    }

    if (emotion) return { action: 'continue', explanation: `emotion ${emotion.name} but a human was already offered` };
    return { action: 'continue', explanation: signals ? 'no handoff signal' : 'no signals for this message' };
  };
}

/** The default policy (see {@link HandoffPolicyOptions} for its rules). */
export const defaultHandoffPolicy: HandoffPolicy = createHandoffPolicy();

/**
 * Returns the memory after a decision: an `offer` is remembered so the same kind of offer is not repeated.
 *
 * @example memory = rememberOffer(memory, decision); // then save memory in conversation state
 */
export function rememberOffer(memory: HandoffMemory, decision: HandoffDecision): HandoffMemory {
  return decision.action === 'offer' ? { offered: [...memory.offered, decision.reason] } : memory;
}

/** Memory of a conversation where nothing was offered yet. */
export const emptyHandoffMemory = (): HandoffMemory => ({ offered: [] });
