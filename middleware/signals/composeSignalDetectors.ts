import type { DetectOptions, SignalDetector } from './signalDetector';
import type { EmotionScore, Evidence, IntentHit, LanguageCode, Signals } from './signals';
import { nextTrajectory } from './trajectory';

/** What a custom detector adds to the built-in signals. Every field is optional. */
export interface DetectorContribution {
  /** Sentiment in -1..1. */
  readonly sentiment?: number;
  readonly emotions?: readonly EmotionScore[];
  readonly intents?: readonly IntentHit[];
}

/** Context a custom detector receives besides the text. */
export interface CustomDetectorContext {
  readonly language: LanguageCode;
  readonly locale?: string;
  /** What the primary (built-in) detector found, e.g. to call a paid service only when needed. */
  readonly primary: Signals;
}

/** A custom detector: a cloud language service, an LLM, a company-specific model. May be async. */
export interface CustomSignalDetector {
  /** Short name, used to prefix evidence rule ids (`<name>:<rule>`) and in warnings. */
  readonly name: string;
  detect(text: string, context: CustomDetectorContext): DetectorContribution | Promise<DetectorContribution>;
}

/** Options of {@link composeSignalDetectors}. */
export interface ComposeSignalDetectorsOptions {
  /** Time a custom detector may take before it is ignored for this message. Default 1000 ms. */
  readonly timeoutMs?: number;
  /** Weight of the custom detectors' mean sentiment against the primary's, 0..1. Default 0.5. */
  readonly sentimentWeight?: number;
  /** Minimum confidence for a custom intent to be kept. Default 0.5. */
  readonly intentThreshold?: number;
  /** Where warnings go (never with customer text). Default `console`. */
  readonly logger?: { warn(message: string): void };
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

const cleanEvidence = (name: string, evidence: unknown): Evidence[] => {
  if (!Array.isArray(evidence)) return [{ rule: `${name}:unspecified`, matched: [] }];
  return evidence
    .filter((e): e is Evidence => !!e && typeof (e as Evidence).rule === 'string')
    .map((e) => ({
      rule: e.rule.includes(':') ? e.rule : `${name}:${e.rule}`,
      matched: Array.isArray(e.matched) ? e.matched.filter((m) => typeof m === 'string').slice(0, 10) : [],
    }));
};

const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

type Scored = { name: string; value: number; evidence: Evidence[] };

const mergeInto = (into: Map<string, Scored>, name: string, value: number, evidence: readonly Evidence[]): void => {
  const current = into.get(name);
  if (!current) {
    into.set(name, { name, value, evidence: [...evidence] });
    return;
  }
  current.value = Math.max(current.value, value);
  for (const e of evidence) if (!current.evidence.some((x) => x.rule === e.rule)) current.evidence.push(e);
};

const freezeEvidence = (evidence: readonly Evidence[]): readonly Evidence[] =>
  Object.freeze(evidence.map((e) => Object.freeze({ rule: e.rule, matched: Object.freeze([...e.matched]) })));

/**
 * Composes a primary detector (usually the built-in one) with custom detectors into one async {@link SignalDetector}.
 *
 * @remarks Merge rules:
 * - language and `languageSource` come from the primary;
 * - intents and emotions are the union; for the same name the highest confidence/score wins and the evidence of
 *   all detectors is kept (custom rule ids are prefixed `<name>:`); custom intents below `intentThreshold` are dropped;
 * - sentiment is `(1 - sentimentWeight) * primary + sentimentWeight * mean(custom sentiments)` when some custom
 *   detector gives one;
 * - custom detectors can add, never remove: a flaky service cannot silence a fraud or bereavement hit;
 * - the trajectory is recomputed from the merged values;
 * - a custom detector that throws, returns garbage or exceeds `timeoutMs` is ignored for that message, a warning
 *   (name and error class only) is logged and the signals are marked `degraded`.
 * The primary's own failure propagates (the middleware's failure policy handles it).
 * @example
 * const detector = composeSignalDetectors(createSignalDetector(), [myLlmDetector], { timeoutMs: 800 });
 */
export function composeSignalDetectors(
  primary: SignalDetector,
  custom: readonly CustomSignalDetector[],
  options: ComposeSignalDetectorsOptions = {},
): SignalDetector {
  if (!primary || typeof primary.detect !== 'function') throw new TypeError('composeSignalDetectors: primary detector is required');
  for (const c of custom) {
    if (!c || typeof c.detect !== 'function' || typeof c.name !== 'string' || !c.name) {
      throw new TypeError('composeSignalDetectors: every custom detector needs a name and a detect function');
    }
  }
  const timeoutMs = options.timeoutMs ?? 1000;
  const sentimentWeight = options.sentimentWeight ?? 0.5;
  const intentThreshold = options.intentThreshold ?? 0.5;
  if (!(timeoutMs > 0)) throw new RangeError('composeSignalDetectors: timeoutMs must be > 0');
  if (!(sentimentWeight >= 0 && sentimentWeight <= 1)) throw new RangeError('composeSignalDetectors: sentimentWeight must be in 0..1');
  const logger = options.logger ?? console;

  return {
    async detect(text: string, detectOptions: DetectOptions = {}): Promise<Signals> {
      const base = await primary.detect(text, detectOptions);
      if (custom.length === 0) return base;
      const context: CustomDetectorContext = { language: base.language, locale: detectOptions.locale, primary: base };
      const results = await Promise.allSettled(
        custom.map((c) => withTimeout(Promise.resolve().then(() => c.detect(text, context)), timeoutMs)),
      );

      let degraded = base.degraded === true;
      const intents = new Map<string, Scored>();
      const emotions = new Map<string, Scored>();
      for (const i of base.intents) mergeInto(intents, i.name, i.confidence, i.evidence);
      for (const e of base.emotions) mergeInto(emotions, e.name, e.score, e.evidence);
      const sentiments: number[] = [];

      results.forEach((r, idx) => {
        const name = custom[idx].name;
        if (r.status === 'rejected' || !r.value || typeof r.value !== 'object') {
          degraded = true;
          const reason = r.status === 'rejected' ? (r.reason as Error)?.name ?? 'Error' : 'empty result';
          const detail = r.status === 'rejected' && /timed out/.test(String((r.reason as Error)?.message)) ? ' (timeout)' : '';
          logger.warn(`composeSignalDetectors: detector "${name}" failed: ${reason}${detail}; ignored for this message`);
          return;
        }
        const v = r.value;
        if (finite(v.sentiment)) sentiments.push(clamp(v.sentiment, -1, 1));
        for (const i of Array.isArray(v.intents) ? v.intents : []) {
          if (!i || typeof i.name !== 'string' || !finite(i.confidence)) continue;
          const c = clamp(i.confidence, 0, 1);
          if (c >= intentThreshold) mergeInto(intents, i.name, c, cleanEvidence(name, i.evidence));
        }
        for (const e of Array.isArray(v.emotions) ? v.emotions : []) {
          if (!e || typeof e.name !== 'string' || !finite(e.score)) continue;
          mergeInto(emotions, e.name, clamp(e.score, 0, 1), cleanEvidence(name, e.evidence));
        }
      });

      const sentiment =
        sentiments.length === 0
          ? base.sentiment
          : Math.round(((1 - sentimentWeight) * base.sentiment + (sentimentWeight * sentiments.reduce((a, b) => a + b, 0)) / sentiments.length) * 1000) / 1000;
      const intentList: IntentHit[] = [...intents.values()]
        .map((s) => Object.freeze({ name: s.name, confidence: s.value, evidence: freezeEvidence(s.evidence) }))
        .sort((a, b) => b.confidence - a.confidence);
      const emotionList: EmotionScore[] = [...emotions.values()]
        .map((s) => Object.freeze({ name: s.name, score: s.value, evidence: freezeEvidence(s.evidence) }))
        .sort((a, b) => b.score - a.score);
      return Object.freeze({
        language: base.language,
        languageSource: base.languageSource,
        sentiment,
        emotions: Object.freeze(emotionList),
        intents: Object.freeze(intentList),
        trajectory: nextTrajectory(detectOptions.previous, sentiment, emotionList, intentList),
        ...(degraded ? { degraded: true } : {}),
      });
    },
  };
}
