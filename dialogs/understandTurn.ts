import type { StatePropertyAccessor, TurnContext } from 'botbuilder-core';
import { emptyFacts, type ConversationFacts } from '../middleware/handoff/conversationFacts';
import { isUpset } from '../middleware/signals/tone';
import { readTurn, turnKey, writeTurn } from '../middleware/turnStateKeys';
import { warmlineTurn } from '../middleware/warmlineTurn';
import type { ConversationProfile } from './conversationProfile';
import { resolveCustomerLocale, type CustomerLocale } from './customerLocale';
import type { Tone } from './messages';
import { looksLikeTrackingNumber, recognizeRequest, type RequestRecognition } from './requestRecognizer';
import { findTrackingNumbers, type TrackingNumberMatch } from './tracking/carriers';

/** Everything the dialogs read in the current message, computed once per turn. Plain, read-only data. */
export interface TurnUnderstanding {
  /** The message text (Teams mention removed by the bot), or `''`. */
  readonly text: string;
  readonly recognition: RequestRecognition;
  /** Tracking numbers found in the text, valid ones and typos (see `findTrackingNumbers`). */
  readonly numbers: readonly TrackingNumberMatch[];
  /** Something in the text was typed as a tracking number, valid or not (see `looksLikeTrackingNumber`). */
  readonly numberLike: boolean;
  readonly customer: CustomerLocale;
  /** `calm` when the signals say the customer is upset. */
  readonly tone: Tone;
}

/** Turn-state key of {@link TurnUnderstanding}. */
export const UNDERSTANDING = turnKey<TurnUnderstanding>('warmline.dialogs.understanding');

/** Options of {@link understandTurn}. */
export interface UnderstandTurnOptions {
  /** Conversation-state accessor of the conversation's profile (previous language). */
  readonly profile: StatePropertyAccessor<ConversationProfile>;
  /** Conversation-state accessor of the conversation's facts (the language is written there for the handoff). */
  readonly facts: StatePropertyAccessor<ConversationFacts>;
  readonly defaultLocale: string;
  readonly defaultTimeZone: string;
}

/** Longest text the recognisers look at; longer messages are read by their beginning. */
const MAX_TEXT = 2000;

/**
 * Reads the current message once per turn: request, tracking numbers, language/locale/time zone and tone; later
 * calls in the same turn return the stored result.
 *
 * @remarks Also records the resolved language in the conversation profile (and the conversation's facts, for the
 * handoff), so a message that is only a number keeps the conversation's language; a message confidently written in a
 * language switches the conversation to it, whatever the channel's locale. Costs a few microseconds plus the carriers
 * scan; no recognizers-text here.
 */
export async function understandTurn(ctx: TurnContext, options: UnderstandTurnOptions): Promise<TurnUnderstanding> {
  const stored = readTurn(ctx, UNDERSTANDING);
  if (stored) return stored;
  const raw = typeof ctx.activity.text === 'string' ? ctx.activity.text.trim() : '';
  const text = raw.length > MAX_TEXT ? raw.slice(0, MAX_TEXT) : raw;
  const recognition = recognizeRequest(text);
  const { signals } = warmlineTurn(ctx);
  const profile = await options.profile.get(ctx, {});
  const customer = resolveCustomerLocale(ctx.activity, {
    signals,
    detected: recognition.languageHint,
    written: recognition.writtenIn,
    chosen: profile.written,
    previous: profile.language,
    defaultLocale: options.defaultLocale,
    defaultTimeZone: options.defaultTimeZone,
  });
  profile.language = customer.language;
  if (recognition.writtenIn) profile.written = recognition.writtenIn;
  // The handoff reads the conversation's language from the facts (it cannot depend on the dialogs).
  (await options.facts.get(ctx, emptyFacts())).language = customer.language;
  const numbers = text ? findTrackingNumbers(text) : [];
  const understanding: TurnUnderstanding = {
    text,
    recognition,
    numbers,
    numberLike: numbers.length > 0 || looksLikeTrackingNumber(text),
    customer,
    tone: isUpset(signals) ? 'calm' : 'warm',
  };
  writeTurn(ctx, UNDERSTANDING, understanding);
  return understanding;
}
