import { ActivityTypes, RoleTypes, TranscriptLoggerMiddleware, type Activity, type ResourceResponse, type TranscriptLogger, type TurnContext } from 'botbuilder-core';
import type { TranscriptEntry } from '../handoff/handoffCase';
import { conversationKey } from '../handoff/conversationPointer';
import { RedactingTranscriptLogger } from './redactingTranscriptLogger';

/**
 * botbuilder's `TranscriptLoggerMiddleware`, recording redacted lines in one write per turn.
 *
 * @remarks Writes happen after the turn and never delay it. A message the input guard shortened is recorded as
 * shortened: every path works on the same bounded text.
 *
 * With a {@link RedactingTranscriptLogger} (whose `logActivity` is not overridden) it takes a lighter path than
 * botbuilder's: each message becomes its redacted transcript line as it passes (no activity copies, no update or
 * delete hooks, which that logger ignores anyway) and the turn's lines reach the store in one `append` at the end.
 * The lines are the same as botbuilder's middleware would give that logger. Any other `TranscriptLogger` gets
 * botbuilder's behaviour unchanged.
 * @example adapter.use(new InputGuardMiddleware()).use(new TranscriptMiddleware(new RedactingTranscriptLogger(store)));
 */
export class TranscriptMiddleware extends TranscriptLoggerMiddleware {
  private readonly redacting: RedactingTranscriptLogger | undefined;

  constructor(logger: TranscriptLogger) {
    if (!logger) throw new TypeError('TranscriptMiddleware: logger is required');
    super(logger);
    this.redacting =
      logger instanceof RedactingTranscriptLogger && logger.logActivity === RedactingTranscriptLogger.prototype.logActivity ? logger : undefined;
  }

  override async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    if (this.redacting) return this.recordLines(this.redacting, ctx, next);
    return super.onTurn(ctx, next);
  }

  private async recordLines(logger: RedactingTranscriptLogger, ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = ctx.activity;
    if (activity.from && !activity.from.role) activity.from.role = RoleTypes.User; // as botbuilder's middleware does
    const turn: TurnLines = { logger, lines: [], keys: [] };
    ctx.turnState.set(TURN_LINES, turn);
    if (activity.type === ActivityTypes.Message) keep(turn, activity);
    ctx.onSendActivities(keepSent);
    await next();
    // One write per conversation run (every line of a turn normally belongs to the same conversation).
    const { lines, keys } = turn;
    let from = 0;
    for (let i = 1; i <= lines.length; i++) {
      if (i === lines.length || keys[i] !== keys[from]) {
        void logger.appendEntries(keys[from], from === 0 && i === lines.length ? lines : lines.slice(from, i));
        from = i;
      }
    }
  }
}

// The turn's transcript lines so far, kept in turn state for the send hook (one shared hook, no per-turn closures).
interface TurnLines {
  readonly logger: RedactingTranscriptLogger;
  readonly lines: TranscriptEntry[];
  readonly keys: string[];
}
const TURN_LINES = Symbol('warmline.transcriptLines');

function keep(turn: TurnLines, activity: Partial<Activity>): void {
  const line = turn.logger.safeEntry(activity);
  if (line) {
    turn.lines.push(line);
    turn.keys.push(conversationKey(activity));
  }
}

async function keepSent(ctx: TurnContext, activities: Partial<Activity>[], sendNext: () => Promise<ResourceResponse[]>): Promise<ResourceResponse[]> {
  const responses = await sendNext();
  const turn = ctx.turnState.get(TURN_LINES) as TurnLines | undefined;
  if (turn) for (const a of activities) if (a.type === ActivityTypes.Message) keep(turn, a);
  return responses;
}
