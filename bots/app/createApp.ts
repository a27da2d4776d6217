import {
  type Middleware,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  UserState,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type Storage,
  type TurnContext,
} from 'botbuilder';
import type * as restify from 'restify';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../../config';
import { CustomerBot, DIALOG_STATE_PROPERTY } from '../customerBot';
import { AgentDesk } from '../agentDesk/agentDesk';
import { SlackWebApi } from '../agentDesk/slackWebApi';
import { createWarmlineServer, listen, type Readiness } from './server';
import { errorFields, silentLogger, type Logger } from '../../middleware/shared/logger';
import { registerLocalDirectLine, type LocalDirectLine } from '../webchat/registerLocalDirectLine';
import { registerWebChatPage } from '../webchat/registerWebChatPage';
import { warmRecognizers } from '../../dialogs/recognizers';
import { DemoTrackingProvider } from '../../dialogs/tracking/demoTrackingProvider';
import { HttpTrackingProvider } from '../../dialogs/tracking/httpTrackingProvider';
import type { TrackingProvider } from '../../dialogs/tracking/trackingProvider';
import { InputGuardMiddleware } from '../../middleware/inputGuardMiddleware';
import { RedisStorage } from '../../middleware/storage/redisStorage';
import { ExpiringMemoryStorage } from '../../middleware/storage/expiringMemoryStorage';
import { CachingBotFrameworkAuthentication } from './cachingBotFrameworkAuthentication';
import { WarmlineCloudAdapter } from './warmlineCloudAdapter';
import { createWarmlineMiddleware } from '../../middleware/createWarmlineMiddleware';
import { AgentDirectory } from '../../middleware/handoff/agentDirectory';
import { HandoffMiddleware } from '../../middleware/handoffMiddleware';
import { HandoffService } from '../../middleware/handoff/handoffService';
import type { HandoffStore } from '../../middleware/handoff/stores/handoffStore';
import { MemoryHandoffStore } from '../../middleware/handoff/stores/memoryHandoffStore';
import { adapterMessenger } from '../../middleware/adapterMessenger';
import { RedisHandoffStore } from '../../middleware/handoff/stores/redisHandoffStore';
import { createSignalDetector, type SignalDetector } from '../../middleware/signals/signalDetector';
import { SignalsMiddleware } from '../../middleware/signalsMiddleware';
import { MemoryTranscriptStore } from '../../middleware/handoff/transcripts/memoryTranscriptStore';
import { RedactingTranscriptLogger } from '../../middleware/redactingTranscriptLogger';
import { RedisTranscriptStore } from '../../middleware/handoff/transcripts/redisTranscriptStore';
import type { TranscriptStore } from '../../middleware/handoff/transcripts/transcriptStore';
import { BotFrameworkHandoffConnector } from '../../middleware/handoffProtocol/botFrameworkHandoffConnector';
import { WebhookConnector } from '../../middleware/handoff/hubs/webhookConnector';
import { MemoryOutbox } from '../../middleware/handoff/hubs/memoryOutbox';
import { RedisOutbox } from '../../middleware/handoff/hubs/redisOutbox';
import { registerWebhookStatusRoute } from '../hubs/registerWebhookStatusRoute';
import { RedisReplayCache } from '../../middleware/shared/redisReplayCache';
import { MemoryReplayCache, type ReplayCache } from '../../middleware/shared/replayCache';
import { ActivityDedupMiddleware } from '../../middleware/activityDedupMiddleware';
import { RetryLaterError, isRetryLater } from '../../middleware/shared/retryLater';
import { isTransientStorageError } from '../../middleware/shared/transientError';
import { applyHubStatusWithService } from '../../middleware/handoff/hubs/hubStatus';
import { registerDeskConsole, type DeskConsole } from '../console/registerDeskConsole';
import { HandoffDeskBackend } from '../console/handoffDeskBackend';
import { parseDeskAgents } from '../console/deskAgents';
import { RedisDeskSessionStore } from '../console/redisDeskSessionStore';
import { RedisLockoutStore } from '../console/redisLockoutStore';
import { createMetricsRegistry, type MetricsRegistry } from './metricsRegistry';
import { instrumentHandoff, isLoopbackHost, registerProcessMetrics, turnMetricsMiddleware } from './metrics';

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
 * @remarks The one place where pieces are chosen from configuration; `index.ts` adds only `process.env` and signals.
 * @example
 * const app = createApp({ config: loadConfig(process.env), logger: createLogger() });
 * const { url } = await app.start();
 */
export function createApp(options: WarmlineAppOptions): WarmlineApp {
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  const closers: Array<() => Promise<unknown>> = [];
  // Long-lived connections (console event streams, Direct Line WebSockets): ended before the server closes, since
  // closing the server waits for every open connection.
  const streamClosers: Array<() => Promise<unknown>> = [];

  // Metrics: names and error classes only in the logs, never what a customer wrote.
  const metrics = createMetricsRegistry({ onCollectError: (metric, err) => logger.warn('metrics.collect_failed', { metric, ...errorFields(err) }) });
  const stopProcessMetrics = registerProcessMetrics(metrics);

  const retentionMs = config.RETENTION_DAYS * 24 * 3600_000;
  let redis: Redis | undefined;
  const sharedRedis = (): Redis => {
    if (!redis) {
      const client = new Redis(config.REDIS_URL as string, redisClientOptions(config));
      client.on('error', (err) => logger.warn('redis.error', errorFields(err)));
      redis = client;
      closers.push(() => client.quit().catch(() => client.disconnect()));
    }
    return redis;
  };

  const storage: Storage =
    options.storage ??
    (config.STORAGE === 'redis'
      ? new RedisStorage({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}state:`, ttlSeconds: retentionMs / 1000 })
      : new ExpiringMemoryStorage({ retentionMs }));
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);

  const trackingProvider: TrackingProvider =
    options.trackingProvider ??
    (config.TRACKING_PROVIDER === 'http'
      ? new HttpTrackingProvider({
          baseUrl: config.TRACKING_API_URL as string,
          apiKey: config.TRACKING_API_KEY as string,
          timeoutMs: config.TRACKING_TIMEOUT_MS,
        })
      : new DemoTrackingProvider(options.now ? { now: options.now } : {}));

  // Every request is still authenticated by botbuilder; the wrapper only reuses the HTTP clients it builds per turn.
  const auth = new CachingBotFrameworkAuthentication(new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
  } as ConfigurationBotFrameworkAuthenticationOptions));
  const adapter = new WarmlineCloudAdapter(auth);

  // Turns that could not keep what they were given: answered 503 with Retry-After so the channel sends the activity
  // again (idempotent on its id), unless this instance already saw it fail that way a few times: then it is final.
  const failedAttempts = new Map<string, number>();
  const agents = AgentDirectory.parse(config.WARMLINE_AGENTS);
  adapter.onTurnError = async (ctx: TurnContext, error: Error) => {
    // Never log the activity's text: ids and the error class are enough to find the turn.
    const fields = { channel: ctx.activity.channelId, activityType: ctx.activity.type, activityId: ctx.activity.id, ...errorFields(error) };
    // A proactive turn (a relay, a notice) has no channel waiting for an answer: its caller must learn that the send
    // failed (the handoff keeps the message and counts an unreachable agent), not have it swallowed here.
    if (ctx.activity.type === 'event' && ctx.activity.name === 'ContinueConversation') throw error;
    // The same activity in progress elsewhere (or on an instance that died, until its claim runs out): only a wait.
    if (isRetryLater(error) && error.reason === 'busy') {
      logger.info('turn.busy_retry_later', fields);
      throw error;
    }
    if (isTransientStorageError(error) && ctx.responded) {
      // The turn had answered before storage failed (a state save at its end): a retry would answer twice, so the
      // channel is answered 200 and this turn's state change is lost (the next turn starts from the one before).
      logger.warn('turn.answered_state_not_kept', fields);
      return;
    }
    if (isTransientStorageError(error)) {
      const key = `${ctx.activity.channelId}/${ctx.activity.conversation?.id}/${ctx.activity.id}`;
      const attempts = (failedAttempts.get(key) ?? 0) + 1;
      failedAttempts.delete(key);
      if (attempts < FINAL_AFTER_ATTEMPTS) {
        failedAttempts.set(key, attempts);
        if (failedAttempts.size > 10_000) failedAttempts.delete(failedAttempts.keys().next().value as string);
        logger.warn('turn.retry_later', fields);
        throw isRetryLater(error) ? error : new RetryLaterError('storage unavailable', { cause: error });
      }
    }
    logger.error('turn.error', fields);
    if (ctx.activity.type !== 'message') return;
    // Each side reads its own words: an agent never gets the customer's apology, nor the other way round.
    const agent = agents.identify(ctx.activity);
    const french = /^fr\b/i.test(ctx.activity.locale ?? '') || (/^fr/i.test(config.DEFAULT_LOCALE) && !ctx.activity.locale);
    const text = agent
      ? 'Your message could not be handled because of a problem on our side, and it was not sent to the customer. Please send it again in a moment.'
      : french
        ? "Désolé, un problème technique de notre côté a empêché votre message d'arriver. Pouvez-vous le renvoyer dans un instant ?"
        : "Sorry, a problem on our side stopped your message from getting through. Please send it again in a moment.";
    try {
      await ctx.sendActivity(text);
    } catch (sendError) {
      logger.warn('turn.error_reply_failed', errorFields(sendError));
    }
  };
  // First in the chain, so the turn's duration and outcome cover every other middleware and the bot.
  adapter.use(turnMetricsMiddleware(metrics));
  // Exactly-once turns on the channel's activity id, across instances with Redis: a retried activity is not handled,
  // stored or relayed twice. The same ledger remembers the relays themselves.
  const useRedis = config.STORAGE === 'redis';
  const ledger: ReplayCache = useRedis
    ? new RedisReplayCache({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}activity:` })
    : new MemoryReplayCache({ maxEntries: 100_000 });
  adapter.use(new ActivityDedupMiddleware({ ledger, keepMs: Math.min(24 * 3600_000, retentionMs) }));
  adapter.use(new InputGuardMiddleware({ maxTextChars: config.MAX_TEXT_CHARS }));

  // Warm handoff: transcript -> signals -> handoff, on the same state and storage choice as the bot.
  const transcripts: TranscriptStore =
    options.transcriptStore ??
    (useRedis
      ? new RedisTranscriptStore({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}transcript:`, ttlSeconds: Math.round(retentionMs / 1000) })
      : new MemoryTranscriptStore({ retentionMs }));
  let handoffStore = options.handoffStore;
  if (!handoffStore) {
    const owned: HandoffStore = useRedis
      ? new RedisHandoffStore({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}handoff:`, retentionMs })
      : new MemoryHandoffStore({ retentionMs });
    closers.unshift(() => owned.dispose());
    handoffStore = owned;
  }
  const messenger = adapterMessenger(adapter, config.MicrosoftAppId ?? '');
  const handoff = new HandoffService({
    store: handoffStore,
    messenger,
    conversationState,
    maxWaitMs: config.HANDOFF_MAX_WAIT_SECONDS * 1000,
    presenceTtlMs: config.AGENT_PRESENCE_TTL_MINUTES * 60_000,
    summaryLanguage: config.HANDOFF_AGENT_LANGUAGE,
    relayLedger: ledger,
    maxTextChars: config.MAX_TEXT_CHARS,
    logger,
  });
  const agentDesk = new AgentDesk({ service: handoff, agents, messenger, slack: new SlackWebApi({ baseUrl: config.SLACK_API_BASE_URL }), logger });
  handoff.addConnector(agentDesk);
  const stopHandoffMetrics = instrumentHandoff(metrics, handoff);

  // Engagement hubs: the Bot Framework handoff protocol (its status middleware must run before the handoff
  // middleware) and a signed webhook with a durable outbox. Several connectors can be active at once.
  let hubProtocol: BotFrameworkHandoffConnector | undefined;
  if (config.HANDOFF_PROTOCOL === 'on') {
    hubProtocol = new BotFrameworkHandoffConnector({
      store: handoffStore,
      messenger,
      service: handoff,
      // With several instances the replay cache is shared, so a replayed status is refused whichever instance it reaches.
      statusVerification: {
        secret: config.HANDOFF_STATUS_SECRET as string,
        ...(useRedis ? { replayCache: new RedisReplayCache({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}replay:handoff-status:` }) } : {}),
      },
      channels: config.HANDOFF_PROTOCOL_CHANNELS.split(',').map((c) => c.trim()),
      ...(config.MicrosoftAppId ? { botId: config.MicrosoftAppId } : {}),
      botName: 'Warmline',
      logger,
    });
    handoff.addConnector(hubProtocol);
    adapter.use(hubProtocol.middleware());
  }
  const webhookSecrets = (config.WEBHOOK_SECRETS ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  let webhook: WebhookConnector | undefined;
  if (config.WEBHOOK_URL) {
    const outbox = useRedis
      ? new RedisOutbox({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}outbox:`, retentionMs })
      : new MemoryOutbox({ retentionMs });
    webhook = new WebhookConnector({ url: config.WEBHOOK_URL, secret: webhookSecrets, outbox, logger });
    handoff.addConnector(webhook);
  }

  const toAgent = (a: { channelId?: string; recipient?: { id?: string } }) => !!a.channelId && !!a.recipient?.id && agents.has(a.channelId, a.recipient.id);
  adapter.use(
    createWarmlineMiddleware({
      transcript: new RedactingTranscriptLogger(transcripts, {
        // Agents' own conversations are not customer transcripts.
        skip: (a) => !!agents.identify(a) || toAgent(a),
        onError: (err) => logger.warn('transcript.write_failed', errorFields(err)),
      }),
      signals:
        options.signals ??
        new SignalsMiddleware(createSignalDetector(), { conversationState, shouldAnalyse: (ctx) => !agents.identify(ctx.activity) }),
      skipSignals: (ctx) => !!agents.identify(ctx.activity),
      handoff: new HandoffMiddleware({
        service: handoff,
        conversationState,
        agents: agentDesk,
        transcripts,
        dialogStateProperty: DIALOG_STATE_PROPERTY,
        defaultLanguage: config.DEFAULT_LOCALE.startsWith('fr') ? 'fr' : 'en',
      }),
    }),
  );
  let sweeper: NodeJS.Timeout | undefined;

  const bot = new CustomerBot(conversationState, userState, trackingProvider, {
    defaultLocale: config.DEFAULT_LOCALE,
    defaultTimeZone: config.DEFAULT_TIME_ZONE,
    lookupTimeoutMs: config.TRACKING_TIMEOUT_MS,
    ...(options.now ? { clock: options.now } : {}),
    logger,
  });

  const checks: Record<string, 'ok' | 'warming' | 'failed'> = { recognizers: 'warming' };
  const readiness = (): Readiness => ({ ready: Object.values(checks).every((c) => c === 'ok'), checks: { ...checks } });

  const server = createWarmlineServer({
    adapter,
    bot,
    logger,
    maxBodyBytes: config.MAX_BODY_BYTES,
    readiness,
    metrics: { registry: metrics, loopbackWithoutToken: isLoopbackHost(config.HOST), ...(config.METRICS_TOKEN ? { token: config.METRICS_TOKEN } : {}) },
  });
  let port = config.PORT;
  const publicBaseUrl = () => config.PUBLIC_URL?.replace(/(?<!\/)\/+$/, '') ?? `http://localhost:${port}`;

  if (webhook) {
    registerWebhookStatusRoute(server, {
      path: config.WEBHOOK_STATUS_PATH,
      secrets: webhookSecrets,
      hub: webhook.name,
      maxBodyBytes: config.MAX_BODY_BYTES,
      logger,
      ...(useRedis ? { replayCache: new RedisReplayCache({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}replay:webhook-status:` }) } : {}),
      // Through the service, so the customer is told when the hub's agent joins or closes.
      onStatus: (update) => applyHubStatusWithService(handoff, handoffStore, update),
    });
  }

  // The web agent console, for agents listed in DESK_AGENTS.
  let desk: DeskConsole | undefined;
  if (config.DESK_AGENTS) {
    const deskBackend = new HandoffDeskBackend(handoff);
    handoff.addConnector(deskBackend.connector);
    const sessionIdleMs = config.DESK_SESSION_IDLE_MINUTES * 60_000;
    const sessionMaxAgeMs = config.DESK_SESSION_MAX_HOURS * 3_600_000;
    desk = registerDeskConsole(server, {
      backend: deskBackend,
      agents: parseDeskAgents(config.DESK_AGENTS),
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
      sessionIdleMs,
      sessionMaxAgeMs,
      maxMessageChars: config.MAX_TEXT_CHARS,
      // With several instances, sessions and lock-out counts are shared: sign in on one, use any; failures add up.
      ...(useRedis
        ? {
            sessionStore: new RedisDeskSessionStore({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}desk:`, idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs }),
            lockoutStore: new RedisLockoutStore({ redis: sharedRedis(), keyPrefix: `${config.REDIS_KEY_PREFIX}desk:lockout:` }),
          }
        : {}),
      trustProxy: config.DESK_TRUST_PROXY === 'true',
      logger,
    });
    const d = desk;
    streamClosers.push(() => d.close());
  }

  let directLine: LocalDirectLine | undefined;
  if (config.WEBCHAT === 'local') {
    directLine = registerLocalDirectLine(server, {
      botEndpoint: () => `http://127.0.0.1:${port}/api/messages`,
      publicBaseUrl,
      connectorBaseUrl: () => `http://127.0.0.1:${port}`,
      maxTextLength: config.MAX_TEXT_CHARS,
      maxBodyBytes: config.MAX_BODY_BYTES,
      logger,
    });
    const dl = directLine;
    streamClosers.push(() => dl.close());
  }
  if (config.WEBCHAT !== 'off') {
    registerWebChatPage(server, {
      mode: config.WEBCHAT,
      directLineSecret: config.DIRECT_LINE_SECRET,
      directLineDomain: config.DIRECT_LINE_DOMAIN,
      defaultLocale: config.DEFAULT_LOCALE,
      logger,
    });
  }

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
    readiness,
    async start() {
      port = await listen(server, config.PORT, config.HOST);
      // Every instance sweeps; the store's check-and-set lets one of them time out each case.
      const every = Math.min(30_000, Math.max(1000, (config.HANDOFF_MAX_WAIT_SECONDS * 1000) / 4));
      sweeper = setInterval(() => {
        handoff.sweep().catch((err: unknown) => logger.warn('handoff.sweep_failed', errorFields(err)));
        // What lives in this process's memory has a retention too (Redis keys expire by themselves).
        if (storage instanceof ExpiringMemoryStorage) void storage.purgeExpired();
        if (transcripts instanceof MemoryTranscriptStore) transcripts.purgeExpired();
      }, every);
      sweeper.unref();
      webhook?.start();
      if (options.warmRecognizers === false) checks.recognizers = 'ok';
      else
        warmRecognizers().then(
          () => (checks.recognizers = 'ok'),
          (err) => {
            checks.recognizers = 'failed';
            logger.error('recognizers.warm_failed', errorFields(err));
          },
        );
      return { port, url: `http://127.0.0.1:${port}` };
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      for (const close of streamClosers) await close().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handoff.idle();
      await webhook?.stop();
      stopHandoffMetrics();
      stopProcessMetrics();
      for (const close of closers) await close().catch(() => undefined);
    },
  };
}

/** A turn that failed this many times on this instance for want of storage gets the customer's "send it again". */
const FINAL_AFTER_ATTEMPTS = 3;

/**
 * The ioredis settings of the shared connection: commands wait through a short outage (the offline queue, for
 * `REDIS_MAX_RETRIES_PER_REQUEST` reconnection attempts 100 ms, 200 ms, 400 ms... apart), none waits longer than
 * `REDIS_COMMAND_TIMEOUT_MS` for an answer, and the client reconnects for ever (at most 2 s apart).
 */
export function redisClientOptions(config: Pick<Config, 'REDIS_COMMAND_TIMEOUT_MS' | 'REDIS_MAX_RETRIES_PER_REQUEST'>): RedisOptions {
  return {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: config.REDIS_MAX_RETRIES_PER_REQUEST,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 5000,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.max(0, times - 1), 2000),
  };
}
