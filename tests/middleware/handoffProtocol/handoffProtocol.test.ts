import { expect } from 'chai';
import { TestAdapter, TurnContext, type Activity, type Attachment } from 'botbuilder';
import {
  HandoffChannelError,
  buildHandoffContext,
  createHandoffInitiate,
  parseHandoffStatus,
  type HandoffInitiateValue,
} from '../../../middleware/handoffProtocol/handoffProtocol';
import { HUB_STATUS_OPERATIONS } from '../../../middleware/handoff/hubs/hubStatus';
import { MemoryHandoffStore } from '../../../middleware/handoff/stores/memoryHandoffStore';
import type { HandoffCase } from '../../../middleware/handoff/handoffCase';
import { createFraudCase, leaksPii, PII_TEXT } from '../handoff/hubs/caseFixture';

const SECRET = 'status-secret-0123456789';

function turnOn(channelId: string, conversationId: string): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    id: 'act-1',
    channelId,
    serviceUrl: 'http://127.0.0.1:9/',
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'dl_user_1', name: 'Jane Doe', role: 'user' },
    recipient: { id: 'warmline-bot', name: 'Warmline' },
    text: 'hi',
  } as Partial<Activity>);
}

describe('handoffProtocol', function () {
  let store: MemoryHandoffStore;
  let c: HandoffCase;
  beforeEach(async function () {
    store = new MemoryHandoffStore();
    c = await createFraudCase(store, 'conv-42');
    await store.appendCustomerMessage(c.id, { text: 'my IBAN is FR76 3000 6000 0112 3456 7890 189', at: new Date().toISOString() });
    c = (await store.get(c.id)) as HandoffCase;
  });

  describe('handoff.initiate', function () {
    it('is an event named handoff.initiate built by EventFactory, on the customer conversation', function () {
      const event = createHandoffInitiate(turnOn('directline', 'conv-42'), c);
      expect(event.type).to.equal('event');
      expect(event.name).to.equal('handoff.initiate');
      expect(event.conversation?.id).to.equal('conv-42');
      expect(event.channelId).to.equal('directline');
      expect(event.relatesTo?.conversation.id).to.equal('conv-42');
      expect(event.replyToId).to.equal('act-1');
    });

    it('carries the Copilot Studio fields and ours in value, all redacted', function () {
      const event = createHandoffInitiate(turnOn('directline', 'conv-42'), c, { botName: 'Acme care', botId: 'acme-bot' });
      const v = event.value as HandoffInitiateValue;
      expect(v).to.include({
        va_Scope: 'bot',
        va_LastTopic: 'fraud',
        va_ConversationId: 'conv-42',
        va_BotId: 'acme-bot',
        va_BotName: 'Acme care',
        va_Language: 'en',
        caseId: c.id,
        reason: 'fraud',
        priority: 'high',
        channel: 'directline',
      });
      expect(v.va_Topics).to.include.members(['fraud', 'tracking']);
      expect(v.va_Phrases).to.have.length(3);
      expect(v.va_Phrases[1]).to.contain('[card •••• 4242]').and.contain('[email]').and.contain('[phone]');
      expect(v.va_LastPhrases).to.contain('[IBAN FR76 •••]');
      expect(v.va_AgentMessage).to.equal(c.summary);
      expect(v.summary).to.equal(c.summary);
      expect(v.emotion).to.deep.equal([{ name: 'distress', score: 0.7, evidence: [{ rule: 'distress.en.panic', matched: ['without me'] }] }]);
      expect(v.intents[0]).to.include({ name: 'fraud', confidence: 0.95 });
      expect(v.collected).to.deep.equal({ trackingNumber: '1Z999AA10123456784', email: '[email]' });
      // Identity: the name and channel only.
      expect(v.customer).to.deep.equal({ name: 'Jane Doe', channel: 'directline' });
      expect(JSON.stringify(v)).not.to.contain('dl_user_1').and.not.to.contain('crm-77');
      expect(leaksPii(JSON.stringify(v))).to.equal(false);
    });

    it('attaches the redacted transcript as a Transcript of message activities', function () {
      const event = createHandoffInitiate(turnOn('webchat', 'conv-42'), c);
      expect(event.attachments).to.have.length(1);
      const a = (event.attachments as Attachment[])[0] as Attachment;
      expect(a).to.include({ contentType: 'application/json', name: 'Transcript' });
      const activities = (a.content as { activities: Partial<Activity>[] }).activities;
      expect(activities.map((x) => x.from?.role)).to.deep.equal(['user', 'bot', 'user', 'user']);
      expect(activities.every((x) => x.type === 'message')).to.equal(true);
      expect(activities[2]?.text).to.equal('Someone used my card [card •••• 4242] without me, write to [email] or call [phone]');
      expect(leaksPii(JSON.stringify(a))).to.equal(false);
      expect(JSON.stringify(a)).not.to.contain(PII_TEXT);
    });

    it("carries nothing secret: the customer's own client receives the event", function () {
      const event = createHandoffInitiate(turnOn('directline', 'conv-42'), c);
      const keys = Object.keys(event.value as object);
      expect(keys).to.include('caseId');
      expect(keys.filter((k) => /token|signature|secret/i.test(k))).to.deep.equal([]);
      expect(JSON.stringify(event)).not.to.contain(SECRET);
    });

    it('keeps only the latest activities and phrases when asked', function () {
      const v = buildHandoffContext(c, { maxPhrases: 1 });
      expect(v.va_Phrases).to.have.length(1);
      const e = createHandoffInitiate(turnOn('directline', 'conv-42'), c, { maxTranscriptActivities: 2 });
      expect(((e.attachments?.[0]?.content ?? {}) as { activities: unknown[] }).activities).to.have.length(2);
    });

    it('refuses Teams and says why', function () {
      expect(() => createHandoffInitiate(turnOn('msteams', 'conv-42'), c)).to.throw(HandoffChannelError, /Teams answers 400/);
      expect(() => createHandoffInitiate(turnOn('MSTeams', 'conv-42'), c)).to.throw(HandoffChannelError);
    });
  });

  describe('handoff.status parsing', function () {
    const status = (value: unknown, name = 'handoff.status'): Partial<Activity> => ({ type: 'event', name, value });
    const table: Array<{ value: unknown; state?: string; operation?: string; error?: RegExp }> = [
      { value: { state: 'accepted' }, state: 'accepted', operation: 'assign' },
      { value: { state: 'Accepted', message: 'Agent Ana' }, state: 'accepted', operation: 'assign' },
      { value: { state: 'failed', message: 'no agents' }, state: 'failed', operation: 'requeue' },
      { value: { state: 'completed' }, state: 'completed', operation: 'resolve' },
      { value: { state: 'timedOut' }, state: 'timedOut', operation: 'fallback' },
      { value: { state: 'failed', code: 'timedOut' }, state: 'timedOut', operation: 'fallback' },
      { value: { state: 'transferBack' }, state: 'transferBack', operation: 'resolve' },
      { value: { state: 'completed', code: 'transferBack' }, state: 'transferBack', operation: 'resolve' },
      { value: { state: 'endOfConversation' }, state: 'endOfConversation', operation: 'end' },
      { value: { state: 'accepted', code: 'whatever' }, state: 'accepted', operation: 'assign' },
      { value: '{"state":"completed"}', state: 'completed', operation: 'resolve' },
      { value: { state: 'pending' }, error: /unknown status/ },
      { value: { message: 'no state' }, error: /state/ },
      { value: 'not json', error: /not JSON/ },
      { value: undefined, error: /invalid value/ },
      { value: { state: 'accepted', agent: { id: '' } }, error: /agent/ },
    ];
    for (const row of table) {
      it(`${JSON.stringify(row.value)} -> ${row.state ?? 'error'}`, function () {
        const r = parseHandoffStatus(status(row.value));
        if (row.error) {
          expect(r.ok).to.equal(false);
          if (!r.ok) expect(r.error).to.match(row.error);
          return;
        }
        expect(r.ok).to.equal(true);
        if (r.ok) {
          expect(r.status.state).to.equal(row.state);
          expect(HUB_STATUS_OPERATIONS[r.status.state]).to.equal(row.operation);
        }
      });
    }

    it('keeps the case id, timestamp, signature and agent the hub sends', function () {
      const r = parseHandoffStatus(status({ state: 'accepted', caseId: 'C-7K3P', timestamp: 1767225600, signature: 'sig', agent: { id: 'a-9', name: 'Ana' } }));
      expect(r).to.deep.equal({
        ok: true,
        status: { state: 'accepted', rawState: 'accepted', caseId: 'C-7K3P', timestamp: 1767225600, signature: 'sig', agent: { id: 'a-9', name: 'Ana' } },
      });
      const s = parseHandoffStatus(status({ state: 'accepted', caseId: 'C-7K3P', timestamp: '1767225600', signature: 'sig' }));
      expect(s.ok && s.status.timestamp).to.equal(1767225600);
      for (const timestamp of [-1, 1.5, 'soon', '17672256000000']) {
        const bad = parseHandoffStatus(status({ state: 'accepted', timestamp }));
        expect(bad.ok, String(timestamp)).to.equal(false);
        if (!bad.ok) expect(bad.error).to.match(/timestamp/);
      }
    });

    it('ignores other activities', function () {
      expect(parseHandoffStatus(status({ state: 'accepted' }, 'handoff.initiate')).ok).to.equal(false);
      expect(parseHandoffStatus({ type: 'message', name: 'handoff.status', value: { state: 'accepted' } }).ok).to.equal(false);
    });
  });
});
