import { transition, type HandoffCase } from './handoffCase';
import { errorName, type HandoffCore } from './handoffCore';
import { handoffMessages } from './handoffMessages';
import type { QueueAnnouncer } from './queueAnnouncer';

/** Cases timed out per sweep (the next sweep takes the rest). */
const SWEEP_BATCH = 200;
/** How often a sweep also removes what outlived the retention. */
const PURGE_EVERY_MS = 10 * 60_000;

/**
 * The handoff's clock work: cases that waited longer than `maxWaitMs` move to `timed_out` and their customers are
 * offered a callback; now and then, what outlived the retention is removed from the store.
 */
export class CaseSweeper {
  private purgedAt = 0;

  constructor(
    private readonly core: HandoffCore,
    private readonly announcer: QueueAnnouncer,
  ) {}

  /**
   * Moves cases that waited longer than `maxWaitMs` to `timed_out` and offers their customers a callback.
   *
   * @remarks Safe to run on every instance: the store's check-and-set lets one instance win each case.
   * @returns the ids of the cases this call timed out.
   */
  async sweep(): Promise<string[]> {
    const { store, settings } = this.core;
    const now = settings.clock().getTime();
    const timedOut: string[] = [];
    let firstMoved: number | undefined;
    // Only the cases that waited too long, from the queue's index: the rest of the queue costs nothing.
    const due = await store.listQueuedBefore(now - settings.maxWaitMs, SWEEP_BATCH);
    for (const c of due) {
      const position = await store.queuePosition(c.id);
      const updated = await this.timeOut(c, new Date(now));
      if (!updated) continue;
      timedOut.push(c.id);
      if (position !== undefined) firstMoved = Math.min(firstMoved ?? position, position);
      this.core.emit({ type: 'timed_out', case: updated });
      try {
        await this.core.tellCustomer(updated, [handoffMessages(updated.language).timedOut(updated.id)]);
      } catch (err) {
        // One unreachable customer must not stop the sweep nor the position updates of the others.
        settings.logger.warn('handoff.timeout_notice_failed', { caseId: updated.id, error: errorName(err) });
      }
    }
    if (firstMoved !== undefined) this.announcer.from(firstMoved);
    if (now - this.purgedAt >= PURGE_EVERY_MS) {
      this.purgedAt = now;
      this.core.background(
        store.purgeExpired().then((removed) => {
          if (removed) settings.logger.info('handoff.purged_expired', { removed });
        }),
      );
    }
    return timedOut;
  }

  /** The case timed out, or `undefined` when another instance (or an agent's claim) moved it first. */
  private async timeOut(c: HandoffCase, at: Date): Promise<HandoffCase | undefined> {
    try {
      // Only from the version we read: another instance that timed it out (or an agent who claimed it) wins.
      return await this.core.store.update(c.id, (current) => transition(current, 'timed_out', { by: 'system', note: 'waited too long', at }), {
        expectedVersion: c.version,
      });
    } catch {
      return undefined;
    }
  }
}
