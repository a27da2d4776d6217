import { hashDeskPassword } from '../../bots/console/deskPassword';
import type { FuzzSecrets } from './fuzzRoute';
import type { FuzzSinks } from './fuzzSinks';

/** The fuzzer's credentials (fixed: nothing here protects anything outside the fuzz run). */
export const FUZZ_SECRETS: FuzzSecrets = {
  webhookSecret: 'fuzz-webhook-secret-0123456789abcdef',
  deskAgent: { id: 'fuzzdesk', password: 'fuzz-desk-password' },
  deskVictim: { id: 'ana', password: 'ana-password' },
  deskClientIp: '198.51.100.77',
  teamsAgentId: '29:1fuzz-teams-agent',
  slackAgentId: 'U0FUZZAGENT:T01TEAM0001',
};

/**
 * The environment of the server under fuzz: every route on. Memory storage, the local Direct Line (REST and
 * WebSocket), the web console with two agents (cheap scrypt cost), a signed webhook to the fuzzer's receiver with its
 * status route, and a Teams and a Slack agent whose Slack API calls reach the fuzzer's sink.
 */
export async function fuzzServerEnv(sinks: FuzzSinks, secrets: FuzzSecrets = FUZZ_SECRETS): Promise<Record<string, string>> {
  const entry = async (agent: FuzzSecrets['deskAgent'], name: string) => `${agent.id}:${name}:${await hashDeskPassword(agent.password, { N: 1024 })}`;
  const agents = await Promise.all([entry(secrets.deskAgent, 'Fuzz Desk'), entry(secrets.deskVictim, 'Ana Martin')]);
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    STORAGE: 'memory',
    WEBCHAT: 'local',
    DESK_AGENTS: agents.join(','),
    // The fuzzer signs in from its own address through "the proxy", so hostile sign-ins never lock it out.
    DESK_TRUST_PROXY: 'true',
    WEBHOOK_URL: sinks.webhookUrl,
    WEBHOOK_SECRETS: secrets.webhookSecret,
    WARMLINE_AGENTS: `msteams:${secrets.teamsAgentId},slack:${secrets.slackAgentId}`,
    SLACK_API_BASE_URL: sinks.url.replace(/\/$/, ''),
  };
}
