import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import {
  computeHandoffStatusSignature,
  HandoffStatusVerifier,
  signHandoffStatus,
} from '../../../../middleware/handoff/hubs/handoffStatusVerifier';

const SECRET = 'status-secret-0123456789';
const NOW_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const NOW = NOW_MS / 1000;

describe('HandoffStatusVerifier', function () {
  let clock: number;
  let verifier: HandoffStatusVerifier;
  beforeEach(function () {
    clock = NOW_MS;
    verifier = new HandoffStatusVerifier({ secret: SECRET, now: () => clock });
  });

  it('signs base64url(HMAC-SHA256(secret, "caseId.state.timestamp")), as documented for hub authors', function () {
    const expected = createHmac('sha256', SECRET).update('C-7K3P.accepted.1767225600').digest('base64url');
    expect(computeHandoffStatusSignature(SECRET, 'C-7K3P', 'accepted', NOW)).to.equal(expected);
    expect(signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'accepted' }, NOW_MS)).to.deep.equal({
      caseId: 'C-7K3P',
      state: 'accepted',
      timestamp: NOW,
      signature: expected,
    });
    expect(() => computeHandoffStatusSignature(SECRET, 'C-7K3P', 'accepted', 1.5)).to.throw(/Unix seconds/);
  });

  it('accepts a fresh, correctly signed status once; the same signature again is a replay', function () {
    const signed = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'accepted' }, NOW_MS);
    expect(verifier.verify(signed)).to.deep.equal({ ok: true });
    expect(verifier.verify(signed)).to.deep.equal({ ok: false, reason: 'replayed' });
    // A retry signed a second later is a new signature.
    expect(verifier.verify(signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'accepted' }, NOW_MS + 1000))).to.deep.equal({ ok: true });
  });

  it('refuses a signature for another case, another state, another time or another secret', function () {
    const signed = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'accepted' }, NOW_MS);
    expect(verifier.verify({ ...signed, caseId: 'C-7K3Q' })).to.deep.equal({ ok: false, reason: 'mismatch' });
    expect(verifier.verify({ ...signed, state: 'completed' })).to.deep.equal({ ok: false, reason: 'mismatch' });
    expect(verifier.verify({ ...signed, timestamp: NOW - 1 })).to.deep.equal({ ok: false, reason: 'mismatch' });
    expect(verifier.verify(signHandoffStatus('another-secret-0123456789', { caseId: 'C-7K3P', state: 'accepted' }, NOW_MS))).to.deep.equal({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifier.verify({ ...signed, signature: signed.signature.slice(0, -1) })).to.deep.equal({ ok: false, reason: 'mismatch' });
    // Refused attempts are not remembered: the genuine status still goes through.
    expect(verifier.replayCacheSize).to.equal(0);
    expect(verifier.verify(signed)).to.deep.equal({ ok: true });
  });

  it('refuses what is missing, and timestamps outside the 5-minute window both ways', function () {
    const signed = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'completed' }, NOW_MS);
    expect(verifier.verify({ state: 'completed', timestamp: NOW, signature: signed.signature })).to.deep.equal({ ok: false, reason: 'missing_case_id' });
    expect(verifier.verify({ caseId: 'C-7K3P', state: 'completed', timestamp: NOW })).to.deep.equal({ ok: false, reason: 'missing_signature' });
    expect(verifier.verify({ caseId: 'C-7K3P', state: 'completed', signature: signed.signature })).to.deep.equal({ ok: false, reason: 'missing_timestamp' });
    const old = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'completed' }, NOW_MS - 301_000);
    const edge = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'completed' }, NOW_MS - 300_000);
    const ahead = signHandoffStatus(SECRET, { caseId: 'C-7K3P', state: 'completed' }, NOW_MS + 301_000);
    expect(verifier.verify(old)).to.deep.equal({ ok: false, reason: 'stale' });
    expect(verifier.verify(ahead)).to.deep.equal({ ok: false, reason: 'future' });
    expect(verifier.verify(edge)).to.deep.equal({ ok: true });
  });

  it('accepts the canonical state or the exact word that decided it, never another outcome', function () {
    // {state: "failed", code: "timedOut"} means timedOut: signing "timedOut" is right; "failed" would allow swapping the code.
    const base = { caseId: 'C-7K3P', timestamp: NOW };
    expect(verifier.verify({ ...base, state: 'timedOut', rawState: 'timedOut', signature: computeHandoffStatusSignature(SECRET, 'C-7K3P', 'timedOut', NOW) })).to.deep.equal({ ok: true });
    expect(verifier.verify({ ...base, state: 'timedOut', rawState: 'timedOut', signature: computeHandoffStatusSignature(SECRET, 'C-7K3P', 'failed', NOW) })).to.deep.equal({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifier.verify({ ...base, state: 'accepted', rawState: 'Accepted', signature: computeHandoffStatusSignature(SECRET, 'C-7K3P', 'Accepted', NOW) })).to.deep.equal({ ok: true });
  });

  it('forgets signatures once they are out of the window, and keeps at most maxReplayEntries', function () {
    const signed = signHandoffStatus(SECRET, { caseId: 'C-1', state: 'accepted' }, NOW_MS);
    expect(verifier.verify(signed).ok).to.equal(true);
    clock = NOW_MS + 400_000;
    expect(verifier.verify(signHandoffStatus(SECRET, { caseId: 'C-2', state: 'accepted' }, clock)).ok).to.equal(true);
    expect(verifier.replayCacheSize).to.equal(1);
    expect(verifier.verify(signed)).to.deep.equal({ ok: false, reason: 'stale' });

    const small = new HandoffStatusVerifier({ secret: SECRET, now: () => NOW_MS, maxReplayEntries: 2 });
    for (const id of ['C-1', 'C-2', 'C-3']) expect(small.verify(signHandoffStatus(SECRET, { caseId: id, state: 'accepted' }, NOW_MS)).ok).to.equal(true);
    expect(small.replayCacheSize).to.equal(2);
  });

  it('needs a real secret', function () {
    expect(() => new HandoffStatusVerifier({ secret: 'short' })).to.throw(/16\+ characters/);
  });
});
