import { ActivityTypes, MiddlewareSet, TranscriptLoggerMiddleware, type Middleware, type TranscriptLogger, type TurnContext } from 'botbuilder-core';
import type { ActivityDedupMiddleware } from './activityDedupMiddleware';
import { HandoffMiddleware } from './handoffMiddleware';
import type { InputGuardMiddleware } from './inputGuardMiddleware';
import type { SignalDetector } from './signals/signalDetector';
import { checkTurnOrder, recordTurn, type TurnRecorder } from './warmlineTurn';

/** The pieces of the Warmline pipeline, in the order they run, each also usable alone. */
export interface WarmlineMiddlewareOptions {
  /** First, optional: each activity handled once (`ActivityDedupMiddleware`); writes `duplicate`. */
  readonly dedup?: ActivityDedupMiddleware;
  /** Optional: the length limit on a message's text (`InputGuardMiddleware`); writes `textShortened`. */
  readonly inputGuard?: InputGuardMiddleware;
  /** 1. Transcript: a middleware, or a `TranscriptLogger` (wrapped in botbuilder's `TranscriptLoggerMiddleware`). */
  readonly transcript: Middleware | TranscriptLogger;
  /**
   * 2. Signals: the `SignalsMiddleware` (preferred: it keeps the trajectory), or a bare `SignalDetector`, wrapped in a
   * minimal middleware that stores each message's signals without a trajectory.
   */
  readonly signals: Middleware | SignalDetector;
  /** 3. Handoff; reads `textShortened` and `signals`. */
  readonly handoff: HandoffMiddleware;
  /** With a bare detector: messages for which no signals are computed (agents'). Default none skipped. */
  readonly skipSignals?: (ctx: TurnContext) => boolean;
}

const isMiddleware = (x: unknown): x is Middleware =>
  typeof x === 'function' || (typeof x === 'object' && x !== null && typeof (x as Middleware).onTurn === 'function');
const isLogger = (x: unknown): x is TranscriptLogger => typeof x === 'object' && x !== null && typeof (x as TranscriptLogger).logActivity === 'function';
const isDetector = (x: unknown): x is SignalDetector => typeof x === 'object' && x !== null && typeof (x as SignalDetector).detect === 'function';

/**
 * Builds Warmline's middleware in the documented order: dedup -> input guard -> transcript -> signals -> handoff, as
 * one botbuilder `MiddlewareSet`, checking at build time (not mid-conversation) that every piece is there and that no
 * piece reads a field of the turn record (`WarmlineTurn`) before the piece that writes it.
 *
 * @throws `TypeError` naming the missing or wrong piece, or the field read too early.
 * @example
 * adapter.use(new InputGuardMiddleware()).use(
 *   createWarmlineMiddleware({ transcript: new RedactingTranscriptLogger(transcripts), signals: signalsMiddleware, handoff }),
 * );
 */
export function createWarmlineMiddleware(options: WarmlineMiddlewareOptions): MiddlewareSet {
  if (!options) throw new TypeError('createWarmlineMiddleware: options are required');
  const { transcript, signals, handoff } = options;
  if (!transcript) throw new TypeError('createWarmlineMiddleware: transcript (a middleware or a TranscriptLogger) is required');
  if (!signals) throw new TypeError('createWarmlineMiddleware: signals (the SignalsMiddleware or a SignalDetector) is required');
  if (!handoff) throw new TypeError('createWarmlineMiddleware: handoff (a HandoffMiddleware) is required');
  if (!(handoff instanceof HandoffMiddleware)) throw new TypeError('createWarmlineMiddleware: handoff must be a HandoffMiddleware');

  let transcriptPiece: Middleware;
  if (isMiddleware(transcript)) transcriptPiece = transcript;
  else if (isLogger(transcript)) transcriptPiece = new TranscriptLoggerMiddleware(transcript);
  else throw new TypeError('createWarmlineMiddleware: transcript must be a middleware or a TranscriptLogger');

  let signalsPiece: Middleware;
  if (isMiddleware(signals)) signalsPiece = signals;
  else if (isDetector(signals)) signalsPiece = detectorMiddleware(signals, options.skipSignals ?? (() => false));
  else throw new TypeError('createWarmlineMiddleware: signals must be a middleware or a SignalDetector');

  const pieces = [
    ...(options.dedup ? [{ name: 'dedup', piece: options.dedup }] : []),
    ...(options.inputGuard ? [{ name: 'inputGuard', piece: options.inputGuard }] : []),
    { name: 'transcript', piece: transcriptPiece },
    { name: 'signals', piece: signalsPiece },
    { name: 'handoff', piece: handoff },
  ];
  checkTurnOrder(pieces);
  return new MiddlewareSet(...pieces.map((p) => p.piece as Middleware));
}

// Signals of each customer message, nothing more (no trajectory, fail open): for when only a detector is at hand.
function detectorMiddleware(detector: SignalDetector, skip: (ctx: TurnContext) => boolean): Middleware & TurnRecorder {
  return {
    turnFields: { writes: ['signals'], reads: [] },
    async onTurn(ctx, next) {
      const text = ctx.activity.text;
      if (ctx.activity.type === ActivityTypes.Message && typeof text === 'string' && text.trim() && !skip(ctx)) {
        try {
          recordTurn(ctx, 'signals', Object.freeze(await detector.detect(text, { locale: ctx.activity.locale })));
        } catch {
          // Fail open: without signals the policy lets the bot answer (use SignalsMiddleware for its failure policy).
        }
      }
      await next();
    },
  };
}
