import { expect } from 'chai';
import { DIALOG_STATE_PROPERTY } from '../../bots/customerBot';
import { DemoTrackingProvider, DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';
import { MESSAGES, type DialogLanguage } from '../../dialogs/messages';
import { HandoffMiddleware } from '../../middleware/handoffMiddleware';
import { handoffMessages } from '../../middleware/handoff/handoffMessages';
import { HandoffService } from '../../middleware/handoff/handoffService';
import { MemoryHandoffStore } from '../../middleware/handoff/stores/memoryHandoffStore';
import { createSignalDetector } from '../../middleware/signals/signalDetector';
import { SignalsMiddleware } from '../../middleware/signalsMiddleware';
import { RecordingMessenger } from '../middleware/handoff/handoffTestKit';
import { BotTestClient, textOf } from './botTestClient';

/**
 * Offer / decline / accept of a person from inside every prompt, through the real pipeline pieces: SignalsMiddleware
 * (the real detector) -> HandoffMiddleware (the default policy) -> CustomerBot -> MainDialog -> ParcelTrackingDialog.
 */

const NOW = new Date('2025-06-03T10:00:00Z');
const IN_TRANSIT = DEMO_PARCELS.find((p) => p.status === 'in_transit')?.trackingNumber ?? '';

/** A client with the signals and handoff middleware in front of the bot, sharing the bot's conversation state. */
function pipeline(locale: string, channelId = 'webchat') {
  const client = new BotTestClient(new DemoTrackingProvider({ now: () => NOW }), { channelId, locale, bot: { clock: () => NOW } });
  const store = new MemoryHandoffStore();
  const service = new HandoffService({ store, messenger: new RecordingMessenger() });
  client.adapter
    .use(new SignalsMiddleware(createSignalDetector(), { conversationState: client.conversationState }))
    .use(new HandoffMiddleware({ service, conversationState: client.conversationState, dialogStateProperty: DIALOG_STATE_PROPERTY, passDeclinedOfferToBot: true }));
  return { client, store };
}

/** What the customer says, per language, to reach each place and to trigger each kind of offer. */
interface Script {
  readonly locale: string;
  readonly askParcel: string;
  readonly noNumber: string;
  readonly gibberish: readonly [string, string];
  readonly angry: string;
  readonly yes: string;
  readonly no: string;
}

const SCRIPTS: Readonly<Record<DialogLanguage, Script>> = {
  en: {
    locale: 'en-US',
    askParcel: 'where is my parcel?',
    noNumber: "I don't have the tracking number",
    gibberish: ['purple monkey dishwasher', 'zorp blat quux'],
    angry: "this is useless, I'm furious",
    yes: 'yes',
    no: 'no thanks',
  },
  fr: {
    locale: 'fr-FR',
    askParcel: 'où est mon colis ?',
    noNumber: "je n'ai pas le numéro de suivi",
    gibberish: ['bof truc machin', 'zorp blat quux'],
    angry: "c'est nul, je suis furieux",
    yes: 'oui',
    no: 'non merci',
  },
};

/** Where the customer is when the offer comes, and what the bot asked there (the question to be asked again). */
type Place = 'top level' | 'number prompt' | 'e-mail prompt';
const PLACES: readonly Place[] = ['top level', 'number prompt', 'e-mail prompt'];

const reach = (place: Place, s: Script): string[] => (place === 'number prompt' ? [s.askParcel] : place === 'e-mail prompt' ? [s.noNumber] : []);
const questionAt = (place: Place, language: DialogLanguage): string | undefined => {
  const m = MESSAGES[language];
  return place === 'number prompt' ? m.askNumber('warm') : place === 'e-mail prompt' ? m.askEmail('warm') : undefined;
};

type Trigger = 'two misunderstandings' | 'anger';
// The e-mail prompt gives up after two unreadable answers (it never loops), so only an emotion offers a person there.
const triggersAt = (place: Place): Trigger[] => (place === 'e-mail prompt' ? ['anger'] : ['two misunderstandings', 'anger']);
const trigger = (t: Trigger, s: Script): string[] => (t === 'anger' ? [s.angry] : [...s.gibberish]);

/** The dialog state as stored (the bot does not run on the turn of a handover, so read it from storage). */
async function storedStack(client: BotTestClient): Promise<unknown> {
  const key = 'webchat/conversations/Convo1/';
  const stored = (await client.storage.read([key]))[key] as Record<string, unknown> | undefined;
  return stored?.[DIALOG_STATE_PROPERTY];
}

const isOffer = (language: DialogLanguage) => (text: string) =>
  text === handoffMessages(language).offer('misunderstood') || text === handoffMessages(language).offer('anger');

describe('conversation memory: offers of a person from inside every prompt (signals -> handoff -> dialogs)', () => {
  for (const language of ['en', 'fr'] as const) {
    const s = SCRIPTS[language];
    for (const place of PLACES) {
      for (const t of triggersAt(place)) {
        it(`${language}, ${place}, ${t}: exactly one offer; "no" resumes where the customer was`, async () => {
          const { client, store } = pipeline(s.locale);
          for (const text of reach(place, s)) await client.send(text);
          const replies: string[] = [];
          for (const text of trigger(t, s)) replies.push(...(await client.send(text)).map(textOf));
          expect(replies.filter(isOffer(language)), replies.join(' | ')).to.have.length(1);
          expect(replies[replies.length - 1], 'the offer is the last thing said').to.satisfy(isOffer(language));

          const afterNo = (await client.send(s.no)).map(textOf);
          const question = questionAt(place, language);
          if (question) {
            // The same question, asked again once, and nothing else.
            expect(afterNo).to.deep.equal([question]);
            expect(client.stackDepth, 'the prompt is still waiting').to.be.greaterThan(0);
          } else {
            expect(afterNo).to.deep.equal([MESSAGES[language].carryOn]);
          }
          expect(await store.findOpenByConversation('webchat/Convo1')).to.equal(undefined);
        });

        it(`${language}, ${place}, ${t}: "yes" hands over and empties the dialog stack`, async () => {
          const { client, store } = pipeline(s.locale);
          for (const text of reach(place, s)) await client.send(text);
          for (const text of trigger(t, s)) await client.send(text);
          const afterYes = (await client.send(s.yes)).map(textOf);
          expect(afterYes).to.have.length(1);
          expect(afterYes[0]).to.include(handoffMessages(language).acknowledge(t === 'anger' ? 'anger' : 'misunderstood'));
          const open = await store.findOpenByConversation('webchat/Convo1');
          expect(open?.reason).to.equal(t === 'anger' ? 'anger' : 'misunderstood');
          expect(open?.language).to.equal(language);
          expect(await storedStack(client), 'the dialog stack is emptied').to.equal(undefined);
        });
      }
    }
  }

  it('after "no" inside the number prompt, the number given next is tracked (the "no" was not an attempt)', async () => {
    const { client } = pipeline('en-US');
    await client.send('where is my parcel?');
    await client.send('purple monkey dishwasher');
    await client.send('zorp blat quux');
    expect((await client.send('no')).map(textOf)).to.deep.equal([MESSAGES.en.askNumber('warm')]);
    const answer = await client.send(IN_TRANSIT);
    expect(answer[0]?.summary).to.match(/on its way/);
  });

  it('a run of misunderstandings is one trigger: ignoring the offer does not bring a second one', async () => {
    const { client } = pipeline('en-US');
    const replies: string[] = [];
    for (const text of ['purple monkey dishwasher', 'zorp blat quux', 'flim flam', 'blorp']) replies.push(...(await client.send(text)).map(textOf));
    expect(replies.filter(isOffer('en'))).to.have.length(1);
    const others = replies.filter((r) => !isOffer('en')(r));
    expect(others.join(' '), 'the fallback itself never offers a person').to.not.match(/person|someone/);
  });

  it('a new run after the bot understood again is a new trigger (a second offer, as the policy allows two)', async () => {
    const { client } = pipeline('en-US');
    const replies: string[] = [];
    for (const text of ['purple monkey dishwasher', 'zorp blat quux', 'no', 'hello', 'flim flam', 'blorp']) {
      replies.push(...(await client.send(text)).map(textOf));
    }
    expect(replies.filter(isOffer('en'))).to.have.length(2);
  });
});
