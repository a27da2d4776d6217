import { errorFields } from '../../middleware/shared/logger';
import { CustomerBot } from '../customerBot';
import { warmRecognizers } from '../../dialogs/recognizers';
import { DemoTrackingProvider } from '../../dialogs/tracking/demoTrackingProvider';
import { HttpTrackingProvider } from '../../dialogs/tracking/httpTrackingProvider';
import type { TrackingProvider } from '../../dialogs/tracking/trackingProvider';
import type { ParcelWatcher } from '../../dialogs/parcelTrackingDialog';
import type { WiringContext } from './wiringContext';
import type { BotStateWiring } from './wireStorage';

/** What {@link wireBot} may be given instead of what the configuration chooses. */
export interface BotWiringInput {
  /** @defaultValue from `TRACKING_PROVIDER` */
  readonly trackingProvider?: TrackingProvider;
  /** Clock for dialogs. @defaultValue `() => new Date()` */
  readonly now?: () => Date;
  /** Warm recognizers-text models when the app starts (`GET /readyz` waits for them). @defaultValue true */
  readonly warmRecognizers?: boolean;
  /** Watches each parcel answered (proactive care). @defaultValue none */
  readonly watcher?: ParcelWatcher;
}

/** The tracking provider `TRACKING_PROVIDER` chooses: the embedded demo, or an HTTP API (La Poste Suivi v2). */
export function wireTrackingProvider(wiring: WiringContext, input: { readonly now?: () => Date } = {}): TrackingProvider {
  const { config } = wiring;
  return config.TRACKING_PROVIDER === 'http'
    ? new HttpTrackingProvider({
        baseUrl: config.TRACKING_API_URL as string,
        apiKey: config.TRACKING_API_KEY as string,
        timeoutMs: config.TRACKING_TIMEOUT_MS,
      })
    : new DemoTrackingProvider(input.now ? { now: input.now } : {});
}

/**
 * The customer bot and its dialogs on the bot state, with the tracking provider the configuration chooses.
 *
 * @remarks Registers the `recognizers` readiness check: `warming` until the recognizers-text models are warm (started
 * with the app, so the ~2 s first French parse is never a customer's), `ok` at once with `warmRecognizers: false`.
 */
export function wireBot(wiring: WiringContext, state: BotStateWiring, input: BotWiringInput): CustomerBot {
  const { config, lifecycle, logger } = wiring;
  const trackingProvider = input.trackingProvider ?? wireTrackingProvider(wiring, input);
  lifecycle.check('recognizers', 'warming');
  lifecycle.onStart(() => {
    if (input.warmRecognizers === false) return lifecycle.check('recognizers', 'ok');
    warmRecognizers().then(
      () => lifecycle.check('recognizers', 'ok'),
      (err) => {
        lifecycle.check('recognizers', 'failed');
        logger.error('recognizers.warm_failed', errorFields(err));
      },
    );
  });
  return new CustomerBot(state.conversationState, state.userState, trackingProvider, {
    defaultLocale: config.DEFAULT_LOCALE,
    defaultTimeZone: config.DEFAULT_TIME_ZONE,
    lookupTimeoutMs: config.TRACKING_TIMEOUT_MS,
    ...(input.now ? { clock: input.now } : {}),
    ...(input.watcher ? { watcher: input.watcher } : {}),
    logger,
  });
}
