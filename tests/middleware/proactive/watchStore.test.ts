import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { ParcelWatch, SendClaim, WatchStore } from '../../../middleware/proactive/parcelWatch';
import { MemoryWatchStore } from '../../../middleware/proactive/stores/memoryWatchStore';
import { RedisWatchStore } from '../../../middleware/proactive/stores/redisWatchStore';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../handoff/testRedis';

/** The fake clock every harness gives its stores. */
interface SuiteClock {
  now: number;
}

/** A store under test. */
interface WatchHarness {
  readonly store: WatchStore;
  /** Another instance on the same backend (the same one for memory). */
  second(): Promise<WatchStore>;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const DAY_MS = 24 * 3600_000;

let serial = 0;
/** A watch of a fresh conversation (or of `key`), expiring in 30 days. */
function makeWatch(overrides: Partial<ParcelWatch> & { key?: string } = {}): ParcelWatch {
  serial += 1;
  const { key: givenKey, ...rest } = overrides;
  const key = givenKey ?? `msteams/conv-${serial}|odd key é`;
  const trackingNumber = rest.trackingNumber ?? '1Z999AA10123456784';
  return {
    trackingNumber,
    conversation: { key, channel: 'msteams', reference: { conversation: { id: key }, serviceUrl: 'https://smba.example/', entities: [], n: 1.5 } },
    language: 'en',
    wants: 'changes',
    upset: false,
    createdAt: new Date(T0).toISOString(),
    expiresAt: T0 + 30 * DAY_MS,
    ...rest,
    id: `${key}|${trackingNumber}`,
  };
}

const claim = (eventId: string, status: 'delayed' | 'exception' | 'delivered' | 'out_for_delivery', extra: { expected?: string; day?: string; dailyCap?: number } = {}) => ({
  eventId,
  status,
  day: extra.day ?? '2026-03-02',
  dailyCap: extra.dailyCap ?? 3,
  at: new Date(T0).toISOString(),
  ...(extra.expected !== undefined ? { expected: extra.expected } : {}),
});

const byId = (watches: ParcelWatch[]): ParcelWatch[] => [...watches].sort((a, b) => (a.id < b.id ? -1 : 1));
async function only(store: WatchStore, w: ParcelWatch): Promise<ParcelWatch> {
  const found = (await store.forConversation(w.conversation.key)).filter((x) => x.id === w.id);
  expect(found, 'the watch').to.have.length(1);
  return found[0] as ParcelWatch;
}

/** The behaviour every `WatchStore` must show. `make` builds a fresh, empty store on `clock.now`. */
function watchStoreSuite(name: string, make: (clock: SuiteClock) => Promise<WatchHarness>): void {
  describe(`WatchStore behaviour: ${name}`, function () {
    let h: WatchHarness;
    let store: WatchStore;
    const clock: SuiteClock = { now: T0 };

    beforeEach(async function () {
      clock.now = T0;
      h = await make(clock);
      store = h.store;
    });

    afterEach(async function () {
      await h?.cleanup();
    });

    it('adds a watch and reads it back whole, by parcel and by conversation, the conversation reference as is', async function () {
      const w = makeWatch({ carrier: 'ups', timeZone: 'Europe/Paris', language: 'fr' });
      await store.watch(w);
      expect(await store.forParcel(w.trackingNumber)).to.deep.equal([w]);
      expect(await store.forConversation(w.conversation.key)).to.deep.equal([w]);
      // Looked up as watches keep tracking numbers: upper case, no spaces.
      expect(await store.forParcel(' 1z999aa1 0123456784')).to.deep.equal([w]);
    });

    it('refreshes a watch: expiry and conversation updated, wants and upset never go back, seen, sent and counts kept', async function () {
      const w = makeWatch({ wants: 'delivery', upset: true });
      await store.watch(w);
      await store.markSeen(w.id, 'in_transit', '2026-03-05');
      expect(await store.claimSend(w.id, claim('e1', 'delayed', { expected: '2026-03-06', dailyCap: 1 }))).to.equal('claimed');
      const reference = { conversation: { id: 'new' }, serviceUrl: 'https://smba.example/emea/' };
      await store.watch({
        ...w,
        wants: 'changes',
        upset: false,
        expiresAt: T0 + 40 * DAY_MS,
        createdAt: new Date(T0 + DAY_MS).toISOString(),
        conversation: { ...w.conversation, reference },
        seenStatus: undefined,
      });
      const after = await only(store, w);
      expect(after.wants).to.equal('delivery');
      expect(after.upset).to.equal(true);
      expect(after.expiresAt).to.equal(T0 + 40 * DAY_MS);
      expect(after.conversation.reference).to.deep.equal(reference);
      expect(after.createdAt).to.equal(w.createdAt);
      expect(after.seenStatus).to.equal('delayed');
      expect(after.seenExpected).to.equal('2026-03-06');
      expect(after.lastSent).to.deep.equal({ eventId: 'e1', status: 'delayed', at: new Date(T0).toISOString(), expected: '2026-03-06' });
      // The day's count and the sent event survive the refresh.
      expect(await store.claimSend(w.id, claim('e2', 'exception', { dailyCap: 1 }))).to.equal('capped');
      expect(await store.claimSend(w.id, claim('e1', 'exception', { dailyCap: 5 }))).to.equal('duplicate');
    });

    it('upgrades wants from changes to delivery and upset from false to true on refresh', async function () {
      const w = makeWatch();
      await store.watch(w);
      await store.watch({ ...w, wants: 'delivery', upset: true });
      const after = await only(store, w);
      expect([after.wants, after.upset]).to.deep.equal(['delivery', true]);
    });

    it('lists every watch of a parcel across conversations and every watch of a conversation across parcels', async function () {
      const a = makeWatch({ key: 'webchat/a' });
      const b = makeWatch({ key: 'webchat/b' });
      const a2 = makeWatch({ key: 'webchat/a', trackingNumber: 'LA123456789FR' });
      const other = makeWatch({ key: 'webchat/c', trackingNumber: 'CP000000000FR' });
      for (const w of [a, b, a2, other]) await store.watch(w);
      await store.markUnreachable(b.id);
      expect(byId(await store.forParcel(a.trackingNumber)).map((w) => w.id)).to.deep.equal([a.id, b.id]);
      expect((await store.forParcel(a.trackingNumber)).find((w) => w.id === b.id)?.unreachable).to.equal(true);
      expect(byId(await store.forConversation('webchat/a')).map((w) => w.id)).to.deep.equal([a.id, a2.id]);
      expect(await store.forParcel('NOPE123')).to.deep.equal([]);
      expect(await store.forConversation('webchat/none')).to.deep.equal([]);
    });

    it('forgets a watch once the clock passes its expiry, and starts afresh when it is watched again', async function () {
      const w = makeWatch({ expiresAt: T0 + 1000 });
      await store.watch(w);
      expect(await store.claimSend(w.id, claim('e1', 'delayed'))).to.equal('claimed');
      clock.now = T0 + 999;
      expect(await store.forParcel(w.trackingNumber)).to.have.length(1);
      clock.now = T0 + 1000;
      expect(await store.forParcel(w.trackingNumber)).to.deep.equal([]);
      expect(await store.forConversation(w.conversation.key)).to.deep.equal([]);
      expect(await store.claimSend(w.id, claim('e2', 'exception'))).to.equal('gone');
      expect(await store.stop(w.conversation.key)).to.equal(0);
      await store.watch({ ...w, expiresAt: T0 + DAY_MS });
      const fresh = await only(store, w);
      expect(fresh.seenStatus).to.equal(undefined);
      expect(fresh.lastSent).to.equal(undefined);
      expect(await store.claimSend(w.id, claim('e1', 'delayed'))).to.equal('claimed');
    });

    it('moves the expiry with expireAt (after delivery), and ends the watch when it is in the past', async function () {
      const w = makeWatch();
      await store.watch(w);
      await store.expireAt(w.id, T0 + 3 * DAY_MS);
      expect((await only(store, w)).expiresAt).to.equal(T0 + 3 * DAY_MS);
      clock.now = T0 + 3 * DAY_MS;
      expect(await store.forParcel(w.trackingNumber)).to.deep.equal([]);
      const v = makeWatch();
      await store.watch(v);
      await store.expireAt(v.id, T0);
      expect(await store.forConversation(v.conversation.key)).to.deep.equal([]);
      await store.expireAt('missing|X1', T0 + DAY_MS);
      // A watch already expired when given is not kept.
      const old = makeWatch({ expiresAt: clock.now - 1 });
      await store.watch(old);
      expect(await store.forConversation(old.conversation.key)).to.deep.equal([]);
    });

    it('stops one parcel or every parcel of a conversation, saying how many ended', async function () {
      const a = makeWatch({ key: 'slack/x' });
      const b = makeWatch({ key: 'slack/x', trackingNumber: 'LA123456789FR' });
      const c = makeWatch({ key: 'slack/x', trackingNumber: 'CP000000000FR' });
      const elsewhere = makeWatch({ key: 'slack/y' });
      for (const w of [a, b, c, elsewhere]) await store.watch(w);
      expect(await store.stop('slack/x', 'la123456789fr')).to.equal(1);
      expect(byId(await store.forConversation('slack/x')).map((w) => w.id)).to.deep.equal([a.id, c.id].sort());
      expect(await store.stop('slack/x', 'LA123456789FR')).to.equal(0);
      expect(await store.claimSend(b.id, claim('e1', 'delayed'))).to.equal('gone');
      expect(await store.stop('slack/x')).to.equal(2);
      expect(await store.forConversation('slack/x')).to.deep.equal([]);
      expect(await store.forParcel(a.trackingNumber)).to.deep.equal([elsewhere]);
      expect(await store.stop('slack/x')).to.equal(0);
    });

    it('marks every live watch of a conversation upset, and no other', async function () {
      const a = makeWatch({ key: 'webchat/u' });
      const b = makeWatch({ key: 'webchat/u', trackingNumber: 'LA123456789FR' });
      const other = makeWatch({ key: 'webchat/calm' });
      for (const w of [a, b, other]) await store.watch(w);
      await store.markUpset('webchat/u');
      expect((await store.forConversation('webchat/u')).map((w) => w.upset)).to.deep.equal([true, true]);
      expect((await only(store, other)).upset).to.equal(false);
      await store.markUpset('webchat/nobody');
    });

    it('never tells twice what the customer saw: markSeen then a claim of the same status and date is a duplicate', async function () {
      const w = makeWatch();
      await store.watch(w);
      await store.markSeen(w.id, 'delayed', '2026-03-06');
      expect(await store.claimSend(w.id, claim('e1', 'delayed', { expected: '2026-03-06' }))).to.equal('duplicate');
      expect(await store.claimSend(w.id, claim('e2', 'delayed', { expected: '2026-03-07' }))).to.equal('claimed');
      await store.markSeen(w.id, 'out_for_delivery');
      expect(await store.claimSend(w.id, claim('e3', 'out_for_delivery'))).to.equal('duplicate');
      expect(await store.claimSend(w.id, claim('e4', 'out_for_delivery', { expected: '2026-03-07' }))).to.equal('claimed');
      expect(await store.claimSend(w.id, claim('e5', 'out_for_delivery', { expected: '2026-03-07' }))).to.equal('duplicate');
      const seen = await only(store, w);
      expect([seen.seenStatus, seen.seenExpected]).to.deep.equal(['out_for_delivery', '2026-03-07']);
      await store.markSeen('missing|X1', 'delivered');
    });

    it('claims an event once: the same event id is a duplicate, whatever its status; a claim records what was sent', async function () {
      const w = makeWatch();
      await store.watch(w);
      expect(await store.claimSend(w.id, claim('aftership:1', 'delayed', { expected: '2026-03-06' }))).to.equal('claimed');
      const after = await only(store, w);
      expect(after.seenStatus).to.equal('delayed');
      expect(after.seenExpected).to.equal('2026-03-06');
      expect(after.lastSent).to.deep.equal({ eventId: 'aftership:1', status: 'delayed', at: new Date(T0).toISOString(), expected: '2026-03-06' });
      expect(await store.claimSend(w.id, claim('aftership:1', 'exception'))).to.equal('duplicate');
    });

    it('caps the messages sent first per customer day; a new day starts again', async function () {
      const w = makeWatch();
      await store.watch(w);
      expect(await store.claimSend(w.id, claim('e1', 'delayed', { dailyCap: 2 }))).to.equal('claimed');
      expect(await store.claimSend(w.id, claim('e2', 'exception', { dailyCap: 2 }))).to.equal('claimed');
      expect(await store.claimSend(w.id, claim('e3', 'out_for_delivery', { dailyCap: 2 }))).to.equal('capped');
      expect(await store.claimSend(w.id, claim('e3', 'out_for_delivery', { dailyCap: 2, day: '2026-03-03' }))).to.equal('claimed');
      expect(await store.claimSend(w.id, claim('e4', 'delivered', { dailyCap: 1, day: '2026-03-03' }))).to.equal('capped');
      expect(await store.claimSend(w.id, claim('e5', 'delayed', { dailyCap: 0, day: '2026-03-04' }))).to.equal('capped');
      // A capped claim records nothing.
      expect((await only(store, w)).lastSent?.eventId).to.equal('e3');
    });

    it('says gone for a missing, stopped, expired or unreachable watch', async function () {
      expect(await store.claimSend('missing|X1', claim('e1', 'delayed'))).to.equal('gone');
      const stopped = makeWatch();
      const expired = makeWatch({ expiresAt: T0 + 10 });
      const unreachable = makeWatch();
      for (const w of [stopped, expired, unreachable]) await store.watch(w);
      await store.stop(stopped.conversation.key, stopped.trackingNumber);
      await store.markUnreachable(unreachable.id);
      clock.now = T0 + 10;
      for (const w of [stopped, expired, unreachable]) expect(await store.claimSend(w.id, claim('e1', 'delayed')), w.id).to.equal('gone');
      // Unreachable is kept across a refresh: never sent to again.
      await store.watch({ ...unreachable, unreachable: false });
      expect(await store.claimSend(unreachable.id, claim('e2', 'delayed'))).to.equal('gone');
    });

    it('releases a failed send: the same event can be claimed again and the day gets its count back', async function () {
      const w = makeWatch();
      await store.watch(w);
      await store.markSeen(w.id, 'in_transit');
      expect(await store.claimSend(w.id, claim('e1', 'delayed', { expected: '2026-03-06', dailyCap: 1 }))).to.equal('claimed');
      await store.releaseSend(w.id, 'e1', '2026-03-02');
      const released = await only(store, w);
      expect(released.seenStatus).to.equal('in_transit');
      expect(released.seenExpected).to.equal(undefined);
      expect(released.lastSent).to.equal(undefined);
      expect(await store.claimSend(w.id, claim('e1', 'delayed', { expected: '2026-03-06', dailyCap: 1 }))).to.equal('claimed');
      expect(await store.claimSend(w.id, claim('e2', 'exception', { dailyCap: 1 }))).to.equal('capped');
      // A second release of the same event, or of one never claimed, gives nothing back.
      await store.releaseSend(w.id, 'e1', '2026-03-02');
      await store.releaseSend(w.id, 'e1', '2026-03-02');
      await store.releaseSend(w.id, 'never', '2026-03-02');
      expect(await store.claimSend(w.id, claim('e2', 'exception', { dailyCap: 1 }))).to.equal('claimed');
      expect(await store.claimSend(w.id, claim('e3', 'delivered', { dailyCap: 1 }))).to.equal('capped');
    });

    it('keeps what the customer was shown meanwhile when a claim is released after markSeen', async function () {
      const w = makeWatch();
      await store.watch(w);
      expect(await store.claimSend(w.id, claim('e1', 'delayed'))).to.equal('claimed');
      expect(await store.claimSend(w.id, claim('e2', 'exception'))).to.equal('claimed');
      await store.markSeen(w.id, 'exception', '2026-03-09');
      await store.releaseSend(w.id, 'e2', '2026-03-02');
      const after = await only(store, w);
      expect([after.seenStatus, after.seenExpected, after.lastSent?.eventId]).to.deep.equal(['exception', '2026-03-09', 'e1']);
    });

    it('lets exactly one of 20 concurrent claims of the same event win, across two instances', async function () {
      const w = makeWatch();
      await store.watch(w);
      const other = await h.second();
      const outcomes: SendClaim[] = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).claimSend(w.id, claim('easypost:evt_1', 'out_for_delivery', { dailyCap: 50 }))),
      );
      expect(outcomes.filter((o) => o === 'claimed')).to.have.length(1);
      expect(outcomes.filter((o) => o === 'duplicate')).to.have.length(19);
    });

    it('lets one of 20 concurrent claims of different events of the same status win', async function () {
      const w = makeWatch();
      await store.watch(w);
      const other = await h.second();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).claimSend(w.id, claim(`evt_${i}`, 'delivered', { dailyCap: 50 }))),
      );
      expect(outcomes.filter((o) => o === 'claimed')).to.have.length(1);
    });

    /** Every page of `parcels` from the start, `limit` at a time. */
    async function walk(limit: number, from: WatchStore = store): Promise<{ pages: number; parcels: Array<{ trackingNumber: string; carrier?: string }> }> {
      const parcels: Array<{ trackingNumber: string; carrier?: string }> = [];
      let cursor = '';
      let pages = 0;
      do {
        const page = await from.parcels(cursor, limit);
        expect(page.parcels.length, 'a page holds at most limit parcels').to.be.at.most(limit);
        parcels.push(...page.parcels);
        cursor = page.cursor;
        pages += 1;
        // Redis walks its whole database (other tests' keys too), a few keys a page.
        expect(pages, 'the walk ends').to.be.below(1_000_000);
      } while (cursor !== '');
      return { pages, parcels };
    }
    const tns = (list: Array<{ trackingNumber: string }>): string[] => list.map((p) => p.trackingNumber).sort();

    it('pages through the watched parcels: each once across pages, with a carrier a watch names', async function () {
      const expected: string[] = [];
      for (let i = 0; i < 23; i++) {
        const tn = `LA${String(100000000 + i)}FR`;
        expected.push(tn);
        await store.watch(makeWatch({ trackingNumber: tn, ...(i % 3 ? { carrier: 'laposte' } : {}) }));
        // A second conversation on some parcels: still one entry.
        if (i % 4 === 0) await store.watch(makeWatch({ trackingNumber: tn, carrier: 'colissimo' }));
      }
      expect(await store.parcels('', 5)).to.have.property('parcels').that.is.an('array');
      const { pages, parcels } = await walk(5);
      expect(pages).to.be.greaterThan(1);
      expect(tns(parcels)).to.deep.equal(expected.sort());
      for (const p of parcels) {
        const i = Number(p.trackingNumber.slice(2, 11)) - 100000000;
        if (i % 3 === 0 && i % 4 !== 0) expect(p, p.trackingNumber).to.deep.equal({ trackingNumber: p.trackingNumber });
        else expect(p.carrier, p.trackingNumber).to.be.oneOf(['laposte', 'colissimo']);
      }
      // One big page gives the same.
      expect(tns((await walk(1000)).parcels)).to.deep.equal(expected);
    });

    it('leaves out parcels whose watches are all expired, stopped or unreachable', async function () {
      expect((await walk(10)).parcels).to.deep.equal([]);
      const live = makeWatch({ trackingNumber: 'LIVE00000001FR', carrier: 'laposte' });
      const expired = makeWatch({ trackingNumber: 'EXPIRED00001FR', expiresAt: T0 + 10 });
      const stopped = makeWatch({ trackingNumber: 'STOPPED00001FR' });
      const unreachable = makeWatch({ trackingNumber: 'UNREACH00001FR' });
      // A parcel with one unreachable and one reachable watch stays, with the reachable watch's carrier.
      const mixedDead = makeWatch({ trackingNumber: 'MIXED0000001FR', carrier: 'dead' });
      const mixedLive = makeWatch({ trackingNumber: 'MIXED0000001FR' });
      for (const w of [live, expired, stopped, unreachable, mixedDead, mixedLive]) await store.watch(w);
      await store.stop(stopped.conversation.key);
      await store.markUnreachable(unreachable.id);
      await store.markUnreachable(mixedDead.id);
      clock.now = T0 + 10;
      const { parcels } = await walk(2);
      expect([...parcels].sort((a, b) => (a.trackingNumber < b.trackingNumber ? -1 : 1))).to.deep.equal([
        { trackingNumber: 'LIVE00000001FR', carrier: 'laposte' },
        { trackingNumber: 'MIXED0000001FR' },
      ]);
    });

    it('rejects a bad limit or cursor', async function () {
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        let error: unknown;
        try {
          await store.parcels('', limit);
        } catch (err) {
          error = err;
        }
        expect(error, String(limit)).to.be.instanceOf(TypeError);
      }
    });

    it('rejects a watch that breaks the contract (id, tracking number)', async function () {
      const w = makeWatch();
      let error: unknown;
      try {
        await store.watch({ ...w, id: 'something else' });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(TypeError);
      error = undefined;
      try {
        await store.watch({ ...w, trackingNumber: '1z 999', id: `${w.conversation.key}|1z 999` });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(TypeError);
    });
  });
}

watchStoreSuite('MemoryWatchStore', async (clock) => {
  const store = new MemoryWatchStore({ now: () => clock.now });
  return { store, second: async () => store, cleanup: async () => undefined };
});

describe('MemoryWatchStore specifics', function () {
  it('holds at most maxWatches, dropping the ones expiring soonest first', async function () {
    const store = new MemoryWatchStore({ now: () => T0, maxWatches: 3 });
    const soon = makeWatch({ expiresAt: T0 + 1000 });
    const later = makeWatch({ expiresAt: T0 + 5000 });
    const latest = makeWatch({ expiresAt: T0 + 9000 });
    for (const w of [later, soon, latest]) await store.watch(w);
    // A refresh takes no room.
    await store.watch({ ...soon, expiresAt: T0 + 2000 });
    expect(store.size).to.equal(3);
    const fourth = makeWatch({ expiresAt: T0 + 7000 });
    await store.watch(fourth);
    expect(store.size).to.equal(3);
    expect(await store.forConversation(soon.conversation.key)).to.deep.equal([]);
    for (const w of [later, latest, fourth]) expect(await store.forConversation(w.conversation.key)).to.have.length(1);
    const fifth = makeWatch({ expiresAt: T0 + 8000 });
    await store.watch(fifth);
    expect(await store.forConversation(later.conversation.key)).to.deep.equal([]);
    expect(store.size).to.equal(3);
  });

  it('drops expired watches from memory as the clock passes them', async function () {
    const clock = { now: T0 };
    const store = new MemoryWatchStore({ now: () => clock.now });
    for (let i = 0; i < 10; i++) await store.watch(makeWatch({ expiresAt: T0 + 1000 + i }));
    expect(store.size).to.equal(10);
    clock.now = T0 + 1005;
    await store.forParcel('ANY');
    expect(store.size).to.equal(4);
  });

  it('returns copies: changing a watch read back changes nothing stored', async function () {
    const store = new MemoryWatchStore({ now: () => T0 });
    const w = makeWatch();
    await store.watch(w);
    const [read] = await store.forParcel(w.trackingNumber);
    (read?.conversation.reference as { serviceUrl: string }).serviceUrl = 'https://evil.example/';
    expect((await store.forParcel(w.trackingNumber))[0]?.conversation.reference).to.deep.equal(w.conversation.reference);
  });
});

if (skipRedis()) {
  describe('RedisWatchStore', function () {
    it('is skipped because WARMLINE_SKIP_REDIS=1');
  });
} else {
  watchStoreSuite('RedisWatchStore (real Redis)', async (clock) => {
    const redis = await connectTestRedis();
    const prefix = uniquePrefix('watch');
    const others: Redis[] = [];
    return {
      store: new RedisWatchStore({ redis, prefix, now: () => clock.now }),
      second: async () => {
        const otherRedis = await connectTestRedis();
        others.push(otherRedis);
        return new RedisWatchStore({ redis: otherRedis, prefix, now: () => clock.now });
      },
      cleanup: async () => {
        for (const o of others) await o.quit();
        await deleteKeys(redis, prefix);
        await redis.quit();
      },
    };
  });

  describe('RedisWatchStore specifics (real Redis)', function () {
    let redis: Redis;
    let prefix: string;
    let clock: SuiteClock;
    let store: RedisWatchStore;
    beforeEach(async function () {
      redis = await connectTestRedis();
      prefix = uniquePrefix('watch-x');
      clock = { now: T0 };
      store = new RedisWatchStore({ redis, prefix, now: () => clock.now });
    });
    afterEach(async function () {
      await deleteKeys(redis, prefix);
      await redis.quit();
    });

    async function keys(): Promise<string[]> {
      const out: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        out.push(...batch);
      } while (cursor !== '0');
      return out;
    }

    it('gives every key a time to live: the watch its expiry, the indexes the longest of their watches', async function () {
      const a = makeWatch({ key: 'msteams/ttl', expiresAt: T0 + 2 * DAY_MS });
      const b = makeWatch({ key: 'msteams/ttl', trackingNumber: 'LA123456789FR', expiresAt: T0 + 5 * DAY_MS });
      const c = makeWatch({ expiresAt: T0 + DAY_MS });
      for (const w of [a, b, c]) await store.watch(w);
      await store.markSeen(a.id, 'in_transit');
      expect(await store.claimSend(a.id, claim('e1', 'delayed'))).to.equal('claimed');
      await store.releaseSend(a.id, 'e1', '2026-03-02');
      await store.claimSend(b.id, claim('e2', 'delayed'));
      await store.markUpset('msteams/ttl');
      await store.markUnreachable(c.id);
      await store.expireAt(a.id, T0 + 9 * DAY_MS);
      await store.stop(c.conversation.key);
      const all = await keys();
      expect(all).to.have.length(5); // a, b, their conversation, and the parcel indexes (a and c's, b's).
      for (const key of all) {
        const ttl = await redis.pttl(key);
        expect(ttl, key).to.be.greaterThan(0);
      }
      const ttls = await Promise.all(all.map((k) => redis.pttl(k)));
      // a now expires in 9 days: its indexes live at least that long.
      expect(Math.max(...ttls)).to.be.within(9 * DAY_MS - 5000, 9 * DAY_MS);
      expect(ttls.filter((t) => t > 9 * DAY_MS - 5000)).to.have.length(3);
      expect(ttls.filter((t) => t > 5 * DAY_MS - 5000 && t <= 5 * DAY_MS)).to.have.length(2);
    });

    it('names keys by hashes: no tracking number or conversation key in clear', async function () {
      const w = makeWatch({ key: 'webchat/secret-conversation' });
      await store.watch(w);
      for (const key of await keys()) {
        expect(key).not.to.include('secret-conversation');
        expect(key).not.to.include(w.trackingNumber);
      }
    });

    it('keeps the conversation reference as is, JSON the Lua scripts never re-encode', async function () {
      const w = makeWatch();
      await store.watch(w);
      await store.claimSend(w.id, claim('e1', 'delayed'));
      await store.watch({ ...w, expiresAt: T0 + 31 * DAY_MS });
      const [read] = await store.forParcel(w.trackingNumber);
      expect(read?.conversation).to.deep.equal(w.conversation);
    });

    it('ignores corrupt records and keys of the wrong type instead of throwing', async function () {
      const good = makeWatch({ key: 'webchat/corrupt' });
      const bad = makeWatch({ key: 'webchat/corrupt', trackingNumber: 'LA123456789FR' });
      const worse = makeWatch({ key: 'webchat/corrupt', trackingNumber: 'CP000000000FR' });
      for (const w of [good, bad, worse]) await store.watch(w);
      const watchKeys = (await keys()).filter((k) => k.startsWith(`${prefix}w:`));
      expect(watchKeys).to.have.length(3);
      for (const key of watchKeys) {
        const id = await redis.hget(key, 'id');
        if (id === bad.id) await redis.hset(key, 'conv', '{not json', 'wants', 'everything');
        if (id === worse.id) {
          await redis.del(key);
          await redis.set(key, 'garbage', 'PX', DAY_MS);
        }
      }
      expect((await store.forConversation('webchat/corrupt')).map((w) => w.id)).to.deep.equal([good.id]);
      expect(await store.forParcel(bad.trackingNumber)).to.deep.equal([]);
      expect(await store.claimSend(worse.id, claim('e1', 'delayed'))).to.equal('gone');
      await store.markSeen(worse.id, 'delayed');
      await store.markUnreachable(worse.id);
      await store.expireAt(worse.id, T0 + DAY_MS);
      await store.releaseSend(worse.id, 'e1', '2026-03-02');
      await store.markUpset('webchat/corrupt');
      // A watched-again parcel replaces what was corrupt.
      await store.watch(bad);
      expect(byId(await store.forConversation('webchat/corrupt')).map((w) => w.id)).to.deep.equal([good.id, bad.id].sort());
      // A corrupt index is read as empty, then rebuilt by the next watch.
      const conversationIndex = (await keys()).find((k) => k.startsWith(`${prefix}c:`)) as string;
      await redis.del(conversationIndex);
      await redis.set(conversationIndex, 'garbage', 'PX', DAY_MS);
      expect(await store.forConversation('webchat/corrupt')).to.deep.equal([]);
      expect(await store.stop('webchat/corrupt')).to.equal(0);
      await store.watch(good);
      expect((await store.forConversation('webchat/corrupt')).map((w) => w.id)).to.deep.equal([good.id]);
    });

    it('bounds the event ids and days kept per watch', async function () {
      const w = makeWatch();
      await store.watch(w);
      for (let i = 0; i < 120; i++) {
        const status = i % 2 ? 'delayed' : 'exception';
        const day = `2026-03-${String((i % 20) + 1).padStart(2, '0')}`;
        expect(await store.claimSend(w.id, claim(`e${i}`, status, { day, dailyCap: 100 }))).to.equal('claimed');
      }
      const key = (await keys()).find((k) => k.startsWith(`${prefix}w:`)) as string;
      const fields = await redis.hgetall(key);
      expect((fields.sent ?? '').split(' ')).to.have.length(100);
      expect(Object.keys(fields).filter((f) => f.startsWith('d:'))).to.have.length(7);
    });

    it('pages parcels without crashing on corrupt indexes or watches, and rejects a cursor it did not give', async function () {
      const good = makeWatch({ trackingNumber: 'GOOD00000001FR' });
      const bad = makeWatch({ trackingNumber: 'BAD000000001FR' });
      const swapped = makeWatch({ trackingNumber: 'SWAP00000001FR' });
      for (const w of [good, bad, swapped]) await store.watch(w);
      const watchKeys = (await keys()).filter((k) => k.startsWith(`${prefix}w:`));
      for (const key of watchKeys) {
        const id = await redis.hget(key, 'id');
        if (id === bad.id) await redis.hset(key, 'expiresAt', 'soon', 'tn', '');
        // A watch whose tracking number is not its index's: not trusted.
        if (id === swapped.id) await redis.hset(key, 'tn', 'OTHER');
      }
      // A parcel index of the wrong type, and one naming a watch that is gone.
      await redis.set(`${prefix}p:garbage`, 'x', 'PX', DAY_MS);
      await redis.sadd(`${prefix}p:stale`, 'nobody');
      await redis.pexpire(`${prefix}p:stale`, DAY_MS);
      const out: string[] = [];
      let cursor = '';
      do {
        const page = await store.parcels(cursor, 2);
        out.push(...page.parcels.map((p) => p.trackingNumber));
        cursor = page.cursor;
      } while (cursor !== '');
      expect(out).to.deep.equal([good.trackingNumber]);
      expect(await redis.exists(`${prefix}p:stale`)).to.equal(0);
      let error: unknown;
      try {
        await store.parcels('12abc', 10);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(TypeError);
    });

    it('escapes the prefix for SCAN MATCH: a prefix with glob characters sees only its own parcels', async function () {
      const globPrefix = `${prefix}[x]*?:`;
      const other = new RedisWatchStore({ redis, prefix: globPrefix, now: () => clock.now });
      await other.watch(makeWatch({ trackingNumber: 'GLOB00000001FR' }));
      // A key matching the unescaped pattern but outside the prefix.
      await store.watch(makeWatch({ trackingNumber: 'PLAIN0000001FR' }));
      const page = await other.parcels('', 1000);
      const all = [...page.parcels];
      for (let c = page.cursor; c !== ''; ) {
        const next = await other.parcels(c, 1000);
        all.push(...next.parcels);
        c = next.cursor;
      }
      expect(all).to.deep.equal([{ trackingNumber: 'GLOB00000001FR' }]);
    });

    it('rejects a missing client', function () {
      expect(() => new RedisWatchStore({} as never)).to.throw(TypeError, /redis/);
    });
  });
}
