import { expect } from 'chai';
import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { DialogTurnStatus } from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import { ParcelTrackingDialog } from '../../dialogs/parcelTrackingDialog';
import { DEMO_PARCELS, DemoTrackingProvider } from '../../dialogs/tracking/demoTrackingProvider';

// ParcelTrackingDialog alone, driven by botbuilder-testing's DialogTestClient, in English and French, on the
// channels whose rendering differs. Each step: what the customer says, and what the bot's reply must show.
type Expect = RegExp | ((reply: Partial<Activity>) => void);
interface DialogCase {
  name: string;
  channel: 'msteams' | 'slack' | 'webchat' | 'test';
  locale: string;
  steps: Array<[says: string, expects: Expect[]]>;
  status: DialogTurnStatus;
}

const number = (status: string) => DEMO_PARCELS.find((p) => p.status === status)!.trackingNumber;
const card = (contains: RegExp): Expect => (reply) => {
  const attachment = reply.attachments?.[0];
  expect(attachment?.contentType, 'an Adaptive Card').to.equal('application/vnd.microsoft.card.adaptive');
  expect(JSON.stringify(attachment!.content)).to.match(contains);
};
const slackText = (contains: RegExp): Expect => (reply) => {
  expect(reply.attachments ?? [], 'no card on Slack').to.deep.equal([]);
  expect(reply.text).to.match(contains);
  expect(reply.text).to.match(/\*[^*\n]+\*/);
};

const cases: DialogCase[] = [
  {
    name: 'English on Teams: asks for the number, answers with a card',
    channel: 'msteams',
    locale: 'en-US',
    steps: [
      ['where is my parcel?', [/tracking number/i]],
      [number('in_transit'), [card(/on its way/i)]],
    ],
    status: DialogTurnStatus.complete,
  },
  {
    name: 'English on Slack: a typo gets the expected format, then mrkdwn text',
    channel: 'slack',
    locale: 'en-US',
    steps: [
      ['track my package', [/tracking number/i]],
      ['1Z999AA10123456785', [/UPS|1Z/]],
      [number('delayed'), [slackText(/delayed/i)]],
    ],
    status: DialogTurnStatus.complete,
  },
  {
    name: 'French on Web Chat: asks in French, answers with a French card',
    channel: 'webchat',
    locale: 'fr-FR',
    steps: [
      ['où est mon colis ?', [/numéro de suivi/i]],
      [number('delivered'), [card(/livré/i)]],
    ],
    status: DialogTurnStatus.complete,
  },
  {
    name: 'French: "je ne l\'ai pas" leads to the e-mail path instead of a loop',
    channel: 'webchat',
    locale: 'fr-FR',
    steps: [
      ['suivi de ma commande', [/numéro de suivi/i]],
      ["je ne l'ai pas", [/e-mail|adresse/i]],
    ],
    status: DialogTurnStatus.waiting,
  },
  {
    name: 'English: "I don\'t have it" asks for the order e-mail',
    channel: 'test',
    locale: 'en-US',
    steps: [
      ['where is my parcel', [/tracking number/i]],
      ["I don't have it", [/e-mail/i]],
    ],
    status: DialogTurnStatus.waiting,
  },
];

describe('ParcelTrackingDialog with DialogTestClient (English and French, per channel)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const conversationState = new ConversationState(new MemoryStorage());
      const dialog = new ParcelTrackingDialog(new DemoTrackingProvider(), conversationState, { defaultLocale: c.locale });
      const client = new DialogTestClient(c.channel, dialog, undefined, [], conversationState);
      for (const [says, expects] of c.steps) {
        // sendActivity resolves with the first reply; the others wait in getNextReply().
        const first = await client.sendActivity({ type: 'message', text: says, locale: c.locale } as Partial<Activity>);
        const replies: Partial<Activity>[] = first ? [first] : [];
        for (let r = client.getNextReply(); r; r = client.getNextReply()) replies.push(r);
        expect(replies.length, `a reply to "${says}"`).to.be.greaterThan(0);
        for (const e of expects) {
          if (e instanceof RegExp) {
            const texts = replies.map((r) => `${r.text ?? ''} ${JSON.stringify(r.attachments ?? [])}`);
            expect(texts.join(' | '), `reply to "${says}"`).to.match(e);
          } else {
            e(replies[replies.length - 1]);
          }
        }
      }
      expect(client.dialogTurnResult.status).to.equal(c.status);
    });
  }
});
