import type { Middleware } from 'botbuilder';
import type * as restify from 'restify';
import { BotFrameworkHandoffConnector } from '../../middleware/handoffProtocol/botFrameworkHandoffConnector';
import { applyHubStatusWithService } from '../../middleware/handoff/hubs/hubStatus';
import { MemoryOutbox } from '../../middleware/handoff/hubs/memoryOutbox';
import { RedisOutbox } from '../../middleware/handoff/hubs/redisOutbox';
import { WebhookConnector } from '../../middleware/handoff/hubs/webhookConnector';
import { RedisReplayCache } from '../../middleware/shared/redisReplayCache';
import { registerWebhookStatusRoute } from '../hubs/registerWebhookStatusRoute';
import type { HandoffWiring } from './wireHandoff';
import { trackingAwareRedactor } from './trackingAwareRedactor';
import type { WiringContext } from './wiringContext';

/** The engagement hubs as wired. */
export interface HubsWiring {
  /** Consumes `handoff.status` events: runs before the handoff middleware. Present with `HANDOFF_PROTOCOL=on`. */
  readonly statusMiddleware?: Middleware;
  /** Adds the webhook's status route (with `WEBHOOK_URL`); nothing otherwise. */
  registerRoutes(server: restify.Server): void;
}

/**
 * Engagement hubs on the handoff service: the Bot Framework handoff protocol (`HANDOFF_PROTOCOL`) and a signed
 * webhook with a durable outbox (`WEBHOOK_URL`). Several connectors can be active at once.
 *
 * @remarks The webhook's deliveries start with the app and are drained when it stops.
 */
export function wireHubs(wiring: WiringContext, wired: HandoffWiring): HubsWiring {
  const { config, stores, lifecycle, logger } = wiring;
  const { handoff, handoffStore, messenger } = wired;
  // With several instances a replay cache is shared, so a replayed status is refused whichever instance it reaches.
  const sharedReplayCache = (suffix: string) => (stores.useRedis ? { replayCache: new RedisReplayCache({ redis: stores.redis(), keyPrefix: stores.key(suffix) }) } : {});
  let statusMiddleware: Middleware | undefined;
  if (config.HANDOFF_PROTOCOL === 'on') {
    const hubProtocol = new BotFrameworkHandoffConnector({
      store: handoffStore,
      messenger,
      service: handoff.agents,
      redactor: trackingAwareRedactor,
      statusVerification: { secret: config.HANDOFF_STATUS_SECRET as string, ...sharedReplayCache('replay:handoff-status:') },
      channels: config.HANDOFF_PROTOCOL_CHANNELS.split(',').map((c) => c.trim()),
      ...(config.MicrosoftAppId ? { botId: config.MicrosoftAppId } : {}),
      botName: 'Warmline',
      logger,
    });
    handoff.addConnector(hubProtocol);
    statusMiddleware = hubProtocol.middleware();
  }
  const webhookSecrets = (config.WEBHOOK_SECRETS ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  let webhook: WebhookConnector | undefined;
  if (config.WEBHOOK_URL) {
    const outbox = stores.useRedis
      ? new RedisOutbox({ redis: stores.redis(), keyPrefix: stores.key('outbox:'), retentionMs: stores.retentionMs })
      : new MemoryOutbox({ retentionMs: stores.retentionMs });
    const connector = new WebhookConnector({ url: config.WEBHOOK_URL, secret: webhookSecrets, outbox, redactor: trackingAwareRedactor, logger });
    handoff.addConnector(connector);
    lifecycle.onStart(() => connector.start());
    lifecycle.onStop('work', () => connector.stop());
    webhook = connector;
  }
  return {
    ...(statusMiddleware ? { statusMiddleware } : {}),
    registerRoutes(server) {
      if (!webhook) return;
      registerWebhookStatusRoute(server, {
        path: config.WEBHOOK_STATUS_PATH,
        secrets: webhookSecrets,
        hub: webhook.name,
        maxBodyBytes: config.MAX_BODY_BYTES,
        logger,
        ...sharedReplayCache('replay:webhook-status:'),
        // Through the service, so the customer is told when the hub's agent joins or closes.
        onStatus: (update) => applyHubStatusWithService(handoff.agents, handoffStore, update, { redactor: trackingAwareRedactor }),
      });
    },
  };
}
