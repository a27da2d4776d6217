/**
 * A small metrics registry (counters, gauges, histograms) rendered in the Prometheus text exposition format 0.0.4.
 *
 * @remarks Label values are bounded by construction: every label declares its allowed values, and any other value is
 * reported as `other`. Never put customer text, customer or conversation ids in a label's allowed values.
 * Hot paths take a {@link Counter.child} / {@link Histogram.child} handle once and then only add numbers.
 */

/** Content type of the Prometheus text exposition format, version 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The label value every value outside a label's allowed values is reported as. */
export const OTHER_LABEL_VALUE = 'other';

/** Most finite buckets a histogram may have (observe is a loop over them). */
export const MAX_HISTOGRAM_BUCKETS = 12;

/** One value per label. */
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** The allowed values of each label (anything else becomes `other`). */
export type LabelAllowList<L extends string> = Readonly<Record<L, readonly string[]>>;

/** Arguments of `inc`: `(value?)` without labels, `(labels, value?)` with labels. */
export type IncArgs<L extends string> = [L] extends [never] ? [value?: number] : [labels: LabelValues<L>, value?: number];

/** Arguments of `set` and `observe`: `(value)` without labels, `(labels, value)` with labels. */
export type ValueArgs<L extends string> = [L] extends [never] ? [value: number] : [labels: LabelValues<L>, value: number];

/** Sets one series of a collected metric (see `collect`). */
export type CollectSetter<L extends string> = (...args: ValueArgs<L>) => void;

/** What every metric is declared with. */
export interface MetricOptions<L extends string> {
  /** Metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters end in `_total`. */
  readonly name: string;
  /** One line for `# HELP`. */
  readonly help: string;
  /** Labels and their allowed values. Default none. */
  readonly labels?: LabelAllowList<L>;
}

/** Options of {@link MetricsRegistry.counter}. */
export interface CounterOptions<L extends string> extends MetricOptions<L> {
  /**
   * Reads the value at scrape time instead of counting (e.g. CPU seconds from the process). Series set by one
   * collect replace those of the previous one; when it throws or times out the metric has no samples this scrape.
   */
  readonly collect?: (set: CollectSetter<L>) => void | Promise<void>;
}

/** Options of {@link MetricsRegistry.gauge}. */
export interface GaugeOptions<L extends string> extends MetricOptions<L> {
  /** Reads the value at scrape time (see {@link CounterOptions.collect}). */
  readonly collect?: (set: CollectSetter<L>) => void | Promise<void>;
}

/** Options of {@link MetricsRegistry.histogram}. */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, strictly increasing, finite, 1 to {@link MAX_HISTOGRAM_BUCKETS}; `+Inf` is added. */
  readonly buckets: readonly number[];
}

/** One series of a counter, for hot paths: take it once, then `inc`. */
export interface CounterChild {
  inc(value?: number): void;
  readonly value: number;
}

/** One series of a gauge. */
export interface GaugeChild {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
  readonly value: number;
}

/** One series of a histogram, for hot paths: take it once, then `observe`. */
export interface HistogramChild {
  observe(value: number): void;
  readonly count: number;
  readonly sum: number;
}

/** A monotonically increasing count. */
export interface Counter<L extends string = never> {
  readonly name: string;
  /** Adds `value` (default 1, never negative) to the series of `labels`. */
  inc(...args: IncArgs<L>): void;
  /** The series of `labels` (created at 0 when new). */
  child(labels: LabelValues<L>): CounterChild;
}

/** A value that goes up and down. */
export interface Gauge<L extends string = never> {
  readonly name: string;
  set(...args: ValueArgs<L>): void;
  inc(...args: IncArgs<L>): void;
  dec(...args: IncArgs<L>): void;
  child(labels: LabelValues<L>): GaugeChild;
}

/** Observations counted into buckets, with their sum and count. */
export interface Histogram<L extends string = never> {
  readonly name: string;
  observe(...args: ValueArgs<L>): void;
  child(labels: LabelValues<L>): HistogramChild;
}

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Longest a scrape waits for one metric's `collect`. Default 3000 ms. */
  readonly collectTimeoutMs?: number;
  /** Told when a `collect` fails or times out (log the metric name and the error class, nothing else). */
  readonly onCollectError?: (metric: string, error: unknown) => void;
}

/**
 * Holds metrics and renders them. One registry per app; a bot developer adds their own metrics to the app's.
 *
 * @example
 * const orders = app.metrics.counter({ name: 'shop_orders_total', help: 'Orders placed.', labels: { channel: ['msteams', 'slack'] } });
 * orders.inc({ channel: ctx.activity.channelId });
 */
export interface MetricsRegistry {
  counter<L extends string = never>(options: CounterOptions<L>): Counter<L>;
  gauge<L extends string = never>(options: GaugeOptions<L>): Gauge<L>;
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L>;
  /** Runs the collects (one run at a time, shared by concurrent scrapes) and renders every metric. */
  render(): Promise<string>;
  /** Names of the registered metrics, in registration order. */
  names(): string[];
}

/** Counts failed or timed-out collects, by metric name. */
export const COLLECT_ERRORS_METRIC = 'warmline_metrics_collect_errors_total';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeLabelValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as the text format writes it. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders label values (already allowed) into the `a="x",b="y"` key of a series. */
class LabelSet<L extends string> {
  readonly names: readonly L[];
  private readonly allowed: ReadonlyArray<ReadonlySet<string>>;

  constructor(metric: string, spec: LabelAllowList<L> | undefined, reserved: readonly string[]) {
    this.names = spec ? (Object.keys(spec) as L[]) : [];
    const allowed: Array<ReadonlySet<string>> = [];
    for (const name of this.names) {
      if (!LABEL_NAME.test(name) || name.startsWith('__') || reserved.includes(name)) {
        throw new TypeError(`metrics: ${metric} has an invalid label name "${name}"`);
      }
      const values = (spec as LabelAllowList<L>)[name];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
        throw new TypeError(`metrics: label "${name}" of ${metric} needs an array of allowed values`);
      }
      allowed.push(new Set(values));
    }
    this.allowed = allowed;
  }

  /** Lets a label take one more value (internal: the collect-errors counter learns each collected metric). */
  allow(index: number, value: string): void {
    (this.allowed[index] as Set<string>).add(value);
  }

  key(values: LabelValues<L> | undefined): string {
    let key = '';
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as L;
      const raw = values?.[name];
      const value = typeof raw === 'string' && (this.allowed[i] as ReadonlySet<string>).has(raw) ? raw : OTHER_LABEL_VALUE;
      key += `${i ? ',' : ''}${name}="${escapeLabelValue(value)}"`;
    }
    return key;
  }
}

interface Renderable {
  readonly name: string;
  render(out: string[]): void;
  collect?(): Promise<void>;
}

type Collect<L extends string> = ((set: CollectSetter<L>) => void | Promise<void>) | undefined;

/** Runs one collect into a fresh map of series key -> value; `undefined` when it failed or timed out. */
type RunCollect = (metric: string, work: (set: (key: string, value: number) => void) => void | Promise<void>) => Promise<Map<string, number> | undefined>;

/** Splits `(value?)` / `(labels, value?)` arguments. */
function splitArgs<L extends string>(labelled: boolean, args: readonly unknown[]): [LabelValues<L> | undefined, number | undefined] {
  if (labelled) return [args[0] as LabelValues<L> | undefined, args[1] as number | undefined];
  return [undefined, args[0] as number | undefined];
}

abstract class ScalarMetric<L extends string, S extends { value: number }> implements Renderable {
  protected series = new Map<string, S>();
  protected readonly labels: LabelSet<L>;

  constructor(
    readonly name: string,
    protected readonly help: string,
    protected readonly type: 'counter' | 'gauge',
    spec: LabelAllowList<L> | undefined,
    private readonly collector: Collect<L>,
    private readonly runCollect: RunCollect,
  ) {
    this.labels = new LabelSet(name, spec, []);
  }

  /** Call at the end of the subclass constructor: an unlabelled, counted metric has its one series at 0 from the start. */
  protected init(): void {
    if (!this.labelled && !this.collector) this.seriesFor(undefined);
  }

  protected abstract create(key: string): S;

  protected valueOf(series: S): number {
    return series.value;
  }

  protected assign(series: S, value: number): void {
    series.value = value;
  }

  protected seriesFor(labels: LabelValues<L> | undefined): S {
    const key = this.labels.key(labels);
    let s = this.series.get(key);
    if (!s) {
      s = this.create(key);
      this.series.set(key, s);
    }
    return s;
  }

  protected get labelled(): boolean {
    return this.labels.names.length > 0;
  }

  async collect(): Promise<void> {
    const collector = this.collector;
    if (!collector) return;
    const labelled = this.labelled;
    const fresh = await this.runCollect(this.name, (set) =>
      collector(((...args: unknown[]) => {
        const [labels, value] = labelled ? [args[0] as LabelValues<L>, args[1] as number] : [undefined, args[0] as number];
        if (typeof value === 'number') set(this.labels.key(labels), value);
      }) as CollectSetter<L>),
    );
    // Only a successful collect replaces the series; a failed one leaves the metric without samples.
    const next = new Map<string, S>();
    for (const [key, value] of fresh ?? []) {
      const s = this.create(key);
      this.assign(s, value);
      next.set(key, s);
    }
    this.series = next;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const [key, s] of this.series) out.push(`${this.name}${key ? `{${key}}` : ''} ${formatSampleValue(this.valueOf(s))}`);
  }
}

class CounterSeries implements CounterChild {
  value = 0;
  inc(value = 1): void {
    if (!(value >= 0) || value === Infinity) throw new RangeError('metrics: a counter only goes up by a finite amount');
    this.value += value;
  }
}

class CounterImpl<L extends string> extends ScalarMetric<L, CounterSeries> implements Counter<L> {
  constructor(options: CounterOptions<L>, runCollect: RunCollect) {
    super(options.name, options.help, 'counter', options.labels, options.collect, runCollect);
    this.init();
  }
  protected create(): CounterSeries {
    return new CounterSeries();
  }
  inc(...args: IncArgs<L>): void {
    const [labels, value] = splitArgs<L>(this.labelled, args);
    this.seriesFor(labels).inc(value ?? 1);
  }
  child(labels: LabelValues<L>): CounterChild {
    return this.seriesFor(labels);
  }
  /** Internal: the label set, so the registry can extend an allow-list. */
  get labelSet(): LabelSet<L> {
    return this.labels;
  }
}

class GaugeSeries implements GaugeChild {
  value = 0;
  set(value: number): void {
    this.value = value;
  }
  inc(value = 1): void {
    this.value += value;
  }
  dec(value = 1): void {
    this.value -= value;
  }
}

class GaugeImpl<L extends string> extends ScalarMetric<L, GaugeSeries> implements Gauge<L> {
  constructor(options: GaugeOptions<L>, runCollect: RunCollect) {
    super(options.name, options.help, 'gauge', options.labels, options.collect, runCollect);
    this.init();
  }
  protected create(): GaugeSeries {
    return new GaugeSeries();
  }
  set(...args: ValueArgs<L>): void {
    const [labels, value] = splitArgs<L>(this.labelled, args);
    this.seriesFor(labels).set(value as number);
  }
  inc(...args: IncArgs<L>): void {
    const [labels, value] = splitArgs<L>(this.labelled, args);
    this.seriesFor(labels).inc(value ?? 1);
  }
  dec(...args: IncArgs<L>): void {
    const [labels, value] = splitArgs<L>(this.labelled, args);
    this.seriesFor(labels).dec(value ?? 1);
  }
  child(labels: LabelValues<L>): GaugeChild {
    return this.seriesFor(labels);
  }
}

class HistogramSeries implements HistogramChild {
  /** Non-cumulative counts per bucket; the last one is `+Inf`. */
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  constructor(private readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    if (Number.isNaN(value)) return;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.count++;
    this.sum += value;
  }
}

class HistogramImpl<L extends string> implements Histogram<L>, Renderable {
  readonly name: string;
  private readonly help: string;
  private readonly labels: LabelSet<L>;
  private readonly bounds: Float64Array;
  private readonly les: string[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(options: HistogramOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labels = new LabelSet(options.name, options.labels, ['le']);
    const b = options.buckets;
    if (!Array.isArray(b) || b.length < 1 || b.length > MAX_HISTOGRAM_BUCKETS) {
      throw new TypeError(`metrics: ${options.name} needs 1 to ${MAX_HISTOGRAM_BUCKETS} buckets`);
    }
    for (let i = 0; i < b.length; i++) {
      if (!Number.isFinite(b[i]) || (i > 0 && !((b[i] as number) > (b[i - 1] as number)))) {
        throw new TypeError(`metrics: buckets of ${options.name} must be finite and strictly increasing`);
      }
    }
    this.bounds = Float64Array.from(b);
    this.les = [...b.map((x) => formatSampleValue(x)), '+Inf'];
    if (!this.labels.names.length) this.seriesFor(undefined);
  }

  private seriesFor(labels: LabelValues<L> | undefined): HistogramSeries {
    const key = this.labels.key(labels);
    let s = this.series.get(key);
    if (!s) {
      s = new HistogramSeries(this.bounds);
      this.series.set(key, s);
    }
    return s;
  }

  observe(...args: ValueArgs<L>): void {
    const [labels, value] = splitArgs<L>(this.labels.names.length > 0, args);
    if (typeof value === 'number') this.seriesFor(labels).observe(value);
  }

  child(labels: LabelValues<L>): HistogramChild {
    return this.seriesFor(labels);
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`);
    for (const [key, s] of this.series) {
      const prefix = key ? `${key},` : '';
      const braces = key ? `{${key}}` : '';
      let cumulative = 0;
      for (let i = 0; i < this.les.length; i++) {
        cumulative += s.counts[i] as number;
        out.push(`${this.name}_bucket{${prefix}le="${this.les[i]}"} ${formatSampleValue(cumulative)}`);
      }
      out.push(`${this.name}_sum${braces} ${formatSampleValue(s.sum)}`, `${this.name}_count${braces} ${formatSampleValue(s.count)}`);
    }
  }
}

class Registry implements MetricsRegistry {
  private readonly metrics = new Map<string, Renderable>();
  private readonly timeoutMs: number;
  private readonly onCollectError: (metric: string, error: unknown) => void;
  private readonly collectErrors: CounterImpl<'metric'>;
  private collecting: Promise<void> | undefined;

  constructor(options: MetricsRegistryOptions = {}) {
    this.timeoutMs = options.collectTimeoutMs ?? 3000;
    if (!(this.timeoutMs > 0)) throw new TypeError('metrics: collectTimeoutMs must be positive');
    this.onCollectError = options.onCollectError ?? (() => undefined);
    this.collectErrors = new CounterImpl<'metric'>(
      { name: COLLECT_ERRORS_METRIC, help: 'Scrape-time reads (collects) that failed or timed out, by metric.', labels: { metric: [] } },
      this.runCollect,
    );
    this.metrics.set(COLLECT_ERRORS_METRIC, this.collectErrors);
  }

  counter<L extends string = never>(options: CounterOptions<L>): Counter<L> {
    this.check(options);
    if (!options.name.endsWith('_total')) throw new TypeError(`metrics: counter ${options.name} must end with _total`);
    return this.add(new CounterImpl<L>(options, this.runCollect), !!options.collect);
  }

  gauge<L extends string = never>(options: GaugeOptions<L>): Gauge<L> {
    this.check(options);
    return this.add(new GaugeImpl<L>(options, this.runCollect), !!options.collect);
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    this.check(options);
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (this.metrics.has(`${options.name}${suffix}`)) throw new TypeError(`metrics: ${options.name}${suffix} is already registered`);
    }
    return this.add(new HistogramImpl<L>(options), false);
  }

  names(): string[] {
    return [...this.metrics.keys()];
  }

  async render(): Promise<string> {
    this.collecting ??= this.collectAll().finally(() => (this.collecting = undefined));
    await this.collecting;
    const out: string[] = [];
    for (const m of this.metrics.values()) m.render(out);
    return `${out.join('\n')}\n`;
  }

  private check(options: MetricOptions<string>): void {
    if (!options || typeof options.name !== 'string' || !METRIC_NAME.test(options.name)) {
      throw new TypeError(`metrics: invalid metric name ${JSON.stringify(options?.name)}`);
    }
    if (typeof options.help !== 'string' || !options.help.trim()) throw new TypeError(`metrics: ${options.name} needs a help text`);
    if (this.metrics.has(options.name)) throw new TypeError(`metrics: ${options.name} is already registered`);
    // A histogram's samples use suffixed names: keep them unique too.
    for (const [name, m] of this.metrics) {
      if (m instanceof HistogramImpl && [`${name}_bucket`, `${name}_sum`, `${name}_count`].includes(options.name)) {
        throw new TypeError(`metrics: ${options.name} clashes with histogram ${name}`);
      }
    }
  }

  private add<M extends Renderable>(metric: M, collected: boolean): M {
    this.metrics.set(metric.name, metric);
    if (collected) {
      this.collectErrors.labelSet.allow(0, metric.name);
      this.collectErrors.child({ metric: metric.name });
    }
    return metric;
  }

  private async collectAll(): Promise<void> {
    await Promise.all([...this.metrics.values()].map((m) => m.collect?.()));
  }

  /** Runs one collect into a fresh map, bounded by the timeout; `undefined` when it failed. */
  private readonly runCollect: RunCollect = async (metric, work) => {
    const values = new Map<string, number>();
    let live = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CollectTimeoutError(metric, this.timeoutMs)), this.timeoutMs);
        timer.unref?.();
      });
      await Promise.race([
        Promise.resolve().then(() =>
          work((key, value) => {
            if (live) values.set(key, value);
          }),
        ),
        timeout,
      ]);
      return values;
    } catch (err) {
      this.collectErrors.child({ metric }).inc();
      try {
        this.onCollectError(metric, err);
      } catch {
        // A failing error hook must not fail the scrape.
      }
      return undefined;
    } finally {
      live = false;
      if (timer) clearTimeout(timer);
    }
  };
}

/** Thrown (to `onCollectError`) when a collect took longer than `collectTimeoutMs`. */
export class CollectTimeoutError extends Error {
  constructor(
    readonly metric: string,
    readonly timeoutMs: number,
  ) {
    super(`metrics: collecting ${metric} took longer than ${timeoutMs} ms`);
    this.name = 'CollectTimeoutError';
  }
}

/** Creates an empty registry (it holds only {@link COLLECT_ERRORS_METRIC}). */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  return new Registry(options);
}
