import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call to the fake Slack Web API. */
export interface SlackCall {
  method: string;
  /** `chat.postMessage`, ... */
  api: string;
  authorization?: string;
  body: Record<string, unknown>;
  /** The `ts` answered (set once the call was authorised). */
  answeredTs?: string;
}

/**
 * A local stand-in for Slack's Web API (`POST /api/{method}`): records calls and answers like Slack
 * (`{ ok: true, ts, channel }`, or `{ ok: false, error: 'invalid_auth' }` without a bearer token).
 */
export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  private server?: http.Server;
  private waiters: Array<{ predicate: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }> = [];
  private ts = 1700000000;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Resolves with the first call (made or future) that matches. */
  waitFor(predicate: (c: SlackCall) => boolean, timeoutMs = 5000): Promise<SlackCall> {
    const seen = this.calls.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`FakeSlackApi: no matching call within ${timeoutMs} ms (saw ${this.calls.length})`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      });
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/api\/([\w.]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
      res.setHeader('content-type', 'application/json; charset=utf-8');
      if (!m || req.method !== 'POST') {
        res.statusCode = 404;
        res.end('{"ok":false,"error":"unknown_method"}');
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        res.end('{"ok":false,"error":"invalid_json"}');
        return;
      }
      const call: SlackCall = { method: req.method, api: m[1] as string, authorization: req.headers.authorization, body };
      this.calls.push(call);
      for (const w of [...this.waiters]) {
        if (w.predicate(call)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(call);
        }
      }
      if (!/^Bearer xox[bp]-/.test(call.authorization ?? '')) {
        res.end('{"ok":false,"error":"invalid_auth"}');
        return;
      }
      call.answeredTs = `${this.ts++}.000100`;
      res.end(JSON.stringify({ ok: true, channel: body.channel, ts: call.answeredTs }));
    });
  }
}
