import { expect } from 'chai';
import { ALL_ROUTES, DEFAULT_SEED, runFuzz } from '../../bench/fuzz/fuzzRunner';
import { formatReport } from '../../bench/fuzz/fuzzReport';

// A small seeded pass of `npm run fuzz` (bench/fuzz): the same generators, child server and checks, 100 requests per
// route. The failure message is the fuzzer's report, with the offending requests.
describe('hardening: seeded fuzz of a real server', function () {
  this.timeout(90_000);

  it('answers 100 hostile requests per route without a crash, a 5xx or a hang', async () => {
    const report = await runFuzz({ seed: DEFAULT_SEED, runsPerRoute: 100 });
    const sum = (k: 'crashes' | 'serverErrors' | 'hangs') => report.routes.reduce((n, r) => n + r[k], 0);

    expect({ crashes: sum('crashes'), serverErrors: sum('serverErrors'), hangs: sum('hangs') }, formatReport(report)).to.deep.equal({
      crashes: 0,
      serverErrors: 0,
      hangs: 0,
    });
    // Every route really ran (a request node's client refused to send is not counted).
    expect(report.routes.map((r) => r.name)).to.deep.equal(ALL_ROUTES.map((r) => r.name));
    for (const r of report.routes) expect(r.requests + r.skipped, `${r.name}: requests sent`).to.equal(100);
    // 501 (file uploads, invokes nobody handles) and 503 with Retry-After (a copy of an activity in progress) are
    // documented answers, not failures: but a route that answered them to everything would hide a fault.
    for (const r of report.routes) expect(r.documented5xx, `${r.name}: documented 5xx`).to.be.at.most(10);
  });
});
