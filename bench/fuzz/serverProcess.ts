import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { FromFuzzServer, ToFuzzServer } from './fuzzServer';

/** An error-level line the server logged (event name and fields: ids and error classes only). */
export interface ServerLog {
  readonly event: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** How the server process ended. */
export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The end of its stderr (an uncaught exception's stack). */
  readonly stderr: string;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const STDERR_KEEP = 6000;

/**
 * The server under fuzz in a child process (`node --expose-gc --import tsx bench/fuzz/fuzzServer.ts`), reporting over IPC.
 *
 * @remarks A crash is the child exiting while the fuzzer did not ask it to: {@link exited} then holds how, with the end
 * of its stderr.
 */
export class FuzzServerProcess {
  exited?: ServerExit;
  private stderr = '';
  private heapWaiters: Array<{ resolve: (n: number) => void; reject: (e: Error) => void }> = [];
  private exitListeners: Array<(e: ServerExit) => void> = [];
  private stopping = false;

  private constructor(private readonly child: ChildProcess, readonly port: number) {}

  /** Starts the server with this environment and resolves once it listens. */
  static start(env: Record<string, string>, onLog: (log: ServerLog) => void): Promise<FuzzServerProcess> {
    const child = fork(path.join(__dirname, 'fuzzServer.ts'), [], {
      cwd: REPO_ROOT,
      execArgv: ['--expose-gc', '--import', 'tsx', '--disable-warning=DEP0111'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
    });
    // A send to a child that just died must not take the fuzzer down with it.
    child.on('error', () => undefined);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-STDERR_KEEP)));
    return new Promise((resolve, reject) => {
      let server: FuzzServerProcess | undefined;
      child.on('message', (m: FromFuzzServer) => {
        if (m.type === 'listening' && !server) {
          server = new FuzzServerProcess(child, m.port);
          server.stderr = stderr;
          child.stderr!.on('data', (c: Buffer) => (server!.stderr = (server!.stderr + c.toString()).slice(-STDERR_KEEP)));
          resolve(server);
        } else if (m.type === 'heap') server?.heapWaiters.shift()?.resolve(m.heapUsed);
        else if (m.type === 'log') onLog({ event: m.event, fields: m.fields });
      });
      child.on('exit', (code, signal) => {
        if (!server) return reject(new Error(`fuzz server exited with ${code ?? signal} before listening:\n${stderr}`));
        server.onExit({ code, signal, stderr: server.stderr });
      });
      child.send({ type: 'start', env } satisfies ToFuzzServer);
    });
  }

  /** The child's pid. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Calls `listener` when the process ends by itself (a crash); not on {@link stop}. */
  onCrash(listener: (e: ServerExit) => void): void {
    this.exitListeners.push(listener);
  }

  /** `process.memoryUsage().heapUsed` of the server after a forced full GC. */
  heapUsed(): Promise<number> {
    if (this.exited) return Promise.reject(new Error('fuzz server is not running'));
    return new Promise((resolve, reject) => {
      this.heapWaiters.push({ resolve, reject });
      this.child.send({ type: 'heap' } satisfies ToFuzzServer);
    });
  }

  /** Stops the server gracefully (killed after 5 s). */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' } satisfies ToFuzzServer);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  }

  private onExit(e: ServerExit): void {
    this.exited = e;
    for (const w of this.heapWaiters.splice(0)) w.reject(new Error('fuzz server exited'));
    if (!this.stopping) for (const l of this.exitListeners) l(e);
  }
}
