import { expect } from 'chai';
import { cardProblems } from '../helpers/adaptiveCards';
import { DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';
import { directLineMessage, slackMessage, teamsMessage } from '../helpers/channelActivities';
import { startApp, type RunningApp } from './appHarness';

interface Attachment {
  contentType: string;
  content: Record<string, unknown>;
}
interface SentActivity {
  type: string;
  text?: string;
  textFormat?: string;
  attachments?: Attachment[];
  summary?: string;
}

function validateCard(content: unknown): void {
  expect(cardProblems(content), 'Adaptive Card 1.5 parse and validation').to.deep.equal([]);
}

const parcel = (status: string) => {
  const p = DEMO_PARCELS.find((x) => x.status === status);
  if (!p) throw new Error(`no demo parcel with status ${status}`);
  return p;
};

describe('parcel tracking over the real HTTP endpoint', function () {
  this.timeout(30000);
  let run: RunningApp;
  before(async () => {
    run = await startApp();
  });
  after(async () => {
    await run.stop();
  });

  it('Teams with deliveryMode expectReplies: the tracking answer is an Adaptive Card in the HTTP response', async () => {
    const p = parcel('in_transit');
    const activity = teamsMessage(`where is my parcel ${p.trackingNumber}?`, {
      serviceUrl: run.connector.url,
      deliveryMode: 'expectReplies',
    });
    const before = run.connector.calls.length;
    const res = await run.post(activity);
    expect(res.status).to.equal(200);
    const activities = (res.body as { activities: SentActivity[] }).activities;
    const cards = activities.flatMap((a) => a.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
    expect(cards, JSON.stringify(activities.map((a) => a.text ?? a.summary))).to.have.length(1);
    validateCard(cards[0].content);
    expect(Number(String(cards[0].content.version))).to.be.at.most(1.5);
    expect(JSON.stringify(cards[0].content)).to.contain(p.trackingNumber);
    // Nothing went to the connector: expectReplies buffers replies into the response.
    expect(run.connector.calls.length).to.equal(before);
  });

  it('Teams: asks for the number, then answers with a card through the connector', async () => {
    const conversationId = 'a:1teams-ask-number';
    const ask = teamsMessage('where is my parcel?', { serviceUrl: run.connector.url, conversationId });
    expect((await run.post(ask)).status).to.equal(200);
    const question = await run.connector.waitFor((c) => c.conversationId === conversationId && /tracking number/i.test(c.activity.text ?? ''));
    expect(question.activity.text).to.match(/tracking number/i);
    const p = parcel('delivered');
    await run.post(teamsMessage(p.trackingNumber, { serviceUrl: run.connector.url, conversationId }));
    const reply = await run.connector.waitFor((c) => c.conversationId === conversationId && (c.activity.attachments ?? []).length > 0);
    validateCard(reply.activity.attachments![0].content);
    expect(JSON.stringify(reply.activity.attachments![0].content)).to.contain(p.trackingNumber);
  });

  it('Slack: the tracking answer is mrkdwn text, not a card', async () => {
    const p = parcel('delayed');
    const activity = slackMessage(`track ${p.trackingNumber}`, { serviceUrl: run.connector.url, deliveryMode: 'expectReplies' });
    const res = await run.post(activity);
    expect(res.status).to.equal(200);
    const activities = (res.body as { activities: SentActivity[] }).activities;
    expect(activities.flatMap((a) => a.attachments ?? [])).to.deep.equal([]);
    const answer = activities.find((a) => (a.text ?? '').includes(p.trackingNumber));
    expect(answer, JSON.stringify(activities)).to.not.equal(undefined);
    expect(answer!.text).to.match(/\*[^*\n]+\*/); // Slack bold
    expect(answer!.text).to.not.match(/\*\*|^#/m); // no Markdown bold or headings
  });

  it('Direct Line in French: "où est mon colis" -> asks in French -> a card in French', async () => {
    const conversationId = 'dl-fr-1';
    await run.post(directLineMessage('où est mon colis ?', { serviceUrl: run.connector.url, conversationId, locale: 'fr-FR' }));
    const question = await run.connector.waitFor((c) => c.conversationId === conversationId);
    expect(question.activity.text).to.match(/numéro/i);
    const p = parcel('out_for_delivery');
    await run.post(directLineMessage(p.trackingNumber, { serviceUrl: run.connector.url, conversationId, locale: 'fr-FR' }));
    const reply = await run.connector.waitFor((c) => c.conversationId === conversationId && (c.activity.attachments ?? []).length > 0);
    const card = reply.activity.attachments![0].content as Record<string, unknown>;
    validateCard(card);
    expect(JSON.stringify(card)).to.match(/livraison|livré|en cours/i);
  });

  it('follow-up in the same conversation reuses the parcel instead of asking again', async () => {
    const conversationId = 'dl-followup';
    const p = parcel('in_transit');
    await run.post(directLineMessage(`where is my parcel ${p.trackingNumber}`, { serviceUrl: run.connector.url, conversationId }));
    await run.connector.waitFor((c) => c.conversationId === conversationId && (c.activity.attachments ?? []).length > 0);
    const before = run.connector.activities(conversationId).length;
    await run.post(directLineMessage('and when will it arrive?', { serviceUrl: run.connector.url, conversationId }));
    const follow = await run.connector.waitFor(
      (c) => c.conversationId === conversationId && run.connector.activities(conversationId).indexOf(c.activity) >= before,
    );
    expect(follow.activity.text).to.match(/expected on/i);
    expect(follow.activity.text).to.not.match(/tracking number/i);
  });

  it('tracking three different parcels is not "the same request three times"; asking about one parcel three times gets a human offered', async () => {
    const offers = (conversationId: string) =>
      run.connector.activities(conversationId).filter((a) => /talk to a person/i.test(a.text ?? '')).length;
    const statuses = ['in_transit', 'delivered', 'delayed'] as const;
    const many = 'dl-three-parcels';
    for (const s of statuses) {
      const res = await run.post(directLineMessage(`where is my parcel ${parcel(s).trackingNumber}?`, { serviceUrl: run.connector.url, conversationId: many, deliveryMode: 'expectReplies' }));
      const texts = (res.body as { activities: SentActivity[] }).activities.map((a) => a.text ?? '');
      expect(texts.join(' | ')).to.not.match(/talk to a person/i);
    }
    const same = 'dl-same-parcel';
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await run.post(directLineMessage(`where is my parcel ${parcel('delayed').trackingNumber}?`, { serviceUrl: run.connector.url, conversationId: same, deliveryMode: 'expectReplies' }));
      replies.push((res.body as { activities: SentActivity[] }).activities.map((a) => a.text ?? '').join(' | '));
    }
    expect(replies[0]).to.not.match(/talk to a person/i);
    expect(replies[2]).to.match(/talk to a person/i);
    expect(offers(many)).to.equal(0);
  });

  it('bad input: malformed and unknown activities never crash the bot', async () => {
    expect((await run.post({ hello: 'world' })).status).to.equal(400);
    const weird = { ...teamsMessage('x', { serviceUrl: run.connector.url }), type: 'somethingNew' };
    expect((await run.post(weird)).status).to.equal(200);
    const numericText = { ...directLineMessage('x', { serviceUrl: run.connector.url }), text: 12345 };
    expect((await run.post(numericText)).status).to.be.oneOf([200, 400]);
    expect((await fetch(`${run.url}/healthz`)).status).to.equal(200);
  });

  it('an oversized message gets a polite notice and is still answered', async () => {
    const conversationId = 'dl-long';
    const long = `where is my parcel? ${'I have been waiting for so long. '.repeat(200)}`;
    await run.post(directLineMessage(long, { serviceUrl: run.connector.url, conversationId }));
    const notice = await run.connector.waitFor((c) => c.conversationId === conversationId && /long message/i.test(c.activity.text ?? ''));
    expect(notice.activity.text).to.match(/first 4,000 characters/);
    await run.connector.waitFor((c) => c.conversationId === conversationId && /tracking number/i.test(c.activity.text ?? ''));
  });
});
