// A Warmline server for the handoff benches: the production entry (dist/index.js) in its own process on Redis, a
// Teams agent and a web console agent configured through the environment, and a fake connector for the channels.
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { FakeConnector } from '../tests/helpers/fakeConnector';
import { directLineMessage, teamsMessage, type WireActivity } from '../tests/helpers/channelActivities';
import { SseClient } from '../tests/bots/console/sseClient';
import { hashDeskPassword } from '../bots/console/deskPassword';
import { deleteRedisPrefix, redisAnswers } from './benchParts';
import { rssMb, startServer, stopServer, warmlineListeningPort, type StartedServer } from './load';

const ROOT = path.resolve(__dirname, '..');

/** The Teams agent (personal chat with the bot: the conversation where new cases are announced). */
export const TEAMS_AGENT = { userId: '29:bench-agent-teams', userName: 'Bench Agent', conversationId: 'a:bench-agent-watch' } as const;
/** The web console agent's sign-in id. */
export const DESK_AGENT_ID = 'bench-desk';

/** A signed-in web console session. */
export interface DeskSession {
  readonly events: SseClient;
  /** `GET /desk/api/...` (or another console path) with the session's cookie. */
  get(apiPath: string): Promise<Response>;
  /** `POST` with the session's cookie and CSRF token. */
  post(apiPath: string, body?: unknown): Promise<Response>;
}

/** A running Warmline server on Redis with agents, and its channels. */
export interface HandoffBenchServer {
  readonly server: StartedServer;
  readonly connector: FakeConnector;
  readonly serviceUrl: string;
  readonly desk: DeskSession;
  /** POSTs an activity to /api/messages; rejects unless 200. */
  post(activity: WireActivity): Promise<void>;
  /** A Direct Line customer's message in a conversation of their own. */
  customer(conversationId: string, text: string, locale?: string): Promise<void>;
  /** The Teams agent's message in their personal chat. */
  teamsAgent(text: string): Promise<void>;
  rssMb(): number;
  stop(): Promise<void>;
}

/** Options of {@link startHandoffServer}. */
export interface HandoffServerOptions {
  /** Default `redis://127.0.0.1:6379`. */
  readonly redisUrl?: string;
}

/**
 * Starts the server once Redis answers (rejects otherwise), puts the Teams agent online in their personal chat and
 * signs the console agent in (online) with its event stream open.
 */
export async function startHandoffServer(options: HandoffServerOptions = {}): Promise<HandoffBenchServer> {
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) throw new Error(`Redis does not answer at ${redisUrl}`);
  const prefix = `warmline-bench:${process.pid}:${randomUUID().slice(0, 8)}:`;
  const password = randomBytes(12).toString('base64url');
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  let server: StartedServer | undefined;
  let events: SseClient | undefined;
  const stop = async () => {
    events?.close();
    if (server) await stopServer(server);
    await connector.stop();
    await deleteRedisPrefix(redisUrl, prefix);
  };
  try {
    server = await startServer({
      cwd: ROOT,
      args: ['dist/index.js'],
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        WEBCHAT: 'off',
        LOG_LEVEL: 'info',
        STORAGE: 'redis',
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        WARMLINE_AGENTS: `msteams:${TEAMS_AGENT.userId}`,
        DESK_AGENTS: `${DESK_AGENT_ID}:Bench Desk Agent:${await hashDeskPassword(password)}`,
      },
      portOf: warmlineListeningPort,
      readyPath: '/readyz',
    });
    const base = server.base;
    const post = async (activity: WireActivity) => {
      const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`handoff bench: POST /api/messages answered ${res.status}`);
    };
    const teamsAgent = (text: string) => post(teamsMessage(text, { serviceUrl, ...TEAMS_AGENT }));
    await teamsAgent('online');
    const desk = await signIn(base, password);
    events = desk.events;
    const running = server;
    return {
      server: running,
      connector,
      serviceUrl,
      desk,
      post,
      customer: (conversationId, text, locale) =>
        post(directLineMessage(text, { serviceUrl, conversationId, userId: `u-${conversationId}`, userName: 'Bench Customer', ...(locale ? { locale } : {}) })),
      teamsAgent,
      rssMb: () => rssMb(running.pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Signs the console agent in as the page does (a sign-in makes them online) and opens the event stream. */
async function signIn(base: string, password: string): Promise<DeskSession> {
  const login = await fetch(`${base}/desk/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ id: DESK_AGENT_ID, password }),
  });
  if (!login.ok) throw new Error(`handoff bench: console sign-in answered ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { origin: base, cookie, 'x-csrf-token': csrfToken };
  const events = await SseClient.open(`${base}/desk/api/events`, headers);
  if (events.status !== 200) throw new Error(`handoff bench: console event stream answered ${events.status}`);
  await events.waitFor((e) => e.event === 'ready', 5000);
  return {
    events,
    get: (apiPath) => fetch(`${base}${apiPath}`, { headers }),
    post: (apiPath, body = {}) => fetch(`${base}${apiPath}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  };
}
