import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedHook {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Status answered (0 when the request was left hanging or the socket destroyed). */
  readonly status: number;
}

/** What to do with a request: answer a status (with headers), hang, or cut the connection. */
export type ReceiverAction = number | { status: number; headers?: Record<string, string> } | 'hang' | 'destroy';

/**
 * A webhook receiver on 127.0.0.1 that answers from a script (then 200), recording every request.
 *
 * @remarks restify is not involved: plain node:http, `writeHead` then `end`.
 */
export class FakeWebhookReceiver {
  readonly received: ReceivedHook[] = [];
  private server?: http.Server;
  private port = 0;
  private readonly hanging: http.ServerResponse[] = [];

  constructor(public script: ReceiverAction[] = []) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/cases`;
  }

  /** Successful (2xx) requests. */
  get delivered(): ReceivedHook[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300);
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const action = this.script.shift() ?? 200;
        const body = Buffer.concat(chunks).toString('utf8');
        if (action === 'hang') {
          this.received.push({ headers: req.headers, body, status: 0 });
          this.hanging.push(res);
          return;
        }
        if (action === 'destroy') {
          this.received.push({ headers: req.headers, body, status: 0 });
          req.socket.destroy();
          return;
        }
        const a = typeof action === 'number' ? { status: action } : action;
        this.received.push({ headers: req.headers, body, status: a.status });
        res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) });
        res.end(a.status < 300 ? '{"ok":true}' : '{"error":"nope"}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const r of this.hanging.splice(0)) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }
}

/** Polls `check` until it holds (or fails the test after `timeoutMs`). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 4000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
