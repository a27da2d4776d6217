import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import {
  computeWebhookSignature,
  signWebhook,
  verifyWebhookSignature,
} from '../../../../middleware/handoff/hubs/webhookSigning';

const SECRET = 'whsec_current_0123456789abcdef';
const OLD = 'whsec_previous_0123456789abcdef';
const BODY = JSON.stringify({ caseId: 'C-7K3P', state: 'accepted', note: 'café ✓' });
const NOW = Date.UTC(2025, 4, 1, 12, 0, 0);

function headersFor(body: string, secret: string | string[], at = NOW) {
  const h = signWebhook(body, secret, at);
  return { signature: h['X-Warmline-Signature'], timestamp: h['X-Warmline-Timestamp'] };
}

describe('webhookSigning', function () {
  it('signs HMAC-SHA256 over "timestamp.body" as v1=<hex> with unix seconds', function () {
    const h = signWebhook(BODY, SECRET, NOW + 999);
    const ts = String(Math.floor(NOW / 1000));
    expect(h['X-Warmline-Timestamp']).to.equal(ts);
    const expected = createHmac('sha256', SECRET).update(`${ts}.${BODY}`).digest('hex');
    expect(h['X-Warmline-Signature']).to.equal(`v1=${expected}`);
    expect(computeWebhookSignature(SECRET, Number(ts), Buffer.from(BODY, 'utf8'))).to.equal(expected);
  });

  it('accepts a good signature', function () {
    const v = verifyWebhookSignature({ rawBody: BODY, ...headersFor(BODY, SECRET), secrets: [SECRET], now: () => NOW });
    expect(v).to.include({ ok: true, secretIndex: 0 });
  });

  const cases: Array<{ name: string; body?: string; signature?: string; timestamp?: string; secrets?: string[]; at?: number; reason: string }> = [
    { name: 'a wrong secret', secrets: ['another_secret_0123456789'], reason: 'mismatch' },
    { name: 'a tampered body', body: BODY.replace('accepted', 'completed'), reason: 'mismatch' },
    { name: 'a body differing by one space', body: `${BODY} `, reason: 'mismatch' },
    { name: 'a stale timestamp (6 minutes old)', at: NOW + 6 * 60_000, reason: 'stale' },
    { name: 'a future timestamp (6 minutes ahead)', at: NOW - 6 * 60_000, reason: 'future' },
    { name: 'no signature', signature: '', reason: 'missing_signature' },
    { name: 'no timestamp', timestamp: '', reason: 'missing_timestamp' },
    { name: 'a non-numeric timestamp', timestamp: '12a', reason: 'malformed' },
    { name: 'an unknown scheme', signature: `v0=${'a'.repeat(64)}`, reason: 'malformed' },
    { name: 'a truncated hex', signature: 'v1=abcd', reason: 'malformed' },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, function () {
      const h = headersFor(BODY, SECRET);
      const v = verifyWebhookSignature({
        rawBody: c.body ?? BODY,
        signature: c.signature ?? h.signature,
        timestamp: c.timestamp ?? h.timestamp,
        secrets: c.secrets ?? [SECRET],
        now: () => c.at ?? NOW,
      });
      expect(v).to.deep.equal({ ok: false, reason: c.reason });
    });
  }

  it('accepts timestamps inside the window both ways and honours a custom tolerance', function () {
    const h = headersFor(BODY, SECRET);
    for (const at of [NOW + 299_000, NOW - 299_000]) {
      expect(verifyWebhookSignature({ rawBody: BODY, ...h, secrets: [SECRET], now: () => at }).ok).to.equal(true);
    }
    expect(verifyWebhookSignature({ rawBody: BODY, ...h, secrets: [SECRET], now: () => NOW + 61_000, toleranceSeconds: 60 })).to.deep.equal({ ok: false, reason: 'stale' });
  });

  it('supports rotation: the receiver accepts the old and the new secret and says which matched', function () {
    const fromOldSender = headersFor(BODY, OLD);
    const v = verifyWebhookSignature({ rawBody: BODY, ...fromOldSender, secrets: [SECRET, OLD], now: () => NOW });
    expect(v).to.include({ ok: true, secretIndex: 1 });
    // Once the old secret is retired, the old signature is refused.
    expect(verifyWebhookSignature({ rawBody: BODY, ...fromOldSender, secrets: [SECRET], now: () => NOW }).ok).to.equal(false);
  });

  it('supports rotation: a sender signing with both secrets is accepted by a receiver knowing either', function () {
    const both = headersFor(BODY, [SECRET, OLD]);
    expect(both.signature.split(',')).to.have.length(2);
    expect(verifyWebhookSignature({ rawBody: BODY, ...both, secrets: [OLD], now: () => NOW }).ok).to.equal(true);
    expect(verifyWebhookSignature({ rawBody: BODY, ...both, secrets: [SECRET], now: () => NOW }).ok).to.equal(true);
  });

  it('hashes bytes: a Buffer and its UTF-8 string verify alike; an array header uses its first value', function () {
    const h = headersFor(BODY, SECRET);
    const v = verifyWebhookSignature({ rawBody: Buffer.from(BODY, 'utf8'), signature: [h.signature], timestamp: [h.timestamp], secrets: [SECRET], now: () => NOW });
    expect(v.ok).to.equal(true);
  });

  it('refuses to work without a secret', function () {
    expect(() => verifyWebhookSignature({ rawBody: BODY, signature: 'v1=x', timestamp: '1', secrets: [''] })).to.throw(TypeError);
    expect(() => signWebhook(BODY, [])).to.throw(TypeError);
  });
});
