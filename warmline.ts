/**
 * Warmline: Bot Framework v4 plugins for warm customer care.
 *
 * This is the package's public entry (`import { ... } from 'warmline'`). It has no side effects: nothing here reads
 * `process.env` or starts a server (that is `index.ts`, the runnable bot).
 *
 * @packageDocumentation
 */

// Configuration and composition
export { ConfigSchema, ConfigError, loadConfig, type Config } from './config';
export { createApp, type WarmlineApp, type WarmlineAppOptions } from './bots/app/createApp';
export { createWarmlineServer, listen, type WarmlineServerOptions, type Readiness, type TurnHandler } from './bots/app/server';
export { createLogger, silentLogger, errorFields, type Logger, type LoggerOptions, type LogLevel, type LogFields } from './middleware/shared/logger';

// Metrics (Prometheus text format at GET /metrics)
export {
  createMetricsRegistry,
  CollectTimeoutError,
  PROMETHEUS_CONTENT_TYPE,
  OTHER_LABEL_VALUE,
  MAX_HISTOGRAM_BUCKETS,
  COLLECT_ERRORS_METRIC,
  type MetricsRegistry,
  type MetricsRegistryOptions,
  type Counter,
  type CounterChild,
  type CounterOptions,
  type Gauge,
  type GaugeChild,
  type GaugeOptions,
  type Histogram,
  type HistogramChild,
  type HistogramOptions,
  type MetricOptions,
  type LabelValues,
  type LabelAllowList,
  type CollectSetter,
  type IncArgs,
  type ValueArgs,
} from './bots/app/metricsRegistry';
export {
  turnMetricsMiddleware,
  instrumentHandoff,
  registerProcessMetrics,
  checkMetricsAccess,
  isLoopbackAddress,
  metricsRoute,
  METRIC_CHANNELS,
  METRIC_INTENTS,
  METRIC_HANDOFF_REASONS,
  METRIC_PRIORITIES,
  METRIC_HANDOFF_EVENTS,
  TURN_DURATION_BUCKETS,
  type MetricsRequestInfo,
  type MetricsRouteOptions,
} from './bots/app/metrics';

// Turn state and shared conversation facts
export { turnKey, readTurn, writeTurn, type TurnKey } from './middleware/turnStateKeys';
export { CONVERSATION_FACTS_PROPERTY, emptyFacts, type ConversationFacts } from './middleware/handoff/conversationFacts';
export { InputGuardMiddleware, type InputGuardOptions } from './middleware/inputGuardMiddleware';
export { ActivityDedupMiddleware, type ActivityDedupOptions } from './middleware/activityDedupMiddleware';
export { RetryLaterError, isRetryLater } from './middleware/shared/retryLater';

// Signals: types, key and tone helper
export { warmlineTurn, type WarmlineTurn } from './middleware/warmlineTurn';
export {
  hasIntent,
  type Signals,
  type IntentHit,
  type EmotionScore,
  type Evidence,
  type Trajectory,
  type LanguageCode,
  type EmotionName,
  type IntentName,
} from './middleware/signals/signals';
export { acknowledge, isUpset } from './middleware/signals/tone';

// Customer bot, dialogs, rendering
export { CustomerBot, DIALOG_STATE_PROPERTY, type CustomerBotOptions } from './bots/customerBot';
export { MainDialog, MAIN_DIALOG, type MainDialogOptions, type Interruption } from './dialogs/mainDialog';
export {
  ParcelTrackingDialog,
  PARCEL_TRACKING_DIALOG,
  type ParcelTrackingDialogOptions,
  type ParcelTrackingStart,
  type ParcelTrackingOutcome,
} from './dialogs/parcelTrackingDialog';
export { warmRecognizers } from './dialogs/recognizers';
export { MESSAGES, messagesFor, type DialogMessages, type DialogLanguage, type Tone } from './dialogs/messages';
export { understandTurn, UNDERSTANDING, type TurnUnderstanding } from './dialogs/understandTurn';
export { recognizeRequest, type RequestIntent, type RequestRecognition } from './dialogs/requestRecognizer';
export { renderTrackingReply, trackingSummary, ADAPTIVE_CARD_CONTENT_TYPE, type TrackingView } from './dialogs/rendering/renderTrackingReply';
export { renderMode, type RenderMode } from './dialogs/rendering/renderMode';
export { trackingCard, CARD_VERSION, type AdaptiveCardJson } from './dialogs/rendering/trackingCard';

// Parcel tracking domain
export {
  TrackingProviderError,
  type TrackingProvider,
  type TrackingResult,
  type TrackingEvent,
  type TrackingLookupOptions,
  type ParcelStatus,
  type CarrierId,
} from './dialogs/tracking/trackingProvider';
export {
  findTrackingNumbers,
  validateTrackingNumber,
  describeTrackingFormat,
  carrierDisplayName,
  type TrackingNumberMatch,
  type TrackingNumberValidation,
  type ValidTrackingNumber,
  type InvalidTrackingNumber,
} from './dialogs/tracking/carriers';
export { DemoTrackingProvider, DEMO_PARCELS, type DemoParcel, type DemoTrackingProviderOptions } from './dialogs/tracking/demoTrackingProvider';
export { HttpTrackingProvider, type HttpTrackingProviderOptions } from './dialogs/tracking/httpTrackingProvider';

// Local web channel
export { registerLocalDirectLine, type LocalDirectLine, type LocalDirectLineOptions } from './bots/webchat/registerLocalDirectLine';
export { registerWebChatPage, type WebChatPageOptions } from './bots/webchat/registerWebChatPage';
export { registerAzureTokenRoute, type AzureTokenRouteOptions } from './bots/webchat/registerAzureTokenRoute';

// Handoff domain and storage
export {
  draftCase,
  transition,
  canTransition,
  newCaseId,
  IllegalTransitionError,
  type HandoffCase,
  type CaseDraft,
  type CaseState,
  type HandoffReason,
  type CasePriority,
  type CustomerIdentity,
  type AgentIdentity,
  type ConversationPointer,
  type TranscriptEntry,
  type QueuedMessage,
} from './middleware/handoff/handoffCase';
export {
  createHandoffPolicy,
  defaultHandoffPolicy,
  rememberOffer,
  emptyHandoffMemory,
  type HandoffPolicy,
  type HandoffDecision,
  type HandoffPolicyInput,
  type HandoffPolicyOptions,
  type HandoffMemory,
} from './middleware/handoff/handoffPolicy';
export { Redactor, redact, luhnValid, ibanValid, type RedactorOptions, type RedactionRule } from './middleware/handoff/redaction';
export { summarizeCase, type CaseSummary, type CaseSummaryOptions } from './middleware/handoff/caseSummary';
export {
  CaseNotFoundError,
  CaseConflictError,
  OpenCaseExistsError,
  type HandoffStore,
  type ClaimResult,
  type AppendResult,
  type QueueChange,
  type CaseEvent,
  type CaseMessageEvent,
  type LiveAppendResult,
  type GetCaseOptions,
  type UpdateOptions,
} from './middleware/handoff/stores/handoffStore';
export { MemoryHandoffStore, type MemoryHandoffStoreOptions } from './middleware/handoff/stores/memoryHandoffStore';
export { RedisHandoffStore, type RedisHandoffStoreOptions } from './middleware/handoff/stores/redisHandoffStore';
export { estimateWait } from './middleware/handoff/waitEstimate';
export { RedisStorage, ETagConflictError, type RedisStorageOptions } from './middleware/storage/redisStorage';
export { WarmlineCloudAdapter, type ActivityHttpResult } from './bots/app/warmlineCloudAdapter';
export {
  CachingBotFrameworkAuthentication,
  type CachingBotFrameworkAuthenticationOptions,
} from './bots/app/cachingBotFrameworkAuthentication';

// Signals: detector, middleware, extension
export {
  createSignalDetector,
  type SignalDetector,
  type BuiltInSignalDetector,
  type SignalDetectorOptions,
  type DetectOptions,
  type IntentDefinition,
  type LexiconDefinition,
} from './middleware/signals/signalDetector';
export { SignalsMiddleware, TRAJECTORY_PROPERTY, type SignalsMiddlewareOptions } from './middleware/signalsMiddleware';
export {
  composeSignalDetectors,
  type CustomSignalDetector,
  type CustomDetectorContext,
  type DetectorContribution,
  type ComposeSignalDetectorsOptions,
} from './middleware/signals/composeSignalDetectors';
export type { LanguagePack, PatternRule, EmotionLexicon } from './middleware/signals/languagePack';
export { englishPack } from './middleware/signals/lexicons/englishPack';
export { frenchPack } from './middleware/signals/lexicons/frenchPack';
export { EMPTY_TRAJECTORY, nextTrajectory } from './middleware/signals/trajectory';

// The middleware set (transcript -> signals -> handoff) and transcripts
export { createWarmlineMiddleware, type WarmlineMiddlewareOptions } from './middleware/createWarmlineMiddleware';
export type { TranscriptStore } from './middleware/handoff/transcripts/transcriptStore';
export { MemoryTranscriptStore, type MemoryTranscriptStoreOptions } from './middleware/handoff/transcripts/memoryTranscriptStore';
export { RedisTranscriptStore, type RedisTranscriptStoreOptions } from './middleware/handoff/transcripts/redisTranscriptStore';
export { RedactingTranscriptLogger, type RedactingTranscriptLoggerOptions } from './middleware/redactingTranscriptLogger';
export { markTranscriptRole, TRANSCRIPT_ROLE } from './middleware/transcriptRole';

// Handoff orchestration, agent desk, hub connectors
export {
  HandoffService,
  type HandoffServiceOptions,
  type OpenCaseInput,
  type OpenedCase,
  type AgentActionResult,
} from './middleware/handoff/handoffService';
export { HandoffMiddleware, type HandoffMiddlewareOptions, type AgentTurnHandler } from './middleware/handoffMiddleware';
export type { HubConnector, HandoffEvent, AgentDelivery } from './middleware/handoff/hubs/hubConnector';
export { adapterMessenger, type ProactiveMessenger } from './middleware/adapterMessenger';
export { AgentDirectory } from './middleware/handoff/agentDirectory';
export { handoffMessages, type HandoffMessages, type CallbackPreference } from './middleware/handoff/handoffMessages';
export { readCustomerReply, readContact, type CustomerReply, type ContactDetail } from './middleware/handoff/customerReply';
export { conversationKey, pointerFromActivity } from './middleware/handoff/conversationPointer';
export { HANDOFF_STATE_PROPERTY } from './middleware/handoff/handoffConversationState';
export { AgentDesk, type AgentDeskOptions } from './bots/agentDesk/agentDesk';
export { caseCard, caseText } from './bots/agentDesk/agentCards';
export { caseBlocks, SLACK_ACCEPT_ACTION } from './bots/agentDesk/slackCaseBlocks';
export { SlackWebApi, slackChannelOf, type SlackWebApiOptions } from './bots/agentDesk/slackWebApi';
export { BotFrameworkHandoffConnector, type BotFrameworkHandoffConnectorOptions } from './middleware/handoffProtocol/botFrameworkHandoffConnector';
export {
  createHandoffInitiate,
  buildHandoffContext,
  parseHandoffStatus,
  HandoffChannelError,
  type HandoffInitiateValue,
} from './middleware/handoffProtocol/handoffProtocol';
export {
  signHandoffStatus,
  computeHandoffStatusSignature,
  HandoffStatusVerifier,
  HANDOFF_STATUS_TOLERANCE_SECONDS,
  type HandoffStatusVerifierOptions,
  type HandoffStatusClaim,
  type SignedHandoffStatusFields,
} from './middleware/handoff/hubs/handoffStatusVerifier';
export {
  applyHubStatus,
  applyHubStatusWithService,
  HUB_STATUS_OPERATIONS,
  type HubStatusUpdate,
} from './middleware/handoff/hubs/hubStatus';
export { WebhookConnector, type WebhookConnectorOptions } from './middleware/handoff/hubs/webhookConnector';
export { registerWebhookStatusRoute, type WebhookStatusRouteOptions } from './bots/hubs/registerWebhookStatusRoute';
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER, EVENT_HEADER } from './middleware/handoff/hubs/webhookSigning';
export type { WebhookPayload } from './middleware/handoff/hubs/webhookPayload';
export type { Outbox } from './middleware/handoff/hubs/outbox';
export { MemoryOutbox } from './middleware/handoff/hubs/memoryOutbox';
export { RedisOutbox, type RedisOutboxOptions } from './middleware/handoff/hubs/redisOutbox';

// Web agent console
export { registerDeskConsole, type DeskConsole, type DeskConsoleOptions } from './bots/console/registerDeskConsole';
export { MemoryDeskSessionStore, deskCredentialDigest, type DeskSession, type DeskSessionStore, type DeskSessionStoreOptions } from './bots/console/deskSessions';
export { RedisDeskSessionStore, type RedisDeskSessionStoreOptions } from './bots/console/redisDeskSessionStore';
export {
  MemoryLockoutStore,
  lockoutMs,
  type LockoutStore,
  type LockoutPolicy,
  type LockoutAttempt,
  type FailureCount,
  type MemoryLockoutStoreOptions,
} from './bots/console/lockoutStore';
export { RedisLockoutStore, type RedisLockoutStoreOptions } from './bots/console/redisLockoutStore';
export { MemoryReplayCache, type ReplayCache, type ReplayBegin, type MemoryReplayCacheOptions } from './middleware/shared/replayCache';
export { RedisReplayCache, type RedisReplayCacheOptions } from './middleware/shared/redisReplayCache';
export type { DeskBackend, DeskEvent, DeskActionResult } from './bots/console/deskBackend';
export { HandoffDeskBackend, caseEventToDesk } from './bots/console/handoffDeskBackend';
export { hashDeskPassword, verifyDeskPassword } from './bots/console/deskPassword';
export { parseDeskAgents, type DeskAgent } from './bots/console/deskAgents';
