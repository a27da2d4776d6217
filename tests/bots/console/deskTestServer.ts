import type { Server } from 'restify';
import { createWarmlineServer, listen } from '../../../bots/app/server';
import { silentLogger } from '../../../middleware/shared/logger';
import { hashDeskPassword } from '../../../bots/console/deskPassword';
import type { DeskAgent } from '../../../bots/console/deskAgents';
import type { DeskBackend } from '../../../bots/console/deskBackend';
import { registerDeskConsole, type DeskConsole, type DeskConsoleOptions } from '../../../bots/console/registerDeskConsole';
import { anonymousAdapter } from '../webchat/localChannelHarness';
import { FakeDeskBackend } from './fakeDeskBackend';

let agents: Promise<DeskAgent[]> | undefined;

/**
 * Test agents: `ana` / `ana-password`, `ben` / `ben-password` (cheap scrypt cost for speed). The same hashes on every
 * call, as every instance of a deployment reads the same DESK_AGENTS (a session is only valid under the password hash
 * it was signed in with).
 */
export function testAgents(): Promise<DeskAgent[]> {
  return (agents ??= hashTestAgents());
}

function hashTestAgents(): Promise<DeskAgent[]> {
  return Promise.all(
    [
      ['ana', 'Ana Martin'],
      ['ben', 'Ben Dupont'],
    ].map(async ([id, displayName]) => ({ id, displayName, passwordHash: await hashDeskPassword(`${id}-password`, { N: 1024 }) })),
  );
}

/** The real server with the console on an ephemeral port, over a {@link FakeDeskBackend} unless given a backend. */
export interface DeskTestServer<B extends DeskBackend = FakeDeskBackend> {
  base: string;
  server: Server;
  backend: B;
  desk: DeskConsole;
  close(): Promise<void>;
}

/** Starts the console; `port` listens on a given port (e.g. the one of a server just closed: a restart). */
export async function startDeskServer<B extends DeskBackend = FakeDeskBackend>(
  { port: wanted = 0, ...options }: Partial<DeskConsoleOptions> & { backend?: B; port?: number } = {},
): Promise<DeskTestServer<B>> {
  const backend = options.backend ?? (new FakeDeskBackend() as DeskBackend as B);
  const server = createWarmlineServer({
    adapter: anonymousAdapter(),
    bot: { run: async () => undefined },
    logger: silentLogger,
    maxBodyBytes: 64 * 1024,
    readiness: () => ({ ready: true, checks: {} }),
  });
  const desk = registerDeskConsole(server, { agents: await testAgents(), ...options, backend });
  const port = await listen(server, wanted, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    server,
    backend,
    desk,
    async close() {
      await desk.close();
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // A given backend's store belongs to the test.
      if (backend instanceof FakeDeskBackend) await backend.store.dispose();
    },
  };
}

/** A signed-in console client (cookie + CSRF token), as the page would be. */
export class DeskClient {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Origin: this.base, ...(this.cookie ? { Cookie: this.cookie } : {}), ...(this.csrf ? { 'X-CSRF-Token': this.csrf } : {}), ...extra };
  }

  async login(id: string, password = `${id}-password`, extra: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(`${this.base}/desk/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: this.base, ...extra },
      body: JSON.stringify({ id, password }),
    });
    if (res.ok) {
      const setCookie = res.headers.get('set-cookie') ?? '';
      this.cookie = setCookie.split(';')[0];
      this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return fetch(`${this.base}${path}`, { headers: this.headers() });
  }

  post(path: string, body: unknown = {}, extra: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: this.headers({ 'Content-Type': 'application/json', ...extra }),
      body: JSON.stringify(body),
    });
  }
}
