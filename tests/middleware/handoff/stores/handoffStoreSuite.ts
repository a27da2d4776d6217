import { expect } from 'chai';
import {
  CASE_ID_PATTERN,
  IllegalTransitionError,
  draftCase,
  transition,
  type AgentIdentity,
  type CaseDraft,
  type CasePriority,
  type HandoffCase,
} from '../../../../middleware/handoff/handoffCase';
import {
  CaseConflictError,
  OpenCaseExistsError,
  type CaseEvent,
  type HandoffStore,
  type QueueChange,
} from '../../../../middleware/handoff/stores/handoffStore';

/** A store under test, built around a controllable clock. */
export interface StoreHarness {
  readonly store: HandoffStore;
  /** A second, independent instance on the same backend (a restarted process), or undefined for memory. */
  reopen(): Promise<HandoffStore | undefined>;
  cleanup(): Promise<void>;
}

/** The fake clock every harness must give its stores. */
export interface SuiteClock {
  now: number;
}

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let serial = 0;
/** A queued draft for a new conversation. */
export function queuedDraft(priority: CasePriority, queuedAt: number, name = 'Ann'): CaseDraft {
  serial += 1;
  const key = `webchat/conv-${serial}-${Math.random().toString(36).slice(2, 8)}`;
  const draft = draftCase(
    {
      conversation: { key, channel: 'webchat', reference: { conversation: { id: key }, serviceUrl: 'http://localhost' } },
      customer: { id: `user-${serial}`, name, channel: 'webchat' },
      reason: 'human_request',
      priority,
      trigger: { intents: [], emotions: [], explanation: 'test' },
      language: 'en',
      transcript: [{ role: 'customer', text: 'I want a human', at: new Date(queuedAt).toISOString() }],
      collected: { trackingNumber: '1Z999AA10123456784' },
    },
    new Date(queuedAt - 1000),
  );
  return transition(draft, 'queued', { by: 'bot', at: new Date(queuedAt) });
}

const agent = (n: number): AgentIdentity => ({ id: `agent-${n}`, name: `Agent ${n}`, channel: n % 2 ? 'msteams' : 'slack' });

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition');
    await sleep(10);
  }
}

/**
 * The behavioural suite every `HandoffStore` must pass. `make` builds a fresh, empty store using `clock.now`.
 */
export function handoffStoreSuite(name: string, make: (clock: SuiteClock) => Promise<StoreHarness>): void {
  describe(`HandoffStore behaviour: ${name}`, function () {
    let h: StoreHarness;
    let store: HandoffStore;
    const clock: SuiteClock = { now: T0 };

    beforeEach(async function () {
      clock.now = T0;
      h = await make(clock);
      store = h.store;
    });

    afterEach(async function () {
      await h?.cleanup();
    });

    it('creates a case with a short readable id and version 1, and returns copies', async function () {
      const created = await store.create(queuedDraft('normal', T0));
      expect(created.id).to.match(CASE_ID_PATTERN);
      expect(created.version).to.equal(1);
      expect(created.state).to.equal('queued');
      const read = (await store.get(created.id)) as HandoffCase;
      expect(read).to.deep.equal(created);
      (read.collected as Record<string, string>).trackingNumber = 'changed';
      expect((await store.get(created.id))?.collected.trackingNumber).to.equal('1Z999AA10123456784');
      expect(await store.get('C-NOPE')).to.equal(undefined);
    });

    it('keeps one open case per customer conversation', async function () {
      const draft = queuedDraft('normal', T0);
      const first = await store.create(draft);
      let error: unknown;
      try {
        await store.create(draft);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(OpenCaseExistsError);
      expect((error as OpenCaseExistsError).caseId).to.equal(first.id);
      expect((await store.findOpenByConversation(draft.conversation.key))?.id).to.equal(first.id);

      await store.transition(first.id, 'abandoned', 'customer', 'cancelled');
      expect(await store.findOpenByConversation(draft.conversation.key)).to.equal(undefined);
      const second = await store.create(draft);
      expect(second.id).to.not.equal(first.id);
      expect((await store.findOpenByConversation(draft.conversation.key))?.id).to.equal(second.id);
    });

    it('lists the queue high priority first, then oldest, with 1-based positions', async function () {
      const low = await store.create(queuedDraft('low', T0));
      const normalOld = await store.create(queuedDraft('normal', T0 + 1000));
      const highOld = await store.create(queuedDraft('high', T0 + 2000));
      const normalNew = await store.create(queuedDraft('normal', T0 + 3000));
      const highNew = await store.create(queuedDraft('high', T0 + 4000));
      const order = [highOld, highNew, normalOld, normalNew, low].map((c) => c.id);

      expect((await store.listQueue()).map((c) => c.id)).to.deep.equal(order);
      expect((await store.listQueue(2)).map((c) => c.id)).to.deep.equal(order.slice(0, 2));
      expect(await store.queueLength()).to.equal(5);
      for (const [i, id] of order.entries()) expect(await store.queuePosition(id)).to.equal(i + 1);

      // Serving the head moves everyone up; raising a priority reorders.
      expect((await store.claim(highOld.id, agent(1))).ok).to.equal(true);
      expect(await store.queuePosition(highOld.id)).to.equal(undefined);
      expect(await store.queuePosition(low.id)).to.equal(4);
      await store.update(low.id, (c) => ({ ...c, priority: 'high' }));
      expect((await store.listQueue()).map((c) => c.id)).to.deep.equal([low.id, highNew.id, normalOld.id, normalNew.id]);
      expect(await store.queueLength()).to.equal(4);
    });

    it('lets exactly one of 20 concurrent claimers win; the others learn who has the case', async function () {
      const c = await store.create(queuedDraft('high', T0));
      const agents = Array.from({ length: 20 }, (_, i) => agent(i + 1));
      const results = await Promise.all(
        agents.map((a) => store.claim(c.id, a, { key: `${a.channel}/desk-${a.id}`, channel: a.channel, reference: { id: a.id } })),
      );
      const winners = results.filter((r) => r.ok);
      expect(winners).to.have.length(1);
      const winner = winners[0]?.ok ? winners[0].case.agent : undefined;
      expect(winner).to.not.equal(undefined);
      for (const r of results) {
        if (!r.ok) {
          expect(r.reason).to.equal('taken');
          if (r.reason === 'taken') expect(r.by).to.deep.equal(winner);
        }
      }
      const stored = (await store.get(c.id)) as HandoffCase;
      expect(stored.state).to.equal('assigned');
      expect(stored.agent).to.deep.equal(winner);
      expect(stored.history.filter((s) => s.to === 'assigned')).to.have.length(1);
      expect(stored.timestamps.assigned).to.be.a('string');
      expect(await store.queuePosition(c.id)).to.equal(undefined);
      expect((await store.findByAgentConversation(`${winner?.channel}/desk-${winner?.id}`))?.id).to.equal(c.id);
    });

    it('refuses claims of missing and closed cases', async function () {
      expect(await store.claim('C-ZZZZ', agent(1))).to.deep.equal({ ok: false, reason: 'not_found' });
      const c = await store.create(queuedDraft('normal', T0));
      await store.transition(c.id, 'abandoned', 'customer');
      const r = await store.claim(c.id, agent(1));
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.equal('not_claimable');
    });

    it('keeps every message a queued customer sends, in order, and hands them to the claiming agent', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      const texts = Array.from({ length: 30 }, (_, i) => `message ${i}`);
      // Sequential appends keep order; concurrent ones must all be kept.
      for (const text of texts.slice(0, 10)) {
        await store.appendCustomerMessage(c.id, { text, at: new Date(T0).toISOString() });
      }
      const concurrent = await Promise.all(
        texts.slice(10).map((text) => store.appendCustomerMessage(c.id, { text, at: new Date(T0).toISOString() })),
      );
      expect(concurrent.every((r) => r.ok)).to.equal(true);
      // A concurrent update of the case must not drop a message.
      await Promise.all([
        store.update(c.id, (x) => ({ ...x, summary: 'updated' })),
        store.appendCustomerMessage(c.id, { text: 'last', at: new Date(T0).toISOString() }),
      ]);
      const claimed = await store.claim(c.id, agent(1));
      expect(claimed.ok).to.equal(true);
      if (!claimed.ok) return;
      expect(claimed.case.queuedMessages.map((m) => m.text).slice(0, 10)).to.deep.equal(texts.slice(0, 10));
      expect(claimed.case.queuedMessages.map((m) => m.text)).to.have.members([...texts, 'last']);
      expect(claimed.case.summary).to.equal('updated');

      const after = await store.appendCustomerMessage(c.id, { text: 'now live', at: new Date(T0).toISOString() });
      expect(after).to.deep.equal({ ok: false, reason: 'not_waiting', state: 'assigned' });
      expect(await store.appendCustomerMessage('C-ZZZZ', { text: 'x', at: '' })).to.deep.equal({ ok: false, reason: 'not_found' });
    });

    it('applies optimistic concurrency on update', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      const v2 = await store.update(c.id, (x) => ({ ...x, summary: 'one' }), { expectedVersion: 1 });
      expect(v2.version).to.equal(2);
      let error: unknown;
      try {
        await store.update(c.id, (x) => ({ ...x, summary: 'stale' }), { expectedVersion: 1 });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(CaseConflictError);
      expect((await store.get(c.id))?.summary).to.equal('one');

      // Concurrent updates without an expected version are retried: no note is lost.
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.update(c.id, (x) => ({ ...x, agentNotes: [...x.agentNotes, { by: 'a', text: `note ${i}`, at: '' }] })),
        ),
      );
      const notes = (await store.get(c.id))?.agentNotes.map((n) => n.text);
      expect(notes).to.have.members(Array.from({ length: 8 }, (_, i) => `note ${i}`));
      expect((await store.get(c.id))?.version).to.equal(10);
    });

    it('enforces the state machine and ignores changes to identity fields and queued messages', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      let error: unknown;
      try {
        await store.update(c.id, (x) => ({ ...x, state: 'resolved' }));
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(IllegalTransitionError);
      await store.appendCustomerMessage(c.id, { text: 'hello', at: '' });
      const updated = await store.update(c.id, (x) => ({ ...x, id: 'C-HACK', queuedMessages: [], conversation: { ...x.conversation, key: 'other' } }));
      expect(updated.id).to.equal(c.id);
      expect(updated.conversation.key).to.equal(c.conversation.key);
      expect(updated.queuedMessages.map((m) => m.text)).to.deep.equal(['hello']);
      expect(await store.get('C-HACK')).to.equal(undefined);
    });

    it('resolves a case: closes routes and conversation, records the note, satisfaction and handling time', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      const desk = { key: 'msteams/desk-1', channel: 'msteams', reference: { id: 'desk' } };
      clock.now = T0 + 5_000;
      expect((await store.claim(c.id, agent(1), desk)).ok).to.equal(true);
      expect((await store.findByAgentConversation(desk.key))?.id).to.equal(c.id);
      clock.now = T0 + 5_000 + 90_000;
      const resolved = await store.resolve(c.id, { by: 'agent-1', note: 'refund sent', satisfaction: 5 });
      expect(resolved.state).to.equal('resolved');
      expect(resolved.satisfaction).to.equal(5);
      expect(resolved.agentNotes.map((n) => n.text)).to.deep.equal(['refund sent']);
      expect(resolved.history.map((s) => `${s.from}>${s.to}`)).to.deep.equal(['bot>queued', 'queued>assigned', 'assigned>resolved']);
      expect(await store.findByAgentConversation(desk.key)).to.equal(undefined);
      expect(await store.findOpenByConversation(c.conversation.key)).to.equal(undefined);
      expect(await store.recentHandlingTimes()).to.deep.equal([90_000]);
      expect((await store.listByState('assigned')).map((x) => x.id)).to.not.include(c.id);
      expect(await store.listAssignedTo(agent(1))).to.deep.equal([]);
    });

    it('resolves with the rating question in the same write, kept across instances', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      expect((await store.claim(c.id, agent(1))).ok).to.equal(true);
      const resolved = await store.resolve(c.id, { by: 'agent-1', ratingRequested: true });
      expect([resolved.state, resolved.ratingRequested, resolved.version]).to.deep.equal(['resolved', true, c.version + 2]);
      const other = (await h.reopen()) ?? store;
      expect((await other.get(c.id))?.ratingRequested).to.equal(true);
    });

    it('tracks agent presence with a TTL', async function () {
      await store.setPresence(agent(1), 'online', 150);
      await store.setPresence(agent(2), 'away', 10_000);
      await store.setPresence(agent(3), 'online', 10_000);
      expect(await store.countOnline()).to.equal(2);
      const listed = await store.listPresence();
      expect(listed.map((p) => p.status)).to.deep.equal(['online', 'online', 'away']);
      // Both kinds of expiry: the store's clock (memory) and real time (Redis PX).
      clock.now += 300;
      await sleep(300);
      expect(await store.countOnline()).to.equal(1);
      expect((await store.listPresence()).map((p) => p.agent.id)).to.have.members(['agent-2', 'agent-3']);
      await store.setPresence(agent(2), 'online', 10_000);
      expect(await store.countOnline()).to.equal(2);
      await store.clearPresence(agent(3));
      expect(await store.countOnline()).to.equal(1);
    });

    it('keeps the watch conversation of a presence, and drops it when renewed without one', async function () {
      const watch = { key: 'msteams/a:watch-1', channel: 'msteams', reference: { serviceUrl: 'https://smba.example/', conversation: { id: 'a:watch-1' } } };
      await store.setPresence(agent(1), 'online', 10_000, watch);
      expect((await store.listPresence())[0]?.watch).to.deep.equal(watch);
      await store.setPresence(agent(1), 'away', 10_000);
      expect((await store.listPresence())[0]?.watch).to.equal(undefined);
    });

    it('renews a presence keeping its status and watch, creates none, and reads one agent by channel and id', async function () {
      const watch = { key: 'msteams/a:watch-1', channel: 'msteams', reference: { serviceUrl: 'https://smba.example/', conversation: { id: 'a:watch-1' } } };
      const renew = store.renewPresence?.bind(store);
      const get = store.getPresence?.bind(store);
      expect(renew, 'built-in stores renew atomically').to.be.a('function');
      expect(get).to.be.a('function');
      const weird: AgentIdentity = { id: 'ana', name: 'Ana "expiresAt":1 \u00e9', channel: 'console' };
      await store.setPresence(weird, 'away', 150, watch);
      await store.setPresence({ id: 'ana', name: 'Ana', channel: 'msteams' }, 'online', 10_000);
      expect(await renew!(weird, 10_000)).to.equal('away');
      clock.now += 300;
      await sleep(300);
      const kept = await get!(weird);
      expect(kept?.status, 'renewed past its first TTL, still away').to.equal('away');
      expect(kept?.agent).to.deep.equal(weird);
      expect(kept?.watch).to.deep.equal(watch);
      expect(kept!.expiresAt).to.be.greaterThan(clock.now);
      expect((await get!({ id: 'ana', channel: 'msteams' }))?.status, 'matched on channel and id').to.equal('online');
      expect(await renew!(agent(9), 10_000), 'no presence: nothing renewed').to.equal(undefined);
      expect(await get!(agent(9)), 'and nothing created').to.equal(undefined);
      await store.clearPresence(weird);
      expect(await renew!(weird, 10_000), 'cleared: not brought back').to.equal(undefined);
      expect((await store.listPresence()).map((p) => p.agent.channel)).to.deep.equal(['msteams']);
    });

    it('tells listeners when the queue changes', async function () {
      const changes: QueueChange[] = [];
      const unsubscribe = await store.onQueueChanged((c) => changes.push(c));
      const c = await store.create(queuedDraft('normal', T0));
      await waitFor(() => changes.length >= 1);
      await store.update(c.id, (x) => ({ ...x, priority: 'high' }));
      await store.update(c.id, (x) => ({ ...x, summary: 'no queue change' }));
      await store.claim(c.id, agent(1));
      await waitFor(() => changes.length >= 3);
      await sleep(50);
      expect(changes).to.deep.equal([
        { kind: 'added', caseId: c.id },
        { kind: 'updated', caseId: c.id },
        { kind: 'removed', caseId: c.id },
      ]);
      unsubscribe();
      await store.create(queuedDraft('normal', T0));
      await sleep(100);
      expect(changes).to.have.length(3);
    });

    it('is seen whole by a second instance (a restarted process), with one claim winner across instances', async function () {
      const other = await h.reopen();
      if (!other) this.skip();
      const high = await store.create(queuedDraft('high', T0 + 1000));
      const normal = await store.create(queuedDraft('normal', T0));
      await store.appendCustomerMessage(normal.id, { text: 'still there?', at: new Date(T0).toISOString() });
      await store.setPresence(agent(1), 'online', 10_000);

      const events: QueueChange[] = [];
      await other.onQueueChanged((c) => events.push(c));
      expect(await other.get(high.id)).to.deep.equal(await store.get(high.id));
      expect((await other.listQueue()).map((c) => c.id)).to.deep.equal([high.id, normal.id]);
      expect(await other.queuePosition(normal.id)).to.equal(2);
      expect((await other.findOpenByConversation(normal.conversation.key))?.queuedMessages.map((m) => m.text)).to.deep.equal([
        'still there?',
      ]);
      expect(await other.countOnline()).to.equal(1);

      const results = await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => store.claim(normal.id, agent(10 + i))),
        ...Array.from({ length: 5 }, (_, i) => other.claim(normal.id, agent(20 + i))),
      ]);
      expect(results.filter((r) => r.ok)).to.have.length(1);
      await waitFor(() => events.some((e) => e.kind === 'removed' && e.caseId === normal.id));
    });

    it('keeps the live chat on the case, in order, bounded to the last 500 lines, untouched by updates', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      expect((await store.get(c.id, { liveChat: true }))?.liveChat).to.equal(undefined);
      await store.claim(c.id, agent(1));
      const at = (i: number) => new Date(T0 + i).toISOString();
      expect(await store.appendLiveLine(c.id, { role: 'customer', text: 'line 0', at: at(0) })).to.deep.equal({ ok: true, count: 1 });
      expect(await store.appendLiveLine(c.id, { role: 'agent', text: 'line 1', at: at(1) })).to.deep.equal({ ok: true, count: 2 });
      // A stale read written back (with a forged live chat) neither drops nor replaces the lines.
      const stale = (await store.get(c.id, { liveChat: true })) as HandoffCase;
      await store.appendLiveLine(c.id, { role: 'customer', text: 'line 2', at: at(2) });
      await store.update(c.id, () => ({ ...stale, summary: 'edited', liveChat: [{ role: 'system', text: 'forged', at: at(9) }] }));
      const read = (await store.get(c.id, { liveChat: true })) as HandoffCase;
      expect(read.summary).to.equal('edited');
      expect(read.liveChat).to.deep.equal([
        { role: 'customer', text: 'line 0', at: at(0) },
        { role: 'agent', text: 'line 1', at: at(1) },
        { role: 'customer', text: 'line 2', at: at(2) },
      ]);
      // The original transcript is separate and unchanged.
      expect(read.transcript.map((t) => t.text)).to.deep.equal(['I want a human']);
      for (let i = 3; i < 510; i++) await store.appendLiveLine(c.id, { role: i % 2 ? 'agent' : 'customer', text: `line ${i}`, at: at(i) });
      const full = (await store.get(c.id, { liveChat: true })) as HandoffCase;
      expect(full.liveChat).to.have.length(500);
      expect(full.liveChat?.[0]?.text).to.equal('line 10');
      expect(full.liveChat?.[499]?.text).to.equal('line 509');
      // Kept on the record after the close.
      await store.resolve(c.id, { by: 'agent-1' });
      expect((await store.get(c.id, { liveChat: true }))?.liveChat).to.have.length(500);
      expect(await store.appendLiveLine('C-NONE', { role: 'agent', text: 'x', at: at(0) })).to.deep.equal({ ok: false, reason: 'not_found' });
    });

    it('reads the live chat only when asked: not on plain reads, writes, claims or lists', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      const at = new Date(T0).toISOString();
      expect((await store.get(c.id, { liveChat: true }))?.liveChat).to.equal(undefined);
      await store.claim(c.id, agent(1));
      await store.appendLiveLine(c.id, { role: 'customer', text: 'hello', at });
      await store.appendLiveLine(c.id, { role: 'agent', text: 'hi there', at });

      expect(await store.get(c.id)).to.not.have.property('liveChat');
      expect(await store.get(c.id, {})).to.not.have.property('liveChat');
      expect(await store.get(c.id, { liveChat: false })).to.not.have.property('liveChat');
      expect((await store.get(c.id, { liveChat: true }))?.liveChat?.map((l) => `${l.role}:${l.text}`)).to.deep.equal([
        'customer:hello',
        'agent:hi there',
      ]);
      // Reads inside writes and the other lookups do not load it either.
      expect(await store.update(c.id, (x) => ({ ...x, summary: 'edited' }))).to.not.have.property('liveChat');
      expect(await store.findOpenByConversation(c.conversation.key)).to.not.have.property('liveChat');
      expect((await store.listAssignedTo(agent(1))).find((x) => x.id === c.id)).to.not.have.property('liveChat');
      const requeued = await store.transition(c.id, 'queued', 'system', 'agent unreachable');
      expect(requeued).to.not.have.property('liveChat');
      expect((await store.listQueue())[0]).to.not.have.property('liveChat');
      const reclaimed = await store.claim(c.id, agent(2));
      expect(reclaimed.ok).to.equal(true);
      if (reclaimed.ok) expect(reclaimed.case).to.not.have.property('liveChat');
      // Still all there for the one who asks.
      expect((await store.get(c.id, { liveChat: true }))?.liveChat).to.have.length(2);
    });

    it('publishes each message kept on a waiting case as a case event, with no text, in write order', async function () {
      const events: CaseEvent[] = [];
      const unsubscribe = await store.onCaseEvent((e) => events.push(e));
      const c = await store.create(queuedDraft('normal', T0));
      const at = (i: number) => new Date(T0 + i).toISOString();
      for (let i = 1; i <= 3; i++) await store.appendCustomerMessage(c.id, { text: `my card 4111 1111 1111 1111 (${i})`, at: at(i) });
      await store.transition(c.id, 'timed_out', 'system');
      await store.appendCustomerMessage(c.id, { text: 'still waiting', at: at(4) });
      // Refused appends publish nothing.
      await store.claim(c.id, agent(1));
      await store.appendCustomerMessage(c.id, { text: 'now live', at: at(5) });
      await store.appendCustomerMessage('C-ZZZZ', { text: 'x', at: at(6) });
      await waitFor(() => events.some((e) => e.kind === 'state' && e.state === 'assigned'));
      await sleep(50);
      expect(events).to.deep.equal([
        { kind: 'state', caseId: c.id, state: 'queued' },
        { kind: 'queued_message', caseId: c.id, at: at(1), count: 1 },
        { kind: 'queued_message', caseId: c.id, at: at(2), count: 2 },
        { kind: 'queued_message', caseId: c.id, at: at(3), count: 3 },
        { kind: 'state', caseId: c.id, state: 'timed_out' },
        { kind: 'queued_message', caseId: c.id, at: at(4), count: 4 },
        { kind: 'state', caseId: c.id, state: 'assigned', agent: agent(1) },
      ]);
      unsubscribe();
    });

    it('delivers the events of messages kept on a waiting case to another instance', async function () {
      const other = await h.reopen();
      if (!other) this.skip();
      const there: CaseEvent[] = [];
      await other.onCaseEvent((e) => there.push(e));
      const c = await store.create(queuedDraft('normal', T0));
      await store.appendCustomerMessage(c.id, { text: 'anyone there?', at: new Date(T0).toISOString() });
      await waitFor(() => there.some((e) => e.kind === 'queued_message'));
      expect(there.filter((e) => e.kind === 'queued_message')).to.deep.equal([
        { kind: 'queued_message', caseId: c.id, at: new Date(T0).toISOString(), count: 1 },
      ]);
      expect((await other.get(c.id))?.queuedMessages.map((m) => m.text)).to.deep.equal(['anyone there?']);
    });

    it('publishes state changes and live chat lines as case events, in write order', async function () {
      const events: CaseEvent[] = [];
      const unsubscribe = await store.onCaseEvent((e) => events.push(e));
      const c = await store.create(queuedDraft('normal', T0));
      await store.update(c.id, (x) => ({ ...x, summary: 'no state change' }));
      await store.claim(c.id, agent(1));
      const at = new Date(T0).toISOString();
      for (let i = 0; i < 20; i++) {
        const from = i % 2 ? ('agent' as const) : ('customer' as const);
        await store.appendLiveLine(c.id, { role: from, text: `[redacted] ${i}`, at }, { kind: 'message', caseId: c.id, from, text: `raw ${i}`, at, agent: agent(1) });
      }
      await store.appendLiveLine(c.id, { role: 'customer', text: 'kept silently', at });
      await store.resolve(c.id, { by: 'agent-1' });
      await waitFor(() => events.some((e) => e.kind === 'state' && e.state === 'resolved'));
      await sleep(50);
      expect(events[0]).to.deep.equal({ kind: 'state', caseId: c.id, state: 'queued' });
      expect(events[1]).to.deep.equal({ kind: 'state', caseId: c.id, state: 'assigned', agent: agent(1) });
      expect(events.slice(2, 22).map((e) => (e.kind === 'message' ? `${e.from}:${e.text}` : e.kind))).to.deep.equal(
        Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'agent' : 'customer'}:raw ${i}`),
      );
      expect(events[2]).to.deep.equal({ kind: 'message', caseId: c.id, from: 'customer', text: 'raw 0', at, agent: agent(1) });
      expect(events[22]).to.deep.equal({ kind: 'state', caseId: c.id, state: 'resolved', agent: agent(1) });
      expect(events).to.have.length(23);
      unsubscribe();
      await store.create(queuedDraft('normal', T0));
      await sleep(100);
      expect(events).to.have.length(23);
    });

    it('delivers case events written by another instance, once each', async function () {
      const other = await h.reopen();
      if (!other) this.skip();
      const here: CaseEvent[] = [];
      const there: CaseEvent[] = [];
      await store.onCaseEvent((e) => here.push(e));
      await other.onCaseEvent((e) => there.push(e));
      const c = await store.create(queuedDraft('normal', T0));
      await other.claim(c.id, agent(2));
      const at = new Date(T0).toISOString();
      await other.appendLiveLine(c.id, { role: 'customer', text: 'hi', at }, { kind: 'message', caseId: c.id, from: 'customer', text: 'hi', at });
      await store.appendLiveLine(c.id, { role: 'agent', text: 'hello', at }, { kind: 'message', caseId: c.id, from: 'agent', text: 'hello', at });
      await waitFor(() => here.length >= 4 && there.length >= 4);
      await sleep(50);
      const summary = (list: CaseEvent[]) => list.map((e) => (e.kind === 'message' ? `${e.from}:${e.text}` : e.kind === 'state' ? e.state : e.kind));
      expect(summary(here)).to.deep.equal(['queued', 'assigned', 'customer:hi', 'agent:hello']);
      expect(summary(there)).to.deep.equal(summary(here));
      expect((await other.get(c.id, { liveChat: true }))?.liveChat?.map((l) => l.text)).to.deep.equal(['hi', 'hello']);
    });

    it('keeps a retried customer message once (idempotent on its activity id), also after the case was claimed', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      const at = new Date(T0).toISOString();
      const first = await store.appendCustomerMessage(c.id, { text: 'hello', at, activityId: 'act-1' });
      const again = await Promise.all([1, 2, 3].map(() => store.appendCustomerMessage(c.id, { text: 'hello', at, activityId: 'act-1' })));
      expect(first).to.deep.equal({ ok: true, count: 1 });
      for (const r of again) expect(r).to.deep.equal({ ok: true, count: 1, duplicate: true });
      expect((await store.appendCustomerMessage(c.id, { text: 'other', at, activityId: 'act-2' })).ok).to.equal(true);
      expect((await store.appendCustomerMessage(c.id, { text: 'no id', at })).ok).to.equal(true);
      expect((await store.appendCustomerMessage(c.id, { text: 'no id', at })).ok).to.equal(true);
      await store.claim(c.id, agent(1));
      // The channel retries after the claim: still the same message, not "not waiting".
      expect(await store.appendCustomerMessage(c.id, { text: 'hello', at, activityId: 'act-1' })).to.deep.equal({ ok: true, count: 4, duplicate: true });
      expect((await store.get(c.id))?.queuedMessages.map((m) => m.text)).to.deep.equal(['hello', 'other', 'no id', 'no id']);
    });

    it('appends a live line once per id, and publishes it once', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      await store.claim(c.id, agent(1));
      const events: CaseEvent[] = [];
      await store.onCaseEvent((e) => events.push(e));
      const at = new Date(T0).toISOString();
      const line = { role: 'customer' as const, text: 'hi', at };
      const event = { kind: 'message' as const, caseId: c.id, from: 'customer' as const, text: 'hi', at };
      const results = await Promise.all([1, 2, 3].map(() => store.appendLiveLine(c.id, line, event, { id: 'msg-1' })));
      expect(results.filter((r) => r.ok && !r.duplicate)).to.have.length(1);
      expect(results.filter((r) => r.ok && r.duplicate)).to.have.length(2);
      await store.appendLiveLine(c.id, { ...line, text: 'again' }, { ...event, text: 'again' });
      await waitFor(() => events.length >= 2);
      await sleep(50);
      expect(events.map((e) => (e.kind === 'message' ? e.text : e.kind))).to.deep.equal(['hi', 'again']);
      expect((await store.get(c.id, { liveChat: true }))?.liveChat?.map((l) => l.text)).to.deep.equal(['hi', 'again']);
    });

    it('lists open cases per state, per agent and per customer from indexes, and counts them by state', async function () {
      const a = await store.create(queuedDraft('normal', T0));
      const b = await store.create(queuedDraft('normal', T0 + 1000));
      const d = await store.create(queuedDraft('high', T0 + 2000));
      await store.claim(a.id, agent(1), { key: 'msteams/agent-1', channel: 'msteams', reference: {} });
      await store.transition(b.id, 'timed_out', 'system');
      expect((await store.listByState('queued')).map((c) => c.id)).to.deep.equal([d.id]);
      expect((await store.listByState('assigned')).map((c) => c.id)).to.deep.equal([a.id]);
      expect((await store.listByState('timed_out')).map((c) => c.id)).to.deep.equal([b.id]);
      expect(await store.listByState('resolved')).to.deep.equal([]);
      expect((await store.listAssignedTo(agent(1))).map((c) => c.id)).to.deep.equal([a.id]);
      expect(await store.listAssignedTo(agent(2))).to.deep.equal([]);
      expect(await store.countByState()).to.include({ queued: 1, assigned: 1, timed_out: 1 });

      await store.resolve(a.id, { by: 'agent-1' });
      expect(await store.listAssignedTo(agent(1))).to.deep.equal([]);
      expect(await store.listByState('assigned')).to.deep.equal([]);
      expect(await store.countByState()).to.include({ queued: 1, assigned: 0, timed_out: 1 });

      // The same customer comes back: their closed case is listed too, newest first.
      const again = await store.create({ ...queuedDraft('normal', T0 + 5000), customer: a.customer });
      expect((await store.listByCustomer(a.customer)).map((c) => c.id)).to.deep.equal([again.id, a.id]);
      expect((await store.listByCustomer({ id: 'nobody', channel: 'webchat' }))).to.deep.equal([]);
    });

    it('tells positions only when they change, each change once, even to concurrent callers', async function () {
      const cases = [];
      for (let i = 0; i < 6; i++) cases.push(await store.create(queuedDraft('normal', T0 + i * 1000)));
      const [first, second, third] = cases as [HandoffCase, HandoffCase, HandoffCase];
      // Nobody was told a position yet: updates leave them to the replies that queue them.
      expect(await store.positionChanges(1, 10)).to.deep.equal([]);
      for (const c of cases) expect((await store.tellPosition(c.id))?.changed).to.equal(true);
      expect(await store.tellPosition(third.id)).to.deep.equal({ position: 3, changed: false });
      expect(await store.positionChanges(1, 10)).to.deep.equal([]);
      await store.claim(first.id, agent(1));
      const concurrent = await Promise.all([store.positionChanges(1, 25), store.positionChanges(1, 25), store.positionChanges(2, 2)]);
      const told = concurrent.flat().map((x) => `${x.case.id}:${x.position}`);
      expect(told).to.have.members(cases.slice(1).map((c, i) => `${c.id}:${i + 1}`));
      expect(new Set(told).size).to.equal(told.length);
      expect(await store.tellPosition(second.id)).to.deep.equal({ position: 1, changed: false });
      // A high-priority case goes in front: everyone moves back once.
      const urgent = await store.create(queuedDraft('high', T0 + 9000));
      expect(await store.queuePosition(urgent.id)).to.equal(1);
      expect(await store.positionChanges(1, 1)).to.deep.equal([]);
      const moved = await store.positionChanges(2, 3);
      expect(moved.map((x) => x.position)).to.deep.equal([2, 3, 4]);
      expect(moved.map((x) => x.case.id)).to.deep.equal(cases.slice(1, 4).map((c) => c.id));
      expect(await store.tellPosition(cases[5]!.id)).to.deep.equal({ position: 6, changed: true });
      expect(await store.tellPosition(cases[5]!.id)).to.deep.equal({ position: 6, changed: false });
      expect(await store.tellPosition(first.id)).to.equal(undefined);
    });

    it('purges cases last written longer than the retention ago, open or closed, with their index entries', async function () {
      const closed = await store.create(queuedDraft('normal', T0));
      await store.claim(closed.id, agent(1), { key: 'msteams/agent-1', channel: 'msteams', reference: {} });
      await store.appendLiveLine(closed.id, { role: 'customer', text: 'hi', at: new Date(T0).toISOString() });
      await store.resolve(closed.id, { by: 'agent-1' });
      const idle = await store.create(queuedDraft('normal', T0));
      await store.appendCustomerMessage(idle.id, { text: 'still there?', at: new Date(T0).toISOString(), activityId: 'x' });
      clock.now = T0 + 29 * 24 * 3600_000;
      const recent = await store.create(queuedDraft('normal', clock.now));
      expect(await store.purgeExpired()).to.equal(0);
      clock.now = T0 + 31 * 24 * 3600_000;
      expect(await store.purgeExpired()).to.be.at.least(1);
      expect(await store.get(idle.id)).to.equal(undefined);
      expect(await store.findOpenByConversation(idle.conversation.key)).to.equal(undefined);
      expect((await store.listQueue()).map((c) => c.id)).to.deep.equal([recent.id]);
      expect(await store.queueLength()).to.equal(1);
      expect(await store.countByState()).to.include({ queued: 1 });
      expect(await store.get(recent.id)).to.not.equal(undefined);
    });

    it('keeps one announcement per agent conversation beside a case, idempotently, and purges them with it (issue 13)', async function () {
      if (!store.saveAnnouncement || !store.listAnnouncements) this.skip();
      const c = await store.create(queuedDraft('normal', T0));
      const where = (key: string) => ({ key, channel: 'msteams', reference: { conversation: { id: key } } });
      const at = new Date(T0).toISOString();
      expect(await store.saveAnnouncement!(c.id, { where: where('msteams/a'), messageId: 'm1', via: 'messenger', at })).to.equal(true);
      expect(await store.saveAnnouncement!(c.id, { where: where('msteams/a'), messageId: 'm1', via: 'messenger', at })).to.equal(true);
      expect(await store.saveAnnouncement!(c.id, { where: where('msteams/b'), messageId: 'm2', via: 'messenger', at: new Date(T0 + 1).toISOString() })).to.equal(true);
      expect((await store.listAnnouncements!(c.id)).map((a) => [a.where.key, a.messageId])).to.deep.equal([
        ['msteams/a', 'm1'],
        ['msteams/b', 'm2'],
      ]);
      // A newer card in the same conversation replaces the older.
      await store.saveAnnouncement!(c.id, { where: where('msteams/a'), messageId: 'm3', via: 'messenger', at: new Date(T0 + 2).toISOString() });
      expect((await store.listAnnouncements!(c.id)).map((a) => a.messageId)).to.deep.equal(['m2', 'm3']);
      // Case writes leave them alone; an unknown case keeps nothing.
      await store.claim(c.id, agent(1), where('msteams/a'));
      expect(await store.listAnnouncements!(c.id)).to.have.length(2);
      expect(await store.saveAnnouncement!('C-ZZZZ', { where: where('msteams/a'), messageId: 'x', via: 'messenger', at })).to.equal(false);
      expect(await store.listAnnouncements!('C-ZZZZ')).to.deep.equal([]);
      clock.now = T0 + 31 * 24 * 3600_000;
      await store.purgeExpired();
      expect(await store.listAnnouncements!(c.id)).to.deep.equal([]);
    });

    it('lists the cases closed most recently, newest close first, with their note and rating, until the retention (issue 13)', async function () {
      if (!store.listClosed) this.skip();
      const resolved = await store.create(queuedDraft('normal', T0));
      await store.claim(resolved.id, agent(1), { key: 'msteams/agent-1', channel: 'msteams', reference: {} });
      await store.resolve(resolved.id, { by: 'agent-1', note: 'refund sent' });
      clock.now = T0 + 1000;
      const left = await store.create(queuedDraft('normal', clock.now));
      await store.transition(left.id, 'abandoned', 'customer');
      const open = await store.create(queuedDraft('normal', clock.now));
      await store.update(resolved.id, (c) => ({ ...c, satisfaction: 5 }));
      const closed = await store.listClosed!(10);
      expect(closed.map((c) => c.id)).to.deep.equal([left.id, resolved.id]);
      expect(closed.map((c) => c.id)).to.not.include(open.id);
      expect(closed[1]?.agentNotes.map((n) => n.text)).to.deep.equal(['refund sent']);
      expect(closed[1]?.satisfaction).to.equal(5);
      expect(await store.listClosed!(1)).to.have.length(1);
      clock.now = T0 + 31 * 24 * 3600_000;
      await store.purgeExpired();
      const other = await store.create(queuedDraft('normal', clock.now));
      await store.transition(other.id, 'abandoned', 'customer');
      const later = (await store.listClosed!(10)).map((c) => c.id);
      expect(later).to.include(other.id).and.not.include(resolved.id).and.not.include(left.id);
    });

    it('erases a callback number when the case is closed', async function () {
      const c = await store.create(queuedDraft('normal', T0));
      const at = new Date(T0).toISOString();
      await store.update(c.id, (x) => ({ ...transition(x, 'callback_requested', { by: 'customer' }), callback: { preference: 'phone', contact: '+33 6 12 34 56 78', at } }));
      expect((await store.get(c.id))?.callback?.contact).to.equal('+33 6 12 34 56 78');
      await store.transition(c.id, 'abandoned', 'customer');
      expect((await store.get(c.id))?.callback).to.deep.equal({ preference: 'phone', at });
    });
  });
}
