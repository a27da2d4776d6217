/**
 * The agent console's entry point: resolves {@link DeskConsoleOptions} into the context the route modules under
 * `routes/` share, registers them in order, and returns the handle that shuts the console down.
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type * as restify from 'restify';
import { silentLogger, type Logger } from '../../middleware/shared/logger';
import { DeskAccounts } from './deskAccounts';
import type { DeskAgent } from './deskAgents';
import type { DeskBackend } from './deskBackend';
import { DeskPresence } from './deskPresence';
import { MemoryDeskSessionStore, type DeskSessionStore } from './deskSessions';
import { DeskStreams } from './deskStreams';
import type { LockoutStore } from './lockoutStore';
import { LoginThrottle, type LoginThrottleOptions } from './loginThrottle';
import { registerCaseRoutes } from './routes/caseRoutes';
import type { DeskConsoleContext } from './routes/deskConsoleContext';
import { registerEventRoutes } from './routes/eventRoutes';
import { registerApiFallback } from './routes/guardedRoute';
import { registerPageRoutes } from './routes/pageRoutes';
import { registerSessionRoutes } from './routes/sessionRoutes';
import { registerSignInRoutes } from './routes/signInRoutes';

export { deskClientAddress } from './deskClientAddress';

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
  const ctx = consoleContext(options);
  ctx.presence.startRenewal();
  registerPageRoutes(server, ctx);
  registerSignInRoutes(server, ctx);
  registerSessionRoutes(server, ctx);
  registerCaseRoutes(server, ctx);
  registerEventRoutes(server, ctx);
  registerApiFallback(server, ctx);
  return {
    sessions: ctx.sessions,
    openStreams: () => ctx.streams.size,
    async close() {
      ctx.presence.stop();
      await ctx.streams.close();
    },
  };
}

/** The options with their defaults, as the route modules use them. */
function consoleContext(options: DeskConsoleOptions): DeskConsoleContext {
  const { backend } = options;
  const logger = options.logger ?? silentLogger;
  const publicUrl = options.publicUrl ? new URL(options.publicUrl) : undefined;
  const sessions: DeskSessionStore =
    options.sessionStore ??
    new MemoryDeskSessionStore({
      ...(options.sessionIdleMs ? { idleMs: options.sessionIdleMs } : {}),
      ...(options.sessionMaxAgeMs ? { maxAgeMs: options.sessionMaxAgeMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const lockouts = options.lockoutStore;
  const throttle = (freeFailures: number, keyPrefix: string): LoginThrottle =>
    new LoginThrottle({ ...options.throttle, freeFailures, ...(lockouts ? { store: lockouts, keyPrefix } : {}) });
  const accounts = new DeskAccounts(options.agents);
  const streams = new DeskStreams(backend, logger);
  const presence = new DeskPresence({ backend, sessions, accounts, streams, presenceTtlMs: options.presenceTtlMs ?? 60_000, logger });
  return {
    backend,
    accounts,
    sessions,
    presence,
    streams,
    throttles: { account: throttle(options.accountFailures ?? 5, 'account:'), ip: throttle(options.ipFailures ?? 20, 'ip:') },
    limits: { maxMessageChars: options.maxMessageChars ?? 4000, heartbeatMs: options.heartbeatMs ?? 15_000 },
    requests: {
      allowedOrigins: new Set([...(options.allowedOrigins ?? []), ...(publicUrl ? [publicUrl.origin] : [])]),
      secureCookie: publicUrl?.protocol === 'https:',
      trustProxy: options.trustProxy === true,
    },
    staticDir: options.staticDir ?? defaultStaticDir(),
    logger,
  };
}

function defaultStaticDir(): string {
  const candidates = [path.join(__dirname, 'static'), path.resolve(__dirname, '..', '..', '..', 'bots', 'console', 'static')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0];
}
