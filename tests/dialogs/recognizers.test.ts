import { expect } from 'chai';
import { recognizeDay, recognizeEmailAddress, warmRecognizers } from '../../dialogs/recognizers';
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
});
