import { expect } from 'chai';
import { detectLanguage, normaliseText, recognizeRequest, type RequestIntent } from '../../dialogs/requestRecognizer';
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

  it('reads only the start of a very long message', () => {
    expect(recognizeRequest('where is my parcel ' + 'x'.repeat(100_000)).intent).to.equal('track');
  });
});
