import { expect } from 'chai';
import { createSign, generateKeyPairSync } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import {
  ActivityHandler,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import type { Server } from 'restify';
import { createWarmlineServer, listen } from '../../../bots/app/server';
import { silentLogger } from '../../../middleware/shared/logger';
import { WarmlineCloudAdapter, type WarmlineCloudAdapterOptions } from '../../../bots/app/warmlineCloudAdapter';
import { RetryLaterError } from '../../../middleware/shared/retryLater';
import { directLineMessage, teamsMessage } from '../../helpers/channelActivities';

const APP_ID = '4a2f1c7e-0d6b-4c57-9d6e-8f3f2d1c0b9a';
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A structurally valid channel token from the Bot Framework's issuer, signed with a key nobody trusts. */
function forgedChannelToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'RS256', typ: 'JWT', kid: 'forged-kid', x5t: 'forged-kid' });
  const claims = b64({ iss: 'https://api.botframework.com', aud: APP_ID, exp: now + 3600, nbf: now - 60, serviceurl: 'https://smba.trafficmanager.net/amer/' });
  const signature = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(privateKey).toString('base64url');
  return `${head}.${claims}.${signature}`;
}

/** botbuilder's public authentication settings, with the channel OpenID metadata at `metadataUrl` (unique per test: it is cached). */
function authWithMetadata(metadataUrl: string): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'secret',
    MicrosoftAppType: 'MultiTenant',
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    OAuthUrl: 'https://api.botframework.com',
    ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: `${metadataUrl}-emulator`,
    CallerId: 'urn:botframework:azure',
  } as ConfigurationBotFrameworkAuthenticationOptions);
}

/** A metadata endpoint that answers as told: `down` (connection refused), `hang`, `error` (500), or keys that answer 500. */
async function metadataEndpoint(mode: 'hang' | 'error' | 'keysError'): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (mode === 'hang') return;
    if (mode === 'error' || req.url?.startsWith('/keys')) {
      res.writeHead(500);
      res.end();
      return;
    }
    const { port } = server.address() as AddressInfo;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `http://127.0.0.1:${port}/keys` }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/openid-${mode}-${Date.now()}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A URL on which nothing listens. */
async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}/openid-down-${Date.now()}`;
}

async function serve(adapter: WarmlineCloudAdapter, bot: { run(context: TurnContext): Promise<void> }): Promise<{ url: string; server: Server }> {
  const server = createWarmlineServer({ adapter, bot, logger: silentLogger, maxBodyBytes: 64 * 1024, readiness: () => ({ ready: true, checks: {} }) });
  const port = await listen(server, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}/api/messages`, server };
}

const postActivity = (url: string, authorization?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(teamsMessage('hello', { serviceUrl: 'https://smba.trafficmanager.net/amer/' })),
  });

describe('WarmlineCloudAdapter: when the token cannot be checked', function () {
  this.timeout(20_000);

  const cases: Array<{ name: string; metadata: () => Promise<{ url: string; close: () => Promise<void> }>; options?: WarmlineCloudAdapterOptions }> = [
    { name: 'the OpenID metadata endpoint is unreachable', metadata: async () => ({ url: await refusedUrl(), close: async () => undefined }) },
    { name: 'the OpenID metadata endpoint fails', metadata: () => metadataEndpoint('error') },
    { name: 'the signing keys endpoint fails', metadata: () => metadataEndpoint('keysError') },
    { name: 'the OpenID metadata endpoint never answers', metadata: () => metadataEndpoint('hang'), options: { authenticationTimeoutMs: 300 } },
  ];
  for (const { name, metadata, options } of cases) {
    it(`answers 503 with Retry-After, never 500, when ${name}; and 401 without a token or with a garbage one`, async () => {
      const endpoint = await metadata();
      let ran = 0;
      const { url, server } = await serve(new WarmlineCloudAdapter(authWithMetadata(endpoint.url), { authenticationRetryAfterSeconds: 7, ...options }), {
        run: async () => {
          ran++;
        },
      });
      try {
        const started = Date.now();
        const unverifiable = await postActivity(url, `Bearer ${forgedChannelToken()}`);
        expect(unverifiable.status).to.equal(503);
        expect(unverifiable.headers.get('retry-after')).to.equal('7');
        expect(await unverifiable.json()).to.deep.include({ error: 'ServiceUnavailable' });
        expect(Date.now() - started).to.be.below(5000); // promptly, even when the endpoint hangs
        expect((await postActivity(url)).status).to.equal(401);
        expect((await postActivity(url, 'Bearer garbage')).status).to.equal(401);
        expect((await postActivity(url, 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.')).status).to.equal(401);
        expect(ran).to.equal(0);
      } finally {
        server.close();
        await endpoint.close();
      }
    });
  }

  it('never answers 500 with the public Bot Framework endpoints either (503 here without internet, 401 with it)', async () => {
    const auth = new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppType: 'MultiTenant' } as ConfigurationBotFrameworkAuthenticationOptions);
    const { url, server } = await serve(new WarmlineCloudAdapter(auth, { authenticationTimeoutMs: 3000 }), { run: async () => undefined });
    try {
      const res = await postActivity(url, `Bearer ${forgedChannelToken()}`);
      expect(res.status).to.be.oneOf([401, 503]);
      if (res.status === 503) expect(Number(res.headers.get('retry-after'))).to.be.greaterThan(0);
      expect((await postActivity(url)).status).to.equal(401);
    } finally {
      server.close();
    }
  });

  it('refuses every malformed or forged-looking token with 401 (never 503 or 500)', async () => {
    const adapter = new WarmlineCloudAdapter(authWithMetadata(await refusedUrl()));
    const activity = directLineMessage('x', { serviceUrl: 'https://directline.botframework.com/' });
    const json = fc.jsonValue().map((v) => JSON.stringify(v));
    const header = fc
      .record({ alg: fc.oneof(fc.constantFrom('RS256', 'none', 'HS256'), fc.string()), kid: fc.string(), typ: fc.string() }, { requiredKeys: [] })
      .map((h) => JSON.stringify(h));
    // Claims from any issuer but the trusted ones (a token from those needs the keys, and then 503 is right).
    const claims = fc
      .record({ iss: fc.oneof(fc.string(), fc.integer()), aud: fc.oneof(fc.constant(APP_ID), fc.string()), exp: fc.integer(), serviceurl: fc.string() }, { requiredKeys: [] })
      .map((c) => JSON.stringify(c));
    const token = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.tuple(fc.oneof(json, header), fc.oneof(json, claims), fc.string()).map(([h, c, s]) => `${b64(h)}.${b64(c)}.${b64(s)}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('Bearer ', 'bearer ', '', 'Basic '), token, async (scheme, t) => {
        const result = await adapter.processActivityBody(scheme + t, { ...activity }, async () => undefined);
        expect(result.status).to.equal(401);
      }),
      { numRuns: 300 },
    );
  });
});

describe('WarmlineCloudAdapter: a turn that must be retried', () => {
  const anonymous = () =>
    new WarmlineCloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '' } as ConfigurationBotFrameworkAuthenticationOptions));

  it('answers 503 with the error\'s Retry-After when onTurnError rethrows a RetryLaterError, and 500 for other errors it rethrows', async () => {
    const adapter = anonymous();
    adapter.onTurnError = async (_context, error) => {
      throw error;
    };
    const bot = new ActivityHandler();
    bot.onMessage(async (ctx, next) => {
      if (ctx.activity.text === 'store down') throw new RetryLaterError('handoff store unavailable', { retryAfterSeconds: 7 });
      if (ctx.activity.text === 'bug') throw new TypeError('a bug');
      await next();
    });
    const { url, server } = await serve(adapter, bot);
    try {
      const send = (text: string) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(directLineMessage(text, { serviceUrl: 'http://127.0.0.1:9/', deliveryMode: 'expectReplies' })) });
      const retry = await send('store down');
      expect(retry.status).to.equal(503);
      expect(retry.headers.get('retry-after')).to.equal('7');
      expect(await retry.json()).to.deep.equal({ error: 'RetryLater', message: 'The activity could not be kept; send it again later.' });
      const bug = await send('bug');
      expect(bug.status).to.equal(500);
      expect(await bug.json()).to.deep.include({ error: 'InternalError' });
      expect((await send('fine')).status).to.equal(200);
    } finally {
      server.close();
    }
  });

  it('answers 503 for a RetryLaterError thrown by onTurnError itself after another failure', async () => {
    const adapter = anonymous();
    adapter.onTurnError = async (_context, error) => {
      throw new RetryLaterError('could not keep the turn', { cause: error });
    };
    const bot = new ActivityHandler();
    bot.onMessage(async () => {
      throw new Error('redis timeout');
    });
    const { url, server } = await serve(adapter, bot);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(directLineMessage('x', { serviceUrl: 'http://127.0.0.1:9/' })) });
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.equal('2');
    } finally {
      server.close();
    }
  });

  it('refuses nonsensical options at construction', () => {
    expect(() => new WarmlineCloudAdapter(undefined, { authenticationTimeoutMs: 0 })).to.throw(TypeError, /authenticationTimeoutMs/);
    expect(() => new WarmlineCloudAdapter(undefined, { authenticationRetryAfterSeconds: 1.5 })).to.throw(TypeError, /authenticationRetryAfterSeconds/);
  });
});
