import { TranscriptLoggerMiddleware, type TranscriptLogger, type TurnContext } from 'botbuilder-core';
import { ORIGINAL_TEXT } from '../inputGuardMiddleware';
import { readTurn } from '../turnStateKeys';

/**
 * botbuilder's `TranscriptLoggerMiddleware` that records the FULL text of a message the input guard shortened.
 *
 * @remarks `InputGuardMiddleware` (added before it) keeps the full text under `ORIGINAL_TEXT`; botbuilder's middleware
 * copies the incoming activity as it starts, so the full text is put back just for that copy and the shortened text
 * restored before the rest of the pipeline runs. Writes happen after the turn and never delay it.
 * @example adapter.use(new InputGuardMiddleware()).use(new TranscriptMiddleware(new RedactingTranscriptLogger(store)));
 */
export class TranscriptMiddleware extends TranscriptLoggerMiddleware {
  constructor(logger: TranscriptLogger) {
    if (!logger) throw new TypeError('TranscriptMiddleware: logger is required');
    super(logger);
  }

  override async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    const original = readTurn(ctx, ORIGINAL_TEXT);
    if (original === undefined || typeof ctx.activity.text !== 'string') return super.onTurn(ctx, next);
    const shortened = ctx.activity.text;
    ctx.activity.text = original;
    return super.onTurn(ctx, async () => {
      ctx.activity.text = shortened;
      await next();
    });
  }
}
