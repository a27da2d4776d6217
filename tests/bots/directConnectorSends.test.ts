import { expect } from 'chai';
import * as sinon from 'sinon';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { AppCredentials, ClaimsIdentity, ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
import { directSendsUnavailable, withDirectSends } from '../../bots/directConnectorSends';
import { CachingBotFrameworkAuthentication } from '../../bots/cachingBotFrameworkAuthentication';
import { WarmlineCloudAdapter } from '../../bots/warmlineCloudAdapter';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A connector stand-in that records raw requests; `answer` decides each response (default 200 `{id}`). */
class CaptureServer {
  readonly seen: Seen[] = [];
  answer: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void = (n, _req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `r${n}`, extra: 'kept' }));
  };
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        this.answer(this.seen.length, req, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const anonymousFactory = () =>
  new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions).createConnectorFactory(
    new ClaimsIdentity([], true),
  );

const isDirect = (s: Seen) => String(s.headers['user-agent']).includes('warmline-direct');
/** Every header but the two that differ by design (the user agent names the direct path; request ids are random). */
const comparableHeaders = (s: Seen) => {
  const rest = { ...s.headers };
  delete rest['user-agent'];
  delete rest['x-ms-client-request-id'];
  return rest;
};

type Outcome = { result?: Record<string, unknown>; error?: Error & { statusCode?: number; code?: string }; seen: Seen[] };

/** Runs one send through a plain SDK client and through a direct one (each made by `make`), recording what happened. */
async function sideBySide(
  capture: { seen: Seen[] },
  make: () => Promise<ConnectorClient> | ConnectorClient,
  send: (client: ConnectorClient) => Promise<unknown>,
): Promise<{ sdk: Outcome; direct: Outcome }> {
  const run = async (client: ConnectorClient): Promise<Outcome> => {
    capture.seen.length = 0;
    const out: Outcome = { seen: [] };
    await send(client).then(
      (r) => (out.result = { ...(r as Record<string, unknown>) }),
      (e: unknown) => (out.error = e as Outcome['error']),
    );
    out.seen = [...capture.seen];
    return out;
  };
  const sdk = await run(await make());
  const direct = await run(withDirectSends(await make()));
  return { sdk, direct };
}

/** The activities a bot really sends, plus the awkward cases of the SDK's serializer. */
const CORPUS: Array<{ conversationId: string; replyToId?: string; activity: Partial<Activity> & Record<string, unknown> }> = [
  {
    conversationId: 'a:1Xyz-Teams;messageid=1700000000000',
    replyToId: '1700000000000',
    activity: {
      type: 'message',
      text: 'Votre colis est en route — livraison prévue demain',
      locale: 'fr-FR',
      from: { id: '28:bot-id', name: 'Warmline' },
      recipient: { id: '29:user', name: 'Ada', aadObjectId: '00000000-0000-0000-0000-000000000001' },
      conversation: { id: 'a:1Xyz-Teams;messageid=1700000000000', conversationType: 'personal', tenantId: 't1' } as Activity['conversation'],
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'In transit', wrap: true }], nested: { a: [1, null, { b: undefined }] } },
        },
      ],
      entities: [{ type: 'mention', mentioned: { id: '29:user', name: 'Ada' }, text: '<at>Ada</at>' }],
      channelData: { tenant: { id: 't1' }, notification: { alert: true } },
      suggestedActions: { to: [], actions: [{ type: 'imBack', title: 'Help', value: 'help' }] },
      inputHint: 'acceptingInput',
    },
  },
  {
    conversationId: 'D04ABCDEF:T01TEAM:1700000000.000100',
    activity: {
      type: 'message',
      text: '*Delivered* :package: <https://example.com|details>',
      textFormat: 'markdown',
      timestamp: new Date(Date.UTC(2026, 10, 26, 9, 30)),
      localTimestamp: '2026-11-26T10:30:00+01:00' as unknown as Date,
      unknownTopLevel: 'dropped by the SDK',
      from: { id: 'B01BOT', name: 'bot', unknownNested: 1 } as Activity['from'],
    },
  },
  { conversationId: 'webchat conv/with spaces?&#', replyToId: 'id/with/slashes', activity: { type: 'typing' } },
  { conversationId: 'c-😀-unicode', activity: { type: 'event', name: 'handoff.status', value: { state: 'accepted', at: new Date(0) } } },
];

describe('withDirectSends (replies without the Azure request pipeline)', () => {
  const capture = new CaptureServer();
  let base = '';

  beforeEach(async () => {
    capture.seen.length = 0;
    capture.answer = new CaptureServer().answer;
    base = await capture.start();
  });
  afterEach(async () => {
    sinon.restore();
    await capture.stop();
  });

  it('sends the same URL, body and headers as the SDK client, for every activity shape and service URL form', async () => {
    for (const serviceUrl of [`${base}/amer/`, `${base}/amer`, `${base}`, `${base}/`]) {
      const sdk = await anonymousFactory().create(serviceUrl, undefined);
      const direct = withDirectSends(await anonymousFactory().create(serviceUrl, undefined));
      for (const { conversationId, replyToId, activity } of CORPUS) {
        capture.seen.length = 0;
        const viaSdk = replyToId
          ? await sdk.conversations.replyToActivity(conversationId, replyToId, activity as Activity)
          : await sdk.conversations.sendToConversation(conversationId, activity as Activity);
        const viaDirect = replyToId
          ? await direct.conversations.replyToActivity(conversationId, replyToId, activity as Activity)
          : await direct.conversations.sendToConversation(conversationId, activity as Activity);
        const [a, b] = capture.seen;
        const where = `${serviceUrl} ${conversationId}`;
        expect(capture.seen, where).to.have.length(2);
        expect(isDirect(a), where).to.equal(false);
        expect(isDirect(b), where).to.equal(true);
        expect(b.method, where).to.equal(a.method);
        expect(b.url, where).to.equal(a.url);
        expect(JSON.parse(b.body), where).to.deep.equal(JSON.parse(a.body));
        expect(comparableHeaders(b), where).to.deep.equal(comparableHeaders(a));
        // Same user-agent prefix (the connector's), and a fresh request id each time.
        const prefix = String(a.headers['user-agent']).split(' core-rest-pipeline')[0];
        expect(String(b.headers['user-agent']).startsWith(prefix), where).to.equal(true);
        expect(b.headers['x-ms-client-request-id']).to.match(/^[0-9a-f-]{36}$/);
        expect({ ...viaDirect }).to.deep.equal({ ...viaSdk, id: 'r2' });
      }
    }
  });

  it('reproduces the serializer: unknown properties dropped, local timestamps as UTC, undefined members omitted', async () => {
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    await direct.conversations.sendToConversation('c1', CORPUS[1].activity as Activity);
    const body = JSON.parse(capture.seen[0].body) as Record<string, unknown>;
    expect(body).to.not.have.property('unknownTopLevel');
    expect(body.from).to.deep.equal({ id: 'B01BOT', name: 'bot' });
    expect(body.localTimestamp).to.equal('2026-11-26T09:30:00.000Z');
    expect(body.timestamp).to.equal('2026-11-26T09:30:00.000Z');
  });

  it("signs with the client's own credentials: the same bearer token as the SDK client", async () => {
    const credentials = new MicrosoftAppCredentials('11111111-2222-3333-4444-555555555555', 'not-a-real-secret');
    sinon.stub(credentials, 'getToken').resolves('token-abc');
    const options = { baseUri: `${base}/`, userAgent: 'test-agent' };
    const sdk = new ConnectorClient(credentials, options);
    const direct = withDirectSends(new ConnectorClient(credentials, options));
    await sdk.conversations.sendToConversation('c1', { type: 'message', text: 'hi' } as Activity);
    await direct.conversations.sendToConversation('c1', { type: 'message', text: 'hi' } as Activity);
    expect(capture.seen.map((s) => s.headers.authorization)).to.deep.equal(['Bearer token-abc', 'Bearer token-abc']);
    expect(isDirect(capture.seen[1])).to.equal(true);
  });

  it('hands a failed send to the SDK client, which sends again and returns its answer', async () => {
    capture.answer = (n, _req, res) => {
      res.writeHead(n === 1 ? 502 : 200, { 'content-type': 'application/json' });
      res.end(n === 1 ? '{"error":{"code":"BadGateway"}}' : '{"id":"after-retry"}');
    };
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    const res = await direct.conversations.replyToActivity('c1', 'a1', { type: 'message', text: 'hi' } as Activity);
    expect(res.id).to.equal('after-retry');
    expect(capture.seen.map(isDirect)).to.deep.equal([true, false]);
    expect(capture.seen[1].body).to.equal(capture.seen[0].body);
  });

  it("rejects a refused send (403, 404, 429 without retry-after, 204) with the SDK's own error, sending it once", async () => {
    const answers: Array<[number, Record<string, string>, string]> = [
      [403, { 'content-type': 'application/json' }, '{"error":{"code":"BotNotInConversationRoster","message":"The bot is not part of the conversation roster."}}'],
      [404, { 'content-type': 'application/json' }, '{"error":{"code":"ConversationNotFound","message":"Conversation not found."}}'],
      [400, { 'content-type': 'text/html' }, '<html>Bad Request</html>'],
      [429, { 'content-type': 'application/json' }, '{"error":{"code":"Throttled","message":"Slow down"}}'],
      [204, {}, ''],
      [501, { 'content-type': 'application/json' }, '{"error":{"code":"NotImplemented","message":"no"}}'],
    ];
    for (const [status, headers, body] of answers) {
      capture.answer = (_n, _req, res) => {
        res.writeHead(status, headers);
        res.end(body);
      };
      const { sdk, direct } = await sideBySide(capture, () => anonymousFactory().create(`${base}/`, undefined), (c) =>
        c.conversations.sendToConversation('c1', { type: 'message', text: 'hi' } as Activity),
      );
      expect(sdk.error, `SDK ${status}`).to.be.an('error');
      expect(sdk.seen, `SDK ${status}`).to.have.length(1);
      expect(direct.seen.map(isDirect), `direct ${status}`).to.deep.equal([true]);
      expect(direct.error?.name, `${status}`).to.equal(sdk.error!.name);
      expect(direct.error?.statusCode, `${status}`).to.equal(sdk.error!.statusCode);
      expect(direct.error?.code, `${status}`).to.equal(sdk.error!.code);
      expect(direct.error?.message, `${status}`).to.equal(sdk.error!.message);
    }
  });

  it('waits out Retry-After on a 429 before handing the send to the SDK client', async () => {
    capture.answer = (n, _req, res) => {
      if (n === 1) {
        res.writeHead(429, { 'retry-after': '0.2' });
        res.end();
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"id":"ok"}');
    };
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    const started = Date.now();
    expect((await direct.conversations.sendToConversation('c1', { type: 'message' } as Activity)).id).to.equal('ok');
    expect(Date.now() - started).to.be.at.least(190);
    expect(capture.seen.map(isDirect)).to.deep.equal([true, false]);
  });

  it('hands a network failure (a reset connection) to the SDK client', async () => {
    capture.answer = (n, req, res) => {
      if (n === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"second"}');
    };
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    expect((await direct.conversations.sendToConversation('c1', { type: 'message' } as Activity)).id).to.equal('second');
    expect(capture.seen.map(isDirect)).to.deep.equal([true, false]);
  });

  it('reads 2xx answers as the SDK does (empty, gzip, non-JSON types, bad JSON), never sending an acknowledged activity twice', async () => {
    const zlib = await import('node:zlib');
    const answers: Array<[string, (res: http.ServerResponse) => void]> = [
      ['202 empty', (res) => (res.writeHead(202), res.end())],
      ['200 gzip', (res) => (res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }), res.end(zlib.gzipSync('{"id":"zipped"}')))],
      ['200 text/plain', (res) => (res.writeHead(200, { 'content-type': 'text/plain' }), res.end('OK'))],
      ['200 no content type', (res) => (res.writeHead(200), res.end('{"id":"untyped"}'))],
      ['201 bad JSON', (res) => (res.writeHead(201, { 'content-type': 'application/json' }), res.end('not json'))],
    ];
    for (const [name, answer] of answers) {
      capture.answer = (_n, _req, res) => answer(res);
      const { sdk, direct } = await sideBySide(capture, () => anonymousFactory().create(`${base}/`, undefined), (c) =>
        c.conversations.sendToConversation('c1', { type: 'message' } as Activity),
      );
      expect(direct.seen.map(isDirect), name).to.deep.equal([true]);
      expect(direct.result, name).to.deep.equal(sdk.result);
      expect(direct.error?.name, name).to.equal(sdk.error?.name);
      expect(direct.error?.code, name).to.equal(sdk.error?.code);
      expect(direct.error?.message, name).to.equal(sdk.error?.message);
    }
  });

  it('does not send again when a 2xx answer is cut off mid-body (it was delivered)', async () => {
    capture.answer = (_n, req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id":"par');
      setTimeout(() => req.socket.destroy(), 20);
    };
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    const err = await direct.conversations.sendToConversation('c1', { type: 'message' } as Activity).then(() => null, (e: Error & { code?: string }) => e);
    expect(err?.name).to.equal('RestError');
    expect(err?.code).to.equal('PARSE_ERROR');
    expect(capture.seen).to.have.length(1);
  });

  it('sends what the SDK sends for a bot with an app id (bearer token), an odd conversation id and a URL with user-info', async () => {
    sinon.stub(AppCredentials.prototype, 'getToken').resolves('token-from-cache');
    const withAppId = () =>
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
        MicrosoftAppPassword: 'not-a-real-secret',
      } as ConfigurationBotFrameworkAuthenticationOptions).createConnectorFactory(
        new ClaimsIdentity([{ type: 'aud', value: '11111111-2222-3333-4444-555555555555' }], true),
      );
    for (const [name, make, conversationId] of [
      ['app id', () => withAppId().create(`${base}/emea/`, undefined), 'a:1;messageid=2'],
      ['conversation id with a line break', () => anonymousFactory().create(`${base}/`, undefined), ' c1\nx '],
      ['user-info in the service URL', () => anonymousFactory().create(base.replace('http://', 'http://user:pass@') + '/', undefined), 'c1'],
      ['a client without the accept policy', () => new ConnectorClient(new MicrosoftAppCredentials('', ''), { baseUri: `${base}/` }), 'c1'],
    ] as Array<[string, () => Promise<ConnectorClient> | ConnectorClient, string]>) {
      const { sdk, direct } = await sideBySide(capture, make, (c) => c.conversations.replyToActivity(conversationId, 'r1', { type: 'message', text: 'hi' } as Activity));
      expect(sdk.error, name).to.equal(undefined);
      expect(direct.error, name).to.equal(undefined);
      expect(isDirect(direct.seen[0]), name).to.equal(true);
      expect(direct.seen[0].url, name).to.equal(sdk.seen[0].url);
      expect(comparableHeaders(direct.seen[0]), name).to.deep.equal(comparableHeaders(sdk.seen[0]));
      if (name === 'app id') expect(direct.seen[0].headers.authorization).to.equal('Bearer token-from-cache');
    }
  });

  it('leaves calls with options or a callback, and clients it cannot reproduce, to the SDK', async () => {
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    await direct.conversations.sendToConversation('c1', { type: 'message' } as Activity, { customHeaders: { 'x-custom': '1' } });
    expect(isDirect(capture.seen[0])).to.equal(false);
    expect(capture.seen[0].headers['x-custom']).to.equal('1');

    capture.seen.length = 0;
    // The callback form goes to the SDK as it is (whether the SDK calls the callback is its own business).
    void direct.conversations.sendToConversation('c1', { type: 'message' } as Activity, () => undefined);
    for (let i = 0; i < 100 && capture.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(capture.seen.map(isDirect)).to.deep.equal([false]);

    for (const name of ['https_proxy', 'HTTP_PROXY', 'all_proxy']) {
      expect(directSendsUnavailable(await anonymousFactory().create(`${base}/`, undefined), { [name]: 'http://proxy:3128' }), name).to.include(name);
    }
    const withPolicy = (create: (next: { sendRequest(r: unknown): Promise<unknown> }) => { sendRequest(r: unknown): Promise<unknown> }) =>
      new ConnectorClient(new MicrosoftAppCredentials('', ''), { baseUri: `${base}/`, requestPolicyFactories: [{ create }] } as ConstructorParameters<typeof ConnectorClient>[1]);
    const routing = withPolicy((next) => ({
      sendRequest: (r) => ((r as { headers: { set(n: string, v: string): void } }).headers.set('x-tenant-routing', 'eu'), next.sendRequest(r)),
    }));
    expect(directSendsUnavailable(routing, {})).to.match(/custom request policies/);
    const acceptOnly = withPolicy((next) => ({
      sendRequest: (r) => {
        const h = (r as { headers: { contains(n: string): boolean; set(n: string, v: string): void } }).headers;
        if (!h.contains('accept')) h.set('accept', '*/*');
        return next.sendRequest(r);
      },
    }));
    expect(directSendsUnavailable(acceptOnly, {})).to.equal(undefined);

    const proxied = await anonymousFactory().create(`${base}/`, undefined);
    expect(directSendsUnavailable(proxied, { HTTPS_PROXY: 'http://proxy.internal:3128' })).to.match(/HTTPS_PROXY/);
    withDirectSends(proxied, { env: { HTTPS_PROXY: 'http://proxy.internal:3128' } });
    capture.seen.length = 0;
    // (No proxy answers here: the unwrapped client is only inspected, not used.)
    expect(proxied.conversations.sendToConversation).to.equal(Object.getPrototypeOf(proxied.conversations).sendToConversation);

    const custom = new ConnectorClient(MicrosoftAppCredentials.Empty ?? new MicrosoftAppCredentials('', ''), {
      baseUri: `${base}/`,
      noRetryPolicy: true,
    } as ConstructorParameters<typeof ConnectorClient>[1]);
    expect(directSendsUnavailable(custom, {})).to.match(/custom options \(noRetryPolicy\)/);
    expect(directSendsUnavailable(await anonymousFactory().create(`${base}/`, undefined), {})).to.equal(undefined);
  });

  it('CachingBotFrameworkAuthentication sends turn replies directly only when directSends is set', async () => {
    const reply = async (auth: CachingBotFrameworkAuthentication) => {
      const adapter = new WarmlineCloudAdapter(auth);
      const activity = {
        type: 'message',
        id: 'in1',
        text: 'hi',
        channelId: 'directline',
        serviceUrl: `${base}/`,
        from: { id: 'u1' },
        recipient: { id: 'bot' },
        conversation: { id: 'conv-1' },
      };
      await adapter.processActivityBody('', activity, async (ctx) => {
        await ctx.sendActivity('hello');
      });
      return capture.seen.at(-1)!;
    };
    const inner = () => new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions);
    const plain = await reply(new CachingBotFrameworkAuthentication(inner()));
    const direct = await reply(new CachingBotFrameworkAuthentication(inner(), { directSends: true }));
    expect(isDirect(plain)).to.equal(false);
    expect(isDirect(direct)).to.equal(true);
    expect(direct.url).to.equal(plain.url);
    expect(JSON.parse(direct.body)).to.deep.equal(JSON.parse(plain.body));
  });
});
