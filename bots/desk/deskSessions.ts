import { randomBytes, createHash } from 'node:crypto';
import type { AgentIdentity } from '../../middleware/handoff/handoffCase';

/** A signed-in console agent. */
export interface DeskSession {
  /** Opaque id (the cookie value); only its hash is kept as the map key. */
  readonly id: string;
  readonly agent: AgentIdentity;
  /** Sent back by the page in `X-CSRF-Token` on every mutating call. */
  readonly csrfToken: string;
  /** Epoch ms. */
  readonly createdAt: number;
  lastSeenAt: number;
}

/** Options of {@link DeskSessions}. */
export interface DeskSessionsOptions {
  /** A session ends after this long without a request. @defaultValue 30 minutes */
  readonly idleMs?: number;
  /** A session ends this long after sign-in, whatever happens. @defaultValue 12 hours */
  readonly maxAgeMs?: number;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly clock?: () => number;
}

const digest = (id: string): string => createHash('sha256').update(id).digest('base64url');

/**
 * The console's sessions, in process memory: a random 256-bit id per sign-in, a CSRF token, idle and absolute expiry.
 *
 * @remarks Several bot instances behind a load balancer need sticky sessions for the console (or agents sign in
 * again on another instance); cases, queue and presence are shared through the handoff store regardless.
 */
export class DeskSessions {
  private readonly sessions = new Map<string, DeskSession>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;
  private readonly endListeners = new Set<(session: DeskSession) => void>();

  constructor(options: DeskSessionsOptions = {}) {
    this.idleMs = options.idleMs ?? 30 * 60 * 1000;
    this.maxAgeMs = options.maxAgeMs ?? 12 * 60 * 60 * 1000;
    this.clock = options.clock ?? Date.now;
  }

  /** Starts a session for an agent. */
  create(agent: AgentIdentity): DeskSession {
    this.sweep();
    const now = this.clock();
    const session: DeskSession = {
      id: randomBytes(32).toString('base64url'),
      agent,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    this.sessions.set(digest(session.id), session);
    return session;
  }

  /** The live session with this id (and marks it used), or `undefined` when unknown or expired. */
  touch(id: string | undefined): DeskSession | undefined {
    const session = this.peek(id);
    if (session) session.lastSeenAt = this.clock();
    return session;
  }

  /** The live session with this id without extending it. */
  peek(id: string | undefined): DeskSession | undefined {
    if (!id || id.length > 100) return undefined;
    const key = digest(id);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    if (this.expired(session)) {
      this.end(key, session);
      return undefined;
    }
    return session;
  }

  /** Ends a session (logout). */
  destroy(id: string): void {
    const key = digest(id);
    const session = this.sessions.get(key);
    if (session) this.end(key, session);
  }

  /** Live sessions of one agent. */
  ofAgent(agentId: string): DeskSession[] {
    this.sweep();
    return [...this.sessions.values()].filter((s) => s.agent.id === agentId);
  }

  /** Calls `listener` when a session ends (logout or expiry noticed). */
  onEnd(listener: (session: DeskSession) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Ends expired sessions. */
  sweep(): void {
    for (const [key, session] of this.sessions) if (this.expired(session)) this.end(key, session);
  }

  private expired(session: DeskSession): boolean {
    const now = this.clock();
    return now - session.lastSeenAt > this.idleMs || now - session.createdAt > this.maxAgeMs;
  }

  private end(key: string, session: DeskSession): void {
    this.sessions.delete(key);
    for (const listener of this.endListeners) listener(session);
  }
}
