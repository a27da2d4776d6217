import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

/** One call the bot made to the connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  replyToId?: string;
  activity: Partial<Activity>;
  authorization?: string;
}

/**
 * A local stand-in for the Bot Framework Connector service a channel exposes on `serviceUrl`.
 *
 * @remarks Records every activity the bot sends (`POST /v3/conversations/{id}/activities[/{replyToId}]`)
 * and answers `{id}` like the real service. Waiters let a test await replies without sleeping.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private server?: http.Server;
  private waiters: Array<{ predicate: (c: ConnectorCall) => boolean; resolve: (c: ConnectorCall) => void }> = [];
  private nextId = 1;
  /** When set, answers with this status instead of 200 (to simulate a failing channel). */
  failWith?: number;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const port = (this.server!.address() as AddressInfo).port;
    return `http://127.0.0.1:${port}/`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Activities sent to one conversation (all when omitted). */
  activities(conversationId?: string): Partial<Activity>[] {
    return this.calls.filter((c) => !conversationId || c.conversationId === conversationId).map((c) => c.activity);
  }

  /** Resolves with the first call (already made or future) that matches. */
  waitFor(predicate: (c: ConnectorCall) => boolean, timeoutMs = 5000): Promise<ConnectorCall> {
    const seen = this.calls.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`FakeConnector: no matching activity within ${timeoutMs} ms (saw ${this.calls.length})`));
      }, timeoutMs);
      const done = (c: ConnectorCall) => {
        clearTimeout(timer);
        resolve(c);
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }

  clear(): void {
    this.calls.length = 0;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const m = /\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
      if (!m) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"not found"}');
        return;
      }
      let activity: Partial<Activity> = {};
      try {
        activity = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<Activity>) : {};
      } catch {
        res.writeHead(400);
        res.end();
        return;
      }
      const call: ConnectorCall = {
        method: req.method ?? 'POST',
        path,
        conversationId: decodeURIComponent(m[1]),
        replyToId: m[2] ? decodeURIComponent(m[2]) : undefined,
        activity,
        authorization: req.headers.authorization,
      };
      this.calls.push(call);
      for (const w of [...this.waiters]) {
        if (w.predicate(call)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(call);
        }
      }
      if (this.failWith) {
        res.writeHead(this.failWith, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"Fail"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `fake-${this.nextId++}` }));
    });
  }
}
