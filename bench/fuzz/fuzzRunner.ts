// The fuzz loop behind `npm run fuzz` and tests/hardening/fuzz.test.ts: seeded cases per route (fast-check), a real
// server in a child process, a few requests in flight, crashes seen as the child exiting (then restarted), heap read
// after forced GCs between routes.
import fc from 'fast-check';
import { confirmOffences } from './confirmOffences';
import { deskRoute } from './deskRoute';
import { directLineRoute } from './directLineRoute';
import { sendStep, type SentRequest, type StepOutcome } from './fuzzClient';
import { FUZZ_SECRETS } from './fuzzEnv';
import type { FuzzReport, Offence, RouteReport } from './fuzzReport';
import type { FuzzRoute } from './fuzzRoute';
import type { FuzzCase, FuzzStep } from './fuzzSpec';
import { messagesRoute } from './messagesRoute';
import type { ServerExit, ServerLog } from './serverProcess';
import { ServerSupervisor } from './serverSupervisor';
import { streamRoute } from './streamRoute';
import { webhookStatusRoute } from './webhookStatusRoute';

/** Every fuzzed route, in the order they run. */
export const ALL_ROUTES: readonly FuzzRoute[] = [messagesRoute, directLineRoute, streamRoute, deskRoute, webhookStatusRoute];

/** The default seed (printed with every run; `--seed` changes it). */
export const DEFAULT_SEED = 20261126;

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  readonly seed: number;
  /** Requests per route. */
  readonly runsPerRoute: number;
  /** @defaultValue {@link ALL_ROUTES} */
  readonly routes?: readonly FuzzRoute[];
  /** Requests in flight at once. @defaultValue 6 */
  readonly concurrency?: number;
  /** A request without an answer after this long is a hang. @defaultValue 5000 */
  readonly hangMs?: number;
  /** A route stops after this many crashes (each costs a restart). @defaultValue 3 */
  readonly maxCrashesPerRoute?: number;
  /** Heap growth (after a forced GC) that fails the run. @defaultValue 20 */
  readonly heapLimitMb?: number;
  /** Replay the first offence of each distinct problem alone on a fresh server. @defaultValue false */
  readonly confirm?: boolean;
  /** Progress lines. @defaultValue none */
  readonly progress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeded cases of a route, cut so that they add up to `runs` requests. */
export function sampleCases(route: FuzzRoute, seed: number, runs: number): FuzzCase[] {
  const sampled = fc.sample(route.cases, { seed: routeSeed(route, seed), numRuns: runs });
  const out: FuzzCase[] = [];
  let steps = 0;
  for (const c of sampled) {
    if (steps >= runs) break;
    const kept = c.slice(0, runs - steps);
    out.push(kept);
    steps += kept.length;
  }
  return out;
}

/**
 * Where the requests of case `n` come from: a quarter from 127.0.0.1, so that per-address limits are reached and their
 * answers fuzzed too; the rest spread over 64 other loopback addresses, so that those limits do not stop the fuzzing of
 * what lies behind them.
 */
export function sourceAddress(n: number): string {
  return n % 4 === 0 ? '127.0.0.1' : `127.0.0.${2 + (n % 64)}`;
}

/** Each route has its own seed derived from the run's, so choosing routes does not change what each one sends. */
export function routeSeed(route: FuzzRoute, seed: number): number {
  let h = seed | 0;
  for (const ch of route.name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/**
 * Fuzzes a real Warmline server (a child process, every route on) with seeded fast-check cases, route after route,
 * a few requests in flight at once; restarts the server after a crash; measures its heap after forced GCs.
 *
 * @example const report = await runFuzz({ seed: DEFAULT_SEED, runsPerRoute: 100 });
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const run = new FuzzRun(options);
  try {
    return await run.run();
  } finally {
    await run.close();
  }
}

/** A request sent (or being sent) during the route. */
interface Sent {
  readonly request: SentRequest;
  readonly step: FuzzStep;
  readonly started: number;
  ended?: number;
  status?: number;
  /** Turn errors the server logged for it while it was in flight (reported once it is answered). */
  turnErrors?: string[];
  readonly at: Offence['at'];
}

/** State of the route being fuzzed. */
interface ActiveRoute {
  readonly route: FuzzRoute;
  readonly report: RouteReport;
  readonly inFlight: Map<number, Sent>;
  /** The latest requests answered, oldest first. */
  readonly recent: Sent[];
  /** Requests by the activity id they carried, to tie a logged turn error to its request. */
  readonly byActivityId: Map<string, Sent>;
  stop: boolean;
}

class FuzzRun {
  private readonly servers = new ServerSupervisor({ onCrash: (exit) => this.onCrash(exit), onLog: (log) => this.onLog(log) });
  private active?: ActiveRoute;
  /** The steps to replay for each offence (kept out of the JSON report). */
  private readonly replays = new WeakMap<Offence, readonly FuzzStep[]>();
  private readonly report: FuzzReport;
  private readonly o: Required<Omit<FuzzOptions, 'progress'>> & Pick<FuzzOptions, 'progress'>;

  constructor(options: FuzzOptions) {
    this.o = { routes: ALL_ROUTES, concurrency: 6, hangMs: 5000, maxCrashesPerRoute: 3, heapLimitMb: 20, confirm: false, ...options };
    this.report = { seed: this.o.seed, runsPerRoute: this.o.runsPerRoute, routes: [], offences: [], failures: [], durationMs: 0 };
  }

  async run(): Promise<FuzzReport> {
    const started = performance.now();
    // Generated up front: a generator bug stops the run before any server starts.
    const cases = new Map(this.o.routes.map((route) => [route, sampleCases(route, this.o.seed, this.o.runsPerRoute)]));
    await this.servers.start();
    const baseGeneration = this.servers.generation;
    for (const route of this.o.routes) await this.warmUp(route);
    this.report.heapStartMb = await this.servers.heapMb();
    for (const route of this.o.routes) {
      const r = await this.runRoute(route, cases.get(route) ?? []);
      this.report.routes.push(r);
      this.o.progress?.(`  ${route.name}: ${r.requests} sent, ${r.crashes} crashes, ${r.serverErrors} 5xx, ${r.hangs} hangs, ${r.connectionErrors} connection errors`);
    }
    if (this.servers.unchangedSince(baseGeneration)) this.report.heapEndMb = await this.servers.heapMb();
    this.report.failures.push(...this.failures());
    if (this.o.confirm && this.report.offences.some((o) => o.kind !== 'turn-error')) {
      this.o.progress?.('  replaying each distinct problem alone on a fresh server...');
      await this.servers.stopServer();
      await confirmOffences(this.report.offences, this.replays, {
        routes: this.o.routes,
        serverEnv: this.servers.serverEnv,
        sinks: this.servers.sinks,
        secrets: FUZZ_SECRETS,
        sharedRefs: () => this.servers.sharedRefs(),
        hangMs: this.o.hangMs,
      });
    }
    this.report.durationMs = performance.now() - started;
    return this.report;
  }

  async close(): Promise<void> {
    await this.servers.stop();
  }

  private failures(): string[] {
    const sum = (k: 'crashes' | 'serverErrors' | 'hangs') => this.report.routes.reduce((n, r) => n + r[k], 0);
    const out: string[] = [];
    if (sum('crashes')) out.push(`${sum('crashes')} crash(es)`);
    if (sum('serverErrors')) out.push(`${sum('serverErrors')} 5xx answer(s)`);
    if (sum('hangs')) out.push(`${sum('hangs')} hang(s) over ${this.o.hangMs} ms`);
    const { heapStartMb: a, heapEndMb: b } = this.report;
    if (a !== undefined && b !== undefined && b - a > this.o.heapLimitMb) out.push(`heap grew ${(b - a).toFixed(1)} MB (limit ${this.o.heapLimitMb})`);
    return out;
  }

  // ---- what the server tells

  private onLog(log: ServerLog): void {
    const a = this.active;
    if (!a) return;
    const key = `${log.event} ${String(log.fields.error ?? '')}`.trim();
    a.report.errorLogs[key] = (a.report.errorLogs[key] ?? 0) + 1;
    const sent = log.event === 'turn.error' && typeof log.fields.activityId === 'string' ? a.byActivityId.get(log.fields.activityId) : undefined;
    if (!sent) return;
    const code = log.fields.code === undefined ? '' : ` ${String(log.fields.code)}`;
    const logged = `${String(log.fields.error)}${code} on ${String(log.fields.channel)} ${String(log.fields.activityType)}`;
    // Logged during the turn, usually before the answer: reported with the answer's status once there is one.
    if (sent.ended === undefined) (sent.turnErrors ??= []).push(logged);
    else this.reportTurnError(a, sent, logged);
  }

  private reportTurnError(a: ActiveRoute, sent: Sent, logged: string): void {
    this.report.offences.push({ kind: 'turn-error', route: a.route.name, at: sent.at, request: sent.request, logged, ...(sent.status !== undefined ? { status: sent.status } : {}) });
  }

  private onCrash(exit: ServerExit): void {
    const a = this.active;
    if (!a) return;
    a.report.crashes++;
    const now = performance.now();
    const suspects = [...a.inFlight.values(), ...a.recent.filter((r) => now - (r.ended ?? now) < 2000).reverse()].slice(0, 10);
    const first = suspects[0];
    const offence: Offence = {
      kind: 'crash',
      route: a.route.name,
      at: first?.at ?? { caseIndex: -1, step: -1 },
      request: first?.request ?? { kind: 'http', method: '?', path: '?', headers: {} },
      exit: { code: exit.code, signal: exit.signal, stderr: exit.stderr.slice(-3000) },
      suspects: suspects.map((x) => x.request),
    };
    this.replays.set(offence, suspects.map((x) => x.step));
    this.report.offences.push(offence);
    if (a.report.crashes >= this.o.maxCrashesPerRoute) {
      a.stop = true;
      a.report.stoppedEarly = `stopped after ${a.report.crashes} crashes`;
    }
  }

  private async warmUp(route: FuzzRoute): Promise<void> {
    const refs = await this.servers.refs(route);
    for (const step of route.warmUp) {
      const outcome = await sendStep(step, { host: '127.0.0.1', port: this.servers.port, refs, hangMs: this.o.hangMs });
      if (outcome.error && !outcome.errorExpected) this.o.progress?.(`  warm-up ${route.name}: ${outcome.request.method} ${outcome.request.path} -> ${outcome.error}`);
    }
  }

  // ---- one route

  private async runRoute(route: FuzzRoute, cases: readonly FuzzCase[]): Promise<RouteReport> {
    const report: RouteReport = {
      name: route.name,
      title: route.title,
      seed: routeSeed(route, this.o.seed),
      requests: 0,
      skipped: 0,
      crashes: 0,
      serverErrors: 0,
      hangs: 0,
      connectionErrors: 0,
      documented5xx: 0,
      statuses: {},
      errorLogs: {},
      durationMs: 0,
    };
    const started = performance.now();
    report.heapStartMb = await this.servers.heapMb();
    const startGeneration = this.servers.generation;
    const active: ActiveRoute = { route, report, inFlight: new Map(), recent: [], byActivityId: new Map(), stop: false };
    this.active = active;
    let next = 0;
    const worker = async () => {
      for (let c = next++; c < cases.length && !active.stop; c = next++) await this.runCase(active, cases[c], c);
    };
    await Promise.all(Array.from({ length: this.o.concurrency }, worker));
    // Let deliveries started by the last requests (webhook outbox, proactive sends) finish before measuring.
    await sleep(300);
    this.active = undefined;
    if (this.servers.unchangedSince(startGeneration)) report.heapEndMb = await this.servers.heapMb();
    report.durationMs = performance.now() - started;
    return report;
  }

  private async runCase(a: ActiveRoute, steps: FuzzCase, caseIndex: number): Promise<void> {
    for (let s = 0; s < steps.length && !a.stop; s++) {
      await this.servers.ready();
      const refs = await this.servers.refs(a.route).catch(() => undefined);
      // A server that cannot even be prepared (it died meanwhile) is retried by the next step.
      if (!refs) continue;
      const generation = this.servers.generation;
      const id = caseIndex * 1000 + s;
      let sent: Sent | undefined;
      const onSending = (request: SentRequest) => {
        sent = { request, step: steps[s], started: performance.now(), at: { caseIndex, step: s } };
        a.inFlight.set(id, sent);
        this.remember(a, sent);
      };
      const target = { host: '127.0.0.1', port: this.servers.port, refs, hangMs: this.o.hangMs, localAddress: sourceAddress(caseIndex) };
      const outcome = await sendStep(steps[s], target, onSending).catch((): StepOutcome | undefined => undefined);
      a.inFlight.delete(id);
      if (!outcome || !sent) continue;
      sent.ended = performance.now();
      if (outcome.status !== undefined) sent.status = outcome.status;
      for (const logged of sent.turnErrors ?? []) this.reportTurnError(a, sent, logged);
      a.recent.push(sent);
      if (a.recent.length > 64) a.recent.shift();
      if (outcome.skipped) {
        a.report.skipped++;
        continue;
      }
      a.report.requests++;
      const lost = await this.classify(a, outcome, generation, sent);
      // The rest of the case refers to a conversation the dead server forgot.
      if (lost) return;
    }
  }

  /** Keeps the request under the activity id it carried (the latest 2000), for {@link onLog}. */
  private remember(a: ActiveRoute, sent: Sent): void {
    const step = sent.step;
    const id = step.kind === 'http' && step.body.kind === 'json' ? (step.body.value as { id?: unknown } | null)?.id : undefined;
    if (typeof id !== 'string') return;
    a.byActivityId.set(id, sent);
    if (a.byActivityId.size > 2000) a.byActivityId.delete(a.byActivityId.keys().next().value as string);
  }

  /** Other requests in flight while `sent` was (at most 8). */
  private neighbours(a: ActiveRoute, sent: Sent): SentRequest[] {
    const end = sent.ended ?? performance.now();
    const overlapping = [...a.recent, ...a.inFlight.values()].filter((x) => x !== sent && x.started < end && (x.ended ?? end) > sent.started);
    return overlapping.slice(-8).map((x) => x.request);
  }

  /** Counts one answer; returns true when the request was lost to a crash (already reported as such). */
  private async classify(a: ActiveRoute, o: StepOutcome, generation: number, sent: Sent): Promise<boolean> {
    if (o.error || o.hang) {
      // A crash shows as reset connections first and as the exit a moment later.
      if (!this.servers.hasCrashed(generation)) await sleep(200);
      if (this.servers.hasCrashed(generation)) return true;
    }
    const r = a.report;
    const status = o.status === undefined ? 'none' : String(o.status);
    r.statuses[status] = (r.statuses[status] ?? 0) + 1;
    const offend = (kind: Offence['kind']) => {
      const offence: Offence = {
        kind,
        route: a.route.name,
        at: sent.at,
        request: o.request,
        ...(o.status !== undefined ? { status: o.status } : {}),
        ...(o.error ? { error: o.error } : {}),
        ms: Math.round(o.ms),
        ...(o.answer ? { answer: o.answer } : {}),
        neighbours: this.neighbours(a, sent),
      };
      this.replays.set(offence, [sent.step]);
      this.report.offences.push(offence);
    };
    if (o.hang) {
      r.hangs++;
      offend('hang');
    } else if (o.status !== undefined && o.status >= 500) {
      if (o.status === 501 || (o.status === 503 && o.retryAfter)) r.documented5xx++;
      else {
        r.serverErrors++;
        offend('5xx');
      }
    } else if (o.error && !o.errorExpected) {
      r.connectionErrors++;
      offend('connection');
    }
    return false;
  }
}
