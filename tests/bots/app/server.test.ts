import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type { Server } from 'restify';
import { createWarmlineServer, listen, type Readiness } from '../../../bots/app/server';
import { WarmlineCloudAdapter } from '../../../bots/app/warmlineCloudAdapter';
import { silentLogger } from '../../../middleware/shared/logger';
import { FakeConnector } from '../../helpers/fakeConnector';
import { directLineMessage, slackMessage, teamsMessage } from '../../helpers/channelActivities';

class EchoBot extends ActivityHandler {
  /** The activities the bot received, as it received them. */
  readonly seen: Array<Record<string, unknown>> = [];
  constructor() {
    super();
    this.onTurn(async (ctx, next) => {
      this.seen.push(ctx.activity as unknown as Record<string, unknown>);
      await next();
    });
    this.onMessage(async (ctx, next) => {
      const { timestamp, rawTimestamp } = ctx.activity as { timestamp?: unknown; rawTimestamp?: unknown };
      const dated = ctx.activity.text === 'when' && timestamp instanceof Date && typeof rawTimestamp === 'string' ? ` (dated ${timestamp.toISOString()})` : '';
      await ctx.sendActivity(`echo: ${ctx.activity.text}${dated}`);
      await next();
    });
  }
}

// The server takes Warmline's adapter (its own request path) and any botbuilder CloudAdapter (botbuilder's path):
// both must behave the same from the outside.
for (const kind of ['WarmlineCloudAdapter', 'CloudAdapter'] as const) {
  function anonymousAdapter(appId = ''): CloudAdapter {
    const auth = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: appId,
      MicrosoftAppPassword: appId ? 'secret' : '',
      MicrosoftAppType: 'MultiTenant',
    } as ConfigurationBotFrameworkAuthenticationOptions);
    return kind === 'WarmlineCloudAdapter' ? new WarmlineCloudAdapter(auth) : new CloudAdapter(auth);
  }

  describe(`createWarmlineServer with ${kind}`, () => {
    const connector = new FakeConnector();
    const bot = new EchoBot();
    let server: Server;
    let base: string;
    let readiness: Readiness = { ready: false, checks: { recognizers: 'warming' } };

    before(async () => {
      await connector.start();
      server = createWarmlineServer({
        adapter: anonymousAdapter(),
        bot,
        logger: silentLogger,
        maxBodyBytes: 4096,
        readiness: () => readiness,
      });
      const port = await listen(server, 0, '127.0.0.1');
      base = `http://127.0.0.1:${port}`;
    });
    after(async () => {
      server.close();
      await connector.stop();
    });

    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      fetch(`${base}/api/messages`, { method: 'POST', headers, body });

    it('answers /healthz and reports readiness on /readyz', async () => {
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);
      const starting = await fetch(`${base}/readyz`);
      expect(starting.status).to.equal(503);
      expect(await starting.json()).to.deep.include({ status: 'starting' });
      readiness = { ready: true, checks: { recognizers: 'ok' } };
      expect((await fetch(`${base}/readyz`)).status).to.equal(200);
    });

    it('delivers replies through the serviceUrl connector (anonymous, no app id)', async () => {
      const activity = teamsMessage('hello', { serviceUrl: connector.url });
      const res = await post(JSON.stringify(activity));
      expect(res.status).to.equal(200);
      const call = await connector.waitFor((c) => c.conversationId === activity.conversation.id);
      expect(call.activity.text).to.equal('echo: hello');
      expect(call.replyToId).to.equal(activity.id);
    });

    it('returns replies in the HTTP response with deliveryMode expectReplies', async () => {
      const activity = directLineMessage('ping', { serviceUrl: connector.url, deliveryMode: 'expectReplies' });
      const res = await post(JSON.stringify(activity));
      expect(res.status).to.equal(200);
      const body = (await res.json()) as { activities: Array<{ text: string }> };
      expect(body.activities.map((a) => a.text)).to.deep.equal(['echo: ping']);
    });

    it('answers an invoke with the bot\'s invoke response status, and gives the bot dated timestamps', async () => {
      const invoke = { ...directLineMessage('x', { serviceUrl: connector.url }), type: 'invoke', name: 'unknown/invoke' };
      const res = await post(JSON.stringify(invoke));
      expect(res.status).to.equal(501); // ActivityHandler's answer to an invoke it does not handle
      const dated = { ...directLineMessage('when', { serviceUrl: connector.url, deliveryMode: 'expectReplies' }), timestamp: '2026-11-26T10:00:00.000Z' };
      const body = (await (await post(JSON.stringify(dated))).json()) as { activities: Array<{ text: string }> };
      expect(body.activities.map((a) => a.text)).to.deep.equal(['echo: when (dated 2026-11-26T10:00:00.000Z)']);
    });

    it('refuses multipart bodies (file uploads) on every route with 415, and writes no temp file', async () => {
      server.post('/probe-upload', async (_req, res) => {
        res.send(200, { ok: true });
      });
      const uploads = () => readdirSync(tmpdir()).filter((f) => f.startsWith('upload_')).length;
      const before = uploads();
      const form = new FormData();
      form.append('file', new Blob(['x'.repeat(2000)]), 'big.bin');
      for (const path of ['/probe-upload', '/api/messages']) {
        const res = await fetch(`${base}${path}`, { method: 'POST', body: form });
        expect(res.status, path).to.equal(415);
        expect(await res.json()).to.deep.include({ error: 'UnsupportedMediaType' });
      }
      expect(uploads()).to.equal(before);
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    });

    it('rejects an oversized body with 413', async () => {
      const activity = teamsMessage('x'.repeat(10_000), { serviceUrl: connector.url });
      const res = await post(JSON.stringify(activity));
      expect(res.status).to.equal(413);
    });

    it('refuses a body that is not sent as JSON (415), and an empty activity type (400)', async () => {
      const activity = JSON.stringify(directLineMessage('hi', { serviceUrl: connector.url, deliveryMode: 'expectReplies' }));
      expect((await post(activity, { 'content-type': 'text/plain' })).status).to.equal(415);
      expect((await post(activity, {})).status).to.equal(415);
      expect((await post(activity, { 'content-type': 'application/json; charset=utf-8' })).status).to.equal(200);
      expect((await post(JSON.stringify({ ...JSON.parse(activity), type: '' }))).status).to.equal(400);
      expect((await post(JSON.stringify({ ...JSON.parse(activity), type: '  ' }))).status).to.equal(400);
    });

    it('rejects malformed JSON and non-activities with 400, and keeps serving', async () => {
      expect((await post('{"type": "message", ')).status).to.equal(400);
      expect((await post('[1,2,3]')).status).to.equal(400);
      expect((await post('{"hello":"world"}')).status).to.equal(400);
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    });

    it('answers 400 with the reason to a malformed envelope (ids and serviceUrl), and lets real channel payloads through', async () => {
      const valid = directLineMessage('hi', { serviceUrl: connector.url, deliveryMode: 'expectReplies' });
      const cases: Array<[string, Record<string, unknown>]> = [
        ['serviceUrl', { serviceUrl: 42 }],
        ['serviceUrl', { serviceUrl: 'ftp://files.example/' }],
        ['serviceUrl', { serviceUrl: 'not a url' }],
        ['serviceUrl', { serviceUrl: `https://x.example/${'a'.repeat(3000)}` }],
        ['serviceUrl', { serviceUrl: ['https://x.example/'] }],
        ['channelId', { channelId: ['msteams'] }],
        ['channelId', { channelId: 'c'.repeat(100) }],
        ['id', { id: { $gt: '' } }],
        ['id', { id: 'i'.repeat(2000) }],
        ['type', { type: 't'.repeat(200) }],
        ['conversation', { conversation: 'abc' }],
        ['conversation.id', { conversation: { id: 7 } }],
        ['conversation.id', { conversation: { id: 'c'.repeat(1100) } }],
        ['from', { from: [] }],
        ['from.id', { from: { id: ['a', 'b'] } }],
        ['recipient.id', { recipient: { id: { nested: true } } }],
        ['serviceUrl', { serviceUrl: undefined }],
        ['channelId', { channelId: null }],
        ['channelId', { channelId: 'MSTEAMS' }],
        ['conversation.id', { conversation: { id: 'a:\ud800' } }],
        ['conversation.tenantId', { conversation: { id: 'a:1', tenantId: ['t1', 't2'] } }],
        ['from.name', { from: { id: 'u1', name: 42 } }],
        ['recipient', { recipient: null }],
      ];
      for (const [field, patch] of cases) {
        const res = await post(JSON.stringify({ ...valid, ...patch }));
        expect(res.status, field).to.equal(400);
        const body = (await res.json()) as { error: string; message: string };
        expect(body.error).to.equal('BadRequest');
        expect(body.message, field).to.contain(`"${field}"`);
        expect(body.message.length, field).to.be.below(120); // the reason, never the value sent
      }
      // Real payloads, and fields a channel leaves empty (null), still pass.
      for (const activity of [
        teamsMessage('hi', { serviceUrl: connector.url, deliveryMode: 'expectReplies' }),
        slackMessage('hi', { serviceUrl: connector.url, deliveryMode: 'expectReplies' }),
        valid,
        { ...valid, serviceUrl: `${connector.url}/with/a/path?and=query` },
        { ...valid, replyToId: null, locale: null, from: { ...valid.from, name: null } },
      ]) {
        const res = await post(JSON.stringify(activity));
        expect(res.status, String(activity.channelId)).to.equal(200);
      }
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    });

    it('answers 400 at once to a message without serviceUrl, instead of retrying its reply to nowhere for seconds', async () => {
      const activity: Record<string, unknown> = slackMessage('hi', { serviceUrl: connector.url });
      delete activity.serviceUrl;
      const started = performance.now();
      const res = await post(JSON.stringify(activity));
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { message: string }).message).to.contain('"serviceUrl"');
      expect(performance.now() - started).to.be.below(1000);
    });

    it('refuses a body nested deeper than 64 levels with 400, before any piece serialises it', async () => {
      const deep = `${'['.repeat(1500)}${']'.repeat(1500)}`;
      const valid = JSON.stringify(directLineMessage('hi', { serviceUrl: connector.url, deliveryMode: 'expectReplies' }));
      for (const body of [deep, valid.replace('"channelData":', `"relatesTo":${deep},"channelData":`)]) {
        const res = await post(body);
        expect(res.status).to.equal(400);
        expect(((await res.json()) as { message: string }).message).to.contain('nested deeper than 64');
      }
      expect((await post(valid)).status).to.equal(200);
    });

    it('replaces an invalid timestamp or localTimestamp by the server time, so the activity is still kept', async () => {
      const cases: Array<Record<string, unknown>> = [
        { timestamp: 'not a date', localTimestamp: 1_700_000_000_000 },
        { timestamp: 1_700_000_000, localTimestamp: { when: 'now' } },
        { timestamp: `2026-01-01T00:00:00Z${' '.repeat(100)}`, localTimestamp: ['2026-01-01T00:00:00+01:00'] },
      ];
      for (const patch of cases) {
        const before = Date.now();
        const activity = { ...directLineMessage('stamp', { serviceUrl: connector.url, deliveryMode: 'expectReplies' }), ...patch };
        const res = await post(JSON.stringify(activity));
        expect(res.status).to.equal(200);
        const seen = bot.seen.find((a) => a.id === activity.id)!;
        for (const field of ['timestamp', 'localTimestamp']) {
          const value = seen[field];
          expect(value, field).to.be.instanceOf(Date);
          expect((value as Date).getTime(), field).to.be.within(before - 1, Date.now() + 1);
        }
      }
      // A valid one is kept as sent.
      const dated: Record<string, unknown> = { ...directLineMessage('stamp', { serviceUrl: connector.url, deliveryMode: 'expectReplies' }), timestamp: '2026-11-26T10:00:00.000Z' };
      expect((await post(JSON.stringify(dated))).status).to.equal(200);
      expect((bot.seen.find((a) => a.id === dated.id)!.timestamp as Date).toISOString()).to.equal('2026-11-26T10:00:00.000Z');
    });

    it('enforces Bot Framework authentication when an app id is configured', async () => {
      const secured = createWarmlineServer({
        adapter: anonymousAdapter('4a2f1c7e-0d6b-4c57-9d6e-8f3f2d1c0b9a'),
        bot: new EchoBot(),
        logger: silentLogger,
        maxBodyBytes: 4096,
        readiness: () => readiness,
      });
      const port = await listen(secured, 0, '127.0.0.1');
      try {
        const activity = teamsMessage('hello', { serviceUrl: connector.url });
        const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity),
        });
        expect(res.status).to.equal(401);
        const forged = await fetch(`http://127.0.0.1:${port}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.' },
          body: JSON.stringify(activity),
        });
        expect(forged.status).to.equal(401);
      } finally {
        secured.close();
      }
    });
  });
}
