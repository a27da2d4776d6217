import type { Middleware, TurnContext } from 'botbuilder-core';
import { silentLogger, type Logger } from '../shared/logger';
import { conversationKey } from '../handoff/conversationPointer';
import type { HandoffCase } from '../handoff/handoffCase';
import type { HandoffStore } from '../handoff/stores/handoffStore';
import type { AgentDelivery, HandoffEvent, HubConnector } from '../handoff/hubs/hubConnector';
import type { ProactiveMessenger } from '../adapterMessenger';
import type { Redactor } from '../handoff/redaction';
import {
  createHandoffInitiate,
  handoffChannelAllowed,
  isHandoffStatus,
  parseHandoffStatus,
  type HandoffStatusEvent,
} from './handoffProtocol';
import { HandoffStatusVerifier, type HandoffStatusClaim } from '../handoff/hubs/handoffStatusVerifier';
import type { ReplayCache } from '../shared/replayCache';
import { applyHubStatusWithService, type ApplyHubStatusResult, type HubCaseActions, type HubStatusUpdate } from '../handoff/hubs/hubStatus';

/** Options of {@link BotFrameworkHandoffConnector}. */
export interface BotFrameworkHandoffConnectorOptions {
  /** Case store: statuses move cases there. */
  readonly store: HandoffStore;
  /** Proactive sends into the customer's conversation (see `adapterMessenger`). */
  readonly messenger: ProactiveMessenger;
  /**
   * How `handoff.status` events are authenticated.
   *
   * `{ secret }` (recommended, and needed wherever the customer's client can post events, as on Direct Line): every
   * status must carry `value.caseId`, `value.timestamp` (Unix seconds, within `toleranceSeconds`, default 300) and
   * `value.signature = base64url(HMAC-SHA256(secret, "${caseId}.${state}.${timestamp}"))`; each signature is accepted
   * once: it is held as pending while the status is applied (a copy arriving meanwhile is refused as `in_progress`),
   * spent once the case took or refused it, and released when applying it threw (so the hub's resend goes through).
   * The replay cache is per process unless `replayCache` is given: with several instances pass a shared one
   * (`RedisReplayCache`), so a replay reaching another instance is refused too. Nothing derived from the secret is
   * ever sent into the conversation.
   *
   * `'none'`: statuses are trusted as they come. Only for a hub that cannot sign, behind a channel that only the hub
   * can write to; a warning is logged at start.
   */
  readonly statusVerification: { readonly secret: string; readonly toleranceSeconds?: number; readonly replayCache?: ReplayCache } | 'none';
  /** Clock for the signature window, in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * The handoff service's agent side (`service.agents`). When given, `accepted` goes through its `accept` and
   * `completed` / `transferBack` / `endOfConversation` of a case the hub holds through its `close`, so the customer is
   * told (agent joined, back with the bot) and the other connectors get the events. Without it the store is changed
   * directly.
   */
  readonly service?: HubCaseActions;
  /** Connector name (also the agent channel `hub:<name>`). Default `botframework-handoff`. */
  readonly name?: string;
  /** Cases wait for this hub when no desk agent is online ({@link HubConnector.staffed}). @defaultValue true (engagement hubs bring their own agents) */
  readonly staffed?: boolean;
  /** `va_BotId`. Default `warmline`. */
  readonly botId?: string;
  /** `va_BotName`. Default `Warmline`. */
  readonly botName?: string;
  /**
   * Channels whose cases go to the hub (exact channel ids, e.g. `directline`). Teams is never used, even if listed.
   * Default: every channel that accepts handoff events (all but Teams).
   */
  readonly channels?: readonly string[];
  /** Redacts the case sent to the hub and the hub's messages stored on the case. Default: the built-in redactor. */
  readonly redactor?: Redactor;
  /** Default: silent. */
  readonly logger?: Logger;
  /**
   * Called after a status changed a case (not for ignored or refused ones), in the hub's turn: tell the customer an
   * agent joined or that they are back with the bot, and let the handoff service emit its events.
   */
  readonly onStatusApplied?: (result: Extract<ApplyHubStatusResult, { ok: true }>, update: HubStatusUpdate, ctx: TurnContext) => Promise<void>;
}

/** Result of {@link BotFrameworkHandoffConnector.initiate}. */
export type InitiateResult =
  | { readonly sent: true }
  | { readonly sent: false; readonly reason: 'channel_refused' | 'channel_not_configured' };

/** Result of {@link BotFrameworkHandoffConnector.handleStatus}. */
export type StatusHandling =
  | { readonly handled: false }
  | {
      readonly handled: true;
      /**
       * `unauthorized`: no valid, fresh, unseen signature (when verification is on), or a copy of one still being
       * applied; the case is not touched.
       */
      readonly outcome: 'applied' | 'unchanged' | 'no_case' | 'invalid' | 'unauthorized' | 'case_mismatch' | 'not_applicable';
    };

/** What a verified status did to the conversation's case (before the customer is told). */
type StatusDecision =
  | { readonly outcome: 'unchanged' | 'no_case' | 'case_mismatch' | 'not_applicable' }
  | { readonly outcome: 'applied'; readonly result: Extract<ApplyHubStatusResult, { ok: true }>; readonly update: HubStatusUpdate };

/**
 * Hub connector for engagement hubs that speak the Bot Framework handoff protocol (Dynamics 365 Omnichannel,
 * Genesys or any hub adapter written for Copilot Studio's generic handoff), reached through Direct Line.
 *
 * @remarks On a newly queued case it sends `handoff.initiate` into the customer's conversation (proactively, from
 * any instance) with the case in `value` and the redacted transcript attached. Never on Teams: Teams answers 400
 * to handoff events, so those cases are logged and left to the built-in desk. The hub answers with
 * `handoff.status` events on `/api/messages`, each signed by the hub (see
 * {@link BotFrameworkHandoffConnectorOptions.statusVerification} and docs/hubs.md): add
 * {@link BotFrameworkHandoffConnector.middleware} to the adapter (before the handoff middleware) or call
 * {@link BotFrameworkHandoffConnector.handleStatus}. `accepted` assigns the
 * case to the hub's agent, `failed` puts it back in the queue, `timedOut` moves it to the fallback, `completed` and
 * `transferBack` resolve it (the customer is back with the bot), `endOfConversation` ends it.
 * While a hub agent has the case, customer messages reach the hub through the conversation itself, so
 * `deliverToAgent` only claims them (returns true) so no other connector relays them.
 * @example
 * const hub = new BotFrameworkHandoffConnector({ store, messenger: adapterMessenger(adapter, appId),
 *   statusVerification: { secret: config.HANDOFF_STATUS_SECRET }, channels: ['directline'] });
 * adapter.use(hub.middleware());
 */
export class BotFrameworkHandoffConnector implements HubConnector {
  /** Connector name. */
  readonly name: string;
  readonly staffed: boolean;
  private readonly logger: Logger;
  private readonly agentChannel: string;
  private readonly verifier: HandoffStatusVerifier | undefined;

  constructor(private readonly options: BotFrameworkHandoffConnectorOptions) {
    if (!options?.store) throw new TypeError('BotFrameworkHandoffConnector: store is required');
    if (!options.messenger) throw new TypeError('BotFrameworkHandoffConnector: messenger is required');
    const v = options.statusVerification;
    if (v !== 'none' && (!v || typeof v.secret !== 'string' || v.secret.length < 16)) {
      throw new TypeError('BotFrameworkHandoffConnector: statusVerification must be { secret } (16+ characters) or, explicitly, "none"');
    }
    this.name = options.name ?? 'botframework-handoff';
    this.staffed = options.staffed ?? true;
    this.agentChannel = `hub:${this.name}`;
    this.logger = options.logger ?? silentLogger;
    this.verifier =
      v === 'none'
        ? undefined
        : new HandoffStatusVerifier({
            secret: v.secret,
            ...(v.toleranceSeconds !== undefined ? { toleranceSeconds: v.toleranceSeconds } : {}),
            ...(v.replayCache ? { replayCache: v.replayCache } : {}),
            ...(options.now ? { now: options.now } : {}),
          });
    if (v === 'none') {
      this.logger.warn('handoff_protocol.status_unverified', {
        connector: this.name,
        why: 'statusVerification is "none": any client that can post to the conversation can move its case',
      });
    }
  }

  /**
   * Whether this hub will receive the case: its channel accepts handoff events (never Teams) and is one of
   * `channels` when they are set. The handoff service only counts this hub as staffed for such cases, so a customer
   * on another channel with no desk agent online is offered a callback at once instead of waiting for nobody.
   */
  takesCase(c: HandoffCase): boolean {
    return this.channelRefusal(c.conversation.channel) === undefined;
  }

  /** Sends `handoff.initiate` when a case enters the queue for the first time. */
  async onEvent(event: HandoffEvent): Promise<void> {
    if (event.type !== 'queued') return;
    const queuedBefore = event.case.history.filter((h) => h.to === 'queued').length > 1;
    if (queuedBefore) return; // back in the queue (e.g. the hub failed it): the hub already knows the case
    await this.initiate(event.case);
  }

  /** Customer messages of a case this hub's agent holds already reach the hub through the conversation. */
  async deliverToAgent(c: HandoffCase, _message: AgentDelivery): Promise<boolean> {
    return c.state === 'assigned' && c.agent?.channel === this.agentChannel;
  }

  /**
   * Sends `handoff.initiate` for a case: in `ctx` when it is the customer's own turn, else proactively.
   *
   * @returns `{sent: false}` (and a warning in the log) for Teams or a channel not configured.
   */
  async initiate(c: HandoffCase, ctx?: TurnContext): Promise<InitiateResult> {
    const channel = c.conversation.channel;
    const refusal = this.channelRefusal(channel);
    if (refusal === 'channel_refused') {
      this.logger.warn('handoff_protocol.channel_refused', {
        connector: this.name,
        caseId: c.id,
        channel,
        why: 'this channel rejects handoff events (Teams answers 400); the case stays with the other connectors',
      });
      return { sent: false, reason: 'channel_refused' };
    }
    if (refusal === 'channel_not_configured') {
      this.logger.debug('handoff_protocol.channel_skipped', { connector: this.name, caseId: c.id, channel });
      return { sent: false, reason: 'channel_not_configured' };
    }
    const send = async (turn: TurnContext): Promise<void> => {
      await turn.sendActivity(
        createHandoffInitiate(turn, c, {
          ...(this.options.botId ? { botId: this.options.botId } : {}),
          ...(this.options.botName ? { botName: this.options.botName } : {}),
          ...(this.options.redactor ? { redactor: this.options.redactor } : {}),
        }),
      );
    };
    if (ctx && conversationKey(ctx.activity) === c.conversation.key) await send(ctx);
    else await this.options.messenger.continueConversation(c.conversation, send);
    this.logger.info('handoff_protocol.initiated', { connector: this.name, caseId: c.id, channel });
    return { sent: true };
  }

  /** Middleware that consumes `handoff.status` events (the bot does not see them) and passes everything else on. */
  middleware(): Middleware {
    return {
      onTurn: async (ctx: TurnContext, next: () => Promise<void>): Promise<void> => {
        const r = await this.handleStatus(ctx);
        if (!r.handled) await next();
      },
    };
  }

  /**
   * Handles a `handoff.status` event of the turn: validates it, checks its signature when verification is on (before
   * anything else is looked at), checks it belongs to the conversation's open case, and moves the case.
   *
   * @returns `{handled: false}` for any other activity.
   * @throws what reading or moving the case throws (e.g. storage unreachable); the signature is then released, so
   * the same signed status may be sent again.
   */
  async handleStatus(ctx: TurnContext): Promise<StatusHandling> {
    if (!isHandoffStatus(ctx.activity)) return { handled: false };
    const key = conversationKey(ctx.activity);
    const fields = { connector: this.name, channel: ctx.activity.channelId };
    const parsed = parseHandoffStatus(ctx.activity);
    if (!parsed.ok) {
      this.logger.warn('handoff_protocol.status_invalid', { ...fields, error: parsed.error });
      return { handled: true, outcome: 'invalid' };
    }
    const status: HandoffStatusEvent = parsed.status;
    // The signature is held as pending while the status is applied: spent once the outcome is known, released when
    // reading or moving the case throws (e.g. a Redis blip), so that the hub's resend of the same signed event is not
    // refused as a replay.
    let claim: Extract<HandoffStatusClaim, { ok: true }> | undefined;
    if (this.verifier) {
      const check = await this.verifier.claimAsync(status);
      if (!check.ok) {
        this.logger.warn('handoff_protocol.status_unauthorized', { ...fields, reason: check.reason, state: status.state });
        return { handled: true, outcome: 'unauthorized' };
      }
      claim = check;
    }
    let decision: StatusDecision;
    try {
      decision = await this.decide(key, status, fields);
    } catch (err) {
      if (claim) {
        await claim.release().catch((releaseError: unknown) => this.replayCacheFailed(fields, 'release', releaseError));
      }
      throw err;
    }
    if (claim) await claim.complete().catch((completeError: unknown) => this.replayCacheFailed(fields, 'complete', completeError));
    if (decision.outcome !== 'applied') return { handled: true, outcome: decision.outcome };
    await this.options.onStatusApplied?.(decision.result, decision.update, ctx);
    return { handled: true, outcome: 'applied' };
  }

  // Finds the conversation's open case and moves it; every outcome but a thrown error is final for this signature.
  private async decide(key: string, status: HandoffStatusEvent, fields: { connector: string; channel: string }): Promise<StatusDecision> {
    const c = await this.options.store.findOpenByConversation(key);
    if (!c) {
      this.logger.info('handoff_protocol.status_without_case', { ...fields, state: status.state });
      return { outcome: 'no_case' };
    }
    if (status.caseId && status.caseId !== c.id) {
      this.logger.warn('handoff_protocol.status_case_mismatch', { ...fields, caseId: c.id, state: status.state });
      return { outcome: 'case_mismatch' };
    }
    const update: HubStatusUpdate = {
      hub: this.name,
      caseId: c.id,
      state: status.state,
      ...(status.message ? { message: status.message } : {}),
      ...(status.agent ? { agent: status.agent } : {}),
    };
    const result = await this.apply(update);
    this.logger.info('handoff_protocol.status', { ...fields, caseId: c.id, state: status.state, ok: result.ok, reason: result.ok ? undefined : result.reason });
    if (!result.ok) return { outcome: result.reason === 'not_found' ? 'no_case' : 'not_applicable' };
    if (!result.changed) return { outcome: 'unchanged' };
    return { outcome: 'applied', result, update };
  }

  // The status itself is settled either way; a claim left pending is forgotten when its signature leaves the window.
  private replayCacheFailed(fields: { connector: string; channel: string }, step: 'complete' | 'release', err: unknown): void {
    this.logger.warn('handoff_protocol.replay_cache_failed', { ...fields, step, error: err instanceof Error ? err.name : typeof err });
  }

  private channelRefusal(channel: string): 'channel_refused' | 'channel_not_configured' | undefined {
    if (!handoffChannelAllowed(channel)) return 'channel_refused';
    if (this.options.channels && !this.options.channels.includes(channel)) return 'channel_not_configured';
    return undefined;
  }

  // Through the service when it is there (customer told, events emitted), else straight on the store.
  private apply(update: HubStatusUpdate): Promise<ApplyHubStatusResult> {
    return applyHubStatusWithService(this.options.service, this.options.store, update, {
      agentChannel: this.agentChannel,
      ...(this.options.redactor ? { redactor: this.options.redactor } : {}),
    });
  }
}
