import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { ConversationPointer } from '../../../middleware/handoff/handoffCase';
import type { Messenger, OutgoingMessage } from '../../../middleware/handoff/messenger';
import type { CarrierEvent } from '../../../middleware/proactive/carrierEvent';
import type { ParcelWatch, WatchStore } from '../../../middleware/proactive/parcelWatch';
import { ProactiveCare, type ProactiveOutcome } from '../../../middleware/proactive/proactiveCare';
import { parseQuietHours } from '../../../middleware/proactive/proactivePlanner';
import { MemoryProactiveQueue } from '../../../middleware/proactive/proactiveQueue';
import { MemoryWatchStore } from '../../../middleware/proactive/stores/memoryWatchStore';
import { RedisWatchStore } from '../../../middleware/proactive/stores/redisWatchStore';
import { silentLogger } from '../../../middleware/shared/logger';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../handoff/testRedis';
import { FakeClock } from '../../helpers/fakeClock';

/** Noon in Paris. */
const NOON_PARIS = Date.parse('2026-12-07T11:00:00Z');

/** A channel that records messages and can refuse: `refuse` gives the next sends' errors. */
class FakeChannel implements Messenger {
  readonly sent: { to: string; text: string }[] = [];
  refuse: unknown[] = [];
  async send(to: ConversationPointer, messages: readonly OutgoingMessage[]): Promise<void> {
    const err = this.refuse.shift();
    if (err) throw err;
    for (const m of messages) this.sent.push({ to: to.key, text: m.text ?? '' });
  }
}

const pointer = (key: string, channel = 'msteams'): ConversationPointer => ({ key, channel, reference: { conversation: { id: key } } });
const watchOf = (clock: FakeClock, over: Partial<ParcelWatch> = {}): ParcelWatch => ({
  id: 'msteams/a:1|6A12345678901',
  trackingNumber: '6A12345678901',
  conversation: pointer('msteams/a:1'),
  language: 'en',
  timeZone: 'Europe/Paris',
  wants: 'changes',
  upset: false,
  createdAt: new Date(clock.now).toISOString(),
  expiresAt: clock.now + 30 * 86_400_000,
  ...over,
});
let eventSeq = 0;
const delay = (expected: string): CarrierEvent => ({
  id: `aftership:e${++eventSeq}`,
  source: 'aftership',
  trackingNumber: '6A12345678901',
  status: 'delayed',
  expectedDelivery: expected,
  occurredAt: '2026-12-07T10:00:00Z',
});
const httpError = (status: number, headers: Record<string, string> = {}) => Object.assign(new Error(`HTTP ${status}`), { statusCode: status, response: { status, headers } });

function setup(clock: FakeClock, options: { quiet?: string; cap?: number; watches?: WatchStore; channel?: FakeChannel } = {}) {
  const watches = options.watches ?? new MemoryWatchStore({ now: () => clock.now });
  const channel = options.channel ?? new FakeChannel();
  const queue = new MemoryProactiveQueue({ now: () => clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer });
  const outcomes: ProactiveOutcome[] = [];
  const care = new ProactiveCare({
    watches,
    queue,
    messenger: channel,
    settings: { quietHours: parseQuietHours(options.quiet ?? '21:00-08:00'), dailyCap: options.cap ?? 3, defaultTimeZone: 'Europe/Paris' },
    logger: silentLogger,
    now: () => clock.now,
    onOutcome: (o) => outcomes.push(o),
  });
  care.start();
  return { watches, channel, queue, care, outcomes };
}

describe('ProactiveCare (fake clock, fake channel)', () => {
  it('quiet hours: news at 23:00 Paris time waits for 08:00, then goes once', async () => {
    const clock = new FakeClock(NOON_PARIS);
    clock.now = Date.parse('2026-12-07T22:00:00Z');
    const { watches, channel, care, outcomes } = setup(clock);
    await watches.watch(watchOf(clock));
    await care.accept(delay('2026-12-10'));
    await clock.advance(0);
    expect(channel.sent).to.deep.equal([]);
    expect(outcomes).to.include('deferred');
    await clock.advance(9 * 60 * 60_000 - 60_000);
    expect(channel.sent, 'still 07:59 in Paris').to.deep.equal([]);
    await clock.advance(2 * 60_000);
    expect(channel.sent, outcomes.join()).to.have.length(1);
    expect(channel.sent[0].text).to.contain('running late');
  });

  it('the daily cap: at most N messages per parcel per local day, the next day counts again', async () => {
    const clock = new FakeClock(NOON_PARIS);
    const { watches, channel, care, outcomes } = setup(clock, { cap: 2 });
    await watches.watch(watchOf(clock));
    for (const day of ['2026-12-10', '2026-12-11', '2026-12-12']) {
      await care.accept(delay(day));
      await clock.advance(0);
    }
    expect(channel.sent).to.have.length(2);
    expect(outcomes).to.include('capped');
    await clock.advance(24 * 60 * 60_000);
    await care.accept(delay('2026-12-14'));
    await clock.advance(0);
    expect(channel.sent).to.have.length(3);
  });

  it('"stop": a stopped conversation hears nothing more', async () => {
    const clock = new FakeClock(NOON_PARIS);
    const { watches, channel, care } = setup(clock);
    await watches.watch(watchOf(clock));
    expect(await watches.stop('msteams/a:1')).to.equal(1);
    await care.accept(delay('2026-12-10'));
    await clock.advance(0);
    expect(channel.sent).to.deep.equal([]);
  });

  it('Teams 403 (BotNotInConversationRoster): the watch is unreachable, never retried', async () => {
    const clock = new FakeClock(NOON_PARIS);
    const { watches, channel, care, outcomes } = setup(clock);
    await watches.watch(watchOf(clock));
    channel.refuse = [httpError(403)];
    await care.accept(delay('2026-12-10'));
    await clock.advance(0);
    await clock.advance(60 * 60_000);
    expect(channel.sent).to.deep.equal([]);
    expect(outcomes).to.include('unreachable');
    expect((await watches.forParcel('6A12345678901'))[0].unreachable).to.equal(true);
    await care.accept(delay('2026-12-11'));
    await clock.advance(0);
    expect(channel.sent).to.deep.equal([]);
  });

  it('429: sent again after Retry-After, once', async () => {
    const clock = new FakeClock(NOON_PARIS);
    const { watches, channel, care, outcomes } = setup(clock);
    await watches.watch(watchOf(clock));
    channel.refuse = [httpError(429, { 'retry-after': '30' })];
    await care.accept(delay('2026-12-10'));
    await clock.advance(0);
    expect(outcomes).to.include('throttled');
    await clock.advance(29_000);
    expect(channel.sent).to.deep.equal([]);
    await clock.advance(2_000);
    expect(channel.sent).to.have.length(1);
  });

  it('5xx: retried with back-off, a bounded number of times', async () => {
    const clock = new FakeClock(NOON_PARIS);
    const { watches, channel, care, outcomes } = setup(clock);
    await watches.watch(watchOf(clock));
    channel.refuse = Array.from({ length: 10 }, () => httpError(502));
    await care.accept(delay('2026-12-10'));
    await clock.advance(10 * 60_000);
    expect(channel.sent).to.deep.equal([]);
    expect(outcomes.filter((o) => o === 'retried')).to.have.length(4);
    expect(outcomes.at(-1)).to.equal('failed');
  });

  describe('two instances on one Redis', function () {
    let redis: Redis | undefined;
    let prefix = '';
    before(async function () {
      if (skipRedis()) this.skip();
      redis = await connectTestRedis();
    });
    after(() => redis?.disconnect());
    afterEach(async () => {
      if (redis) await deleteKeys(redis, prefix);
    });

    it('one event delivered to both: one message', async () => {
      prefix = uniquePrefix('proactive-care');
      const clock = new FakeClock(NOON_PARIS);
      const channel = new FakeChannel();
      const a = setup(clock, { channel, watches: new RedisWatchStore({ redis: redis as Redis, prefix, now: () => clock.now }) });
      const b = setup(clock, { channel, watches: new RedisWatchStore({ redis: redis as Redis, prefix, now: () => clock.now }) });
      await a.watches.watch(watchOf(clock));
      const e = delay('2026-12-10');
      await Promise.all([a.care.accept(e), b.care.accept(e)]);
      await clock.advance(0);
      // The runs go through real Redis round trips: wait (real time) for them to settle, not for a number of ticks.
      const until = Date.now() + 3000;
      while (channel.sent.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      expect(channel.sent).to.have.length(1);
      expect(a.outcomes.concat(b.outcomes).filter((o) => o === 'duplicate')).to.have.length(1);
    });
  });
});
