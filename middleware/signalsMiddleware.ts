import { ActivityTypes, type ConversationState, type Middleware, type StatePropertyAccessor, type TurnContext } from 'botbuilder-core';
import { z } from 'zod';
import type { SignalDetector } from './signals/signalDetector';
import type { Signals, Trajectory } from './signals/signals';
import { recordTurn, type TurnFields, type TurnRecorder } from './warmlineTurn';
import { EMPTY_TRAJECTORY } from './signals/trajectory';

/** Conversation-state property that holds the {@link Trajectory} when the middleware creates its own accessor. */
export const TRAJECTORY_PROPERTY = 'warmline.signals.trajectory';

const SignalsMiddlewareOptionsSchema = z.object({
  failTowardHuman: z.boolean().default(true),
  maxTextLength: z.number().int().min(1).default(4000),
});

/** Options of {@link SignalsMiddleware}. */
export interface SignalsMiddlewareOptions {
  /**
   * Conversation state (preferred). The middleware keeps the trajectory under {@link TRAJECTORY_PROPERTY} and saves
   * the state when the turn ends (also when a later piece throws; botbuilder writes it only if it changed).
   */
  readonly conversationState?: ConversationState;
  /** Or an accessor you own; then your bot saves conversation state (the middleware never does). */
  readonly trajectoryAccessor?: StatePropertyAccessor<Trajectory>;
  /** Which messages to analyse; default: every message with text. The handoff layer uses it to skip agents. */
  readonly shouldAnalyse?: (ctx: TurnContext) => boolean;
  /**
   * When detection throws: true (default) adds a `human_request` hit (confidence 0.5, rule `signals.degraded`) so the
   * handoff policy brings a human in rather than let a possibly sensitive message go unread; false gives neutral
   * signals. In both cases the signals carry `degraded: true` and a warning (without text) is logged.
   */
  readonly failTowardHuman?: boolean;
  /** Characters passed to the detector; longer texts are cut. Default 4000. */
  readonly maxTextLength?: number;
  /** Where warnings go (never with customer text). Default `console`. */
  readonly logger?: { warn(message: string): void };
}

const primaryLanguage = (locale: string | undefined): string => {
  const p = (locale ?? '').split(/[-_]/)[0].toLowerCase();
  return p === 'fr' ? 'fr' : 'en';
};

/**
 * Reads each customer message once and stores one frozen {@link Signals} in turn state under {@link SIGNALS};
 * keeps the conversation's {@link Trajectory} in conversation state.
 *
 * @remarks
 * - Only `message` activities with non-empty text are analysed, and only when `shouldAnalyse(ctx)` is true.
 * - State: give `conversationState` (the middleware saves it at the end of the turn), or a `trajectoryAccessor` (your
 *   bot saves). With neither, each message starts a fresh trajectory.
 * - Failure policy: a detector error never fails the turn; see `failTowardHuman`. State read/write errors propagate
 *   to the adapter's `onTurnError`.
 * @example
 * adapter.use(new SignalsMiddleware(createSignalDetector(), { conversationState }));
 * // later, in a dialog: const { signals } = warmlineTurn(ctx);
 */
export class SignalsMiddleware implements Middleware, TurnRecorder {
  /** Writes `signals` in the turn record. */
  readonly turnFields: TurnFields = { writes: ['signals'], reads: [] };

  private readonly accessor: StatePropertyAccessor<Trajectory> | undefined;
  /** The state this middleware saves at the end of the turn (when it was given `conversationState`). */
  private readonly conversationState: ConversationState | undefined;
  private readonly shouldAnalyse: (ctx: TurnContext) => boolean;
  private readonly failTowardHuman: boolean;
  private readonly maxTextLength: number;
  private readonly logger: { warn(message: string): void };

  constructor(
    private readonly detector: SignalDetector,
    options: SignalsMiddlewareOptions = {},
  ) {
    if (!detector || typeof detector.detect !== 'function') throw new TypeError('SignalsMiddleware: detector is required');
    if (options.shouldAnalyse !== undefined && typeof options.shouldAnalyse !== 'function') {
      throw new TypeError('SignalsMiddleware: shouldAnalyse must be a function');
    }
    if (options.conversationState && options.trajectoryAccessor) {
      throw new TypeError('SignalsMiddleware: give conversationState or trajectoryAccessor, not both');
    }
    const parsed = SignalsMiddlewareOptionsSchema.parse({
      failTowardHuman: options.failTowardHuman,
      maxTextLength: options.maxTextLength,
    });
    this.failTowardHuman = parsed.failTowardHuman;
    this.maxTextLength = parsed.maxTextLength;
    this.conversationState = options.conversationState;
    this.accessor = options.trajectoryAccessor ?? options.conversationState?.createProperty<Trajectory>(TRAJECTORY_PROPERTY);
    this.shouldAnalyse = options.shouldAnalyse ?? (() => true);
    this.logger = options.logger ?? console;
  }

  async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = ctx;
    const text = typeof activity.text === 'string' ? activity.text : '';
    if (activity.type !== ActivityTypes.Message || text.trim().length === 0 || !this.shouldAnalyse(ctx)) {
      await next();
      return;
    }
    const previous = this.accessor ? await this.accessor.get(ctx, EMPTY_TRAJECTORY) : undefined;
    const signals = await this.read(text, activity.locale, previous);
    recordTurn(ctx, 'signals', signals);
    if (this.accessor) await this.accessor.set(ctx, { ...signals.trajectory });
    if (!this.conversationState) return next();
    try {
      await next();
    } finally {
      await this.conversationState.saveChanges(ctx, false);
    }
  }

  private async read(full: string, locale: string | undefined, previous: Trajectory | undefined): Promise<Signals> {
    const text = full.length > this.maxTextLength ? full.slice(0, this.maxTextLength) : full;
    try {
      const signals = await this.detector.detect(text, { locale, previous });
      if (!signals || !Array.isArray(signals.intents) || !Array.isArray(signals.emotions) || !signals.trajectory) {
        throw new TypeError('detector returned malformed signals');
      }
      return Object.isFrozen(signals) ? signals : Object.freeze({ ...signals });
    } catch (err) {
      this.logger.warn(`SignalsMiddleware: signal detection failed (${(err as Error)?.name ?? 'Error'}); using degraded signals`);
      return this.degraded(locale, previous);
    }
  }

  private degraded(locale: string | undefined, previous: Trajectory | undefined): Signals {
    const prev = previous ?? EMPTY_TRAJECTORY;
    const intents = this.failTowardHuman
      ? [Object.freeze({ name: 'human_request', confidence: 0.5, evidence: Object.freeze([Object.freeze({ rule: 'signals.degraded', matched: Object.freeze([]) })]) })]
      : [];
    return Object.freeze({
      language: primaryLanguage(locale),
      languageSource: locale ? 'locale' : 'detected',
      sentiment: 0,
      emotions: Object.freeze([]),
      intents: Object.freeze(intents),
      trajectory: Object.freeze({ ...prev, turns: prev.turns + 1 }),
      degraded: true,
    });
  }
}
