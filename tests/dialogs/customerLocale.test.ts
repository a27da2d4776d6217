import { expect } from 'chai';
import { channelTimeZone, resolveCustomerLocale } from '../../dialogs/customerLocale';
import type { Signals } from '../../middleware/signals/signals';

const base = { defaultLocale: 'en-US', defaultTimeZone: 'Europe/Paris' };
const signals = (language: string, languageSource: Signals['languageSource']): Signals => ({
  language,
  languageSource,
  sentiment: 0,
  emotions: [],
  intents: [],
  trajectory: { turns: 1, rollingSentiment: 0, consecutiveNegative: 0, escalating: false },
});

describe('resolveCustomerLocale', () => {
  it('activity locale first, then signals, then words, then the conversation, then the default', () => {
    expect(resolveCustomerLocale({ locale: 'fr-CA' }, { ...base, signals: signals('en', 'detected'), detected: 'en' })).to.include({
      language: 'fr',
      locale: 'fr-CA',
    });
    expect(resolveCustomerLocale({}, { ...base, signals: signals('fr', 'locale'), detected: 'en' }).language).to.equal('fr');
    expect(resolveCustomerLocale({}, { ...base, detected: 'fr', previous: 'en' }).language).to.equal('fr');
    expect(resolveCustomerLocale({}, { ...base, previous: 'fr' })).to.include({ language: 'fr', locale: 'fr-FR' });
    expect(resolveCustomerLocale({}, base)).to.include({ language: 'en', locale: 'en-US' });
    expect(resolveCustomerLocale({ locale: 'de-DE' }, { ...base, defaultLocale: 'fr-BE' })).to.include({ language: 'fr', locale: 'fr-BE' });
  });

  it('what the customer writes confidently outranks the locale; a language switched to by writing is kept', () => {
    expect(resolveCustomerLocale({ locale: 'en-US' }, { ...base, written: 'fr', previous: 'en' })).to.include({ language: 'fr', locale: 'fr-FR' });
    expect(resolveCustomerLocale({ locale: 'fr-FR' }, { ...base, written: 'en', previous: 'fr' })).to.include({ language: 'en', locale: 'en-US' });
    // A short message ("ok") after the switch: no confident language, the switch is kept over the locale.
    expect(resolveCustomerLocale({ locale: 'en-US' }, { ...base, chosen: 'fr', previous: 'fr' })).to.include({ language: 'fr', locale: 'fr-FR' });
    // The words win over an earlier switch; the locale's region is kept when it matches.
    expect(resolveCustomerLocale({ locale: 'fr-CA' }, { ...base, written: 'fr', chosen: 'en' })).to.include({ language: 'fr', locale: 'fr-CA' });
    // A weak hint (one word) never outranks the locale.
    expect(resolveCustomerLocale({ locale: 'en-US' }, { ...base, detected: 'fr' }).language).to.equal('en');
  });

  it('a blind signals guess on a bare number does not override the conversation language', () => {
    expect(resolveCustomerLocale({}, { ...base, signals: signals('en', 'detected'), previous: 'fr' }).language).to.equal('fr');
  });

  it('time zone from Web Chat localTimezone, then Teams clientInfo; invalid zones ignored', () => {
    expect(channelTimeZone({ localTimezone: 'America/New_York' })).to.equal('America/New_York');
    expect(channelTimeZone({ entities: [{ type: 'clientInfo', timezone: 'Asia/Tokyo' }] })).to.equal('Asia/Tokyo');
    expect(channelTimeZone({ localTimezone: 'Not/AZone', entities: [{ type: 'clientInfo', timezone: 'x'.repeat(500) }] })).to.equal(undefined);
    expect(resolveCustomerLocale({}, base)).to.include({ timeZone: undefined, fallbackTimeZone: 'Europe/Paris' });
  });
});
