/**
 * What each wired feature does when the app starts and stops, in one place, so that `createApp` and
 * `createWarmlinePlugin` start and stop the same pieces in the same order.
 */

/**
 * Phases of a stop, in this order: timers; long-lived connections (console event streams, Direct Line WebSockets),
 * ended before the server closes, since closing it waits for every open connection; the server; work in flight
 * (relays, deliveries); metrics collectors; stores; connections (Redis).
 */
export const STOP_PHASES = ['timers', 'streams', 'server', 'work', 'metrics', 'stores', 'connections'] as const;
export type StopPhase = (typeof STOP_PHASES)[number];

// A stream or a connection that fails to close is already gone: the stop goes on. Other failures end the stop.
const TOLERANT: ReadonlySet<StopPhase> = new Set(['streams', 'stores', 'connections']);

/** A component's state as `GET /readyz` reports it. */
export type CheckState = 'ok' | 'warming' | 'failed';

/** Start hooks, stop hooks by phase, and readiness checks of a wired app. */
export interface Lifecycle {
  /** Runs `hook` on `start()`, after the hooks registered before it. */
  onStart(hook: () => void): void;
  /** Runs `hook` on `stop()`, in its phase, after the hooks registered before it in that phase. */
  onStop(phase: StopPhase, hook: () => Promise<unknown> | void): void;
  /** Sets a readiness check (`warming` until it is `ok`). */
  check(name: string, state: CheckState): void;
  /** Every check `ok`, and each check's state. */
  readiness(): { ready: boolean; checks: Readonly<Record<string, CheckState>> };
  start(): void;
  stop(): Promise<void>;
}

/** An empty {@link Lifecycle}: nothing runs until a wiring function registers it. */
export function wireLifecycle(): Lifecycle {
  const starts: Array<() => void> = [];
  const stops = new Map<StopPhase, Array<() => Promise<unknown> | void>>(STOP_PHASES.map((p) => [p, []]));
  const checks: Record<string, CheckState> = {};
  return {
    onStart: (hook) => void starts.push(hook),
    onStop: (phase, hook) => void stops.get(phase)?.push(hook),
    check: (name, state) => void (checks[name] = state),
    readiness: () => ({ ready: Object.values(checks).every((c) => c === 'ok'), checks: { ...checks } }),
    start() {
      for (const hook of starts) hook();
    },
    async stop() {
      for (const phase of STOP_PHASES) {
        for (const hook of stops.get(phase) ?? []) {
          if (TOLERANT.has(phase)) await Promise.resolve().then(hook).catch(() => undefined);
          else await hook();
        }
      }
    },
  };
}
