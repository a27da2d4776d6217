import { expect } from 'chai';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  type Activity,
  type Attachment,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type * as restify from 'restify';
import { createWarmlineServer, listen } from '../../bots/app/server';
import { silentLogger } from '../../middleware/shared/logger';
import { BotFrameworkHandoffConnector } from '../../middleware/handoffProtocol/botFrameworkHandoffConnector';
import type { HandoffInitiateValue } from '../../middleware/handoffProtocol/handoffProtocol';
import { signHandoffStatus } from '../../middleware/handoff/hubs/handoffStatusVerifier';
import { HandoffMiddleware } from '../../middleware/handoffMiddleware';
import { HandoffService } from '../../middleware/handoff/handoffService';
import type { HandoffPolicy } from '../../middleware/handoff/handoffPolicy';
import { MemoryHandoffStore } from '../../middleware/handoff/stores/memoryHandoffStore';
import { adapterMessenger } from '../../middleware/adapterMessenger';
import { directLineMessage, teamsMessage } from '../helpers/channelActivities';
import { FakeConnector, type ConnectorCall } from '../helpers/fakeConnector';

const SECRET = 'hub-status-secret-0123456789';

// The signals middleware is not under test here: a small policy hands fraud reports over at once.
const makePolicy = (texts: Map<string, string>): HandoffPolicy => () =>
  /stole|fraud/i.test(texts.get('last') ?? '')
    ? { action: 'immediate', reason: 'fraud', priority: 'high', explanation: 'fraud report (test policy)', intents: [{ name: 'fraud', confidence: 0.9, evidence: [{ rule: 'test.fraud', matched: ['stole'] }] }], emotions: [] }
    : { action: 'continue', explanation: 'no handoff (test policy)' };

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (ctx, next) => {
      await ctx.sendActivity(`bot: ${ctx.activity.text ?? ''}`);
      await next();
    });
  }
}

describe('integration: a fake engagement hub over the Bot Framework handoff protocol', function () {
  let connector: FakeConnector;
  let server: restify.Server;
  let base: string;
  let store: MemoryHandoffStore;
  let service: HandoffService;
  let hub: BotFrameworkHandoffConnector;
  const lastText = new Map<string, string>();

  before(async function () {
    connector = new FakeConnector();
    await connector.start();
    store = new MemoryHandoffStore();
    const conversationState = new ConversationState(new MemoryStorage());
    // No app id: anonymous, as in local development.
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '' } as ConfigurationBotFrameworkAuthenticationOptions));
    const messenger = adapterMessenger(adapter, '');
    service = new HandoffService({ store, messenger });
    hub = new BotFrameworkHandoffConnector({ store, messenger, service: service.agents, statusVerification: { secret: SECRET }, botName: 'Warmline test' });
    service.addConnector(hub);
    adapter.use({
      onTurn: async (ctx, next) => {
        if (ctx.activity.type === 'message') lastText.set('last', ctx.activity.text ?? '');
        await next();
      },
    });
    adapter.use(hub.middleware());
    adapter.use(new HandoffMiddleware({ service, conversationState, policy: makePolicy(lastText) }));
    server = createWarmlineServer({ adapter, bot: new EchoBot(), logger: silentLogger, maxBodyBytes: 256 * 1024, readiness: () => ({ ready: true, checks: {} }) });
    const port = await listen(server, 0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    // A desk agent is online, so a new case is queued (with nobody online the service times it out at once).
    await store.setPresence({ id: 'desk-1', channel: 'msteams' }, 'online', 60_000);
  });

  after(async function () {
    server?.close();
    await connector?.stop();
  });

  const post = async (activity: Record<string, unknown>): Promise<number> => {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await res.text();
    await service.idle();
    return res.status;
  };
  const statusEvent = (conversationId: string, value: object) => ({
    type: 'event',
    name: 'handoff.status',
    id: `status-${Math.random()}`,
    channelId: 'directline',
    serviceUrl: connector.url,
    conversation: { id: conversationId },
    from: { id: 'omnichannel-adapter', role: 'user' },
    recipient: { id: 'warmline-bot' },
    value,
  });
  const textsTo = (conversationId: string): string[] =>
    connector.calls.filter((c: ConnectorCall) => c.conversationId === conversationId && c.activity.type === 'message').map((c) => c.activity.text ?? '');

  it('sends handoff.initiate with context and transcript; accepted then completed returns the customer to the bot', async function () {
    const conv = `DL-hub-${Date.now()}`;
    expect(await post(directLineMessage('Someone stole my card 4242 4242 4242 4242, please help', { serviceUrl: connector.url, conversationId: conv }))).to.equal(200);

    const initiate = await connector.waitFor((c) => c.conversationId === conv && c.activity.name === 'handoff.initiate', 3000);
    expect(initiate.activity.type).to.equal('event');
    const value = initiate.activity.value as HandoffInitiateValue;
    const c = await store.findOpenByConversation(`directline/${conv}`);
    expect(c?.state).to.equal('queued');
    expect(value).to.include({ caseId: c?.id, reason: 'fraud', priority: 'high', va_LastTopic: 'fraud', va_ConversationId: conv, va_BotName: 'Warmline test', channel: 'directline' });
    expect(value.va_LastPhrases).to.equal('Someone stole my card [card •••• 4242], please help');
    expect(JSON.stringify(value)).not.to.match(/token|signature/i);
    const transcript = ((initiate.activity.attachments as Attachment[])[0]?.content ?? {}) as { activities: Partial<Activity>[] };
    expect((initiate.activity.attachments as Attachment[])[0]?.name).to.equal('Transcript');
    expect(transcript.activities.map((a) => a.text)).to.include('Someone stole my card [card •••• 4242], please help');
    expect(JSON.stringify(initiate.activity)).not.to.contain('4242 4242');

    // A forged status (unsigned, e.g. posted by the customer's client with what it saw in handoff.initiate) changes nothing.
    await post(statusEvent(conv, { ...value, state: 'completed' }));
    await post(statusEvent(conv, { state: 'completed', caseId: c!.id, timestamp: Math.floor(Date.now() / 1000), signature: 'forged' }));
    expect((await store.get(c!.id))?.state).to.equal('queued');

    const beforeAccept = textsTo(conv).length;
    await post(statusEvent(conv, { ...signHandoffStatus(SECRET, { caseId: value.caseId, state: 'accepted' }), agent: { id: 'omni-7', name: 'Ana' } }));
    // Through the handoff service: the customer is told a person joined.
    expect(textsTo(conv).slice(beforeAccept).join(' ')).to.contain('Ana');
    const assigned = await store.get(c!.id);
    expect(assigned?.state).to.equal('assigned');
    expect(assigned?.agent).to.deep.equal({ id: 'omni-7', name: 'Ana', channel: 'hub:botframework-handoff' });

    // While the hub's agent has the conversation, the bot stays quiet.
    const before = textsTo(conv).length;
    await post(directLineMessage('are you there?', { serviceUrl: connector.url, conversationId: conv }));
    expect(textsTo(conv).slice(before).some((t) => t.startsWith('bot:'))).to.equal(false);

    await post(statusEvent(conv, signHandoffStatus(SECRET, { caseId: value.caseId, state: 'completed' })));
    expect((await store.get(c!.id))?.state).to.equal('resolved');
    expect(await store.findOpenByConversation(`directline/${conv}`)).to.equal(undefined);

    const afterClose = textsTo(conv).length;
    await post(directLineMessage('where is my parcel', { serviceUrl: connector.url, conversationId: conv }));
    expect(textsTo(conv).slice(afterClose)).to.include('bot: where is my parcel');
  });

  it('a hub timing out moves the case to the fallback (callback or ticket)', async function () {
    const conv = `DL-hub-to-${Date.now()}`;
    await post(directLineMessage('fraud on my account', { serviceUrl: connector.url, conversationId: conv }));
    const c = await store.findOpenByConversation(`directline/${conv}`);
    await post(statusEvent(conv, { ...signHandoffStatus(SECRET, { caseId: c!.id, state: 'timedOut' }), state: 'failed', code: 'timedOut' }));
    expect((await store.get(c!.id))?.state).to.equal('timed_out');
  });

  it('never sends handoff events to Teams: the case stays for the built-in desk', async function () {
    const conv = `a:1teams-hub-${Date.now()}`;
    await post(teamsMessage('someone stole my card', { serviceUrl: connector.url, conversationId: conv }));
    const c = await store.findOpenByConversation(`msteams/${conv}`);
    expect(c?.state).to.equal('queued');
    await new Promise((r) => setTimeout(r, 50));
    expect(connector.calls.filter((x) => x.conversationId === conv && x.activity.type === 'event')).to.deep.equal([]);
    expect(await hub.initiate(c!)).to.deep.equal({ sent: false, reason: 'channel_refused' });
  });
});
