import { type ConversationState, type StatePropertyAccessor, type TurnContext } from 'botbuilder-core';
import {
  ComponentDialog,
  Dialog,
  DialogTurnStatus,
  runDialog,
  type DialogContext,
  type DialogState,
  type DialogTurnResult,
} from 'botbuilder-dialogs';
import { CONVERSATION_FACTS_PROPERTY, emptyFacts, type ConversationFacts } from '../middleware/handoff/conversationFacts';
import { declinedOffer } from '../middleware/handoffConversationState';
import { CONVERSATION_PROFILE_PROPERTY, type ConversationProfile } from './conversationProfile';
import { messagesFor } from './messages';
import {
  PARCEL_TRACKING_DEFAULTS,
  PARCEL_TRACKING_DIALOG,
  ParcelTrackingDialog,
  classifyNumberAnswer,
  type ParcelTrackingDialogOptions,
  type ParcelTrackingStart,
} from './parcelTrackingDialog';
import { recognizeDay } from './recognizers';
import { normaliseText } from './requestRecognizer';
import type { TrackingProvider } from './tracking/trackingProvider';
import { understandTurn, type TurnUnderstanding } from './understandTurn';

/** Dialog id of {@link MainDialog}. */
export const MAIN_DIALOG = 'mainDialog';

/** How many normalised requests {@link ConversationFacts.recentRequests} keeps. */
const RECENT_REQUESTS = 10;

/**
 * Something that may take over a message before the active dialog sees it (e.g. "talk to a human").
 *
 * @remarks Called with MainDialog's inner dialog context at the start of every message turn, whether or not a dialog
 * (such as the tracking-number prompt) is waiting. Return a turn result to stop there (`{ status: 'waiting' }` keeps
 * the dialogs as they are; cancelling them first is the interruption's choice), or `undefined` to let the message
 * through.
 * @example
 * const human: Interruption = async (dc, u) =>
 *   /\bhuman\b/.test(u.recognition.normalised) ? (await dc.cancelAllDialogs(), { status: DialogTurnStatus.complete }) : undefined;
 */
export type Interruption = (dc: DialogContext, understanding: TurnUnderstanding) => Promise<DialogTurnResult | undefined>;

/** Options of {@link MainDialog}: those of the tracking dialog plus interruptions. */
export interface MainDialogOptions extends ParcelTrackingDialogOptions {
  /** Checked in order before the built-in help and cancel. Default none. */
  readonly interruptions: readonly Interruption[];
}

/** The route answered the message itself: nothing left on the inner stack. */
const done = (): DialogTurnResult => ({ status: DialogTurnStatus.complete });

/** Words that make "I don't have it" about a tracking number when no question was asked. */
const NUMBER_WORDS = /\b(?:number|numbers|numero|tracking|suivi|code)\b/;
const PARCEL_WORDS = /\b(?:colis|parcel|package|order|commande)\b/;
/** Words that make "I don't have it" about receiving the parcel ("I haven't received it", "je ne l'ai pas reçu"). */
const RECEIPT = /\b(?:receive|received|recu|recue|recus|delivered|livre|livree|arrived|arrive)\b/;

/**
 * The root dialog: routes each message (tracking request, follow-up, help, greeting, thanks) to the right answer or
 * to {@link ParcelTrackingDialog}, handles help and cancel as interruptions from inside any step, and keeps the
 * conversation's {@link ConversationFacts} (consecutive misunderstandings, recent requests).
 *
 * @remarks Follow-ups ("and when will it arrive?", "et il arrive quand ?") reuse the parcel already given in the
 * conversation: the customer is never asked again for what they already said. A mistyped tracking number or "I don't
 * have it" gets the same help here as at the number prompt (the format expected; the e-mail path). A "no" to the
 * handoff's offer of a person (`declinedOffer`) re-asks the waiting question once with the dialog's own reprompt.
 * recognizers-text runs only for a follow-up about a day ("will it arrive by Friday?"), behind a digit/day-word gate.
 * @example
 * const dialog = new MainDialog(new DemoTrackingProvider(), conversationState, { defaultLocale: 'fr-FR' });
 * await dialog.run(ctx, conversationState.createProperty('DialogState'));
 */
export class MainDialog extends ComponentDialog {
  private readonly options: MainDialogOptions;
  private readonly facts: StatePropertyAccessor<ConversationFacts>;
  private readonly profile: StatePropertyAccessor<ConversationProfile>;
  private readonly tracking: ParcelTrackingDialog;

  constructor(provider: TrackingProvider, conversationState: ConversationState, options: Partial<MainDialogOptions> = {}) {
    super(MAIN_DIALOG);
    if (!conversationState) throw new TypeError('MainDialog: conversationState is required');
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<MainDialogOptions>;
    this.options = { ...PARCEL_TRACKING_DEFAULTS, interruptions: [], ...defined };
    this.facts = conversationState.createProperty<ConversationFacts>(CONVERSATION_FACTS_PROPERTY);
    this.profile = conversationState.createProperty<ConversationProfile>(CONVERSATION_PROFILE_PROPERTY);
    this.tracking = new ParcelTrackingDialog(provider, conversationState, this.options);
    this.addDialog(this.tracking);
    this.initialDialogId = PARCEL_TRACKING_DIALOG;
  }

  /**
   * Runs the dialog for one turn with botbuilder-dialogs' `runDialog`: continues the active dialog, or begins this
   * one for a new message.
   *
   * @param accessor - Conversation-state property holding the dialog stack.
   */
  async run(ctx: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    await runDialog(this, ctx, accessor);
  }

  /** Reads the current message (once per turn). */
  understand(ctx: TurnContext): Promise<TurnUnderstanding> {
    return understandTurn(ctx, {
      profile: this.profile,
      facts: this.facts,
      defaultLocale: this.options.defaultLocale,
      defaultTimeZone: this.options.defaultTimeZone,
    });
  }

  /** Routes the message that begins this dialog (after the interruptions): an answer, or the tracking dialog. */
  protected override async onBeginDialog(inner: DialogContext, _options?: object): Promise<DialogTurnResult> {
    return (await this.interrupt(inner)) ?? this.route(inner);
  }

  protected override async onContinueDialog(inner: DialogContext): Promise<DialogTurnResult> {
    return (await this.interrupt(inner)) ?? super.onContinueDialog(inner);
  }

  /**
   * The interruption pattern: a declined offer of a person first, then developer interruptions, then help and cancel
   * while a dialog is waiting.
   */
  private async interrupt(inner: DialogContext): Promise<DialogTurnResult | undefined> {
    if (inner.context.activity.type !== 'message') return undefined;
    const u = await this.understand(inner.context);
    // A deadline checked against the tracking belongs to the message that asked: the handoff reads it after this turn.
    const facts = await this.facts.get(inner.context, emptyFacts());
    delete facts.deadline;
    if (declinedOffer(inner.context)) return this.carryOn(inner, u);
    for (const interruption of this.options.interruptions) {
      const result = await interruption(inner, u);
      if (result) return result;
    }
    // With nothing waiting, routeStep answers help and cancel itself.
    if (!inner.activeDialog) return undefined;
    const m = messagesFor(u.customer.language);
    if (u.recognition.intent === 'cancel') {
      await this.noteUnderstood(inner.context, 'cancel');
      await inner.context.sendActivity(m.cancelled);
      await inner.cancelAllDialogs();
      return { status: DialogTurnStatus.cancelled };
    }
    if (u.recognition.intent === 'help') {
      await this.noteUnderstood(inner.context, 'help');
      await inner.context.sendActivity(m.help);
      await inner.repromptDialog();
      return Dialog.EndOfTurn;
    }
    return undefined;
  }

  /**
   * The customer said "no" to the handoff's offer of a person: they carry on exactly where they were. A waiting
   * question is asked again once, with the dialog's own reprompt (the "no" is not an answer to it, not a
   * misunderstanding, not a request); with nothing waiting, the bot asks what it can do.
   */
  private async carryOn(inner: DialogContext, u: TurnUnderstanding): Promise<DialogTurnResult> {
    if (inner.activeDialog) {
      await inner.repromptDialog();
      return Dialog.EndOfTurn;
    }
    await inner.context.sendActivity(messagesFor(u.customer.language).carryOn);
    return done();
  }

  /**
   * Answers the message or begins {@link ParcelTrackingDialog} on the inner stack. Routing happens here rather than
   * in a waterfall step: a waterfall would add a dialog and a DialogContext per step to every turn for nothing.
   */
  private async route(inner: DialogContext): Promise<DialogTurnResult> {
    const start = await this.answerOrTrack(inner.context);
    return start ? inner.beginDialog(PARCEL_TRACKING_DIALOG, start) : done();
  }

  /**
   * Routes a message that begins the dialog: answers it (help, greeting, thanks, not understood...) and returns
   * `undefined`, or notes the request and returns how to begin {@link ParcelTrackingDialog}.
   */
  private async answerOrTrack(ctx: TurnContext): Promise<ParcelTrackingStart | undefined> {
    const u = await this.understand(ctx);
    const m = messagesFor(u.customer.language);
    const { intent, focus } = u.recognition;
    const facts = await this.facts.get(ctx, emptyFacts());
    const known = facts.collected.trackingNumber;

    // Read as the number prompt reads its answers, so a number gets the same help here as there.
    const asNumber = u.numberLike ? classifyNumberAnswer(u) : undefined;
    if (asNumber?.kind === 'valid') {
      // Keyed by parcel: tracking three different parcels is not "the same request three times".
      await this.noteUnderstood(ctx, `${focus ? `followup:${focus}` : 'track'}:${asNumber.trackingNumber}`);
      return {
        trackingNumber: asNumber.trackingNumber,
        carrier: asNumber.carrier,
        focus,
        askedDay: this.askedDay(u),
      };
    }
    if (asNumber?.kind === 'invalid' && (intent === 'track' || intent === 'none' || focus)) {
      // A mistyped number (a wrong check digit, a character too many or missing): say what is expected rather than
      // "I don't understand".
      await this.noteUnderstood(ctx, 'track');
      return { invalidInFirstMessage: true, focus };
    }
    if (intent === 'noNumber' && this.meansNoNumber(u, facts)) {
      await this.noteUnderstood(ctx, 'track:no-number');
      return { noNumber: true };
    }
    const followUpShaped = focus !== undefined && focus !== 'status';
    // "I haven't received it" before any parcel was given asks for one (with a parcel known, it is left to the fallback
    // as before: showing the same status again would not answer it).
    const parcelNotReceived = intent === 'noNumber' && !known;
    if (intent === 'track' || parcelNotReceived || followUpShaped || (focus === 'status' && known && intent === 'none')) {
      await this.noteUnderstood(ctx, `${focus ? `followup:${focus}` : 'track'}${known ? `:${known}` : ''}`);
      if (known) {
        return {
          trackingNumber: known,
          carrier: facts.collected.carrier,
          focus,
          askedDay: this.askedDay(u),
          reuse: true,
        };
      }
      return { focus, askedDay: this.askedDay(u) };
    }
    switch (intent) {
      case 'help':
        await this.noteUnderstood(ctx, 'help');
        await ctx.sendActivity(m.help);
        return undefined;
      case 'cancel':
        await this.noteUnderstood(ctx, 'cancel');
        await ctx.sendActivity(m.nothingToCancel);
        return undefined;
      case 'greeting':
        await this.noteUnderstood(ctx);
        await ctx.sendActivity(m.greeting(u.tone));
        return undefined;
      case 'thanks':
        await this.noteUnderstood(ctx);
        await ctx.sendActivity(m.thanks(u.tone));
        return undefined;
      default: {
        facts.misunderstandings += 1;
        this.noteRequest(facts, u.recognition.normalised ? `text:${maskRequest(u.text)}` : 'empty');
        await ctx.sendActivity(m.notUnderstood(facts.misunderstandings));
        return undefined;
      }
    }
  }

  /**
   * Whether "I don't have it" said outside the number prompt is about the tracking number (then the e-mail path, as
   * in the prompt): when it names the number, or when no parcel has been found in this conversation yet (the bot's
   * own texts tell the customer to say it). "I haven't received it" is about the parcel, not the number.
   */
  private meansNoNumber(u: TurnUnderstanding, facts: ConversationFacts): boolean {
    const { normalised } = u.recognition;
    if (NUMBER_WORDS.test(normalised)) return true;
    if (RECEIPT.test(normalised)) return false;
    if (PARCEL_WORDS.test(normalised)) return true;
    const status = facts.collected.parcelStatus;
    return status === undefined || status === 'not_found';
  }

  /** A day asked about in a follow-up ("by Friday?"); the only place recognizers-text runs on a normal path. */
  private askedDay(u: TurnUnderstanding): string | undefined {
    if (u.recognition.focus !== 'eta') return undefined;
    return recognizeDay(u.text, u.recognition.normalised, u.customer.language, this.options.clock());
  }

  private async noteUnderstood(ctx: TurnContext, request?: string): Promise<void> {
    const facts = await this.facts.get(ctx, emptyFacts());
    facts.misunderstandings = 0;
    if (request) this.noteRequest(facts, request);
  }

  private noteRequest(facts: ConversationFacts, request: string): void {
    facts.recentRequests.push(request);
    if (facts.recentRequests.length > RECENT_REQUESTS) facts.recentRequests.splice(0, facts.recentRequests.length - RECENT_REQUESTS);
  }
}

// A word holding an `@`, looked for from the start of each word only (same matches as `\S+@\S+`, whose every
// start would scan the rest of a long word again).
const EMAIL_LIKE = /(?<!\S)\S+@\S+/g;

/** A normalised request key, short and free of e-mail addresses and long digit runs (card, phone numbers). */
function maskRequest(text: string): string {
  return normaliseText(text.slice(0, 500).replace(EMAIL_LIKE, ' email ').replace(/\d[\d\s.-]{4,}\d/g, ' number ')).slice(0, 80);
}
