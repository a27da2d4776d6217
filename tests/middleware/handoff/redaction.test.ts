import { expect } from 'chai';
import { Redactor, ibanValid, luhnValid, redact } from '../../../middleware/handoff/redaction';

describe('redaction', function () {
  describe('checksums', function () {
    it('checks Luhn', function () {
      expect(luhnValid('4242424242424242')).to.equal(true);
      expect(luhnValid('4242424242424241')).to.equal(false);
      expect(luhnValid('378282246310005')).to.equal(true);
      expect(luhnValid('')).to.equal(false);
      expect(luhnValid('42a2')).to.equal(false);
    });
    it('checks IBAN mod 97 and country length', function () {
      expect(ibanValid('FR7630006000011234567890189')).to.equal(true);
      expect(ibanValid('FR7630006000011234567890188')).to.equal(false);
      expect(ibanValid('DE89370400440532013000')).to.equal(true);
      expect(ibanValid('GB82WEST12345698765432')).to.equal(true);
      expect(ibanValid('DE8937040044053201300')).to.equal(false); // one digit short for DE
    });
  });

  const table: Array<{ name: string; input: string; expected: string }> = [
    // cards
    { name: 'Visa with spaces', input: 'my card is 4242 4242 4242 4242 thanks', expected: 'my card is [card •••• 4242] thanks' },
    { name: 'Visa compact', input: 'carte 4111111111111111.', expected: 'carte [card •••• 1111].' },
    { name: 'Mastercard with dashes', input: '5555-5555-5555-4444', expected: '[card •••• 4444]' },
    { name: 'Amex compact', input: '371234567890120', expected: '[card •••• 0120]' },
    { name: 'Amex 4-6-5', input: 'amex 3782 822463 10005', expected: 'amex [card •••• 0005]' },
    { name: 'card followed by CVC', input: '4242 4242 4242 4242 123', expected: '[card •••• 4242]' },
    { name: 'card next to a phone', input: '4242424242424242 0612345678', expected: '[card •••• 4242] [phone]' },
    { name: 'failing Luhn is not a card', input: 'card 4242-4242-4242-4241 ?', expected: 'card 4242-4242-4242-4241 ?' },
    { name: '12 digits is not a card', input: 'ref 424242424242', expected: 'ref 424242424242' },
    // IBAN
    { name: 'French IBAN in groups', input: 'IBAN FR76 3000 6000 0112 3456 7890 189 merci', expected: 'IBAN [IBAN FR76 •••] merci' },
    { name: 'lower-case compact IBAN', input: 'rib fr7630006000011234567890189', expected: 'rib [IBAN FR76 •••]' },
    { name: 'German IBAN', input: 'DE89 3704 0044 0532 0130 00.', expected: '[IBAN DE89 •••].' },
    { name: 'British IBAN', input: 'GB82 WEST 1234 5698 7654 32', expected: '[IBAN GB82 •••]' },
    { name: 'IBAN failing mod 97 is kept', input: 'FR76 3000 6000 0112 3456 7890 188', expected: 'FR76 3000 6000 0112 3456 7890 188' },
    // e-mail
    { name: 'e-mail', input: 'write to jean.dupont+sav@example.co.uk now', expected: 'write to [email] now' },
    { name: 'e-mail in French sentence', input: "c'est marie_l@orange.fr, merci", expected: "c'est [email], merci" },
    // phones
    { name: 'French international', input: 'appelez le +33 6 12 34 56 78', expected: 'appelez le [phone]' },
    { name: 'French international compact', input: '+33612345678', expected: '[phone]' },
    { name: 'French national pairs', input: 'mon numéro 06 12 34 56 78.', expected: 'mon numéro [phone].' },
    { name: 'French national dots', input: '06.12.34.56.78', expected: '[phone]' },
    { name: 'French national compact', input: 'tel 0612345678', expected: 'tel [phone]' },
    { name: 'US parentheses', input: 'call (555) 123-4567 please', expected: 'call [phone] please' },
    { name: 'US dashes', input: '555-123-4567', expected: '[phone]' },
    { name: 'US with +1', input: '+1 (555) 123-4567', expected: '[phone]' },
    { name: 'US toll-free', input: '1-800-555-1234', expected: '[phone]' },
    { name: 'UK international', input: '+44 20 7946 0958', expected: '[phone]' },
    // tracking numbers and ordinary numbers are left alone
    { name: 'UPS 1Z', input: 'parcel 1Z999AA10123456784', expected: 'parcel 1Z999AA10123456784' },
    { name: 'UPU S10', input: 'colis RR123456789FR', expected: 'colis RR123456789FR' },
    { name: 'USPS 22 digits', input: '9400111899223856928499', expected: '9400111899223856928499' },
    { name: 'USPS 22 digits in groups', input: '9400 1118 9922 3856 9284 99', expected: '9400 1118 9922 3856 9284 99' },
    { name: 'FedEx 12 digits', input: '123456789012', expected: '123456789012' },
    { name: 'FedEx 15 digits passing Luhn', input: 'fedex 612345678901231', expected: 'fedex 612345678901231' },
    { name: 'DHL 10 digits', input: 'dhl 1234567890', expected: 'dhl 1234567890' },
    { name: 'Colissimo', input: '6A12345678901 et 6Y 1113 8937 441', expected: '6A12345678901 et 6Y 1113 8937 441' },
    { name: 'dates, times, amounts', input: 'on 2024-05-12 at 10:30, total 1 000 000 euros, order 12345', expected: 'on 2024-05-12 at 10:30, total 1 000 000 euros, order 12345' },
    { name: 'no digits at all', input: 'Where is my parcel?', expected: 'Where is my parcel?' },
  ];
  for (const row of table) {
    it(`redacts: ${row.name}`, function () {
      expect(redact(row.input)).to.equal(row.expected);
    });
  }

  it('checks the sanity of the FedEx row: the number passes Luhn, so only the issuer check keeps it', function () {
    expect(luhnValid('612345678901231')).to.equal(true);
  });

  it('applies developer rules and keeps what the developer says to keep', function () {
    const r = new Redactor({
      rules: [{ name: 'customer-number', pattern: /\bCUST-\d{6}\b/g, replace: '[customer]' }],
      keep: (candidate) => candidate.replace(/\D/g, '') === '0612345678',
    });
    expect(r.redact('I am CUST-123456, call 0612345678 or 0698765432')).to.equal('I am [customer], call 0612345678 or [phone]');
    expect(() => new Redactor({ rules: [{ name: 'x', pattern: /x/, replace: '' }] })).to.throw(TypeError, /global/);
    expect(new Redactor({ disable: ['email'] }).redact('a@b.fr 0612345678')).to.equal('a@b.fr [phone]');
  });

  it('is fast enough for every message', function () {
    const text = 'Bonjour, mon colis 1Z999AA10123456784 est perdu, appelez le 06 12 34 56 78 ou écrivez à a@b.fr. ';
    const start = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) redact(text);
    const perCallMs = Number(process.hrtime.bigint() - start) / 1e6 / 2000;
    // Generous bound (a shared 2-core machine): catches catastrophic backtracking, not micro-regressions.
    expect(perCallMs).to.be.lessThan(1);
  });
});
