import { randomBytes } from 'node:crypto';
import type { Config } from '../../config';
import { hashDeskPassword } from '../console/deskPassword';

/** The development console agent: sign in at `/desk` with this id and one-off password. */
export interface DemoAgent {
  readonly id: string;
  readonly password: string;
}

/**
 * Local development with no console agents: a `demo` agent with a one-off password, so that one person can play
 * both sides (a customer in a channel, the agent at `/desk`).
 *
 * @remarks Only while the bot is anonymous (no `MicrosoftAppId`, so never in production) and `DESK_AGENTS` is empty;
 * otherwise `config` is returned as it is. The password is random (9 bytes) and lives only in this process's memory.
 * @returns the configuration with the demo agent in `DESK_AGENTS`, and the agent's id and password to show.
 */
export async function wireDemoAgent(config: Config): Promise<{ config: Config; demoAgent?: DemoAgent }> {
  if (config.DESK_AGENTS || config.MicrosoftAppId) return { config };
  const password = randomBytes(9).toString('base64url');
  return { config: { ...config, DESK_AGENTS: `demo:Demo agent:${await hashDeskPassword(password)}` }, demoAgent: { id: 'demo', password } };
}
