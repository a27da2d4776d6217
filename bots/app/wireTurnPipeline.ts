import type { ConversationState, Middleware } from 'botbuilder';
import type { Config } from '../../config';
import { errorFields, type Logger } from '../../middleware/shared/logger';
import { ActivityDedupMiddleware } from '../../middleware/activityDedupMiddleware';
import { createWarmlineMiddleware } from '../../middleware/createWarmlineMiddleware';
import { HandoffMiddleware } from '../../middleware/handoffMiddleware';
import { InputGuardMiddleware } from '../../middleware/inputGuardMiddleware';
import { RedactingTranscriptLogger } from '../../middleware/redactingTranscriptLogger';
import { composeSignalDetectors } from '../../middleware/signals/composeSignalDetectors';
import { createOpenAiCompatibleDetector } from '../../middleware/signals/openAiCompatibleDetector';
import { createSignalDetector, type SignalDetector } from '../../middleware/signals/signalDetector';
import { SignalsMiddleware } from '../../middleware/signalsMiddleware';
import type { HandoffWiring } from './wireHandoff';
import type { HubsWiring } from './wireHubs';
import { trackingAwareRedactor } from './trackingAwareRedactor';
import type { WiringContext } from './wiringContext';

/** What {@link wireTurnPipeline} puts in the middleware chain besides the handoff domain. */
export interface TurnPipelineInput {
  /** The bot's conversation state: the SAME instance its dialogs use. */
  readonly conversationState: ConversationState;
  /** The signals piece: a middleware or a bare detector. @defaultValue `SignalsMiddleware` on the built-in detector */
  readonly signals?: Middleware | SignalDetector;
  /** Conversation-state property of the bot's dialog stack, emptied when a customer is handed to a person. */
  readonly dialogStateProperty?: string;
  /** The bot reads `declinedOffer` and carries on after a "no" to a person (see `HandoffMiddlewareOptions`). */
  readonly passDeclinedOfferToBot?: boolean;
  /** Pieces run after the input guard, before the transcript, signals and handoff (proactive care's context). */
  readonly beforeWarmline?: readonly Middleware[];
}

/** Leeway for `composeSignalDetectors` past the LLM detector's own timeout, so the detector's error is the one logged. */
const COMPOSE_LEEWAY_MS = 200;

/**
 * The signals detector: the built-in one, composed with the OpenAI-compatible LLM detector when `SIGNALS_LLM_URL` is
 * set (off by default).
 *
 * @remarks A failed, slow or malformed LLM answer leaves the built-in result for that message (marked `degraded`);
 * the warning names the detector and the error class, never the customer's text. LLM intents count from confidence 0.7.
 */
export function wireSignalsDetector(config: Config, logger: Logger): SignalDetector {
  const builtIn = createSignalDetector();
  if (!config.SIGNALS_LLM_URL || !config.SIGNALS_LLM_API_KEY) return builtIn;
  const llm = createOpenAiCompatibleDetector({
    url: config.SIGNALS_LLM_URL,
    apiKey: config.SIGNALS_LLM_API_KEY,
    ...(config.SIGNALS_LLM_MODEL ? { model: config.SIGNALS_LLM_MODEL } : {}),
    ...(config.SIGNALS_LLM_AUTH ? { auth: config.SIGNALS_LLM_AUTH } : {}),
    timeoutMs: config.SIGNALS_LLM_TIMEOUT_MS,
    maxInputChars: config.SIGNALS_LLM_MAX_CHARS,
  });
  logger.info('signals.llm_detector_on', { host: new URL(config.SIGNALS_LLM_URL).host, timeoutMs: config.SIGNALS_LLM_TIMEOUT_MS });
  return composeSignalDetectors(builtIn, [llm], {
    timeoutMs: config.SIGNALS_LLM_TIMEOUT_MS + COMPOSE_LEEWAY_MS,
    intentThreshold: 0.7,
    logger: { warn: (message) => logger.warn('signals.custom_detector_failed', { detail: message }) },
  });
}

/**
 * Warmline's turn middleware, in order: dedup (each activity handled once) -> input guard (`MAX_TEXT_CHARS`) -> the
 * hub protocol's status events (when on) -> `beforeWarmline` -> transcript (redacted) -> signals -> handoff.
 *
 * @remarks Agents' messages (the agent desk's allow-list) are neither analysed nor kept as customer transcripts.
 */
export function wireTurnPipeline(wiring: WiringContext, wired: HandoffWiring, hubs: HubsWiring, input: TurnPipelineInput): Middleware[] {
  const { config, stores, logger } = wiring;
  const { agents, agentDesk, handoff, transcripts, ledger } = wired;
  const { conversationState } = input;
  const toAgent = (a: { channelId?: string; recipient?: { id?: string } }) => !!a.channelId && !!a.recipient?.id && agents.has(a.channelId, a.recipient.id);
  const warm = createWarmlineMiddleware({
    transcript: new RedactingTranscriptLogger(transcripts, {
      redactor: trackingAwareRedactor,
      // Agents' own conversations are not customer transcripts.
      skip: (a) => !!agents.identify(a) || toAgent(a),
      onError: (err) => logger.warn('transcript.write_failed', errorFields(err)),
    }),
    signals:
      input.signals ??
      new SignalsMiddleware(wireSignalsDetector(config, logger), { conversationState, shouldAnalyse: (ctx) => !agents.identify(ctx.activity) }),
    skipSignals: (ctx) => !!agents.identify(ctx.activity),
    handoff: new HandoffMiddleware({
      service: handoff,
      conversationState,
      agents: agentDesk,
      transcripts,
      redactor: trackingAwareRedactor,
      ...(input.dialogStateProperty ? { dialogStateProperty: input.dialogStateProperty } : {}),
      ...(input.passDeclinedOfferToBot ? { passDeclinedOfferToBot: true } : {}),
      defaultLanguage: config.DEFAULT_LOCALE.startsWith('fr') ? 'fr' : 'en',
    }),
  });
  return [
    new ActivityDedupMiddleware({ ledger, keepMs: Math.min(24 * 3600_000, stores.retentionMs) }),
    new InputGuardMiddleware({ maxTextChars: config.MAX_TEXT_CHARS }),
    ...(hubs.statusMiddleware ? [hubs.statusMiddleware] : []),
    ...(input.beforeWarmline ?? []),
    warm,
  ];
}
