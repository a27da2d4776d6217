import { expect } from 'chai';
import sinon from 'sinon';
import type { Activity, Middleware, TurnContext } from 'botbuilder';
import { DialogTurnStatus } from 'botbuilder-dialogs';
import { BotTestClient, check, demoNumber, runCase, textOf, type DialogCase, type Expect } from './botTestClient';
import { DemoTrackingProvider, DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';
import {
  TrackingProviderError,
  type ParcelStatus,
  type TrackingProvider,
  type TrackingResult,
} from '../../dialogs/tracking/trackingProvider';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../dialogs/rendering/renderTrackingReply';
import { type Signals } from '../../middleware/signals/signals';
import type { Interruption } from '../../dialogs/mainDialog';
import { recordTurn } from '../../middleware/warmlineTurn';

// Tuesday 3 June 2025, 10:00 UTC (12:00 in Paris).
const NOW = new Date('2025-06-03T10:00:00Z');
const demo = () => new DemoTrackingProvider({ now: () => NOW });
const UPS = demoNumber('in_transit'); // 1Z… in transit
const UPS_TYPO = UPS.slice(0, -1) + String((Number(UPS.slice(-1)) + 1) % 10);
const DELIVERED = demoNumber('delivered');

const card = (summary: RegExp): Expect => (reply) => {
  expect(reply.attachments?.[0]?.contentType, 'card content type').to.equal(ADAPTIVE_CARD_CONTENT_TYPE);
  expect(reply.summary, 'card summary').to.match(summary);
  expect(reply.speak, 'card speak').to.equal(reply.summary);
};

const client = (c: DialogCase) =>
  new BotTestClient(demo(), { channelId: c.channelId ?? 'webchat', locale: c.locale, bot: { clock: () => NOW } });

describe('CustomerBot -> MainDialog -> ParcelTrackingDialog', () => {
  describe('English case table', () => {
    const cases: DialogCase[] = [
      {
        name: 'number in the first message',
        steps: [[`where is my parcel? ${UPS}`, card(/^Your parcel is on its way\. Last update: Louisville/)]],
        status: 'complete',
      },
      {
        name: 'number asked, then given',
        steps: [
          ['where is my parcel?', /^Of course! What's the tracking number\?/],
          [UPS, card(/on its way/)],
        ],
        status: 'complete',
      },
      {
        name: '"has my order shipped" with spaces inside the number',
        steps: [
          ['has my order shipped?', /tracking number/],
          ['6A 2418 8037 153', card(/^Good news: your parcel has been delivered!/)],
        ],
        status: 'complete',
      },
      {
        name: 'invalid number (typo) then valid',
        steps: [
          ['track my package', /tracking number/],
          [UPS_TYPO, /one character of that number seems to be off.*UPS number has 18 characters/],
          [UPS, card(/on its way/)],
        ],
        status: 'complete',
      },
      {
        name: 'not a number at the prompt asks again, without a loop of format lectures',
        steps: [
          ['where is my package', /tracking number/],
          ['what?', /Could you send me the tracking number\? If you don't have it/],
        ],
        status: 'waiting',
      },
      {
        name: 'typo in the first message: format said at once',
        steps: [[`where is my parcel ${UPS_TYPO}`, /seems to be off.*UPS number/]],
        status: 'waiting',
      },
      {
        name: '"I don\'t have it" leads to the e-mail path',
        steps: [
          ['where is my parcel?', /tracking number/],
          ["I don't have it", /^No worries! What e-mail address did you use for the order\?/],
          ['sure, it is Jane.Doe@example.com', /noted jane\.doe@example\.com.*talk to a person/],
        ],
        status: 'complete',
      },
      {
        name: 'no number in the first message goes straight to the e-mail path',
        steps: [["I don't have a tracking number", /What e-mail address/]],
        status: 'waiting',
      },
      {
        name: 'after three invalid numbers the e-mail path is offered instead of a loop',
        steps: [
          ['where is my parcel?', /tracking number/],
          ['12345', /doesn't look like a tracking number/],
          ['123456', /doesn't look like a tracking number/],
          ['1234567', [/still doesn't work, so let's try another way/, /What e-mail address/]],
        ],
        status: 'waiting',
      },
      {
        name: 'no e-mail address twice ends politely, offering a person',
        steps: [
          ["where's my parcel? I don't have the number", /What e-mail address/],
          ['no idea', /doesn't look like an e-mail address/],
          ['still no', /ask for a person/],
        ],
        status: 'complete',
      },
      {
        name: 'follow-up reuses the parcel: when',
        steps: [
          [UPS, card(/on its way/)],
          ['and when will it arrive?', /^It's expected on Thursday, June 5\.$/],
          ['is it delivered?', /^Not yet/],
          ['where is it now?', /^Its last scan was in Louisville, KY, US on Tuesday, June 3 at 2:40 AM\.$/],
        ],
        status: 'complete',
      },
      {
        name: 'follow-up with a day (recognizers-text, gated)',
        steps: [
          [UPS, card(/on its way/)],
          ['will it arrive by Friday?', /^Yes, it should be there by then: it's expected on Thursday, June 5\.$/],
          ['will it be there tomorrow?', /^I'm afraid it's expected a little later than Wednesday, June 4: on Thursday, June 5\.$/],
        ],
        status: 'complete',
      },
      {
        name: 'a second "where is my parcel?" reuses the parcel and says how to ask about another one',
        steps: [
          [DELIVERED, card(/delivered/)],
          ['where is my parcel?', [card(/delivered/), /another parcel/]],
          ['has it arrived?', /^Yes, it was delivered on Monday, June 2 at 10:00 AM\.$/],
        ],
      },
      {
        name: 'help at the top and inside the prompt (re-prompts)',
        steps: [
          ['help', /^Here is what I can do/],
          ['where is my parcel?', /tracking number/],
          ['help', [/^Here is what I can do/, /tracking number/]],
        ],
        status: 'waiting',
      },
      {
        name: 'cancel inside the prompt, then nothing to cancel',
        steps: [
          ['where is my parcel?', /tracking number/],
          ['cancel', "No problem, I've stopped there. Just ask whenever you need me."],
          ['stop', /nothing in progress/],
        ],
        status: 'complete',
      },
      {
        name: 'greeting and thanks',
        steps: [
          ['hello', /^Hello! How can I help/],
          ['thanks!', /^You're very welcome/],
        ],
        status: 'complete',
      },
    ];
    for (const c of cases) it(c.name, () => runCase(c, client).then(() => undefined));
  });

  describe('French case table', () => {
    const cases: DialogCase[] = [
      {
        name: 'numéro dans le premier message',
        steps: [[`où est mon colis ${UPS} ?`, card(/^Votre colis est en route\. Dernière mise à jour\s: Louisville/)]],
        status: 'complete',
      },
      {
        name: 'numéro demandé (sans accents)',
        steps: [
          ['ou est mon colis', /^Bien sûr ! Quel est le numéro de suivi \?/],
          [UPS, card(/en route/)],
        ],
        status: 'complete',
      },
      {
        name: 'suivi de ma commande, numéro faux puis bon',
        steps: [
          ['suivi de ma commande', /numéro de suivi/],
          [UPS_TYPO, /faute de frappe.*numéro UPS compte 18 caractères/],
          [UPS, card(/en route/)],
        ],
        status: 'complete',
      },
      {
        name: "« je ne l'ai pas » mène au chemin par e-mail",
        steps: [
          ["je n'ai pas reçu mon colis", /numéro de suivi/],
          ["je ne l'ai pas", /^Pas de souci ! Quelle adresse e-mail/],
          ['client@exemple.fr', /noté client@exemple\.fr.*parler à un conseiller/],
        ],
        status: 'complete',
      },
      {
        name: 'question de suivi : il arrive quand ?',
        steps: [
          [`suivi ${UPS}`, card(/en route/)],
          ['et il arrive quand ?', /^Il est prévu pour le jeudi 5 juin\.$/],
          ['est-il livré ?', /^Pas encore/],
          ['où est-il ?', /^Son dernier passage enregistré : Louisville, KY, US, le mardi 3 juin à 2:40\.$/],
        ],
        status: 'complete',
      },
      {
        name: 'colis livré : a-t-il été livré ?',
        steps: [
          [`où est mon colis ${DELIVERED}`, card(/^Bonne nouvelle : votre colis a été livré !/)],
          ['a-t-il été livré ?', /^Oui, il a été livré le lundi 2 juin à 10:00\.$/],
        ],
        status: 'complete',
      },
      {
        name: 'aide dans la question, puis annuler',
        steps: [
          ['où est mon colis ?', /numéro de suivi/],
          ['aide', [/^Voici ce que je sais faire/, /numéro de suivi/]],
          ['annuler', /^D'accord, j'arrête là/],
        ],
        status: 'complete',
      },
      {
        name: 'incompris deux fois',
        locale: 'fr-FR',
        steps: [
          ['bof truc machin', /^Pardon, je n'ai pas bien compris/],
          ['rien du tout', /^Je suis désolé, je n'ai toujours pas compris/],
        ],
        status: 'complete',
      },
    ];
    for (const c of cases) it(c.name, () => runCase(c, client).then(() => undefined));
  });

  describe('every parcel status', () => {
    const headlines: Record<ParcelStatus, [RegExp, RegExp]> = {
      delivered: [/has been delivered/, /a été livré/],
      in_transit: [/on its way/, /en route/],
      out_for_delivery: [/out for delivery/, /en cours de livraison/],
      delayed: [/delayed/, /du retard/],
      exception_damaged: [/damaged/, /endommagé/],
      exception_lost: [/lost/, /perdu/],
      returned_to_sender: [/returned to the sender/, /retour à l'expéditeur/],
      not_found: [/couldn't find a parcel/, /aucun colis/],
    };
    const numbers: Array<[ParcelStatus, string]> = DEMO_PARCELS.map((p) => [p.status, p.trackingNumber]);
    numbers.push(['not_found', '1Z999AA10123456784']); // valid UPS number the demo does not know
    for (const [status, number] of numbers) {
      for (const [i, locale] of (['en-US', 'fr-FR'] as const).entries()) {
        it(`${status} (${number}) in ${locale}`, async () => {
          const c = new BotTestClient(demo(), { channelId: 'webchat', locale });
          const replies = await c.send(number);
          check(replies, card(headlines[status][i]), status);
          expect(c.facts.collected).to.include({ trackingNumber: number, parcelStatus: status });
        });
      }
    }
  });

  describe('provider errors and timeouts', () => {
    it('an unavailable provider gets a clear message, the number is kept, and "try again" reuses it', async () => {
      const track = sinon.stub<Parameters<TrackingProvider['track']>, ReturnType<TrackingProvider['track']>>();
      track.onFirstCall().rejects(new TrackingProviderError('HTTP 503', 'unavailable'));
      track.onSecondCall().callsFake((n, carrier, options) => demo().track(n, carrier, options));
      const c = new BotTestClient({ name: 'stub', track }, { channelId: 'webchat' });
      check(await c.send(`where is my parcel ${UPS}`), /can't reach the tracking system.*try again.*ask for a person/, 'error');
      expect(c.facts.collected).to.include({ trackingNumber: UPS, trackingLookup: 'failed:unavailable' });
      check(await c.send('try again'), card(/on its way/), 'retry');
      expect(track.secondCall.args[0]).to.equal(UPS);
      expect(c.facts.collected).to.not.have.property('trackingLookup');
    });

    it('a provider that throws something unexpected does not crash the turn', async () => {
      const provider: TrackingProvider = { name: 'broken', track: () => Promise.reject(new Error('socket hang up')) };
      const c = new BotTestClient(provider, { channelId: 'test', locale: 'fr-FR' });
      check(await c.send(UPS), /n'arrive pas à joindre le système de suivi/, 'error');
    });

    it('a provider that never answers times out with a clear message, and the abort signal fires', async () => {
      let signal: AbortSignal | undefined;
      const provider: TrackingProvider = {
        name: 'hanging',
        track: (_n, _c, options) => {
          signal = options?.signal;
          return new Promise<TrackingResult>(() => undefined);
        },
      };
      const c = new BotTestClient(provider, { channelId: 'webchat', bot: { lookupTimeoutMs: 30 } });
      check(await c.send(UPS), /taking too long to answer/, 'timeout');
      expect(signal?.aborted).to.equal(true);
      expect(c.facts.collected.trackingLookup).to.equal('failed:timeout');
    });

    it('a provider timeout error (kind timeout) says "taking too long" in French', async () => {
      const provider: TrackingProvider = {
        name: 'slow',
        track: () => Promise.reject(new TrackingProviderError('timed out', 'timeout')),
      };
      const c = new BotTestClient(provider, { channelId: 'webchat', locale: 'fr-CA' });
      check(await c.send(UPS), /met trop de temps à répondre/, 'timeout');
    });

    it('the provider receives the customer language and the carrier', async () => {
      const track = sinon.spy((n: string, carrier: string | undefined, o?: { language?: string }) => demo().track(n, carrier, o));
      const c = new BotTestClient({ name: 'spy', track }, { channelId: 'webchat', locale: 'fr-FR' });
      await c.send(UPS);
      expect(track.firstCall.args[1]).to.equal('ups');
      expect(track.firstCall.args[2]?.language).to.equal('fr');
    });
  });

  describe('facts: misunderstandings and recent requests', () => {
    it('counts consecutive misunderstandings and resets on an understood message', async () => {
      const c = new BotTestClient(demo(), { channelId: 'webchat' });
      await c.send('blah');
      expect(c.facts.misunderstandings).to.equal(1);
      await c.send('purple monkey dishwasher');
      expect(c.facts.misunderstandings).to.equal(2);
      await c.send('where is my parcel?');
      expect(c.facts.misunderstandings).to.equal(0);
      await c.send('gibberish at the prompt');
      expect(c.facts.misunderstandings).to.equal(1);
      await c.send(UPS);
      expect(c.facts.misunderstandings).to.equal(0);
    });

    it('records normalised requests without e-mail addresses or long numbers, newest last, at most 10', async () => {
      const c = new BotTestClient(demo(), { channelId: 'webchat' });
      await c.send('Où est mon colis ?');
      await c.send('cancel');
      await c.send('mail me at Bob@Example.com or call 06 12 34 56 78');
      expect(c.facts.recentRequests).to.deep.equal(['track', 'cancel', 'text:mail me at email or call number']);
      for (let i = 0; i < 12; i++) await c.send('hmm');
      expect(c.facts.recentRequests).to.have.length(10);
    });
  });

  describe('welcome', () => {
    it('welcomes once per conversation, in the locale of the activity', async () => {
      const c = new BotTestClient(demo(), { channelId: 'webchat', locale: 'fr-FR' });
      check(await c.join(), /^Bonjour ! Je suis l'assistant Warmline/, 'first join');
      check(await c.join(), [], 'second join');
    });

    it('does not welcome after the customer has already written', async () => {
      const c = new BotTestClient(demo(), { channelId: 'webchat' });
      await c.send('hello');
      check(await c.join(), [], 'join after a message');
    });

    it('welcomes a new conversation in the language the user spoke last time (user state)', async () => {
      const first = new BotTestClient(demo(), { channelId: 'directline' });
      await first.send("où est mon colis ?");
      // Same storage and user, another conversation, no locale on the activity.
      const second = new BotTestClient(demo(), { channelId: 'directline' }, first.storage);
      const replies = await second.send({
        type: 'conversationUpdate',
        conversation: { id: 'another-conversation', isGroup: false, conversationType: '', name: '' },
        membersAdded: [{ id: 'bot', name: 'Bot' }],
      });
      check(replies, /^Bonjour !/, 'welcome');
    });
  });

  describe('language, time zone and tone', () => {
    const fixed = (overrides: Partial<TrackingResult> = {}): TrackingProvider => ({
      name: 'fixed',
      track: async (n) => ({
        trackingNumber: n,
        carrier: 'ups',
        status: 'in_transit',
        lastEvent: { time: '2025-06-03T08:05:00Z', place: 'Roissy, FR' },
        expectedDelivery: '2025-06-05',
        ...overrides,
      }),
    });

    it('uses Web Chat localTimezone for the event time', async () => {
      const c = new BotTestClient(fixed(), { channelId: 'test', locale: 'en-US', activity: { localTimezone: 'America/New_York' } });
      check(await c.send(UPS), /Last update: Roissy, FR — Tuesday, June 3 at 4:05 AM\nExpected delivery: Thursday, June 5/, 'ny');
    });

    it("uses Teams' clientInfo time zone", async () => {
      const entities = [{ type: 'clientInfo', locale: 'fr-FR', timezone: 'Asia/Tokyo' }];
      const c = new BotTestClient(fixed(), { channelId: 'test', locale: 'fr-FR', activity: { entities } });
      check(await c.send(UPS), /Dernière mise à jour\s: Roissy, FR — mardi 3 juin à 17:05/, 'tokyo');
    });

    it("falls back to the event's zone, then the default zone; an invalid channel zone is ignored", async () => {
      const c1 = new BotTestClient(fixed({ lastEvent: { time: '2025-06-03T08:05:00Z', place: 'Montréal', timeZone: 'America/Toronto' } }), {
        channelId: 'test',
        locale: 'fr-CA',
      });
      check(await c1.send(UPS), /Montréal — mardi 3 juin à 4 h 05/, 'event zone');
      const c2 = new BotTestClient(fixed(), { channelId: 'test', locale: 'en-GB', activity: { localTimezone: 'Mars/Olympus' } });
      check(await c2.send(UPS), /Roissy, FR — Tuesday 3 June at 10:05/, 'default zone (Europe/Paris)');
    });

    it('the activity locale decides unless the words are confidently another language; without one the words decide; a bare number keeps the language', async () => {
      const c = new BotTestClient(demo(), { channelId: 'webchat', locale: 'en-US' });
      check(await c.send('merci'), /^You're very welcome/, 'one French word is not enough: the locale decides');
      check(await c.send('où est mon colis ?'), /^Bien sûr !/, 'confident French outranks an en-US locale');
      const d = new BotTestClient(demo(), { channelId: 'webchat' });
      check(await d.send('où est mon colis ?'), /^Bien sûr !/, 'words');
      check(await d.send(UPS), card(/en route/), 'number alone stays French');
    });

    it('an upset customer gets the acknowledgement first and no cheerful tone', async () => {
      const upset: Signals = {
        language: 'en',
        languageSource: 'detected',
        sentiment: -0.8,
        emotions: [{ name: 'anger', score: 0.9, evidence: [] }],
        intents: [],
        trajectory: { turns: 1, rollingSentiment: -0.8, consecutiveNegative: 1, escalating: false },
      };
      const signals: Middleware = {
        onTurn: async (ctx: TurnContext, next) => {
          if (ctx.activity.type === 'message') recordTurn(ctx, 'signals', upset);
          await next();
        },
      };
      const c = new BotTestClient(demo(), { channelId: 'webchat', middleware: [signals] });
      const replies = await c.send('where the hell is my parcel???');
      check(replies, [/^I'm sorry, I understand why you're upset\.$/, /^Let's look into it\. What's the tracking number\?/], 'upset');
      expect(replies.map(textOf).join(' ')).to.not.include('!');
      const answer = await c.send(DELIVERED);
      check(answer, [/understand why you're upset/, card(/^Your parcel has been delivered\./)], 'calm answer');
    });
  });

  describe('channel rendering through the bot', () => {
    it('Teams gets an Adaptive Card with a summary, Slack mrkdwn text, others plain text', async () => {
      const teams = await new BotTestClient(demo(), { channelId: 'msteams' }).send(UPS);
      expect(teams[0].attachments?.[0]?.contentType).to.equal(ADAPTIVE_CARD_CONTENT_TYPE);
      const slack = await new BotTestClient(demo(), { channelId: 'slack' }).send(UPS);
      expect(slack[0].attachments ?? []).to.have.length(0);
      expect(textOf(slack[0])).to.match(/^\*Your parcel\* — Your parcel is on its way\.\n• \*Status:\* In transit/);
      const sms = await new BotTestClient(demo(), { channelId: 'sms' }).send(UPS);
      expect(textOf(sms[0])).to.match(/^Your parcel is on its way\.\nStatus: In transit\nCarrier: UPS\n/);
      expect(textOf(sms[0])).to.not.include('*');
    });

    it('removes the Teams @mention before understanding', async () => {
      const c = new BotTestClient(demo(), { channelId: 'msteams' });
      const replies = await c.send({
        text: '<at>Warmline</at> where is my parcel?',
        recipient: { id: 'bot', name: 'Warmline' },
        entities: [{ type: 'mention', mentioned: { id: 'bot', name: 'Warmline' }, text: '<at>Warmline</at>' }],
      } as Partial<Activity>);
      check(replies, /tracking number/, 'mention');
    });
  });

  describe('interruptions', () => {
    it('a developer interruption runs before the active prompt and can end the dialogs', async () => {
      const human: Interruption = async (dc, u) => {
        if (!/\b(?:human|conseiller)\b/.test(u.recognition.normalised)) return undefined;
        await dc.context.sendActivity('Connecting you with a person.');
        await dc.cancelAllDialogs();
        return { status: DialogTurnStatus.complete };
      };
      const c = new BotTestClient(demo(), { channelId: 'webchat', bot: { interruptions: [human] } });
      check(await c.send('where is my parcel?'), /tracking number/, 'prompt');
      expect(c.stackDepth).to.be.greaterThan(0);
      check(await c.send('I want a human'), 'Connecting you with a person.', 'interrupted');
      expect(c.stackDepth).to.equal(0);
      check(await c.send(UPS), card(/on its way/), 'number after the interruption starts over cleanly');
    });
  });
});
