// Warmline's server with some pieces switched off, for `bench/pieceCost.ts`: WITHOUT=signals,transcript,... Each
// piece is patched out where it runs (its middleware passes the turn on; the tracking answer becomes a one-line reply),
// so the difference in server CPU per request between two variants is what that piece costs in the running server.
import type { TurnContext } from 'botbuilder';
import { loadConfig } from '../config';
import { createApp, type WarmlineApp } from '../bots/createApp';
import { SignalsMiddleware } from '../middleware/signals/signalsMiddleware';
import { TranscriptMiddleware } from '../middleware/transcript/transcriptMiddleware';
import { HandoffMiddleware } from '../middleware/handoff/handoffMiddleware';
import { InputGuardMiddleware } from '../middleware/inputGuardMiddleware';
import { MainDialog } from '../dialogs/mainDialog';
import { ParcelTrackingDialog, type ParcelTrackingOutcome } from '../dialogs/parcelTrackingDialog';
import type { TurnUnderstanding } from '../dialogs/understandTurn';

/**
 * The pieces that can be switched off, and how. Methods are patched on the prototypes, which the app's objects read at
 * each call, so switching off after `createApp` works.
 */
export const PIECES: Record<string, (app: WarmlineApp) => void> = {
  signals: () => { SignalsMiddleware.prototype.onTurn = passOn; },
  transcript: () => { TranscriptMiddleware.prototype.onTurn = passOn; },
  handoff: () => { HandoffMiddleware.prototype.onTurn = passOn; },
  guard: () => { InputGuardMiddleware.prototype.onTurn = passOn; },
  // The tracking lookup, the card and the facts it records: a one-line reply instead.
  answer: () => {
    ParcelTrackingDialog.prototype.answerKnownNumber = async (ctx: TurnContext): Promise<ParcelTrackingOutcome> => {
      await ctx.sendActivity(`Echo: ${ctx.activity.text}`);
      return { outcome: 'answered' };
    };
  },
  // Everything the dialogs do (understanding, routing, the answer): a one-line reply instead.
  dialogs: () => {
    MainDialog.prototype.run = async (ctx: TurnContext): Promise<void> => {
      await ctx.sendActivity(`Echo: ${ctx.activity.text}`);
    };
    MainDialog.prototype.understand = async () => ({ customer: { language: 'en' } }) as unknown as TurnUnderstanding;
  },
  // CustomerBot's dispatch shortcut: with an empty onDialog handler every turn takes botbuilder's ActivityHandler
  // dispatch (plus that one empty handler).
  shortcut: (app) => {
    app.bot.onDialog((_ctx, next) => next());
  },
};

function passOn(_ctx: TurnContext, next: () => Promise<void>): Promise<void> {
  return next();
}

if (require.main === module) {
  const app = createApp({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'off', LOG_LEVEL: 'warn' }) });
  for (const piece of (process.env.WITHOUT ?? '').split(',').filter(Boolean)) {
    const off = PIECES[piece];
    if (!off) throw new Error(`unknown piece ${piece}; pieces: ${Object.keys(PIECES).join(', ')}`);
    off(app);
  }
  void app.start().then(({ port }) => process.stdout.write(`READY ${port}\n`));
  process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
}
