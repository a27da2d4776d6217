import type { TurnContext } from 'botbuilder-core';
import type { EmotionScore, IntentHit } from './signals/signals';
import type { CasePriority, HandoffReason } from './handoff/handoffCase';
import { readTurn, turnKey, writeTurn } from './turnStateKeys';

/** An offer of a human waiting for the customer's yes or no. */
export interface PendingOffer {
  readonly reason: HandoffReason;
  readonly priority: CasePriority;
  readonly explanation: string;
  readonly intents: readonly IntentHit[];
  readonly emotions: readonly EmotionScore[];
}

/**
 * What the handoff remembers about a customer conversation, kept in conversation state under
 * {@link HANDOFF_STATE_PROPERTY}. Plain JSON.
 */
export interface HandoffConversationState {
  /** Reasons a human was already offered for (the policy's memory). */
  offered: HandoffReason[];
  /** An offer waiting for yes/no. */
  pendingOffer?: PendingOffer;
  /**
   * The case this conversation was last handed over with: after it is resolved, the next message looks it up once
   * (the store says whether a 1–5 rating is awaited), then the marker is dropped.
   */
  recentCase?: string;
  /** @deprecated Written by earlier versions; read as {@link HandoffConversationState.recentCase}. */
  awaitingRating?: string;
  /** @deprecated Written by earlier versions; the store now remembers the position told (`HandoffStore.tellPosition`). */
  lastPosition?: number;
  /** The customer declined an offer; no failure-based offer until the bot understands them again. */
  declined?: boolean;
  /** The waiting case for which the customer was told their messages are kept. */
  notedCase?: string;
  /** A phone or e-mail callback was chosen without the number or address: the next reply is read as the contact. */
  awaitingContact?: { readonly caseId: string; readonly preference: 'phone' | 'email'; readonly askedAgain?: boolean };
}

/** Conversation-state property name of {@link HandoffConversationState}. */
export const HANDOFF_STATE_PROPERTY = 'warmline.handoff';

/** A fresh state. */
export const emptyHandoffState = (): HandoffConversationState => ({ offered: [] });

const DECLINED_OFFER = turnKey<HandoffReason>('warmline.handoff.declinedOffer');

/**
 * Marks the current turn as the customer's "no" to the handoff's offer of a person (written by `HandoffMiddleware`).
 *
 * @remarks The message is then passed to the bot so that it carries on where the customer was: `MainDialog` re-asks
 * its waiting question with the dialog's own reprompt instead of reading "no" as an answer to it.
 */
export function markDeclinedOffer(ctx: TurnContext, reason: HandoffReason): void {
  writeTurn(ctx, DECLINED_OFFER, reason);
}

/**
 * The reason of the offer of a person the current message declined, or `undefined` when it is not such a "no".
 *
 * @example if (declinedOffer(ctx)) return dc.repromptDialog();
 */
export function declinedOffer(ctx: TurnContext): HandoffReason | undefined {
  return readTurn(ctx, DECLINED_OFFER);
}
