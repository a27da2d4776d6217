import { MiddlewareSet, type CloudAdapterBase, type ConversationState, type Middleware } from 'botbuilder';
import type * as restify from 'restify';
import { loadConfig, type Config } from '../../config';
import { silentLogger, type Logger } from '../../middleware/shared/logger';
import { AgentDirectory } from '../../middleware/handoff/agentDirectory';
import type { HandoffService } from '../../middleware/handoff/handoffService';
import type { TranscriptStore } from '../../middleware/handoff/transcripts/transcriptStore';
import type { SignalDetector } from '../../middleware/signals/signalDetector';
import type { AgentDesk } from '../agentDesk/agentDesk';
import { wiringContext } from './wiringContext';
import { wireBotState } from './wireStorage';
import { wireDemoAgent, type DemoAgent } from './wireDemoAgent';
import { wireHandoff } from './wireHandoff';
import { wireHubs } from './wireHubs';
import { wireTurnPipeline } from './wireTurnPipeline';
import { wireHousekeeping } from './wireHousekeeping';
import { wireConsole } from './wireConsole';

export type { DemoAgent } from './wireDemoAgent';

/** Options of {@link createWarmlinePlugin}. */
export interface WarmlinePluginOptions {
  /** Your bot's adapter: relays and notices to customers and agents are sent through it (proactive turns). */
  readonly adapter: CloudAdapterBase;
  /**
   * Your bot's conversation state: give the SAME instance your bot and dialogs use. Warmline keeps its handoff state
   * and the signals' trajectory there and saves it at the end of each turn. @defaultValue a `ConversationState` on
   * Warmline's own storage (`STORAGE`)
   */
  readonly conversationState?: ConversationState;
  /**
   * Settings with the keys, formats and defaults of Warmline's configuration table, e.g. `process.env`: `MicrosoftAppId`
   * (the same app id as your adapter's), `STORAGE` and `REDIS_URL`, `DESK_AGENTS`, `WARMLINE_AGENTS`, `MAX_TEXT_CHARS`,
   * the handoff, hub and retention keys. The web chat keys are ignored (your bot has its own channels). Unknown keys
   * are ignored; a bad value throws a `ConfigError` naming each bad key. @defaultValue `{}`: everything in memory
   */
  readonly settings?: Readonly<Record<string, string | undefined>>;
  /** Conversation-state property of your dialog stack, emptied when a customer is handed to a person. @defaultValue none */
  readonly dialogStateProperty?: string;
  /**
   * Your bot reads `declinedOffer(context)` and carries on after a customer's "no" to the offer of a person (a waiting
   * prompt re-asked); without it, the middleware answers that "no" itself and your bot never sees it. @defaultValue false
   */
  readonly passDeclinedOfferToBot?: boolean;
  /** The signals piece: a middleware or a bare detector. @defaultValue `SignalsMiddleware` on the built-in detector */
  readonly signals?: Middleware | SignalDetector;
  /**
   * With no `DESK_AGENTS` and no `MicrosoftAppId` (local development only): make a `demo` console agent with a
   * one-off password ({@link WarmlinePlugin.demoAgent}). @defaultValue true
   */
  readonly demoAgent?: boolean;
  /** @defaultValue a silent logger */
  readonly logger?: Logger;
}

/** Warmline in your own bot: what {@link createWarmlinePlugin} returns. */
export interface WarmlinePlugin {
  /** The validated settings. */
  readonly config: Config;
  /**
   * Warmline's turn middleware, in order: dedup -> input guard -> hub status -> redacted transcript -> signals ->
   * handoff. `adapter.use(plugin.middleware)` before your own middleware.
   */
  readonly middleware: MiddlewareSet;
  /** The conversation state Warmline uses (yours when given). */
  readonly conversationState: ConversationState;
  /** The handoff orchestrator: cases, queue, relays, hub connectors. */
  readonly handoff: HandoffService;
  /** The built-in agent desk for agents in Teams, Slack or any channel (`WARMLINE_AGENTS`). */
  readonly agentDesk: AgentDesk;
  /** Where redacted transcripts are kept. */
  readonly transcripts: TranscriptStore;
  /** The development console agent, when one was made: show its password to the developer, never log it in production. */
  readonly demoAgent?: DemoAgent;
  /**
   * Adds Warmline's routes to your restify server: the agents' web console at `/desk` (when there are console
   * agents) and the webhook hub's status route (with `WEBHOOK_URL`). The server must parse JSON bodies
   * (`server.use(restify.plugins.bodyParser())`, as botbuilder's samples do).
   */
  registerRoutes(server: restify.Server): void;
  /** Ends console streams, waits for relays in flight, stops timers and closes storage connections Warmline opened. */
  close(): Promise<void>;
}

/**
 * Warmline's signals, redacted transcript, warm handoff and agent desk (Teams, Slack, web console) for your own
 * botbuilder bot, from the same wiring as Warmline's own server, with embedded defaults (memory storage).
 *
 * @remarks Your bot keeps its adapter, server, `onTurnError` and handlers: Warmline adds middleware and routes. While
 * a person owns a conversation the handoff middleware relays the customer's messages and your bot does not run. A
 * turn that could not keep what it was given throws a `RetryLaterError` to your `onTurnError` (rethrow it, or answer
 * 503 with its `Retry-After`, so the channel sends the activity again).
 * @example
 * const warmline = await createWarmlinePlugin({ adapter, conversationState, settings: process.env });
 * adapter.use(warmline.middleware);
 * warmline.registerRoutes(server);
 */
export async function createWarmlinePlugin(options: WarmlinePluginOptions): Promise<WarmlinePlugin> {
  if (!options?.adapter) throw new TypeError('createWarmlinePlugin: adapter is required');
  const settings = loadConfig({ ...options.settings, WEBCHAT: 'off' });
  const { config, demoAgent } = options.demoAgent === false ? { config: settings } : await wireDemoAgent(settings);
  const wiring = wiringContext(config, options.logger ?? silentLogger);
  // Warmline's own bot state (and its retention) only when the bot gives none.
  const own = options.conversationState ? undefined : wireBotState(wiring.stores);
  const conversationState = options.conversationState ?? own!.conversationState;
  const agents = AgentDirectory.parse(config.WARMLINE_AGENTS);
  const wired = wireHandoff(wiring, { adapter: options.adapter, agents });
  const hubs = wireHubs(wiring, wired);
  const { signals, dialogStateProperty, passDeclinedOfferToBot } = options;
  const pipeline = wireTurnPipeline(wiring, wired, hubs, { conversationState, signals, dialogStateProperty, passDeclinedOfferToBot });
  wireHousekeeping(wiring, { handoff: wired.handoff, transcripts: wired.transcripts, storage: own?.storage });
  wiring.lifecycle.start();
  let routed = false;
  return {
    config,
    middleware: new MiddlewareSet(...pipeline),
    conversationState,
    handoff: wired.handoff,
    agentDesk: wired.agentDesk,
    transcripts: wired.transcripts,
    ...(demoAgent ? { demoAgent } : {}),
    registerRoutes(server) {
      if (routed) throw new Error('WarmlinePlugin.registerRoutes: the routes are already registered');
      routed = true;
      hubs.registerRoutes(server);
      wireConsole(wiring, server, wired.handoff);
    },
    close: () => wiring.lifecycle.stop(),
  };
}

