import { FUZZ_SECRETS, fuzzServerEnv } from './fuzzEnv';
import type { FuzzRoute, RouteEnv } from './fuzzRoute';
import { FuzzSinks } from './fuzzSinks';
import type { RefResolvers } from './fuzzSpec';
import { FuzzServerProcess, type ServerExit, type ServerLog } from './serverProcess';

const MB = 1024 * 1024;

/** Callbacks of a {@link ServerSupervisor}. */
export interface SupervisorEvents {
  /** The server ended by itself. */
  readonly onCrash: (exit: ServerExit) => void;
  /** An error-level line the server logged. */
  readonly onLog: (log: ServerLog) => void;
}

/**
 * Keeps one server under fuzz running: starts it (and the sinks it calls), restarts it after a crash, and prepares
 * each route's run-time values again for every new process. Each process is a numbered generation.
 */
export class ServerSupervisor {
  readonly sinks = new FuzzSinks();
  /** The environment every server process is started with. */
  serverEnv: Record<string, string> = {};
  generation = 0;
  private server?: FuzzServerProcess;
  private readonly crashed = new Set<number>();
  private restarting?: Promise<void>;
  private readonly refsByRoute = new Map<string, { generation: number; refs: Promise<RefResolvers> }>();

  constructor(private readonly events: SupervisorEvents) {}

  /** Starts the sinks and the first server. */
  async start(): Promise<void> {
    await this.sinks.start();
    this.serverEnv = await fuzzServerEnv(this.sinks);
    await this.ready();
  }

  /** Stops the server (gracefully) and the sinks. */
  async stop(): Promise<void> {
    await this.stopServer();
    await this.sinks.stop();
  }

  /** Stops the server but keeps the sinks (for replays on fresh servers). */
  async stopServer(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
  }

  /** Resolves once a live server is there, restarting it after a crash (one restart for all waiting callers). */
  async ready(): Promise<void> {
    while (!this.server || this.server.exited) {
      this.restarting ??= this.startServer().finally(() => (this.restarting = undefined));
      await this.restarting;
    }
  }

  /** The running server's port. */
  get port(): number {
    if (!this.server) throw new Error('fuzz: no server');
    return this.server.port;
  }

  /** True once the process of that generation has crashed. */
  hasCrashed(generation: number): boolean {
    return this.crashed.has(generation);
  }

  /** True while the current generation has neither crashed nor been replaced since `generation`. */
  unchangedSince(generation: number): boolean {
    return this.generation === generation && !this.crashed.has(generation) && !this.server?.exited;
  }

  /** The server's heap after a forced GC, in MB. */
  async heapMb(): Promise<number> {
    await this.ready();
    return (await this.server!.heapUsed()) / MB;
  }

  /** The route's refs for the running server (prepared again after a restart), plus the shared ones. */
  refs(route: FuzzRoute): Promise<RefResolvers> {
    const kept = this.refsByRoute.get(route.name);
    if (kept && kept.generation === this.generation) return kept.refs;
    const refs = route.prepare(this.routeEnv()).then((own) => ({ ...this.sharedRefs(), ...own }));
    this.refsByRoute.set(route.name, { generation: this.generation, refs });
    return refs;
  }

  /** Refs every route has: `sink` (the connector's URL), `caseId` / `caseIdLower` (a case the webhook announced). */
  sharedRefs(): RefResolvers {
    const caseId = (k: number) => this.sinks.caseIds[k % Math.max(1, this.sinks.caseIds.length)] ?? 'C-ABCD';
    return { sink: () => this.sinks.url, caseId, caseIdLower: (k) => caseId(k).toLowerCase() };
  }

  private routeEnv(): RouteEnv {
    return { base: `http://127.0.0.1:${this.port}`, sinks: this.sinks, secrets: FUZZ_SECRETS };
  }

  private async startServer(): Promise<void> {
    const server = await FuzzServerProcess.start(this.serverEnv, this.events.onLog);
    const generation = ++this.generation;
    server.onCrash((exit) => {
      this.crashed.add(generation);
      this.events.onCrash(exit);
    });
    this.server = server;
  }
}
