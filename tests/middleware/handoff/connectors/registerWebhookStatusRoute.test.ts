import { expect } from 'chai';
import * as restify from 'restify';
import { CloudAdapter } from 'botbuilder';
import { createWarmlineServer, listen } from '../../../../bots/server';
import { silentLogger } from '../../../../bots/logger';
import { applyHubStatus, type HubStatusUpdate } from '../../../../middleware/handoff/connectors/hubStatus';
import { registerWebhookStatusRoute } from '../../../../middleware/handoff/connectors/registerWebhookStatusRoute';
import { signWebhook } from '../../../../middleware/handoff/connectors/webhookSigning';
import { MemoryHandoffStore } from '../../../../middleware/handoff/memoryHandoffStore';
import { createFraudCase } from './caseFixture';

const SECRET = 'whsec_inbound_0123456789abcdef';
const OLD = 'whsec_inbound_old_0123456789ab';
const PATH = '/api/hooks/crm/status';

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
