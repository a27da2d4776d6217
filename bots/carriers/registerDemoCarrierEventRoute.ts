/**
 * Local development only: `POST /api/dev/carrier-events` makes the demo carrier send a real, signed AfterShip webhook
 * to this server, so a person watching the web chat sees a message sent first arrive. Used by `npm run demo:event`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type * as restify from 'restify';
import { z } from 'zod';
import type { Logger } from '../../middleware/shared/logger';

/** Statuses the demo can announce, and the AfterShip tag (and subtag) each is sent as. */
export const DEMO_EVENT_STATUSES = {
  in_transit: { tag: 'InTransit' },
  delayed: { tag: 'InTransit', revise: true },
  out_for_delivery: { tag: 'OutForDelivery' },
  delivered: { tag: 'Delivered' },
  attempt_failed: { tag: 'AttemptFail' },
  pickup: { tag: 'AvailableForPickup' },
  damaged: { tag: 'Exception', subtag: 'Exception_012', message: 'Shipment damaged' },
  lost: { tag: 'Exception', subtag: 'Exception_013', message: 'Shipment lost' },
  returned: { tag: 'Exception', subtag: 'Exception_011', message: 'Returned to sender' },
} as const satisfies Record<string, { tag: string; subtag?: string; message?: string; revise?: boolean }>;

/** A status the demo can announce. */
export type DemoEventStatus = keyof typeof DEMO_EVENT_STATUSES;

const Body = z
  .object({
    trackingNumber: z.string().regex(/^[A-Za-z0-9]{6,40}$/),
    status: z.enum(Object.keys(DEMO_EVENT_STATUSES) as [DemoEventStatus, ...DemoEventStatus[]]),
  })
  .strict();

/** An AfterShip `tracking_update` (or `edd_revise`) payload for the demo carrier, as AfterShip shapes it. */
export function demoAfterShipPayload(trackingNumber: string, status: DemoEventStatus, nowMs: number): Record<string, unknown> {
  const spec: { tag: string; subtag?: string; message?: string; revise?: boolean } = DEMO_EVENT_STATUSES[status];
  const at = new Date(nowMs).toISOString();
  const expected = new Date(nowMs + 2 * 24 * 60 * 60_000).toISOString().slice(0, 10);
  return {
    event: spec.revise ? 'edd_revise' : 'tracking_update',
    event_id: randomUUID(),
    is_tracking_first_tag: false,
    ts: Math.floor(nowMs / 1000),
    msg: {
      id: `demo-${trackingNumber}`,
      tracking_number: trackingNumber.toUpperCase(),
      slug: 'demo',
      tag: spec.tag,
      subtag: spec.subtag ?? `${spec.tag}_001`,
      subtag_message: spec.message ?? spec.tag,
      ...(spec.revise ? { expected_delivery: expected } : {}),
      checkpoints: [{ tag: spec.tag, message: spec.message ?? spec.tag, checkpoint_time: at, location: 'Lyon, FR' }],
    },
  };
}

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** Options of {@link registerDemoCarrierEventRoute}. */
export interface DemoCarrierEventRouteOptions {
  /** The AfterShip secret this server checks (the demo signs with it). */
  readonly afterShipSecret: string;
  /** This server's port (to post the signed event to itself). */
  readonly port: () => number;
  readonly logger: Logger;
}

/**
 * Registers the demo route: loopback callers only; body `{"trackingNumber": "...", "status": "delayed"}`. Answers
 * what the AfterShip webhook answered.
 */
export function registerDemoCarrierEventRoute(server: restify.Server, options: DemoCarrierEventRouteOptions): void {
  server.post('/api/dev/carrier-events', async (req: restify.Request, res: restify.Response) => {
    if (!LOOPBACK.test(req.socket.remoteAddress ?? '')) {
      res.send(403, { error: 'the demo route answers loopback callers only' });
      return;
    }
    const parsed = Body.safeParse(req.body);
    if (!parsed.success) {
      res.send(400, { error: `body must be {"trackingNumber": "<letters and digits>", "status": "${Object.keys(DEMO_EVENT_STATUSES).join('|')}"}` });
      return;
    }
    const raw = Buffer.from(JSON.stringify(demoAfterShipPayload(parsed.data.trackingNumber, parsed.data.status, Date.now())));
    const signature = createHmac('sha256', options.afterShipSecret).update(raw).digest('base64');
    try {
      const answer = await fetch(`http://127.0.0.1:${options.port()}/api/carrier-events/aftership`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'aftership-hmac-sha256': signature },
        body: raw,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await answer.text();
      res.send(answer.status, text ? (JSON.parse(text) as unknown) : {});
    } catch (err) {
      options.logger.warn('demo.carrier_event_failed', { error: err instanceof Error ? err.name : 'unknown' });
      res.send(502, { error: 'the webhook did not answer' });
    }
  });
}
