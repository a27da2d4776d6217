import { expect } from 'chai';
import {
  carrierDisplayName,
  describeTrackingFormat,
  findTrackingNumbers,
  validateTrackingNumber,
  type TrackingFormatId,
} from '../../../dialogs/tracking/carriers';
import type { CarrierId } from '../../../dialogs/tracking/trackingProvider';

interface Case {
  readonly carrier: CarrierId;
  readonly format: TrackingFormatId;
  /** Valid numbers (check digit holds). */
  readonly valid: readonly string[];
  /** The first valid number with one digit changed: same shape, wrong check digit. */
  readonly oneDigitChanged: string;
  /** Wrong length (one character dropped or added). */
  readonly wrongLength: string;
  /** Carrier guessed for the typo, when the shape is shared (20 digits: USPS first). Default `carrier`. */
  readonly guess?: CarrierId;
}

// Valid numbers: carriers' published samples (UPS 1Z999AA1…, USPS 9400 1112…, UPU RB123456785GB…), La Poste
// samples (6S00993561113, 6Y11138937441) and this project's demo parcels.
const CASES: readonly Case[] = [
  {
    carrier: 'ups',
    format: 'ups',
    valid: ['1Z999AA10123456784', '1Z4E29W70374856127', '1Z5R89390357567127', '1Z879E930346834440'],
    oneDigitChanged: '1Z999AA10123456794',
    wrongLength: '1Z999AA1012345678',
  },
  {
    carrier: 'fedex',
    format: 'fedex_express',
    valid: ['986578788855', '774281950363', '012345678983', '799531274483'],
    oneDigitChanged: '986578788865',
    wrongLength: '98657878885',
  },
  {
    carrier: 'fedex',
    format: 'fedex_ground',
    valid: ['041441760228964', '568283610012734'],
    oneDigitChanged: '041441760228974',
    wrongLength: '04144176022896',
  },
  {
    carrier: 'fedex',
    format: 'fedex_ground_96',
    valid: ['9611020987654312345672'],
    oneDigitChanged: '9611020987654312345682',
    wrongLength: '961102098765431234567',
  },
  {
    carrier: 'fedex',
    format: 'fedex_34',
    valid: ['1001921334250001000300779017972697', '9622001900000000000000776632517510'],
    oneDigitChanged: '1001921334250001000300779017972607',
    wrongLength: '100192133425000100030077901797269',
  },
  {
    carrier: 'fedex',
    format: 'fedex_smartpost',
    valid: ['61299998820821171811'],
    oneDigitChanged: '61299998820821171821',
    wrongLength: '6129999882082117181',
    guess: 'usps',
  },
  {
    carrier: 'usps',
    format: 'usps_impb',
    valid: ['9400111201080805483016', '9400111899223854017347', '420221539101026837331000039521', '4201002334249200190132607600833457', '92748931507708513018050063'],
    oneDigitChanged: '9400111201080805483026',
    wrongLength: '940011120108080548301',
  },
  {
    carrier: 'usps',
    format: 'usps_20',
    valid: ['03071790000523483741', '71969010756003077385'],
    oneDigitChanged: '03071790000523483751',
    wrongLength: '0307179000052348374',
  },
  {
    carrier: 'usps',
    format: 's10',
    valid: ['EA123456785US'],
    oneDigitChanged: 'EA123456786US',
    wrongLength: 'EA12345678US',
  },
  {
    carrier: 'dhl',
    format: 'dhl_express',
    valid: ['3318810025', '4820631756', '8487135506'],
    oneDigitChanged: '3318810035',
    wrongLength: '331881002',
  },
  {
    carrier: 'dhl',
    format: 'dhl_jjd',
    valid: ['JJD0099999999', 'JJD014600006752811234'],
    oneDigitChanged: 'JJX0099999999',
    wrongLength: 'JJD009999',
  },
  {
    carrier: 'colissimo',
    format: 'laposte_13',
    valid: ['6Y11138937441', '6S00993561113', '6A24188037153', '8R03274195588'],
    oneDigitChanged: '6Y11138937451',
    wrongLength: '6Y1113893744',
  },
  {
    carrier: 'colissimo',
    format: 's10',
    valid: ['CB588103641FR'],
    oneDigitChanged: 'CB588103642FR',
    wrongLength: 'CB58810364FR',
  },
  {
    carrier: 'chronopost',
    format: 's10',
    valid: ['XY746876977FR', 'XY307182650FR'],
    oneDigitChanged: 'XY746876978FR',
    wrongLength: 'XY7468769771FR',
  },
  {
    carrier: 'upu',
    format: 's10',
    valid: ['RB123456785GB', 'RB409153720GB', 'LX123456785CN'],
    oneDigitChanged: 'RB123456786GB',
    wrongLength: 'RB1234567855GB',
  },
];

/** Writes a number the way a customer might: lower case, groups of 4 separated by spaces. */
const asTyped = (n: string): string => n.toLowerCase().replace(/(.{4})(?=.)/g, '$1 ');

describe('carriers: validateTrackingNumber', () => {
  for (const c of CASES) {
    describe(`${c.carrier} (${c.format})`, () => {
      for (const n of c.valid) {
        it(`accepts ${n}`, () => {
          const r = validateTrackingNumber(n);
          expect(r).to.deep.include({ valid: true, carrier: c.carrier, normalized: n, format: c.format });
        });
        it(`accepts ${n} typed in lower case with spaces and dashes`, () => {
          expect(validateTrackingNumber(asTyped(n))).to.deep.include({ valid: true, carrier: c.carrier, normalized: n });
          expect(validateTrackingNumber(asTyped(n).replace(/ /g, '-'))).to.deep.include({ valid: true, normalized: n });
        });
      }

      if (c.format !== 'dhl_jjd') {
        it(`says "check digit" for one digit changed (${c.oneDigitChanged})`, () => {
          const r = validateTrackingNumber(c.oneDigitChanged);
          expect(r.valid).to.equal(false);
          if (r.valid) return;
          expect(r.reason).to.equal('check_digit');
          expect(r.carrierGuess).to.equal(c.guess ?? c.carrier);
          expect(r.expected).to.be.a('string').and.not.equal('');
        });
      } else {
        it(`rejects a wrong prefix (${c.oneDigitChanged})`, () => {
          expect(validateTrackingNumber(c.oneDigitChanged).valid).to.equal(false);
        });
      }

      it(`says "format" for a wrong length (${c.wrongLength})`, () => {
        const r = validateTrackingNumber(c.wrongLength);
        expect(r.valid).to.equal(false);
        if (!r.valid) expect(r.reason).to.equal('format');
      });
    });
  }

  it('detects every single-digit substitution in GS1 and S10 numbers', () => {
    // Weights 3/1 mod 10 catch all single-digit errors; so do the S10 weights mod 11, except that remainders
    // 0 and 6 both give check digit 5, hence an S10 sample whose check digit is not 5.
    for (const n of ['6Y11138937441', '9400111201080805483016', 'CB588103641FR']) {
      for (let p = 0; p < n.length; p += 1) {
        if (!/\d/.test(n[p]) || (n.startsWith('94') && p < 2) || (n.startsWith('6Y') && p === 0)) continue;
        for (let d = 0; d <= 9; d += 1) {
          if (String(d) === n[p]) continue;
          const changed = n.slice(0, p) + d + n.slice(p + 1);
          expect(validateTrackingNumber(changed).valid, changed).to.equal(false);
        }
      }
    }
  });

  it('rejects an S10 number whose country code is not ISO 3166', () => {
    const r = validateTrackingNumber('RB123456785XX');
    expect(r).to.deep.include({ valid: false, reason: 'format' });
  });

  it('accepts La Poste letter numbers on format alone (their key is not public)', () => {
    expect(validateTrackingNumber('1K12345678901')).to.deep.include({ valid: true, carrier: 'laposte', checkDigit: 'none' });
  });

  it('guesses the carrier from the prefix of a malformed number', () => {
    expect(validateTrackingNumber('1Z999AA1')).to.deep.include({ valid: false, reason: 'format', carrierGuess: 'ups' });
    expect(validateTrackingNumber('6A123')).to.deep.include({ valid: false, reason: 'format', carrierGuess: 'colissimo' });
  });

  it('says "format" without a guess for text that is not a tracking number', () => {
    for (const text of ['', 'hello', 'je ne l’ai pas', '12', 'https://example.com/x?a=1', 'x'.repeat(5000)]) {
      const r = validateTrackingNumber(text);
      expect(r.valid, text.slice(0, 20)).to.equal(false);
      if (!r.valid) {
        expect(r.reason).to.equal('format');
        expect(r.carrierGuess).to.equal(undefined);
      }
    }
  });

  it('finds the number inside a sentence', () => {
    expect(validateTrackingNumber('my number is 1z 999 aa1 01 2345 6784, thanks')).to.deep.include({
      valid: true,
      carrier: 'ups',
      normalized: '1Z999AA10123456784',
    });
  });

  it('describes the expected format in English or French', () => {
    const en = validateTrackingNumber('6Y11138937451');
    const fr = validateTrackingNumber('6Y11138937451', { locale: 'fr-FR' });
    expect(en.valid || fr.valid).to.equal(false);
    if (!en.valid && !fr.valid) {
      expect(en.expected).to.match(/13 characters/);
      expect(fr.expected).to.match(/13 caractères/);
      expect(en.expected).to.include('6Y 1113 8937 441');
    }
    expect(describeTrackingFormat(undefined, 'fr')).to.match(/numéro de suivi/);
    expect(describeTrackingFormat('laposte')).to.equal(describeTrackingFormat('colissimo'));
  });

  it('only uses valid example numbers in its format descriptions', () => {
    const carriers: CarrierId[] = ['ups', 'fedex', 'usps', 'dhl', 'colissimo', 'chronopost', 'upu'];
    for (const carrier of carriers) {
      for (const lang of ['en', 'fr']) {
        const text = describeTrackingFormat(carrier, lang);
        const examples = findTrackingNumbers(text).filter((m) => m.valid);
        expect(examples, `${carrier}/${lang}: ${text}`).to.have.length.greaterThan(0);
      }
    }
  });

  it('names carriers for display', () => {
    expect(carrierDisplayName('ups')).to.equal('UPS');
    expect(carrierDisplayName('colissimo')).to.equal('Colissimo');
    expect(carrierDisplayName('acme')).to.equal('acme');
  });
});

describe('carriers: findTrackingNumbers', () => {
  const found: ReadonlyArray<readonly [string, string, CarrierId]> = [
    ['Where is my parcel 1z 999 aa1 01 2345 6784 please?', '1Z999AA10123456784', 'ups'],
    ['Hi, my UPS number: 1Z4E29W70374856127.', '1Z4E29W70374856127', 'ups'],
    ['où est mon colis 6Y 1113 8937 441 ?', '6Y11138937441', 'colissimo'],
    ['Bonjour, suivi de ma commande : 6a24188037153 merci', '6A24188037153', 'colissimo'],
    ["j'attends le colis CB 588 103 641 FR depuis une semaine", 'CB588103641FR', 'colissimo'],
    ['Mon Chronopost XY307182650FR est-il parti ?', 'XY307182650FR', 'chronopost'],
    ['the registered letter RB-409-153-720-GB has not arrived', 'RB409153720GB', 'upu'],
    ['my dhl waybill is 48 2063 1756', '4820631756', 'dhl'],
    ['Mon numéro DHL : 3318810025', '3318810025', 'dhl'],
    ['tracking number 9865 7878 8855', '986578788855', 'fedex'],
    ['FedEx 774281950363 is late', '774281950363', 'fedex'],
    ['USPS says 9400 1112 0108 0805 4830 16 was lost', '9400111201080805483016', 'usps'],
    ['ground package 0414 4176 0228 964 please', '041441760228964', 'fedex'],
    ['4820631756', '4820631756', 'dhl'],
    ['986578788855 ?', '986578788855', 'fedex'],
    ['le colis JJD0099999999 de DHL', 'JJD0099999999', 'dhl'],
    ['colis n° 986578788855', '986578788855', 'fedex'],
    // Words joined to the number by single spaces: candidates starting at a word are cut short (no format
    // starts with five non-digits), never the number itself, whatever letters it starts with.
    ['please where is my parcel JJD 0099 9999 99', 'JJD0099999999', 'dhl'],
    ['tracking for my shipment JVGL 1234 56789 thanks', 'JVGL123456789', 'dhl'],
    ['whereabouts of registered letter RB 409 153 720 GB', 'RB409153720GB', 'upu'],
    ['anything about my parcel number 1z 999 aa1 01 2345 6784', '1Z999AA10123456784', 'ups'],
  ];
  for (const [text, normalized, carrier] of found) {
    it(`finds ${normalized} in "${text}"`, () => {
      const matches = findTrackingNumbers(text);
      expect(matches).to.have.length(1);
      expect(matches[0]).to.deep.include({ normalized, carrier, valid: true });
      // index/length point at the number as typed
      const typed = text.slice(matches[0].index, matches[0].index + matches[0].length);
      expect(typed.replace(/[\s-]/g, '').toUpperCase()).to.equal(normalized);
    });
  }

  it('finds several numbers in text order', () => {
    const m = findTrackingNumbers('I have 6Y11138937441 and also 1Z999AA10123456784');
    expect(m.map((x) => x.normalized)).to.deep.equal(['6Y11138937441', '1Z999AA10123456784']);
  });

  it('reports an unmistakable shape with a wrong check digit as invalid (a typo)', () => {
    const m = findTrackingNumbers('le colis 6Y 1113 8937 451 n’arrive pas');
    expect(m).to.have.length(1);
    expect(m[0]).to.deep.include({ normalized: '6Y11138937451', carrier: 'colissimo', valid: false, checkDigit: 'invalid' });
    expect(findTrackingNumbers('1Z999AA10123456794 where?')[0]).to.deep.include({ valid: false, carrier: 'ups' });
  });

  // Each number below is valid on its own (checked first), so only the context can exclude it.
  const notFound: ReadonlyArray<readonly [string, string, string | undefined]> = [
    ['a phone number starting with 0', 'Call me on 0612345672 about my parcel', '0612345672'],
    ['a French phone number in pairs', 'mon numéro de téléphone est le 06 12 34 56 72', '0612345672'],
    ['a phone number with a call cue', 'please call 4820631756 tomorrow about the parcel', '4820631756'],
    ['a number behind a +', 'my parcel? reach me at +4820631756', '4820631756'],
    ['a US phone number', 'my parcel is late, my cell is 482-063-1756', '4820631756'],
    ['a 12-digit number without tracking context', 'I got 986578788855 points this year', '986578788855'],
    ['a 12-digit number after a plain "no"', 'no I got 986578788855 points', '986578788855'],
    ['an order number', 'where is my parcel for order 986578788855', '986578788855'],
    ['a French order number', 'colis de la commande n° 4820631756', '4820631756'],
    ['an invoice reference', 'parcel invoice ref 041441760228964', '041441760228964'],
    ['an amount in euros', 'I paid 4820631756 € for this parcel', '4820631756'],
    ['an amount in dollars', 'tracking shows $ 986578788855', '986578788855'],
    ['a date and a time', 'parcel delivered on 2024-05-12 1035 they said', '202405121035'],
    ['a slice of a longer number', 'tracking 12 3318810025 99', '3318810025'],
    ['ordinary prose', 'Where is my parcel? It was due on 12/05/2024 at 10:30, I paid 49.90 EUR.', undefined],
    ['ordinary French prose', 'Mon colis devait arriver le 12 mai, commande 123456, merci !', undefined],
    ['a plain number with a wrong check digit', 'tracking 3318810035', undefined],
    // Cue words are found from the end of the 40 characters before the number, the longest at each place.
    ['a phone number two words after "appelez"', 'colis : appelez-moi au 3318810025', '3318810025'],
    ['a reference two words before the number', 'dhl référence tel: colis 9865 7878 8855', '986578788855'],
    ['a reference behind "réf."', 'colis réf. 4820631756', '4820631756'],
  ];
  for (const [name, text, number] of notFound) {
    it(`ignores ${name}`, () => {
      if (number) expect(validateTrackingNumber(number).valid, `${number} alone`).to.equal(true);
      expect(findTrackingNumbers(text)).to.deep.equal([]);
    });
  }

  it('takes a number as tracking when the cue words stand too far before it', () => {
    // Five words after "call", four after "reference": the cues no longer speak of this number.
    expect(findTrackingNumbers('call me when you know where my parcel 3318810025 is')[0]).to.deep.include({ normalized: '3318810025' });
    expect(findTrackingNumbers('reference for a lost parcel, dhl 3318810025')[0]).to.deep.include({ normalized: '3318810025' });
  });

  it('reads a long run of digits in linear time', () => {
    const start = process.hrtime.bigint();
    expect(findTrackingNumbers('1 '.repeat(50_000))).to.deep.equal([]);
    expect(findTrackingNumbers('7'.repeat(100_000))).to.deep.equal([]);
    // Generous bound (a shared 2-core machine): the former scan took over a second per 64 KB of "1 1 1 ...".
    expect(Number(process.hrtime.bigint() - start) / 1e6).to.be.lessThan(1000);
  });

  it('accepts a 10-digit number starting with 0 when DHL is named', () => {
    // 0123456782: 012345678 mod 7 = 2
    expect(findTrackingNumbers('DHL waybill 0123456782')[0]).to.deep.include({ normalized: '0123456782', carrier: 'dhl' });
    expect(findTrackingNumbers('my parcel 0123456782')).to.deep.equal([]);
  });

  it('copes with long and odd input', () => {
    const long = 'a1 '.repeat(20000) + ' 1Z999AA10123456784';
    expect(findTrackingNumbers(long).map((x) => x.normalized)).to.deep.equal(['1Z999AA10123456784']);
    expect(findTrackingNumbers('')).to.deep.equal([]);
    expect(findTrackingNumbers('🙂📦 ½ ٣٣١٨٨١٠٠٢٥ --- ')).to.deep.equal([]);
  });
});
