import { expect } from 'chai';
import * as sinon from 'sinon';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { ClaimsIdentity, ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
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
        for (const h of ['content-type', 'accept', 'accept-encoding', 'x-ms-conversation-id', 'authorization']) {
          expect(b.headers[h], `${where} ${h}`).to.equal(a.headers[h]);
        }
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

  it("gives callers the SDK's own error for a refused send (e.g. 403), never a different one", async () => {
    capture.answer = (_n, _req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"BotNotInConversationRoster","message":"The bot is not part of the conversation roster."}}');
    };
    const sdkError = await (await anonymousFactory().create(`${base}/`, undefined)).conversations
      .sendToConversation('c1', { type: 'message', text: 'hi' } as Activity)
      .then(() => null, (e: unknown) => e as Error & { statusCode?: number; code?: string });
    capture.seen.length = 0;
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    const directError = await direct.conversations
      .sendToConversation('c1', { type: 'message', text: 'hi' } as Activity)
      .then(() => null, (e: unknown) => e as Error & { statusCode?: number; code?: string });
    expect(sdkError, 'the SDK rejects').to.be.an('error');
    expect(directError).to.be.an('error');
    expect(directError!.constructor.name).to.equal(sdkError!.constructor.name);
    expect(directError!.statusCode).to.equal(403);
    expect(directError!.message).to.equal(sdkError!.message);
    expect(capture.seen.map(isDirect)).to.deep.equal([true, false]);
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

  it('accepts an empty or gzip-encoded 2xx body, and never sends an acknowledged activity twice', async () => {
    const zlib = await import('node:zlib');
    capture.answer = (n, _req, res) => {
      if (n === 1) {
        res.writeHead(202);
        res.end();
      } else if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync('{"id":"zipped"}'));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('not json');
      }
    };
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    expect({ ...(await direct.conversations.sendToConversation('c1', { type: 'message' } as Activity)) }).to.deep.equal({});
    expect((await direct.conversations.sendToConversation('c1', { type: 'message' } as Activity)).id).to.equal('zipped');
    const err = await direct.conversations.sendToConversation('c1', { type: 'message' } as Activity).then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/not JSON/);
    expect(capture.seen).to.have.length(3);
  });

  it('leaves calls with options or a callback, and clients it cannot reproduce, to the SDK', async () => {
    const direct = withDirectSends(await anonymousFactory().create(`${base}/`, undefined));
    await direct.conversations.sendToConversation('c1', { type: 'message' } as Activity, { customHeaders: { 'x-custom': '1' } });
    expect(isDirect(capture.seen[0])).to.equal(false);
    expect(capture.seen[0].headers['x-custom']).to.equal('1');

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
