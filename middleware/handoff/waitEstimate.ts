/** Inputs of {@link estimateWait}. */
export interface WaitEstimateInput {
  /** 1-based position in the queue. */
  readonly position: number;
  /** Agents online now. */
  readonly onlineAgents: number;
  /** Recent handling times in ms (from `HandoffStore.recentHandlingTimes`). */
  readonly handlingTimesMs: readonly number[];
  /** Used while there is no history. Default 5 minutes. */
  readonly defaultHandlingMs?: number;
}

/**
 * Expected wait in ms before an agent picks up the case at `position`, or `undefined` when no agent is online.
 *
 * @remarks Pure. Each online agent serves one case at a time and a case takes the median recent handling time;
 * the customer waits for `ceil(position / agents)` cases ahead of them to be served, counting the one now served
 * as half done on average.
 * @example estimateWait({ position: 3, onlineAgents: 2, handlingTimesMs: await store.recentHandlingTimes() })
 */
export function estimateWait(input: WaitEstimateInput): number | undefined {
  if (input.onlineAgents <= 0) return undefined;
  const times = input.handlingTimesMs.filter((t) => Number.isFinite(t) && t >= 0).sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const median = times.length
    ? times.length % 2
      ? (times[mid] as number)
      : ((times[mid - 1] as number) + (times[mid] as number)) / 2
    : (input.defaultHandlingMs ?? 5 * 60_000);
  const rounds = Math.ceil(Math.max(1, input.position) / input.onlineAgents);
  return Math.round((rounds - 0.5) * median);
}
