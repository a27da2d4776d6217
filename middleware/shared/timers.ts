/** A `setTimeout` that does not keep the process alive (background work: sweeps, queues, polls). */
export const unrefTimer = (fn: () => void, ms: number): unknown => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return t;
};

/** Clears a timer made by {@link unrefTimer}. */
export const clearUnrefTimer = (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout);
