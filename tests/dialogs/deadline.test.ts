import { expect } from 'chai';
import { DemoTrackingProvider } from '../../dialogs/tracking/demoTrackingProvider';
import { checkDeadline } from '../../dialogs/parcelTrackingDialog';
import { recognizeRequest } from '../../dialogs/requestRecognizer';
import { BotTestClient, demoNumber } from './botTestClient';

// Monday 2 March 2026: the delayed demo parcel is expected on Thursday 5 March.
const NOW = new Date('2026-03-02T09:00:00Z');
const client = (locale: string) =>
  new BotTestClient(new DemoTrackingProvider({ now: () => NOW }), { channelId: 'webchat', locale, bot: { clock: () => NOW } });

describe('deadlines in the dialogs', () => {
  describe('checkDeadline', () => {
    const table: Array<{ name: string; neededBy: string; status: Parameters<typeof checkDeadline>[1]['status']; expected?: string; missed: boolean }> = [
      { name: 'expected after the day needed -> missed', neededBy: '2026-03-04', status: 'delayed', expected: '2026-03-05T00:00:00Z', missed: true },
      { name: 'expected on the day needed -> met', neededBy: '2026-03-05', status: 'in_transit', expected: '2026-03-05', missed: false },
      { name: 'expected before -> met', neededBy: '2026-03-06', status: 'in_transit', expected: '2026-03-04', missed: false },
      { name: 'lost, no expected day -> missed', neededBy: '2026-03-06', status: 'exception_lost', missed: true },
      { name: 'not found -> missed', neededBy: '2026-03-06', status: 'not_found', missed: true },
      { name: 'in transit with no expected day -> not known to be missed', neededBy: '2026-03-06', status: 'in_transit', missed: false },
      { name: 'delivered -> met, whatever the dates', neededBy: '2026-03-01', status: 'delivered', expected: '2026-03-05', missed: false },
    ];
    for (const row of table) {
      it(row.name, () => {
        const fact = checkDeadline(row.neededBy, { status: row.status, ...(row.expected ? { expectedDelivery: row.expected } : {}) });
        expect(fact.missed).to.equal(row.missed);
        expect(fact.neededBy).to.equal(row.neededBy);
        expect(fact.status).to.equal(row.status);
      });
    }
  });

  describe('a day the customer needs it by is read as a question about the arrival', () => {
    const eta = ['I need it by the 12th', 'need it for Friday please', 'we need the parcel by next Monday', 'il me le faut pour vendredi', "j'en ai besoin avant le 12", 'je dois le recevoir d’ici demain'];
    const not = ['I need a refund', 'il me faut un conseiller', 'pour vendredi ?'];
    for (const text of eta) it(`"${text}" -> eta`, () => expect(recognizeRequest(text).focus).to.equal('eta'));
    for (const text of not) it(`"${text}" -> no focus`, () => expect(recognizeRequest(text).focus).to.equal(undefined));
  });

  describe('the facts the handoff reads', () => {
    const rows: Array<{ name: string; locale: string; says: string; reply: RegExp; missed?: boolean }> = [
      { name: 'EN met', locale: 'en-US', says: `I need it by Friday, parcel ${demoNumber('delayed')}`, reply: /should be there by then/, missed: false },
      { name: 'EN missed', locale: 'en-US', says: `I need it by Wednesday, parcel ${demoNumber('delayed')}`, reply: /a little later than/, missed: true },
      { name: 'FR tenue', locale: 'fr-FR', says: `il me le faut pour vendredi, colis ${demoNumber('delayed')}`, reply: /devrait être là à temps/, missed: false },
      { name: 'FR manquée', locale: 'fr-FR', says: `il me le faut pour mercredi, colis ${demoNumber('delayed')}`, reply: /un peu après/, missed: true },
      { name: 'no deadline', locale: 'en-US', says: `when will parcel ${demoNumber('delayed')} arrive?`, reply: /expected/ },
    ];
    for (const row of rows) {
      it(`${row.name}: the answer, and facts.deadline ${row.missed === undefined ? 'absent' : `missed=${row.missed}`}`, async () => {
        const c = client(row.locale);
        const replies = await c.send(row.says);
        expect(replies[0]?.text ?? '').to.match(row.reply);
        if (row.missed === undefined) expect(c.facts.deadline).to.equal(undefined);
        else expect(c.facts.deadline).to.deep.include({ neededBy: row.missed ? '2026-03-04' : '2026-03-06', expected: '2026-03-05', status: 'delayed', missed: row.missed });
      });
    }

    it('asked before the number is given, the day is checked once the number comes', async () => {
      const c = client('en-US');
      const ask = await c.send('I need my parcel by Wednesday');
      expect(ask[0]?.text ?? '').to.match(/tracking number/i);
      expect(c.facts.deadline).to.equal(undefined);
      await c.send(demoNumber('delayed'));
      expect(c.facts.deadline).to.deep.include({ neededBy: '2026-03-04', missed: true });
    });

    it('belongs to the message that asked: cleared when the next message begins', async () => {
      const c = client('en-US');
      await c.send(`I need it by Wednesday, parcel ${demoNumber('delayed')}`);
      expect(c.facts.deadline?.missed).to.equal(true);
      await c.send('thanks');
      expect(c.facts.deadline).to.equal(undefined);
    });
  });
});
