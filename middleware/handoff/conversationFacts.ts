/**
 * Facts a conversation has accumulated, kept in conversation state under {@link CONVERSATION_FACTS_PROPERTY}.
 *
 * @remarks Dialogs write them (what the customer already said, how often the bot failed to understand);
 * the handoff middleware reads them to decide and to give the agent the data already collected.
 */
export interface ConversationFacts {
  /** Consecutive customer messages the bot did not understand. Reset on any understood message. */
  misunderstandings: number;
  /** Normalised recent requests (newest last), to notice the same request asked three times. */
  recentRequests: string[];
  /** Data collected from the customer (e.g. `trackingNumber`, `carrier`, `parcelStatus`). */
  collected: Record<string, string>;
  /**
   * The language the conversation is held in (`en`, `fr`), as the dialogs decided it for the last message: the
   * channel's locale, unless the customer writes confidently in another language. The handoff answers in it too.
   */
  language?: string;
  /**
   * A day the customer needs the parcel by, compared with the carrier's expected day, for the current message only:
   * the dialog that looked the parcel up writes it, and clears it when the next message begins. The handoff policy
   * offers a person at once, at high priority, when `missed` is true.
   */
  deadline?: DeadlineFact;
}

/**
 * A deadline the customer stated ("I need it by Friday") checked against the parcel's tracking.
 *
 * @remarks `missed` is true when the parcel is not delivered and either its expected day is after `neededBy`, or it
 * has no expected day because it is lost, damaged, returned or not found.
 */
export interface DeadlineFact {
  /** The day (`YYYY-MM-DD`) the customer needs it by. */
  readonly neededBy: string;
  /** The carrier's expected day (`YYYY-MM-DD`), when it gives one. */
  readonly expected?: string;
  /** The parcel's status when checked. */
  readonly status: string;
  /** The bot cannot meet the deadline. */
  readonly missed: boolean;
}

/** Conversation-state property name for {@link ConversationFacts}. */
export const CONVERSATION_FACTS_PROPERTY = 'warmline.facts';

/** An empty facts record. */
export const emptyFacts = (): ConversationFacts => ({ misunderstandings: 0, recentRequests: [], collected: {} });
