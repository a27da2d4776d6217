import { expect } from 'chai';
import { validateTrackingNumber } from '../../../dialogs/tracking/carriers';
import { DEMO_PARCELS, DemoTrackingProvider } from '../../../dialogs/tracking/demoTrackingProvider';
import { TrackingProviderError, type ParcelStatus } from '../../../dialogs/tracking/trackingProvider';

const ALL_STATUSES: readonly ParcelStatus[] = [
  'delivered',
  'in_transit',
  'out_for_delivery',
  'delayed',
  'exception_damaged',
  'exception_lost',
  'returned_to_sender',
];

const NOW = new Date('2025-03-14T10:00:00Z');
const clock = () => NOW;

describe('DemoTrackingProvider', () => {
  it('lists parcels covering every status, with valid check digits and several carriers', () => {
    expect(new Set(DEMO_PARCELS.map((p) => p.status))).to.have.all.keys(...ALL_STATUSES);
    const carriers = new Set(DEMO_PARCELS.map((p) => p.carrier));
    expect(carriers).to.include.all.keys('colissimo', 'ups', 'dhl', 'fedex', 'usps', 'chronopost');
    for (const p of DEMO_PARCELS) {
      const v = validateTrackingNumber(p.trackingNumber);
      expect(v, p.trackingNumber).to.deep.include({ valid: true, carrier: p.carrier, normalized: p.trackingNumber });
      expect(p.summary).to.be.a('string').with.length.greaterThan(10);
    }
    expect(new Set(DEMO_PARCELS.map((p) => p.trackingNumber)).size).to.equal(DEMO_PARCELS.length);
  });

  for (const parcel of DEMO_PARCELS) {
    it(`answers ${parcel.trackingNumber} as ${parcel.status}`, async () => {
      const r = await new DemoTrackingProvider({ now: clock }).track(parcel.trackingNumber, parcel.carrier);
      expect(r).to.deep.include({ trackingNumber: parcel.trackingNumber, carrier: parcel.carrier, status: parcel.status });
      expect(r.lastEvent, 'last event').to.not.equal(undefined);
      const event = r.lastEvent!;
      expect(Date.parse(event.time)).to.be.below(NOW.getTime());
      expect(event.place).to.be.a('string').and.not.equal('');
      expect(() => new Intl.DateTimeFormat('en', { timeZone: event.timeZone })).to.not.throw();
      expect(event.timeZone).to.be.a('string');
      if (parcel.status === 'delivered') expect(r.deliveredAt).to.equal(event.time);
      else expect(r.deliveredAt).to.equal(undefined);
      if (['in_transit', 'out_for_delivery', 'delayed'].includes(parcel.status)) {
        expect(r.expectedDelivery, 'expected delivery').to.match(/^\d{4}-\d{2}-\d{2}$/);
        expect(r.expectedDelivery! >= NOW.toISOString().slice(0, 10)).to.equal(true);
      }
    });
  }

  it('moves times with the injected clock', async () => {
    const later = new Date(NOW.getTime() + 86_400_000);
    const p = DEMO_PARCELS.find((x) => x.status === 'in_transit')!;
    const a = await new DemoTrackingProvider({ now: () => NOW }).track(p.trackingNumber, undefined);
    const b = await new DemoTrackingProvider({ now: () => later }).track(p.trackingNumber, undefined);
    expect(Date.parse(b.lastEvent!.time) - Date.parse(a.lastEvent!.time)).to.equal(86_400_000);
    expect(b.expectedDelivery! > a.expectedDelivery!).to.equal(true);
  });

  it('gives the expected date in the destination time zone', async () => {
    // 23:30 UTC on 14 March is already 15 March in Paris: out for delivery "today" means the 15th.
    const lateEvening = () => new Date('2025-03-14T23:30:00Z');
    const ofd = DEMO_PARCELS.find((x) => x.status === 'out_for_delivery')!;
    const r = await new DemoTrackingProvider({ now: lateEvening }).track(ofd.trackingNumber, undefined);
    expect(r.expectedDelivery).to.equal('2025-03-15');
  });

  it('describes events in French or English', async () => {
    const p = DEMO_PARCELS.find((x) => x.status === 'delivered')!;
    const provider = new DemoTrackingProvider({ now: clock });
    const fr = await provider.track(p.trackingNumber, undefined, { language: 'fr-FR' });
    const en = await provider.track(p.trackingNumber, undefined, { language: 'en-US' });
    expect(fr.lastEvent!.description).to.match(/livré/);
    expect(en.lastEvent!.description).to.match(/delivered/);
  });

  it('accepts numbers typed with spaces and lower case', async () => {
    const r = await new DemoTrackingProvider({ now: clock }).track('1z4e 29w7 0374 8561 27', undefined);
    expect(r.status).to.equal('in_transit');
  });

  it('answers not_found for any other valid number, with the carrier of its format', async () => {
    const provider = new DemoTrackingProvider({ now: clock });
    expect(await provider.track('1Z999AA10123456784', undefined)).to.deep.equal({
      trackingNumber: '1Z999AA10123456784',
      carrier: 'ups',
      status: 'not_found',
    });
    expect(await provider.track('6Y11138937441', 'colissimo')).to.deep.include({ status: 'not_found', carrier: 'colissimo' });
    expect(await provider.track('', undefined)).to.deep.include({ status: 'not_found' });
  });

  it('honours an aborted signal, before and during the simulated latency', async () => {
    const provider = new DemoTrackingProvider({ now: clock, latencyMs: 5_000 });
    const pre = new AbortController();
    pre.abort();
    const err1 = await provider.track(DEMO_PARCELS[0].trackingNumber, undefined, { signal: pre.signal }).catch((e: unknown) => e);
    expect(err1).to.be.instanceOf(TrackingProviderError).with.property('kind', 'timeout');

    const during = new AbortController();
    setTimeout(() => during.abort(), 20);
    const err2 = await provider.track(DEMO_PARCELS[0].trackingNumber, undefined, { signal: during.signal }).catch((e: unknown) => e);
    expect(err2).to.be.instanceOf(TrackingProviderError).with.property('kind', 'timeout');
  });

  it('the expected day turns at midnight in the destination zone, also when asked a millisecond apart', async () => {
    // UPS demo parcel: due in 2 days in America/Chicago (UTC-5 in June), so its day turns at 05:00 UTC.
    const ups = DEMO_PARCELS.find((p) => p.carrier === 'ups')!.trackingNumber;
    let now = new Date('2025-06-03T04:59:59.999Z');
    const provider = new DemoTrackingProvider({ now: () => now });
    expect((await provider.track(ups, 'ups')).expectedDelivery).to.equal('2025-06-04');
    expect((await provider.track(ups, 'ups')).expectedDelivery, 'asked again').to.equal('2025-06-04');
    now = new Date('2025-06-03T05:00:00.000Z');
    expect((await provider.track(ups, 'ups')).expectedDelivery).to.equal('2025-06-05');
    now = new Date('2025-06-03T04:59:00.000Z');
    expect((await provider.track(ups, 'ups')).expectedDelivery, 'back before midnight').to.equal('2025-06-04');
  });

  it('rejects a negative latency at construction', () => {
    expect(() => new DemoTrackingProvider({ latencyMs: -1 })).to.throw(TypeError, /latencyMs/);
  });
});
