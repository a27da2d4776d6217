import { expect } from 'chai';
import type { CarrierEvent } from '../../../middleware/proactive/carrierEvent';
import {
  ParcelPoller,
  memoryPollLock,
  polledEventId,
  redisPollLock,
  type ParcelPollerOptions,
  type ParcelStatusSource,
  type PolledStatus,
} from '../../../middleware/proactive/parcelPoller';
import type { ParcelWatch } from '../../../middleware/proactive/parcelWatch';
import { MemoryWatchStore } from '../../../middleware/proactive/stores/memoryWatchStore';
import type { LogFields, Logger } from '../../../middleware/shared/logger';
import { useTestRedis } from '../handoff/testRedis';
import { FakeClock, ticks } from '../../helpers/fakeClock';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const DAY_MS = 24 * 3600_000;

/** A logger that keeps every line. */
function recordingLogger(): Logger & { lines: Array<{ level: string; event: string; fields?: LogFields }> } {
  const lines: Array<{ level: string; event: string; fields?: LogFields }> = [];
  const at = (level: string) => (event: string, fields?: LogFields) => void lines.push({ level, event, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let serial = 0;
function makeWatch(trackingNumber: string, extra: Partial<ParcelWatch> = {}): ParcelWatch {
  serial += 1;
  const key = `webchat/poll-${serial}`;
  return {
    trackingNumber,
    conversation: { key, channel: 'webchat', reference: { conversation: { id: key } } },
    language: 'fr',
    wants: 'changes',
    upset: false,
    createdAt: new Date(T0).toISOString(),
    expiresAt: T0 + 30 * DAY_MS,
    ...extra,
    id: `${key}|${trackingNumber}`,
  };
}

/** A source answering from `answers` (a function: thrown errors reject), counting calls and lookups at once. */
class FakeSource implements ParcelStatusSource {
  readonly name = 'fake';
  calls: string[] = [];
  active = 0;
  maxActive = 0;
  signals: AbortSignal[] = [];
  constructor(
    public answer: (tn: string) => PolledStatus | undefined | Promise<PolledStatus | undefined>,
    private readonly delay = false,
  ) {}
  async status(trackingNumber: string, _carrier: string | undefined, signal: AbortSignal): Promise<PolledStatus | undefined> {
    this.calls.push(trackingNumber);
    this.signals.push(signal);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.delay) await ticks(2);
      return await this.answer(trackingNumber);
    } finally {
      this.active -= 1;
    }
  }
}

interface Rig {
  clock: FakeClock;
  store: MemoryWatchStore;
  source: FakeSource;
  events: CarrierEvent[];
  logger: ReturnType<typeof recordingLogger>;
  poller: ParcelPoller;
}

async function rig(
  tns: string[],
  answer: FakeSource['answer'],
  options: Partial<ParcelPollerOptions> & { delay?: boolean; watch?: Partial<ParcelWatch> } = {},
): Promise<Rig> {
  const clock = new FakeClock(T0);
  const store = new MemoryWatchStore({ now: () => clock.now });
  for (const tn of tns) await store.watch(makeWatch(tn, options.watch));
  const source = new FakeSource(answer, options.delay);
  const events: CarrierEvent[] = [];
  const logger = recordingLogger();
  const poller = new ParcelPoller({
    watches: store,
    source,
    accept: async (e) => void events.push(e),
    logger,
    now: () => clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    ...options,
  });
  return { clock, store, source, events, logger, poller };
}

const delayed: PolledStatus = { status: 'delayed', expectedDelivery: '2026-03-06', occurredAt: '2026-03-02T08:12:00Z', place: 'Lyon, FR' };

describe('ParcelPoller', function () {
  it('turns the news into an accepted event whose id is the same when the same news is polled again', async function () {
    const r = await rig(['LA123456789FR'], () => delayed, { watch: { carrier: 'la-poste-colissimo' } });
    expect(await r.poller.pollOnce()).to.deep.equal({ ran: true, parcels: 1, events: 1, unknown: 0, failures: 0, skipped: 0 });
    const id = polledEventId('LA123456789FR', delayed);
    expect(id.startsWith('laposte:')).to.equal(true);
    expect(r.events).to.deep.equal([
      {
        id,
        source: 'laposte',
        trackingNumber: 'LA123456789FR',
        carrier: 'la-poste-colissimo',
        status: 'delayed',
        expectedDelivery: '2026-03-06',
        occurredAt: '2026-03-02T08:12:00Z',
        place: 'Lyon, FR',
      },
    ]);
    r.clock.now += 60_000;
    await r.poller.pollOnce();
    expect(r.events.map((e) => e.id)).to.deep.equal([id, id]);
    // New news is a new event; without a scan time it happened now.
    r.source.answer = () => ({ status: 'delayed', expectedDelivery: '2026-03-07' });
    await r.poller.pollOnce();
    expect(r.events[2]?.id).to.not.equal(id);
    expect(r.events[2]?.occurredAt).to.equal(new Date(r.clock.now).toISOString());
    expect(r.events[2]).to.have.property('carrier', 'la-poste-colissimo');
    // The exception is part of the news.
    expect(polledEventId('X', { status: 'exception', exception: 'lost' })).to.not.equal(polledEventId('X', { status: 'exception', exception: 'damaged' }));
  });

  it('gives no event for a parcel the carrier does not know, and accepts an unchanged in_transit every round (the planner skips what was seen)', async function () {
    const r = await rig(['UNKNOWN00001FR', 'TRANSIT00001FR'], (tn) => (tn.startsWith('UNKNOWN') ? undefined : { status: 'in_transit' }));
    expect(await r.poller.pollOnce()).to.include({ parcels: 2, events: 1, unknown: 1, failures: 0 });
    expect(await r.poller.pollOnce()).to.include({ parcels: 2, events: 1, unknown: 1, failures: 0 });
    expect(r.events.map((e) => [e.trackingNumber, e.status])).to.deep.equal([
      ['TRANSIT00001FR', 'in_transit'],
      ['TRANSIT00001FR', 'in_transit'],
    ]);
    expect(r.events[0]?.id).to.equal(r.events[1]?.id);
    // No exception reason given: 'other'; an unknown status is a failed lookup.
    r.source.answer = (tn) => (tn.startsWith('UNKNOWN') ? ({ status: 'teleported' } as unknown as PolledStatus) : { status: 'exception' });
    expect(await r.poller.pollOnce()).to.include({ events: 1, failures: 1 });
    expect(r.events[2]).to.include({ status: 'exception', exception: 'other' });
  });

  it('backs a failing parcel off (base, doubling, capped) while the others go on; an answer ends the back-off', async function () {
    let failing = true;
    const r = await rig(['BAD000000001FR', 'GOOD00000001FR'], (tn) => {
      if (tn.startsWith('BAD') && failing) throw new Error('HTTP 503');
      return { status: 'in_transit' };
    }, { backoff: { baseMs: 1000, maxMs: 3000 } });
    const badCalls = (): number => r.source.calls.filter((tn) => tn.startsWith('BAD')).length;
    expect(await r.poller.pollOnce()).to.include({ parcels: 2, events: 1, failures: 1, skipped: 0 });
    // Waits: 1000, then 2000, then 3000 (capped), 3000.
    for (const wait of [1000, 2000, 3000, 3000]) {
      const before = badCalls();
      r.clock.now += wait - 1;
      expect(await r.poller.pollOnce(), `before ${wait}`).to.include({ events: 1, skipped: 1, failures: 0 });
      expect(badCalls()).to.equal(before);
      r.clock.now += 1;
      expect(await r.poller.pollOnce(), `at ${wait}`).to.include({ events: 1, skipped: 0, failures: 1 });
      expect(badCalls()).to.equal(before + 1);
    }
    expect(r.poller.backingOff).to.equal(1);
    failing = false;
    r.clock.now += 3000;
    expect(await r.poller.pollOnce()).to.include({ events: 2, failures: 0 });
    expect(r.poller.backingOff).to.equal(0);
    expect(await r.poller.pollOnce()).to.include({ events: 2, skipped: 0 });
  });

  it('never runs more than `concurrency` lookups at once, and looks each parcel up once a round across pages', async function () {
    const tns = Array.from({ length: 25 }, (_, i) => `LA${String(100000000 + i)}FR`);
    const r = await rig(tns, () => ({ status: 'in_transit' }), { delay: true, concurrency: 3, pageSize: 7 });
    expect(await r.poller.pollOnce()).to.include({ parcels: 25, events: 25 });
    expect(r.source.maxActive).to.equal(3);
    expect([...r.source.calls].sort()).to.deep.equal(tns);
  });

  it('counts and logs a rejected accept, and goes on with the round', async function () {
    const r = await rig(['LA000000001FR', 'LA000000002FR'], () => delayed, {
      accept: async (e) => {
        if (e.trackingNumber === 'LA000000001FR') throw new Error('queue full');
      },
    });
    expect(await r.poller.pollOnce()).to.include({ events: 1, failures: 1 });
    expect(r.logger.lines.map((l) => l.event)).to.include('poll.accept_failed');
    // Not the source's fault: no back-off.
    expect(r.poller.backingOff).to.equal(0);
  });

  it('aborts a lookup that takes longer than timeoutMs and counts it failed', async function () {
    const r = await rig(['SLOW00000001FR'], () => new Promise<never>(() => undefined), { timeoutMs: 500 });
    const round = r.poller.pollOnce();
    await ticks();
    await r.clock.advance(500);
    expect(await round).to.include({ failures: 1, events: 0 });
    expect(r.source.signals[0]?.aborted).to.equal(true);
  });

  it('keeps tracking numbers out of its logs', async function () {
    const r = await rig(['SECRET000001FR', 'SECRET000002FR'], (tn) => {
      if (tn.endsWith('1FR')) throw Object.assign(new Error(`no parcel ${tn}`), { code: 'E_HTTP' });
      return delayed;
    }, { accept: async () => Promise.reject(new Error('SECRET000002FR refused')) });
    await r.poller.pollOnce();
    expect(r.logger.lines.length).to.be.greaterThan(1);
    expect(JSON.stringify(r.logger.lines)).to.not.include('SECRET');
  });

  it('lets one of two pollers sharing a lock poll a round; the lock lasts a little less than the interval', async function () {
    const lock = memoryPollLock(() => a.clock.now);
    const a = await rig(['LA000000001FR', 'LA000000002FR'], () => delayed, { lock, intervalMs: 600_000 });
    const b = new ParcelPoller({
      watches: a.store,
      source: a.source,
      accept: async (e) => void a.events.push(e),
      logger: a.logger,
      now: () => a.clock.now,
      lock,
      intervalMs: 600_000,
    });
    const [ra, rb] = await Promise.all([a.poller.pollOnce(), b.pollOnce()]);
    expect([ra.ran, rb.ran].sort()).to.deep.equal([false, true]);
    expect(a.source.calls).to.have.length(2);
    expect(a.events).to.have.length(2);
    const [holder, other] = ra.ran ? [a.poller, b] : [b, a.poller];
    // After the holder's round the lock stays taken (the other's timer would otherwise poll again this interval);
    // the holder itself may poll again while it holds it (pollOnce asked early).
    expect((await other.pollOnce()).ran).to.equal(false);
    expect((await holder.pollOnce()).ran).to.equal(true);
    expect(a.source.calls).to.have.length(4);
    a.clock.now += 540_000; // 10 minutes less a minute: the lock has run out
    expect((await other.pollOnce()).ran).to.equal(true);
    expect(a.source.calls).to.have.length(6);
  });

  it('start() runs rounds on its timers; stop() waits for the round in flight, aborts its lookups and frees the lock', async function () {
    const lock = memoryPollLock(() => clockNow());
    let release: (() => void) | undefined;
    const r = await rig(['LA000000001FR'], () => ({ status: 'in_transit' }), { lock, intervalMs: 60_000, firstDelayMs: 1000 });
    const clockNow = (): number => r.clock.now;
    r.poller.start();
    r.poller.start();
    expect(r.clock.pending).to.equal(1);
    await r.clock.advance(999);
    expect(r.source.calls).to.have.length(0);
    await r.clock.advance(1);
    expect(r.source.calls).to.have.length(1);
    // The next round comes an interval after (the lock's 54 s have passed by then).
    await r.clock.advance(59_999);
    expect(r.source.calls).to.have.length(1);
    await r.clock.advance(1);
    expect(r.source.calls).to.have.length(2);
    // A round in flight: stop waits for it.
    r.source.answer = (_tn) => new Promise((resolve) => (release = () => resolve({ status: 'delivered' })));
    await r.clock.advance(60_000);
    expect(r.source.calls).to.have.length(3);
    let stopped = false;
    const stopping = r.poller.stop().then(() => (stopped = true));
    await ticks();
    expect(stopped).to.equal(false);
    expect(r.source.signals[2]?.aborted).to.equal(true);
    release?.();
    await stopping;
    expect(r.clock.pending).to.equal(0);
    // The lock was let go: another poller may take it at once.
    expect(await lock.acquire('parcel-poll', 1000)).to.equal(true);
    expect((await r.poller.pollOnce()).ran).to.equal(false);
  });

  it('rejects bad options', function () {
    const store = new MemoryWatchStore();
    const base = { watches: store, source: new FakeSource(() => undefined), accept: async () => undefined, logger: recordingLogger() };
    expect(() => new ParcelPoller({ ...base, concurrency: 0 })).to.throw(TypeError, /concurrency/);
    expect(() => new ParcelPoller({ ...base, intervalMs: Number.NaN })).to.throw(TypeError, /intervalMs/);
    expect(() => new ParcelPoller({ ...base, watches: undefined } as never)).to.throw(TypeError);
  });
});

describe('redisPollLock (real Redis)', function () {
  const t = useTestRedis();

  it('acquires with SET NX PX, refuses while held, and a released lock can be taken again', async function () {
    const prefix = t.prefix('poll-lock');
    const one = redisPollLock(t.redis, prefix);
    const two = redisPollLock(t.redis, prefix);
    expect(await one.acquire('round', 10_000)).to.equal(true);
    expect(await one.acquire('round', 10_000)).to.equal(false);
    expect(await two.acquire('round', 10_000)).to.equal(false);
    const ttl = await t.redis.pttl(`${prefix}round`);
    expect(ttl).to.be.within(1, 10_000);
    // Someone else's release leaves it alone.
    await two.release('round');
    expect(await two.acquire('round', 10_000)).to.equal(false);
    await one.release('round');
    expect(await t.redis.exists(`${prefix}round`)).to.equal(0);
    expect(await two.acquire('round', 10_000)).to.equal(true);
    // Another key is another lock.
    expect(await one.acquire('other', 10_000)).to.equal(true);
  });

  it('expires; a lock taken over after expiry is not released by the old holder (compare and delete)', async function () {
    const prefix = t.prefix('poll-lock');
    const old = redisPollLock(t.redis, prefix);
    const fresh = redisPollLock(t.redis, prefix);
    expect(await old.acquire('round', 30)).to.equal(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(await fresh.acquire('round', 10_000)).to.equal(true);
    await old.release('round');
    expect(await old.acquire('round', 10_000)).to.equal(false);
    expect(await t.redis.pttl(`${prefix}round`)).to.be.greaterThan(5_000);
  });
});
