import { OrderedSet } from 'js-sdsl';
import { isParcelEventStatus, type ParcelEventStatus } from '../carrierEvent';
import type { ParcelPage, ParcelWatch, SendClaim, WatchStore, WatchWants } from '../parcelWatch';

/** Options of {@link MemoryWatchStore}. */
export interface MemoryWatchStoreOptions {
  /** Clock in epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Most watches kept; past it the watches expiring soonest are dropped first. Default 100 000. */
  readonly maxWatches?: number;
}

/** The argument of {@link WatchStore.claimSend}. */
export type SendClaimInput = Parameters<WatchStore['claimSend']>[1];

/** Event ids of messages sent first remembered per watch (the oldest are forgotten). */
export const MAX_SENT_EVENTS = 100;
/** Days of send counts kept per watch (the latest `YYYY-MM-DD`; a customer's day is never older than that). */
export const MAX_COUNTED_DAYS = 7;

export { isParcelEventStatus };

/** True for a {@link WatchWants} value. */
export const isWatchWants = (value: unknown): value is WatchWants => value === 'changes' || value === 'delivery';

/** A tracking number as watches keep it: upper case, no spaces (what `forParcel` and `stop` look up). */
export const normalizeTrackingNumber = (trackingNumber: string): string => trackingNumber.replace(/\s+/g, '').toUpperCase();

/** An expected delivery date, `''` read as none (so "no date" compares equal however it is spelled). */
export const normalizeExpected = (expected: string | undefined): string | undefined => (expected ? expected : undefined);

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Throws a `TypeError` unless `watch` keeps the contract of {@link ParcelWatch}: its id is
 * `${conversation.key}|${trackingNumber}`, the tracking number is upper case without spaces (nor `|`, so an id names
 * one conversation and one parcel), and the expiry is a number.
 */
export function assertWatch(watch: ParcelWatch): void {
  if (!watch || typeof watch !== 'object') throw new TypeError('watch: a ParcelWatch is required');
  const { trackingNumber: tn, conversation } = watch;
  if (typeof tn !== 'string' || !tn || tn !== normalizeTrackingNumber(tn) || tn.includes('|')) {
    throw new TypeError('watch: trackingNumber must be upper case, without spaces or "|"');
  }
  if (!conversation || typeof conversation.key !== 'string' || !conversation.key || typeof conversation.channel !== 'string') {
    throw new TypeError('watch: conversation needs a key and a channel');
  }
  if (!conversation.reference || typeof conversation.reference !== 'object' || Array.isArray(conversation.reference)) {
    throw new TypeError('watch: conversation.reference must be a JSON object');
  }
  if (watch.id !== `${conversation.key}|${tn}`) throw new TypeError('watch: id must be `${conversation.key}|${trackingNumber}`');
  if (!isWatchWants(watch.wants)) throw new TypeError('watch: wants must be "changes" or "delivery"');
  if (typeof watch.language !== 'string' || typeof watch.createdAt !== 'string') throw new TypeError('watch: language and createdAt are required');
  if (!Number.isFinite(watch.expiresAt)) throw new TypeError('watch: expiresAt must be epoch ms');
  if (watch.seenStatus !== undefined && !isParcelEventStatus(watch.seenStatus)) throw new TypeError('watch: unknown seenStatus');
}

/** Throws a `TypeError` unless `claim` is well formed (known status, `YYYY-MM-DD` day, numeric cap). */
export function assertClaim(claim: SendClaimInput): void {
  if (!claim || typeof claim.eventId !== 'string' || !claim.eventId) throw new TypeError('claimSend: eventId is required');
  if (!isParcelEventStatus(claim.status)) throw new TypeError('claimSend: unknown status');
  if (typeof claim.day !== 'string' || !DAY.test(claim.day)) throw new TypeError('claimSend: day must be YYYY-MM-DD');
  if (typeof claim.dailyCap !== 'number' || Number.isNaN(claim.dailyCap)) throw new TypeError('claimSend: dailyCap must be a number');
  if (typeof claim.at !== 'string') throw new TypeError('claimSend: at must be an ISO 8601 instant');
}

/** Throws a `TypeError` unless `limit` is a positive integer (the page size of {@link WatchStore.parcels}). */
export function assertPageLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError('parcels: limit must be a positive integer');
}

/** Throws a `TypeError` unless `day` is `YYYY-MM-DD`. */
export function assertDay(day: string): void {
  if (typeof day !== 'string' || !DAY.test(day)) throw new TypeError('day must be YYYY-MM-DD');
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type LastSent = NonNullable<ParcelWatch['lastSent']>;

/** What {@link WatchStore.releaseSend} restores when it undoes the latest claim. */
interface Undo {
  readonly eventId: string;
  readonly lastSent?: LastSent;
  /** The seen status before the claim, while nothing else changed it since (a `markSeen` drops it). */
  seen?: { readonly status?: ParcelEventStatus; readonly expected?: string };
}

/** One stored watch and what only the store sees. */
interface Entry {
  watch: Mutable<ParcelWatch>;
  /** Claimed event ids, oldest first (at most {@link MAX_SENT_EVENTS}). */
  sent: string[];
  /** Claims per customer day. */
  days: Map<string, number>;
  undo?: Undo;
  /** Its key in the expiry order. */
  expiry: ExpiryKey;
}

interface ExpiryKey {
  readonly at: number;
  readonly id: string;
}
const compareExpiry = (a: ExpiryKey, b: ExpiryKey): number => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const clone = <T>(value: T): T => structuredClone(value);

/** A copy of a watch for the caller, without `undefined` members. */
function publicWatch(w: ParcelWatch): ParcelWatch {
  return {
    id: w.id,
    trackingNumber: w.trackingNumber,
    ...(w.carrier !== undefined ? { carrier: w.carrier } : {}),
    conversation: clone(w.conversation),
    language: w.language,
    ...(w.timeZone !== undefined ? { timeZone: w.timeZone } : {}),
    wants: w.wants,
    upset: w.upset,
    createdAt: w.createdAt,
    expiresAt: w.expiresAt,
    ...(w.seenStatus !== undefined ? { seenStatus: w.seenStatus } : {}),
    ...(w.seenExpected !== undefined ? { seenExpected: w.seenExpected } : {}),
    ...(w.lastSent !== undefined ? { lastSent: { ...w.lastSent } } : {}),
    ...(w.unreachable ? { unreachable: true } : {}),
  };
}

/**
 * The embedded watch store: everything in this process's memory.
 *
 * @remarks For a single instance and tests; watches are lost on restart (use `RedisWatchStore` for several
 * instances). Every method completes synchronously inside its promise, so `claimSend` is atomic in one process.
 * Watches are indexed by parcel and by conversation, and ordered by expiry: expired ones are removed as the clock
 * passes them, and past `maxWatches` the ones expiring soonest are dropped to make room for a new one. Watched
 * tracking numbers are also kept in order, so {@link parcels} resumes after its cursor (the last tracking number it
 * looked at) in O(log n) and returns each parcel once per walk.
 */
export class MemoryWatchStore implements WatchStore {
  private readonly now: () => number;
  private readonly maxWatches: number;
  private readonly watches = new Map<string, Entry>();
  private readonly byParcel = new Map<string, Set<string>>();
  private readonly byConversation = new Map<string, Set<string>>();
  /** The keys of {@link byParcel}, in order (for {@link parcels}). */
  private readonly parcelOrder = new OrderedSet<string>([], (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  private readonly expiries = new OrderedSet<ExpiryKey>([], compareExpiry);

  constructor(options: MemoryWatchStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxWatches = Math.max(1, Math.floor(options.maxWatches ?? 100_000));
  }

  /** How many watches are held (expired ones included until the clock passes them). */
  get size(): number {
    return this.watches.size;
  }

  async watch(watch: ParcelWatch): Promise<void> {
    assertWatch(watch);
    const now = this.purge();
    const existing = this.watches.get(watch.id);
    if (watch.expiresAt <= now) {
      if (existing) this.remove(existing);
      return;
    }
    if (existing) {
      const w = existing.watch;
      w.conversation = clone(watch.conversation);
      w.language = watch.language;
      if (watch.carrier !== undefined) w.carrier = watch.carrier;
      if (watch.timeZone !== undefined) w.timeZone = watch.timeZone;
      if (watch.wants === 'delivery') w.wants = 'delivery';
      if (watch.upset) w.upset = true;
      this.setExpiry(existing, watch.expiresAt);
      return;
    }
    while (this.watches.size >= this.maxWatches) {
      const soonest = this.expiries.front();
      const entry = soonest && this.watches.get(soonest.id);
      if (!entry) break;
      this.remove(entry);
    }
    const fresh: Mutable<ParcelWatch> = {
      id: watch.id,
      trackingNumber: watch.trackingNumber,
      conversation: clone(watch.conversation),
      language: watch.language,
      wants: watch.wants,
      upset: watch.upset === true,
      createdAt: watch.createdAt,
      expiresAt: watch.expiresAt,
    };
    if (watch.carrier !== undefined) fresh.carrier = watch.carrier;
    if (watch.timeZone !== undefined) fresh.timeZone = watch.timeZone;
    // A new watch carries what the caller says the customer saw (and whether the conversation was refused).
    if (watch.seenStatus !== undefined) fresh.seenStatus = watch.seenStatus;
    const seenExpected = normalizeExpected(watch.seenExpected);
    if (watch.seenStatus !== undefined && seenExpected !== undefined) fresh.seenExpected = seenExpected;
    if (watch.lastSent) fresh.lastSent = { ...watch.lastSent };
    if (watch.unreachable) fresh.unreachable = true;
    const entry: Entry = { watch: fresh, sent: [], days: new Map(), expiry: { at: watch.expiresAt, id: watch.id } };
    this.watches.set(watch.id, entry);
    this.expiries.insert(entry.expiry);
    if (!this.byParcel.has(fresh.trackingNumber)) this.parcelOrder.insert(fresh.trackingNumber);
    addTo(this.byParcel, fresh.trackingNumber, fresh.id);
    addTo(this.byConversation, fresh.conversation.key, fresh.id);
  }

  async forParcel(trackingNumber: string): Promise<ParcelWatch[]> {
    this.purge();
    return this.list(this.byParcel.get(normalizeTrackingNumber(trackingNumber)));
  }

  async forConversation(conversationKey: string): Promise<ParcelWatch[]> {
    this.purge();
    return this.list(this.byConversation.get(conversationKey));
  }

  async stop(conversationKey: string, trackingNumber?: string): Promise<number> {
    this.purge();
    const tn = trackingNumber === undefined ? undefined : normalizeTrackingNumber(trackingNumber);
    let ended = 0;
    for (const id of [...(this.byConversation.get(conversationKey) ?? [])]) {
      const entry = this.watches.get(id);
      if (!entry || (tn !== undefined && entry.watch.trackingNumber !== tn)) continue;
      this.remove(entry);
      ended += 1;
    }
    return ended;
  }

  async markUpset(conversationKey: string): Promise<void> {
    this.purge();
    for (const id of this.byConversation.get(conversationKey) ?? []) {
      const entry = this.watches.get(id);
      if (entry) entry.watch.upset = true;
    }
  }

  async markSeen(watchId: string, status: ParcelEventStatus, expected?: string): Promise<void> {
    if (!isParcelEventStatus(status)) throw new TypeError('markSeen: unknown status');
    const entry = this.live(watchId);
    if (!entry) return;
    setSeen(entry.watch, status, normalizeExpected(expected));
    if (entry.undo) delete entry.undo.seen;
  }

  async claimSend(watchId: string, claim: SendClaimInput): Promise<SendClaim> {
    assertClaim(claim);
    const entry = this.live(watchId);
    if (!entry || entry.watch.unreachable) return 'gone';
    const w = entry.watch;
    const expected = normalizeExpected(claim.expected);
    if (entry.sent.includes(claim.eventId)) return 'duplicate';
    if (w.seenStatus === claim.status && w.seenExpected === expected) return 'duplicate';
    const count = entry.days.get(claim.day) ?? 0;
    if (count >= claim.dailyCap) return 'capped';
    entry.undo = {
      eventId: claim.eventId,
      ...(w.lastSent ? { lastSent: w.lastSent } : {}),
      seen: { ...(w.seenStatus !== undefined ? { status: w.seenStatus } : {}), ...(w.seenExpected !== undefined ? { expected: w.seenExpected } : {}) },
    };
    setSeen(w, claim.status, expected);
    w.lastSent = { eventId: claim.eventId, status: claim.status, at: claim.at, ...(expected !== undefined ? { expected } : {}) };
    entry.sent.push(claim.eventId);
    if (entry.sent.length > MAX_SENT_EVENTS) entry.sent.splice(0, entry.sent.length - MAX_SENT_EVENTS);
    entry.days.set(claim.day, count + 1);
    if (entry.days.size > MAX_COUNTED_DAYS) {
      const days = [...entry.days.keys()].sort();
      for (const day of days.slice(0, days.length - MAX_COUNTED_DAYS)) entry.days.delete(day);
    }
    return 'claimed';
  }

  async releaseSend(watchId: string, eventId: string, day: string): Promise<void> {
    assertDay(day);
    const entry = this.live(watchId);
    if (!entry) return;
    const at = entry.sent.indexOf(eventId);
    if (at < 0) return;
    entry.sent.splice(at, 1);
    const count = entry.days.get(day) ?? 0;
    if (count > 1) entry.days.set(day, count - 1);
    else entry.days.delete(day);
    const undo = entry.undo;
    if (undo?.eventId !== eventId) return;
    const w = entry.watch;
    if (undo.lastSent) w.lastSent = undo.lastSent;
    else delete w.lastSent;
    if (undo.seen) {
      if (undo.seen.status !== undefined) setSeen(w, undo.seen.status, undo.seen.expected);
      else {
        delete w.seenStatus;
        delete w.seenExpected;
      }
    }
    delete entry.undo;
  }

  async markUnreachable(watchId: string): Promise<void> {
    const entry = this.live(watchId);
    if (entry) entry.watch.unreachable = true;
  }

  async expireAt(watchId: string, epochMs: number): Promise<void> {
    if (!Number.isFinite(epochMs)) throw new TypeError('expireAt: epochMs must be a number');
    const entry = this.live(watchId);
    if (!entry) return;
    if (epochMs <= this.now()) this.remove(entry);
    else this.setExpiry(entry, epochMs);
  }

  async parcels(cursor: string, limit: number): Promise<ParcelPage> {
    if (typeof cursor !== 'string') throw new TypeError('parcels: cursor must be a string');
    assertPageLimit(limit);
    this.purge();
    const parcels: ParcelPage['parcels'] = [];
    const it = cursor === '' ? this.parcelOrder.begin() : this.parcelOrder.upperBound(cursor);
    const end = this.parcelOrder.end();
    let last = '';
    for (let looked = 0; looked < limit && !it.equals(end); looked += 1, it.next()) {
      const tn = it.pointer;
      last = tn;
      let found: ParcelWatch | undefined;
      for (const id of this.byParcel.get(tn) ?? []) {
        const w = this.watches.get(id)?.watch;
        if (!w || w.unreachable) continue;
        // Any reachable watch will do; one that names the carrier is better.
        if (!found || (found.carrier === undefined && w.carrier !== undefined)) found = w;
        if (found.carrier !== undefined) break;
      }
      if (found) parcels.push({ trackingNumber: tn, ...(found.carrier !== undefined ? { carrier: found.carrier } : {}) });
    }
    return { parcels, cursor: it.equals(end) ? '' : last };
  }

  /** Removes the watches the clock has passed; returns the time. */
  private purge(): number {
    const now = this.now();
    for (let soonest = this.expiries.front(); soonest && soonest.at <= now; soonest = this.expiries.front()) {
      const entry = this.watches.get(soonest.id);
      if (entry) this.remove(entry);
      else this.expiries.eraseElementByKey(soonest);
    }
    return now;
  }

  private live(watchId: string): Entry | undefined {
    this.purge();
    return this.watches.get(watchId);
  }

  private list(ids: Set<string> | undefined): ParcelWatch[] {
    const out: ParcelWatch[] = [];
    for (const id of ids ?? []) {
      const entry = this.watches.get(id);
      if (entry) out.push(publicWatch(entry.watch));
    }
    return out;
  }

  private setExpiry(entry: Entry, at: number): void {
    this.expiries.eraseElementByKey(entry.expiry);
    entry.expiry = { at, id: entry.watch.id };
    entry.watch.expiresAt = at;
    this.expiries.insert(entry.expiry);
  }

  private remove(entry: Entry): void {
    const w = entry.watch;
    this.watches.delete(w.id);
    this.expiries.eraseElementByKey(entry.expiry);
    removeFrom(this.byParcel, w.trackingNumber, w.id);
    if (!this.byParcel.has(w.trackingNumber)) this.parcelOrder.eraseElementByKey(w.trackingNumber);
    removeFrom(this.byConversation, w.conversation.key, w.id);
  }
}

function setSeen(w: Mutable<ParcelWatch>, status: ParcelEventStatus, expected: string | undefined): void {
  w.seenStatus = status;
  if (expected === undefined) delete w.seenExpected;
  else w.seenExpected = expected;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = new Set()));
  ids.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  if (!ids) return;
  ids.delete(id);
  if (!ids.size) index.delete(key);
}
