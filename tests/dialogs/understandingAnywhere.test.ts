import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import { DIALOG_STATE_PROPERTY } from '../../bots/customerBot';
import { MESSAGES, type DialogLanguage } from '../../dialogs/messages';
import { describeTrackingFormat } from '../../dialogs/tracking/carriers';
import { DemoTrackingProvider } from '../../dialogs/tracking/demoTrackingProvider';
import { HandoffMiddleware } from '../../middleware/handoffMiddleware';
import { handoffMessages } from '../../middleware/handoff/handoffMessages';
import { HandoffService } from '../../middleware/handoff/handoffService';
import { MemoryHandoffStore } from '../../middleware/handoff/stores/memoryHandoffStore';
import { createSignalDetector } from '../../middleware/signals/signalDetector';
import { SignalsMiddleware } from '../../middleware/signalsMiddleware';
import { RecordingMessenger } from '../middleware/handoff/handoffTestKit';
import { BotTestClient, demoNumber, runCase, textOf, type DialogCase, type Expect } from './botTestClient';

const NOW = new Date('2025-06-03T10:00:00Z');
const demo = () => new DemoTrackingProvider({ now: () => NOW });
const UPS = demoNumber('in_transit'); // 1Z + 16
const COLISSIMO = demoNumber('delivered'); // 6A…, 13 characters
/** A number with one character missing: the shape of a carrier, the wrong length (no check digit to test). */
const missingOne = (n: string) => n.slice(0, -1);
/** The same, typed in groups of four as people copy it from a label. */
const spaced = (n: string) => (n.match(/.{1,4}/g) ?? []).join(' ');

const exactly = (text: string): Expect => (reply) => expect(textOf(reply)).to.equal(text);
/** The format help, as the number prompt gives it (a carrier's format when the message is only the number). */
const formatHelp = (language: DialogLanguage, carrier: 'ups' | 'colissimo' | undefined): Expect => (reply) =>
  expect(textOf(reply)).to.equal(MESSAGES[language].invalidNumber(describeTrackingFormat(carrier, language), false));
const card = (summary: RegExp): Expect => (reply) => expect(reply.summary, 'card summary').to.match(summary);

/** Per language: what the customer says and how the tracking answer starts. */
const WORDS = {
  en: {
    locale: 'en-US',
    parcelQuestion: (n: string) => `where is my parcel ${n}?`,
    noNumber: ["I don't have it", "I don't have one"],
    notReceived: "I haven't received it",
    noNumberButEmail: "I don't have the number, but my address is jo@example.com",
    onItsWay: /on its way/,
    delivered: /has been delivered/,
  },
  fr: {
    locale: 'fr-FR',
    parcelQuestion: (n: string) => `où est mon colis ${n} ?`,
    noNumber: ["je ne l'ai pas", 'je ne le trouve pas'],
    notReceived: "je ne l'ai pas reçu",
    noNumberButEmail: "je n'ai pas le numéro, mais mon adresse est jo@example.com",
    onItsWay: /en route/,
    delivered: /a été livré/,
  },
} as const;

const client = (c: DialogCase) => new BotTestClient(demo(), { channelId: c.channelId ?? 'webchat', locale: c.locale, bot: { clock: () => NOW } });

describe('understanding anywhere: numbers and "I don\'t have it" outside the number prompt', () => {
  for (const language of ['en', 'fr'] as const) {
    const w = WORDS[language];
    const m = MESSAGES[language];
    const cases: DialogCase[] = [
      {
        name: `${language}: a UPS number missing a character, alone, gets the format help, then the right one is tracked`,
        locale: w.locale,
        steps: [
          [missingOne(UPS), formatHelp(language, 'ups')],
          [UPS, card(w.onItsWay)],
        ],
        status: 'complete',
      },
      {
        name: `${language}: the same number typed in groups`,
        locale: w.locale,
        steps: [[spaced(missingOne(UPS)), formatHelp(language, 'ups')]],
        status: 'waiting',
      },
      {
        name: `${language}: a short Colissimo number in a question about the parcel`,
        locale: w.locale,
        steps: [[w.parcelQuestion(missingOne(COLISSIMO)), formatHelp(language, undefined)]],
        status: 'waiting',
      },
      ...w.noNumber.map(
        (phrase): DialogCase => ({
          name: `${language}: "${phrase}" first thing takes the e-mail path, as in the prompt`,
          locale: w.locale,
          steps: [
            [phrase, exactly(m.askEmail('warm'))],
            [`${language === 'fr' ? 'mon adresse est' : 'my address is'} jo@example.com`, (r) => expect(textOf(r)).to.equal(m.emailLookupNoted('jo@example.com'))],
          ],
          status: 'complete',
        }),
      ),
      {
        name: `${language}: "${w.notReceived}" is about the parcel, not the number: the number is asked`,
        locale: w.locale,
        steps: [[w.notReceived, exactly(m.askNumber('warm'))]],
        status: 'waiting',
      },
      {
        name: `${language}: "${w.noNumber[0]}" at the e-mail question ends it kindly (no address either)`,
        locale: w.locale,
        steps: [
          [w.noNumber[0], exactly(m.askEmail('warm'))],
          [w.noNumber[0], exactly(m.noEmail)],
        ],
        status: 'complete',
      },
      {
        name: `${language}: at the e-mail question, an address given with "I don't have the number" is kept`,
        locale: w.locale,
        steps: [
          [w.noNumber[0], exactly(m.askEmail('warm'))],
          [w.noNumberButEmail, exactly(m.emailLookupNoted('jo@example.com'))],
        ],
        status: 'complete',
      },
      {
        name: `${language}: a valid number given at the e-mail question is tracked`,
        locale: w.locale,
        steps: [
          [w.noNumber[0], exactly(m.askEmail('warm'))],
          [COLISSIMO, card(w.delivered)],
        ],
        status: 'complete',
      },
      {
        name: `${language}: after "no" answers that were not numbers, the e-mail path does not speak of "that number"`,
        locale: w.locale,
        steps: [
          [w.parcelQuestion(''), exactly(m.askNumber('warm'))],
          ['zorp', exactly(m.askNumberAgain)],
          ['blat', exactly(m.askNumberAgain)],
          ['quux', [exactly(m.offerOtherPath), exactly(m.askEmail('warm'))]],
        ],
        status: 'waiting',
      },
    ];
    for (const c of cases) it(c.name, () => runCase(c, client).then(() => undefined));
  }
});

/** A Teams personal-chat message, with the client's locale as Teams sends it (activity and clientInfo entity). */
const teams = (text: string, locale: string): Partial<Activity> => ({
  text,
  locale,
  entities: [{ type: 'clientInfo', locale, timezone: 'Europe/Paris' }],
});

describe('language: what the customer writes outranks the Teams client locale', () => {
  it('Teams en-US with French text: answered in French, remembered for short messages and the number', async () => {
    const c = new BotTestClient(demo(), { channelId: 'msteams', bot: { clock: () => NOW } });
    const fr = MESSAGES.fr;
    expect((await c.send(teams('où est mon colis ?', 'en-US'))).map(textOf)).to.deep.equal([fr.askNumber('warm')]);
    expect((await c.send(teams('ok', 'en-US'))).map(textOf), '"ok" keeps French').to.deep.equal([fr.askNumberAgain]);
    const answer = await c.send(teams(UPS, 'en-US'));
    expect(answer[0]?.summary, 'the card is French').to.match(/^Votre colis est en route/);
    expect((await c.send(teams('merci', 'en-US'))).map(textOf), '"merci" keeps French').to.deep.equal([fr.thanks('warm')]);
  });

  it('Teams fr-FR with English text: answered in English, remembered for "merci" and the number', async () => {
    const c = new BotTestClient(demo(), { channelId: 'msteams', bot: { clock: () => NOW } });
    const en = MESSAGES.en;
    expect((await c.send(teams('where is my parcel?', 'fr-FR'))).map(textOf)).to.deep.equal([en.askNumber('warm')]);
    const answer = await c.send(teams(UPS, 'fr-FR'));
    expect(answer[0]?.summary, 'the card is English').to.match(/^Your parcel is on its way/);
    expect((await c.send(teams('merci', 'fr-FR'))).map(textOf)).to.deep.equal([en.thanks('warm')]);
  });

  it('short or ambiguous first messages keep the client locale', async () => {
    for (const [text, locale, expected] of [
      ['merci', 'en-US', MESSAGES.en.thanks('warm')],
      ['bonjour', 'en-US', MESSAGES.en.greeting('warm')],
      ['hello', 'fr-FR', MESSAGES.fr.greeting('warm')],
    ] as const) {
      const c = new BotTestClient(demo(), { channelId: 'msteams' });
      expect((await c.send(teams(text, locale))).map(textOf), `${text} on ${locale}`).to.deep.equal([expected]);
    }
  });

  it('a confident switch back is followed: French, then English, on the same en-US client', async () => {
    const c = new BotTestClient(demo(), { channelId: 'msteams' });
    await c.send(teams('où est mon colis ?', 'en-US'));
    expect((await c.send(teams('cancel', 'en-US'))).map(textOf), 'one command word keeps French').to.deep.equal([MESSAGES.fr.cancelled]);
    expect((await c.send(teams('where is my parcel?', 'en-US'))).map(textOf)).to.deep.equal([MESSAGES.en.askNumber('warm')]);
  });

  /** A Teams bot behind the signals and handoff middleware, on a memory store. */
  const teamsWithHandoff = () => {
    const c = new BotTestClient(demo(), { channelId: 'msteams' });
    const store = new MemoryHandoffStore();
    c.adapter
      .use(new SignalsMiddleware(createSignalDetector(), { conversationState: c.conversationState }))
      .use(
        new HandoffMiddleware({
          service: new HandoffService({ store, messenger: new RecordingMessenger() }),
          conversationState: c.conversationState,
          dialogStateProperty: DIALOG_STATE_PROPERTY,
        }),
      );
    return { c, store };
  };

  it('Teams en-US, a first message in French handed over at once: condolences and case in French (and the reverse)', async () => {
    for (const [text, locale, language] of [
      ['mon père est décédé la semaine dernière et je dois fermer son compte', 'en-US', 'fr'],
      ['my father passed away last week and I need to close his account', 'fr-FR', 'en'],
    ] as const) {
      const { c, store } = teamsWithHandoff();
      const reply = (await c.send(teams(text, locale))).map(textOf);
      expect(reply[0], `${locale}: ${text}`).to.include(handoffMessages(language).acknowledge('bereavement'));
      expect((await store.findOpenByConversation('msteams/Convo1'))?.language).to.equal(language);
    }
  });

  it('Teams en-US with French text: the handoff speaks French too (offer, acknowledgement, case language)', async () => {
    const { c, store } = teamsWithHandoff();
    // Two French sentences the bot does not understand (confidently French, not about a parcel).
    const first = (await c.send(teams('je voudrais changer la couleur de mon chat', 'en-US'))).map(textOf);
    expect(first).to.deep.equal([MESSAGES.fr.notUnderstood(1)]);
    const second = (await c.send(teams("c'est pour une autre question", 'en-US'))).map(textOf);
    expect(second).to.deep.equal([MESSAGES.fr.notUnderstood(2), handoffMessages('fr').offer('misunderstood')]);
    const yes = (await c.send(teams('oui', 'en-US'))).map(textOf);
    expect(yes[0]).to.include(handoffMessages('fr').acknowledge('misunderstood'));
    expect((await store.findOpenByConversation('msteams/Convo1'))?.language).to.equal('fr');
  });
});
