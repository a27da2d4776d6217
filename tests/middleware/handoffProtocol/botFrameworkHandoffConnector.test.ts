import { expect } from 'chai';
import * as sinon from 'sinon';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { BotFrameworkHandoffConnector } from '../../../middleware/handoffProtocol/botFrameworkHandoffConnector';
import { signHandoffStatus } from '../../../middleware/handoff/hubs/handoffStatusVerifier';
import { RedisReplayCache } from '../../../middleware/shared/redisReplayCache';
import { MemoryReplayCache, type ReplayCache } from '../../../middleware/shared/replayCache';
import type { HandoffCase, ConversationPointer } from '../../../middleware/handoff/handoffCase';
import { MemoryHandoffStore } from '../../../middleware/handoff/stores/memoryHandoffStore';
import type { ProactiveMessenger } from '../../../middleware/adapterMessenger';
import { useTestRedis } from '../handoff/testRedis';
import { createFraudCase, directLinePointer, fraudDraft } from '../handoff/hubs/caseFixture';
import { silentLogger } from '../../../middleware/shared/logger';

const SECRET = 'hub-status-secret-0123456789';
const NOW_MS = 1_767_225_600_000;

/** A messenger that runs the logic on a test adapter and keeps what was sent. */
function recordingMessenger(): ProactiveMessenger & { sent: Partial<Activity>[] } {
  const sent: Partial<Activity>[] = [];
  const adapter = new TestAdapter(async () => undefined);
  return {
    sent,
    async continueConversation(pointer: ConversationPointer, logic: (ctx: TurnContext) => Promise<void>) {
      const ctx = new TurnContext(adapter, {
        type: 'event',
        name: 'continue',
        channelId: pointer.channel,
        conversation: { id: pointer.key.slice(pointer.key.indexOf('/') + 1), isGroup: false, conversationType: 'personal', name: '' },
        from: { id: 'customer' },
        recipient: { id: 'warmline-bot' },
      } as Partial<Activity>);
      ctx.onSendActivities(async (_c, activities) => {
        sent.push(...activities);
        return activities.map(() => ({ id: 'x' }));
      });
      await logic(ctx);
    },
  };
}

/** The turn of a `handoff.status` arriving on a conversation. */
function statusTurn(conversationId: string, value: unknown, channelId = 'directline'): TurnContext {
  return new TurnContext(new TestAdapter(async () => undefined), {
    type: 'event',
    name: 'handoff.status',
    id: `status-${Math.random()}`,
    channelId,
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'dl_user_1', role: 'user' },
    recipient: { id: 'warmline-bot' },
    value,
  } as Partial<Activity>);
}

function pointerOn(channel: string, conversationId: string): ConversationPointer {
  const p = directLinePointer(conversationId);
  return { ...p, key: `${channel}/${conversationId}`, channel, reference: { ...p.reference, channelId: channel } };
}

describe('BotFrameworkHandoffConnector', function () {
  let store: MemoryHandoffStore;
  let messenger: ReturnType<typeof recordingMessenger>;
  let hub: BotFrameworkHandoffConnector;
  let c: HandoffCase;

  beforeEach(async function () {
    store = new MemoryHandoffStore();
    messenger = recordingMessenger();
    hub = new BotFrameworkHandoffConnector({ store, messenger, statusVerification: { secret: SECRET }, now: () => NOW_MS });
    c = await createFraudCase(store, 'conv-42');
  });

  describe('status authentication (nothing secret goes to the conversation)', function () {
    it('handoff.initiate carries the case id but no token, signature or secret', async function () {
      expect(await hub.initiate(c)).to.deep.equal({ sent: true });
      const initiate = messenger.sent.find((a) => a.name === 'handoff.initiate');
      const value = initiate?.value as Record<string, unknown>;
      expect(value.caseId).to.equal(c.id);
      expect(Object.keys(value).filter((k) => /token|signature|secret/i.test(k))).to.deep.equal([]);
      expect(JSON.stringify(initiate)).not.to.contain(SECRET);
    });

    it('a customer echoing every field of handoff.initiate cannot complete their own case', async function () {
      await hub.initiate(c);
      const value = messenger.sent.find((a) => a.name === 'handoff.initiate')?.value as Record<string, unknown>;
      const forged = { ...value, state: 'completed', timestamp: NOW_MS / 1000, agent: { id: 'x', name: 'Fake agent' } };
      expect(await hub.handleStatus(statusTurn('conv-42', forged))).to.deep.equal({ handled: true, outcome: 'unauthorized' });
      expect((await store.get(c.id))?.state).to.equal('queued');
    });

    it('applies a status the hub signed, once; a replay, a stale one or one signed for another case change nothing', async function () {
      const signed = signHandoffStatus(SECRET, { caseId: c.id, state: 'accepted' }, NOW_MS);
      const accepted = { ...signed, agent: { id: 'omni-7', name: 'Ana' } };
      expect(await hub.handleStatus(statusTurn('conv-42', accepted))).to.deep.equal({ handled: true, outcome: 'applied' });
      expect((await store.get(c.id))?.agent).to.deep.equal({ id: 'omni-7', name: 'Ana', channel: 'hub:botframework-handoff' });

      // Replayed by whoever saw it, even with another agent name.
      expect(await hub.handleStatus(statusTurn('conv-42', { ...signed, agent: { id: 'x', name: 'Fake' } }))).to.deep.equal({ handled: true, outcome: 'unauthorized' });
      const stale = signHandoffStatus(SECRET, { caseId: c.id, state: 'completed' }, NOW_MS - 600_000);
      expect(await hub.handleStatus(statusTurn('conv-42', stale))).to.deep.equal({ handled: true, outcome: 'unauthorized' });
      const other = await createFraudCase(store, 'conv-43');
      const forOther = signHandoffStatus(SECRET, { caseId: other.id, state: 'completed' }, NOW_MS);
      expect(await hub.handleStatus(statusTurn('conv-42', forOther))).to.deep.equal({ handled: true, outcome: 'case_mismatch' });
      const unsigned = { caseId: c.id, state: 'completed' };
      expect(await hub.handleStatus(statusTurn('conv-42', unsigned))).to.deep.equal({ handled: true, outcome: 'unauthorized' });
      expect((await store.get(c.id))?.state).to.equal('assigned');

      const completed = signHandoffStatus(SECRET, { caseId: c.id, state: 'completed' }, NOW_MS + 5000);
      expect(await hub.handleStatus(statusTurn('conv-42', completed))).to.deep.equal({ handled: true, outcome: 'applied' });
      expect((await store.get(c.id))?.state).to.equal('resolved');
    });

    it('a refined state is signed as the state it means: {failed, code timedOut} signs timedOut', async function () {
      const wrong = { ...signHandoffStatus(SECRET, { caseId: c.id, state: 'failed' }, NOW_MS), code: 'timedOut' };
      expect(await hub.handleStatus(statusTurn('conv-42', wrong))).to.deep.equal({ handled: true, outcome: 'unauthorized' });
      const right = { ...signHandoffStatus(SECRET, { caseId: c.id, state: 'timedOut' }, NOW_MS), state: 'failed', code: 'timedOut' };
      expect(await hub.handleStatus(statusTurn('conv-42', right))).to.deep.equal({ handled: true, outcome: 'applied' });
      expect((await store.get(c.id))?.state).to.equal('timed_out');
    });

    it('trusts unsigned statuses only when told so explicitly, and warns', async function () {
      const warnings: string[] = [];
      const logger = { ...silentLogger, warn: (event: string) => void warnings.push(event) };
      const open = new BotFrameworkHandoffConnector({ store, messenger, statusVerification: 'none', logger });
      expect(warnings).to.deep.equal(['handoff_protocol.status_unverified']);
      expect(await open.handleStatus(statusTurn('conv-42', { state: 'accepted' }))).to.deep.equal({ handled: true, outcome: 'applied' });
      expect(() => new BotFrameworkHandoffConnector({ store, messenger } as unknown as ConstructorParameters<typeof BotFrameworkHandoffConnector>[0])).to.throw(/explicitly, "none"/);
      expect(() => new BotFrameworkHandoffConnector({ store, messenger, statusVerification: { secret: 'short' } })).to.throw(/16\+/);
    });
  });

  describe('takesCase: staffed only for cases it will send', function () {
    const caseOn = async (channel: string, conversationId: string) => store.create(fraudDraft(pointerOn(channel, conversationId)));

    it('takes Direct Line cases, never Teams ones, whatever the channel list says', async function () {
      expect(hub.staffed).to.equal(true);
      expect(hub.takesCase(c)).to.equal(true);
      const teams = await caseOn('msteams', 'a:1teams');
      expect(hub.takesCase(teams)).to.equal(false);
      const listed = new BotFrameworkHandoffConnector({ store, messenger, statusVerification: { secret: SECRET }, channels: ['directline', 'msteams'] });
      expect(listed.takesCase(teams)).to.equal(false);
      expect(await listed.initiate(teams)).to.deep.equal({ sent: false, reason: 'channel_refused' });
    });

    it('takes only the configured channels, the same ones it sends to', async function () {
      const onlyDl = new BotFrameworkHandoffConnector({ store, messenger, statusVerification: { secret: SECRET }, channels: ['directline'] });
      const web = await caseOn('webchat', 'web-1');
      expect(onlyDl.takesCase(c)).to.equal(true);
      expect(onlyDl.takesCase(web)).to.equal(false);
      expect(await onlyDl.initiate(web)).to.deep.equal({ sent: false, reason: 'channel_not_configured' });
      expect(hub.takesCase(web)).to.equal(true); // no list: every channel but Teams
    });
  });
});

/** Signed statuses whose application throws (e.g. a Redis blip): the signature is released, the hub's resend applies. */
function statusReleaseSuite(name: string, makeCache: () => ReplayCache): void {
  describe(`BotFrameworkHandoffConnector: a signed status that could not be applied (${name})`, function () {
    let store: MemoryHandoffStore;
    let hub: BotFrameworkHandoffConnector;
    let c: HandoffCase;
    let warnings: { event: string; fields: Record<string, unknown> }[];

    beforeEach(async function () {
      store = new MemoryHandoffStore();
      warnings = [];
      const logger = { ...silentLogger, warn: (event: string, fields: Record<string, unknown> = {}) => void warnings.push({ event, fields }) };
      hub = new BotFrameworkHandoffConnector({
        store,
        messenger: recordingMessenger(),
        statusVerification: { secret: SECRET, replayCache: makeCache() },
        now: () => NOW_MS,
        logger,
      });
      c = await createFraudCase(store, 'conv-blip');
    });
    afterEach(function () {
      sinon.restore();
    });

    it('the case read throws once: the error goes up, and the resend of the same signed event is applied, then spent', async function () {
      const read = sinon.stub(store, 'findOpenByConversation').callThrough();
      read.onFirstCall().rejects(new Error('ECONNRESET'));
      const accepted = { ...signHandoffStatus(SECRET, { caseId: c.id, state: 'accepted' }, NOW_MS), agent: { id: 'omni-7', name: 'Ana' } };
      let thrown: unknown;
      await hub.handleStatus(statusTurn('conv-blip', accepted)).catch((err: unknown) => (thrown = err));
      expect((thrown as Error | undefined)?.message).to.equal('ECONNRESET');
      expect((await store.get(c.id))?.state).to.equal('queued');

      expect(await hub.handleStatus(statusTurn('conv-blip', accepted)), 'the hub resends').to.deep.equal({ handled: true, outcome: 'applied' });
      expect((await store.get(c.id))?.state).to.equal('assigned');
      expect(await hub.handleStatus(statusTurn('conv-blip', accepted)), 'a replay after success').to.deep.equal({ handled: true, outcome: 'unauthorized' });
      expect(warnings.at(-1)?.fields.reason).to.equal('replayed');
    });

    it('moving the case throws once: released too', async function () {
      sinon.stub(store, 'claim').callThrough().onFirstCall().rejects(new Error('ETIMEDOUT'));
      const accepted = { ...signHandoffStatus(SECRET, { caseId: c.id, state: 'accepted' }, NOW_MS), agent: { id: 'omni-7' } };
      let thrown: unknown;
      await hub.handleStatus(statusTurn('conv-blip', accepted)).catch((err: unknown) => (thrown = err));
      expect(thrown).to.be.instanceOf(Error);
      expect(await hub.handleStatus(statusTurn('conv-blip', accepted))).to.deep.equal({ handled: true, outcome: 'applied' });
    });

    it('a copy arriving while the original is applied is refused as in progress; it goes through once the original failed', async function () {
      let failRead: () => void = () => undefined;
      const read = sinon.stub(store, 'findOpenByConversation').callThrough();
      read.onFirstCall().returns(new Promise((_resolve, reject) => (failRead = () => reject(new Error('ECONNRESET')))));
      const accepted = { ...signHandoffStatus(SECRET, { caseId: c.id, state: 'accepted' }, NOW_MS), agent: { id: 'omni-7' } };
      const original = hub.handleStatus(statusTurn('conv-blip', accepted)).then(
        () => 'resolved',
        () => 'rejected',
      );
      await new Promise((r) => setTimeout(r, 20));
      expect(read.callCount, 'the original is reading the case').to.equal(1);
      expect(await hub.handleStatus(statusTurn('conv-blip', accepted))).to.deep.equal({ handled: true, outcome: 'unauthorized' });
      expect(warnings.at(-1)).to.deep.include({ event: 'handoff_protocol.status_unauthorized' });
      expect(warnings.at(-1)?.fields.reason).to.equal('in_progress');
      failRead();
      expect(await original).to.equal('rejected');
      expect(await hub.handleStatus(statusTurn('conv-blip', accepted))).to.deep.equal({ handled: true, outcome: 'applied' });
    });

    it('a status the case refuses is final: its signature stays spent (a later replay cannot apply it)', async function () {
      await store.claim(c.id, { id: 'desk-1', channel: 'msteams' });
      const accepted = { ...signHandoffStatus(SECRET, { caseId: c.id, state: 'accepted' }, NOW_MS), agent: { id: 'omni-7' } };
      expect(await hub.handleStatus(statusTurn('conv-blip', accepted)), 'a desk agent has it').to.deep.equal({ handled: true, outcome: 'not_applicable' });
      await store.transition(c.id, 'queued', 'desk-1');
      expect(await hub.handleStatus(statusTurn('conv-blip', accepted)), 'replayed once the case is back in the queue').to.deep.equal({ handled: true, outcome: 'unauthorized' });
      expect((await store.get(c.id))?.state).to.equal('queued');
    });
  });
}

statusReleaseSuite('MemoryReplayCache', () => new MemoryReplayCache());

describe('with a RedisReplayCache (real Redis)', function () {
  const t = useTestRedis();
  statusReleaseSuite('RedisReplayCache', () => new RedisReplayCache({ redis: t.redis, keyPrefix: t.prefix('replay-status') }));
});
