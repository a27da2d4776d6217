import { expect } from 'chai';
import { proactiveTexts } from '../../middleware/proactive/proactiveMessages';
import { DemoTrackingProvider } from '../../dialogs/tracking/demoTrackingProvider';
import { directLineMessage } from '../helpers/channelActivities';
import { startApp, type RunningApp } from './appHarness';

interface SentActivity {
  type: string;
  text?: string;
  attachments?: unknown[];
}

// Monday 2 March 2026: the delayed DHL parcel is expected on Thursday 5 March, the UPS one on Wednesday 4 March.
const NOW = new Date('2026-03-02T09:00:00Z');
const DELAYED = '4820631756';
const IN_TRANSIT = '1Z4E29W70374856127';
const OFFER = { en: /can’t wait, a person from our team can look right away/, fr: /ne peut pas attendre, une personne de notre équipe peut regarder tout de suite/ };
const ANY_OFFER = /person from our team\? \(yes \/ no\)|Would you like that\? \(yes \/ no\)|personne de notre équipe \? \(oui \/ non\)|Le souhaitez-vous \? \(oui \/ non\)/;

/**
 * A stated deadline through the whole app (signals -> handoff -> dialogs) over HTTP: a deadline the parcel meets gets
 * the status alone; one it misses, or medicine / a document / a travel date with a time, gets the status and an
 * offer of a person at once, in the customer's language; "yes" queues the case at high priority.
 */
describe('deadlines over the real HTTP endpoint', function () {
  this.timeout(60000);
  let run: RunningApp;
  before(async () => {
    run = await startApp({}, { now: () => NOW, trackingProvider: new DemoTrackingProvider({ now: () => NOW }) });
  });
  after(async () => {
    await run.stop();
  });

  const say = async (conversationId: string, text: string, locale: string): Promise<string[]> => {
    const res = await run.post(directLineMessage(text, { serviceUrl: run.connector.url, conversationId, locale, deliveryMode: 'expectReplies' }));
    expect(res.status).to.equal(200);
    return (res.body as { activities: SentActivity[] }).activities.filter((a) => a.type === 'message').map((a) => a.text ?? '[card]');
  };

  const table: Array<{ name: string; locale: 'en-US' | 'fr-FR'; says: string; status: RegExp; offer: boolean }> = [
    { name: 'EN deadline met -> status only', locale: 'en-US', says: `I need it by Friday, parcel ${DELAYED}`, status: /should be there by then/, offer: false },
    { name: 'EN deadline missed -> status + offer', locale: 'en-US', says: `I need it by Wednesday, parcel ${DELAYED}`, status: /a little later than/, offer: true },
    { name: 'EN medicine inside + a day -> status + offer', locale: 'en-US', says: `my insulin is in parcel ${IN_TRANSIT} and I have to have it tomorrow`, status: /\[card\]/, offer: true },
    { name: 'EN document + travel date -> status + offer', locale: 'en-US', says: `my passport is in parcel ${DELAYED} and my flight leaves on Thursday`, status: /\[card\]/, offer: true },
    { name: 'EN no deadline -> unchanged', locale: 'en-US', says: `where is my parcel ${DELAYED}?`, status: /\[card\]/, offer: false },
    { name: 'FR échéance tenue -> statut seul', locale: 'fr-FR', says: `il me le faut pour vendredi, colis ${DELAYED}`, status: /devrait être là à temps/, offer: false },
    { name: 'FR échéance manquée -> statut + offre', locale: 'fr-FR', says: `il me le faut pour mercredi, colis ${DELAYED}`, status: /un peu après/, offer: true },
    { name: 'FR passeport + vol -> statut + offre', locale: 'fr-FR', says: `mon passeport est dans le colis ${DELAYED} et mon vol part demain`, status: /\[card\]/, offer: true },
    { name: 'FR médicaments + délai -> statut + offre', locale: 'fr-FR', says: `mes médicaments sont dans le colis ${IN_TRANSIT}, il m'en reste pour deux jours`, status: /\[card\]/, offer: true },
    { name: 'FR sans échéance -> inchangé', locale: 'fr-FR', says: `où est mon colis ${DELAYED} ?`, status: /\[card\]/, offer: false },
  ];
  table.forEach((row, i) => {
    it(row.name, async () => {
      const replies = await say(`dl-deadline-${i}`, row.says, row.locale);
      const all = replies.join(' | ');
      expect(replies[0], all).to.match(row.status);
      if (row.offer) {
        // The status, the line saying the parcel is now watched (proactive care), then the offer.
        expect(replies, all).to.have.length(3);
        expect(replies[1]).to.equal(proactiveTexts(row.locale).watching);
        expect(replies[2]).to.match(row.locale === 'en-US' ? OFFER.en : OFFER.fr);
      } else {
        expect(all).to.not.match(ANY_OFFER);
      }
    });
  });

  it('"yes" to the offer queues the case at high priority, with the reason and the parcel on it', async () => {
    const conversationId = 'dl-deadline-yes';
    await say(conversationId, `I need it by Wednesday, parcel ${DELAYED}`, 'en-US');
    const replies = await say(conversationId, 'yes please', 'en-US');
    expect(replies.join(' | ')).to.match(/can't wait.*marked as a priority/);
    const open = await run.app.handoff.customers.findOpenCase(`directline/${conversationId}`);
    expect(open?.reason).to.equal('deadline');
    expect(open?.priority).to.equal('high');
    expect(open?.collected.trackingNumber).to.equal(DELAYED);
  });

  it('the offer is made once: a second missed deadline in the conversation gets the status alone', async () => {
    const conversationId = 'dl-deadline-once';
    expect((await say(conversationId, `I need it by Wednesday, parcel ${DELAYED}`, 'en-US')).at(-1)).to.match(OFFER.en);
    await say(conversationId, 'no', 'en-US');
    const again = await say(conversationId, `and I need it by Tuesday, parcel ${DELAYED}`, 'en-US');
    expect(again.join(' | ')).to.not.match(ANY_OFFER);
  });
});
