import * as http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

/** Resolves once `GET base + readyPath` answers 2xx (polled every 50 ms, up to 30 s); at once without a path. */
export async function waitReady(base: string, readyPath?: string): Promise<void> {
  if (!readyPath) return;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${base}${readyPath}`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${base}${readyPath} never became ready`);
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A server started by {@link startServer}. */
export interface StartedServer {
  child: ChildProcess;
  /** Its `/api/messages` URL. */
  url: string;
}

/**
 * Starts a compiled server under plain `node` (as in production) in `cwd`, and resolves once it has printed its port
 * (the first group of `portPattern`, on stdout or stderr) and, with `readyPath`, answers there. A server that exits
 * first or never becomes ready rejects, and is stopped.
 */
export function startServer(cwd: string, args: string[], env: Record<string, string>, portPattern: RegExp, readyPath?: string): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let out = '';
    let listening = false;
    const onData = (chunk: Buffer) => {
      if (listening) return;
      out += chunk.toString();
      const m = portPattern.exec(out);
      if (!m) return;
      listening = true;
      const base = `http://127.0.0.1:${m[1]}`;
      waitReady(base, readyPath).then(
        () => resolve({ child, url: `${base}/api/messages` }),
        (err: unknown) => {
          child.kill('SIGTERM');
          reject(err);
        },
      );
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      if (!listening) reject(new Error(`${args.join(' ')} exited with ${code}: ${out.slice(-2000)}`));
    });
  });
}
