/**
 * Warmline's metrics registry: prom-client counters, gauges and histograms on a prom-client `Registry` owned by one
 * app (never prom-client's global registry: one process may run several apps, tests do).
 *
 * prom-client keeps the series and writes the Prometheus text format. What stays hand-written here, and why:
 * - Allowed label values. Every label declares its values and anything else is reported as `other`, so customer
 *   text, customer or conversation ids can never become a series; prom-client takes any value.
 * - Scrape-time reads (`collect`) bounded by a timeout. With prom-client alone a read that throws fails the whole
 *   scrape, one that hangs hangs it, and an unlabelled gauge whose read failed still reports 0 (a queue length of 0
 *   while the store is down). Here the metric has no samples that scrape and {@link COLLECT_ERRORS_METRIC} counts it.
 * - Concurrent scrapes share one run of the reads (prom-client runs them once per scrape).
 * - Definition checks prom-client leaves out whose absence breaks a scrape: counters end in `_total`, buckets are
 *   finite and increasing (1 to {@link MAX_HISTOGRAM_BUCKETS}), no `__` label names, no name that clashes with a
 *   histogram's `_bucket`/`_sum`/`_count` samples.
 */
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry } from 'prom-client';

/** Content type of the Prometheus text exposition format, version 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

/** The label value every value outside a label's allowed values is reported as. */
export const OTHER_LABEL_VALUE = 'other';

/** Most finite buckets a histogram may have (each observation walks them). */
export const MAX_HISTOGRAM_BUCKETS = 12;

/** Counts failed or timed-out collects, by metric name. */
export const COLLECT_ERRORS_METRIC = 'warmline_metrics_collect_errors_total';

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

/** One series of a counter, for hot paths: take it once (its labels are checked once), then `inc`. */
export interface CounterChild {
  /** Adds `value` (default 1, never negative). */
  inc(value?: number): void;
}

/** One series of a gauge. */
export interface GaugeChild {
  /** Sets the value. */
  set(value: number): void;
  /** Adds `value` (default 1). */
  inc(value?: number): void;
  /** Subtracts `value` (default 1). */
  dec(value?: number): void;
}

/** One series of a histogram, for hot paths: take it once, then `observe`. */
export interface HistogramChild {
  /** Counts `value` (finite) into its bucket, the sum and the count. */
  observe(value: number): void;
}

/** A monotonically increasing count. */
export interface Counter<L extends string = never> {
  /** The metric name. */
  readonly name: string;
  /** Adds `value` (default 1, never negative) to the series of `labels`. */
  inc(...args: IncArgs<L>): void;
  /** The series of `labels`. */
  child(labels: LabelValues<L>): CounterChild;
}

/** A value that goes up and down. */
export interface Gauge<L extends string = never> {
  /** The metric name. */
  readonly name: string;
  /** Sets the series of `labels`. */
  set(...args: ValueArgs<L>): void;
  /** Adds `value` (default 1) to the series of `labels`. */
  inc(...args: IncArgs<L>): void;
  /** Subtracts `value` (default 1) from the series of `labels`. */
  dec(...args: IncArgs<L>): void;
  /** The series of `labels`. */
  child(labels: LabelValues<L>): GaugeChild;
}

/** Observations counted into buckets, with their sum and count. */
export interface Histogram<L extends string = never> {
  /** The metric name. */
  readonly name: string;
  /** Counts a finite value into the series of `labels`. */
  observe(...args: ValueArgs<L>): void;
  /** The series of `labels`. */
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
 * Holds one app's metrics and renders them. A bot developer adds their own metrics to the app's.
 *
 * @example
 * const orders = app.metrics.counter({ name: 'shop_orders_total', help: 'Orders placed.', labels: { channel: ['msteams', 'slack'] } });
 * orders.inc({ channel: ctx.activity.channelId });
 */
export interface MetricsRegistry {
  /** Declares a counter (its name ends in `_total`). */
  counter<L extends string = never>(options: CounterOptions<L>): Counter<L>;
  /** Declares a gauge. */
  gauge<L extends string = never>(options: GaugeOptions<L>): Gauge<L>;
  /** Declares a histogram. */
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L>;
  /** Runs the collects (one run at a time, shared by concurrent scrapes) and renders every metric. */
  render(): Promise<string>;
  /** Names of the registered metrics, in registration order. */
  names(): string[];
  /**
   * The prom-client registry behind this one, for prom-client metrics of your own. What you register there directly
   * skips the allowed label values and the bounded reads: keep customer text out of its labels.
   */
  readonly prometheus: Registry;
}

/** Thrown (to `onCollectError`) when a collect took longer than `collectTimeoutMs`. */
export class CollectTimeoutError extends Error {
  /**
   * @param metric - the metric whose collect timed out
   * @param timeoutMs - the timeout it exceeded
   */
  constructor(
    readonly metric: string,
    readonly timeoutMs: number,
  ) {
    super(`metrics: collecting ${metric} took longer than ${timeoutMs} ms`);
    this.name = 'CollectTimeoutError';
  }
}

type Labels = Record<string, string>;
type Sample = readonly [labels: Labels, value: number];
type Collect = (set: (...args: unknown[]) => void) => void | Promise<void>;
interface AllowList {
  readonly names: string[];
  /** Maps any label values onto the allowed ones. */
  readonly pick: (values: unknown) => Labels;
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/** The label names of a metric, and a function that maps any values onto the allowed ones. */
function allowList(metric: string, spec: LabelAllowList<string> | undefined, histogram: boolean): AllowList {
  const names = spec ? Object.keys(spec) : [];
  const allowed = names.map((name) => {
    // prom-client checks the syntax; `__` names are Prometheus's own, and a histogram's `le` is found too late there.
    if (name.startsWith('__') || (histogram && name === 'le')) throw new TypeError(`metrics: ${metric} has an invalid label name "${name}"`);
    const values = (spec as LabelAllowList<string>)[name];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new TypeError(`metrics: label "${name}" of ${metric} needs an array of allowed values`);
    }
    return new Set(values);
  });
  const pick = (values: unknown): Labels => {
    const out: Labels = {};
    names.forEach((name, i) => {
      const raw = (values as Partial<Record<string, unknown>> | undefined)?.[name];
      out[name] = typeof raw === 'string' && (allowed[i] as Set<string>).has(raw) ? raw : OTHER_LABEL_VALUE;
    });
    return out;
  };
  return { names, pick };
}

/** Splits `(value?)` / `(labels, value?)` arguments. */
const split = (labelled: boolean, args: readonly unknown[]): [unknown, number | undefined] =>
  labelled ? [args[0], args[1] as number | undefined] : [undefined, args[0] as number | undefined];

class WarmlineRegistry implements MetricsRegistry {
  readonly prometheus = new Registry();
  private readonly timeoutMs: number;
  private readonly onCollectError: (metric: string, error: unknown) => void;
  private readonly collectErrors: PromCounter<'metric'>;
  /** The reads of the collected metrics, run before each render. */
  private readonly reads: Array<() => Promise<void>> = [];
  private rendering: Promise<string> | undefined;

  constructor(options: MetricsRegistryOptions) {
    this.timeoutMs = options.collectTimeoutMs ?? 3000;
    if (!(this.timeoutMs > 0)) throw new TypeError('metrics: collectTimeoutMs must be positive');
    this.onCollectError = options.onCollectError ?? (() => undefined);
    // Its label values are the names of this registry's collected metrics, never anything a client sent.
    this.collectErrors = new PromCounter({
      name: COLLECT_ERRORS_METRIC,
      help: 'Scrape-time reads (collects) that failed or timed out, by metric.',
      labelNames: ['metric'],
      registers: [this.prometheus],
    });
  }

  counter<L extends string = never>(options: CounterOptions<L>): Counter<L> {
    this.checkName(options, false);
    if (!options.name.endsWith('_total')) throw new TypeError(`metrics: counter ${options.name} must end with _total`);
    const labels = allowList(options.name, options.labels, false);
    const config = { name: options.name, help: options.help, labelNames: labels.names, registers: [this.prometheus] };
    const scrape = options.collect && this.scrapeTime(options.name, options.collect as Collect, labels, true);
    const metric = new PromCounter({ ...config, collect: scrape?.show });
    if (scrape) this.track(options.name, scrape.read);
    const labelled = labels.names.length > 0;
    return {
      name: options.name,
      inc: (...args: IncArgs<L>) => {
        const [values, value] = split(labelled, args);
        metric.inc(labels.pick(values), value);
      },
      child: (values) => metric.labels(labels.pick(values)),
    };
  }

  gauge<L extends string = never>(options: GaugeOptions<L>): Gauge<L> {
    this.checkName(options, false);
    const labels = allowList(options.name, options.labels, false);
    const config = { name: options.name, help: options.help, labelNames: labels.names, registers: [this.prometheus] };
    const scrape = options.collect && this.scrapeTime(options.name, options.collect as Collect, labels, false);
    const metric = new PromGauge({ ...config, collect: scrape?.show });
    if (scrape) this.track(options.name, scrape.read);
    const labelled = labels.names.length > 0;
    return {
      name: options.name,
      set: (...args: ValueArgs<L>) => {
        const [values, value] = split(labelled, args);
        metric.set(labels.pick(values), value as number);
      },
      inc: (...args: IncArgs<L>) => {
        const [values, value] = split(labelled, args);
        metric.inc(labels.pick(values), value ?? 1);
      },
      dec: (...args: IncArgs<L>) => {
        const [values, value] = split(labelled, args);
        metric.dec(labels.pick(values), value ?? 1);
      },
      child: (values) => metric.labels(labels.pick(values)),
    };
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    this.checkName(options, true);
    const b = options.buckets;
    if (!Array.isArray(b) || b.length < 1 || b.length > MAX_HISTOGRAM_BUCKETS) {
      throw new TypeError(`metrics: ${options.name} needs 1 to ${MAX_HISTOGRAM_BUCKETS} buckets`);
    }
    // prom-client takes the bounds as given: unordered ones would render buckets that are not cumulative.
    if (b.some((x, i) => !Number.isFinite(x) || (i > 0 && !(x > (b[i - 1] as number))))) {
      throw new TypeError(`metrics: buckets of ${options.name} must be finite and strictly increasing`);
    }
    const labels = allowList(options.name, options.labels, true);
    // A copy: prom-client freezes the array it is given, and the caller's may be a shared constant.
    const metric = new PromHistogram({ name: options.name, help: options.help, labelNames: labels.names, buckets: [...b], registers: [this.prometheus] });
    const labelled = labels.names.length > 0;
    return {
      name: options.name,
      observe: (...args: ValueArgs<L>) => {
        const [values, value] = split(labelled, args);
        metric.observe(labels.pick(values), value as number);
      },
      child: (values) => metric.labels(labels.pick(values)),
    };
  }

  names(): string[] {
    return this.prometheus.getMetricsAsArray().map((m) => m.name);
  }

  render(): Promise<string> {
    // Every read first, so the collect-errors counter rendered with them already counts this scrape's failures.
    this.rendering ??= Promise.all(this.reads.map((read) => read()))
      .then(() => this.prometheus.metrics())
      .finally(() => (this.rendering = undefined));
    return this.rendering;
  }

  /** The checks prom-client does not make (its own come when the metric is created: syntax, help, duplicates). */
  private checkName(options: MetricOptions<string>, histogram: boolean): void {
    const name = options?.name;
    if (typeof name !== 'string') throw new TypeError(`metrics: invalid metric name ${JSON.stringify(name)}`);
    const taken = (n: string) => this.prometheus.getSingleMetric(n) !== undefined;
    if (histogram && HISTOGRAM_SUFFIXES.some((s) => taken(`${name}${s}`))) throw new TypeError(`metrics: ${name} clashes with a registered metric`);
    for (const s of HISTOGRAM_SUFFIXES) {
      if (name.endsWith(s) && this.prometheus.getSingleMetric(name.slice(0, -s.length)) instanceof PromHistogram) {
        throw new TypeError(`metrics: ${name} clashes with histogram ${name.slice(0, -s.length)}`);
      }
    }
  }

  /** Runs `read` before each render, and starts the metric's collect-errors series at 0 (so `increase()` sees the first). */
  private track(metric: string, read: () => Promise<void>): void {
    this.reads.push(read);
    this.collectErrors.inc({ metric }, 0);
  }

  /**
   * A metric read at scrape time: `read`, bounded by `collectTimeoutMs`, runs `collect` (a failure is counted in
   * {@link COLLECT_ERRORS_METRIC} and told to `onCollectError`); `show`, the metric's prom-client `collect`, shows
   * what the last read set, and nothing when it failed or timed out.
   */
  private scrapeTime(
    metric: string,
    collect: Collect,
    labels: AllowList,
    counter: boolean,
  ): { read: () => Promise<void>; show: (this: PromCounter<string> | PromGauge<string>) => void } {
    const labelled = labels.names.length > 0;
    let samples: Sample[] | undefined;
    const read = async (): Promise<void> => {
      const read: Sample[] = [];
      let live = true;
      let timer: NodeJS.Timeout | undefined;
      const set = (...args: unknown[]): void => {
        const [values, value] = split(labelled, args);
        if (!live || typeof value !== 'number') return;
        // prom-client would throw while rendering (and fail the whole scrape): fail this read instead.
        if (counter && !(value >= 0 && value < Infinity)) throw new RangeError(`metrics: ${metric} read a counter value that is negative or not finite`);
        read.push([labels.pick(values), value]);
      };
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CollectTimeoutError(metric, this.timeoutMs)), this.timeoutMs);
          timer.unref?.();
        });
        await Promise.race([Promise.resolve().then(() => collect(set)), timeout]);
        samples = read;
      } catch (err) {
        samples = undefined;
        this.collectErrors.inc({ metric });
        try {
          this.onCollectError(metric, err);
        } catch {
          // A failing error hook must not fail the scrape.
        }
      } finally {
        // A read that outlived its timeout may still call `set`: too late for this scrape, and never for the next.
        live = false;
        if (timer) clearTimeout(timer);
      }
    };
    return {
      read,
      show() {
        this.reset();
        // reset() gives an unlabelled metric its series at 0: a failed read must not report 0 (an empty queue).
        if (!samples && !labelled) this.remove();
        for (const [values, value] of samples ?? []) {
          if (this instanceof PromCounter) this.inc(values, value);
          else this.set(values, value);
        }
      },
    };
  }
}

/** Creates an empty registry on a new prom-client `Registry` (it holds only {@link COLLECT_ERRORS_METRIC}). */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  return new WarmlineRegistry(options);
}
