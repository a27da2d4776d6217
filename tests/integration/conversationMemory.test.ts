import { expect } from 'chai';
import { MESSAGES } from '../../dialogs/messages';
import { DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';
import { handoffMessages } from '../../middleware/handoff/handoffMessages';
import { directLineMessage, teamsMessage, type ChannelMessageOptions, type WireActivity } from '../helpers/channelActivities';
import { startApp, type RunningApp } from './appHarness';

interface SentActivity {
  type: string;
  text?: string;
  summary?: string;
}

/**
 * Issue 13, points 4–6 over the real endpoint (createApp: signals -> handoff -> CustomerBot), as Teams and Web Chat
 * send messages: what the customer reads after each message, in order.
 */
describe('conversation memory, understanding and language over HTTP (Teams, Web Chat)', function () {
  this.timeout(30000);
  let run: RunningApp;
  before(async () => {
    run = await startApp();
  });
  after(async () => {
    await run.stop();
  });

  type Make = (text: string, o: ChannelMessageOptions) => WireActivity;
  /** A conversation on one channel: `say` returns the texts (or card summaries) the bot answered, in order. */
  const conversation = (make: Make, locale: string) => {
    const conversationId = `conversation-memory-${Math.random().toString(36).slice(2)}`;
    return async (text: string): Promise<string[]> => {
      const res = await run.post(make(text, { serviceUrl: run.connector.url, conversationId, locale, deliveryMode: 'expectReplies' }));
      expect(res.status).to.equal(200);
      const activities = (res.body as { activities: SentActivity[] }).activities;
      return activities.filter((a) => a.type === 'message').map((a) => a.text ?? a.summary ?? '');
    };
  };
  const inTransit = DEMO_PARCELS.find((p) => p.status === 'in_transit')?.trackingNumber ?? '';

  it('Teams: after "no" to an offer inside the tracking prompt, the next bot message asks for the tracking number again', async () => {
    const say = conversation(teamsMessage, 'en-US');
    expect(await say('where is my parcel?')).to.deep.equal([MESSAGES.en.askNumber('warm')]);
    await say('purple monkey dishwasher');
    expect((await say('zorp blat quux')).at(-1)).to.equal(handoffMessages('en').offer('misunderstood'));
    expect(await say('no')).to.deep.equal([MESSAGES.en.askNumber('warm')]);
    expect((await say(inTransit))[0]).to.match(/^Your parcel is on its way/);
  });

  it('Web Chat: two misunderstandings in a row produce exactly one offer of a person', async () => {
    const say = conversation(directLineMessage, 'en-US');
    const replies = [...(await say('purple monkey dishwasher')), ...(await say('zorp blat quux'))];
    const offers = replies.filter((r) => /\bperson\b/.test(r));
    expect(offers, replies.join(' | ')).to.deep.equal([handoffMessages('en').offer('misunderstood')]);
    expect(await say('flim flam'), 'the same run goes on: no second offer').to.deep.equal([MESSAGES.en.notUnderstood(3)]);
  });

  it('Teams en-US with French text: answers in French and keeps French for "ok"; a mistyped number gets the format help', async () => {
    const say = conversation(teamsMessage, 'en-US');
    expect(await say('où est mon colis ?')).to.deep.equal([MESSAGES.fr.askNumber('warm')]);
    expect(await say('ok')).to.deep.equal([MESSAGES.fr.askNumberAgain]);
    expect(await say('annuler')).to.deep.equal([MESSAGES.fr.cancelled]);
    expect((await say(inTransit.slice(0, -1)))[0]).to.match(/^Hum, ce numéro ne ressemble pas/);
  });

  it('Teams fr-FR with English text: answers in English; "I don\'t have it" outside the prompt takes the e-mail path', async () => {
    const say = conversation(teamsMessage, 'fr-FR');
    expect(await say("I don't have it")).to.deep.equal([MESSAGES.en.askEmail('warm')]);
    expect(await say('merci')).to.deep.equal([MESSAGES.en.invalidEmail]);
  });

  it('Web Chat in French: « je ne l\'ai pas » outside the prompt takes the e-mail path', async () => {
    const say = conversation(directLineMessage, 'fr-FR');
    expect(await say("je ne l'ai pas")).to.deep.equal([MESSAGES.fr.askEmail('warm')]);
  });
});
