import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

/** One call the bot made to the connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  replyToId?: string;
  /** The activity replaced by an update (`PUT /v3/conversations/{id}/activities/{activityId}`). */
  activityId?: string;
  activity: Partial<Activity>;
  authorization?: string;
  /** The id the connector answered (`{id}`): what `sendActivity` resolves with; set before waiters are told. */
  responseId?: string;
}

/**
 * A local stand-in for the Bot Framework Connector service a channel exposes on `serviceUrl`.
 *
 * @remarks Records every activity the bot sends (`POST /v3/conversations/{id}/activities[/{replyToId}]`)
 * and answers `{id}` like the real service. Updates (`PUT /v3/conversations/{id}/activities/{activityId}`, what
 * `updateActivity` sends) are recorded too, as calls with method `PUT` and `activityId`, listed by
 * {@link FakeConnector.updates} (not by {@link FakeConnector.activities}, which lists what was sent). Member lookups
 * (`GET /v3/conversations/{id}/members/{userId}`, what `TeamsInfo.getMember` asks) answer from
 * {@link FakeConnector.members}, else 404. Waiters let a test await replies without sleeping.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private server?: http.Server;
  private waiters: Array<{ predicate: (c: ConnectorCall) => boolean; resolve: (c: ConnectorCall) => void }> = [];
  private nextId = 1;
  /** When set, answers with this status instead of 200 (to simulate a failing channel). */
  failWith?: number;
  /** Members the channel knows, by user id (Teams: `{ id, name, aadObjectId... }`). */
  readonly members = new Map<string, Record<string, unknown>>();
  /** Member lookups made, by user id. */
  readonly memberLookups: string[] = [];

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

  /** Activities sent to one conversation (all when omitted); updates of sent activities are not among them. */
  activities(conversationId?: string): Partial<Activity>[] {
    return this.calls.filter((c) => c.method !== 'PUT' && (!conversationId || c.conversationId === conversationId)).map((c) => c.activity);
  }

  /** Updates of sent activities (`updateActivity`) in one conversation (all when omitted), oldest first. */
  updates(conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT' && (!conversationId || c.conversationId === conversationId));
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
      const path = (req.url ?? '').split('?')[0] ?? '';
      const member = /\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/.exec(path);
      if (member && req.method === 'GET') {
        const userId = decodeURIComponent(member[2] as string);
        this.memberLookups.push(userId);
        const found = this.members.get(userId);
        res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(found ?? { error: { code: 'MemberNotFoundInConversation' } }));
        return;
      }
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
      const method = req.method ?? 'POST';
      const target = m[2] ? decodeURIComponent(m[2]) : undefined;
      const call: ConnectorCall = {
        method,
        path,
        conversationId: decodeURIComponent(m[1] as string),
        ...(method === 'PUT' ? { activityId: target } : { replyToId: target }),
        ...(this.failWith ? {} : { responseId: method === 'PUT' ? target : `fake-${this.nextId++}` }),
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
      // An update keeps the activity's id, as the real service answers.
      res.end(JSON.stringify({ id: call.responseId }));
    });
  }
}
