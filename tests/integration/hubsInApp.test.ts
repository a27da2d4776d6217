import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HandoffInitiateValue } from '../../middleware/handoffProtocol/handoffProtocol';
import { signHandoffStatus } from '../../middleware/handoff/hubs/handoffStatusVerifier';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../middleware/handoff/hubs/webhookSigning';
import type { WebhookPayload } from '../../middleware/handoff/hubs/webhookPayload';
import { directLineMessage, teamsMessage } from '../helpers/channelActivities';
import { startApp, type RunningApp } from './appHarness';

const STATUS_SECRET = 'status-secret-for-tests-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
const FRAUD = "Someone stole my card and there are payments I don't recognise, my email is jo@example.com";

/** A CRM/ticketing receiver: fails with 500 the first `failures` times, then records signed deliveries. */
class FakeHub {
  received: Array<{ payload: WebhookPayload; valid: boolean; delivery: string }> = [];
  failures = 1;
  attempts = 0;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.attempts++;
      if (this.failures > 0) {
        this.failures--;
        res.writeHead(500);
        res.end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const check = verifyWebhookSignature({
        rawBody: raw,
        signature: req.headers[SIGNATURE_HEADER.toLowerCase()],
        timestamp: req.headers[TIMESTAMP_HEADER.toLowerCase()],
        secrets: [WEBHOOK_SECRET],
      });
      this.received.push({ payload: JSON.parse(raw.toString('utf8')) as WebhookPayload, valid: check.ok, delivery: String(req.headers['x-warmline-delivery']) });
      res.writeHead(200);
      res.end();
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/cases`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const until = async (what: string, check: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('engagement hubs wired by createApp (handoff protocol + signed webhook + status route)', function () {
  this.timeout(30000);
  let run: RunningApp;
  let hub: FakeHub;

  before(async () => {
    hub = new FakeHub();
    const url = await hub.start();
    run = await startApp({
      HANDOFF_PROTOCOL: 'on',
      HANDOFF_STATUS_SECRET: STATUS_SECRET,
      WEBHOOK_URL: url,
      WEBHOOK_SECRETS: WEBHOOK_SECRET,
    });
  });
  after(async () => {
    await run.stop();
    await hub.stop();
  });

  it('a fraud report reaches the hub as handoff.initiate and a signed webhook; status accepted then completed returns the customer to the bot', async () => {
    const conversationId = 'dl-hub-fraud';
    const say = (text: string) => run.post(directLineMessage(text, { serviceUrl: run.connector.url, conversationId }));
    expect((await say(FRAUD)).status).to.equal(200);

    // No desk agent is online, yet the case waits for the staffed engagement hub.
    const initiate = await run.connector.waitFor((c) => c.conversationId === conversationId && c.activity.name === 'handoff.initiate');
    const value = initiate.activity.value as HandoffInitiateValue & { reason: string; priority: string; caseId: string };
    expect(initiate.activity.type).to.equal('event');
    expect(value.reason).to.equal('fraud');
    expect(value.priority).to.equal('high');
    expect(value.va_Language).to.match(/^en/);
    expect(value.va_ConversationId).to.equal(conversationId);
    const transcript = (initiate.activity.attachments ?? []).find((a) => a.name === 'Transcript');
    expect(transcript, 'transcript attachment').to.not.equal(undefined);
    const transcriptText = JSON.stringify(transcript!.content);
    expect(transcriptText).to.contain('stole my card');
    expect(transcriptText).to.not.contain('jo@example.com'); // redacted

    // The webhook was retried after a 500 and delivered once, signed.
    await until('webhook delivery', () => hub.received.some((r) => r.payload.case.id === value.caseId));
    const delivery = hub.received.find((r) => r.payload.case.id === value.caseId)!;
    expect(delivery.valid).to.equal(true);
    expect(hub.attempts).to.be.greaterThan(1);
    expect(JSON.stringify(delivery.payload)).to.not.contain('jo@example.com');

    const statusWith = (v: object) =>
      run.post({
        ...directLineMessage('', { serviceUrl: run.connector.url, conversationId }),
        type: 'event',
        name: 'handoff.status',
        text: undefined,
        value: v,
      });
    // The customer's client received handoff.initiate too: posting back all of it as a status changes nothing.
    expect(JSON.stringify(initiate.activity)).not.to.contain(STATUS_SECRET);
    expect((await statusWith({ ...value, state: 'completed', agent: { id: 'me', name: 'Fake agent' } })).status).to.equal(200);
    expect((await statusWith({ ...value, state: 'accepted', timestamp: Math.floor(Date.now() / 1000), signature: 'AAAA' })).status).to.equal(200);
    expect((await run.app.handoff.customers.findOpenCase(`directline/${conversationId}`))?.state).to.equal('queued');

    // The hub's agent accepts (through the Bot Framework channel, as Omnichannel does), then completes, each status signed.
    const status = (state: string) => statusWith(signHandoffStatus(STATUS_SECRET, { caseId: value.caseId, state }));
    expect((await status('accepted')).status).to.equal(200);
    expect((await run.app.handoff.customers.findOpenCase(`directline/${conversationId}`))?.state).to.equal('assigned');
    expect((await status('completed')).status).to.equal(200);
    expect(await run.app.handoff.customers.findOpenCase(`directline/${conversationId}`)).to.equal(undefined);

    // Back with the bot: tracking works again.
    const before = run.connector.activities(conversationId).length;
    await say('where is my parcel?');
    await until('bot reply', () => run.connector.activities(conversationId).slice(before).some((a) => /tracking number/i.test(a.text ?? '')));
  });

  it('with no desk agent online, a Teams customer (never sent to the hub) is offered a callback at once; a Direct Line one waits for the hub', async () => {
    const teamsConversation = 'a:1teams-no-hub-kXyZ';
    expect((await run.post(teamsMessage(FRAUD, { serviceUrl: run.connector.url, conversationId: teamsConversation }))).status).to.equal(200);
    await until('Teams reply', () => run.connector.activities(teamsConversation).some((a) => /get back to you/i.test(a.text ?? '')));
    const teamsCase = await run.app.handoff.customers.findOpenCase(`msteams/${teamsConversation}`);
    expect(teamsCase?.state).to.equal('timed_out');
    const teamsTexts = run.connector.activities(teamsConversation).map((a) => a.text ?? '').join('\n');
    expect(teamsTexts).to.contain('No one from the team is available right now');
    expect(teamsTexts).not.to.match(/in the queue/);
    expect(run.connector.activities(teamsConversation).filter((a) => a.type === 'event')).to.deep.equal([]);

    const dlConversation = 'dl-hub-waits';
    expect((await run.post(directLineMessage(FRAUD, { serviceUrl: run.connector.url, conversationId: dlConversation }))).status).to.equal(200);
    await run.connector.waitFor((c) => c.conversationId === dlConversation && c.activity.name === 'handoff.initiate');
    expect((await run.app.handoff.customers.findOpenCase(`directline/${dlConversation}`))?.state).to.equal('queued');
    expect(run.connector.activities(dlConversation).map((a) => a.text ?? '').join('\n')).not.to.contain('No one from the team is available');
  });

  it('the webhook status route refuses a wrong signature and a stale timestamp (401), accepts a signed update', async () => {
    const path = `${run.url}/api/hub/status`;
    const body = JSON.stringify({ caseId: 'C-ZZZZ', state: 'accepted' });
    const post = (headers: Record<string, string>) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const good = signWebhook(body, WEBHOOK_SECRET);
    const wrong = signWebhook(body, 'another-secret-that-is-long-enough');
    const stale = signWebhook(body, WEBHOOK_SECRET, Date.now() - 3600_000);
    expect((await post({ ...wrong })).status).to.equal(401);
    expect((await post({ ...stale })).status).to.equal(401);
    expect((await post({})).status).to.equal(401);
    // A well-signed update about an unknown case is authenticated, then answered 404.
    expect((await post({ ...good })).status).to.equal(404);
  });
});
