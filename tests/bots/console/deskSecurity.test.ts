import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import sinon from 'sinon';
import { hashDeskPassword, isDeskPasswordHash, verifyDeskPassword } from '../../../bots/console/deskPassword';
import { parseDeskAgents } from '../../../bots/console/deskAgents';
import { LoginThrottle } from '../../../bots/console/loginThrottle';

describe('desk password hashing (scrypt, per-entry salt)', () => {
  it('verifies the right password only, and salts every hash differently', async () => {
    const a = await hashDeskPassword('correct horse', { N: 1024 });
    const b = await hashDeskPassword('correct horse', { N: 1024 });
    expect(a).not.to.equal(b);
    expect(isDeskPasswordHash(a)).to.equal(true);
    expect(a).to.match(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/).and.not.to.contain(':');
    expect(await verifyDeskPassword('correct horse', a)).to.equal(true);
    expect(await verifyDeskPassword('correct horse', b)).to.equal(true);
    expect(await verifyDeskPassword('correct hors', a)).to.equal(false);
    expect(await verifyDeskPassword('', a)).to.equal(false);
  });

  it('answers false, never throws, on malformed or tampered hashes', async () => {
    const h = await hashDeskPassword('pw-123456789', { N: 1024 });
    for (const bad of ['', 'plain', h.replace('scrypt', 'bcrypt'), h.replace('$1024$', '$1000$'), h.slice(0, -5)]) {
      expect(await verifyDeskPassword('pw-123456789', bad), bad).to.equal(false);
    }
    const flipped = h.slice(0, -2) + (h.endsWith('AA') ? 'AB' : 'AA');
    expect(await verifyDeskPassword('pw-123456789', flipped)).to.equal(false);
  });

  it('the CLI prints an entry that parses and verifies, reading the password from stdin', async function () {
    this.timeout(20000);
    const out = execFileSync('npx', ['tsx', 'scripts/hashDeskPassword.ts', 'zoe', 'Zoé Durand'], { input: 'a-long-password-42\n' }).toString().trim();
    const [agent] = parseDeskAgents(out);
    expect(agent).to.include({ id: 'zoe', displayName: 'Zoé Durand' });
    expect(await verifyDeskPassword('a-long-password-42', agent.passwordHash)).to.equal(true);
  });
});

describe('parseDeskAgents', () => {
  it('parses comma-separated id:name:hash entries and rejects bad ones by position', async () => {
    const h = await hashDeskPassword('x-123456789012', { N: 1024 });
    expect(parseDeskAgents(` ana:Ana Martin:${h} , ben:Ben:${h}`).map((a) => [a.id, a.displayName])).to.deep.equal([
      ['ana', 'Ana Martin'],
      ['ben', 'Ben'],
    ]);
    expect(parseDeskAgents('')).to.deep.equal([]);
    expect(() => parseDeskAgents(`ana:Ana:${h},bad id:B:${h}`)).to.throw(/entry 2/);
    expect(() => parseDeskAgents('ana:Ana:secret')).to.throw(/not a scrypt hash/);
  });
});

describe('LoginThrottle', () => {
  // The default store is rate-limiter-flexible's RateLimiterMemory, which reads Date.now and expires keys by timers.
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.restore());

  // A wrong password: the attempt is counted before the check and stays counted.
  const wrong = async (t: LoginThrottle, key: string): Promise<number> => {
    expect(await t.attempt(key), 'admitted').to.equal(0);
    return t.lockedFor(key);
  };

  it('allows 5 failures, then locks with doubling delays, and forgets after a success', async () => {
    const t = new LoginThrottle({ baseLockMs: 1000, maxLockMs: 5000 });
    for (let i = 0; i < 4; i++) expect(await wrong(t, 'ana')).to.equal(0);
    expect(await wrong(t, 'ana')).to.equal(1000);
    expect(await t.attempt('ana'), 'refused while locked, not counted').to.equal(1000);
    clock.tick(400);
    expect(await t.attempt('ana')).to.equal(600);
    clock.tick(600);
    expect(await t.lockedFor('ana')).to.equal(0);
    expect(await wrong(t, 'ana')).to.equal(2000);
    clock.tick(2000);
    expect(await wrong(t, 'ana')).to.equal(4000);
    clock.tick(4000);
    expect(await wrong(t, 'ana'), 'capped').to.equal(5000);
    expect(await t.lockedFor('ben')).to.equal(0);
    await t.reset('ana');
    expect(await t.lockedFor('ana')).to.equal(0);
    expect(await wrong(t, 'ana')).to.equal(0);
  });

  it('a refunded attempt (a right password) does not count', async () => {
    const t = new LoginThrottle({ freeFailures: 3 });
    for (let i = 0; i < 10; i++) {
      expect(await t.attempt('office')).to.equal(0);
      await t.refund('office');
    }
    expect(await wrong(t, 'office')).to.equal(0);
    expect(await wrong(t, 'office')).to.equal(0);
    expect(await wrong(t, 'office')).to.equal(1000);
  });

  it('forgets old failures', async () => {
    const t = new LoginThrottle({ forgetAfterMs: 10_000 });
    for (let i = 0; i < 4; i++) await wrong(t, 'ip');
    clock.tick(11_000);
    expect(await wrong(t, 'ip')).to.equal(0);
  });
});
