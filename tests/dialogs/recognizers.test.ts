import { expect } from 'chai';
import { dateWindow, recognizeDay, recognizeEmailAddress, warmRecognizers } from '../../dialogs/recognizers';
import { normaliseText } from '../../dialogs/requestRecognizer';

describe('recognizers (recognizers-text, gated)', () => {
  it('warmRecognizers warms English and French once', async function () {
    this.timeout(20000);
    const first = warmRecognizers();
    expect(warmRecognizers()).to.equal(first);
    await first;
  });

  it('finds an order e-mail address in English and French', () => {
    expect(recognizeEmailAddress('it is Jane.Doe@Example.com thanks', 'en')).to.equal('jane.doe@example.com');
    expect(recognizeEmailAddress("c'est client@exemple.fr", 'fr')).to.equal('client@exemple.fr');
    expect(recognizeEmailAddress('no address here', 'en')).to.equal(undefined);
  });

  it('resolves a day in a follow-up, the next one not in the past', () => {
    const now = new Date('2025-06-03T10:00:00Z'); // a Tuesday
    const day = (text: string, lang: 'en' | 'fr') => recognizeDay(text, normaliseText(text), lang, now);
    expect(day('will it arrive by Friday?', 'en')).to.equal('2025-06-06');
    expect(day('est-ce qu il arrive avant vendredi ?', 'fr')).to.equal('2025-06-06');
    expect(day('tomorrow?', 'en')).to.equal('2025-06-04');
    expect(day('and when will it arrive?', 'en')).to.equal(undefined);
  });

  it('does not call the date model for a tracking number alone (its digits are no date cue)', () => {
    for (const text of ['where is my parcel 1Z4E29W70374856127?', 'où est mon colis 6A24188037153 ?', 'XY307182650FR'])
      expect(dateWindow(text), text).to.equal(undefined);
    expect(dateWindow('is 1Z4E29W70374856127 coming on the 5th?')).to.equal('coming on the 5th?');
  });

  it('hands the date model a short window around the first date word, without invisible characters', () => {
    expect(dateWindow('Bonjour, mon colis 6A24188037153 arrivera-t-il avant le 24 décembre ?')).to.equal('avant le 24 décembre ?');
    expect(dateWindow(`${'1 '.repeat(100)}will it arrive by Friday?`)).to.equal('1 will it arrive by Friday?');
    expect(dateWindow('will it\u200f arrive\u202e by \u200eFriday?')).to.equal('will it arrive by Friday?');
    expect(dateWindow('by 12/24 please')?.length).to.be.within(1, 48);
    const now = new Date('2025-06-03T10:00:00Z');
    const long = `${'(1) '.repeat(60)} est-ce qu il arrive avant vendredi ?`;
    expect(recognizeDay(long, normaliseText(long.slice(0, 500)), 'fr', now)).to.equal('2025-06-06');
  });
});
