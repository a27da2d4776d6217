import { expect } from 'chai';
import * as http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as restify from 'restify';
import { registerWebChatPage } from '../../../bots/webchat/registerWebChatPage';
import { startLocalChannel, type LocalChannel } from './localChannelHarness';

const bundle = path.resolve(__dirname, '../../../node_modules/botframework-webchat/dist/webchat.js');

describe('registerWebChatPage (local mode)', () => {
  let channel: LocalChannel;
  before(async () => {
    channel = await startLocalChannel({ page: { defaultLocale: 'fr-FR' } });
  });
  after(async () => channel.close());

  it('serves the page at / with a Warmline header, local scripts only, and a CSP', async () => {
    const res = await fetch(`${channel.base}/`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).to.equal('no-cache');
    expect(res.headers.get('content-security-policy')).to.contain("script-src 'self'");
    const html = await res.text();
    expect(html).to.match(/<h1>Warmline<\/h1>/);
    expect(html).to.contain('src="/webchat/webchat.js"').and.contain('src="/webchat/chat.js"');
    expect(html).not.to.match(/https?:\/\//);
  });

  it('serves Web Chat from node_modules with a JavaScript type, a day of caching and an ETag', async () => {
    const res = await fetch(`${channel.base}/webchat/webchat.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).to.equal('public, max-age=86400');
    expect(res.headers.get('content-encoding')).to.equal(null);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(bundle))).to.equal(true);

    const etag = res.headers.get('etag')!;
    const again = await fetch(`${channel.base}/webchat/webchat.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).to.equal(304);

    const zipped = await new Promise<http.IncomingMessage>((resolve) =>
      http.get(`${channel.base}/webchat/webchat.js`, { headers: { 'accept-encoding': 'gzip' } }, resolve),
    );
    expect(zipped.headers['content-encoding']).to.equal('gzip');
    expect(Number(zipped.headers['content-length'])).to.be.lessThan(body.length / 2);
    zipped.resume();
  });

  it('serves React and ReactDOM from node_modules, loaded before Web Chat so Web Chat uses them', async () => {
    const html = await (await fetch(`${channel.base}/`)).text();
    const order = ['/webchat/react.js', '/webchat/react-dom.js', '/webchat/webchat.js', '/webchat/chat.js'].map((src) => html.indexOf(`src="${src}"`));
    expect(order.every((at) => at >= 0)).to.equal(true);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    for (const [route, file] of [
      ['react.js', 'react/umd/react.production.min.js'],
      ['react-dom.js', 'react-dom/umd/react-dom.production.min.js'],
    ]) {
      const res = await fetch(`${channel.base}/webchat/${route}`, { headers: { 'accept-encoding': 'identity' } });
      expect(res.status, route).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/javascript; charset=utf-8');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(readFileSync(path.resolve(__dirname, '../../../node_modules', file))), route).to.equal(true);
    }
  });

  it('serves the page script and a config that points at the local Direct Line', async () => {
    const script = await fetch(`${channel.base}/webchat/chat.js`);
    expect(script.headers.get('content-type')).to.equal('application/javascript; charset=utf-8');
    expect(await script.text()).to.contain('createDirectLine');
    const res = await fetch(`${channel.base}/webchat/config.json`);
    expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(await res.json()).to.deep.equal({
      mode: 'local',
      domain: '/v3/directline',
      tokenUrl: '/v3/directline/conversations',
      locale: 'fr-FR',
    });
  });
});

describe('registerWebChatPage (azure mode) and the token route', () => {
  const secret = 'the-direct-line-secret';
  let fakeAzure: http.Server;
  let azureDomain = '';
  let azureAnswer: { status: number; body: unknown } = { status: 200, body: {} };
  const seen: Array<{ authorization?: string; userId?: string; url?: string }> = [];
  let server: restify.Server;
  let base = '';

  before(async () => {
    fakeAzure = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(raw || '{}') as { user?: { id?: string } };
        seen.push({ authorization: req.headers.authorization, userId: body.user?.id, url: req.url });
        res.writeHead(azureAnswer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(azureAnswer.body));
      });
    });
    await new Promise<void>((r) => fakeAzure.listen(0, '127.0.0.1', r));
    azureDomain = `http://127.0.0.1:${(fakeAzure.address() as AddressInfo).port}/v3/directline`;
    server = restify.createServer();
    registerWebChatPage(server, { mode: 'azure', directLineSecret: secret, directLineDomain: azureDomain });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    fakeAzure.close();
  });

  it('points the page at Azure Direct Line and our token route', async () => {
    const config = (await (await fetch(`${base}/webchat/config.json`)).json()) as Record<string, string>;
    expect(config).to.deep.equal({ mode: 'azure', domain: azureDomain, tokenUrl: '/api/directline/token', locale: 'en-US' });
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).to.contain(new URL(azureDomain).origin);
  });

  it('exchanges the secret for a token with a dl_ user id, never revealing the secret', async () => {
    azureAnswer = { status: 200, body: { conversationId: 'conv-azure-1', token: 'tok-1', expires_in: 1800 } };
    const res = await fetch(`${base}/api/directline/token`, { method: 'POST' });
    expect(res.status).to.equal(200);
    const text = await res.text();
    expect(JSON.parse(text)).to.deep.equal({ conversationId: 'conv-azure-1', token: 'tok-1', expires_in: 1800 });
    expect(text).not.to.contain(secret);
    const call = seen[seen.length - 1];
    expect(call.url).to.equal('/v3/directline/tokens/generate');
    expect(call.authorization).to.equal(`Bearer ${secret}`);
    expect(call.userId).to.match(/^dl_[A-Za-z0-9_-]{10,}$/);
  });

  it('answers 502 when Azure refuses or is unreachable', async () => {
    azureAnswer = { status: 403, body: { error: { code: 'BadArgument', message: 'secret' } } };
    const refused = await fetch(`${base}/api/directline/token`, { method: 'POST' });
    expect(refused.status).to.equal(502);
    expect(await refused.text()).not.to.contain(secret);

    const unreachable = restify.createServer();
    registerWebChatPage(unreachable, { mode: 'azure', directLineSecret: secret, directLineDomain: 'http://127.0.0.1:9/v3/directline' });
    await new Promise<void>((r) => unreachable.listen(0, '127.0.0.1', () => r()));
    try {
      const res = await fetch(`http://127.0.0.1:${(unreachable.address() as AddressInfo).port}/api/directline/token`, { method: 'POST' });
      expect(res.status).to.equal(502);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('TokenServiceUnreachable');
    } finally {
      unreachable.close();
    }
  });

  it('refuses azure mode without a secret at start-up', () => {
    expect(() => registerWebChatPage(restify.createServer(), { mode: 'azure' })).to.throw(TypeError, /directLineSecret/);
  });
});
