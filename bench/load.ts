import * as http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Options for {@link runLoad}. */
export interface LoadOptions {
  url: string;
  /** Request body for the n-th request of a worker. */
  body: (worker: number, n: number) => string;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Checks each response (status and body); a failure counts as an error. */
  check?: (status: number, body: string) => boolean;
  /** Called when measuring starts and ends (after warm-up), e.g. to read the server's CPU time. */
  onMeasure?: (phase: 'start' | 'end') => void;
}

/** Result of one load run. */
export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  medianMs: number;
  p99Ms: number;
  /** Every measured latency in ms, sorted (to merge several runs). */
  latencies: number[];
}

/** Percentile of sorted numbers (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Closed-loop HTTP load: `concurrency` workers POST back to back over keep-alive connections. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const url = new URL(o.url);
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;

  const request = (payload: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  const worker = async (w: number) => {
    for (let n = 0; !stop; n++) {
      const started = process.hrtime.bigint();
      try {
        const r = await request(o.body(w, n));
        const ok = r.status >= 200 && r.status < 300 && (!o.check || o.check(r.status, r.body));
        if (measuring) {
          if (ok) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          else errors++;
        }
      } catch {
        if (measuring) errors++;
      }
    }
  };

  const workers = Array.from({ length: o.concurrency }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, o.warmupMs));
  measuring = true;
  o.onMeasure?.('start');
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, o.durationMs));
  measuring = false;
  o.onMeasure?.('end');
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    medianMs: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    latencies,
  };
}

/** Resolves once `GET base + readyPath` answers 2xx (polled every `pollMs`, up to 30 s); at once without a path. */
export async function waitReady(base: string, readyPath?: string, pollMs = 50): Promise<void> {
  if (!readyPath) return;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${base}${readyPath}`).then(
      async (r) => {
        await r.arrayBuffer();
        return r.ok;
      },
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`${base}${readyPath} never became ready`);
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc (clock ticks of 10 ms on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident set size of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** The port of Warmline's `server.listening` log line (pino JSON, one object per line), else undefined. */
export function warmlineListeningPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { event?: unknown; port?: unknown };
    return entry.event === 'server.listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

/** The port of the echo server's `READY <port>` line, else undefined. */
export function echoReadyPort(line: string): number | undefined {
  const m = /^READY (\d+)$/.exec(line.trim());
  return m ? Number(m[1]) : undefined;
}

/** How {@link startServer} runs a server. */
export interface ServerSpec {
  /** Working directory (the package root). */
  readonly cwd: string;
  /** Arguments after `node` (script first). */
  readonly args: readonly string[];
  /** The whole environment besides PATH and HOME. */
  readonly env: Readonly<Record<string, string>>;
  /** Reads the bound port from one line of output (stdout or stderr). */
  readonly portOf: (line: string) => number | undefined;
  /** Waits for this path to answer 2xx before resolving. */
  readonly readyPath?: string;
  /** Interval of the readiness polls. Default 50 ms. */
  readonly pollMs?: number;
}

/** A server started by {@link startServer}. */
export interface StartedServer {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Its `/api/messages` URL. */
  readonly url: string;
  /** From the spawn until it printed its port and (with `readyPath`) answered there, ms. */
  readonly readyAfterMs: number;
}

/**
 * Starts a server under plain `node` (as in production), and resolves once it has printed its port and, with
 * `readyPath`, answers there. A server that exits first or never becomes ready rejects, and is stopped.
 */
export function startServer(spec: ServerSpec): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', ...spec.args], {
      cwd: spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env },
    });
    let tail = '';
    let pending = '';
    let listening = false;
    const onData = (chunk: Buffer) => {
      if (listening) return;
      const text = pending + chunk.toString();
      tail = (tail + chunk.toString()).slice(-2000);
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      const port = lines.map(spec.portOf).find((p) => p !== undefined);
      if (port === undefined) return;
      listening = true;
      const base = `http://127.0.0.1:${port}`;
      waitReady(base, spec.readyPath, spec.pollMs).then(
        () => resolve({ child, pid: child.pid as number, base, url: `${base}/api/messages`, readyAfterMs: performance.now() - t0 }),
        (err: unknown) => {
          child.kill('SIGTERM');
          reject(err);
        },
      );
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      if (!listening) reject(new Error(`${spec.args.join(' ')} exited with ${code}: ${tail}`));
    });
  });
}

/** Stops a started server (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
export function stopServer(server: StartedServer): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
