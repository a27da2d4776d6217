import type { EmotionName, Signals } from './signals';

/** What an acknowledgement answers, most important first. */
type AckKind = 'grief' | 'fraud' | 'distress' | 'anger' | 'frustration';

/** Acknowledgement sentences per language. Calm, short, no exclamation marks. */
const ACKNOWLEDGEMENTS: Readonly<Record<string, Readonly<Record<AckKind, string>>>> = {
  en: {
    grief: "I'm so sorry for your loss.",
    fraud: "I understand this is worrying. Let's make sure your account is safe.",
    distress: "I'm sorry you're going through this. I'm here to help.",
    anger: "I'm sorry, I understand why you're upset.",
    frustration: "I'm sorry this has been so frustrating.",
  },
  fr: {
    grief: 'Toutes mes condoléances.',
    fraud: 'Je comprends que ce soit inquiétant. Assurons-nous que votre compte est protégé.',
    distress: 'Je suis désolé que vous traversiez cela. Je suis là pour vous aider.',
    anger: 'Je suis désolé, je comprends votre mécontentement.',
    frustration: 'Je suis désolé pour ce désagrément.',
  },
};

/** Emotion score from which an emotion counts as felt. */
const EMOTION_THRESHOLD = 0.35;
/** Sentiment at or below which a customer counts as upset even with no named emotion. */
const UPSET_SENTIMENT = -0.35;

/** Below this, an intent the learned model alone found does not set the tone (no condolences on a guess). */
const MODEL_ONLY_CONFIDENT = 0.9;

/** An intent found by a rule, or by the learned model with confidence: enough to set the tone. */
const setsTone = (signals: Signals, name: string): boolean =>
  signals.intents.some(
    (i) => i.name === name && (i.confidence >= MODEL_ONLY_CONFIDENT || i.evidence.some((e) => !e.rule.startsWith('model.'))),
  );

const emotion = (signals: Signals, name: EmotionName): number =>
  signals.emotions.find((e) => e.name === name)?.score ?? 0;

const ackKind = (signals: Signals): AckKind | undefined => {
  if (setsTone(signals, 'bereavement') || emotion(signals, 'grief') >= EMOTION_THRESHOLD) return 'grief';
  if (setsTone(signals, 'fraud')) return 'fraud';
  if (setsTone(signals, 'distress') || emotion(signals, 'distress') >= EMOTION_THRESHOLD) return 'distress';
  const anger = emotion(signals, 'anger');
  const frustration = emotion(signals, 'frustration');
  if (anger >= EMOTION_THRESHOLD && anger >= frustration) return 'anger';
  if (frustration >= EMOTION_THRESHOLD || setsTone(signals, 'complaint')) return 'frustration';
  if (anger >= EMOTION_THRESHOLD) return 'anger';
  return undefined;
};

/**
 * A short acknowledgement to say before answering, in the signals' language, or `undefined` when none is needed.
 *
 * @remarks Order of precedence: grief/bereavement, fraud worry, distress/anxiety, anger, frustration/complaint. An
 * intent only the learned model found counts from a confidence of 0.9 (condolences are never said on a guess).
 * Languages other than `en` and `fr` fall back to English. Sentences never carry an exclamation mark.
 * @example
 * const ack = acknowledge(warmlineTurn(ctx).signals);
 * if (ack) await ctx.sendActivity(ack);
 */
export function acknowledge(signals: Signals | undefined): string | undefined {
  if (!signals) return undefined;
  const kind = ackKind(signals);
  if (!kind) return undefined;
  const table = ACKNOWLEDGEMENTS[signals.language] ?? ACKNOWLEDGEMENTS.en;
  return table[kind];
}

/**
 * True when the bot must not be cheerful: keep answers short, no exclamation marks, no upsell.
 *
 * @remarks True when an acknowledgement is due, when sentiment is at or below -0.35, when the conversation is
 * escalating, or after two negative customer messages in a row.
 */
export function isUpset(signals: Signals | undefined): boolean {
  if (!signals) return false;
  if (ackKind(signals) !== undefined) return true;
  if (signals.sentiment <= UPSET_SENTIMENT) return true;
  return signals.trajectory.escalating || signals.trajectory.consecutiveNegative >= 2;
}
