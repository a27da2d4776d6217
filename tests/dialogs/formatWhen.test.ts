import { expect } from 'chai';
import { formatWhen } from '../../dialogs/formatWhen';

const fresh = (ms: number, locale: string, timeZone: string, withTime: boolean): string =>
  new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone,
    ...(withTime ? { hour: 'numeric', minute: '2-digit' } : {}),
  }).format(new Date(ms));

describe('formatWhen', () => {
  it('shows an instant in the zone and locale asked, with or without the time', () => {
    expect(formatWhen('2025-06-03T12:05:00Z', { locale: 'en-US', timeZone: 'Europe/Paris', withTime: true })).to.equal(
      'Tuesday, June 3 at 2:05 PM',
    );
    expect(formatWhen('2025-06-03T12:05:00Z', { locale: 'fr-FR', timeZone: 'Europe/Paris', withTime: true })).to.equal('mardi 3 juin à 14:05');
    expect(formatWhen('2025-06-03T23:30:00Z', { locale: 'en-US', timeZone: 'Asia/Tokyo', withTime: false })).to.equal('Wednesday, June 4');
  });

  it('a calendar day is that day whatever the zone', () => {
    expect(formatWhen('2025-06-05', { locale: 'en-US', timeZone: 'Pacific/Kiritimati', withTime: false })).to.equal('Thursday, June 5');
    expect(formatWhen('2025-06-05', { locale: 'fr-FR', timeZone: 'Pacific/Pago_Pago', withTime: true })).to.equal('jeudi 5 juin');
  });

  it('missing or unreadable values give undefined, also when asked again', () => {
    for (let i = 0; i < 2; i++) {
      expect(formatWhen(undefined, { locale: 'en-US', timeZone: 'UTC', withTime: true })).to.equal(undefined);
      expect(formatWhen('not a date', { locale: 'en-US', timeZone: 'UTC', withTime: true })).to.equal(undefined);
      expect(formatWhen('2025-13-45', { locale: 'en-US', timeZone: 'UTC', withTime: false })).to.equal(undefined);
    }
  });

  it('remembered texts are exactly what Intl gives, for every second of a minute and for odd zone offsets', () => {
    const zones = ['Europe/Paris', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'Australia/Eucla'];
    const start = Date.UTC(2025, 2, 30, 0, 59, 0); // around the European clock change
    for (let m = 0; m < 120; m += 7) {
      for (const second of [0, 1, 59.999]) {
        const ms = start + m * 60_000 + second * 1000;
        const iso = new Date(ms).toISOString();
        for (const timeZone of zones) {
          for (const locale of ['en-US', 'fr-FR']) {
            for (const withTime of [true, false]) {
              expect(formatWhen(iso, { locale, timeZone, withTime }), `${iso} ${timeZone} ${locale}`).to.equal(fresh(ms, locale, timeZone, withTime));
            }
          }
        }
      }
    }
  });

  it('instants before 1973 (zone offsets in seconds) are formatted directly', () => {
    const ms = Date.UTC(1900, 0, 1, 11, 50, 30);
    const iso = new Date(ms).toISOString();
    expect(formatWhen(iso, { locale: 'en-US', timeZone: 'Europe/Paris', withTime: true })).to.equal(fresh(ms, 'en-US', 'Europe/Paris', true));
  });
});
