/**
 * Watched parcels: which conversation asked about which parcel, so Warmline can speak first when the carrier's news
 * changes (a delay, an exception, out for delivery, delivered).
 *
 * @remarks Domain types and the store port only: no botbuilder. Implementations: `MemoryWatchStore` (the embedded
 * default) and `RedisWatchStore` (shared by every instance).
 */
import type { ConversationPointer } from '../handoff/handoffCase';
import type { ParcelEventStatus } from './carrierEvent';

/** What the customer wants to hear about a parcel. */
export type WatchWants =
  /** Changes that need them: a delay or new date, an exception (set when they track a parcel). */
  | 'changes'
  /** Also out for delivery and delivered ("tell me when it's delivered" / « prévenez-moi quand il est livré »). */
  | 'delivery';

/** One conversation watching one parcel. */
export interface ParcelWatch {
  /** `${conversation.key}|${trackingNumber}`: one watch per conversation and parcel. */
  readonly id: string;
  /** Upper case, no spaces. */
  readonly trackingNumber: string;
  readonly carrier?: string;
  /** Where to speak (botbuilder's conversation reference inside, kept by the host). */
  readonly conversation: ConversationPointer;
  /** The customer's language (`en`, `fr`). */
  readonly language: string;
  /** The customer's IANA time zone when the channel told it (Web Chat `localTimezone`, Teams `clientInfo`). */
  readonly timeZone?: string;
  readonly wants: WatchWants;
  /** Earlier messages of this conversation showed anger or distress: an exception opens a case at once. */
  readonly upset: boolean;
  /** ISO 8601 instant the watch was made. */
  readonly createdAt: string;
  /** Epoch ms after which the watch is forgotten (refreshed on each watch; after delivery, a few days). */
  readonly expiresAt: number;
  /** The last status the customer saw (in the bot's answer or a message sent first): never told twice. */
  readonly seenStatus?: ParcelEventStatus;
  /** The expected delivery date the customer last saw, with {@link seenStatus}. */
  readonly seenExpected?: string;
  /** The last message sent first, for the next contact ("Is this about your parcel ...7347, delayed yesterday?"). */
  readonly lastSent?: { readonly eventId: string; readonly status: ParcelEventStatus; readonly at: string; readonly expected?: string };
  /** The channel refused this conversation (Teams 403 / 404): nothing is sent to it again. */
  readonly unreachable?: boolean;
}

/** The outcome of {@link WatchStore.claimSend}. */
export type SendClaim =
  /** Go ahead and send; the watch now records this event as seen and counts it for the day. */
  | 'claimed'
  /** This event (or its status) was already sent to this watch, or is being sent. */
  | 'duplicate'
  /** The watch already had `dailyCap` messages sent first on `day`. */
  | 'capped'
  /** The watch ended, expired, or is unreachable. */
  | 'gone';

/**
 * Where watches live. Every method is safe to call from several instances at once; {@link claimSend} is the one
 * atomic step that makes "several instances never send the same message twice" hold.
 */
export interface WatchStore {
  /**
   * Adds a watch or refreshes it: the expiry and conversation are updated, `wants` never goes back from `delivery`
   * to `changes`, `upset` never goes back to false, and the seen status, sent history and counts are kept.
   */
  watch(watch: ParcelWatch): Promise<void>;
  /** Every live (not expired) watch of a parcel, any conversation, unreachable ones included. */
  forParcel(trackingNumber: string): Promise<ParcelWatch[]>;
  /** Every live watch of a conversation. */
  forConversation(conversationKey: string): Promise<ParcelWatch[]>;
  /** Ends the watches of a conversation: one parcel, or all of them. Resolves with how many ended. */
  stop(conversationKey: string, trackingNumber?: string): Promise<number>;
  /** Marks a conversation's parcels as upset (anger or distress seen): an exception then opens a case at once. */
  markUpset(conversationKey: string): Promise<void>;
  /** Records what the customer just saw in the bot's own answer (no message is sent first for it later). */
  markSeen(watchId: string, status: ParcelEventStatus, expected?: string): Promise<void>;
  /**
   * Atomically claims one message sent first about `eventId` (status `status`) to a watch: `duplicate` when this
   * event id was already claimed for it or its status and expected date are the ones the customer saw last, `capped`
   * when `day` (the customer's local date, `YYYY-MM-DD`) already holds `dailyCap` claims, `gone` when the watch is
   * missing, expired or unreachable. On `claimed`, records the event as seen (status, expected date, `lastSent`) and
   * counts it for the day.
   */
  claimSend(watchId: string, claim: { eventId: string; status: ParcelEventStatus; expected?: string; day: string; dailyCap: number; at: string }): Promise<SendClaim>;
  /** Undoes a claim whose send failed for a reason worth retrying (the day's count goes back; the event may be claimed again). */
  releaseSend(watchId: string, eventId: string, day: string): Promise<void>;
  /** Marks a watch unreachable (the channel refused the conversation): never sent to again. */
  markUnreachable(watchId: string): Promise<void>;
  /** Sets when the watch is forgotten (delivered: a few days after delivery). */
  expireAt(watchId: string, epochMs: number): Promise<void>;
  /**
   * One page of the watched parcels, for polling carriers that send no webhooks: the distinct tracking numbers with
   * at least one live, reachable watch, each with the carrier of one of those watches (when a watch names one).
   *
   * @remarks Pages like Redis `SCAN`: pass `''` to start, then the returned cursor, until it comes back `''`. Each
   * call does work bounded by `limit` (index entries looked at), so a page may hold fewer than `limit` parcels, even
   * none, before the end. A parcel watched for the whole walk is returned at least once; the Redis store may return
   * one twice (as `SCAN` does when its table grows), so callers that care deduplicate. Parcels whose every watch is
   * expired, stopped or unreachable are left out. The cursor is opaque (the memory store's is a tracking number:
   * keep it out of logs).
   * @param cursor `''` to start, else the cursor of the previous page.
   * @param limit Index entries to look at, at least 1.
   */
  parcels(cursor: string, limit: number): Promise<ParcelPage>;
}

/** A page of {@link WatchStore.parcels}. */
export interface ParcelPage {
  /** Tracking numbers (upper case, no spaces) and the carrier a live watch names, if any. */
  parcels: { trackingNumber: string; carrier?: string }[];
  /** Pass it to the next call; `''` when the walk is done. */
  cursor: string;
}
