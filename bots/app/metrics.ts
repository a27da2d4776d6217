/**
 * Warmline's metrics (turns, signals, handoff, process) and the `GET /metrics` route.
 *
 * The series and the Prometheus text format are prom-client's (through bots/metricsRegistry.ts). Hand-written here,
 * and why:
 * - The access rule of `/metrics` ({@link checkMetricsAccess}): a bearer token, or loopback clients only. restify has
 *   no such rule, and an authentication library would bring far more than the few lines it takes.
 * - The five process metrics ({@link registerProcessMetrics}), one Node call each, instead of prom-client's
 *   `collectDefaultMetrics`: that one keeps a GC observer and an event-loop monitor per registry that nothing can
 *   stop (one more per app a process creates), has no `nodejs_heap_used_bytes`, and its
 *   `nodejs_eventloop_lag_seconds` is one `setImmediate` delay measured after the scrape, not the 99th percentile since
 *   the previous scrape that Warmline has always exposed (and documents) under that name.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { Middleware, TurnContext } from 'botbuilder';
import type * as restify from 'restify';
import { warmlineTurn } from '../../middleware/warmlineTurn';
import { OPEN_STATES } from '../../middleware/handoff/handoffCase';
import type { HandoffService } from '../../middleware/handoff/handoffService';
import type { HandoffEvent } from '../../middleware/handoff/hubs/hubConnector';
import type { CounterChild, HistogramChild, MetricsRegistry } from './metricsRegistry';

// Every label value below comes from a fixed list: anything else is reported as `other` by the registry.

/** Channels a turn is counted under (`other` for the rest). */
export const METRIC_CHANNELS: readonly string[] = ['msteams', 'slack', 'directline', 'webchat', 'emulator'];
/** The built-in intent names (`other` for custom intents). */
export const METRIC_INTENTS: readonly string[] = ['bereavement', 'fraud', 'distress', 'complaint', 'urgent', 'human_request'];
/** The built-in handoff reasons (`other` for custom policies' reasons). */
export const METRIC_HANDOFF_REASONS: readonly string[] = [
  'bereavement',
  'fraud',
  'distress',
  'human_request',
  'anger',
  'frustration',
  'misunderstood',
  'repeated_request',
];
/** Case priorities. */
export const METRIC_PRIORITIES: readonly string[] = ['high', 'normal', 'low'];
/** Handoff events counted by `warmline_handoff_events_total` (state changes; messages are counted as relays). */
export const METRIC_HANDOFF_EVENTS: readonly string[] = ['queued', 'assigned', 'resolved', 'abandoned', 'timed_out', 'callback_requested'];

/**
 * Upper bounds (seconds) of `warmline_turn_duration_seconds`: a turn answered from memory takes about a millisecond,
 * one with a tracking lookup or Redis round trips tens to hundreds; channels give up after about 15 s.
 */
export const TURN_DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

const isProactive = (ctx: TurnContext): boolean =>
  ctx.activity.type === 'event' && (ctx.activity.name === 'ContinueConversation' || ctx.activity.name === 'CreateConversation');

/**
 * A middleware that counts turns and times them, by channel, and counts the intents the signals middleware found.
 *
 * @remarks Register it first (`adapter.use(turnMetricsMiddleware(registry))`, before every other middleware), so the
 * duration covers the whole turn (from when the adapter starts the middleware chain, after authentication, until the
 * bot and every middleware returned) and a turn that throws is counted as `outcome="error"` before the adapter's
 * `onTurnError` runs. Proactive turns (`continueConversation`) are not counted. Per turn it reads a clock twice, looks
 * the channel up in a small map and updates two series whose handles it took once (prom-client then hashes their label
 * values, a short string, and walks at most 12 buckets), plus one per intent hit. It reads the signals already in turn
 * state, never detects anything.
 *
 * Metrics: `warmline_turns_total{channel,outcome}`, `warmline_turn_duration_seconds{channel}`,
 * `warmline_signals_total{intent}`, `warmline_signals_degraded_total`.
 */
export function turnMetricsMiddleware(registry: MetricsRegistry): Middleware {
  const channels = { channel: METRIC_CHANNELS };
  const turns = registry.counter({
    name: 'warmline_turns_total',
    help: 'Turns processed (incoming activities of every type, agents included; proactive sends excluded), by channel and outcome.',
    labels: { ...channels, outcome: ['ok', 'error'] },
  });
  const duration = registry.histogram({
    name: 'warmline_turn_duration_seconds',
    help: 'Time from the start of the middleware chain to the end of the turn, by channel.',
    labels: channels,
    buckets: TURN_DURATION_BUCKETS,
  });
  const signals = registry.counter({
    name: 'warmline_signals_total',
    help: 'Sensitive intents detected in customer messages (every hit in the Signals, any confidence), by intent.',
    labels: { intent: METRIC_INTENTS },
  });
  const degraded = registry.counter({
    name: 'warmline_signals_degraded_total',
    help: 'Customer messages whose signal detection failed or timed out (degraded signals).',
  });

  // Series handles per channel index (the last index is `other`), created on first use.
  const channelIndex = new Map<string, number>(METRIC_CHANNELS.map((c, i) => [c, i]));
  const channelNames = [...METRIC_CHANNELS, 'other'];
  const ok: Array<CounterChild | undefined> = [];
  const failed: Array<CounterChild | undefined> = [];
  const timing: Array<HistogramChild | undefined> = [];
  const intents = new Map<string, CounterChild>();
  for (const name of METRIC_INTENTS) intents.set(name, signals.child({ intent: name }));
  const otherIntent = signals.child({ intent: 'other' });

  const record = (ctx: TurnContext, started: number, error: boolean): void => {
    const seconds = (performance.now() - started) / 1000;
    const i = channelIndex.get(ctx.activity.channelId) ?? METRIC_CHANNELS.length;
    const channel = channelNames[i] as string;
    (timing[i] ??= duration.child({ channel })).observe(seconds);
    if (error) (failed[i] ??= turns.child({ channel, outcome: 'error' })).inc();
    else (ok[i] ??= turns.child({ channel, outcome: 'ok' })).inc();
    const s = warmlineTurn(ctx).signals;
    if (!s) return;
    for (const hit of s.intents) (intents.get(hit.name) ?? otherIntent).inc();
    if (s.degraded) degraded.inc();
  };

  return {
    async onTurn(ctx, next) {
      if (isProactive(ctx)) return next();
      const started = performance.now();
      try {
        await next();
      } catch (err) {
        record(ctx, started, true);
        throw err;
      }
      record(ctx, started, false);
    },
  };
}

/**
 * Counts handoff events of a service and reads the queue, the open cases and agent presence from its store at scrape
 * time.
 *
 * @remarks Counters (per instance; sum them across instances): `warmline_handoffs_total{reason,priority}` (cases
 * opened), `warmline_handoff_events_total{event}`, `warmline_relay_messages_total{direction}`. Gauges (read from the
 * store, so with Redis every instance reports the same figures; use max, not sum): `warmline_handoff_queue_length`,
 * `warmline_cases{state}` (every open case, counted from the store's indexes), `warmline_agents_online`. A failed store read
 * leaves that gauge without samples and counts `warmline_metrics_collect_errors_total{metric}`.
 * @returns a function that stops counting events.
 */
export function instrumentHandoff(registry: MetricsRegistry, service: HandoffService): () => void {
  const store = service.store;
  const opened = registry.counter({
    name: 'warmline_handoffs_total',
    help: 'Handoff cases opened by this instance, by reason and priority.',
    labels: { reason: METRIC_HANDOFF_REASONS, priority: METRIC_PRIORITIES },
  });
  const events = registry.counter({
    name: 'warmline_handoff_events_total',
    help: 'Handoff case events emitted by this instance (queued counts new cases and returns to the queue), by event.',
    labels: { event: METRIC_HANDOFF_EVENTS },
  });
  const relay = registry.counter({
    name: 'warmline_relay_messages_total',
    help: 'Messages relayed between a customer and the agent holding their case, by direction.',
    labels: { direction: ['customer_to_agent', 'agent_to_customer'] },
  });
  const toAgent = relay.child({ direction: 'customer_to_agent' });
  const toCustomer = relay.child({ direction: 'agent_to_customer' });
  registry.gauge({
    name: 'warmline_handoff_queue_length',
    help: 'Cases waiting in the handoff queue (read from the store at scrape time).',
    collect: async (set) => set(await store.queueLength()),
  });
  registry.gauge({
    name: 'warmline_cases',
    help: 'Open handoff cases by state (counted from the store\'s indexes at scrape time).',
    labels: { state: OPEN_STATES },
    collect: async (set) => {
      const counts = await store.countByState();
      for (const state of OPEN_STATES) set({ state }, counts[state] ?? 0);
    },
  });
  registry.gauge({
    name: 'warmline_agents_online',
    help: 'Agents whose presence is online and not expired (read from the store at scrape time).',
    collect: async (set) => set(await store.countOnline()),
  });

  return service.subscribe((event: HandoffEvent) => {
    switch (event.type) {
      case 'customer_message':
        // Also emitted for messages kept on a waiting case: only those of an assigned case reach an agent.
        if (event.case.state === 'assigned') toAgent.inc();
        return;
      case 'agent_message':
        toCustomer.inc();
        return;
      default:
        events.inc({ event: event.type });
        if ((event.type === 'queued' || event.type === 'timed_out') && event.opened) {
          opened.inc({ reason: event.case.reason, priority: event.case.priority });
        }
    }
  });
}

/**
 * Registers process metrics: `process_resident_memory_bytes`, `process_cpu_seconds_total`, `nodejs_heap_used_bytes`,
 * `process_start_time_seconds` and `nodejs_eventloop_lag_seconds`.
 *
 * @remarks `nodejs_eventloop_lag_seconds` is the 99th percentile of the event loop delay (`perf_hooks`
 * `monitorEventLoopDelay`, 10 ms resolution) since the previous scrape (0 before any sample); each scrape starts a new
 * window, so scrape from one place. Everything is read at scrape time; nothing runs per turn.
 * @returns a function that stops the event loop monitor.
 */
export function registerProcessMetrics(registry: MetricsRegistry): () => void {
  const startSeconds = Math.round(Date.now() - process.uptime() * 1000) / 1000;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect: (set) => set(process.memoryUsage.rss()),
  });
  registry.counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds.',
    collect: (set) => {
      const cpu = process.cpuUsage();
      set((cpu.user + cpu.system) / 1e6);
    },
  });
  registry.gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap used, in bytes.',
    collect: (set) => set(process.memoryUsage().heapUsed),
  });
  registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch, in seconds.',
    collect: (set) => set(startSeconds),
  });
  registry.gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: '99th percentile of the event loop delay since the previous scrape, in seconds.',
    collect: (set) => {
      set(loop.count > 0 ? loop.percentile(99) / 1e9 : 0);
      loop.reset();
    },
  });
  return () => loop.disable();
}

/** What the access check needs from a request. */
export interface MetricsRequestInfo {
  /** The TCP peer (`req.socket.remoteAddress`), never a forwarded header. */
  readonly remoteAddress: string | undefined;
  /** The `Authorization` header. */
  readonly authorization: string | undefined;
  /** True when the request carries proxy headers (`Forwarded`, `X-Forwarded-For`, `X-Real-IP`). */
  readonly forwarded: boolean;
}

/** True for 127.0.0.0/8, `::1` and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** True for a listening host that accepts loopback connections only (`127.x.x.x`, `::1`, `localhost`). */
export const isLoopbackHost = (host: string): boolean => host === 'localhost' || isLoopbackAddress(host);

/**
 * Who may read `/metrics`: 200, 401 or 403.
 *
 * @remarks With a token: only a request with `Authorization: Bearer <token>` (compared in constant time), else 401.
 * Without a token, only when `loopbackWithoutToken` is true (createApp: the server itself listens on loopback, as
 * `npm start` does by default) and the peer is on loopback, else 403. A request carrying forwarding headers is refused
 * too. A reverse proxy on the same host that sends no such header cannot be told from a local client, so a server
 * reachable through one must set a token: that is why a server listening beyond loopback never serves `/metrics`
 * without one.
 */
export function checkMetricsAccess(request: MetricsRequestInfo, token?: string, loopbackWithoutToken = true): 200 | 401 | 403 {
  if (token) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.authorization ?? '');
    return m && timingSafeEqual(digest(m[1] as string), digest(token)) ? 200 : 401;
  }
  return loopbackWithoutToken && isLoopbackAddress(request.remoteAddress) && !request.forwarded ? 200 : 403;
}

const hasForwardingHeaders = (headers: IncomingHttpHeaders): boolean =>
  headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined || headers['x-real-ip'] !== undefined;

/** Options of {@link metricsRoute}. */
export interface MetricsRouteOptions {
  /** The app's registry, rendered on each authorised scrape. */
  readonly registry: MetricsRegistry;
  /** Bearer token required from scrapers. */
  readonly token?: string;
  /**
   * Without a token, serve loopback peers (default true). createApp sets it only when the server listens on loopback,
   * so a server reachable from elsewhere (HOST 0.0.0.0, a container) never serves `/metrics` without a token.
   */
  readonly loopbackWithoutToken?: boolean;
}

/** The `GET /metrics` handler: the access check, then the registry in the Prometheus text format. */
export function metricsRoute(options: MetricsRouteOptions): (req: restify.Request, res: restify.Response) => Promise<void> {
  const { registry, token } = options;
  const loopbackWithoutToken = options.loopbackWithoutToken ?? true;
  return async function metricsHandler(req, res) {
    const authorization = req.headers.authorization;
    const verdict = checkMetricsAccess(
      { remoteAddress: req.socket?.remoteAddress, authorization: typeof authorization === 'string' ? authorization : undefined, forwarded: hasForwardingHeaders(req.headers) },
      token,
      loopbackWithoutToken,
    );
    if (verdict === 401) {
      res.header('WWW-Authenticate', 'Bearer realm="metrics"');
      res.send(401, { error: 'Unauthorized', message: 'A valid bearer token is required.' });
      return;
    }
    if (verdict === 403) {
      res.send(403, {
        error: 'Forbidden',
        message: loopbackWithoutToken
          ? 'Metrics are served to loopback clients only; set METRICS_TOKEN to scrape from elsewhere.'
          : 'This server listens beyond loopback: set METRICS_TOKEN to scrape its metrics.',
      });
      return;
    }
    const body = await registry.render();
    res.writeHead(200, { 'Content-Type': registry.prometheus.contentType, 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
}
