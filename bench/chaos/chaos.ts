/**
 * Chaos run: two Warmline instances on one real Redis behind the same fake channel, relaying messages both ways while
 * one instance is killed (SIGKILL, mid-relay) and Redis is stopped for a few seconds. Counts what each side received:
 * messages sent, lost and duplicated.
 *
 * The "channel" here does what Azure Bot Service and Direct Line do: it posts each activity to an instance (round
 * robin, like a load balancer), and when the answer is a connection error or a 5xx it sends the SAME activity (same
 * id) again, to either instance, with back-off. Replies the bot sends land on a fake connector that records them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** Customer/agent pairs chatting at once. @defaultValue 10 */
  readonly pairs?: number;
  /** Messages each side of a pair sends. @defaultValue 30 (10 pairs: 600 relayed messages) */
  readonly messagesPerSide?: number;
  /** How long Redis stays stopped. @defaultValue 5000 */
  readonly redisOutageMs?: number;
  /** Progress (0..1) at which an instance is killed, and at which Redis is stopped. @defaultValue 0.3 and 0.6 */
  readonly killAt?: number;
  readonly redisStopAt?: number;
  /** Give up waiting for one activity to be accepted after this long. @defaultValue 60 s */
  readonly activityDeadlineMs?: number;
  /** Where progress lines go. @defaultValue nowhere */
  readonly log?: (line: string) => void;
  /** The repository root (index.ts is started from there). @defaultValue this file's `../..` */
  readonly root?: string;
}

/** What a chaos run observed. */
export interface ChaosReport {
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Activities the channel had to send more than once (what the faults cost), and the answers it got. */
  readonly retriedActivities: number;
  readonly answers: Readonly<Record<string, number>>;
  readonly faults: readonly string[];
  /** Examples of lost or duplicated messages (their text), at most 10. */
  readonly examples: readonly string[];
  readonly durationMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A private redis-server with an append-only file, so a stop and a start keep its data (as a managed Redis does). */
class PrivateRedis {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], {
      stdio: 'ignore',
    });
    this.child = child;
    const failed = new Promise<never>((_, reject) => child.once('error', (err) => reject(new Error(`redis-server could not start (${err.message}): install Redis`))));
    for (let i = 0; i < 100; i++) {
      const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await Promise.race([probe.connect().then(() => probe.ping()), failed]);
        probe.disconnect();
        return;
      } catch (err) {
        probe.disconnect();
        if (err instanceof Error && err.message.startsWith('redis-server could not start')) throw err;
        await sleep(50);
      }
    }
    throw new Error('redis-server did not answer');
  }

  /** A clean stop (SIGTERM: the append-only file is flushed), as when a managed Redis restarts. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/** One Warmline instance: `index.ts` (the production entry) in its own process. */
class Instance {
  private child: ChildProcess | undefined;
  port = 0;
  constructor(
    readonly name: string,
    private readonly root: string,
    private readonly env: Record<string, string>,
  ) {}

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', 'index.ts'], {
      cwd: this.root,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.resume();
    this.child = child;
    for (let i = 0; i < 400; i++) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited while starting (${child.exitCode})`);
      const ready = await getStatus(`http://127.0.0.1:${this.port}/healthz`).catch(() => 0);
      if (ready === 200) return;
      await sleep(50);
    }
    throw new Error(`${this.name} did not start`);
  }

  /** SIGKILL: no clean-up, requests in flight are cut. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(1000, () => req.destroy(new Error('timeout')));
  });
}

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/api/messages', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(-1));
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

/** The fake connector every reply goes to: records the texts each conversation received. */
class FakeChannelConnector {
  readonly received = new Map<string, string[]>();
  private server: http.Server | undefined;
  private next = 0;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const match = /\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
        if (match && req.method === 'POST') {
          try {
            const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string; text?: string };
            if (activity.type === 'message' && typeof activity.text === 'string') {
              const conversation = decodeURIComponent(match[1] as string);
              const list = this.received.get(conversation) ?? [];
              list.push(activity.text);
              this.received.set(conversation, list);
            }
          } catch {
            // not an activity
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `x${++this.next}` }));
      });
    });
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}/`;
  }

  texts(conversation: string): string[] {
    return this.received.get(conversation) ?? [];
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let activitySeq = 0;
const customerActivity = (serviceUrl: string, conversation: string, text: string) => ({
  type: 'message',
  id: `${conversation}|${String(++activitySeq).padStart(7, '0')}`,
  timestamp: new Date().toISOString(),
  serviceUrl,
  channelId: 'directline',
  from: { id: `u-${conversation}`, name: 'Customer' },
  conversation: { id: conversation },
  recipient: { id: 'warmline-bot', name: 'Warmline' },
  text,
  locale: 'en-US',
});
const agentActivity = (serviceUrl: string, agent: number, text: string) => ({
  type: 'message',
  id: `1796${String(++activitySeq).padStart(9, '0')}`,
  timestamp: new Date().toISOString(),
  serviceUrl,
  channelId: 'msteams',
  from: { id: `29:chaos-agent-${agent}`, name: `Agent ${agent}`, aadObjectId: `00000000-0000-0000-0000-${String(agent).padStart(12, '0')}` },
  conversation: { id: `a:chaos-agent-${agent}`, conversationType: 'personal', tenantId: 'chaos-tenant' },
  recipient: { id: '28:warmline', name: 'Warmline' },
  text,
  channelData: { tenant: { id: 'chaos-tenant' } },
  locale: 'en-US',
});

/** Runs the chaos scenario and reports what was sent, lost and duplicated. */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const pairs = options.pairs ?? 10;
  const perSide = options.messagesPerSide ?? 30;
  const outageMs = options.redisOutageMs ?? 5000;
  const killAt = options.killAt ?? 0.3;
  const redisStopAt = options.redisStopAt ?? 0.6;
  const deadlineMs = options.activityDeadlineMs ?? 60_000;
  const log = options.log ?? (() => undefined);
  const root = options.root ?? path.resolve(__dirname, '..', '..');
  const started = Date.now();
  const faults: string[] = [];
  const answers: Record<string, number> = {};
  let retriedActivities = 0;

  const dir = mkdtempSync(path.join(tmpdir(), 'warmline-chaos-'));
  const redis = new PrivateRedis(await freePort(), dir);
  const connector = new FakeChannelConnector();
  const agents = Array.from({ length: pairs }, (_, i) => `msteams:29:chaos-agent-${i}`).join(',');
  const env = {
    STORAGE: 'redis',
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    REDIS_KEY_PREFIX: 'chaos:',
    WEBCHAT: 'off',
    WARMLINE_AGENTS: agents,
  };
  const instances = [new Instance('A', root, env), new Instance('B', root, env)];
  let turn = 0;

  /** The channel: posts an activity until an instance accepts it, the same activity again after any failure. */
  const deliver = async (activity: { id: string }): Promise<void> => {
    const body = JSON.stringify(activity);
    const until = Date.now() + deadlineMs;
    for (let attempt = 0; ; attempt++) {
      const live = instances.filter((x) => x.alive);
      const target = live.length ? live[turn++ % live.length] : undefined;
      const status = target ? await post(target.port, body) : -1;
      answers[String(status)] = (answers[String(status)] ?? 0) + 1;
      if (status === 200) {
        if (attempt > 0) retriedActivities += 1;
        return;
      }
      if (status >= 400 && status < 500) throw new Error(`activity ${activity.id} refused with ${status}`);
      if (Date.now() > until) throw new Error(`activity ${activity.id} not accepted within ${deadlineMs} ms`);
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  };

  try {
    await redis.start();
    await connector.start();
    await Promise.all(instances.map((x) => x.start()));
    log(`redis on ${redis.port}, instances on ${instances.map((x) => x.port).join(' and ')}`);

    // Each agent comes online; each customer asks for a person; each agent accepts the case in order.
    for (let i = 0; i < pairs; i++) await deliver(agentActivity(connector.url, i, 'online'));
    const caseIds: string[] = [];
    const probe = new Redis(redis.port, '127.0.0.1');
    for (let i = 0; i < pairs; i++) {
      const conversation = `chaos-customer-${i}`;
      await deliver(customerActivity(connector.url, conversation, 'I want to speak to a human'));
      const id = await probe.get(`chaos:handoff:conv:directline/${conversation}`);
      if (!id) throw new Error(`no case opened for ${conversation}`);
      caseIds.push(id);
      await deliver(agentActivity(connector.url, i, `accept ${id}`));
    }
    probe.disconnect();
    log(`${pairs} cases open and accepted; relaying ${2 * pairs * perSide} messages`);

    const total = 2 * pairs * perSide;
    let done = 0;
    let killed = false;
    let stopped = false;
    const faultsDone: Array<Promise<void>> = [];
    const onProgress = () => {
      done += 1;
      if (!killed && done >= total * killAt) {
        killed = true;
        const victim = instances[0] as Instance;
        victim.kill();
        faults.push(`SIGKILL instance ${victim.name} after ${done} messages`);
        log(faults.at(-1) as string);
        faultsDone.push(sleep(1000).then(() => victim.start()));
      }
      if (!stopped && done >= total * redisStopAt) {
        stopped = true;
        faults.push(`Redis stopped for ${outageMs} ms after ${done} messages`);
        log(faults.at(-1) as string);
        faultsDone.push(redis.stop().then(() => sleep(outageMs)).then(() => redis.start()));
      }
    };
    await Promise.all(
      Array.from({ length: pairs }, async (_, i) => {
        const conversation = `chaos-customer-${i}`;
        for (let n = 0; n < perSide; n++) {
          await deliver(customerActivity(connector.url, conversation, `c-${i}-${n}`));
          onProgress();
          await deliver(agentActivity(connector.url, i, `a-${i}-${n}`));
          onProgress();
        }
      }),
    );
    await Promise.all(faultsDone);
    // Let relays still in flight land.
    await sleep(1500);

    let delivered = 0;
    let lost = 0;
    let duplicated = 0;
    const examples: string[] = [];
    for (let i = 0; i < pairs; i++) {
      const toAgent = connector.texts(`a:chaos-agent-${i}`);
      const toCustomer = connector.texts(`chaos-customer-${i}`);
      for (let n = 0; n < perSide; n++) {
        for (const [expected, list] of [
          [`[${caseIds[i]}] Customer: c-${i}-${n}`, toAgent],
          [`a-${i}-${n}`, toCustomer],
        ] as const) {
          const copies = list.filter((t) => t === expected).length;
          if (copies === 0) lost += 1;
          else delivered += 1;
          if (copies > 1) duplicated += copies - 1;
          if ((copies !== 1) && examples.length < 10) examples.push(`${expected} x${copies}`);
        }
      }
    }
    return { sent: total, delivered, lost, duplicated, retriedActivities, answers, faults, examples, durationMs: Date.now() - started };
  } finally {
    await Promise.all(instances.map((x) => x.stop()));
    await redis.stop();
    await connector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
