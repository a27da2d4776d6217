import * as net from 'node:net';
import { expect } from 'chai';
import * as restify from 'restify';
import { CloudAdapter } from 'botbuilder';
import { createWarmlineServer, listen } from '../../../bots/app/server';
import { silentLogger } from '../../../middleware/shared/logger';
import { applyHubStatus, type HubStatusUpdate } from '../../../middleware/handoff/hubs/hubStatus';
import { registerWebhookStatusRoute } from '../../../bots/hubs/registerWebhookStatusRoute';
import { signWebhook } from '../../../middleware/handoff/hubs/webhookSigning';
import { MemoryHandoffStore } from '../../../middleware/handoff/stores/memoryHandoffStore';
import { createFraudCase } from '../../middleware/handoff/hubs/caseFixture';

const SECRET = 'whsec_inbound_0123456789abcdef';
const OLD = 'whsec_inbound_old_0123456789ab';
const PATH = '/api/hooks/crm/status';

/** One HTTP/1.1 connection driven by hand, to see what a client sees: answers, a clean close, or a reset. */
class RawConnection {
  private readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private readonly connected: Promise<void>;
  error?: Error;
  closed = false;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.connected = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    const wake = () => this.waiters.splice(0).forEach((w) => w());
    this.socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      wake();
    });
    this.socket.on('error', (err) => {
      this.error = err;
      wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      wake();
    });
  }

  /** Sends one request and waits for its whole answer. */
  async request(path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; head: string; body: string }> {
    await this.connected;
    const lines = Object.entries({ host: 'x', 'content-length': String(body.length), ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
    this.socket.write(`POST ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
    this.socket.write(body);
    for (;;) {
      const answer = this.take();
      if (answer) return answer;
      if (this.error || this.closed) throw this.error ?? new Error('closed without an answer');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Ends the connection from this side (if the server did not) and tells whether it ever saw an error (a reset). */
  async end(): Promise<Error | undefined> {
    if (!this.closed) this.socket.end();
    const deadline = Date.now() + 2000;
    while (!this.closed && Date.now() < deadline) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.socket.destroy();
    return this.error;
  }

  private take(): { status: number; head: string; body: string } | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const head = this.buffer.subarray(0, end).toString();
    const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return undefined;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString();
    this.buffer = this.buffer.subarray(end + 4 + length);
    return { status: Number(head.split(' ')[1]), head, body };
  }
}

describe('registerWebhookStatusRoute', function () {
  let store: MemoryHandoffStore;
  let calls: HubStatusUpdate[];

  async function withServer(server: restify.Server, run: (base: string) => Promise<void>): Promise<void> {
    const port = await listen(server, 0, '127.0.0.1');
    try {
      await run(`http://127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  }

  function register(server: restify.Server): void {
    registerWebhookStatusRoute(server, {
      path: PATH,
      secrets: [SECRET, OLD],
      onStatus: async (u) => {
        calls.push(u);
        return applyHubStatus(store, u);
      },
    });
  }

  // The real Warmline server: its global restify bodyParser has already parsed the JSON when the route runs.
  const realServer = () =>
    createWarmlineServer({
      adapter: new CloudAdapter(),
      bot: { run: async () => undefined },
      logger: silentLogger,
      maxBodyBytes: 64 * 1024,
      readiness: () => ({ ready: true, checks: {} }),
    });

  const post = (base: string, body: string, headers: Record<string, string>) =>
    fetch(`${base}${PATH}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  beforeEach(function () {
    store = new MemoryHandoffStore();
    calls = [];
  });

  for (const [label, makeServer] of [
    ['behind the global bodyParser (createWarmlineServer)', realServer],
    ['on a bare restify server', () => restify.createServer()],
  ] as const) {
    describe(label, function () {
      it('200 on a good signature: the case moves and the callback gets the update', async function () {
        const c = await createFraudCase(store, 'conv-in');
        const server = makeServer();
        register(server);
        await withServer(server, async (base) => {
          // Odd spacing and non-ASCII: the signature is over the exact bytes, so re-serialising would fail.
          const body = `{ "caseId": "${c.id}",  "state": "accepted", "agent": {"id": "crm-agent-3", "name": "Zoë"} }`;
          const res = await post(base, body, signWebhook(body, SECRET) as unknown as Record<string, string>);
          expect(res.status).to.equal(200);
          expect(await res.json()).to.deep.equal({ ok: true, caseState: 'assigned' });
        });
        expect(calls).to.deep.equal([{ hub: 'webhook', caseId: c.id, state: 'accepted', agent: { id: 'crm-agent-3', name: 'Zoë' } }]);
        expect((await store.get(c.id))?.agent).to.deep.equal({ id: 'crm-agent-3', name: 'Zoë', channel: 'hub:webhook' });
      });

      it('401 on a wrong signature, a tampered body or a stale timestamp; the callback is not called', async function () {
        const c = await createFraudCase(store, 'conv-in');
        const server = makeServer();
        register(server);
        await withServer(server, async (base) => {
          const body = JSON.stringify({ caseId: c.id, state: 'completed' });
          const wrong = await post(base, body, signWebhook(body, 'not_the_secret_0123456789') as unknown as Record<string, string>);
          expect(wrong.status).to.equal(401);
          const tampered = await post(base, body.replace('completed', 'accepted'), signWebhook(body, SECRET) as unknown as Record<string, string>);
          expect(tampered.status).to.equal(401);
          const stale = await post(base, body, signWebhook(body, SECRET, Date.now() - 10 * 60_000) as unknown as Record<string, string>);
          expect(stale.status).to.equal(401);
          expect(((await stale.json()) as { message: string }).message).to.contain('stale');
          const unsigned = await post(base, body, {});
          expect(unsigned.status).to.equal(401);
        });
        expect(calls).to.deep.equal([]);
        expect((await store.get(c.id))?.state).to.equal('queued');
      });

      it('accepts the previous secret during a rotation; answers a replay without acting twice', async function () {
        const c = await createFraudCase(store, 'conv-in');
        const server = makeServer();
        register(server);
        await withServer(server, async (base) => {
          const body = JSON.stringify({ caseId: c.id, state: 'timedOut' });
          const headers = signWebhook(body, OLD) as unknown as Record<string, string>;
          expect((await post(base, body, headers)).status).to.equal(200);
          const replay = await post(base, body, headers);
          expect(replay.status).to.equal(200);
          expect(await replay.json()).to.deep.equal({ ok: true, duplicate: true });
        });
        expect(calls).to.have.length(1);
        expect((await store.get(c.id))?.state).to.equal('timed_out');
      });

      it('413 to a body one byte over the limit, whatever its content type, with the connection closed cleanly rather than reset', async function () {
        const server = makeServer();
        register(server);
        await withServer(server, async (base) => {
          const port = Number(new URL(base).port);
          for (const type of ['application/octet-stream', undefined, 'application/json']) {
            const connection = new RawConnection(port);
            const answer = await connection.request(PATH, Buffer.alloc(64 * 1024 + 1, 0x20), type ? { 'content-type': type } : {});
            expect(answer.status, String(type)).to.equal(413);
            expect(JSON.parse(answer.body), String(type)).to.deep.include({ error: 'PayloadTooLarge' });
            expect(await connection.end(), String(type)).to.equal(undefined);
          }
        });
        expect(calls).to.deep.equal([]);
      });

      it('415 to a signed status not sent as JSON, and the connection still serves the next request', async function () {
        const c = await createFraudCase(store, 'conv-in');
        const server = makeServer();
        register(server);
        await withServer(server, async (base) => {
          const connection = new RawConnection(Number(new URL(base).port));
          const body = Buffer.from(JSON.stringify({ caseId: c.id, state: 'accepted' }));
          const signed = signWebhook(body.toString(), SECRET) as unknown as Record<string, string>;
          for (const type of ['application/octet-stream', 'text/plain', undefined]) {
            const answer = await connection.request(PATH, body, { ...signed, ...(type ? { 'content-type': type } : {}) });
            expect(answer.status, String(type)).to.equal(415);
          }
          const accepted = await connection.request(PATH, body, { ...signed, 'content-type': 'application/json' });
          expect(accepted.status).to.equal(200);
          expect(await connection.end()).to.equal(undefined);
        });
        expect(calls).to.have.length(1);
      });

      it('400 (not a 500) to a signed status nested deeper than 64 levels', async function () {
        const c = await createFraudCase(store, 'conv-in');
        const server = makeServer();
        register(server);
        await withServer(server, async (base) => {
          const body = `{"caseId":"${c.id}","state":"accepted","agent":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
          const res = await post(base, body, signWebhook(body, SECRET) as unknown as Record<string, string>);
          expect(res.status).to.equal(400);
          expect(((await res.json()) as { message: string }).message).to.contain('nested deeper than 64');
        });
        expect(calls).to.deep.equal([]);
      });

      it('400 on a bad body, 404 on an unknown case, 409 when the status does not apply', async function () {
        const c = await createFraudCase(store, 'conv-in');
        await store.claim(c.id, { id: 'desk-1', channel: 'msteams' });
        const server = makeServer();
        register(server);
        await withServer(server, async (base) => {
          const send = (body: string) => post(base, body, signWebhook(body, SECRET) as unknown as Record<string, string>);
          expect((await send(JSON.stringify({ caseId: c.id, state: 'maybe' }))).status).to.equal(400);
          expect((await send(JSON.stringify({ state: 'accepted' }))).status).to.equal(400);
          expect((await send(JSON.stringify({ caseId: 'C-ZZZZ', state: 'accepted' }))).status).to.equal(404);
          const conflict = await send(JSON.stringify({ caseId: c.id, state: 'accepted' }));
          expect(conflict.status).to.equal(409);
          expect(((await conflict.json()) as { message: string }).message).to.contain('another agent');
        });
        expect((await store.get(c.id))?.agent?.id).to.equal('desk-1');
      });
    });
  }

  it('refuses to register without a secret or a callback', function () {
    const server = restify.createServer();
    expect(() => registerWebhookStatusRoute(server, { path: PATH, secrets: [], onStatus: async () => undefined })).to.throw(TypeError, /secret/);
    expect(() => registerWebhookStatusRoute(server, { path: 'x', secrets: [SECRET], onStatus: async () => undefined })).to.throw(TypeError, /path/);
  });
});
