import { expect } from 'chai';
import { register, Registry } from 'prom-client';
import { ConfigError, loadConfig } from '../../../config';
import { COLLECT_ERRORS_METRIC, createMetricsRegistry, MAX_HISTOGRAM_BUCKETS } from '../../../bots/app/metricsRegistry';
import { checkMetricsAccess, isLoopbackAddress, isLoopbackHost, registerProcessMetrics } from '../../../bots/app/metrics';
import { parseExposition, sampleValue } from '../../helpers/prometheusText';

describe('metrics registry (Prometheus text format 0.0.4)', () => {
  it('renders counters, gauges and histograms that a strict reader accepts', async () => {
    const r = createMetricsRegistry();
    const c = r.counter({ name: 'shop_orders_total', help: 'Orders.', labels: { channel: ['msteams', 'slack'] } });
    const plain = r.counter({ name: 'shop_events_total', help: 'Events.' });
    const g = r.gauge({ name: 'shop_temperature', help: 'Temp.' });
    const h = r.histogram({ name: 'shop_latency_seconds', help: 'Latency.', labels: { channel: ['msteams'] }, buckets: [0.1, 1, 10] });
    c.inc({ channel: 'msteams' });
    c.inc({ channel: 'msteams' }, 2);
    c.child({ channel: 'slack' }).inc();
    plain.inc();
    g.set(-2.5);
    for (const v of [0.05, 0.1, 0.5, 5, 50]) h.observe({ channel: 'msteams' }, v);
    const text = await r.render();
    const f = parseExposition(text);
    expect(sampleValue(f, 'shop_orders_total', { channel: 'msteams' })).to.equal(3);
    expect(sampleValue(f, 'shop_orders_total', { channel: 'slack' })).to.equal(1);
    expect(sampleValue(f, 'shop_events_total')).to.equal(1);
    expect(sampleValue(f, 'shop_temperature')).to.equal(-2.5);
    // Buckets are upper-inclusive and cumulative; +Inf equals the count.
    expect(['0.1', '1', '10', '+Inf'].map((le) => sampleValue(f, 'shop_latency_seconds_bucket', { channel: 'msteams', le }))).to.deep.equal([2, 3, 4, 5]);
    expect(sampleValue(f, 'shop_latency_seconds_count', { channel: 'msteams' })).to.equal(5);
    expect(sampleValue(f, 'shop_latency_seconds_sum', { channel: 'msteams' })).to.be.closeTo(55.65, 1e-9);
    expect(f.get('shop_orders_total')?.type).to.equal('counter');
    expect(f.get('shop_latency_seconds')?.type).to.equal('histogram');
    expect(text).to.contain('# TYPE shop_orders_total counter\n');
    // An unlabelled metric has its one series from the start (rate() and increase() then see the first event).
    r.counter({ name: 'zero_total', help: 'Nothing yet.' });
    r.histogram({ name: 'zero_seconds', help: 'Nothing yet.', buckets: [1] });
    const later = parseExposition(await r.render());
    expect(sampleValue(later, 'zero_total')).to.equal(0);
    expect(sampleValue(later, 'zero_seconds_bucket', { le: '+Inf' })).to.equal(0);
    expect(sampleValue(later, 'zero_seconds_count')).to.equal(0);
  });

  it('escapes label values and help text, and reports values outside the allow-list as "other"', async () => {
    const r = createMetricsRegistry();
    const odd = 'a"b\\c\nd';
    const c = r.counter({ name: 'odd_total', help: 'Back\\slash and\nnewline.', labels: { kind: [odd] } });
    c.inc({ kind: odd });
    c.inc({ kind: 'customer typed this' });
    const text = await r.render();
    expect(text).to.contain('odd_total{kind="a\\"b\\\\c\\nd"} 1');
    expect(text).to.contain('# HELP odd_total Back\\\\slash and\\nnewline.');
    const f = parseExposition(text);
    expect(f.get('odd_total')?.help).to.equal('Back\\slash and\nnewline.');
    expect(sampleValue(f, 'odd_total', { kind: odd })).to.equal(1);
    expect(sampleValue(f, 'odd_total', { kind: 'other' })).to.equal(1);
    expect(text).not.to.contain('customer typed this');
  });

  it('refuses bad definitions: counter names without _total, duplicates, bad names, too many or unordered buckets', async () => {
    const r = createMetricsRegistry();
    expect(() => r.counter({ name: 'orders', help: 'x' })).to.throw(/_total/);
    r.gauge({ name: 'dup', help: 'x' });
    expect(() => r.gauge({ name: 'dup', help: 'x' })).to.throw(/already (been )?registered/);
    expect(() => r.gauge({ name: 'bad-name', help: 'x' })).to.throw(/invalid metric name/i);
    expect(() => r.gauge({ name: 'g2', help: 'x', labels: { __reserved: [] } })).to.throw(/invalid label name/);
    expect(() => r.histogram({ name: 'h1', help: 'x', buckets: Array.from({ length: MAX_HISTOGRAM_BUCKETS + 1 }, (_, i) => i + 1) })).to.throw(/buckets/);
    expect(() => r.histogram({ name: 'h2', help: 'x', buckets: [1, 1] })).to.throw(/increasing/);
    expect(() => r.histogram({ name: 'h3', help: 'x', labels: { le: [] }, buckets: [1] })).to.throw(/invalid label name/);
    r.histogram({ name: 'h4', help: 'x', buckets: [1] });
    expect(() => r.gauge({ name: 'h4_count', help: 'x' })).to.throw(/clashes/);
    expect(() => r.counter({ name: 'neg_total', help: 'x' }).inc(-1)).to.throw(/decrease/);
    expect(() => r.gauge({ name: 'dup', help: 'x', collect: (set) => set(1) })).to.throw(/already (been )?registered/);
    // Nothing half-registered by a refused definition.
    expect(r.names()).to.deep.equal([COLLECT_ERRORS_METRIC, 'dup', 'h4', 'neg_total']);
    expect(sampleValue(parseExposition(await r.render()), COLLECT_ERRORS_METRIC, { metric: 'dup' })).to.equal(undefined);
  });

  it('each registry is a prom-client Registry of its own, never the global one', async () => {
    const a = createMetricsRegistry();
    const b = createMetricsRegistry();
    a.counter({ name: 'same_total', help: 'x' }).inc();
    b.counter({ name: 'same_total', help: 'x' });
    expect(a.prometheus).to.be.instanceOf(Registry).and.not.equal(register);
    expect(sampleValue(parseExposition(await a.render()), 'same_total')).to.equal(1);
    expect(sampleValue(parseExposition(await b.render()), 'same_total')).to.equal(0);
    expect(register.getSingleMetric('same_total')).to.equal(undefined);
  });

  it('a counter read that goes down or is not finite fails that read, not the scrape', async () => {
    const errors: string[] = [];
    const r = createMetricsRegistry({ onCollectError: (metric, err) => errors.push(`${metric}:${(err as Error).name}`) });
    let value = 5;
    r.counter({ name: 'read_total', help: 'x', collect: (set) => set(value) });
    expect(sampleValue(parseExposition(await r.render()), 'read_total')).to.equal(5);
    value = -1;
    const f = parseExposition(await r.render());
    expect(f.get('read_total')?.samples).to.deep.equal([]);
    expect(sampleValue(f, COLLECT_ERRORS_METRIC, { metric: 'read_total' })).to.equal(1);
    expect(errors).to.deep.equal(['read_total:RangeError']);
  });

  it('a failed or slow collect leaves that metric without samples, counts the error and the scrape still answers', async () => {
    const errors: string[] = [];
    const r = createMetricsRegistry({ collectTimeoutMs: 50, onCollectError: (metric, err) => errors.push(`${metric}:${(err as Error).name}`) });
    r.gauge({ name: 'ok_gauge', help: 'x', collect: (set) => set(7) });
    r.gauge({
      name: 'broken_gauge',
      help: 'x',
      collect: async () => {
        throw new Error('store down');
      },
    });
    r.gauge({ name: 'slow_gauge', help: 'x', collect: (set) => new Promise<void>((resolve) => setTimeout(() => (set(1), resolve()), 300)) });
    const f = parseExposition(await r.render());
    expect(sampleValue(f, 'ok_gauge')).to.equal(7);
    expect(f.get('broken_gauge')?.samples).to.deep.equal([]);
    expect(f.get('slow_gauge')?.samples).to.deep.equal([]);
    expect(sampleValue(f, COLLECT_ERRORS_METRIC, { metric: 'broken_gauge' })).to.equal(1);
    expect(sampleValue(f, COLLECT_ERRORS_METRIC, { metric: 'slow_gauge' })).to.equal(1);
    expect(sampleValue(f, COLLECT_ERRORS_METRIC, { metric: 'ok_gauge' })).to.equal(0);
    expect(errors.sort()).to.deep.equal(['broken_gauge:Error', 'slow_gauge:CollectTimeoutError']);
  });

  it('concurrent scrapes share one collect', async () => {
    const r = createMetricsRegistry();
    let calls = 0;
    r.gauge({
      name: 'reads',
      help: 'x',
      collect: async (set) => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        set(calls);
      },
    });
    const [a, b] = await Promise.all([r.render(), r.render()]);
    expect(calls).to.equal(1);
    expect(a).to.equal(b);
    await r.render();
    expect(calls).to.equal(2);
  });

  it('process metrics are read at scrape time', async () => {
    const r = createMetricsRegistry();
    const stop = registerProcessMetrics(r);
    try {
      const f = parseExposition(await r.render());
      expect(sampleValue(f, 'process_resident_memory_bytes')).to.be.greaterThan(1e6);
      expect(sampleValue(f, 'nodejs_heap_used_bytes')).to.be.greaterThan(1e5);
      expect(sampleValue(f, 'process_cpu_seconds_total')).to.be.greaterThan(0);
      expect(f.get('process_cpu_seconds_total')?.type).to.equal('counter');
      const start = sampleValue(f, 'process_start_time_seconds') as number;
      expect(start).to.be.within(Date.now() / 1000 - process.uptime() - 5, Date.now() / 1000);
      expect(sampleValue(f, 'nodejs_eventloop_lag_seconds')).to.be.at.least(0);
    } finally {
      stop();
    }
  });
});

describe('metrics access', () => {
  const TOKEN = 'scrape-token-0123456789';
  const req = (remoteAddress: string | undefined, authorization?: string, forwarded = false) => ({ remoteAddress, authorization, forwarded });

  it('without a token: loopback clients only (IPv4, IPv6, IPv4-mapped), never a forwarded request', () => {
    expect(checkMetricsAccess(req('127.0.0.1'))).to.equal(200);
    expect(checkMetricsAccess(req('::1'))).to.equal(200);
    // A server listening beyond loopback (HOST 0.0.0.0) serves nobody without a token: a reverse proxy on the same
    // host could otherwise make every request look local.
    expect(checkMetricsAccess(req('127.0.0.1'), undefined, false)).to.equal(403);
    expect(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost')).to.equal(true);
    expect(isLoopbackHost('0.0.0.0') || isLoopbackHost('10.0.0.7') || isLoopbackHost('::')).to.equal(false);
    expect(checkMetricsAccess(req('::ffff:127.0.0.1'))).to.equal(200);
    expect(checkMetricsAccess(req('10.0.0.7'))).to.equal(403);
    expect(checkMetricsAccess(req('::ffff:192.168.1.20'))).to.equal(403);
    expect(checkMetricsAccess(req('2001:db8::1'))).to.equal(403);
    expect(checkMetricsAccess(req(undefined))).to.equal(403);
    // A reverse proxy on the same host: the peer is loopback, the client is not.
    expect(checkMetricsAccess(req('127.0.0.1', undefined, true))).to.equal(403);
    expect(isLoopbackAddress('127.12.0.1')).to.equal(true);
    expect(isLoopbackAddress('128.0.0.1')).to.equal(false);
  });

  it('with a token: the right bearer token from anywhere, 401 otherwise (loopback included)', () => {
    expect(checkMetricsAccess(req('10.0.0.7', `Bearer ${TOKEN}`), TOKEN)).to.equal(200);
    expect(checkMetricsAccess(req('10.0.0.7', `bearer ${TOKEN}`, true), TOKEN)).to.equal(200);
    expect(checkMetricsAccess(req('10.0.0.7', `Bearer ${TOKEN}x`), TOKEN)).to.equal(401);
    expect(checkMetricsAccess(req('10.0.0.7', `Bearer ${TOKEN.slice(0, -1)}`), TOKEN)).to.equal(401);
    expect(checkMetricsAccess(req('10.0.0.7', `Basic ${TOKEN}`), TOKEN)).to.equal(401);
    expect(checkMetricsAccess(req('127.0.0.1'), TOKEN)).to.equal(401);
  });
});

describe('METRICS_TOKEN configuration', () => {
  it('is optional, and when set needs at least 16 printable characters without spaces', () => {
    expect(loadConfig({}).METRICS_TOKEN).to.equal(undefined);
    expect(loadConfig({ METRICS_TOKEN: '' }).METRICS_TOKEN).to.equal(undefined);
    expect(loadConfig({ METRICS_TOKEN: 'scrape-token-0123456789' }).METRICS_TOKEN).to.equal('scrape-token-0123456789');
    for (const bad of ['short-token', 'sixteen chars with spaces']) {
      try {
        loadConfig({ METRICS_TOKEN: bad });
        expect.fail('expected a ConfigError');
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).issues.map((i) => i.key)).to.deep.equal(['METRICS_TOKEN']);
        expect((err as ConfigError).message).to.contain('METRICS_TOKEN').and.not.contain(bad);
      }
    }
  });
});
