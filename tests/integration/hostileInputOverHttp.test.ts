import { expect } from 'chai';
import { createLogger } from '../../middleware/shared/logger';
import { hashDeskPassword } from '../../bots/console/deskPassword';
import { directLineMessage, slackMessage, teamsMessage } from '../helpers/channelActivities';
import { startApp, type RunningApp } from './appHarness';

type Json = Record<string, unknown>;

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('hostile input over the real HTTP endpoint (createApp)', () => {
  let run: RunningApp;
  const lines: string[] = [];

  before(async () => {
    run = await startApp({}, { logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) });
  });
  after(async () => run.stop());
  beforeEach(() => {
    lines.length = 0;
  });
  const events = () => lines.map((l) => (JSON.parse(l) as { event: string }).event);

  it('answers a Teams message with entities: [null] normally, with no turn error', async () => {
    const activity = { ...teamsMessage('where is my parcel', { serviceUrl: run.connector.url, deliveryMode: 'expectReplies' }), entities: [null] };
    const res = await run.post(activity);
    expect(res.status).to.equal(200);
    expect((res.body as { activities: unknown[] }).activities).to.have.length.greaterThan(0);
    expect(events()).not.to.include('turn.error');
  });

  it('keeps the transcript line of a message with an invalid timestamp, at the server time', async () => {
    const before = Date.now();
    const activity = { ...directLineMessage('hello, where is my parcel?', { serviceUrl: run.connector.url, deliveryMode: 'expectReplies' }), timestamp: 'yesterday-ish', localTimestamp: 42 };
    expect((await run.post(activity)).status).to.equal(200);
    const transcript = await run.app.transcripts.read(`directline/${activity.conversation.id}`);
    const line = transcript.find((entry) => entry.role === 'customer');
    expect(line, JSON.stringify(transcript)).not.to.equal(undefined);
    expect(Date.parse(line!.at)).to.be.within(before - 1, Date.now() + 1);
  });

  it('refuses client-chosen ids of the wrong shape with 400, and logs nothing of what was sent', async () => {
    const huge = 'Z'.repeat(3000);
    const activity = { ...teamsMessage('hi', { serviceUrl: run.connector.url }), channelId: ['msteams', huge] };
    const res = await run.post(activity);
    expect(res.status).to.equal(400);
    expect((await run.post({ ...teamsMessage('hi', { serviceUrl: run.connector.url }), serviceUrl: 12345 })).status).to.equal(400);
    expect(lines.join('\n')).not.to.contain('ZZZZ');
  });

  // What the fuzzer (bench/fuzz) found reaching the bot and ending in turn.error, or hanging: each is now a 400 that
  // names the field, before any turn.
  it('answers 400 naming the field, with no turn error, to the envelopes the fuzzer found failing turns', async () => {
    const teams = () => teamsMessage('where is my parcel', { serviceUrl: run.connector.url });
    const noServiceUrl: Json = slackMessage('hi', { serviceUrl: run.connector.url });
    delete noServiceUrl.serviceUrl;
    const cases: Array<[string, Json]> = [
      ['serviceUrl', noServiceUrl],
      ['channelId', { ...teams(), channelId: 'MSTEAMS' }],
      ['conversation.tenantId', { ...teams(), conversation: { ...teams().conversation, tenantId: ['t1', 't2'] } }],
      ['conversation.tenantId', { ...teams(), conversation: { ...teams().conversation, tenantId: 2064762668 } }],
      ['channelData.tenant.id', { ...teams(), channelData: { tenant: { id: ['t1'] } } }],
      ['channelData.tenant.id', { ...teams(), channelData: { tenant: { id: 42 } } }],
      ['from.aadObjectId', { ...teams(), from: { ...teams().from, aadObjectId: [true, null] } }],
      ['from.name', { ...teams(), from: { ...teams().from, name: 1358773310 } }],
      ['recipient.name', { ...teams(), recipient: { id: 'bot', name: [null] } }],
      ['conversation.name', { ...teams(), conversation: { ...teams().conversation, name: 813608225 } }],
      ['conversation.isGroup', { ...teams(), conversation: { ...teams().conversation, isGroup: { '': [] } } }],
      ['recipient', { ...teams(), type: 'invoke', name: 'adaptiveCard/action', value: {}, recipient: null }],
      ['conversation.id', { ...teams(), conversation: { id: 'a:\udbff' } }],
      ['id', { ...teams(), id: '\udfff1' }],
      ['from.id', { ...teams(), from: { id: '29:\ud800' } }],
      ['conversation.id', { ...teams(), conversation: { id: 'a:\u{854ff}' } }],
      ['conversation', { ...teams(), conversation: undefined }],
    ];
    for (const [field, activity] of cases) {
      const started = performance.now();
      const res = await run.post(activity);
      expect(res.status, field).to.equal(400);
      expect((res.body as { message: string }).message, field).to.contain(`"${field}"`);
      expect(performance.now() - started, field).to.be.below(1000);
    }
    expect(events()).not.to.include('turn.error');
    expect(lines.join('\n')).not.to.match(/2064762668|1358773310|813608225/);
  });

  it('answers a Teams message whose entities have no string type normally, with no turn error', async () => {
    const activity = { ...teamsMessage('where is my parcel', { serviceUrl: run.connector.url, deliveryMode: 'expectReplies' }), entities: [{ type: true, locale: 'en-US' }], membersRemoved: [null] };
    const res = await run.post(activity);
    expect(res.status).to.equal(200);
    expect((res.body as { activities: unknown[] }).activities).to.have.length.greaterThan(0);
    expect(events()).not.to.include('turn.error');
  });

  it('answers an adaptiveCard/action invoke without an action with an invoke response 400, not a turn error', async () => {
    const invoke = { ...teamsMessage('', { serviceUrl: run.connector.url }), type: 'invoke', name: 'adaptiveCard/action', value: { warmline: 'accept', caseId: null } };
    const res = await run.post(invoke);
    expect(res.status).to.equal(400);
    expect(res.body).to.deep.include({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect(events()).not.to.include('turn.error');
  });

  it('refuses (400, not an empty 500) an activity nested 10,000 deep whose expectReplies answer would have echoed it', async () => {
    const base = JSON.stringify({ ...teamsMessage('where is my parcel', { serviceUrl: run.connector.url, deliveryMode: 'expectReplies' }) });
    for (const body of [base.replace('"conversation":{', `"conversation":{"deep":${nestedArrays(10_000)},`), base.replace('"channelData":', `"channelData":{"x":${nestedArrays(1000)}},"y":`)]) {
      const res = await fetch(`${run.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { message: string }).message).to.contain('nested deeper than 64');
    }
    expect(events()).not.to.include('turn.error');
    expect(events()).not.to.include('http.error');
  });
});

describe('hostile bodies on the routes behind restify\'s body parser (createApp: Direct Line, console, webhook status)', function () {
  this.timeout(20_000);
  let run: RunningApp;
  const lines: string[] = [];

  before(async () => {
    const hash = await hashDeskPassword('ana-password', { N: 1024 });
    run = await startApp(
      { WEBCHAT: 'local', DESK_AGENTS: `ana:Ana Martin:${hash}`, WEBHOOK_URL: 'http://127.0.0.1:9/hook', WEBHOOK_SECRETS: 'webhook-secret-for-tests-0123456789' },
      { logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) },
    );
  });
  after(async () => run.stop());

  const send = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${run.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: run.url, ...headers }, body });

  it('answers 400 to JSON nested 10,000 deep on every route, and serves the next request', async () => {
    const deep = nestedArrays(10_000);
    const started = await (await send('/v3/directline/conversations', '{}')).json() as { conversationId: string; token: string };
    const auth = { authorization: `Bearer ${started.token}` };
    const requests: Array<[string, string, Record<string, string>?]> = [
      ['/v3/directline/conversations', deep],
      ['/v3/directline/conversations', deep, auth],
      [`/v3/directline/conversations/${started.conversationId}/activities`, `{"type":"message","text":"hi","relatesTo":${deep}}`, auth],
      ['/desk/login', `{"id":"ana","password":${deep}}`],
      ['/desk/api/presence', `{"status":${deep}}`],
      ['/api/hub/status', `{"caseId":"C-ABCD","state":"accepted","agent":${deep}}`],
    ];
    for (const [path, body, headers] of requests) {
      const res = await send(path, body, headers);
      expect(res.status, path).to.equal(400);
      expect(await res.text(), path).to.contain('nested deeper than 64');
    }
    expect((await fetch(`${run.url}/healthz`)).status).to.equal(200);
    const logged = lines.map((l) => (JSON.parse(l) as { event: string }).event);
    for (const event of ['directline.handler_failed', 'http.error', 'restify.warn']) expect(logged).not.to.include(event);
  });

  it('answers a webhook status of 262,145 bytes that is not JSON with a clean 413, not a reset connection', async () => {
    for (const type of ['application/octet-stream', undefined]) {
      const res = await fetch(`${run.url}/api/hub/status`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body: new Uint8Array(262_145).fill(0x20) });
      expect(res.status, String(type)).to.equal(413);
    }
    const wrongType = await fetch(`${run.url}/api/hub/status`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: '{"caseId":"C-ABCD","state":"accepted"}' });
    expect(wrongType.status).to.equal(415);
  });
});
