import { randomBytes } from 'node:crypto';
import type { ConversationState } from 'botbuilder';
import type { TrackingProvider, TrackingResult } from '../../dialogs/tracking/trackingProvider';
import { memoryPollLock, ParcelPoller, redisPollLock, type ParcelStatusSource, type PolledStatus } from '../../middleware/proactive/parcelPoller';
import type * as restify from 'restify';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { registerCarrierEventRoutes } from '../carriers/registerCarrierEventRoutes';
import { registerDemoCarrierEventRoute } from '../carriers/registerDemoCarrierEventRoute';
import { createParcelWatching, type ParcelWatching } from '../proactive/parcelWatching';
import type { HandoffService } from '../../middleware/handoff/handoffService';
import type { Messenger } from '../../middleware/handoff/messenger';
import type { TranscriptStore } from '../../middleware/handoff/transcripts/transcriptStore';
import type { CarrierEvent } from '../../middleware/proactive/carrierEvent';
import type { ParcelWatch, WatchStore } from '../../middleware/proactive/parcelWatch';
import { ProactiveCare, type ProactiveOutcome } from '../../middleware/proactive/proactiveCare';
import { parseQuietHours } from '../../middleware/proactive/proactivePlanner';
import { parcelTail } from '../../middleware/proactive/proactiveMessages';
import { MemoryProactiveQueue, type ProactiveQueue } from '../../middleware/proactive/proactiveQueue';
import { BullProactiveQueue } from '../../middleware/proactive/queues/bullProactiveQueue';
import { MemoryWatchStore } from '../../middleware/proactive/stores/memoryWatchStore';
import { RedisWatchStore } from '../../middleware/proactive/stores/redisWatchStore';
import { MemoryReplayCache } from '../../middleware/shared/replayCache';
import { RedisReplayCache } from '../../middleware/shared/redisReplayCache';
import { errorFields } from '../../middleware/shared/logger';
import type { MetricsRegistry } from './metricsRegistry';
import type { WiringContext } from './wiringContext';

/** What {@link wireProactive} needs from the rest of the app. */
export interface ProactiveWiringInput {
  readonly handoff: HandoffService;
  readonly messenger: Messenger;
  readonly transcripts: TranscriptStore;
  readonly conversationState: ConversationState;
  readonly metrics: MetricsRegistry;
  /** The bot's tracking provider: polled for watched parcels when it has no webhooks (`TRACKING_PROVIDER=http`). */
  readonly trackingProvider: TrackingProvider;
}

/** Proactive care as wired. */
export interface ProactiveWiring {
  readonly care: ProactiveCare;
  readonly watches: WatchStore;
  /** The tracking dialog's watcher and the middleware for "stop notifications" / "tell me when it's delivered". */
  readonly watching: ParcelWatching;
  /** Polls watched parcels when the tracking provider has no webhooks (`TRACKING_PROVIDER=http`). */
  readonly poller?: ParcelPoller;
  /** Registers the carrier webhooks (and, with the demo provider, the local demo route). */
  registerRoutes(server: restify.Server, port: () => number): void;
}

const OUTCOMES: readonly ProactiveOutcome[] = [
  'sent', 'deferred', 'skipped_not_wanted', 'skipped_seen', 'skipped_unreachable', 'duplicate', 'capped', 'gone',
  'unreachable', 'throttled', 'retried', 'failed', 'case_opened',
];
const STATUSES = ['info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup', 'attempt_failed', 'delivered', 'delayed', 'exception'];
const CHANNELS = ['msteams', 'slack', 'webchat', 'directline', 'emulator'];

/** What a tracking lookup tells, in the proactive status model (exceptions with their kind; not found: nothing). */
const POLLED: Record<TrackingResult['status'], PolledStatus | undefined> = {
  delivered: { status: 'delivered' },
  in_transit: { status: 'in_transit' },
  out_for_delivery: { status: 'out_for_delivery' },
  delayed: { status: 'delayed' },
  exception_damaged: { status: 'exception', exception: 'damaged' },
  exception_lost: { status: 'exception', exception: 'lost' },
  returned_to_sender: { status: 'exception', exception: 'returned' },
  not_found: undefined,
};

/** The bot's tracking provider as a source of polled news. */
function trackingSource(provider: TrackingProvider): ParcelStatusSource {
  return {
    name: provider.name,
    async status(trackingNumber, carrier, signal) {
      const result = await provider.track(trackingNumber, carrier, { signal });
      const polled = POLLED[result.status];
      if (!polled) return undefined;
      return {
        ...polled,
        ...(result.expectedDelivery ? { expectedDelivery: result.expectedDelivery } : {}),
        ...(result.lastEvent?.time ? { occurredAt: result.lastEvent.time } : {}),
        ...(result.lastEvent?.place ? { place: result.lastEvent.place } : {}),
      };
    },
  };
}

/**
 * Per-conversation send limits that follow the channels' own: Teams about 7 messages a second and 60 per 30 s per
 * conversation, Slack about 1 a second per channel, others 5 a second. Shared through Redis when the app uses it.
 */
function channelLimits(wiring: WiringContext): (watch: ParcelWatch) => Promise<number> {
  const { stores } = wiring;
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
    stores.useRedis
      ? new RateLimiterRedis({ storeClient: stores.redis(), keyPrefix: stores.key(`proactive-rate:${keyPrefix}`), points, duration })
      : new RateLimiterMemory({ keyPrefix, points, duration });
  const limits: Record<string, RateLimiterAbstract[]> = {
    msteams: [make('teams-s', 7, 1), make('teams-30s', 60, 30), make('teams-h', 1800, 3600)],
    slack: [make('slack-s', 1, 1)],
    other: [make('other-s', 5, 1)],
  };
  return async (watch) => {
    let wait = 0;
    for (const limiter of limits[watch.conversation.channel] ?? limits.other) {
      try {
        await limiter.consume(watch.conversation.key);
      } catch (res) {
        if (res instanceof RateLimiterRes) wait = Math.max(wait, res.msBeforeNext);
        else throw res;
      }
    }
    return wait;
  };
}

/**
 * Proactive care on the chosen storage: watches and the queue of messages sent first (memory, or Redis and BullMQ:
 * a deferred message survives a restart and several instances share the work), channel rate limits, cases opened
 * first for upset customers, metrics, and the carrier webhooks.
 */
export function wireProactive(wiring: WiringContext, input: ProactiveWiringInput): ProactiveWiring {
  const { config, stores, lifecycle, logger } = wiring;
  const watches: WatchStore = stores.useRedis ? new RedisWatchStore({ redis: stores.redis(), prefix: stores.key('watch:') }) : new MemoryWatchStore();
  // Deferred and retried sends: durable on Redis (BullMQ) with several instances, in memory for `npm start`.
  const queue: ProactiveQueue = stores.useRedis
    ? new BullProactiveQueue({ connection: stores.redis(), prefix: stores.key('bull'), keepFailedMs: Math.min(7 * 24 * 3600_000, stores.retentionMs), logger })
    : new MemoryProactiveQueue();
  const counter = input.metrics.counter({
    name: 'warmline_proactive_messages_total',
    help: 'Carrier news for watched parcels, by what became of it (sent, deferred by quiet hours, skipped, failed...), status and channel.',
    labels: { outcome: OUTCOMES, status: STATUSES, channel: CHANNELS },
  });
  const care = new ProactiveCare({
    watches,
    queue,
    messenger: input.messenger,
    settings: {
      quietHours: parseQuietHours(config.PROACTIVE_QUIET_HOURS),
      dailyCap: config.PROACTIVE_DAILY_CAP,
      defaultTimeZone: config.DEFAULT_TIME_ZONE,
    },
    logger,
    rateLimit: channelLimits(wiring),
    openCase: async (watch: ParcelWatch, event: CarrierEvent) => {
      try {
        const reference = watch.conversation.reference as { user?: { id?: unknown } };
        const transcript = await input.transcripts.read(watch.conversation.key, 50);
        const opened = await input.handoff.customers.openCase({
          conversation: watch.conversation,
          customer: { id: typeof reference.user?.id === 'string' ? reference.user.id : 'unknown', channel: watch.conversation.channel },
          reason: 'parcel_exception',
          priority: 'high',
          explanation: `carrier reports ${event.exception ?? 'a problem'} on parcel ${parcelTail(watch.trackingNumber)}; the customer was upset earlier -> case opened before they write`,
          intents: [],
          emotions: [],
          language: watch.language,
          transcript,
          collected: { trackingNumber: watch.trackingNumber, parcelStatus: `exception_${event.exception ?? 'other'}`, ...(watch.carrier ? { carrier: watch.carrier } : {}) },
        });
        return opened.case.state === 'queued' || opened.case.state === 'assigned';
      } catch (err) {
        logger.warn('proactive.case_failed', errorFields(err));
        return false;
      }
    },
    onOutcome: (outcome, status, channel) => counter.inc({ outcome, status, channel }),
  });
  lifecycle.onStart(() => care.start());
  lifecycle.onStop('timers', () => queue.stop());
  // A carrier without webhooks (La Poste Suivi v2) is polled for every watched parcel.
  let poller: ParcelPoller | undefined;
  if (config.TRACKING_PROVIDER === 'http' && config.PROACTIVE_POLL_MINUTES > 0) {
    const polling = new ParcelPoller({
      watches,
      source: trackingSource(input.trackingProvider),
      accept: (event) => care.accept(event),
      logger,
      intervalMs: config.PROACTIVE_POLL_MINUTES * 60_000,
      timeoutMs: config.TRACKING_TIMEOUT_MS,
      lock: stores.useRedis ? redisPollLock(stores.redis(), stores.key('poll:')) : memoryPollLock(),
    });
    lifecycle.onStart(() => polling.start());
    lifecycle.onStop('timers', () => polling.stop());
    poller = polling;
  }
  const followUps = input.metrics.counter({
    name: 'warmline_proactive_follow_ups_total',
    help: 'Messages sent first after which the customer wrote within 24 h (contacts avoided = sent - follow-ups), by status and channel.',
    labels: { status: STATUSES, channel: CHANNELS },
  });
  const watching = createParcelWatching({
    watches,
    conversationState: input.conversationState,
    logger,
    onFollowUp: (status, channel) => followUps.inc({ status, channel }),
  });

  return {
    care,
    watches,
    watching,
    ...(poller ? { poller } : {}),
    registerRoutes(server, port) {
      // The local demo signs its own events: a secret made at start when none is configured (never with real carriers).
      const demo = config.TRACKING_PROVIDER === 'demo';
      const afterShipSecret = config.AFTERSHIP_WEBHOOK_SECRET ?? (demo ? randomBytes(24).toString('base64url') : undefined);
      const replayCache = stores.useRedis
        ? new RedisReplayCache({ redis: stores.redis(), keyPrefix: stores.key('carrier-event:') })
        : new MemoryReplayCache({ maxEntries: 100_000 });
      registerCarrierEventRoutes(server, {
        ...(afterShipSecret ? { afterShipSecret } : {}),
        ...(config.EASYPOST_WEBHOOK_SECRET ? { easyPostSecret: config.EASYPOST_WEBHOOK_SECRET } : {}),
        replayCache,
        accept: (event) => care.accept(event),
        logger,
        maxBodyBytes: config.MAX_BODY_BYTES,
      });
      if (demo && afterShipSecret) registerDemoCarrierEventRoute(server, { afterShipSecret, port, logger });
    },
  };
}
