import { errorName, type HandoffCore } from './handoffCore';
import { handoffMessages } from './handoffMessages';

/**
 * Tells queued customers their new place after the queue changed (a case ahead left, was claimed, or a high-priority
 * case came in ahead), in the background, off the turn that changed it.
 *
 * @remarks Only those whose position really changed since they last heard one are told, each once: the store decides
 * atomically, so several instances announcing at once never repeat themselves.
 */
export class QueueAnnouncer {
  constructor(private readonly core: HandoffCore) {}

  /** Tells the customers behind a case that entered the queue at `position` their new place, if there are any. */
  behind(position: number): void {
    this.core.background(this.announceBehind(position));
  }

  /** Tells queued customers from `position` on their new place. */
  from(position: number): void {
    this.core.background(this.announceFrom(position));
  }

  private async announceBehind(position: number): Promise<void> {
    if (position < (await this.core.store.queueLength())) await this.announceFrom(position + 1);
  }

  // The next `positionUpdates` customers from `fromPosition` on.
  private async announceFrom(fromPosition: number): Promise<void> {
    const core = this.core;
    const changes = await core.store.positionChanges(fromPosition, core.settings.positionUpdates);
    for (const { case: c, position } of changes) {
      try {
        await core.lane(c.conversation.key, () => core.tellCustomer(c, [handoffMessages(c.language).positionUpdate(position)]));
      } catch (err) {
        core.settings.logger.warn('handoff.position_update_failed', { caseId: c.id, error: errorName(err) });
      }
    }
  }
}
