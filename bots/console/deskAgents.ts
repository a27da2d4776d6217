import { isDeskPasswordHash } from './deskPassword';

/** An agent allowed to sign in to the web console. */
export interface DeskAgent {
  /** Sign-in id (letters, digits, `.`, `_`, `-`, `@`). */
  readonly id: string;
  /** Name shown to other agents. */
  readonly displayName: string;
  /** scrypt hash made by `hashDeskPassword`. */
  readonly passwordHash: string;
}

const ID_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * Parses the `DESK_AGENTS` setting: comma-separated `id:Display name:scryptHash` entries.
 *
 * @throws TypeError naming the bad entry (by position and id, never the hash) on a malformed entry or a duplicate id.
 * @example parseDeskAgents('ana:Ana Martin:scrypt$16384$8$1$...$...')
 */
export function parseDeskAgents(value: string | undefined): DeskAgent[] {
  if (!value || !value.trim()) return [];
  const agents: DeskAgent[] = [];
  const seen = new Set<string>();
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (!entry) return;
    const parts = entry.split(':');
    const where = `entry ${index + 1}`;
    if (parts.length !== 3) throw new TypeError(`DESK_AGENTS ${where}: expected id:Display name:hash`);
    const [id, displayName, passwordHash] = parts.map((p) => p.trim());
    if (!ID_PATTERN.test(id)) throw new TypeError(`DESK_AGENTS ${where}: id must be 1-64 letters, digits, . _ - @`);
    if (!displayName || displayName.length > 80) throw new TypeError(`DESK_AGENTS ${where} (${id}): display name must be 1-80 characters`);
    if (!isDeskPasswordHash(passwordHash)) {
      throw new TypeError(`DESK_AGENTS ${where} (${id}): not a scrypt hash; make one with scripts/hashDeskPassword.ts`);
    }
    if (seen.has(id.toLowerCase())) throw new TypeError(`DESK_AGENTS ${where}: duplicate id ${id}`);
    seen.add(id.toLowerCase());
    agents.push({ id, displayName, passwordHash });
  });
  return agents;
}
