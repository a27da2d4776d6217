/**
 * Warmline: Bot Framework v4 plugins for warm customer care.
 *
 * This is the package's public entry (`import { ... } from 'warmline'`). It has no side effects: nothing here reads
 * `process.env` or starts a server (that is `index.ts`, the runnable bot). The surface is kept small on purpose (at
 * most 60 values; `tests/publicApi.txt` lists every name, so a change to it is deliberate): internals stay inside.
 *
 * @packageDocumentation
 */

// ---- Configuration and composition: the whole app, or Warmline inside your own bot ----
export { loadConfig, ConfigError, type Config } from './config';
export { createApp, type WarmlineApp, type WarmlineAppOptions } from './bots/app/createApp';
export { createWarmlinePlugin, type WarmlinePlugin, type WarmlinePluginOptions, type DemoAgent } from './bots/app/createWarmlinePlugin';
export { createWarmlineServer, type WarmlineServerOptions, type Readiness, type TurnHandler } from './bots/app/server';
export { WarmlineCloudAdapter, type ActivityHttpResult } from './bots/app/warmlineCloudAdapter';
export { createLogger, silentLogger, type Logger, type LoggerOptions, type LogLevel, type LogFields } from './middleware/shared/logger';

// ---- Middleware: botbuilder turn middleware, in pipeline order, and the turn record they write ----
export { createWarmlineMiddleware, type WarmlineMiddlewareOptions } from './middleware/createWarmlineMiddleware';
export { ActivityDedupMiddleware, type ActivityDedupOptions } from './middleware/activityDedupMiddleware';
export { InputGuardMiddleware, type InputGuardOptions } from './middleware/inputGuardMiddleware';
export { RedactingTranscriptLogger, type RedactingTranscriptLoggerOptions } from './middleware/redactingTranscriptLogger';
export { SignalsMiddleware, type SignalsMiddlewareOptions } from './middleware/signalsMiddleware';
export { HandoffMiddleware, type HandoffMiddlewareOptions, type AgentTurnHandler } from './middleware/handoffMiddleware';
export { warmlineTurn, type WarmlineTurn } from './middleware/warmlineTurn';
export { declinedOffer } from './middleware/handoffConversationState';
export { RetryLaterError } from './middleware/shared/retryLater';

// ---- Engines and policies: signals, handoff policy, redaction (no botbuilder) ----
export {
  createSignalDetector,
  type SignalDetector,
  type BuiltInSignalDetector,
  type SignalDetectorOptions,
  type DetectOptions,
  type IntentDefinition,
  type LexiconDefinition,
  type IntentAugmenter,
} from './middleware/signals/signalDetector';
export { createModelAugmenter, type ModelAugmenterOptions } from './middleware/signals/model/createModelAugmenter';
export type { SignalModel, ModelScore, ModelLabel } from './middleware/signals/model/signalModel';
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
export {
  createHandoffPolicy,
  type HandoffPolicy,
  type HandoffDecision,
  type HandoffPolicyInput,
  type HandoffPolicyOptions,
} from './middleware/handoff/handoffPolicy';
export { Redactor, type RedactorOptions, type RedactionRule, type TrackingNumberFinder, type TrackingNumberSpan } from './middleware/handoff/redaction';

// ---- Handoff: the service, the port it speaks through, the agent desk ----
export {
  HandoffService,
  type HandoffServiceOptions,
  type OpenCaseInput,
  type OpenedCase,
  type AgentActionResult,
} from './middleware/handoff/handoffService';
export type { Messenger, OutgoingMessage, SentMessage, SendOptions, MessageAttachment } from './middleware/handoff/messenger';
export { adapterMessenger, type AdapterMessenger } from './middleware/adapterMessenger';
export type {
  HandoffCase,
  CaseState,
  HandoffReason,
  CasePriority,
  CustomerIdentity,
  AgentIdentity,
  ConversationPointer,
  TranscriptEntry,
} from './middleware/handoff/handoffCase';
export { AgentDirectory } from './middleware/handoff/agentDirectory';
export { AgentDesk, type AgentDeskOptions } from './bots/agentDesk/agentDesk';

// ---- Stores: memory for one instance, Redis for several ----
export type { HandoffStore } from './middleware/handoff/stores/handoffStore';
export { MemoryHandoffStore, type MemoryHandoffStoreOptions } from './middleware/handoff/stores/memoryHandoffStore';
export { RedisHandoffStore, type RedisHandoffStoreOptions } from './middleware/handoff/stores/redisHandoffStore';
export type { TranscriptStore } from './middleware/handoff/transcripts/transcriptStore';
export { MemoryTranscriptStore, type MemoryTranscriptStoreOptions } from './middleware/handoff/transcripts/memoryTranscriptStore';
export { RedisTranscriptStore, type RedisTranscriptStoreOptions } from './middleware/handoff/transcripts/redisTranscriptStore';
export { ExpiringMemoryStorage, type ExpiringMemoryStorageOptions } from './middleware/storage/expiringMemoryStorage';
export { RedisStorage, type RedisStorageOptions } from './middleware/storage/redisStorage';
export { MemoryReplayCache, type ReplayCache, type MemoryReplayCacheOptions } from './middleware/shared/replayCache';
export { RedisReplayCache, type RedisReplayCacheOptions } from './middleware/shared/redisReplayCache';

// ---- Hubs: contact-centre platforms that take cases ----
export type { HubConnector, HandoffEvent, AgentDelivery } from './middleware/handoff/hubs/hubConnector';
export { WebhookConnector, type WebhookConnectorOptions } from './middleware/handoff/hubs/webhookConnector';
export type { WebhookPayload } from './middleware/handoff/hubs/webhookPayload';
export { verifyWebhookSignature, type WebhookVerification, type WebhookVerificationOptions } from './middleware/handoff/hubs/webhookSigning';
export type { Outbox } from './middleware/handoff/hubs/outbox';
export { MemoryOutbox } from './middleware/handoff/hubs/memoryOutbox';
export { RedisOutbox, type RedisOutboxOptions } from './middleware/handoff/hubs/redisOutbox';
export {
  BotFrameworkHandoffConnector,
  type BotFrameworkHandoffConnectorOptions,
} from './middleware/handoffProtocol/botFrameworkHandoffConnector';
export { registerWebhookStatusRoute, type WebhookStatusRouteOptions } from './bots/hubs/registerWebhookStatusRoute';

// ---- Agent console and customer web chat (HTTP routes on a restify server) ----
export { registerDeskConsole, type DeskConsole, type DeskConsoleOptions } from './bots/console/registerDeskConsole';
export { HandoffDeskBackend } from './bots/console/handoffDeskBackend';
export type { DeskBackend } from './bots/console/deskBackend';
export { hashDeskPassword } from './bots/console/deskPassword';
export { registerLocalDirectLine, type LocalDirectLine, type LocalDirectLineOptions } from './bots/webchat/registerLocalDirectLine';
export { registerWebChatPage, type WebChatPageOptions } from './bots/webchat/registerWebChatPage';
export { registerAzureTokenRoute, type AzureTokenRouteOptions } from './bots/webchat/registerAzureTokenRoute';

// ---- Bot, dialogs and parcel tracking ----
export { CustomerBot, type CustomerBotOptions } from './bots/customerBot';
export { MainDialog, type MainDialogOptions, type Interruption } from './dialogs/mainDialog';
export { ParcelTrackingDialog, type ParcelTrackingDialogOptions } from './dialogs/parcelTrackingDialog';
export { warmRecognizers } from './dialogs/recognizers';
export {
  TrackingProviderError,
  type TrackingProvider,
  type TrackingResult,
  type TrackingEvent,
  type TrackingLookupOptions,
  type ParcelStatus,
  type CarrierId,
} from './dialogs/tracking/trackingProvider';
export { findTrackingNumbers, type TrackingNumberMatch } from './dialogs/tracking/carriers';
export { DemoTrackingProvider, type DemoTrackingProviderOptions } from './dialogs/tracking/demoTrackingProvider';
export { HttpTrackingProvider, type HttpTrackingProviderOptions } from './dialogs/tracking/httpTrackingProvider';

// ---- Rendering per channel (Adaptive Card, Slack mrkdwn, plain text) ----
export { renderTrackingReply, type TrackingView } from './dialogs/rendering/renderTrackingReply';
