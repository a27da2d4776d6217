import { timingSafeEqual } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import type * as restify from 'restify';
import { CASE_ID_PATTERN, type AgentIdentity } from '../../middleware/handoff/handoffCase';
import type { AgentStatus } from '../../middleware/handoff/stores/handoffStore';
import { isRetryLater } from '../../middleware/shared/retryLater';
import { CustomerUnreachableError } from '../../middleware/handoff/handoffService';
import { isTransientStorageError } from '../../middleware/shared/transientError';
import { errorFields, silentLogger, type Logger } from '../../middleware/shared/logger';
import type { DeskAgent } from './deskAgents';
import type { DeskBackend, DeskEvent } from './deskBackend';
import { verifyDeskPassword } from './deskPassword';
import { deskCredentialDigest, MemoryDeskSessionStore, type DeskSession, type DeskSessionStore } from './deskSessions';
import { toDeskCaseItem, toDeskCaseView } from './deskViews';
import type { LockoutStore } from './lockoutStore';
import { LoginThrottle, type LoginThrottleOptions } from './loginThrottle';

/** Options of {@link registerDeskConsole}. */
export interface DeskConsoleOptions {
  /** The handoff operations the console drives. */
  backend: DeskBackend;
  /** Agents allowed to sign in (see `parseDeskAgents`). */
  agents: readonly DeskAgent[];
  /** Public base URL; `https://` makes the cookie `Secure`, and its origin is accepted in `Origin`. */
  publicUrl?: string;
  /** Further origins accepted in `Origin` (e.g. a reverse proxy's). */
  allowedOrigins?: readonly string[];
  /**
   * Where sign-in sessions live. @defaultValue a per-process `MemoryDeskSessionStore` with `sessionIdleMs`,
   * `sessionMaxAgeMs` and `clock`. With several instances give them all one shared store (`RedisDeskSessionStore`,
   * configured with its own idle time and lifetime), or a console signed in on one instance is signed out on another.
   */
  sessionStore?: DeskSessionStore;
  /** A session ends after this long without a request (an open console keeps it alive). Ignored with `sessionStore`. @defaultValue 30 min */
  sessionIdleMs?: number;
  /** A session ends this long after sign-in. Ignored with `sessionStore`. @defaultValue 12 h */
  sessionMaxAgeMs?: number;
  /** Longest message an agent sends (the same limit as customers' messages, `MAX_TEXT_CHARS`). @defaultValue 4000 */
  maxMessageChars?: number;
  /** Presence lifetime; renewed every third of it while a console is open. @defaultValue 60 s */
  presenceTtlMs?: number;
  /** Comment line sent on the event stream this often (keeps proxies from closing it). @defaultValue 15 s */
  heartbeatMs?: number;
  /** Wrong passwords per account before lock-outs. @defaultValue 5 */
  accountFailures?: number;
  /**
   * Behind exactly one trusted reverse proxy (App Service's front end, an ingress controller) that appends the client
   * address to `X-Forwarded-For` or sets the header: the per-address lock-out then counts the *last* (right-most)
   * entry, the address that proxy itself saw, so that agents behind the proxy are not all locked out at once. Entries
   * to its left come from the client and are ignored (they can be forged). A `:port` is dropped; an empty or malformed
   * last entry falls back to the socket peer. Leave it off when clients reach the app directly, or through a proxy that
   * passes the header on unchanged. @defaultValue false
   */
  trustProxy?: boolean;
  /** Wrong passwords per client IP before lock-outs (offices share an address). @defaultValue 20 */
  ipFailures?: number;
  /** Lock-out tuning shared by both counters (clock, base and longest lock-out). */
  throttle?: Omit<LoginThrottleOptions, 'freeFailures' | 'store' | 'keyPrefix'>;
  /**
   * Where wrong passwords are counted (per account and per client IP). @defaultValue per process, in memory. With
   * several instances give them all one shared store (`RedisLockoutStore`), or lock-outs can be dodged by spreading
   * attempts over instances.
   */
  lockoutStore?: LockoutStore;
  /** Clock in epoch ms (sessions of the default store). @defaultValue Date.now */
  clock?: () => number;
  /** Folder with index.html, desk.js, desk.css. @defaultValue this package's `bots/console/static` */
  staticDir?: string;
  logger?: Logger;
}

/** A registered console, for shutting it down. */
export interface DeskConsole {
  /** The sign-in sessions (the given `sessionStore`, or the console's own). */
  readonly sessions: DeskSessionStore;
  /** Number of open event streams. */
  openStreams(): number;
  /**
   * Ends event streams (their last event is `end` with reason `shutdown`: the page reconnects, to another instance,
   * with the same session), timers and the backend subscription; new event streams are then answered 503.
   */
  close(): Promise<void>;
}

const COOKIE = 'warmline_desk';
const CONSOLE_CHANNEL = 'console';
const MAX_NOTE_CHARS = 2000;
// Verified against when the account does not exist, so an unknown id costs as much as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** A live session with its agent as configured. */
interface ActiveSession {
  readonly id: string;
  readonly agent: AgentIdentity;
  readonly csrfToken: string;
}

/**
 * The client address of a request for the per-address lock-out: with `trustProxy`, the last (right-most) entry of
 * `X-Forwarded-For`, which the one trusted proxy in front appended or set (`1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
 * `[2001:db8::1]:5678`; the port is dropped); otherwise, or when that entry is empty or not an IP address, the socket
 * peer (`'unknown'` when there is none).
 */
export function deskClientAddress(forwardedFor: string | readonly string[] | undefined, peer: string | undefined, trustProxy: boolean): string {
  const fallback = peer || 'unknown';
  if (!trustProxy || forwardedFor === undefined) return fallback;
  // Repeated headers: Node joins them with ", "; an array (if any) is in order too, so the last line holds the last entry.
  const joined = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',');
  const last = joined.slice(joined.lastIndexOf(',') + 1).trim();
  let address = last;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(last);
  if (bracketed) address = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(last)) address = last.slice(0, last.lastIndexOf(':'));
  return isIP(address) ? address.toLowerCase() : fallback;
}

interface Stream {
  readonly session: ActiveSession;
  readonly res: restify.Response;
  readonly timer: NodeJS.Timeout;
}

/**
 * Why the console ended an event stream (`event: end`, data `{"reason": ...}`): `signed_out` when the session is over
 * (signed out here or on another instance, expired, or no longer valid for the agent as configured), so the page asks
 * for the password; `shutdown` when this instance stops (a restart, a rolling deploy) while the session lives on in
 * its store, so the page reconnects.
 */
type StreamEndReason = 'signed_out' | 'shutdown';

type Handler = (req: restify.Request, res: restify.Response, session: ActiveSession) => Promise<void>;

function defaultStaticDir(): string {
  const candidates = [path.join(__dirname, 'static'), path.resolve(__dirname, '..', '..', '..', 'bots', 'console', 'static')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0];
}

function readCookie(req: restify.Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

const send = (res: restify.Response, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
};

const error = (res: restify.Response, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  send(res, status, { error: code, message }, headers);

const agentOut = (a: AgentIdentity | undefined) => (a ? { id: a.id, name: a.name ?? a.id } : undefined);

/**
 * Registers the web agent console on a restify server: the page at `/desk`, sign-in at `POST /desk/login`, and the
 * session-protected API under `/desk/api/` (queue, case view, accept, live chat over server-sent events, close,
 * presence, logout).
 *
 * @remarks Security: passwords are checked against scrypt hashes in constant time; wrong passwords are counted per
 * account and per client IP and answered `429` with `Retry-After` once locked out; the session cookie is `HttpOnly`,
 * `SameSite=Strict` (and `Secure` when `publicUrl` is https); every mutating call needs the session's CSRF token in
 * `X-CSRF-Token` and a same-origin `Origin` (or `Sec-Fetch-Site`); without a valid session every `/desk/api/*` route
 * answers `401`. Presence (channel `console`) is set online at sign-in and renewed while the console is open.
 * Sessions and lock-out counts are per process unless `sessionStore` / `lockoutStore` are given: with several
 * instances pass shared ones (`RedisDeskSessionStore`, `RedisLockoutStore`; createApp does with `STORAGE=redis`).
 * A store that cannot be reached gets `503`, never a session. Customer text is never logged.
 * @example registerDeskConsole(server, { backend, agents: parseDeskAgents(config.DESK_AGENTS) });
 */
export function registerDeskConsole(server: restify.Server, options: DeskConsoleOptions): DeskConsole {
  if (!options?.backend) throw new TypeError('registerDeskConsole: backend is required');
  if (!Array.isArray(options.agents)) throw new TypeError('registerDeskConsole: agents is required');
  const { backend } = options;
  const logger = options.logger ?? silentLogger;
  const agents = new Map(options.agents.map((a) => [a.id.toLowerCase(), a]));
  // Fingerprints of the configured password hashes: a session signed in under another hash (the password was
  // rotated in DESK_AGENTS since) is refused.
  const credentials = new Map(options.agents.map((a) => [a.id.toLowerCase(), deskCredentialDigest(a.passwordHash)]));
  const publicUrl = options.publicUrl ? new URL(options.publicUrl) : undefined;
  const secure = publicUrl?.protocol === 'https:';
  const allowedOrigins = new Set([...(options.allowedOrigins ?? []), ...(publicUrl ? [publicUrl.origin] : [])]);
  const presenceTtlMs = options.presenceTtlMs ?? 60_000;
  const maxMessageChars = options.maxMessageChars ?? 4000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const sessions: DeskSessionStore =
    options.sessionStore ??
    new MemoryDeskSessionStore({
      ...(options.sessionIdleMs ? { idleMs: options.sessionIdleMs } : {}),
      ...(options.sessionMaxAgeMs ? { maxAgeMs: options.sessionMaxAgeMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const lockouts = options.lockoutStore;
  const accountThrottle = new LoginThrottle({
    ...options.throttle,
    freeFailures: options.accountFailures ?? 5,
    ...(lockouts ? { store: lockouts, keyPrefix: 'account:' } : {}),
  });
  const ipThrottle = new LoginThrottle({ ...options.throttle, freeFailures: options.ipFailures ?? 20, ...(lockouts ? { store: lockouts, keyPrefix: 'ip:' } : {}) });
  const staticDir = options.staticDir ?? defaultStaticDir();
  const streams = new Set<Stream>();
  const status = new Map<string, AgentStatus>();
  let closed = false;
  let unsubscribe: Promise<() => void> | undefined;

  const identity = (a: DeskAgent): AgentIdentity => ({ id: a.id, name: a.displayName, channel: CONSOLE_CHANNEL });

  const setPresence = (agent: AgentIdentity, s: AgentStatus): Promise<void> =>
    backend.setPresence(agent, s, presenceTtlMs).catch((err) => logger.warn('desk.presence_failed', errorFields(err)));
  /** Records the agent's status as the shared presence has it; a change made on another instance is shown here too. */
  const noteStatus = (agent: AgentIdentity, shared: AgentStatus): AgentStatus => {
    const previous = status.get(agent.id);
    status.set(agent.id, shared);
    if (previous && previous !== shared) broadcast({ type: 'presence', agentId: agent.id, status: shared }, (st) => st.session.agent.id === agent.id);
    return shared;
  };
  // The agent's status as all instances see it (away on one instance's console is away on every instance), else the
  // one last set here, else online. Read only: a read followed by a write could undo a change made in between.
  const currentStatus = async (agent: AgentIdentity): Promise<AgentStatus> => {
    try {
      const shared = await backend.getPresence?.(agent);
      if (shared) return noteStatus(agent, shared);
    } catch (err) {
      logger.warn('desk.presence_failed', errorFields(err));
    }
    return status.get(agent.id) ?? 'online';
  };
  // Renewals keep the status the shared presence has, in one atomic step (`renewPresence`), so they never turn an away
  // agent online, whichever instance set it. A presence that is gone (signed out, or expired while storage was
  // unreachable) is set again only while the session still lives. One renewal per agent at a time.
  const renewing = new Set<string>();
  const renewPresence = async (session: ActiveSession): Promise<void> => {
    const agent = session.agent;
    if (renewing.has(agent.id)) return;
    renewing.add(agent.id);
    try {
      const kept = backend.renewPresence ? await backend.renewPresence(agent, presenceTtlMs) : undefined;
      if (kept) return void noteStatus(agent, kept);
      if (backend.renewPresence && !active(await sessions.touch(session.id))) return;
      await backend.setPresence(agent, status.get(agent.id) ?? 'online', presenceTtlMs);
    } catch (err) {
      logger.warn('desk.presence_failed', errorFields(err));
    } finally {
      renewing.delete(agent.id);
    }
  };

  // The session as the console uses it: only agents still configured, with the password hash they signed in under,
  // have one.
  const active = (s: DeskSession | undefined): ActiveSession | undefined => {
    const agent = s ? agents.get(s.agentId.toLowerCase()) : undefined;
    const credential = s ? credentials.get(s.agentId.toLowerCase()) : undefined;
    if (!s || !agent || !credential || !sameText(s.credentialDigest ?? '', credential)) return undefined;
    return { id: s.id, agent: identity(agent), csrfToken: s.csrfToken };
  };

  // A session ended (sign-out here, or found ended at a heartbeat: signed out on another instance, or expired): its
  // streams here end, and an agent with no other session anywhere goes offline at once rather than when the
  // presence expires.
  const sessionEnded = async (ended: ActiveSession): Promise<void> => {
    for (const stream of [...streams]) if (stream.session.id === ended.id) endStream(stream, 'signed_out');
    try {
      if ((await sessions.countOfAgent(ended.agent.id)) > 0) return;
    } catch (err) {
      return void logger.warn('desk.session_store_failed', errorFields(err));
    }
    status.delete(ended.agent.id);
    await backend.clearPresence(ended.agent).catch((err) => logger.warn('desk.presence_failed', errorFields(err)));
  };

  const renewal = setInterval(() => {
    const seen = new Set<string>();
    for (const stream of streams) {
      const agent = stream.session.agent;
      if (seen.has(agent.id)) continue;
      seen.add(agent.id);
      void renewPresence(stream.session);
    }
  }, Math.max(1000, Math.floor(presenceTtlMs / 3)));
  renewal.unref();

  // ---- request checks

  const originAllowed = (req: restify.Request): boolean => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin !== 'null') {
      if (allowedOrigins.has(origin)) return true;
      try {
        return new URL(origin).host === req.headers.host;
      } catch {
        return false;
      }
    }
    if (origin === 'null') return false;
    // No Origin: browsers still tell where the request came from; non-browser clients send neither.
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  };

  const clientIp = (req: restify.Request): string =>
    deskClientAddress(req.headers['x-forwarded-for'], req.socket.remoteAddress, options.trustProxy === true);
  // Logs name the network, not the person: the last IPv4 octet / the IPv6 interface part is dropped.
  const maskedIp = (ip: string): string => (ip.includes('.') ? ip.replace(/\.\d+$/, '.x') : ip.split(':').slice(0, 4).join(':') + '::x');

  const guarded =
    (handler: Handler, mutating: boolean) =>
    async (req: restify.Request, res: restify.Response): Promise<void> => {
      let session: ActiveSession | undefined;
      try {
        session = active(await sessions.touch(readCookie(req, COOKIE)));
      } catch (err) {
        logger.error('desk.session_store_failed', { route: req.getPath(), ...errorFields(err) });
        return error(res, 503, 'Unavailable', 'The console cannot check sessions right now; try again shortly.');
      }
      if (!session) return error(res, 401, 'Unauthorized', 'Sign in to the agent console.');
      if (mutating) {
        if (!originAllowed(req)) return error(res, 403, 'Forbidden', 'Cross-origin request refused.');
        const token = req.headers['x-csrf-token'];
        if (typeof token !== 'string' || !sameText(token, session.csrfToken)) {
          return error(res, 403, 'Forbidden', 'Missing or wrong X-CSRF-Token header.');
        }
      }
      try {
        await handler(req, res, session);
      } catch (err) {
        if (isTransientStorageError(err)) {
          // Storage is unreachable for a moment: nothing was done that a retry would repeat (sends are idempotent).
          logger.warn('desk.api_unavailable', { route: req.getPath(), agent: session.agent.id, ...errorFields(err) });
          const seconds = isRetryLater(err) ? err.retryAfterSeconds : 2;
          if (!res.headersSent) error(res, 503, 'Unavailable', 'The console cannot reach its storage right now; try again shortly.', { 'Retry-After': String(seconds) });
          return;
        }
        if (err instanceof CustomerUnreachableError) {
          logger.warn('desk.customer_unreachable', { route: req.getPath(), agent: session.agent.id, caseId: err.caseId });
          if (!res.headersSent) error(res, 502, 'CustomerUnreachable', "The customer's channel could not be reached, so the message was not sent. Try again in a moment.");
          return;
        }
        logger.error('desk.api_failed', { route: req.getPath(), agent: session.agent.id, ...errorFields(err) });
        if (!res.headersSent) error(res, 500, 'InternalError', 'The console could not complete this request.');
      }
    };

  const caseIdParam = (req: restify.Request, res: restify.Response): string | undefined => {
    const id = String(req.params?.caseId ?? '').toUpperCase();
    if (!CASE_ID_PATTERN.test(id)) {
      error(res, 400, 'BadRequest', 'Not a case id.');
      return undefined;
    }
    return id;
  };

  const cookie = (value: string, maxAgeSeconds?: number): string =>
    [
      `${COOKIE}=${value}`,
      'Path=/desk',
      'HttpOnly',
      'SameSite=Strict',
      ...(secure ? ['Secure'] : []),
      ...(maxAgeSeconds !== undefined ? [`Max-Age=${maxAgeSeconds}`] : []),
    ].join('; ');

  // ---- page

  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  const files: Record<string, { file: string; type: string }> = {
    page: { file: 'index.html', type: 'text/html; charset=utf-8' },
    js: { file: 'desk.js', type: 'application/javascript; charset=utf-8' },
    css: { file: 'desk.css', type: 'text/css; charset=utf-8' },
  };
  const cache = new Map<string, Promise<Buffer>>();
  const serve = (key: keyof typeof files) => async (_req: restify.Request, res: restify.Response) => {
    const { file, type } = files[key];
    let body = cache.get(file);
    if (!body) {
      body = fs.readFile(path.join(staticDir, file));
      body.catch(() => cache.delete(file));
      cache.set(file, body);
    }
    try {
      const content = await body;
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': String(content.length),
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        ...(key === 'page'
          ? { 'Content-Security-Policy': csp, 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' }
          : {}),
      });
      res.end(content);
    } catch {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The agent console is not available.');
    }
  };
  server.get('/desk', serve('page'));
  server.get('/desk/', serve('page'));
  server.get('/desk/static/desk.js', serve('js'));
  server.get('/desk/static/desk.css', serve('css'));

  // ---- sign-in

  server.post('/desk/login', async (req: restify.Request, res: restify.Response) => {
    if (!originAllowed(req)) return error(res, 403, 'Forbidden', 'Cross-origin request refused.');
    if (!req.is('json') || !isRecord(req.body)) return error(res, 400, 'BadRequest', 'Send JSON {"id", "password"}.');
    const { id, password } = req.body;
    if (typeof id !== 'string' || typeof password !== 'string' || !id || !password || id.length > 64 || password.length > 1024) {
      return error(res, 400, 'BadRequest', 'Send JSON {"id", "password"}.');
    }
    const accountKey = id.trim().toLowerCase();
    const ipKey = clientIp(req);
    try {
      await signIn(res, accountKey, ipKey, password);
    } catch (err) {
      logger.error('desk.login_store_failed', errorFields(err));
      if (!res.headersSent) error(res, 503, 'Unavailable', 'Sign-in is not available right now; try again shortly.');
    }
  });

  // Each attempt is counted (per address, then per account) before its password is checked, atomically with the
  // lock-out check: simultaneous guesses cannot all pass the check while the first are still in scrypt.
  async function signIn(res: restify.Response, accountKey: string, ipKey: string, password: string): Promise<void> {
    const lockedOut = (ms: number): void => {
      logger.warn('desk.login_locked', { ip: maskedIp(ipKey) });
      const seconds = Math.max(1, Math.ceil(ms / 1000));
      error(res, 429, 'TooManyAttempts', `Too many wrong passwords. Try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
    };
    // A cheap look first, so a locked account costs its address nothing.
    const locked = Math.max(...(await Promise.all([accountThrottle.lockedFor(accountKey), ipThrottle.lockedFor(ipKey)])));
    if (locked > 0) return lockedOut(locked);
    const ipLocked = await ipThrottle.attempt(ipKey);
    if (ipLocked > 0) return lockedOut(ipLocked);
    const accountLocked = await accountThrottle.attempt(accountKey);
    if (accountLocked > 0) {
      // Refused before any check: not a wrong password from this address.
      await ipThrottle.refund(ipKey);
      return lockedOut(accountLocked);
    }
    const agent = agents.get(accountKey);
    const valid = await verifyDeskPassword(password, agent?.passwordHash ?? DUMMY_HASH);
    if (!agent || !valid) {
      logger.warn('desk.login_failed', { ip: maskedIp(ipKey), knownAccount: !!agent });
      return error(res, 401, 'InvalidCredentials', 'Wrong id or password.');
    }
    // The account starts afresh; the address only gets this attempt back (a valid account of one's own must not
    // wipe the wrong passwords tried on others from the same address).
    await Promise.all([accountThrottle.reset(accountKey), ipThrottle.refund(ipKey)]);
    const created = await sessions.create(agent.id, credentials.get(accountKey) ?? deskCredentialDigest(agent.passwordHash));
    const me = identity(agent);
    // Signed in elsewhere too: keep the status the agent has (atomically). Otherwise a sign-in makes them online.
    const kept = backend.renewPresence
      ? await backend.renewPresence(me, presenceTtlMs).catch((err: unknown) => void logger.warn('desk.presence_failed', errorFields(err)))
      : undefined;
    let current: AgentStatus;
    if (kept) {
      current = noteStatus(me, kept);
    } else {
      // No shared presence: a fresh sign-in is online (a backend without shared presence keeps this process's status).
      current = backend.renewPresence ? 'online' : (status.get(agent.id) ?? 'online');
      status.set(agent.id, current);
      await setPresence(me, current);
    }
    logger.info('desk.login', { agent: agent.id });
    send(res, 200, { agent: agentOut(me), csrfToken: created.csrfToken, status: current }, {
      'Set-Cookie': cookie(created.id),
    });
  }

  // ---- API

  server.get(
    '/desk/api/session',
    guarded(async (_req, res, session) => {
      send(res, 200, { agent: agentOut(session.agent), csrfToken: session.csrfToken, status: await currentStatus(session.agent) });
    }, false),
  );

  server.post(
    '/desk/api/logout',
    guarded(async (_req, res, session) => {
      await sessions.destroy(session.id);
      await sessionEnded(session);
      logger.info('desk.logout', { agent: session.agent.id });
      send(res, 204, undefined, { 'Set-Cookie': cookie('', 0) });
    }, true),
  );

  server.post(
    '/desk/api/presence',
    guarded(async (req, res, session) => {
      const s = isRecord(req.body) ? req.body.status : undefined;
      if (s !== 'online' && s !== 'away') return error(res, 400, 'BadRequest', 'status must be "online" or "away".');
      status.set(session.agent.id, s);
      await backend.setPresence(session.agent, s, presenceTtlMs);
      broadcast({ type: 'presence', agentId: session.agent.id, status: s }, (st) => st.session.agent.id === session.agent.id);
      send(res, 200, { status: s });
    }, true),
  );

  server.get(
    '/desk/api/queue',
    guarded(async (_req, res, session) => {
      const [queue, mine] = await Promise.all([backend.listQueue(), backend.listAssigned(session.agent)]);
      send(res, 200, { queue: queue.map(toDeskCaseItem), mine: mine.map(toDeskCaseItem), now: new Date().toISOString() });
    }, false),
  );

  server.get(
    '/desk/api/cases/:caseId',
    guarded(async (req, res, session) => {
      const id = caseIdParam(req, res);
      if (!id) return;
      const c = await backend.getCase(id);
      if (!c) return error(res, 404, 'NotFound', `No case ${id}.`);
      const earlier = await backend.earlierCases(c, 10);
      send(res, 200, { case: toDeskCaseView(c, session.agent), earlier: earlier.map(toDeskCaseItem) });
    }, false),
  );

  server.post(
    '/desk/api/cases/:caseId/accept',
    guarded(async (req, res, session) => {
      const id = caseIdParam(req, res);
      if (!id) return;
      const result = await backend.accept(id, session.agent);
      if (result.ok) {
        logger.info('desk.accepted', { agent: session.agent.id, caseId: id });
        return send(res, 200, { case: toDeskCaseView(result.case, session.agent) });
      }
      if (result.reason === 'not_found') return error(res, 404, 'NotFound', `No case ${id}.`);
      if (result.reason === 'taken') {
        const mine = result.by.id === session.agent.id && result.by.channel === CONSOLE_CHANNEL;
        return send(res, mine ? 200 : 409, mine ? { case: toDeskCaseView(result.case, session.agent) } : {
          error: 'Taken',
          message: `${result.by.name ?? result.by.id} already has this case.`,
          by: agentOut(result.by),
        });
      }
      send(res, 409, { error: 'NotClaimable', message: `The case is ${result.state}.`, state: result.state });
    }, true),
  );

  server.post(
    '/desk/api/cases/:caseId/messages',
    guarded(async (req, res, session) => {
      const id = caseIdParam(req, res);
      if (!id) return;
      const text = isRecord(req.body) && typeof req.body.text === 'string' ? req.body.text.trim() : '';
      if (!text || text.length > maxMessageChars) {
        return error(res, 400, 'BadRequest', `text must be 1-${maxMessageChars} characters.`);
      }
      // The page's id for this message: a retry with the same id is sent once.
      const messageId = isRecord(req.body) ? req.body.id : undefined;
      if (messageId !== undefined && (typeof messageId !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(messageId))) {
        return error(res, 400, 'BadRequest', 'id must be 8-64 letters, digits, "-" or "_".');
      }
      const result = await backend.send(id, session.agent, text, messageId === undefined ? undefined : `${session.agent.id}:${messageId}`);
      if (result.ok) return send(res, 202, { sent: true });
      actionError(res, id, result);
    }, true),
  );

  server.post(
    '/desk/api/cases/:caseId/close',
    guarded(async (req, res, session) => {
      const id = caseIdParam(req, res);
      if (!id) return;
      const raw = isRecord(req.body) ? req.body.note : undefined;
      if (raw !== undefined && (typeof raw !== 'string' || raw.length > MAX_NOTE_CHARS)) {
        return error(res, 400, 'BadRequest', `note must be text of at most ${MAX_NOTE_CHARS} characters.`);
      }
      const note = typeof raw === 'string' && raw.trim() ? raw.trim() : undefined;
      const result = await backend.close(id, session.agent, note);
      if (result.ok) {
        logger.info('desk.closed', { agent: session.agent.id, caseId: id });
        return send(res, 200, result.case ? { case: toDeskCaseView(result.case, session.agent) } : { closed: true });
      }
      actionError(res, id, result);
    }, true),
  );

  server.get(
    '/desk/api/events',
    guarded(async (req, res, session) => {
      await ensureSubscribed();
      // Stopping: a new stream would hold the shutdown up; the page tries again later (another instance, by then).
      if (closed) return error(res, 503, 'Unavailable', 'The console is restarting; try again shortly.', { 'Retry-After': '2' });
      req.socket.setTimeout(0);
      req.socket.setNoDelay(true);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ agent: agentOut(session.agent) })}\n\n`);
      const timer = setInterval(() => {
        // An open console keeps its session alive; the absolute lifetime still applies. A session ended elsewhere
        // (signed out on another instance, expired) ends the stream here.
        sessions.touch(session.id).then(
          (live) => {
            if (!streams.has(stream)) return;
            if (active(live)) res.write(': keep-alive\n\n');
            else void sessionEnded(session);
          },
          (err: unknown) => logger.warn('desk.session_store_failed', errorFields(err)),
        );
      }, heartbeatMs);
      timer.unref();
      const stream: Stream = { session, res, timer };
      streams.add(stream);
      void renewPresence(session);
      await new Promise<void>((resolve) => {
        req.once('close', resolve);
        res.once('close', resolve);
      });
      clearInterval(timer);
      streams.delete(stream);
    }, false),
  );

  // Unknown API routes: 401 without a session like every other, 404 with one.
  const unknown = guarded(async (_req, res) => error(res, 404, 'NotFound', 'No such console API.'), false);
  for (const method of ['get', 'post', 'put', 'del', 'patch'] as const) server[method]('/desk/api/*', unknown);

  function actionError(res: restify.Response, id: string, result: Exclude<Awaited<ReturnType<DeskBackend['send']>>, { ok: true }>) {
    if (result.reason === 'not_found') return error(res, 404, 'NotFound', `No case ${id}.`);
    if (result.reason === 'not_yours') {
      return send(res, 403, {
        error: 'NotYourCase',
        message: result.by ? `${result.by.name ?? result.by.id} has this case.` : 'Accept the case first.',
        ...(result.by ? { by: agentOut(result.by) } : {}),
      });
    }
    return send(res, 409, { error: 'NotAssigned', message: `The case is ${result.state}.`, state: result.state });
  }

  // ---- events

  function write(stream: Stream, event: string, data: unknown): void {
    try {
      stream.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    } catch (err) {
      logger.warn('desk.stream_write_failed', errorFields(err));
    }
  }

  function broadcast(data: { type: string } & Record<string, unknown>, to: (s: Stream) => boolean = () => true): void {
    for (const stream of streams) if (to(stream)) write(stream, data.type, data);
  }

  function endStream(stream: Stream, reason: StreamEndReason): void {
    write(stream, 'end', { reason });
    clearInterval(stream.timer);
    streams.delete(stream);
    stream.res.end();
  }

  function onEvent(event: DeskEvent): void {
    if (event.type === 'queue') return broadcast({ type: 'queue' });
    if (event.type === 'case') {
      return broadcast({ type: 'case', caseId: event.caseId, state: event.state, ...(event.agent ? { agent: agentOut(event.agent) } : {}) });
    }
    // New lines on a case: only the consoles showing it reload it (the page knows which case it shows).
    if (event.type === 'lines') return broadcast({ type: 'lines', caseId: event.caseId });
    // Live chat only reaches the consoles of the agent who holds the case.
    broadcast(
      { type: 'message', caseId: event.caseId, from: event.from, text: event.text, at: event.at },
      (s) => s.session.agent.id === event.agentId,
    );
  }

  function ensureSubscribed(): Promise<() => void> {
    if (!unsubscribe) {
      unsubscribe = backend.subscribe(onEvent);
      unsubscribe.catch(() => (unsubscribe = undefined));
    }
    return unsubscribe;
  }

  return {
    sessions,
    openStreams: () => streams.size,
    async close() {
      closed = true;
      clearInterval(renewal);
      for (const stream of [...streams]) endStream(stream, 'shutdown');
      if (unsubscribe) (await unsubscribe.catch(() => () => undefined))();
    },
  };
}
