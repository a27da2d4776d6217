import { expect } from 'chai';
import { deskCredentialDigest, deskSessionDigest, MemoryDeskSessionStore, type DeskSessionStore, type DeskSessionStoreOptions } from '../../../bots/console/deskSessions';
import { RedisDeskSessionStore } from '../../../bots/console/redisDeskSessionStore';
import { deleteKeys, useTestRedis } from '../../middleware/handoff/testRedis';

// What the console stores: deskCredentialDigest of the agent's configured password hash.
const CRED = deskCredentialDigest('scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g');
const IDLE = 100;
const MAX_AGE = 1000;

interface Harness {
  /** A store over the shared backing (a second call is "another instance" for a shared store). */
  store(options: DeskSessionStoreOptions): DeskSessionStore;
  cleanup(): Promise<void>;
}

/** What every DeskSessionStore must do, whatever keeps the sessions. */
function deskSessionStoreSuite(name: string, make: () => Promise<Harness>): void {
  describe(`DeskSessionStore behaviour: ${name}`, function () {
    let h: Harness;
    let now: number;
    let s: DeskSessionStore;
    beforeEach(async function () {
      h = await make();
      now = 1_767_225_600_000;
      s = h.store({ clock: () => now, idleMs: IDLE, maxAgeMs: MAX_AGE });
    });
    afterEach(async function () {
      await h.cleanup();
    });

    it('makes unguessable ids and CSRF tokens, and gives the session back with its agent and token', async function () {
      const a = await s.create('ana', CRED);
      expect(a.id).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(a.csrfToken).to.match(/^[A-Za-z0-9_-]{43}$/).and.not.equal(a.id);
      expect(a).to.include({ agentId: 'ana', credentialDigest: CRED, createdAt: now, lastSeenAt: now });
      const b = await s.create('ana', CRED);
      expect(b.id).not.to.equal(a.id);
      expect(b.csrfToken).not.to.equal(a.csrfToken);
      now += 10;
      expect(await s.touch(a.id)).to.deep.equal({ ...a, lastSeenAt: now });
    });

    it('keeps the credential digest given at sign-in, and gives it back on every instance', async function () {
      const a = await s.create('ana', CRED);
      const b = await s.create('ana', deskCredentialDigest('another hash'));
      const other = h.store({ clock: () => now, idleMs: IDLE, maxAgeMs: MAX_AGE });
      expect((await other.touch(a.id))?.credentialDigest).to.equal(CRED);
      expect((await s.touch(b.id))?.credentialDigest).to.equal(deskCredentialDigest('another hash'));
      expect((await other.destroy(a.id))?.credentialDigest).to.equal(CRED);
    });

    it('refuses unknown, empty and oversized ids without failing', async function () {
      await s.create('ana', CRED);
      for (const id of [undefined, '', 'nope', 'x'.repeat(101)]) {
        expect(await s.touch(id), String(id)).to.equal(undefined);
      }
      expect(await s.destroy('nope')).to.equal(undefined);
      expect(await s.destroy('')).to.equal(undefined);
    });

    it('ends a session idle longer than idleMs; use keeps it alive', async function () {
      const a = await s.create('ana', CRED);
      for (let i = 0; i < 5; i++) {
        now += 90;
        expect(await s.touch(a.id), `touch ${i}`).to.not.equal(undefined);
      }
      now += IDLE + 1;
      expect(await s.touch(a.id)).to.equal(undefined);
      // Gone for good: even a clock going back does not revive it.
      now -= 50;
      expect(await s.touch(a.id)).to.equal(undefined);
    });

    it('ends a session maxAgeMs after sign-in however much it is used', async function () {
      const a = await s.create('ben', CRED);
      for (let i = 0; i < 11; i++) {
        now += 90;
        expect(await s.touch(a.id), `touch ${i}`).to.not.equal(undefined);
      }
      now += 90;
      expect(now - a.createdAt).to.be.above(MAX_AGE);
      expect(await s.touch(a.id)).to.equal(undefined);
    });

    it('destroys a session (sign-out): given back once, then unknown', async function () {
      const a = await s.create('ana', CRED);
      const ended = await s.destroy(a.id);
      expect(ended).to.include({ id: a.id, agentId: 'ana', csrfToken: a.csrfToken });
      expect(await s.touch(a.id)).to.equal(undefined);
      expect(await s.destroy(a.id)).to.equal(undefined);
    });

    it('counts the live sessions of an agent (for presence), forgetting ended and expired ones', async function () {
      const a1 = await s.create('ana', CRED);
      const a2 = await s.create('ana', CRED);
      await s.create('ben', CRED);
      expect(await s.countOfAgent('ana')).to.equal(2);
      expect(await s.countOfAgent('ben')).to.equal(1);
      expect(await s.countOfAgent('zoe')).to.equal(0);
      await s.destroy(a1.id);
      expect(await s.countOfAgent('ana')).to.equal(1);
      now += IDLE + 1;
      expect(await s.countOfAgent('ana')).to.equal(0);
      expect(await s.touch(a2.id)).to.equal(undefined);
    });

    it('shares sessions between instances over the same backing', async function () {
      const other = h.store({ clock: () => now, idleMs: IDLE, maxAgeMs: MAX_AGE });
      const a = await s.create('ana', CRED);
      now += 50;
      expect((await other.touch(a.id))?.csrfToken).to.equal(a.csrfToken);
      // Touched on the other instance: idle time counts from there.
      now += 90;
      expect(await s.touch(a.id)).to.not.equal(undefined);
      expect(await other.countOfAgent('ana')).to.equal(1);
      await other.destroy(a.id);
      expect(await s.touch(a.id)).to.equal(undefined);
    });
  });
}

deskSessionStoreSuite('MemoryDeskSessionStore', async () => {
  let shared: MemoryDeskSessionStore | undefined;
  return {
    // One process: "another instance" of a memory store is the same object (that is the point of the Redis one).
    store: (options) => (shared ??= new MemoryDeskSessionStore(options)),
    cleanup: async () => undefined,
  };
});

describe('RedisDeskSessionStore (real Redis)', function () {
  const t = useTestRedis();

  deskSessionStoreSuite('RedisDeskSessionStore', async () => {
    const prefix = t.prefix('desk-sessions');
    return {
      store: (options) => new RedisDeskSessionStore({ redis: t.redis, keyPrefix: prefix, ...options }),
      cleanup: async () => void (await deleteKeys(t.redis, prefix)),
    };
  });

  it('keeps only a hash of the session id, the fields it needs, and keys that expire', async function () {
    const prefix = t.prefix('desk-sessions-keys');
    const store = new RedisDeskSessionStore({ redis: t.redis, keyPrefix: prefix, idleMs: 60_000, maxAgeMs: 3_600_000 });
    const a = await store.create('ana', CRED);
    const keys = (await t.redis.keys(`${prefix}*`)).sort();
    expect(keys).to.deep.equal([`${prefix}agent:ana`, `${prefix}session:${deskSessionDigest(a.id)}`]);
    const fields = await t.redis.hgetall(`${prefix}session:${deskSessionDigest(a.id)}`);
    expect(Object.keys(fields).sort()).to.deep.equal(['agent', 'created', 'cred', 'csrf', 'seen']);
    expect(fields.cred).to.equal(CRED);
    expect(JSON.stringify(fields)).not.to.contain(a.id);
    const sessionTtl = await t.redis.pttl(`${prefix}session:${deskSessionDigest(a.id)}`);
    expect(sessionTtl).to.be.within(1, 61_000);
    expect(await t.redis.pttl(`${prefix}agent:ana`)).to.be.within(60_000, 3_601_000);
    // Signing out leaves nothing behind.
    await store.destroy(a.id);
    expect(await t.redis.keys(`${prefix}session:*`)).to.deep.equal([]);
    expect(await t.redis.smembers(`${prefix}agent:ana`)).to.deep.equal([]);
  });

  it('gives back a session stored without a credential digest (before it was kept) with an empty one', async function () {
    const prefix = t.prefix('desk-sessions-legacy');
    const store = new RedisDeskSessionStore({ redis: t.redis, keyPrefix: prefix, idleMs: 60_000, maxAgeMs: 3_600_000 });
    const a = await store.create('ana', CRED);
    await t.redis.hdel(`${prefix}session:${deskSessionDigest(a.id)}`, 'cred');
    expect(await store.touch(a.id)).to.include({ agentId: 'ana', credentialDigest: '', csrfToken: a.csrfToken });
  });

  it('expires the Redis key itself once the session is idle (nothing lingers)', async function () {
    const prefix = t.prefix('desk-sessions-ttl');
    const store = new RedisDeskSessionStore({ redis: t.redis, keyPrefix: prefix, idleMs: 50, maxAgeMs: 10_000 });
    const a = await store.create('ana', CRED);
    await new Promise((r) => setTimeout(r, 1200)); // idle time + the store's 1 s margin for clock differences
    expect(await t.redis.exists(`${prefix}session:${deskSessionDigest(a.id)}`)).to.equal(0);
    expect(await store.touch(a.id)).to.equal(undefined);
  });
});

describe('deskCredentialDigest', function () {
  it('is the first 16 bytes of SHA-256 of the hash, base64url: short, and different for another hash', function () {
    const digest = deskCredentialDigest('scrypt$16384$8$1$salt$key');
    expect(digest).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(deskCredentialDigest('scrypt$16384$8$1$salt$key')).to.equal(digest);
    expect(deskCredentialDigest('scrypt$16384$8$1$salt$kez')).not.to.equal(digest);
    expect(digest).not.to.contain('salt');
  });
});
