import type { CloudAdapter, ConversationState, Middleware, Storage, UserState } from 'botbuilder';
import type * as restify from 'restify';
import type { Config } from '../../config';
import { DIALOG_STATE_PROPERTY, type CustomerBot } from '../customerBot';
import type { AgentDesk } from '../agentDesk/agentDesk';
import { createWarmlineServer, listen, type Readiness } from './server';
import { silentLogger, type Logger } from '../../middleware/shared/logger';
import type { LocalDirectLine } from '../webchat/registerLocalDirectLine';
import type { TrackingProvider } from '../../dialogs/tracking/trackingProvider';
import { AgentDirectory } from '../../middleware/handoff/agentDirectory';
import type { HandoffService } from '../../middleware/handoff/handoffService';
import type { HandoffStore } from '../../middleware/handoff/stores/handoffStore';
import type { SignalDetector } from '../../middleware/signals/signalDetector';
import type { TranscriptStore } from '../../middleware/handoff/transcripts/transcriptStore';
import type { MetricsRegistry } from './metricsRegistry';
import { instrumentHandoff, turnMetricsMiddleware } from './metrics';
import { wiringContext } from './wiringContext';
import { wireBotState } from './wireStorage';
import { metricsRouteOptions, wireMetrics } from './wireMetrics';
import { wireAdapter } from './wireAdapter';
import { wireHandoff } from './wireHandoff';
import { wireHubs } from './wireHubs';
import { wireTurnPipeline } from './wireTurnPipeline';
import { wireBot, wireTrackingProvider } from './wireBot';
import { wireHousekeeping } from './wireHousekeeping';
import { wireConsole } from './wireConsole';
import { wireWebChat } from './wireWebChat';
import { wireProactive, type ProactiveWiring } from './wireProactive';

/** What a composition root may replace (tests, benchmarks, a developer's own bot). */
export interface WarmlineAppOptions {
  config: Config;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** @defaultValue from `TRACKING_PROVIDER` */
  trackingProvider?: TrackingProvider;
  /** Bot state storage. @defaultValue from `STORAGE` */
  storage?: Storage;
  /** Clock for dialogs. @defaultValue `() => new Date()` */
  now?: () => Date;
  /** Warm recognizers-text models at start-up. @defaultValue true */
  warmRecognizers?: boolean;
  /** The signals piece: a middleware or a bare detector. @defaultValue `SignalsMiddleware` on the built-in detector */
  signals?: Middleware | SignalDetector;
  /** Handoff cases, queue and presence (the caller keeps ownership). @defaultValue from `STORAGE` */
  handoffStore?: HandoffStore;
  /** Redacted transcripts (the caller keeps ownership). @defaultValue from `STORAGE` */
  transcriptStore?: TranscriptStore;
}

/** A built, not yet listening, Warmline bot. */
export interface WarmlineApp {
  readonly config: Config;
  readonly server: restify.Server;
  readonly adapter: CloudAdapter;
  readonly bot: CustomerBot;
  readonly conversationState: ConversationState;
  readonly userState: UserState;
  readonly directLine?: LocalDirectLine;
  /** The handoff orchestrator (agent console, hub connectors). */
  readonly handoff: HandoffService;
  /** The built-in agent desk (Teams, Slack, any channel), also registered as a hub connector. */
  readonly agentDesk: AgentDesk;
  /** Where redacted transcripts are kept. */
  readonly transcripts: TranscriptStore;
  /** This app's metrics, served at `GET /metrics`; add your own with `metrics.counter(...)` and the like. */
  readonly metrics: MetricsRegistry;
  /** Proactive care: watched parcels and the messages sent first about them. */
  readonly proactive: ProactiveWiring;
  /** Listens on `config.PORT` (0 = a free port) and starts warming; resolves with the bound port and base URL. */
  start(): Promise<{ port: number; url: string }>;
  /** Readiness as `GET /readyz` reports it. */
  readiness(): Readiness;
  /** Stops accepting requests, closes streams and storage connections. */
  stop(): Promise<void>;
}

/**
 * Builds the whole Warmline bot from validated configuration: storage, state, middleware, the customer bot,
 * the Bot Framework adapter and the restify server with the web chat page.
 *
 * @remarks Composes the per-feature wiring functions (`wire*.ts` beside this file), each choosing its pieces from
 * configuration; `createWarmlinePlugin` composes the same ones for a developer's own bot. `index.ts` adds only
 * `process.env` and signals.
 * @example
 * const app = createApp({ config: loadConfig(process.env), logger: createLogger() });
 * const { url } = await app.start();
 */
export function createApp(options: WarmlineAppOptions): WarmlineApp {
  const { config } = options;
  const wiring = wiringContext(config, options.logger ?? silentLogger);
  const { lifecycle, logger } = wiring;
  const metrics = wireMetrics(wiring);
  const { storage, conversationState, userState } = wireBotState(wiring.stores, options.storage);
  const agents = AgentDirectory.parse(config.WARMLINE_AGENTS);
  const adapter = wireAdapter(wiring, agents);
  // First in the chain, so the turn's duration and outcome cover every other middleware and the bot.
  adapter.use(turnMetricsMiddleware(metrics));

  // Warm handoff: dedup -> input guard -> hub status -> transcript -> signals -> handoff, on the bot's state.
  const wired = wireHandoff(wiring, { adapter, agents, handoffStore: options.handoffStore, transcriptStore: options.transcriptStore });
  const { handoff, transcripts, agentDesk } = wired;
  lifecycle.onStop('metrics', instrumentHandoff(metrics, handoff));
  const hubs = wireHubs(wiring, wired);
  // Proactive care: its context before the handoff, its words ("stop notifications") after it, so a customer talking
  // to an agent is not intercepted.
  const trackingProvider = options.trackingProvider ?? wireTrackingProvider(wiring, options);
  const proactive = wireProactive(wiring, { handoff, messenger: wired.messenger, transcripts, conversationState, metrics, trackingProvider });
  const pipeline = wireTurnPipeline(wiring, wired, hubs, {
    conversationState,
    signals: options.signals,
    dialogStateProperty: DIALOG_STATE_PROPERTY,
    // CustomerBot's dialogs read declinedOffer and re-ask their waiting question.
    passDeclinedOfferToBot: true,
    beforeWarmline: [proactive.watching.context],
  });
  for (const piece of pipeline) adapter.use(piece);
  adapter.use(proactive.watching.middleware);
  wireHousekeeping(wiring, { handoff, transcripts, storage });

  const bot = wireBot(wiring, { storage, conversationState, userState }, { ...options, trackingProvider, watcher: proactive.watching.watcher });
  const server = createWarmlineServer({
    adapter,
    bot,
    logger,
    maxBodyBytes: config.MAX_BODY_BYTES,
    readiness: lifecycle.readiness,
    metrics: metricsRouteOptions(config, metrics),
  });
  let port = config.PORT;
  hubs.registerRoutes(server);
  proactive.registerRoutes(server, () => port);
  wireConsole(wiring, server, handoff);
  const directLine = wireWebChat(wiring, server, () => port);
  lifecycle.onStop('server', () => new Promise<void>((resolve) => server.close(() => resolve())));

  return {
    config,
    server,
    adapter,
    bot,
    conversationState,
    userState,
    directLine,
    handoff,
    agentDesk,
    transcripts,
    metrics,
    proactive,
    readiness: lifecycle.readiness,
    async start() {
      port = await listen(server, config.PORT, config.HOST);
      lifecycle.start();
      return { port, url: `http://127.0.0.1:${port}` };
    },
    stop: () => lifecycle.stop(),
  };
}
