import { expect } from 'chai';
import { cardProblems } from '../helpers/adaptiveCards';
import type { Activity, Storage } from 'botbuilder';
import { Redis } from 'ioredis';
import type { HandoffCase } from '../../middleware/handoff/handoffCase';
import { customerLabel } from '../../middleware/handoff/caseSummary';
import { directLineMessage, slackMessage, teamsMessage, type WireActivity } from '../helpers/channelActivities';
import { FakeSlackApi } from '../helpers/fakeSlackApi';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../middleware/handoff/testRedis';
import { startApp, type RunningApp } from './appHarness';

function validateCard(content: unknown): void {
  expect(cardProblems(content), 'Adaptive Card 1.5 parse and validation').to.deep.equal([]);
}

const ALICE = { userId: '29:agent-alice-0001', userName: 'Alice Martin', conversationId: 'a:alice-watch-personal' };
const BOB = { userId: 'U0AGENTBOB:T01TEAM0001', userName: 'bob', conversationId: 'B01BOT0001:T01TEAM0001:D0BOBDM' };
const AGENTS = `msteams:${ALICE.userId},slack:${BOB.userId}`;
const SLACK_TOKEN = 'xoxb-000000000000-0000000000000-agentDeskToken';

let seq = 0;
const convId = (name: string) => `DL-${name}-${process.pid}-${++seq}`;

/** Drives one running app: customers on Direct Line (or Teams/Slack), Alice on Teams, Bob on Slack. */
class Scene {
  constructor(
    readonly run: RunningApp,
    readonly slack: FakeSlackApi,
  ) {}

  async post(activity: WireActivity): Promise<void> {
    const res = await this.run.post(activity);
    expect(res.status, `POST ${activity.type} ${String(activity.text).slice(0, 30)}`).to.equal(200);
  }
  customer(conversationId: string, text: string, locale = 'en-US'): Promise<void> {
    return this.post(directLineMessage(text, { serviceUrl: this.run.connector.url, conversationId, userId: `u-${conversationId}`, locale }));
  }
  alice(text: string, value?: unknown): Promise<void> {
    return this.post(teamsMessage(text, { serviceUrl: this.run.connector.url, ...ALICE, ...(value ? { value } : {}) }));
  }
  bob(text: string): Promise<void> {
    return this.post(slackMessage(text, { serviceUrl: this.run.connector.url, ...BOB, apiToken: SLACK_TOKEN }));
  }
  /** Bob clicks Accept on a Slack Block Kit message: a message whose channelData carries the block_actions payload. */
  bobClicks(caseId: string): Promise<void> {
    const activity = slackMessage('', { serviceUrl: this.run.connector.url, ...BOB, apiToken: SLACK_TOKEN });
    activity.channelData = {
      Payload: {
        type: 'block_actions',
        user: { id: 'U0AGENTBOB', team_id: 'T01TEAM0001' },
        channel: { id: 'D0BOBDM' },
        actions: [{ type: 'button', action_id: 'warmline_accept', value: caseId, action_ts: '1700000000.1' }],
      },
      ApiToken: SLACK_TOKEN,
    };
    delete activity.text;
    return this.post(activity);
  }
  /** Texts the bot sent to a conversation, in order. */
  texts(conversationId: string): string[] {
    return this.run.connector.activities(conversationId).map((a) => a.text ?? '');
  }
  sent(conversationId: string): Partial<Activity>[] {
    return this.run.connector.activities(conversationId);
  }
  openCase(conversationId: string, channel = 'directline'): Promise<HandoffCase | undefined> {
    return this.run.app.handoff.store.findOpenByConversation(`${channel}/${conversationId}`);
  }
  async caseOf(conversationId: string): Promise<HandoffCase> {
    const c = await this.openCase(conversationId);
    expect(c, `open case of ${conversationId}`).to.not.equal(undefined);
    return c as HandoffCase;
  }
  /** The bot's dialog stack as stored in conversation state (read through the app's own storage). */
  async dialogState(conversationId: string): Promise<unknown> {
    const storage = (this.run.app.conversationState as unknown as { storage: Storage }).storage;
    const key = `directline/conversations/${conversationId}/`;
    const item = (await storage.read([key]))[key] as Record<string, unknown> | undefined;
    expect(item, 'conversation state saved').to.not.equal(undefined);
    return item?.['warmline.dialogState'];
  }

  /** Waits for a text (matching) in a conversation. */
  async waitText(conversationId: string, pattern: RegExp): Promise<string> {
    const call = await this.run.connector.waitFor((c) => c.conversationId === conversationId && pattern.test(c.activity.text ?? ''));
    return call.activity.text ?? '';
  }
}

interface SceneOptions {
  redisPrefix?: string;
}

async function startScene(slack: FakeSlackApi, options: SceneOptions = {}): Promise<Scene> {
  const env: Record<string, string> = { WARMLINE_AGENTS: AGENTS, SLACK_API_BASE_URL: slack.url };
  if (options.redisPrefix) Object.assign(env, { STORAGE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: options.redisPrefix });
  return new Scene(await startApp(env), slack);
}

function handoffAcceptance(label: string, redis: boolean): void {
  describe(`warm handoff over the real HTTP endpoint (${label})`, function () {
    this.timeout(60000);
    const slack = new FakeSlackApi();
    let scene: Scene;
    let prefix: string | undefined;
    let cleaner: Redis | undefined;

    before(async function () {
      if (redis && skipRedis()) this.skip();
      await slack.start();
      if (redis) cleaner = await connectTestRedis();
    });
    after(async () => {
      await slack.stop();
      cleaner?.disconnect();
    });
    beforeEach(async () => {
      prefix = redis ? uniquePrefix('handoff-http') : undefined;
      scene = await startScene(slack, { redisPrefix: prefix });
    });
    afterEach(async () => {
      await scene.run.app.handoff.idle();
      await scene.run.stop();
      if (cleaner && prefix) await deleteKeys(cleaner, prefix);
    });

    it('bereavement (English): one reply with condolences, a human is coming and the position; a Teams card with Accept; Slack blocks; no dialog', async () => {
      await scene.alice('online');
      expect(scene.texts(ALICE.conversationId).pop()).to.match(/You are online/);
      await scene.bob('online');
      const cust = convId('bereave-en');
      await scene.customer(cust, 'hello, you can write to me at jane.doe@example.com');
      const before = scene.texts(cust).length;
      await scene.customer(cust, 'My mother passed away last week and I need to close her account');
      const replies = scene.texts(cust).slice(before);
      expect(replies, 'exactly one reply').to.have.length(1);
      expect(replies[0]).to.match(/sorry for your loss/i).and.match(/person from our team/).and.match(/next in the queue/);

      const c = await scene.caseOf(cust);
      expect(c.reason).to.equal('bereavement');
      expect(c.priority).to.equal('high');
      expect(c.state).to.equal('queued');
      expect(JSON.stringify(c.transcript)).to.contain('[email]').and.not.contain('jane.doe@example.com');

      const card = await scene.run.connector.waitFor((x) => x.conversationId === ALICE.conversationId && !!x.activity.attachments?.length);
      const attachment = card.activity.attachments?.[0] as { contentType: string; content: Record<string, unknown> };
      expect(attachment.contentType).to.equal('application/vnd.microsoft.card.adaptive');
      validateCard(attachment.content);
      const json = JSON.stringify(attachment.content);
      expect(json).to.contain('Bereavement').and.contain('high').and.contain('Transcript (redacted)').and.contain('[email]');
      expect(json).not.to.contain('jane.doe@example.com');
      // The summary's lines are facts on the card (issue 13): "Wants" and its value.
      expect(json).to.contain(c.summary.split('\n')[1]?.replace(/^[^:]+: /, '').slice(0, 20));
      expect((attachment.content.actions as unknown[])[0]).to.deep.include({ type: 'Action.Submit', title: 'Accept', data: { warmline: 'accept', caseId: c.id } });

      const post = await slack.waitFor((x) => x.api === 'chat.postMessage' && JSON.stringify(x.body).includes(c.id));
      expect(post.authorization).to.equal(`Bearer ${SLACK_TOKEN}`);
      expect(post.body.channel).to.equal('D0BOBDM');
      const actions = (post.body.blocks as Array<{ type: string; elements?: Array<Record<string, unknown>> }>).find((b) => b.type === 'actions');
      expect(actions?.elements?.[0]).to.deep.include({ action_id: 'warmline_accept', value: c.id });

      expect(await scene.dialogState(cust), 'no dialog ran').to.equal(undefined);
    });

    it('bereavement (French): condolences and position in French', async () => {
      await scene.alice('en ligne');
      const cust = convId('bereave-fr');
      await scene.customer(cust, 'Ma mère est décédée la semaine dernière et je dois fermer son compte', 'fr-FR');
      const replies = scene.texts(cust);
      expect(replies).to.have.length(1);
      expect(replies[0]).to.match(/sincèrement désolé pour votre perte/).and.match(/prochain dans la file/);
      const c = await scene.caseOf(cust);
      expect([c.reason, c.priority, c.language]).to.deep.equal(['bereavement', 'high', 'fr']);
      await scene.run.connector.waitFor((x) => x.conversationId === ALICE.conversationId && JSON.stringify(x.activity).includes(c.id));
    });

    it('"I want to speak to a human" in the middle of the tracking dialog: queued at once, the dialog is left', async () => {
      await scene.alice('online');
      const cust = convId('human');
      await scene.customer(cust, 'where is my parcel?');
      expect(scene.texts(cust).pop()).to.match(/tracking number/);
      const before = scene.texts(cust).length;
      await scene.customer(cust, 'I want to speak to a human');
      const replies = scene.texts(cust).slice(before);
      expect(replies).to.have.length(1);
      expect(replies[0]).to.match(/Of course/).and.match(/queue/);
      expect((await scene.caseOf(cust)).reason).to.equal('human_request');
      expect(await scene.dialogState(cust), 'dialog stack left').to.equal(undefined);
    });

    it('an angry message: a human is offered once; "no" continues with the bot; "yes" queues', async () => {
      await scene.alice('online');
      const a = convId('angry-no');
      await scene.customer(a, 'This is ridiculous, I am furious with your useless service!!!');
      expect(scene.texts(a).pop()).to.match(/talk to a person.*\(yes \/ no\)/);
      await scene.customer(a, 'no');
      expect(scene.texts(a).pop()).to.match(/keep going together/);
      expect(await scene.openCase(a)).to.equal(undefined);
      const before = scene.texts(a).length;
      await scene.customer(a, 'This is ridiculous, I am furious with your useless service!!!');
      expect(scene.texts(a).slice(before).join(' ')).not.to.match(/yes \/ no/);
      await scene.customer(a, 'where is my parcel?');
      expect(scene.texts(a).pop()).to.match(/tracking number/);

      const b = convId('angry-yes');
      await scene.customer(b, 'This is ridiculous, I am furious with your useless service!!!');
      expect(scene.texts(b).pop()).to.match(/\(yes \/ no\)/);
      await scene.customer(b, 'yes');
      expect(scene.texts(b).pop()).to.match(/queue/);
      expect((await scene.caseOf(b)).reason).to.equal('anger');
    });

    it('not understood twice in a row: a human is offered right after the second failure; "yes" queues', async () => {
      await scene.alice('online');
      const cust = convId('misunderstood');
      await scene.customer(cust, 'blorp fizzle wuzzle');
      expect(scene.texts(cust).join(' ')).not.to.match(/yes \/ no/);
      await scene.customer(cust, 'grumble snorkel plimp');
      expect(scene.texts(cust).pop()).to.match(/not getting this right.*\(yes \/ no\)/);
      await scene.customer(cust, 'yes please');
      expect(scene.texts(cust).pop()).to.match(/queue/);
      const c = await scene.caseOf(cust);
      expect(c.reason).to.equal('misunderstood');
      expect(c.transcript.filter((t) => t.role === 'customer').map((t) => t.text)).to.include.members(['blorp fizzle wuzzle', 'grumble snorkel plimp']);
    });

    it('two agents accept the same case concurrently: exactly one wins, the other is told who has it', async () => {
      await scene.alice('online');
      await scene.bob('online');
      const cust = convId('race');
      await scene.customer(cust, 'Someone used my card, I did not make these payments');
      const c = await scene.caseOf(cust);
      expect(c.reason).to.equal('fraud');
      expect(scene.texts(cust)[0]).to.match(/never share your PIN/);
      const aliceBefore = scene.sent(ALICE.conversationId).length;
      await Promise.all([scene.alice('', { warmline: 'accept', caseId: c.id }), scene.bobClicks(c.id)]);
      const won = (await scene.run.app.handoff.store.get(c.id)) as HandoffCase;
      expect(won.state).to.equal('assigned');
      const aliceSaw = scene.sent(ALICE.conversationId).slice(aliceBefore);
      if (won.agent?.channel === 'msteams') {
        expect(won.agent.id).to.equal(ALICE.userId);
        expect(aliceSaw.some((x) => x.attachments?.length && JSON.stringify(x.attachments).includes('Case accepted'))).to.equal(true);
        expect(scene.texts(BOB.conversationId).pop()).to.equal(`${c.id} is already taken by Alice Martin.`);
      } else {
        expect(won.agent?.id).to.equal(BOB.userId);
        expect(aliceSaw.map((x) => x.text)).to.include(`${c.id} is already taken by bob.`);
        await slack.waitFor((x) => JSON.stringify(x.body).includes(`Accepted ${c.id}`));
      }
      expect(scene.texts(cust).filter((t) => /has joined/.test(t))).to.have.length(1);
    });

    it('a retried activity (the same id posted again, also at once) is relayed, kept and answered once', async function () {
      await scene.alice('online');
      const cust = convId('retry');
      await scene.customer(cust, 'I want to speak to a human');
      const c = await scene.caseOf(cust);
      // While waiting: the same message three times, two of them at once.
      const waiting = directLineMessage('it is about my card', { serviceUrl: scene.run.connector.url, conversationId: cust, userId: `u-${cust}` });
      const repliesBefore = scene.texts(cust).length;
      const first = await scene.run.post(waiting);
      const again = await Promise.all([scene.run.post(waiting), scene.run.post(waiting)]);
      expect(first.status).to.equal(200);
      for (const r of again) expect(r.status).to.be.oneOf([200, 503]);
      expect((await scene.caseOf(cust)).queuedMessages.map((m) => m.text)).to.deep.equal(['it is about my card']);
      expect(scene.texts(cust).slice(repliesBefore), 'one acknowledgement').to.have.length(1);

      await scene.alice(`accept ${c.id}`);
      const agentBefore = scene.texts(ALICE.conversationId).length;
      const live = directLineMessage('are you there?', { serviceUrl: scene.run.connector.url, conversationId: cust, userId: `u-${cust}` });
      expect((await scene.run.post(live)).status).to.equal(200);
      expect((await scene.run.post(live)).status).to.equal(200);
      // The agent's own message retried by Teams reaches the customer once.
      const answer = teamsMessage('yes, I am here', { serviceUrl: scene.run.connector.url, ...ALICE });
      expect((await scene.run.post(answer)).status).to.equal(200);
      expect((await scene.run.post(answer)).status).to.equal(200);
      expect(scene.texts(ALICE.conversationId).slice(agentBefore)).to.deep.equal([`[${c.id}] ${customerLabel(c.customer)}: are you there?`]);
      expect(scene.texts(cust).filter((t) => t === 'yes, I am here')).to.have.length(1);
      const chat = (await scene.run.app.handoff.store.get(c.id, { liveChat: true }))?.liveChat ?? [];
      expect(chat.map((l) => `${l.role}:${l.text}`)).to.deep.equal(['customer:are you there?', 'agent:yes, I am here']);
    });

    it('100 messages relayed each way arrive in order, across channels, with no bot replies while assigned', async function () {
      this.timeout(120000);
      await scene.alice('online');
      const cust = convId('relay');
      await scene.customer(cust, 'I want to speak to a human');
      const c = await scene.caseOf(cust);
      await scene.alice(`accept ${c.id}`);
      expect(scene.texts(cust).pop()).to.match(/^Alice from our team has joined/);
      const customerBefore = scene.texts(cust).length;
      const agentBefore = scene.texts(ALICE.conversationId).length;
      for (let i = 0; i < 100; i++) {
        await scene.customer(cust, `customer message ${i} where is my parcel`);
        await scene.alice(`agent message ${i}`);
      }
      const toAgent = scene.texts(ALICE.conversationId).slice(agentBefore);
      expect(toAgent).to.deep.equal(Array.from({ length: 100 }, (_, i) => `[${c.id}] ${customerLabel(c.customer)}: customer message ${i} where is my parcel`));
      const toCustomer = scene.texts(cust).slice(customerBefore);
      expect(toCustomer, 'only the agent speaks to the customer').to.deep.equal(Array.from({ length: 100 }, (_, i) => `agent message ${i}`));
      // Proactive messages reply to nothing: Web Chat holds back a reply to an activity it never saw.
      const proactive = scene.run.connector.calls.filter((x) => x.conversationId === cust && /^agent message \d+$/.test(x.activity.text ?? ''));
      expect(proactive).to.have.length(100);
      expect(proactive.filter((x) => x.activity.replyToId !== undefined || x.replyToId !== undefined)).to.deep.equal([]);
      // The customer's transcript keeps both sides, the agent's lines marked as such (written after each turn).
      await new Promise((r) => setTimeout(r, 50));
      const lines = await scene.run.app.transcripts.read(`directline/${cust}`, 4);
      expect(lines.map((l) => [l.role, l.text])).to.deep.equal([
        ['customer', 'customer message 98 where is my parcel'],
        ['agent', 'agent message 98'],
        ['customer', 'customer message 99 where is my parcel'],
        ['agent', 'agent message 99'],
      ]);
      expect(await scene.run.app.transcripts.read(`msteams/${ALICE.conversationId}`), 'agent conversations are not transcribed').to.deep.equal([]);
    });

    it('close: the customer is back with the bot, rates 1-5, and "where is my parcel" runs the tracking dialog again', async () => {
      await scene.alice('online');
      const cust = convId('close');
      await scene.customer(cust, 'where is my parcel?');
      await scene.customer(cust, 'I want to speak to a human');
      const c = await scene.caseOf(cust);
      await scene.alice(`prendre ${c.id}`);
      await scene.alice('/close internal: suspected account takeover, flagged to fraud team');
      expect(scene.texts(ALICE.conversationId).pop()).to.equal(`${c.id} is closed; the customer is back with the bot.`);
      const after = scene.texts(cust).slice(-2);
      // The note is internal: the customer reads a fixed, kind sentence.
      expect(after[0]).to.equal("Alice has closed this conversation. Thank you for your patience. You're back with the assistant; ask me about a parcel anytime.");
      expect(scene.texts(cust).join('\n')).to.not.match(/takeover|fraud team|internal/);
      expect(after[1]).to.match(/from 1 \(poor\) to 5 \(excellent\)/);
      await scene.customer(cust, '5');
      expect(scene.texts(cust).pop()).to.equal('Thank you for your feedback.');
      const closed = (await scene.run.app.handoff.store.get(c.id)) as HandoffCase;
      expect([closed.state, closed.satisfaction, closed.agentNotes[0]?.text]).to.deep.equal(['resolved', 5, 'internal: suspected account takeover, flagged to fraud team']);
      await scene.customer(cust, 'where is my parcel?');
      expect(scene.texts(cust).pop()).to.match(/tracking number/);
    });

    it('no agent online: a callback is offered, the preference recorded, the case kept with every message', async () => {
      const cust = convId('callback');
      await scene.customer(cust, 'My father passed away and I need to close his account');
      expect(scene.texts(cust).pop()).to.match(/No one from the team is available right now/).and.match(/"phone", "email" or "ticket"/);
      const c = await scene.caseOf(cust);
      expect(c.state).to.equal('timed_out');
      await scene.customer(cust, 'his account number is 4242 and he lived in Lyon');
      expect(scene.texts(cust).pop()).to.match(/reply "phone", "email" or "ticket"/i);
      await scene.customer(cust, 'phone +33 6 12 34 56 78');
      expect(scene.texts(cust).pop()).to.match(/by phone/);
      const kept = (await scene.caseOf(cust)) as HandoffCase;
      expect(kept.state).to.equal('callback_requested');
      expect(kept.callback).to.deep.include({ preference: 'phone', contact: '+33 6 12 34 56 78' });
      expect(kept.queuedMessages.map((m) => m.text)).to.include('his account number is 4242 and he lived in Lyon');
      // An agent who comes online later finds it and can take it.
      await scene.alice('online');
      expect(scene.texts(ALICE.conversationId).pop()).to.contain(c.id);
      await scene.alice('accept');
      expect((await scene.run.app.handoff.store.get(c.id))?.state).to.equal('assigned');
    });

    it('while queued: messages are kept, "annuler" returns to the bot, positions are updated', async () => {
      await scene.alice('online');
      const first = convId('q1');
      const second = convId('q2');
      await scene.customer(first, 'I want to speak to a human');
      await scene.customer(second, 'Je veux parler à un conseiller', 'fr-FR');
      expect(scene.texts(second).pop()).to.match(/position 2/);
      await scene.customer(second, 'c’est au sujet de ma commande 1234');
      expect(scene.texts(second).pop()).to.match(/ajouté cela à votre dossier/);
      const c2 = await scene.caseOf(second);
      expect(c2.queuedMessages.map((m) => m.text)).to.deep.equal(['c’est au sujet de ma commande 1234']);
      const c1 = await scene.caseOf(first);
      await scene.alice(`accept ${c1.id}`);
      await scene.waitText(second, /maintenant le prochain/);
      await scene.customer(second, 'annuler');
      expect(scene.texts(second).pop()).to.match(/annulé/);
      expect((await scene.run.app.handoff.store.get(c2.id))?.state).to.equal('abandoned');
      await scene.customer(second, 'où est mon colis ?', 'fr-FR');
      expect(scene.texts(second).pop()).to.match(/numéro de suivi/);
    });

    it('desk commands: aide, absent (no announcements while away), file, en ligne; a held case keeps agent words for the customer', async () => {
      await scene.alice('aide');
      expect(scene.texts(ALICE.conversationId).pop()).to.match(/^Agent commands/).and.match(/close: \[note\] or \/close \[note\] \(fermer: \[note\]\)/);
      await scene.alice('absent');
      expect(scene.texts(ALICE.conversationId).pop()).to.match(/You are away/);
      await scene.bob('online');
      const cust = convId('away');
      await scene.customer(cust, 'I want to speak to a human');
      const c = await scene.caseOf(cust);
      await slack.waitFor((x) => JSON.stringify(x.body).includes(c.id));
      await scene.run.app.handoff.idle();
      expect(JSON.stringify(scene.sent(ALICE.conversationId)), 'nothing announced to an away agent').not.to.contain(c.id);
      await scene.alice('file');
      expect(scene.texts(ALICE.conversationId).pop()).to.match(/^Waiting cases/).and.contain(c.id);
      await scene.alice('en ligne');
      await scene.alice(`accept ${c.id}`);
      await scene.alice('take your time, help is on the way');
      expect(scene.texts(cust).pop()).to.equal('take your time, help is on the way');
      await scene.alice('/help');
      expect(scene.texts(ALICE.conversationId).pop()).to.match(/^Agent commands/);
    });

    it('boundaries: "accept 42" from a customer talks to the bot; an agent cannot write into a case they did not claim; no cross-customer leak', async () => {
      await scene.alice('online');
      await scene.bob('online');
      const a = convId('bound-a');
      const b = convId('bound-b');
      await scene.customer(a, 'I want to speak to a human');
      await scene.customer(b, 'I want to speak to a human');
      const ca = await scene.caseOf(a);
      const cb = await scene.caseOf(b);
      const stranger = convId('stranger');
      await scene.customer(stranger, `accept ${ca.id}`);
      expect(scene.texts(stranger).pop()).to.match(/didn't quite get that/);
      await scene.customer(stranger, 'accept 42');
      expect(scene.texts(stranger).join(' ')).not.to.match(/case|taken|no case/i);
      expect((await scene.run.app.handoff.store.get(ca.id))?.state).to.equal('queued');

      await scene.alice(`accept ${ca.id}`);
      await scene.alice('hello from Alice');
      await scene.bob('hello from Bob, who has no case');
      expect(scene.texts(BOB.conversationId).pop()).to.match(/no case open here/);
      await scene.bob('close');
      expect(scene.texts(BOB.conversationId).pop()).to.equal('You have no case open here.');
      await scene.bob(`accept ${ca.id}`);
      expect(scene.texts(BOB.conversationId).pop()).to.equal(`${ca.id} is already taken by Alice Martin.`);
      expect(scene.texts(a)).to.include('hello from Alice');
      expect(scene.texts(a).join('\n')).not.to.contain('Bob');
      expect(scene.texts(b).join('\n')).not.to.contain('hello from');
      expect((await scene.run.app.handoff.store.get(cb.id))?.state).to.equal('queued');
      // The agent's relay reaches A's conversation only, on A's serviceUrl and conversation id.
      const relayed = scene.run.connector.calls.filter((x) => x.activity.text === 'hello from Alice');
      expect(relayed.map((x) => x.conversationId)).to.deep.equal([a]);
    });
  });
}

handoffAcceptance('in memory', false);
handoffAcceptance('Redis', true);

describe('warm handoff with Redis: the case survives a restart of the bot', function () {
  this.timeout(60000);
  const slack = new FakeSlackApi();
  let cleaner: Redis;
  const prefix = uniquePrefix('handoff-restart');

  before(async function () {
    if (skipRedis()) this.skip();
    cleaner = await connectTestRedis();
    await slack.start();
  });
  after(async () => {
    if (cleaner) {
      await deleteKeys(cleaner, prefix);
      cleaner.disconnect();
    }
    await slack.stop();
  });

  it('no agent online, the process restarts, an agent comes online and takes the case with everything the customer said', async () => {
    const first = await startScene(slack, { redisPrefix: prefix });
    const cust = convId('restart');
    await first.customer(cust, 'Someone used my card, I did not make these payments');
    expect(first.texts(cust).pop()).to.match(/No one from the team is available/);
    await first.customer(cust, 'it was two payments, my card ends with 4242');
    const c = await first.caseOf(cust);
    await first.run.app.handoff.idle();
    await first.run.stop();

    const second = await startScene(slack, { redisPrefix: prefix });
    try {
      const again = await second.caseOf(cust);
      expect(again.id).to.equal(c.id);
      expect(again.queuedMessages.map((m) => m.text)).to.deep.equal(['it was two payments, my card ends with 4242']);
      await second.alice('online');
      expect(second.texts(ALICE.conversationId).pop()).to.contain(c.id);
      await second.alice(`accept ${c.id}`);
      const card = second.sent(ALICE.conversationId).pop();
      expect(JSON.stringify(card?.attachments)).to.contain('Sent while waiting').and.contain('two payments');
      await second.customer(cust, 'thank you for taking this');
      expect(second.texts(ALICE.conversationId).pop()).to.equal(`[${c.id}] ${customerLabel(c.customer)}: thank you for taking this`);
    } finally {
      await second.run.app.handoff.idle();
      await second.run.stop();
    }
  });
});
