import { expect } from 'chai';
import { confidentLanguage, detectLanguage, looksLikeTrackingNumber, normaliseText, recognizeRequest, type RequestIntent } from '../../dialogs/requestRecognizer';
import type { FollowUpKind } from '../../dialogs/messages';

describe('recognizeRequest (English and French, accents optional)', () => {
  const table: Array<[text: string, intent: RequestIntent, focus?: FollowUpKind]> = [
    ['where is my parcel?', 'track'],
    ['Where’s my package', 'track'],
    ['track my package', 'track'],
    ['has my order shipped?', 'track'],
    ["I didn't receive my order", 'track'],
    ['When will my parcel arrive?', 'track', 'eta'],
    ['où est mon colis ?', 'track'],
    ['ou est mon colis', 'track'],
    ['OÙ EST MON COLIS', 'track'],
    ['suivi de ma commande', 'track'],
    ["je n'ai pas reçu mon colis", 'track'],
    ['je n’ai pas recu mon colis', 'track'],
    ['and when will it arrive?', 'none', 'eta'],
    ['et il arrive quand ?', 'none', 'eta'],
    ["est-ce qu'il arrive avant vendredi ?", 'none', 'eta'],
    ['is it delivered?', 'none', 'delivered'],
    ['has it arrived?', 'none', 'delivered'],
    ['est-il livré ?', 'none', 'delivered'],
    ['a-t-il été livré', 'none', 'delivered'],
    ['where is it now?', 'none', 'where'],
    ['où est-il ?', 'none', 'where'],
    ['try again', 'none', 'status'],
    ["I don't have it", 'noNumber'],
    ['i dont have the tracking number', 'noNumber'],
    ['no number', 'noNumber'],
    ["je ne l'ai pas", 'noNumber'],
    ['je l’ai pas', 'noNumber'],
    ['pas de numéro', 'noNumber'],
    ["je n'ai pas le numéro de suivi", 'noNumber'],
    ['cancel', 'cancel'],
    ['Annuler', 'cancel'],
    ['stop please', 'cancel'],
    ['laisse tomber', 'cancel'],
    ['help', 'help'],
    ['aide', 'help'],
    ['what can you do?', 'help'],
    ['hello', 'greeting'],
    ['Bonjour', 'greeting'],
    ['thanks!', 'thanks'],
    ['merci beaucoup', 'thanks'],
    ['I want to cancel my order', 'none'],
    ["I don't know when it arrives", 'none', 'eta'],
    ['purple monkey dishwasher', 'none'],
    ['', 'none'],
    ['?!', 'none'],
  ];
  for (const [text, intent, focus] of table) {
    it(`${JSON.stringify(text)} -> ${intent}${focus ? ` (${focus})` : ''}`, () => {
      const r = recognizeRequest(text);
      expect(r.intent).to.equal(intent);
      expect(r.focus).to.equal(focus);
    });
  }

  it('normalises accents, case, apostrophes and hyphens', () => {
    expect(normaliseText("  Où est-il ? J’ai « reçu »  ")).to.equal('ou est il j ai recu');
  });

  it('detects the language from the words, or says it cannot', () => {
    expect(detectLanguage('où est mon colis')).to.equal('fr');
    expect(detectLanguage('where is my parcel')).to.equal('en');
    expect(detectLanguage('1Z4E29W70374856127')).to.equal(undefined);
    expect(detectLanguage('ok')).to.equal(undefined);
  });

  describe('confidentLanguage: only enough words of one language switch away from the channel locale', () => {
    const table: Array<[text: string, language: 'en' | 'fr' | undefined]> = [
      ['où est mon colis ?', 'fr'],
      ["je ne l'ai pas", 'fr'],
      ['et il arrive quand ?', 'fr'],
      ['je veux parler à un conseiller', 'fr'],
      ['where is my parcel?', 'en'],
      ["I don't have it", 'en'],
      ['and when will it arrive?', 'en'],
      // Short or ambiguous: the conversation keeps its language.
      ['ok', undefined],
      ['merci', undefined],
      ['merci beaucoup', undefined],
      ['bonjour', undefined],
      ['oui', undefined],
      ['non merci', undefined],
      ['no thanks', undefined],
      ['hello there', undefined],
      ['Mon colis', undefined],
      ['1Z999AA10123456784', undefined],
      ['Paris café', undefined],
      // Mixed: neither.
      ['my colis est where', undefined],
    ];
    for (const [text, language] of table) it(`${JSON.stringify(text)} -> ${language ?? 'not confident'}`, () => expect(confidentLanguage(text)).to.equal(language));
  });

  describe('looksLikeTrackingNumber: a code typed as a tracking number, valid or not', () => {
    const table: Array<[text: string, expected: boolean]> = [
      ['1Z999AA1012345678', true], // UPS, one character missing
      ['1Z 999 AA1 01 2345 678', true],
      ['where is 1Z999AA1012345678?', true],
      ['mon colis 6A2418803715 ?', true],
      ['n°6A241880371', true],
      ['XY30718265FR', true],
      ['4820631757', true],
      ['CMD-2024-00123', true],
      ['my order 12345', false],
      ['ordered on 12/05/2024', false],
      ['2024-05-12', false],
      ['I paid 1299 euros', false],
      ['call me on +33612345678', false],
      ['0612345678 is my phone', false],
      ['rappelez-moi au 06 12 34 56 78', false],
      ['password123456789', false],
      ['hello', false],
    ];
    for (const [text, expected] of table) it(`${JSON.stringify(text)} -> ${expected}`, () => expect(looksLikeTrackingNumber(text)).to.equal(expected));
  });

  it('reads only the start of a very long message', () => {
    expect(recognizeRequest('where is my parcel ' + 'x'.repeat(100_000)).intent).to.equal('track');
  });
});
