/**
 * The console's view of its configured agents: sign-in lookup, identities, and which sessions still count.
 * @packageDocumentation
 */
import type { AgentIdentity } from '../../middleware/handoff/handoffCase';
import type { DeskAgent } from './deskAgents';
import { deskCredentialDigest, type DeskSession } from './deskSessions';
import { sameText } from './sameText';

/** The channel of console agents (their identity and presence). */
export const CONSOLE_CHANNEL = 'console';

/** A live session with its agent as configured. */
export interface ActiveSession {
  readonly id: string;
  readonly agent: AgentIdentity;
  readonly csrfToken: string;
}

/**
 * The agents allowed to sign in to the console, and which stored sessions are still theirs.
 *
 * @remarks Ids match in any case. A session counts only while its agent is configured with the password hash it
 * signed in under: a password rotated in `DESK_AGENTS` since ends the agent's sessions.
 */
export class DeskAccounts {
  private readonly agents: Map<string, DeskAgent>;
  // Fingerprints of the configured password hashes.
  private readonly credentials: Map<string, string>;

  constructor(agents: readonly DeskAgent[]) {
    this.agents = new Map(agents.map((a) => [a.id.toLowerCase(), a]));
    this.credentials = new Map(agents.map((a) => [a.id.toLowerCase(), deskCredentialDigest(a.passwordHash)]));
  }

  /** The configured agent with this sign-in id (lower case). */
  find(accountKey: string): DeskAgent | undefined {
    return this.agents.get(accountKey);
  }

  /** The fingerprint a new session of this agent is stored with. */
  credentialOf(agent: DeskAgent): string {
    return this.credentials.get(agent.id.toLowerCase()) ?? deskCredentialDigest(agent.passwordHash);
  }

  /** The agent as the handoff service sees a console agent. */
  identity(agent: DeskAgent): AgentIdentity {
    return { id: agent.id, name: agent.displayName, channel: CONSOLE_CHANNEL };
  }

  /** The session as the console uses it, or `undefined` when it is gone or no longer valid for its agent. */
  active(s: DeskSession | undefined): ActiveSession | undefined {
    const agent = s ? this.agents.get(s.agentId.toLowerCase()) : undefined;
    const credential = s ? this.credentials.get(s.agentId.toLowerCase()) : undefined;
    if (!s || !agent || !credential || !sameText(s.credentialDigest ?? '', credential)) return undefined;
    return { id: s.id, agent: this.identity(agent), csrfToken: s.csrfToken };
  }
}
