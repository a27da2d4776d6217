import type { Activity, ConversationState, StatePropertyAccessor, TurnContext } from 'botbuilder-core';
import { telemetryTrackDialogView } from 'botbuilder-core';
import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
  type PromptValidatorContext,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { errorFields, silentLogger, type Logger } from '../middleware/shared/logger';
import { renderTrackingReply, type TrackingView } from './rendering/renderTrackingReply';
import { CONVERSATION_FACTS_PROPERTY, emptyFacts, type ConversationFacts, type DeadlineFact } from '../middleware/handoff/conversationFacts';
import { turnKey, readTurn, writeTurn } from '../middleware/turnStateKeys';
import { CONVERSATION_PROFILE_PROPERTY, type ConversationProfile } from './conversationProfile';
import { formatWhen } from './formatWhen';
import { messagesFor, type DialogMessages, type FollowUpKind } from './messages';
import { recognizeEmailAddress } from './recognizers';
import { validateTrackingNumber } from './tracking/carriers';
import {
  TrackingProviderError,
  type CarrierId,
  type TrackingProvider,
  type TrackingResult,
} from './tracking/trackingProvider';
import { understandTurn, type TurnUnderstanding } from './understandTurn';

/** Dialog id of {@link ParcelTrackingDialog}. */
export const PARCEL_TRACKING_DIALOG = 'parcelTrackingDialog';
const TRACKING_WATERFALL = 'parcelTrackingWaterfall';
const NUMBER_PROMPT = 'trackingNumberPrompt';
const EMAIL_PROMPT = 'orderEmailPrompt';

/** How {@link ParcelTrackingDialog} is begun (by `MainDialog`, or by a developer's own dialog). */
export interface ParcelTrackingStart {
  /** A valid number the customer already gave (in the first message, or earlier in the conversation). */
  readonly trackingNumber?: string;
  readonly carrier?: CarrierId;
  /** The question asked about the parcel ("when will it arrive?"), answered in a sentence instead of the card. */
  readonly focus?: FollowUpKind;
  /** A day (`YYYY-MM-DD`) the customer asked about ("by Friday?"). */
  readonly askedDay?: string;
  /** The number comes from earlier in the conversation, not from this message. */
  readonly reuse?: boolean;
  /** The current message holds a number that failed validation: say what is expected and ask again. */
  readonly invalidInFirstMessage?: boolean;
  /** The customer said they have no number: go straight to the e-mail path. */
  readonly noNumber?: boolean;
}

/** What the dialog ends with: the status found, the path taken, or the failure kind. */
export interface ParcelTrackingOutcome {
  readonly outcome: 'answered' | 'provider_error' | 'email_lookup' | 'no_email';
  readonly status?: TrackingResult['status'];
}

/** Options of {@link ParcelTrackingDialog}. */
export interface ParcelTrackingDialogOptions {
  /** Default locale when the customer's is unknown. Default `en-US`. */
  readonly defaultLocale: string;
  /** Default IANA time zone when neither the customer's nor the event's is known. Default `Europe/Paris`. */
  readonly defaultTimeZone: string;
  /** Clock, for "by Friday?" questions. Default: the system clock. */
  readonly clock: () => Date;
  /** Give up on the provider after this many milliseconds. Default 4000 (channels give up at about 15 s). */
  readonly lookupTimeoutMs: number;
  /** Number attempts (invalid or unreadable answers) before the e-mail path is offered. Default 3. */
  readonly maxNumberAttempts: number;
  /** E-mail attempts before the dialog stops asking. Default 2. */
  readonly maxEmailAttempts: number;
  /** Renders a tracking answer for a channel. Default {@link renderTrackingReply}. */
  readonly render: (view: TrackingView, channelId: string | undefined) => Partial<Activity>;
  /** Logger (ids, codes and counts only). Default: silent. */
  readonly logger: Logger;
  /** Watches each parcel answered, so the customer can be told first when it changes. Default: none. */
  readonly watcher?: ParcelWatcher;
}

/** Watches a parcel the customer tracked (proactive care): the bot can then speak first when the carrier's news changes. */
export interface ParcelWatcher {
  /**
   * Watches `result`'s parcel for this turn's conversation and records what the customer was just told. Resolves with
   * a line for the bot to say (that it will tell them here if anything changes: once per parcel and conversation), or
   * undefined. Never rejects.
   */
  watch(ctx: TurnContext, result: TrackingResult, language: string): Promise<string | undefined>;
}

/** Statuses worth watching: news may still come. */
const WATCHABLE: ReadonlySet<TrackingResult['status']> = new Set(['in_transit', 'out_for_delivery', 'delayed', 'exception_damaged', 'exception_lost', 'returned_to_sender']);

/** The defaults of {@link ParcelTrackingDialogOptions}. */
export const PARCEL_TRACKING_DEFAULTS: ParcelTrackingDialogOptions = {
  defaultLocale: 'en-US',
  defaultTimeZone: 'Europe/Paris',
  clock: () => new Date(),
  lookupTimeoutMs: 4000,
  maxNumberAttempts: 3,
  maxEmailAttempts: 2,
  render: renderTrackingReply,
  logger: silentLogger,
};

/** What a customer's answer to "what's the tracking number?" is. */
type NumberAnswer =
  | { readonly kind: 'valid'; readonly trackingNumber: string; readonly carrier?: CarrierId }
  | { readonly kind: 'noNumber' }
  | { readonly kind: 'invalid'; readonly expected: string; readonly typo: boolean }
  | { readonly kind: 'empty' }
  | { readonly kind: 'other' };

const EMAIL_FOUND = turnKey<string>('warmline.dialogs.orderEmail');
const NEEDS_PERSON: ReadonlySet<TrackingResult['status']> = new Set([
  'exception_damaged',
  'exception_lost',
  'returned_to_sender',
  'not_found',
]);

// Raced against a provider's promise: loses to one that is already settled, wins against one still pending.
const NOT_YET: unique symbol = Symbol('warmline.lookupNotYetSettled');
const NOT_SETTLED: Promise<typeof NOT_YET> = Promise.resolve(NOT_YET);

/** At least four digits: the customer was trying to type a number, so the format hint helps. */
const looksLikeNumberAttempt = (text: string): boolean => (text.match(/\d/g)?.length ?? 0) >= 4;

/**
 * Classifies an answer to the number question. Pure and cheap (no recognizers-text).
 *
 * @internal exported for tests.
 */
export function classifyNumberAnswer(u: TurnUnderstanding): NumberAnswer {
  const found = u.numbers.find((m) => m.valid);
  if (found) return { kind: 'valid', trackingNumber: found.normalized, carrier: found.carrier };
  if (u.recognition.intent === 'noNumber') return { kind: 'noNumber' };
  if (!u.text) return { kind: 'empty' };
  const checked = validateTrackingNumber(u.text, { locale: u.customer.locale });
  if (checked.valid) return { kind: 'valid', trackingNumber: checked.normalized, carrier: checked.carrier };
  if (u.numbers.length > 0 || looksLikeNumberAttempt(u.text)) {
    return { kind: 'invalid', expected: checked.expected, typo: checked.reason === 'check_digit' };
  }
  return { kind: 'other' };
}

/**
 * Tracks one parcel: asks for the number when missing (validated; says what format is expected), offers an e-mail
 * path when the customer has no number or after repeated invalid ones (where "I don't have it" ends the question
 * kindly and a valid tracking number is tracked after all), calls the injected {@link TrackingProvider}
 * with a timeout, and answers with the status rendered for the channel, or with a sentence for a follow-up question.
 *
 * @remarks Writes `trackingNumber`, `carrier`, `parcelStatus` (and on the e-mail path `orderEmail`,
 * `lookupRequest`) into the conversation's {@link ConversationFacts}, and `trackingLookup: failed:<kind>` when the
 * provider fails. Uses `TextPrompt`s with its own validators: no recognizers-text on the number path.
 * @example
 * new ParcelTrackingDialog(new DemoTrackingProvider(), conversationState, { defaultLocale: 'fr-FR' });
 */
export class ParcelTrackingDialog extends ComponentDialog<ParcelTrackingStart> {
  private readonly options: ParcelTrackingDialogOptions;
  private readonly facts: StatePropertyAccessor<ConversationFacts>;
  private readonly profile: StatePropertyAccessor<ConversationProfile>;

  constructor(
    private readonly provider: TrackingProvider,
    conversationState: ConversationState,
    options: Partial<ParcelTrackingDialogOptions> = {},
  ) {
    super(PARCEL_TRACKING_DIALOG);
    if (!provider || typeof provider.track !== 'function') throw new TypeError('ParcelTrackingDialog: provider is required');
    if (!conversationState) throw new TypeError('ParcelTrackingDialog: conversationState is required');
    this.options = { ...PARCEL_TRACKING_DEFAULTS, ...definedOnly(options) };
    if (!(this.options.lookupTimeoutMs > 0)) throw new TypeError('ParcelTrackingDialog: lookupTimeoutMs must be > 0');
    if (!(this.options.maxNumberAttempts >= 1)) throw new TypeError('ParcelTrackingDialog: maxNumberAttempts must be >= 1');
    if (!(this.options.maxEmailAttempts >= 1)) throw new TypeError('ParcelTrackingDialog: maxEmailAttempts must be >= 1');
    this.facts = conversationState.createProperty<ConversationFacts>(CONVERSATION_FACTS_PROPERTY);
    this.profile = conversationState.createProperty<ConversationProfile>(CONVERSATION_PROFILE_PROPERTY);

    this.addDialog(new TextPrompt(NUMBER_PROMPT, (pc) => this.numberValidator(pc)))
      .addDialog(new TextPrompt(EMAIL_PROMPT, (pc) => this.emailValidator(pc)))
      .addDialog(
        new WaterfallDialog(TRACKING_WATERFALL, [
          (step) => this.numberStep(step),
          (step) => this.lookupStep(step),
          (step) => this.emailStep(step),
        ]),
      );
    this.initialDialogId = TRACKING_WATERFALL;
  }

  /**
   * Begins tracking. With the number already known (given in the message, or earlier in the conversation) the
   * answer is given at once and the dialog ends in the same turn; otherwise the waterfall asks for the number.
   */
  override async beginDialog(outer: DialogContext, options?: ParcelTrackingStart): Promise<DialogTurnResult> {
    if (!options?.trackingNumber) return super.beginDialog(outer, options);
    telemetryTrackDialogView(this.telemetryClient, this.id);
    const u = await this.understand(outer.context);
    const outcome = await this.answer(outer.context, u, options.trackingNumber, options.carrier, options);
    return outer.endDialog(outcome);
  }

  private understand(ctx: TurnContext): Promise<TurnUnderstanding> {
    return understandTurn(ctx, {
      profile: this.profile,
      facts: this.facts,
      defaultLocale: this.options.defaultLocale,
      defaultTimeZone: this.options.defaultTimeZone,
    });
  }

  private async numberStep(step: WaterfallStepContext<ParcelTrackingStart>): Promise<DialogTurnResult> {
    // A known number never reaches the waterfall (see beginDialog).
    const start = step.options ?? {};
    if (start.noNumber) return step.next({ kind: 'noNumber' } satisfies NumberAnswer);
    const u = await this.understand(step.context);
    const m = messagesFor(u.customer.language);
    let prompt = m.askNumber(u.tone);
    if (start.invalidInFirstMessage) {
      const first = classifyNumberAnswer(u);
      if (first.kind === 'invalid') prompt = m.invalidNumber(first.expected, first.typo);
    }
    return step.prompt(NUMBER_PROMPT, { prompt });
  }

  private async numberValidator(pc: PromptValidatorContext<string>): Promise<boolean> {
    const u = await this.understand(pc.context);
    const answer = classifyNumberAnswer(u);
    const facts = await this.facts.get(pc.context, emptyFacts());
    if (answer.kind === 'valid' || answer.kind === 'noNumber') {
      facts.misunderstandings = 0;
      return true;
    }
    // Never loop: after N failed answers the next step takes the e-mail path.
    if (pc.attemptCount >= this.options.maxNumberAttempts) return true;
    const m = messagesFor(u.customer.language);
    if (answer.kind === 'invalid') {
      await pc.context.sendActivity(m.invalidNumber(answer.expected, answer.typo));
    } else if (answer.kind === 'empty') {
      await pc.context.sendActivity(m.noTextAtPrompt);
    } else {
      facts.misunderstandings += 1;
      await pc.context.sendActivity(m.askNumberAgain);
    }
    return false;
  }

  private async lookupStep(step: WaterfallStepContext<ParcelTrackingStart>): Promise<DialogTurnResult> {
    const u = await this.understand(step.context);
    const m = messagesFor(u.customer.language);
    const answer: NumberAnswer = typeof step.result === 'string' ? classifyNumberAnswer(u) : (step.result as NumberAnswer);
    if (answer.kind === 'valid') {
      const outcome = await this.answer(step.context, u, answer.trackingNumber, answer.carrier, step.options ?? {});
      return step.endDialog(outcome);
    }
    if (answer.kind !== 'noNumber') await step.context.sendActivity(answer.kind === 'invalid' ? m.offerEmailPath : m.offerOtherPath);
    return step.prompt(EMAIL_PROMPT, { prompt: m.askEmail(u.tone) });
  }

  private async emailValidator(pc: PromptValidatorContext<string>): Promise<boolean> {
    const u = await this.understand(pc.context);
    // recognizers-text-sequence, only on this step: the customer was asked for an e-mail address.
    const email = pc.recognized.value ? recognizeEmailAddress(pc.recognized.value, u.customer.language) : undefined;
    if (email) {
      writeTurn(pc.context, EMAIL_FOUND, email);
      return true;
    }
    // Understood here too: "I don't have it" (no address either) and a valid tracking number end the question.
    if (u.recognition.intent === 'noNumber' || (u.numberLike && classifyNumberAnswer(u).kind === 'valid')) return true;
    if (pc.attemptCount >= this.options.maxEmailAttempts) return true;
    await pc.context.sendActivity(messagesFor(u.customer.language).invalidEmail);
    return false;
  }

  private async emailStep(step: WaterfallStepContext<ParcelTrackingStart>): Promise<DialogTurnResult> {
    const u = await this.understand(step.context);
    const m = messagesFor(u.customer.language);
    const facts = await this.facts.get(step.context, emptyFacts());
    const email = readTurn(step.context, EMAIL_FOUND);
    const asNumber = email || !u.numberLike ? undefined : classifyNumberAnswer(u);
    if (asNumber?.kind === 'valid') {
      // The customer found the number after all: track it.
      const outcome = await this.answer(step.context, u, asNumber.trackingNumber, asNumber.carrier, step.options ?? {});
      return step.endDialog(outcome);
    }
    if (email) {
      facts.collected.orderEmail = email;
      facts.collected.lookupRequest = 'order-email';
      facts.misunderstandings = 0;
      await step.context.sendActivity(m.emailLookupNoted(email));
      return step.endDialog({ outcome: 'email_lookup' } satisfies ParcelTrackingOutcome);
    }
    facts.collected.lookupRequest = 'needs-person';
    await step.context.sendActivity(u.recognition.intent === 'noNumber' ? m.noEmail : m.emailPathGaveUp);
    return step.endDialog({ outcome: 'no_email' } satisfies ParcelTrackingOutcome);
  }

  private async answer(
    ctx: TurnContext,
    u: TurnUnderstanding,
    trackingNumber: string,
    carrier: CarrierId | undefined,
    start: ParcelTrackingStart,
  ): Promise<ParcelTrackingOutcome> {
    const m = messagesFor(u.customer.language);
    const facts = await this.facts.get(ctx, emptyFacts());
    facts.collected.trackingNumber = trackingNumber;
    if (carrier) facts.collected.carrier = carrier;

    const result = await this.lookup(trackingNumber, carrier, u.customer.language);
    if (result instanceof TrackingProviderError) {
      facts.collected.trackingLookup = `failed:${result.kind}`;
      await ctx.sendActivity(result.kind === 'timeout' ? m.providerTimeout : m.providerUnavailable);
      return { outcome: 'provider_error' };
    }
    delete facts.collected.trackingLookup;
    facts.collected.parcelStatus = result.status;
    if (result.carrier) facts.collected.carrier = result.carrier;
    if (start.askedDay) facts.deadline = checkDeadline(start.askedDay, result);

    const view = this.view(result, u, m);
    if (start.focus && start.focus !== 'status' && !NEEDS_PERSON.has(result.status)) {
      await ctx.sendActivity(this.followUpText(start.focus, start.askedDay, result, view, u, m));
    } else {
      await ctx.sendActivity(this.options.render(view, ctx.activity.channelId));
      if (start.reuse && !start.focus) await ctx.sendActivity(m.anotherParcelHint);
    }
    const line = this.options.watcher && WATCHABLE.has(result.status) ? await this.options.watcher.watch(ctx, result, u.customer.language) : undefined;
    if (line) await ctx.sendActivity(line);
    return { outcome: 'answered', status: result.status };
  }

  private async lookup(
    trackingNumber: string,
    carrier: CarrierId | undefined,
    language: string,
  ): Promise<TrackingResult | TrackingProviderError> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      const pending = this.provider.track(trackingNumber, carrier, { signal: controller.signal, language });
      // A provider that has already answered (embedded data, a cache hit) needs no deadline, and arming and
      // clearing a timer would cost more than its lookup. An already settled promise wins this race.
      const settled = await Promise.race([pending, NOT_SETTLED]);
      if (settled !== NOT_YET) return settled;
      // Race as well as abort: a provider that ignores the signal must not hold the turn past the deadline.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new TrackingProviderError('tracking lookup timed out', 'timeout'));
        }, this.options.lookupTimeoutMs);
      });
      return await Promise.race([pending, deadline]);
    } catch (err) {
      const failure =
        err instanceof TrackingProviderError
          ? err
          : new TrackingProviderError('tracking lookup failed', err instanceof Error && err.name === 'AbortError' ? 'timeout' : 'unavailable', {
              cause: err,
            });
      this.options.logger.warn('tracking.lookup_failed', { provider: this.provider.name, kind: failure.kind, ...errorFields(err) });
      return failure;
    } finally {
      clearTimeout(timer);
    }
  }

  private view(result: TrackingResult, u: TurnUnderstanding, m: DialogMessages): TrackingView {
    const zone = u.customer.timeZone ?? result.lastEvent?.timeZone ?? u.customer.fallbackTimeZone;
    const at = (iso: string | undefined, withTime: boolean) =>
      formatWhen(iso, { locale: u.customer.locale, timeZone: zone, withTime });
    const lastEvent = result.lastEvent
      ? m.labels.placeAndTime(result.lastEvent.place, at(result.lastEvent.time, true)) || undefined
      : undefined;
    return {
      language: u.customer.language,
      status: result.status,
      headline: m.statusHeadline(result.status, u.tone),
      advice: m.statusAdvice(result.status),
      statusName: m.statusName(result.status),
      carrierName: m.carrierName(result.carrier),
      trackingNumber: result.trackingNumber,
      lastEvent,
      expectedDelivery: result.status === 'delivered' ? undefined : at(result.expectedDelivery, false),
      deliveredAt: result.status === 'delivered' ? at(result.deliveredAt ?? result.lastEvent?.time, true) : undefined,
      labels: m.labels,
    };
  }

  private followUpText(
    focus: Exclude<FollowUpKind, 'status'>,
    askedDay: string | undefined,
    result: TrackingResult,
    view: TrackingView,
    u: TurnUnderstanding,
    m: DialogMessages,
  ): string {
    const lead = result.status === 'delayed' ? `${view.headline} ` : '';
    if (focus === 'eta') {
      const expectedDay = result.expectedDelivery?.slice(0, 10);
      if (askedDay && expectedDay && view.expectedDelivery && result.status !== 'delivered') {
        const asked = formatWhen(askedDay, { locale: u.customer.locale, timeZone: 'UTC', withTime: false }) ?? askedDay;
        return lead + m.followUp.etaVersusDate(view.expectedDelivery, asked, expectedDay <= askedDay);
      }
      return lead + m.followUp.eta(view.expectedDelivery, result.status);
    }
    if (focus === 'delivered') return lead + m.followUp.delivered(view.deliveredAt, result.status);
    const zone = u.customer.timeZone ?? result.lastEvent?.timeZone ?? u.customer.fallbackTimeZone;
    const time = formatWhen(result.lastEvent?.time, { locale: u.customer.locale, timeZone: zone, withTime: true });
    return lead + m.followUp.where(result.lastEvent?.place, time, result.status);
  }
}

/**
 * A day the customer needs the parcel by, checked against its tracking: missed when it is not delivered and expected
 * after that day, or has no expected day because it is lost, damaged, returned or not found.
 *
 * @internal exported for tests.
 */
export function checkDeadline(neededBy: string, result: Pick<TrackingResult, 'status' | 'expectedDelivery'>): DeadlineFact {
  const expected = result.status === 'delivered' ? undefined : result.expectedDelivery?.slice(0, 10);
  const missed = result.status !== 'delivered' && (expected ? expected > neededBy : NEEDS_PERSON.has(result.status));
  return { neededBy, ...(expected ? { expected } : {}), status: result.status, missed };
}

/** Drops keys explicitly set to `undefined`, so they do not override defaults. */
function definedOnly<T extends object>(options: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
