import { expect } from 'chai';
import { DeskClient, startDeskServer, type DeskTestServer } from './deskTestServer';
import { SseClient } from './sseClient';

// Every console API route, with a valid-looking case id: without a session each must answer 401.
const API_ROUTES: Array<[method: 'GET' | 'POST', path: string]> = [
  ['GET', '/desk/api/session'],
  ['POST', '/desk/api/logout'],
  ['POST', '/desk/api/presence'],
  ['GET', '/desk/api/queue'],
  ['GET', '/desk/api/closed'],
  ['GET', '/desk/api/cases/C-7K3P'],
  ['POST', '/desk/api/cases/C-7K3P/accept'],
  ['POST', '/desk/api/cases/C-7K3P/messages'],
  ['POST', '/desk/api/cases/C-7K3P/close'],
  ['GET', '/desk/api/events'],
  ['GET', '/desk/api/no-such-route'],
  ['POST', '/desk/api/no-such-route'],
];

describe('registerDeskConsole (web agent console routes, real HTTP)', () => {
  let t: DeskTestServer;
  let base: string;

  beforeEach(async () => {
    t = await startDeskServer({ throttle: { baseLockMs: 60_000 } });
    base = t.base;
  });
  afterEach(async () => t.close());

  describe('authentication', () => {
    it('answers 401 on every /desk/api route without a session, and with an unknown or forged cookie', async () => {
      for (const cookie of [undefined, 'warmline_desk=forged-session-id', 'warmline_desk=']) {
        for (const [method, path] of API_ROUTES) {
          const res = await fetch(`${base}${path}`, {
            method,
            headers: { Origin: base, 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
            ...(method === 'POST' ? { body: '{}' } : {}),
          });
          expect(res.status, `${method} ${path} with ${cookie ?? 'no cookie'}`).to.equal(401);
          expect(((await res.json()) as { error: string }).error).to.equal('Unauthorized');
        }
      }
    });

    it('serves the page without a session, with a strict Content-Security-Policy and no CDN', async () => {
      const res = await fetch(`${base}/desk`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/text\/html/);
      expect(res.headers.get('content-security-policy')).to.contain("script-src 'self'").and.to.contain("default-src 'none'");
      const html = await res.text();
      expect(html).to.contain('/desk/static/desk.js');
      expect(html).not.to.match(/https?:\/\//);
      expect((await fetch(`${base}/desk/static/desk.js`)).status).to.equal(200);
      expect((await fetch(`${base}/desk/static/desk.css`)).status).to.equal(200);
    });

    it('signs in with the right password: HttpOnly SameSite=Strict cookie on /desk, CSRF token, presence online', async () => {
      const ana = new DeskClient(base);
      const res = await ana.login('ana');
      expect(res.status).to.equal(200);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).to.match(/^warmline_desk=[A-Za-z0-9_-]{40,}; /);
      expect(cookie).to.contain('HttpOnly').and.to.contain('SameSite=Strict').and.to.contain('Path=/desk');
      expect(cookie).not.to.contain('Secure');
      const body = (await res.json()) as { agent: { id: string; name: string }; csrfToken: string };
      expect(body.agent).to.deep.equal({ id: 'ana', name: 'Ana Martin' });
      expect(body.csrfToken).to.have.length.greaterThan(30);
      expect(JSON.stringify(body)).not.to.contain('scrypt');
      const presence = await t.backend.store.listPresence();
      expect(presence.map((p) => [p.agent.id, p.agent.channel, p.status])).to.deep.equal([['ana', 'console', 'online']]);
      const session = await ana.get('/desk/api/session');
      expect(session.status).to.equal(200);
      expect(((await session.json()) as { csrfToken: string }).csrfToken).to.equal(ana.csrf);
    });

    it('marks the cookie Secure when the public URL is https', async () => {
      const secure = await startDeskServer({ publicUrl: 'https://bot.example.com' });
      try {
        const res = await new DeskClient(secure.base).login('ana');
        expect(res.status).to.equal(200);
        expect(res.headers.get('set-cookie')).to.contain('Secure');
      } finally {
        await secure.close();
      }
    });

    it('refuses wrong passwords, unknown ids and malformed bodies without telling which', async () => {
      const c = new DeskClient(base);
      const wrong = await c.login('ana', 'nope');
      expect(wrong.status).to.equal(401);
      const unknown = await c.login('mallory', 'whatever');
      expect(unknown.status).to.equal(401);
      expect(await wrong.json()).to.deep.equal(await unknown.json());
      expect(wrong.headers.get('set-cookie')).to.equal(null);
      const notJson = await fetch(`${base}/desk/login`, { method: 'POST', headers: { Origin: base, 'Content-Type': 'text/plain' }, body: 'id=ana' });
      expect(notJson.status).to.equal(400);
      const noPassword = await fetch(`${base}/desk/login`, {
        method: 'POST',
        headers: { Origin: base, 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: 'ana' }),
      });
      expect(noPassword.status).to.equal(400);
    });

    it('locks an account out after 5 wrong passwords: 429 with Retry-After, even for the right password', async () => {
      const c = new DeskClient(base);
      for (let i = 1; i <= 5; i++) expect((await c.login('ana', `wrong-${i}`)).status, `try ${i}`).to.equal(401);
      const locked = await c.login('ana');
      expect(locked.status).to.equal(429);
      expect(Number(locked.headers.get('retry-after'))).to.be.within(1, 60);
      expect(locked.headers.get('set-cookie')).to.equal(null);
      // Another account from the same address is not locked (the per-IP limit is higher).
      expect((await new DeskClient(base).login('ben')).status).to.equal(200);
    });

    it('locks a client IP out after 20 wrong passwords spread over accounts', async () => {
      const c = new DeskClient(base);
      for (let i = 0; i < 20; i++) expect((await c.login(`user${i}`, 'wrong')).status).to.equal(401);
      const res = await c.login('ben');
      expect(res.status).to.equal(429);
      expect(res.headers.get('retry-after')).to.match(/^\d+$/);
    });

    it('behind a trusted proxy, counts lock-outs per forwarded client, not per proxy address', async () => {
      const proxied = await startDeskServer({ trustProxy: true });
      try {
        const attacker = new DeskClient(proxied.base);
        for (let i = 0; i < 20; i++) {
          expect((await attacker.login(`user${i}`, 'wrong', { 'X-Forwarded-For': '203.0.113.7' })).status).to.equal(401);
        }
        expect((await attacker.login('ben', 'ben-password', { 'X-Forwarded-For': '203.0.113.7' })).status).to.equal(429);
        // Another client behind the same proxy signs in (the proxy appended its address after what the client sent).
        expect((await new DeskClient(proxied.base).login('ben', 'ben-password', { 'X-Forwarded-For': '203.0.113.7, 198.51.100.4' })).status).to.equal(200);
      } finally {
        await proxied.close();
      }
    });

    it('needs the CSRF token and a same-origin Origin on every mutating call', async () => {
      const ana = new DeskClient(base);
      await ana.login('ana');
      const mutating = API_ROUTES.filter(([m, p]) => m === 'POST' && !p.includes('no-such'));
      for (const [, path] of mutating) {
        const noToken = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { Origin: base, Cookie: ana.cookie, 'Content-Type': 'application/json' },
          body: '{}',
        });
        expect(noToken.status, `${path} without token`).to.equal(403);
        const badToken = await ana.post(path, {}, { 'X-CSRF-Token': 'x'.repeat(43) });
        expect(badToken.status, `${path} with a wrong token`).to.equal(403);
        const crossSite = await ana.post(path, {}, { Origin: 'https://evil.example' });
        expect(crossSite.status, `${path} cross-origin`).to.equal(403);
        const crossSiteFetch = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { Cookie: ana.cookie, 'X-CSRF-Token': ana.csrf, 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/json' },
          body: '{}',
        });
        expect(crossSiteFetch.status, `${path} Sec-Fetch-Site cross-site`).to.equal(403);
      }
      // Sign-in from another site is refused too (login CSRF).
      expect((await new DeskClient(base).login('ana', 'ana-password', { Origin: 'https://evil.example' })).status).to.equal(403);
      // Still signed in: none of the refused calls logged out.
      expect((await ana.get('/desk/api/session')).status).to.equal(200);
    });

    it('logs out: the cookie is cleared, the session is dead, presence is cleared', async () => {
      const ana = new DeskClient(base);
      await ana.login('ana');
      const res = await ana.post('/desk/api/logout');
      expect(res.status).to.equal(204);
      expect(res.headers.get('set-cookie')).to.match(/^warmline_desk=; .*Max-Age=0/);
      expect((await ana.get('/desk/api/queue')).status).to.equal(401);
      expect(await t.backend.store.listPresence()).to.deep.equal([]);
    });

    it('expires idle sessions and sessions past their lifetime', async () => {
      let now = Date.now();
      const clocked = await startDeskServer({ clock: () => now, sessionIdleMs: 60_000, sessionMaxAgeMs: 300_000 });
      try {
        const ana = new DeskClient(clocked.base);
        await ana.login('ana');
        now += 50_000;
        expect((await ana.get('/desk/api/queue')).status).to.equal(200);
        now += 50_000;
        expect((await ana.get('/desk/api/queue')).status, 'used within the idle time').to.equal(200);
        now += 61_000;
        expect((await ana.get('/desk/api/queue')).status, 'idle too long').to.equal(401);
        await ana.login('ana');
        for (let i = 0; i < 6; i++) {
          now += 55_000;
          await ana.get('/desk/api/queue');
        }
        expect((await ana.get('/desk/api/queue')).status, 'past the lifetime').to.equal(401);
      } finally {
        await clocked.close();
      }
    });
  });

  describe('presence, queue, case', () => {
    it('sets presence away and online again through the HandoffStore (channel console)', async () => {
      const ana = new DeskClient(base);
      await ana.login('ana');
      expect(await t.backend.store.countOnline()).to.equal(1);
      const away = await ana.post('/desk/api/presence', { status: 'away' });
      expect(away.status).to.equal(200);
      expect(await t.backend.store.countOnline()).to.equal(0);
      expect((await t.backend.store.listPresence())[0].status).to.equal('away');
      expect((await ana.post('/desk/api/presence', { status: 'online' })).status).to.equal(200);
      expect(await t.backend.store.countOnline()).to.equal(1);
      expect((await ana.post('/desk/api/presence', { status: 'busy' })).status).to.equal(400);
    });

    it('lists the queue in service order with priority, reason, language, channel and waiting time', async () => {
      const normal = await t.backend.queueCase({ reason: 'anger', priority: 'normal', language: 'fr' });
      const high = await t.backend.queueCase({ reason: 'fraud', priority: 'high' });
      const ana = new DeskClient(base);
      await ana.login('ana');
      const res = await ana.get('/desk/api/queue');
      expect(res.status).to.equal(200);
      const body = (await res.json()) as { queue: Array<Record<string, unknown>>; mine: unknown[] };
      expect(body.queue.map((c) => c.id)).to.deep.equal([high.id, normal.id]);
      expect(body.queue[1]).to.include({ priority: 'normal', reason: 'anger', language: 'fr', channel: 'webchat', state: 'queued' });
      expect(body.queue[1].waitingSince).to.equal(normal.timestamps.queued);
      expect(body.mine).to.deep.equal([]);
      expect(JSON.stringify(body)).not.to.contain('reference');
    });

    it('shows a case with summary, signals and evidence, collected data, redacted transcript and earlier cases', async () => {
      const c = await t.backend.queueCase({
        collected: { trackingNumber: '6A12345678901' },
        transcript: [{ role: 'customer', text: 'card [card ending 1111] was used', at: new Date().toISOString() }],
      });
      const earlier = await t.backend.queueCase({ reason: 'anger', conversationKey: 'webchat/old' });
      t.backend.addPastCase(earlier);
      // The handoff service stores waiting messages redacted; the view shows them as stored (nothing redacted on read).
      await t.backend.store.appendCustomerMessage(c.id, { text: 'my email is [email]', at: new Date().toISOString() });
      const ana = new DeskClient(base);
      await ana.login('ana');
      const res = await ana.get(`/desk/api/cases/${c.id}`);
      expect(res.status).to.equal(200);
      const body = (await res.json()) as { case: Record<string, unknown> & { signals: Array<Record<string, unknown>> }; earlier: Array<{ id: string }> };
      expect(body.case.summary).to.equal(c.summary);
      expect(body.case.collected).to.deep.equal({ trackingNumber: '6A12345678901' });
      expect(body.case.signals[0]).to.deep.include({ kind: 'intent', name: 'fraud', score: 0.9, evidence: ['stole my card'] });
      expect(body.case.signals[1]).to.deep.include({ kind: 'emotion', name: 'distress' });
      expect(body.case.waitingMessages).to.deep.equal([{ text: 'my email is [email]', at: (body.case.waitingMessages as Array<{ at: string }>)[0]?.at }]);
      expect(body.earlier.map((e) => e.id)).to.deep.equal([earlier.id]);
      expect((await ana.get('/desk/api/cases/C-ZZZZ')).status).to.equal(404);
      expect((await ana.get('/desk/api/cases/not-an-id')).status).to.equal(400);
    });
  });

  describe('accept, chat, close', () => {
    it('lets exactly one of two agents accepting at the same time win; the other is told who has it', async () => {
      const c = await t.backend.queueCase();
      const ana = new DeskClient(base);
      const ben = new DeskClient(base);
      await Promise.all([ana.login('ana'), ben.login('ben')]);
      const [a, b] = await Promise.all([ana.post(`/desk/api/cases/${c.id}/accept`), ben.post(`/desk/api/cases/${c.id}/accept`)]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).to.deep.equal([200, 409]);
      const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
      const winnerName = a.status === 200 ? 'Ana Martin' : 'Ben Dupont';
      const won = (await winner.json()) as { case: { state: string; agent: { name: string } } };
      expect(won.case.state).to.equal('assigned');
      expect(won.case.agent.name).to.equal(winnerName);
      const lost = (await loser.json()) as { error: string; by: { name: string }; message: string };
      expect(lost.error).to.equal('Taken');
      expect(lost.by.name).to.equal(winnerName);
      expect(lost.message).to.contain(winnerName);
      expect((await t.backend.store.get(c.id))?.agent?.name).to.equal(winnerName);
    });

    it('races ten sessions on one case: one winner', async () => {
      const c = await t.backend.queueCase();
      const clients = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const client = new DeskClient(base);
          await client.login(i % 2 ? 'ben' : 'ana');
          return client;
        }),
      );
      const results = await Promise.all(clients.map((cl) => cl.post(`/desk/api/cases/${c.id}/accept`)));
      const winners = results.filter((r) => r.status === 200);
      // The winner's other sessions (same agent) are told it is theirs (200); the other agent gets 409.
      const winnerAgent = (await t.backend.store.get(c.id))?.agent?.id;
      expect(winners.length).to.equal(5);
      expect(results.filter((r) => r.status === 409).length).to.equal(5);
      expect(winnerAgent).to.be.oneOf(['ana', 'ben']);
    });

    it('sends the agent message to the customer, streams the customer answer, then closes with a note', async () => {
      const c = await t.backend.queueCase();
      const ana = new DeskClient(base);
      const ben = new DeskClient(base);
      await Promise.all([ana.login('ana'), ben.login('ben')]);
      const anaEvents = await SseClient.open(`${base}/desk/api/events`, ana.headers());
      const benEvents = await SseClient.open(`${base}/desk/api/events`, ben.headers());
      try {
        expect(anaEvents.status).to.equal(200);
        await anaEvents.waitFor((e) => e.event === 'ready');
        await benEvents.waitFor((e) => e.event === 'ready');

        // Ben cannot write into a case he does not hold, nor before anyone accepted it.
        expect((await ben.post(`/desk/api/cases/${c.id}/messages`, { text: 'hi' })).status, 'not accepted yet').to.equal(409);
        expect((await ana.post(`/desk/api/cases/${c.id}/accept`)).status).to.equal(200);
        await benEvents.waitFor((e) => e.event === 'case' && e.data.caseId === c.id && e.data.state === 'assigned');
        expect((await benEvents.waitFor((e) => e.event === 'case')).data.agent).to.deep.equal({ id: 'ana', name: 'Ana Martin' });

        const sent = await ana.post(`/desk/api/cases/${c.id}/messages`, { text: 'Hello Sam, I am Ana. Your card is blocked now.' });
        expect(sent.status).to.equal(202);
        expect(t.backend.sent).to.deep.equal([{ caseId: c.id, agentId: 'ana', text: 'Hello Sam, I am Ana. Your card is blocked now.' }]);
        expect((await ana.post(`/desk/api/cases/${c.id}/messages`, { text: '   ' })).status).to.equal(400);
        expect((await ana.post(`/desk/api/cases/${c.id}/messages`, { text: 'x'.repeat(4001) })).status).to.equal(400);
        const forged = await ben.post(`/desk/api/cases/${c.id}/messages`, { text: 'I am not Ana' });
        expect(forged.status).to.equal(403);
        expect(((await forged.json()) as { by: { name: string } }).by.name).to.equal('Ana Martin');

        await t.backend.customerSays(c.id, 'Thank you, <b>that</b> helps');
        const answer = await anaEvents.waitFor((e) => e.event === 'message' && e.data.from === 'customer');
        expect(answer.data).to.include({ caseId: c.id, text: 'Thank you, <b>that</b> helps' });
        // Only the agent who holds the case gets the live chat.
        await new Promise((r) => setTimeout(r, 100));
        expect(benEvents.events.filter((e) => e.event === 'message')).to.deep.equal([]);

        const queue = (await (await ana.get('/desk/api/queue')).json()) as { mine: Array<{ id: string }>; queue: unknown[] };
        expect(queue.mine.map((m) => m.id)).to.deep.equal([c.id]);
        expect(queue.queue).to.deep.equal([]);

        expect((await ben.post(`/desk/api/cases/${c.id}/close`, { note: 'not mine' })).status).to.equal(403);
        expect((await ana.post(`/desk/api/cases/${c.id}/close`, { note: 42 })).status).to.equal(400);
        const closed = await ana.post(`/desk/api/cases/${c.id}/close`, { note: 'Card blocked, new card sent.' });
        expect(closed.status).to.equal(200);
        expect(((await closed.json()) as { case: { state: string } }).case.state).to.equal('resolved');
        expect(t.backend.closed).to.deep.equal([{ caseId: c.id, agentId: 'ana', note: 'Card blocked, new card sent.' }]);
        await benEvents.waitFor((e) => e.event === 'case' && e.data.state === 'resolved');
        const again = await ana.post(`/desk/api/cases/${c.id}/messages`, { text: 'still there?' });
        expect(again.status).to.equal(409);
        expect(((await again.json()) as { state: string }).state).to.equal('resolved');
      } finally {
        anaEvents.close();
        benEvents.close();
      }
    });

    it('tells open consoles about new cases at once and ends their stream on logout', async () => {
      const ana = new DeskClient(base);
      await ana.login('ana');
      const events = await SseClient.open(`${base}/desk/api/events`, ana.headers());
      try {
        await events.waitFor((e) => e.event === 'ready');
        const started = Date.now();
        await t.backend.queueCase();
        await events.waitFor((e) => e.event === 'queue', 1000);
        expect(Date.now() - started).to.be.below(1000);
        expect(t.desk.openStreams()).to.equal(1);
        await ana.post('/desk/api/logout');
        await events.waitFor((e) => e.event === 'end');
        await events.waitForEnd();
        expect(t.desk.openStreams()).to.equal(0);
      } finally {
        events.close();
      }
    });

    it('renews presence while a console is open', async () => {
      const backendClock = await startDeskServer({ presenceTtlMs: 3000 });
      try {
        const ana = new DeskClient(backendClock.base);
        await ana.login('ana');
        const events = await SseClient.open(`${backendClock.base}/desk/api/events`, ana.headers());
        await events.waitFor((e) => e.event === 'ready');
        const first = (await backendClock.backend.store.listPresence())[0].expiresAt;
        await new Promise((r) => setTimeout(r, 1200));
        const renewed = (await backendClock.backend.store.listPresence())[0].expiresAt;
        expect(renewed).to.be.greaterThan(first);
        events.close();
      } finally {
        await backendClock.close();
      }
    });
  });
});

describe('registerDeskConsole: the session probe and closed cases (issue 13)', () => {
  let t: DeskTestServer;
  beforeEach(async () => {
    t = await startDeskServer();
  });
  afterEach(async () => t.close());

  it('GET /desk/session answers 200 without a session (nothing for a browser to log), and the session once signed in', async () => {
    for (const cookie of [undefined, 'warmline_desk=forged-session-id']) {
      const res = await fetch(`${t.base}/desk/session`, { headers: cookie ? { Cookie: cookie } : {} });
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ signedIn: false });
    }
    const ana = new DeskClient(t.base);
    expect((await ana.login('ana')).status).to.equal(200);
    const res = await ana.get('/desk/session');
    const body = (await res.json()) as { signedIn: boolean; agent: { id: string }; csrfToken: string; status: string };
    expect([res.status, body.signedIn, body.agent.id, body.status]).to.deep.equal([200, true, 'ana', 'online']);
    expect(body.csrfToken).to.equal(ana.csrf);
  });

  it('GET /desk/api/closed lists recently closed cases, newest first, with the team note and the customer rating', async () => {
    const ana = new DeskClient(t.base);
    await ana.login('ana');
    const first = await t.backend.queueCase();
    const second = await t.backend.queueCase();
    for (const c of [first, second]) {
      expect((await ana.post(`/desk/api/cases/${c.id}/accept`)).status).to.equal(200);
    }
    await t.backend.store.resolve(first.id, { by: 'ana', note: 'card blocked', satisfaction: 4 });
    expect((await ana.post(`/desk/api/cases/${second.id}/close`, { note: 'refund sent' })).status).to.equal(200);
    const res = await ana.get('/desk/api/closed');
    expect(res.status).to.equal(200);
    const { closed } = (await res.json()) as { closed: Array<{ id: string; notes: string[]; satisfaction?: number; closedBy: string; customerName: string }> };
    expect(closed.map((c) => c.id)).to.deep.equal([second.id, first.id]);
    expect(closed[0]).to.deep.include({ notes: ['refund sent'], closedBy: 'Ana Martin', customerName: 'Sam' });
    expect(closed[1]?.satisfaction).to.equal(4);
  });
});
