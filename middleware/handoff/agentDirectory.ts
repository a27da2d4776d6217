import type { AgentIdentity } from './handoffCase';

/** The fields of an incoming activity that say who sent it, on which channel (any host's activity has them). */
export interface ActivitySender {
  readonly channelId?: string;
  readonly from?: { readonly id?: string; readonly name?: string; readonly aadObjectId?: string };
}

/**
 * The allow-list of agents per channel: who may use the agent desk.
 *
 * @remarks Agents are recognised by their channel user id (or Teams `aadObjectId`), never by display name: anyone can
 * call themselves "Alice". A message from an id not in the list is a customer's, whatever it says.
 * @example
 * const agents = AgentDirectory.parse('msteams:29:1abc,slack:U04ABCD1234:T01TEAM0001');
 * agents.identify(ctx.activity); // AgentIdentity | undefined
 */
export class AgentDirectory {
  private readonly entries: ReadonlySet<string>;

  /** @param entries `channelId:userId` strings (the user id may itself contain colons). */
  constructor(entries: Iterable<string>) {
    const set = new Set<string>();
    for (const raw of entries) {
      const entry = raw.trim();
      if (!entry) continue;
      const colon = entry.indexOf(':');
      if (colon <= 0 || colon === entry.length - 1) {
        throw new TypeError(`AgentDirectory: "${entry.slice(0, 80)}" is not channelId:userId`);
      }
      set.add(entry);
    }
    this.entries = set;
  }

  /** Reads a comma-separated `channelId:userId` list, e.g. the `WARMLINE_AGENTS` setting. */
  static parse(list: string | undefined): AgentDirectory {
    return new AgentDirectory((list ?? '').split(','));
  }

  /** Number of allowed agent ids. */
  get size(): number {
    return this.entries.size;
  }

  /** True when `userId` on `channelId` is an allowed agent. */
  has(channelId: string, userId: string): boolean {
    return this.entries.has(`${channelId}:${userId}`);
  }

  /** The agent who sent an incoming activity, or `undefined` for anyone else. */
  identify(activity: ActivitySender): AgentIdentity | undefined {
    const channel = activity.channelId;
    const from = activity.from;
    if (!channel || !from?.id) return undefined;
    const aad: unknown = from.aadObjectId;
    const allowed = this.has(channel, from.id) || (typeof aad === 'string' && aad !== '' && this.has(channel, aad));
    if (!allowed) return undefined;
    return { id: from.id, channel, ...(from.name ? { name: from.name } : {}) };
  }
}
