import type * as restify from 'restify';
import type { HandoffService } from '../../middleware/handoff/handoffService';
import { parseDeskAgents } from '../console/deskAgents';
import { HandoffDeskBackend } from '../console/handoffDeskBackend';
import { RedisDeskSessionStore } from '../console/redisDeskSessionStore';
import { RedisLockoutStore } from '../console/redisLockoutStore';
import { registerDeskConsole, type DeskConsole } from '../console/registerDeskConsole';
import type { WiringContext } from './wiringContext';

/**
 * The web agent console at `/desk` for the agents listed in `DESK_AGENTS` (none listed: no console), driving the
 * handoff service, with its sessions and lock-out counts on the chosen storage.
 *
 * @remarks Its event streams end when the app stops, before the server closes.
 */
export function wireConsole(wiring: WiringContext, server: restify.Server, handoff: HandoffService): DeskConsole | undefined {
  const { config, stores, lifecycle, logger } = wiring;
  if (!config.DESK_AGENTS) return undefined;
  const deskBackend = new HandoffDeskBackend(handoff);
  handoff.addConnector(deskBackend.connector);
  const sessionIdleMs = config.DESK_SESSION_IDLE_MINUTES * 60_000;
  const sessionMaxAgeMs = config.DESK_SESSION_MAX_HOURS * 3_600_000;
  const desk = registerDeskConsole(server, {
    backend: deskBackend,
    agents: parseDeskAgents(config.DESK_AGENTS),
    ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
    sessionIdleMs,
    sessionMaxAgeMs,
    maxMessageChars: config.MAX_TEXT_CHARS,
    // With several instances, sessions and lock-out counts are shared: sign in on one, use any; failures add up.
    ...(stores.useRedis
      ? {
          sessionStore: new RedisDeskSessionStore({ redis: stores.redis(), keyPrefix: stores.key('desk:'), idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs }),
          lockoutStore: new RedisLockoutStore({ redis: stores.redis(), keyPrefix: stores.key('desk:lockout:') }),
        }
      : {}),
    trustProxy: config.DESK_TRUST_PROXY === 'true',
    logger,
  });
  lifecycle.onStop('streams', () => desk.close());
  return desk;
}
