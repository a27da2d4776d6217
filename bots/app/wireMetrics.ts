import type { Config } from '../../config';
import { errorFields } from '../../middleware/shared/logger';
import { isLoopbackHost, registerProcessMetrics, type MetricsRouteOptions } from './metrics';
import { createMetricsRegistry, type MetricsRegistry } from './metricsRegistry';
import type { WiringContext } from './wiringContext';

/** The app's metrics registry with the process metrics; their monitor stops with the app. */
export function wireMetrics({ logger, lifecycle }: WiringContext): MetricsRegistry {
  // Names and error classes only in the logs, never what a customer wrote.
  const metrics = createMetricsRegistry({ onCollectError: (metric, err) => logger.warn('metrics.collect_failed', { metric, ...errorFields(err) }) });
  lifecycle.onStop('metrics', registerProcessMetrics(metrics));
  return metrics;
}

/** Who may read `GET /metrics`: a bearer token (`METRICS_TOKEN`), or else loopback clients while the server listens on loopback. */
export function metricsRouteOptions(config: Config, registry: MetricsRegistry): MetricsRouteOptions {
  return { registry, loopbackWithoutToken: isLoopbackHost(config.HOST), ...(config.METRICS_TOKEN ? { token: config.METRICS_TOKEN } : {}) };
}
