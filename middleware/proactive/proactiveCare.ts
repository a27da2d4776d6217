/**
 * Proactive care: a carrier's news about a watched parcel becomes a message sent first, in the customer's channel and
 * language, at a decent hour, once, and, for an upset customer whose parcel met an exception, a case opened at once.
 *
 * @remarks Domain only (no botbuilder): watches come from a {@link WatchStore}, messages leave through the handoff's
 * {@link Messenger} port, deferred sends and retries wait in a {@link ProactiveQueue}.
 */
import type { Messenger } from '../handoff/messenger';
import { errorFields, type Logger } from '../shared/logger';
import type { CarrierEvent, ParcelEventStatus } from './carrierEvent';
import { channelRefusal } from './channelRefusal';
import type { ParcelWatch, WatchStore } from './parcelWatch';
import { planProactive, type ProactiveSettings } from './proactivePlanner';
import { proactiveMessage } from './proactiveMessages';
import type { ProactiveJob, ProactiveQueue } from './proactiveQueue';

/** What became of one piece of news for one watch (metrics). */
export type ProactiveOutcome =
  | 'sent'
  | 'deferred'
  | 'skipped_not_wanted'
  | 'skipped_seen'
  | 'skipped_unreachable'
  | 'duplicate'
  | 'capped'
  | 'gone'
  | 'unreachable'
  | 'throttled'
  | 'retried'
  | 'failed'
  | 'case_opened';

/** Options of {@link ProactiveCare}. */
export interface ProactiveCareOptions {
  readonly watches: WatchStore;
  readonly queue: ProactiveQueue;
  readonly messenger: Messenger;
  readonly settings: ProactiveSettings;
  readonly logger: Logger;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly now?: () => number;
  /**
   * Opens a high-priority case for an upset customer whose parcel met an exception, with the conversation's context;
   * resolves true when a case is open for the conversation afterwards. Without it, no case is opened.
   */
  readonly openCase?: (watch: ParcelWatch, event: CarrierEvent) => Promise<boolean>;
  /**
   * Milliseconds to wait before sending into a conversation (the channel's rate limit: Teams about 7 a second and 60
   * per 30 s per conversation, Slack about 1 a second per channel), 0 to send now. @defaultValue never waits
   */
  readonly rateLimit?: (watch: ParcelWatch) => Promise<number>;
  /** Tries of one message before giving up on a transient failure. @defaultValue 5 */
  readonly maxAttempts?: number;
  /** Days a delivered parcel stays watched (for "is this about…?" and late questions). @defaultValue 3 */
  readonly keepDeliveredDays?: number;
  /** Called for each outcome, with the news' status and the conversation's channel (metrics). */
  readonly onOutcome?: (outcome: ProactiveOutcome, status: ParcelEventStatus, channel: string) => void;
}

const DAY_MS = 24 * 60 * 60_000;

/** The proactive care service. Create one per app; call {@link start} once the app runs. */
export class ProactiveCare {
  private readonly now: () => number;
  private readonly maxAttempts: number;

  constructor(private readonly options: ProactiveCareOptions) {
    this.now = options.now ?? Date.now;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Starts sending queued messages. */
  start(): void {
    this.options.queue.start((job) => this.run(job));
  }

  /**
   * Takes one carrier event (already verified and deduplicated by the route): plans a message for every conversation
   * watching the parcel and keeps it in the queue. Resolves once every plan is kept (then the event may be
   * acknowledged); rejects when one could not be kept (the carrier sends the event again; sends already claimed are not
   * repeated).
   */
  async accept(event: CarrierEvent): Promise<void> {
    const { watches, queue, settings } = this.options;
    const now = this.now();
    for (const watch of await watches.forParcel(event.trackingNumber)) {
      if (event.status === 'delivered') await watches.expireAt(watch.id, now + (this.options.keepDeliveredDays ?? 3) * DAY_MS);
      const plan = planProactive(event, watch, now, settings);
      if (plan.action === 'skip') {
        this.outcome(`skipped_${plan.reason}`, event, watch);
        continue;
      }
      let caseOpened = false;
      if (plan.openCase && this.options.openCase) {
        caseOpened = await this.options.openCase(watch, event);
        if (caseOpened) this.outcome('case_opened', event, watch);
      }
      if (plan.deferred) this.outcome('deferred', event, watch);
      await queue.enqueue({ watchId: watch.id, event, day: plan.day, caseOpened, attempt: 0 }, plan.at);
    }
  }

  /** Sends one queued message, once: claims it in the watch store, sends, and handles the channel's refusals. */
  async run(job: ProactiveJob): Promise<void> {
    const { watches, messenger, queue, settings, logger } = this.options;
    const { event } = job;
    const watch = (await watches.forParcel(event.trackingNumber)).find((w) => w.id === job.watchId);
    if (!watch) return this.outcome('gone', event, undefined);
    const wait = this.options.rateLimit ? await this.options.rateLimit(watch) : 0;
    if (wait > 0) {
      await queue.enqueue(job, this.now() + wait);
      return;
    }
    const at = new Date(this.now()).toISOString();
    const claim = await watches.claimSend(watch.id, {
      eventId: event.id,
      status: event.status,
      ...(event.expectedDelivery ? { expected: event.expectedDelivery } : {}),
      day: job.day,
      dailyCap: settings.dailyCap,
      at,
    });
    if (claim !== 'claimed') return this.outcome(claim, event, watch);
    const text = proactiveMessage(event, watch.language, { timeZone: watch.timeZone ?? settings.defaultTimeZone, caseOpened: job.caseOpened });
    try {
      await messenger.send(watch.conversation, [{ text, role: 'bot' }]);
      this.outcome('sent', event, watch);
    } catch (err) {
      const refusal = channelRefusal(err, this.now());
      const fields = { event: event.id, channel: watch.conversation.channel, ...errorFields(err) };
      if (refusal.kind === 'unreachable') {
        await watches.markUnreachable(watch.id);
        logger.warn('proactive.unreachable', { ...fields, status: refusal.status });
        return this.outcome('unreachable', event, watch);
      }
      if (refusal.kind === 'failed' || job.attempt + 1 >= this.maxAttempts) {
        logger.warn('proactive.failed', { ...fields, attempt: job.attempt });
        return this.outcome('failed', event, watch);
      }
      await watches.releaseSend(watch.id, event.id, job.day);
      const delay = refusal.kind === 'throttled' ? refusal.retryAfterMs : Math.min(60_000, 1000 * 2 ** job.attempt);
      await queue.enqueue({ ...job, attempt: job.attempt + 1 }, this.now() + delay);
      this.outcome(refusal.kind === 'throttled' ? 'throttled' : 'retried', event, watch);
    }
  }

  private outcome(outcome: ProactiveOutcome, event: CarrierEvent, watch: ParcelWatch | undefined): void {
    this.options.onOutcome?.(outcome, event.status, watch?.conversation.channel ?? 'unknown');
  }
}
