import { createHash, randomBytes } from 'node:crypto';

/** A signed-in console session, as a {@link DeskSessionStore} keeps it. */
export interface DeskSession {
  /** Opaque random id (the cookie value). Stores keep only its hash ({@link deskSessionDigest}). */
  readonly id: string;
  /** The agent's sign-in id (from `DESK_AGENTS`). */
  readonly agentId: string;
  /**
   * {@link deskCredentialDigest} of the agent's configured password hash at sign-in: the console refuses the session
   * once the configured hash differs (a rotated password ends the agent's sessions). Empty for a session stored
   * without one (refused).
   */
  readonly credentialDigest: string;
  /** Sent back by the page in `X-CSRF-Token` on every mutating call. */
  readonly csrfToken: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms of the last request that used the session. */
  readonly lastSeenAt: number;
}

/** Timing of a {@link DeskSessionStore}. */
export interface DeskSessionStoreOptions {
  /** A session ends after this long without a request. @defaultValue 30 minutes */
  readonly idleMs?: number;
  /** A session ends this long after sign-in, whatever happens. @defaultValue 12 hours */
  readonly maxAgeMs?: number;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly clock?: () => number;
}

/**
 * Where the web console's sign-in sessions live: in process memory ({@link MemoryDeskSessionStore}, one instance) or
 * in Redis (`RedisDeskSessionStore`, every instance behind a load balancer sees the same sessions).
 *
 * @remarks A store enforces both lifetimes itself: `touch` returns nothing for a session idle longer than `idleMs`
 * or older than `maxAgeMs` (and forgets it).
 */
export interface DeskSessionStore {
  /**
   * Starts a session for an agent: a random 256-bit id and CSRF token, stored with `credentialDigest` (the
   * {@link deskCredentialDigest} of the agent's password hash as configured now).
   */
  create(agentId: string, credentialDigest: string): Promise<DeskSession>;
  /** The live session with this id, marked used now; `undefined` when unknown, malformed or expired. */
  touch(id: string | undefined): Promise<DeskSession | undefined>;
  /** Ends a session (sign-out); returns it, or `undefined` when it was not live. */
  destroy(id: string): Promise<DeskSession | undefined>;
  /** Live sessions of an agent (on every instance, for a shared store). */
  countOfAgent(agentId: string): Promise<number>;
}

/** Default idle time of a console session. */
export const DESK_SESSION_IDLE_MS = 30 * 60 * 1000;
/** Default lifetime of a console session. */
export const DESK_SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;

/** The key a store files a session under: SHA-256 of its id, base64url. The id itself is never stored. */
export const deskSessionDigest = (id: string): string => createHash('sha256').update(id).digest('base64url');

/**
 * A short fingerprint of an agent's configured password hash: the first 16 bytes of its SHA-256, base64url (22
 * characters). Kept in the session, so a session signed in before a password change is told apart without storing
 * the hash itself.
 */
export const deskCredentialDigest = (passwordHash: string): string =>
  createHash('sha256').update(passwordHash).digest().subarray(0, 16).toString('base64url');

/** A new random id or token (256 bits, base64url, 43 characters). */
export const newDeskSecret = (): string => randomBytes(32).toString('base64url');

/** Ids longer than this are refused without a look-up (real ones are 43 characters). */
export const MAX_DESK_SESSION_ID_CHARS = 100;

/** Resolved timing of a store (shared by both implementations). */
export function deskSessionTiming(options: DeskSessionStoreOptions): { idleMs: number; maxAgeMs: number; clock: () => number } {
  const idleMs = options.idleMs ?? DESK_SESSION_IDLE_MS;
  const maxAgeMs = options.maxAgeMs ?? DESK_SESSION_MAX_AGE_MS;
  if (!(idleMs > 0) || !(maxAgeMs > 0)) throw new TypeError('DeskSessionStore: idleMs and maxAgeMs must be positive');
  return { idleMs, maxAgeMs, clock: options.clock ?? Date.now };
}

interface Entry {
  readonly agentId: string;
  readonly credentialDigest: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

/**
 * The console's sessions in process memory (the default, and what a single instance needs).
 *
 * @remarks Per process: with several instances behind a load balancer use `RedisDeskSessionStore` (createApp does
 * with `STORAGE=redis`), or an agent signed in on one instance is signed out on the others.
 */
export class MemoryDeskSessionStore implements DeskSessionStore {
  private readonly sessions = new Map<string, Entry>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;

  constructor(options: DeskSessionStoreOptions = {}) {
    const timing = deskSessionTiming(options);
    this.idleMs = timing.idleMs;
    this.maxAgeMs = timing.maxAgeMs;
    this.clock = timing.clock;
  }

  async create(agentId: string, credentialDigest: string): Promise<DeskSession> {
    this.sweep();
    const now = this.clock();
    const id = newDeskSecret();
    const entry: Entry = { agentId, credentialDigest, csrfToken: newDeskSecret(), createdAt: now, lastSeenAt: now };
    this.sessions.set(deskSessionDigest(id), entry);
    return { id, ...entry };
  }

  async touch(id: string | undefined): Promise<DeskSession | undefined> {
    if (!id || id.length > MAX_DESK_SESSION_ID_CHARS) return undefined;
    const key = deskSessionDigest(id);
    const entry = this.sessions.get(key);
    if (!entry) return undefined;
    if (this.expired(entry)) {
      this.sessions.delete(key);
      return undefined;
    }
    entry.lastSeenAt = this.clock();
    return { id, ...entry };
  }

  async destroy(id: string): Promise<DeskSession | undefined> {
    if (!id || id.length > MAX_DESK_SESSION_ID_CHARS) return undefined;
    const key = deskSessionDigest(id);
    const entry = this.sessions.get(key);
    if (!entry) return undefined;
    this.sessions.delete(key);
    return this.expired(entry) ? undefined : { id, ...entry };
  }

  async countOfAgent(agentId: string): Promise<number> {
    this.sweep();
    let n = 0;
    for (const entry of this.sessions.values()) if (entry.agentId === agentId) n++;
    return n;
  }

  /** Forgets expired sessions (done on every sign-in and count). */
  sweep(): void {
    for (const [key, entry] of this.sessions) if (this.expired(entry)) this.sessions.delete(key);
  }

  private expired(entry: Entry): boolean {
    const now = this.clock();
    return now - entry.lastSeenAt > this.idleMs || now - entry.createdAt > this.maxAgeMs;
  }
}
