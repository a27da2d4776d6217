import { expect } from 'chai';
import * as net from 'node:net';
import { ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import * as restify from 'restify';
import { createWarmlineServer, listen } from '../../../bots/app/server';
import { silentLogger } from '../../../middleware/shared/logger';
import { upgradeRouter } from '../../../bots/upgradeRouter';
import { WarmlineCloudAdapter } from '../../../bots/app/warmlineCloudAdapter';
import { registerLocalDirectLine, type LocalDirectLine } from '../../../bots/webchat/registerLocalDirectLine';
import { startLocalChannel, type LocalChannel } from '../webchat/localChannelHarness';

const upgradeRequest = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

/** What the server wrote, and whether it closed the connection itself within `waitMs`. */
interface Exchange {
  answer: string;
  closedByServer: boolean;
}

/** Sends raw bytes and waits for the server to close the connection (the client never closes first). */
function sendAndWaitForClose(port: number, data: string, waitMs = 3000): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.resetAndDestroy();
      resolve({ answer, closedByServer: false });
    }, waitMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closedByServer: true });
    });
    socket.on('connect', () => socket.write(data));
  });
}

/** Sends raw bytes, then resets the connection (TCP RST) after `delayMs`, as an attacker's client would. */
function sendAndReset(port: number, data: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      socket.write(data);
      if (delayMs === 0) setImmediate(() => socket.resetAndDestroy());
      else setTimeout(() => socket.resetAndDestroy(), delayMs);
    });
  });
}

const openConnections = (server: restify.Server) =>
  new Promise<number>((resolve, reject) => server.server.getConnections((err, count) => (err ? reject(err) : resolve(count))));

async function waitForConnections(server: restify.Server, max: number, withinMs = 3000): Promise<number> {
  const until = Date.now() + withinMs;
  let count = await openConnections(server);
  while (count > max && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    count = await openConnections(server);
  }
  return count;
}

function anonymousServer(): restify.Server {
  const auth = new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '' } as ConfigurationBotFrameworkAuthenticationOptions);
  return createWarmlineServer({
    adapter: new WarmlineCloudAdapter(auth),
    bot: { run: async () => undefined },
    logger: silentLogger,
    maxBodyBytes: 4096,
    readiness: () => ({ ready: true, checks: {} }),
  });
}

interface Target {
  server: restify.Server;
  port: number;
  /** A stream path with a real conversation id and a wrong ticket, when the local Direct Line is there. */
  streamPath?: string;
  close(): Promise<void>;
}

async function startConversation(base: string): Promise<{ conversationId: string; streamUrl: string; token: string }> {
  const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return (await res.json()) as { conversationId: string; streamUrl: string; token: string };
}

const targets: Array<{ name: string; make: () => Promise<Target> }> = [
  {
    name: 'createWarmlineServer',
    make: async () => {
    const server = anonymousServer();
    const port = await listen(server, 0, '127.0.0.1');
    return { server, port, close: async () => closeServer(server) };
    },
  },
  {
    name: 'createWarmlineServer with the local Direct Line',
    make: async () => {
    const channel: LocalChannel = await startLocalChannel();
    const conv = await startConversation(channel.base);
    return {
      server: channel.server,
      port: Number(new URL(channel.base).port),
      streamPath: `/v3/directline/conversations/${conv.conversationId}/stream?watermark=0&t=forged`,
      close: () => channel.close(),
    };
    },
  },
  {
    name: 'a plain restify server with the local Direct Line',
    make: async () => {
    // A developer's own restify server: registerLocalDirectLine installs the router itself.
    const server = restify.createServer({ handleUncaughtExceptions: false });
    server.get('/healthz', async (_req, res) => {
      res.send(200, { status: 'ok' });
    });
    let base = '';
    const directLine: LocalDirectLine = registerLocalDirectLine(server, { botEndpoint: () => `${base}/api/messages`, publicBaseUrl: () => base });
    const port = await listen(server, 0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    const conv = await startConversation(base);
    return {
      server,
      port,
      streamPath: `/v3/directline/conversations/${conv.conversationId}/stream?t=forged`,
      close: async () => {
        await directLine.close();
        await closeServer(server);
      },
    };
    },
  },
];

async function closeServer(server: restify.Server): Promise<void> {
  server.server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('raw sockets against the HTTP edge', function () {
  this.timeout(20_000);
  const uncaught: unknown[] = [];
  const record = (err: unknown) => uncaught.push(err);
  before(() => process.prependListener('uncaughtException', record));
  after(() => process.removeListener('uncaughtException', record));
  afterEach(() => {
    expect(uncaught.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)))).to.deep.equal([]);
  });

  for (const { name, make } of targets) {
    describe(name, () => {
      let target: Target;
      before(async () => {
        target = await make();
      });
      after(async () => target.close());
      const healthy = async () => expect((await fetch(`http://127.0.0.1:${target.port}/healthz`)).status).to.equal(200);

      it('survives upgrade requests and half-sent requests reset on every path, and keeps serving', async () => {
        // Idle keep-alive connections of earlier fetches may still be open; none may be added.
        const baseline = await openConnections(target.server);
        const paths = ['/api/messages', '/', '/desk', '/no/such/path', '/v3/directline/conversations/abc/stream?t=x', ...(target.streamPath ? [target.streamPath] : [])];
        for (const path of paths) {
          // Reset at once (before any answer), and after the server had time to answer.
          await sendAndReset(target.port, upgradeRequest(path), 0);
          await sendAndReset(target.port, upgradeRequest(path), 100);
          await sendAndReset(target.port, upgradeRequest(path, 'X-Padding: a\r\n'), 30);
        }
        // Half-sent requests: headers cut in the middle, an upgrade without its end, a body cut short.
        await sendAndReset(target.port, 'GET /api/messages HTTP/1.1\r\nHost: x\r\nConnection: Upg', 50);
        await sendAndReset(target.port, upgradeRequest('/api/messages').slice(0, -2), 50);
        await sendAndReset(target.port, 'POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"type":', 50);
        await sendAndReset(target.port, 'POST /v3/directline/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"u', 50);
        expect(await waitForConnections(target.server, baseline)).to.be.at.most(baseline);
        await healthy();
      });

      it('answers 404 to an upgrade on any path nobody serves and closes it promptly', async () => {
        const baseline = await openConnections(target.server);
        for (const path of ['/api/messages', '/', '/desk', '/healthz', '/no/such/path', '/v3/directline/conversations']) {
          const { answer, closedByServer } = await sendAndWaitForClose(target.port, upgradeRequest(path));
          expect(answer, path).to.match(/^HTTP\/1\.1 404 /);
          expect(closedByServer, path).to.equal(true);
        }
        // Many clients that never close their side leave nothing open behind them.
        const many = await Promise.all(Array.from({ length: 20 }, () => sendAndWaitForClose(target.port, upgradeRequest('/api/messages'))));
        expect(many.every((x) => x.closedByServer)).to.equal(true);
        expect(await waitForConnections(target.server, baseline)).to.be.at.most(baseline);
        await healthy();
      });

      it('refuses a stream upgrade with a wrong ticket and closes it, answers garbage with 400, and drops CONNECT', async () => {
        if (target.streamPath) {
          const { answer, closedByServer } = await sendAndWaitForClose(target.port, upgradeRequest(target.streamPath));
          expect(answer).to.match(/^HTTP\/1\.1 403 /);
          expect(closedByServer).to.equal(true);
        }
        const garbage = await sendAndWaitForClose(target.port, 'NOT HTTP AT ALL\r\n\r\n');
        expect(garbage.answer).to.match(/^HTTP\/1\.1 400 /);
        expect(garbage.closedByServer).to.equal(true);
        const hugeHeader = await sendAndWaitForClose(target.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
        expect(hugeHeader.answer).to.match(/^HTTP\/1\.1 431 /);
        const connect = await sendAndWaitForClose(target.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
        expect(connect.closedByServer).to.equal(true);
        // A bad second request on a keep-alive connection only closes that connection.
        const twice = await new Promise<Exchange>((resolve) => {
          const socket = net.connect(target.port, '127.0.0.1');
          let answer = '';
          socket.on('error', () => undefined);
          socket.on('data', (chunk: Buffer) => {
            if (!answer) socket.write('BROKEN\r\n\r\n');
            answer += chunk.toString('latin1');
          });
          socket.on('close', () => resolve({ answer, closedByServer: true }));
          socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
        });
        expect(twice.answer).to.match(/^HTTP\/1\.1 200 /);
        await healthy();
      });
    });
  }

  it('survives a client that resets an open Direct Line stream', async () => {
    const channel = await startLocalChannel();
    try {
      const conv = await startConversation(channel.base);
      const url = new URL(conv.streamUrl);
      // A real handshake with a valid ticket, then a reset once the stream is open.
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(url.port), '127.0.0.1');
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          expect(chunk.toString('latin1')).to.match(/^HTTP\/1\.1 101 /);
          expect(channel.directLine.openSockets()).to.equal(1);
          socket.resetAndDestroy();
        });
        socket.on('close', () => resolve());
        socket.on('connect', () => socket.write(upgradeRequest(`${url.pathname}${url.search}`)));
      });
      for (let i = 0; i < 50 && channel.directLine.openSockets() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(channel.directLine.openSockets()).to.equal(0);
      expect((await fetch(`${channel.base}/healthz`)).status).to.equal(200);
    } finally {
      await channel.close();
    }
  });

  it('installs one router per server, whoever asks first', () => {
    const server = restify.createServer();
    expect(upgradeRouter(server.server)).to.equal(upgradeRouter(server.server));
    expect(server.server.listenerCount('upgrade')).to.equal(2); // the router, and restify's re-emit
  });
});
