import type { EmotionScore, IntentHit, Trajectory } from './signals';

/** The trajectory of a conversation that has not started. */
export const EMPTY_TRAJECTORY: Trajectory = Object.freeze({
  turns: 0,
  rollingSentiment: 0,
  consecutiveNegative: 0,
  escalating: false,
});

/** Weight of the newest message in the rolling sentiment (exponential moving average). */
const ALPHA = 0.5;
/** Sentiment at or below which a message counts as negative. */
const NEGATIVE_SENTIMENT = -0.1;
/** Emotion score from which anger, frustration, distress or grief make a message negative. */
const NEGATIVE_EMOTION = 0.35;
const NEGATIVE_EMOTIONS = new Set(['anger', 'frustration', 'distress', 'grief']);
const NEGATIVE_INTENTS = new Set(['complaint', 'distress', 'bereavement', 'fraud']);

const isTrajectory = (t: unknown): t is Trajectory =>
  !!t &&
  typeof t === 'object' &&
  typeof (t as Trajectory).turns === 'number' &&
  typeof (t as Trajectory).rollingSentiment === 'number' &&
  typeof (t as Trajectory).consecutiveNegative === 'number';

/**
 * The trajectory after one more customer message.
 *
 * @remarks
 * - `rollingSentiment`: exponential moving average, the newest message weighs 0.5 (the first message is taken as is).
 * - A message is negative when its sentiment is <= -0.1, or anger/frustration/distress/grief scores >= 0.35, or a
 *   complaint, distress, bereavement or fraud intent holds. `consecutiveNegative` counts them in a row.
 * - `escalating` is true after three negative messages in a row, or after two when the rolling sentiment went down
 *   this turn and is below -0.2. It turns false at the first message that is not negative.
 * A malformed `previous` (e.g. from old stored state) is treated as an empty trajectory.
 */
export function nextTrajectory(
  previous: Trajectory | undefined,
  sentiment: number,
  emotions: readonly EmotionScore[],
  intents: readonly IntentHit[],
): Trajectory {
  const prev = isTrajectory(previous) ? previous : EMPTY_TRAJECTORY;
  const rolling = prev.turns === 0 ? sentiment : ALPHA * sentiment + (1 - ALPHA) * prev.rollingSentiment;
  const negative =
    sentiment <= NEGATIVE_SENTIMENT ||
    emotions.some((e) => NEGATIVE_EMOTIONS.has(e.name) && e.score >= NEGATIVE_EMOTION) ||
    intents.some((i) => NEGATIVE_INTENTS.has(i.name));
  const consecutiveNegative = negative ? prev.consecutiveNegative + 1 : 0;
  const worsening = prev.turns > 0 && rolling < prev.rollingSentiment && rolling < -0.2;
  const escalating = consecutiveNegative >= 3 || (consecutiveNegative >= 2 && worsening);
  return Object.freeze({
    turns: prev.turns + 1,
    rollingSentiment: Math.round(rolling * 1000) / 1000,
    consecutiveNegative,
    escalating,
  });
}
