import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import type { HandoffCase } from '../../middleware/handoff/handoffCase';
import { cardProblems } from '../helpers/adaptiveCards';
import { directLineMessage, slackMessage, teamsMessage } from '../helpers/channelActivities';
import type { ConnectorCall } from '../helpers/fakeConnector';
import { FakeSlackApi } from '../helpers/fakeSlackApi';
import { messageActivity } from '../../middleware/adapterMessenger';
import { startApp, type RunningApp } from './appHarness';

// Issue 13: the agent side as Teams, Slack and web chat clients show it.
const ALICE = { userId: '29:agent-alice-0001', userName: 'Alice Martin', conversationId: 'a:alice-watch-personal' };
const CAROL = { userId: '29:agent-carol-0002', userName: 'Carol Diaz', conversationId: 'a:carol-watch-personal' };
const BOB = { userId: 'U0AGENTBOB:T01TEAM0001', userName: 'bob', conversationId: 'B01BOT0001:T01TEAM0001:D0BOBDM' };
const SLACK_TOKEN = 'xoxb-000000000000-0000000000000-agentDeskToken';

type Card = { body: Array<Record<string, unknown>>; actions?: unknown[] };
const cardOf = (activity: Partial<Activity>): Card => (activity.attachments?.[0] as { content: Card }).content;
/** Every fact of a card, as "title: value". */
const factsOf = (card: Card): string[] =>
  card.body.filter((b) => b.type === 'FactSet').flatMap((b) => (b.facts as Array<{ title: string; value: string }>).map((f) => `${f.title}: ${f.value}`));
const textsOf = (card: Card): string[] => card.body.filter((b) => b.type === 'TextBlock').map((b) => String(b.text));

let seq = 0;

describe('agent side over HTTP: case cards updated in place, names, plain "why" (issue 13)', function () {
  this.timeout(30000);
  const slack = new FakeSlackApi();
  let run: RunningApp;

  before(() => slack.start());
  after(() => slack.stop());
  beforeEach(async () => {
    run = await startApp({ WARMLINE_AGENTS: `msteams:${ALICE.userId},msteams:${CAROL.userId},slack:${BOB.userId}`, SLACK_API_BASE_URL: slack.url });
  });
  afterEach(async () => {
    await run.app.handoff.idle();
    await run.stop();
  });

  const post = async (activity: Record<string, unknown>) => expect((await run.post(activity)).status).to.equal(200);
  const teams = (who: typeof ALICE, text: string, value?: unknown) => post(teamsMessage(text, { serviceUrl: run.connector.url, ...who, ...(value ? { value } : {}) }));
  const bob = (text: string) => post(slackMessage(text, { serviceUrl: run.connector.url, ...BOB, apiToken: SLACK_TOKEN }));
  const customer = (conversationId: string, text: string, userName?: string) =>
    post(directLineMessage(text, { serviceUrl: run.connector.url, conversationId, userId: 'dl-user-1796608646257', ...(userName ? { userName } : {}) }));
  const openCase = async (conversationId: string): Promise<HandoffCase> => {
    const c = await run.app.handoff.store.findOpenByConversation(`directline/${conversationId}`);
    expect(c, 'open case').to.not.equal(undefined);
    return c as HandoffCase;
  };
  const announcedTo = (conversationId: string, caseId: string): Promise<ConnectorCall> =>
    run.connector.waitFor((x) => x.method === 'POST' && x.conversationId === conversationId && JSON.stringify(x.activity.attachments ?? []).includes(`${caseId} ·`));
  const updateOf = (conversationId: string, activityId: string, pattern: RegExp): Promise<ConnectorCall> =>
    run.connector.waitFor((x) => x.method === 'PUT' && x.conversationId === conversationId && x.activityId === activityId && pattern.test(JSON.stringify(x.activity)));

  it("a Teams agent's original card is updated in place when another agent takes the case, then when it is closed; Slack's too", async () => {
    await teams(ALICE, 'online');
    await teams(CAROL, 'online');
    await bob('online');
    const conv = `DL-cards-${process.pid}-${++seq}`;
    await customer(conv, "Someone stole my card, there are payments I don't recognise", 'Jane Doe');
    const c = await openCase(conv);
    const aliceCard = await announcedTo(ALICE.conversationId, c.id);
    const carolCard = await announcedTo(CAROL.conversationId, c.id);
    const aliceId = aliceCard.responseId as string;
    expect(cardOf(aliceCard.activity).actions, 'Accept on the new card').to.have.length(1);
    const slackPost = await slack.waitFor((x) => x.api === 'chat.postMessage' && JSON.stringify(x.body).includes(c.id));

    // The cards' ids are kept beside the case, without Slack's bot token (it lives only as long as the presence).
    await run.app.handoff.idle();
    const kept = (await run.app.handoff.store.listAnnouncements?.(c.id)) ?? [];
    expect(kept.map((k) => k.where.key).sort()).to.deep.equal([`msteams/${ALICE.conversationId}`, `msteams/${CAROL.conversationId}`, `slack/${BOB.conversationId}`].sort());
    expect(JSON.stringify(kept)).to.not.contain(SLACK_TOKEN);

    // Carol clicks Accept on her card (Action.Submit).
    await teams(CAROL, '', { warmline: 'accept', caseId: c.id });
    const aliceUpdate = await updateOf(ALICE.conversationId, aliceId, /Taken by Carol Diaz/);
    const updated = cardOf(aliceUpdate.activity);
    expect(cardProblems(updated), 'a valid Adaptive Card 1.5').to.deep.equal([]);
    expect(updated.actions, 'no Accept once taken').to.equal(undefined);
    expect(textsOf(updated)).to.include('Taken by Carol Diaz');
    expect(aliceUpdate.activity.id).to.equal(aliceId);
    const carolId = carolCard.responseId as string;
    expect(textsOf(cardOf((await updateOf(CAROL.conversationId, carolId, /Taken by Carol Diaz \(you\)/)).activity))).to.include('Taken by Carol Diaz (you)');
    const slackUpdate = await slack.waitFor((x) => x.api === 'chat.update' && JSON.stringify(x.body).includes('Taken by Carol Diaz'));
    expect(slackPost.answeredTs, 'the post was answered with a ts').to.be.a('string');
    expect(slackUpdate.body).to.deep.include({ channel: 'D0BOBDM', ts: slackPost.answeredTs });
    expect(JSON.stringify(slackUpdate.body.blocks)).to.not.contain('warmline_accept');
    expect(slackUpdate.authorization).to.equal(`Bearer ${SLACK_TOKEN}`);

    await teams(CAROL, 'close');
    const closed = await updateOf(ALICE.conversationId, aliceId, /Closed by Carol Diaz/);
    expect(cardOf(closed.activity).actions).to.equal(undefined);
    await slack.waitFor((x) => x.api === 'chat.update' && JSON.stringify(x.body).includes('Closed by Carol Diaz'));
  });

  it('the card lays the summary out as separate facts (customer, wants, bot, why in plain words), never one paragraph', async () => {
    await teams(ALICE, 'online');
    const conv = `DL-layout-${process.pid}-${++seq}`;
    await customer(conv, "Someone stole my card, there are payments I don't recognise", 'Jane Doe');
    const c = await openCase(conv);
    const card = cardOf((await announcedTo(ALICE.conversationId, c.id)).activity);
    const facts = factsOf(card);
    expect(facts.find((f) => f.startsWith('Customer: '))).to.match(/^Customer: Jane Doe · /);
    expect(facts.some((f) => /^Wants: Fraud/.test(f))).to.equal(true);
    expect(facts.some((f) => /^Bot: no attempt/.test(f))).to.equal(true);
    const why = facts.find((f) => f.startsWith('Why: ')) ?? '';
    expect(why).to.match(/^Why: Fraud \/ security, high priority: the customer said “/).and.match(/“someone stole my card”/i);
    expect(why).to.not.match(/intent fraud|->|\(1\.00\)/);
    // Each quote once.
    for (const word of why.match(/“[^”]+”/g) ?? []) expect(why.split(word)).to.have.length(2);
    // No text block runs the summary's lines together.
    expect(textsOf(card).some((t) => /Who:|Wants:|Bot:/.test(t))).to.equal(false);
  });

  it("relayed agent messages reach web chat with the agent's name (from.name and channelData.warmline); an unnamed customer is never a bare id", async () => {
    await teams(ALICE, 'online');
    const conv = `DL-names-${process.pid}-${++seq}`;
    await customer(conv, 'I want to speak to a human');
    const c = await openCase(conv);
    const card = cardOf((await announcedTo(ALICE.conversationId, c.id)).activity);
    expect(JSON.stringify(card)).to.not.contain('dl-user-1796608646257');
    expect(factsOf(card).find((f) => f.startsWith('Customer: '))).to.match(/^Customer: Web chat customer ···6257 · /);
    await teams(ALICE, '', { warmline: 'accept', caseId: c.id });
    await teams(ALICE, 'Hello, I am looking at it now');
    const relayed = await run.connector.waitFor((x) => x.conversationId === conv && x.activity.text === 'Hello, I am looking at it now');
    expect(relayed.activity.from?.name).to.equal('Alice Martin');
    expect((relayed.activity.channelData as Record<string, unknown>).warmline).to.deep.equal({ sender: 'agent', agentName: 'Alice Martin' });
    await customer(conv, 'thanks!');
    const toAlice = await run.connector.waitFor((x) => x.conversationId === ALICE.conversationId && /thanks!/.test(x.activity.text ?? ''));
    expect(toAlice.activity.text).to.equal(`[${c.id}] Web chat customer ···6257: thanks!`);
  });

  it('a Teams customer without a name in the activity is named through TeamsInfo.getMember; agent words start with the agent\'s name there', async () => {
    await bob('online');
    const userId = '29:customer-no-name-0003';
    run.connector.members.set(userId, { id: userId, name: 'Megan Bowen', aadObjectId: 'd9a4c5e2-7b61-4b3c-9f0e-1b2a3c4d5e6f' });
    const conversationId = `a:customer-teams-${++seq}`;
    const activity = teamsMessage('I want to speak to a human', { serviceUrl: run.connector.url, userId, conversationId });
    delete (activity.from as Record<string, unknown>).name;
    await post(activity);
    const c = (await run.app.handoff.store.findOpenByConversation(`msteams/${conversationId}`)) as HandoffCase;
    expect(run.connector.memberLookups).to.include(userId);
    expect(c.customer.name).to.equal('Megan Bowen');
    await post({ ...slackMessage('', { serviceUrl: run.connector.url, ...BOB, apiToken: SLACK_TOKEN }), text: `accept ${c.id}` });
    await bob('Hi Megan, I can help');
    const relayed = await run.connector.waitFor((x) => x.conversationId === conversationId && /I can help/.test(x.activity.text ?? ''));
    expect(relayed.activity.text).to.equal('bob: Hi Megan, I can help');
    expect((relayed.activity.channelData as Record<string, unknown>).warmline).to.deep.equal({ sender: 'agent', agentName: 'bob' });
  });
});

describe('messageActivity: how an agent message is marked per channel (issue 13)', () => {
  const agentSays = { text: 'Hello', role: 'agent' as const, agentName: 'Ana Martin' };

  it('web chat: the text as written, channelData.warmline = { sender, agentName } (the web chat page draws the avatar from it)', () => {
    for (const channel of ['directline', 'webchat']) {
      const a = messageActivity(agentSays, channel);
      expect([a.text, a.channelData]).to.deep.equal(['Hello', { warmline: { sender: 'agent', agentName: 'Ana Martin' } }]);
    }
  });

  it("Teams and Slack show the bot's name on every message: the agent's name starts the text; no channelData on Slack", () => {
    expect(messageActivity(agentSays, 'msteams').text).to.equal('Ana Martin: Hello');
    const slack = messageActivity(agentSays, 'slack');
    expect([slack.text, slack.channelData]).to.deep.equal(['Ana Martin: Hello', undefined]);
  });

  it("the bot's own messages carry no mark", () => {
    const a = messageActivity({ text: 'Ana Martin has joined.', role: 'bot' }, 'directline');
    expect([a.text, a.channelData]).to.deep.equal(['Ana Martin has joined.', undefined]);
  });
});
