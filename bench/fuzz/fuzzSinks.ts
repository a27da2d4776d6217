import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Everything the server under fuzz calls out to, on one loopback HTTP server: the Bot Framework Connector of every
 * `serviceUrl` (`POST /v3/conversations/:id/activities[/:replyToId]` and the other connector calls), the Slack Web
 * API (`/api/chat.postMessage`...) and the signed-webhook receiver (`POST /webhook`), which remembers the case ids it
 * is sent so that the fuzzer can act on real cases.
 *
 * @remarks Hand-written rather than `tests/helpers/fakeConnector.ts`: the fuzzer needs the Slack and webhook answers
 * too and no recording of bodies (thousands of replies).
 */
export class FuzzSinks {
  /** Case ids seen on the webhook, newest last (bounded). */
  readonly caseIds: string[] = [];
  /** Calls answered, by kind. */
  readonly counts = { connector: 0, slack: 0, webhook: 0, other: 0 };
  private server?: http.Server;
  private static readonly MAX_CASES = 200;

  /** Listens on a free loopback port. */
  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  /** Base URL, with a trailing slash (what a channel puts in `serviceUrl`). */
  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
  }

  /** The webhook receiver's URL. */
  get webhookUrl(): string {
    return `${this.url}webhook`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/webhook') return this.webhook(Buffer.concat(chunks), res);
      if (path.startsWith('/api/')) {
        this.counts.slack++;
        return json(res, 200, { ok: true, channel: 'D0FUZZ', ts: `${Date.now() / 1000}` });
      }
      // Any connector call on any conversation id (ids with '/' included) is accepted: the fuzz is about the bot.
      if (path.startsWith('/v3/')) {
        this.counts.connector++;
        return json(res, 200, { id: `sink-${this.counts.connector}` });
      }
      this.counts.other++;
      json(res, 404, { error: 'not found' });
    });
    req.on('error', () => undefined);
  }

  private webhook(body: Buffer, res: http.ServerResponse): void {
    this.counts.webhook++;
    try {
      const id = (JSON.parse(body.toString('utf8')) as { case?: { id?: unknown } }).case?.id;
      if (typeof id === 'string' && !this.caseIds.includes(id)) {
        this.caseIds.push(id);
        if (this.caseIds.length > FuzzSinks.MAX_CASES) this.caseIds.shift();
      }
    } catch {
      // A body the receiver cannot read is still acknowledged: the fuzzer only wants the case ids.
    }
    json(res, 200, { ok: true });
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
