/**
 * Console agents' presence: set at sign-in, renewed while a console is open, cleared with the last session.
 * @packageDocumentation
 */
import type { AgentIdentity } from '../../middleware/handoff/handoffCase';
import type { AgentStatus } from '../../middleware/handoff/stores/handoffStore';
import { errorFields, type Logger } from '../../middleware/shared/logger';
import type { ActiveSession, DeskAccounts } from './deskAccounts';
import type { DeskBackend } from './deskBackend';
import type { DeskSessionStore } from './deskSessions';
import type { DeskStreams } from './deskStreams';

/** What {@link DeskPresence} works with. */
export interface DeskPresenceOptions {
  readonly backend: DeskBackend;
  readonly sessions: DeskSessionStore;
  readonly accounts: DeskAccounts;
  readonly streams: DeskStreams;
  /** Presence lifetime; renewed every third of it (at least every second) while a console is open. */
  readonly presenceTtlMs: number;
  readonly logger: Logger;
}

/**
 * Console agents' presence (online, away): set at sign-in, renewed while a console is open, cleared when an agent's
 * last session ends.
 *
 * @remarks The shared presence (`backend.getPresence` / `renewPresence`) wins over what this instance last set, so
 * away on one instance's console is away on every instance; a change seen here is sent to the agent's streams.
 * Failures to reach presence are logged and do not fail the request, except an explicit change of status.
 */
export class DeskPresence {
  // The status last set or seen here, per agent id.
  private readonly status = new Map<string, AgentStatus>();
  // One renewal per agent at a time.
  private readonly renewing = new Set<string>();
  private renewal: NodeJS.Timeout | undefined;

  constructor(private readonly o: DeskPresenceOptions) {}

  /** Starts renewing the presence of agents with an open stream. */
  startRenewal(): void {
    this.renewal = setInterval(() => {
      const seen = new Set<string>();
      for (const stream of this.o.streams.values()) {
        const agent = stream.session.agent;
        if (seen.has(agent.id)) continue;
        seen.add(agent.id);
        void this.renew(stream.session);
      }
    }, Math.max(1000, Math.floor(this.o.presenceTtlMs / 3)));
    this.renewal.unref();
  }

  /** Stops the renewals. */
  stop(): void {
    clearInterval(this.renewal);
  }

  /**
   * The agent's status as all instances see it, else the one last set here, else online. Read only: a read followed
   * by a write could undo a change made in between.
   */
  async current(agent: AgentIdentity): Promise<AgentStatus> {
    try {
      const shared = await this.o.backend.getPresence?.(agent);
      if (shared) return this.note(agent, shared);
    } catch (err) {
      this.o.logger.warn('desk.presence_failed', errorFields(err));
    }
    return this.status.get(agent.id) ?? 'online';
  }

  /** A sign-in: signed in elsewhere too, the agent keeps their status (atomically); otherwise they are online. */
  async signedIn(agent: AgentIdentity): Promise<AgentStatus> {
    const { backend, presenceTtlMs, logger } = this.o;
    const kept = backend.renewPresence
      ? await backend.renewPresence(agent, presenceTtlMs).catch((err: unknown) => void logger.warn('desk.presence_failed', errorFields(err)))
      : undefined;
    if (kept) return this.note(agent, kept);
    // No shared presence: a fresh sign-in is online (a backend without shared presence keeps this process's status).
    const current = backend.renewPresence ? 'online' : (this.status.get(agent.id) ?? 'online');
    this.status.set(agent.id, current);
    await this.publish(agent, current);
    return current;
  }

  /** The agent sets their status; a failure to store it is thrown. The agent's streams are told. */
  async change(agent: AgentIdentity, status: AgentStatus): Promise<void> {
    this.status.set(agent.id, status);
    await this.o.backend.setPresence(agent, status, this.o.presenceTtlMs);
    this.toAgent(agent, status);
  }

  /**
   * Renews the agent's presence keeping the status the shared presence has, in one atomic step (`renewPresence`), so
   * a renewal never turns an away agent online, whichever instance set it. A presence that is gone (signed out, or
   * expired while storage was unreachable) is set again only while the session still lives.
   */
  async renew(session: ActiveSession): Promise<void> {
    const { backend, sessions, accounts, presenceTtlMs, logger } = this.o;
    const agent = session.agent;
    if (this.renewing.has(agent.id)) return;
    this.renewing.add(agent.id);
    try {
      const kept = backend.renewPresence ? await backend.renewPresence(agent, presenceTtlMs) : undefined;
      if (kept) return void this.note(agent, kept);
      if (backend.renewPresence && !accounts.active(await sessions.touch(session.id))) return;
      await backend.setPresence(agent, this.status.get(agent.id) ?? 'online', presenceTtlMs);
    } catch (err) {
      logger.warn('desk.presence_failed', errorFields(err));
    } finally {
      this.renewing.delete(agent.id);
    }
  }

  /**
   * A session ended (sign-out here, or found ended at a heartbeat: signed out on another instance, or expired): its
   * streams here end, and an agent with no other session anywhere goes offline at once rather than when the
   * presence expires.
   */
  async sessionEnded(ended: ActiveSession): Promise<void> {
    const { backend, sessions, streams, logger } = this.o;
    streams.endSession(ended.id, 'signed_out');
    try {
      if ((await sessions.countOfAgent(ended.agent.id)) > 0) return;
    } catch (err) {
      return void logger.warn('desk.session_store_failed', errorFields(err));
    }
    this.status.delete(ended.agent.id);
    await backend.clearPresence(ended.agent).catch((err) => logger.warn('desk.presence_failed', errorFields(err)));
  }

  /** Records the agent's status as the shared presence has it; a change made on another instance is shown here too. */
  private note(agent: AgentIdentity, shared: AgentStatus): AgentStatus {
    const previous = this.status.get(agent.id);
    this.status.set(agent.id, shared);
    if (previous && previous !== shared) this.toAgent(agent, shared);
    return shared;
  }

  private toAgent(agent: AgentIdentity, status: AgentStatus): void {
    this.o.streams.broadcast({ type: 'presence', agentId: agent.id, status }, (st) => st.session.agent.id === agent.id);
  }

  private publish(agent: AgentIdentity, status: AgentStatus): Promise<void> {
    return this.o.backend.setPresence(agent, status, this.o.presenceTtlMs).catch((err) => this.o.logger.warn('desk.presence_failed', errorFields(err)));
  }
}
