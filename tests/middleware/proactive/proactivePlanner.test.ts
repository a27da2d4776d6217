import { expect } from 'chai';
import type { CarrierEvent } from '../../../middleware/proactive/carrierEvent';
import type { ParcelWatch } from '../../../middleware/proactive/parcelWatch';
import { localClock, minutesOfQuietLeft, parseQuietHours, planProactive, type ProactiveSettings } from '../../../middleware/proactive/proactivePlanner';
import { parcelTail, proactiveMessage, readableDate } from '../../../middleware/proactive/proactiveMessages';

const event = (over: Partial<CarrierEvent> = {}): CarrierEvent => ({
  id: 'aftership:e1',
  source: 'aftership',
  trackingNumber: '6A12345678901',
  status: 'delayed',
  expectedDelivery: '2026-12-09',
  occurredAt: '2026-12-07T10:00:00Z',
  ...over,
});
const watch = (over: Partial<ParcelWatch> = {}): ParcelWatch => ({
  id: 'webchat/c1|6A12345678901',
  trackingNumber: '6A12345678901',
  conversation: { key: 'webchat/c1', channel: 'webchat', reference: {} },
  language: 'en',
  timeZone: 'Europe/Paris',
  wants: 'changes',
  upset: false,
  createdAt: '2026-12-07T09:00:00Z',
  expiresAt: Date.parse('2027-01-07T00:00:00Z'),
  ...over,
});
const settings: ProactiveSettings = { quietHours: parseQuietHours('21:00-08:00'), dailyCap: 3, defaultTimeZone: 'Europe/Paris' };
// 2026-12-07 12:00 in Paris (UTC+1).
const NOON_PARIS = Date.parse('2026-12-07T11:00:00Z');

describe('proactive planner', () => {
  it('parses quiet hours, spanning midnight or not, and refuses anything else', () => {
    expect(parseQuietHours('21:00-08:00')).to.deep.equal({ start: 1260, end: 480 });
    expect(parseQuietHours('12:30-13:45')).to.deep.equal({ start: 750, end: 825 });
    expect(parseQuietHours(' OFF ')).to.equal(undefined);
    for (const bad of ['', '21-8', '25:00-08:00', '21:00-21:00', '21:00 - 08:00', 'always']) expect(() => parseQuietHours(bad), bad).to.throw(RangeError);
  });

  it('reads the local clock of a time zone, and falls back to UTC for an unknown one', () => {
    expect(localClock(NOON_PARIS, 'Europe/Paris')).to.deep.equal({ day: '2026-12-07', minutes: 720 });
    expect(localClock(NOON_PARIS, 'America/Montreal')).to.deep.equal({ day: '2026-12-07', minutes: 360 });
    expect(localClock(NOON_PARIS, 'Not/AZone')).to.deep.equal({ day: '2026-12-07', minutes: 660 });
  });

  it('counts the quiet minutes left, across midnight', () => {
    const q = { start: 1260, end: 480 };
    expect(minutesOfQuietLeft(1259, q)).to.equal(0);
    expect(minutesOfQuietLeft(1260, q)).to.equal(660);
    expect(minutesOfQuietLeft(0, q)).to.equal(480);
    expect(minutesOfQuietLeft(479, q)).to.equal(1);
    expect(minutesOfQuietLeft(480, q)).to.equal(0);
  });

  const table: { name: string; e: CarrierEvent; w: ParcelWatch; at?: number; expect: Record<string, unknown> }[] = [
    { name: 'a delay at noon: sent now', e: event(), w: watch(), expect: { action: 'send', at: NOON_PARIS, deferred: false, day: '2026-12-07', openCase: false } },
    {
      name: 'a delay at 23:00 in Paris: deferred to 08:00 the next morning',
      e: event(),
      w: watch(),
      at: Date.parse('2026-12-07T22:00:00Z'),
      expect: { action: 'send', at: Date.parse('2026-12-08T07:00:00Z'), deferred: true, day: '2026-12-08' },
    },
    {
      name: 'the same instant is daytime in Montreal: sent now',
      e: event(),
      w: watch({ timeZone: 'America/Montreal' }),
      at: Date.parse('2026-12-07T22:00:00Z'),
      expect: { action: 'send', deferred: false, day: '2026-12-07' },
    },
    { name: 'out for delivery, not asked for: skipped', e: event({ status: 'out_for_delivery' }), w: watch(), expect: { action: 'skip', reason: 'not_wanted' } },
    { name: 'delivered, asked for: sent', e: event({ status: 'delivered' }), w: watch({ wants: 'delivery' }), expect: { action: 'send', deferred: false } },
    { name: 'in transit: never worth a message', e: event({ status: 'in_transit' }), w: watch({ wants: 'delivery' }), expect: { action: 'skip', reason: 'not_wanted' } },
    { name: 'a delay with the date the customer already saw: skipped', e: event(), w: watch({ seenStatus: 'delayed', seenExpected: '2026-12-09' }), expect: { action: 'skip', reason: 'seen' } },
    { name: 'a delay with a new date: sent', e: event({ expectedDelivery: '2026-12-11' }), w: watch({ seenStatus: 'delayed', seenExpected: '2026-12-09' }), expect: { action: 'send' } },
    { name: 'an unreachable conversation: skipped', e: event(), w: watch({ unreachable: true }), expect: { action: 'skip', reason: 'unreachable' } },
    { name: 'an exception for an upset customer: a case at once', e: event({ status: 'exception', exception: 'lost' }), w: watch({ upset: true }), expect: { action: 'send', openCase: true } },
    { name: 'an exception for a calm customer: a message, no case', e: event({ status: 'exception', exception: 'lost' }), w: watch(), expect: { action: 'send', openCase: false } },
  ];
  for (const row of table) {
    it(row.name, () => {
      const plan = planProactive(row.e, row.w, row.at ?? NOON_PARIS, settings);
      expect(plan).to.deep.include(row.expect);
    });
  }

  it('sends at once without quiet hours', () => {
    const plan = planProactive(event(), watch(), Date.parse('2026-12-07T22:00:00Z'), { ...settings, quietHours: undefined });
    expect(plan).to.deep.include({ action: 'send', deferred: false });
  });
});

describe('proactive messages', () => {
  it('says the news with the new date in the customer\'s language, the parcel by its last characters only', () => {
    const en = proactiveMessage(event(), 'en', { timeZone: 'Europe/Paris' });
    expect(en).to.contain('running late').and.contain('Wednesday 9 December').and.contain(parcelTail('6A12345678901')).and.contain('"a person"');
    expect(en).to.not.contain('6A12345678901');
    const fr = proactiveMessage(event(), 'fr-FR', { timeZone: 'Europe/Paris' });
    expect(fr).to.contain('du retard').and.contain('mercredi 9 décembre').and.contain('« un conseiller »');
  });

  it('apologises for an exception and says a person already has it when a case was opened', () => {
    const lost = proactiveMessage(event({ status: 'exception', exception: 'lost' }), 'en', { timeZone: 'UTC', caseOpened: true });
    expect(lost).to.contain("I'm sorry").and.contain('lost').and.contain('already has your conversation');
    expect(proactiveMessage(event({ status: 'exception', exception: 'damaged' }), 'fr', { timeZone: 'UTC' })).to.contain('endommagé');
    expect(proactiveMessage(event({ status: 'exception', exception: 'returned' }), 'en', { timeZone: 'UTC' })).to.contain('sent back');
  });

  it('tells out for delivery and delivered plainly, without offering a person', () => {
    expect(proactiveMessage(event({ status: 'out_for_delivery' }), 'en', { timeZone: 'UTC' })).to.match(/out for delivery today\.$/);
    expect(proactiveMessage(event({ status: 'delivered' }), 'fr', { timeZone: 'UTC' })).to.contain('a été livré');
  });

  it('reads dates safely', () => {
    expect(readableDate('2026-12-09', 'en', 'Pacific/Auckland')).to.equal('Wednesday 9 December');
    expect(readableDate('not a date', 'en', 'UTC')).to.equal(undefined);
    expect(readableDate(undefined, 'en', 'UTC')).to.equal(undefined);
    expect(readableDate('2026-12-09T23:30:00Z', 'fr', 'Bad/Zone')).to.equal('mercredi 9 décembre');
  });
});
