import type { AgentIdentity, ConversationPointer } from './handoffCase';
import type { AgentPresence, AgentStatus, HandoffStore } from './stores/handoffStore';

/**
 * Which agents are present (online or away) and where each watches for new cases, with a time to live renewed by
 * their activity.
 *
 * @example await service.presence.set(agent, 'online', watchConversation);
 */
export class PresenceRegistry {
  constructor(
    private readonly store: HandoffStore,
    /** How long an agent stays present without writing to the bot. */
    readonly ttlMs: number,
  ) {}

  /** Presence of agents (online first). */
  list(): Promise<AgentPresence[]> {
    return this.store.listPresence();
  }

  /** One agent's presence (channel and id), or `undefined`. */
  async get(agent: AgentIdentity): Promise<AgentPresence | undefined> {
    if (this.store.getPresence) return this.store.getPresence(agent);
    return (await this.store.listPresence()).find((p) => p.agent.id === agent.id && p.agent.channel === agent.channel);
  }

  /** Sets an agent's presence, with the conversation where they watch for new cases. */
  set(agent: AgentIdentity, status: AgentStatus, watch?: ConversationPointer, ttlMs = this.ttlMs): Promise<void> {
    return this.store.setPresence(agent, status, ttlMs, watch);
  }

  /** Removes an agent's presence. */
  clear(agent: AgentIdentity): Promise<void> {
    return this.store.clearPresence(agent);
  }

  /**
   * Extends an agent's existing presence, keeping its status (atomically when the store can); resolves with the
   * status, or `undefined` when the agent has no presence any more (signed out, expired): nothing is created.
   */
  async renew(agent: AgentIdentity, ttlMs = this.ttlMs): Promise<AgentStatus | undefined> {
    if (this.store.renewPresence) return this.store.renewPresence(agent, ttlMs);
    const current = await this.get(agent);
    if (!current) return undefined;
    await this.store.setPresence(agent, current.status, ttlMs, current.watch);
    return current.status;
  }
}
