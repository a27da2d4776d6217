/** Lets pending promise chains run: `n` turns of the event loop. */
export const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/**
 * A fake clock for code that takes `now`, `setTimer` and `clearTimer` options: `advance` moves time and runs the
 * timers it passes, in order, letting each one's promise chain run before the next.
 */
export class FakeClock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;

  constructor(public now: number) {}

  setTimer = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  };

  clearTimer = (id: unknown): void => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };

  /** Timers waiting. */
  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      next.fn();
      await ticks();
    }
    this.now = end;
    await ticks(1);
  }
}
