import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import * as restify from 'restify';
import { CloudAdapter } from 'botbuilder';
import { createWarmlineServer, listen } from '../../../bots/app/server';
import { silentLogger, type LogFields, type Logger } from '../../../middleware/shared/logger';
import { MemoryReplayCache, type ReplayBegin, type ReplayCache } from '../../../middleware/shared/replayCache';
import type { CarrierEvent } from '../../../middleware/proactive/carrierEvent';
import {
  AFTERSHIP_EVENTS_PATH,
  CARRIER_EVENT_PENDING_LEASE_MS,
  EASYPOST_EVENTS_PATH,
  registerCarrierEventRoutes,
  type CarrierEventRoutesOptions,
} from '../../../bots/carriers/registerCarrierEventRoutes';

const AFTERSHIP_SECRET = 'as_whsec_route_0123456789';
const EASYPOST_SECRET = 'ep_whsec_route_caf\u00e9';
/** 2024-06-01T12:00:00Z, the clock of every test. */
const NOW = Date.parse('2024-06-01T12:00:00Z');
const TRACKING = 'RR123456785FR';

let eventSeq = 0;

/** An AfterShip tracking_update, as sent (note the spacing: the signature covers these exact bytes). */
function afterShipRaw(over: { eventId?: string; ts?: number; tag?: string } = {}): string {
  const eventId = over.eventId ?? `e0a1b2c3-${++eventSeq}`;
  return `{"event": "tracking_update", "event_id": "${eventId}", "is_tracking_first_tag": false, "ts": ${over.ts ?? NOW / 1000 - 60},
  "msg": {"id": "t1", "tracking_number": "rr 123 456 785 fr", "slug": "la-poste-colissimo", "tag": "${over.tag ?? 'OutForDelivery'}",
  "subtag": "OutForDelivery_001", "subtag_message": "Out for Delivery", "expected_delivery": "2024-06-01",
  "checkpoints": [{"tag": "OutForDelivery", "message": "En cours de livraison", "checkpoint_time": "2024-06-01T08:15:00+02:00", "location": "Lyon, FR"}]}}`;
}

function easyPostRaw(over: { id?: string; status?: string; createdAt?: string } = {}): string {
  const id = over.id ?? `evt_${++eventSeq}`;
  return JSON.stringify({
    id,
    object: 'Event',
    description: 'tracker.updated',
    created_at: over.createdAt ?? '2024-06-01T11:59:00Z',
    updated_at: over.createdAt ?? '2024-06-01T11:59:00Z',
    result: {
      id: 'trk_1',
      object: 'Tracker',
      tracking_code: '9400100000000000000000',
      status: over.status ?? 'delivered',
      carrier: 'USPS',
      weight: null,
      est_delivery_date: null,
      updated_at: '2024-06-01T11:58:00Z',
      tracking_details: [{ object: 'TrackingDetail', status: 'delivered', datetime: '2024-06-01T11:50:00Z', tracking_location: { city: 'CHICAGO', country: 'US' } }],
    },
  });
}

const afterShipSignature = (body: string, secret = AFTERSHIP_SECRET) => createHmac('sha256', secret).update(body, 'utf8').digest('base64');
const easyPostSignature = (body: string, secret = EASYPOST_SECRET) =>
  `hmac-sha256-hex=${createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8')).update(body, 'utf8').digest('hex')}`;

/** Logger that keeps every line. */
class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; event: string; fields?: LogFields }> = [];
  debug(event: string, fields?: LogFields) {
    this.lines.push({ level: 'debug', event, fields });
  }
  info(event: string, fields?: LogFields) {
    this.lines.push({ level: 'info', event, fields });
  }
  warn(event: string, fields?: LogFields) {
    this.lines.push({ level: 'warn', event, fields });
  }
  error(event: string, fields?: LogFields) {
    this.lines.push({ level: 'error', event, fields });
  }
}

/** A latch a test opens by hand. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('registerCarrierEventRoutes', function () {
  let accepted: CarrierEvent[];
  let logger: RecordingLogger;

  beforeEach(function () {
    accepted = [];
    logger = new RecordingLogger();
  });

  async function withServer(server: restify.Server, run: (base: string) => Promise<void>): Promise<void> {
    const port = await listen(server, 0, '127.0.0.1');
    try {
      await run(`http://127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  }

  const baseOptions = (over: Partial<CarrierEventRoutesOptions> = {}): CarrierEventRoutesOptions => ({
    afterShipSecret: AFTERSHIP_SECRET,
    easyPostSecret: EASYPOST_SECRET,
    accept: async (event) => {
      accepted.push(event);
    },
    logger,
    now: () => NOW,
    replayCache: new MemoryReplayCache({ now: () => NOW }),
    ...over,
  });

  // The real Warmline server: its global restify bodyParser has already read the JSON when the route runs.
  const realServer = () =>
    createWarmlineServer({
      adapter: new CloudAdapter(),
      bot: { run: async () => undefined },
      logger: silentLogger,
      maxBodyBytes: 1024 * 1024,
      readiness: () => ({ ready: true, checks: {} }),
    });

  /** `null`: no signature header at all. */
  const postAfterShip = (base: string, body: string, signature: string | null = afterShipSignature(body)) =>
    fetch(`${base}${AFTERSHIP_EVENTS_PATH}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...(signature !== null ? { 'aftership-hmac-sha256': signature } : {}) },
    });
  const postEasyPost = (base: string, body: string, signature: string | null = easyPostSignature(body)) =>
    fetch(`${base}${EASYPOST_EVENTS_PATH}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...(signature !== null ? { 'X-Hmac-Signature': signature } : {}) },
    });

  for (const [label, makeServer] of [
    ['behind the global bodyParser (createWarmlineServer)', realServer],
    ['on a bare restify server', () => restify.createServer()],
  ] as const) {
    describe(label, function () {
      it('AfterShip: a signed event is accepted once, parsed; the same event again is a duplicate', async function () {
        const server = makeServer();
        registerCarrierEventRoutes(server, baseOptions());
        const body = afterShipRaw({ eventId: 'ev-1' });
        await withServer(server, async (base) => {
          const first = await postAfterShip(base, body);
          expect(first.status).to.equal(200);
          expect(await first.json()).to.deep.equal({ accepted: true });
          const again = await postAfterShip(base, body);
          expect(again.status).to.equal(200);
          expect(await again.json()).to.deep.equal({ duplicate: true });
        });
        expect(accepted).to.deep.equal([
          {
            id: 'aftership:ev-1',
            source: 'aftership',
            trackingNumber: TRACKING,
            carrier: 'la-poste-colissimo',
            status: 'out_for_delivery',
            expectedDelivery: '2024-06-01',
            occurredAt: '2024-06-01T06:15:00.000Z',
            place: 'Lyon, FR',
          },
        ]);
      });

      it('EasyPost: a signed event (NFKD secret) is accepted once; the same event again is a duplicate', async function () {
        const server = makeServer();
        registerCarrierEventRoutes(server, baseOptions());
        const body = easyPostRaw({ id: 'evt_42' });
        await withServer(server, async (base) => {
          const first = await postEasyPost(base, body);
          expect(first.status).to.equal(200);
          expect(await first.json()).to.deep.equal({ accepted: true });
          const again = await postEasyPost(base, body);
          expect(await again.json()).to.deep.equal({ duplicate: true });
        });
        expect(accepted).to.deep.equal([
          {
            id: 'easypost:evt_42',
            source: 'easypost',
            trackingNumber: '9400100000000000000000',
            carrier: 'usps',
            status: 'delivered',
            occurredAt: '2024-06-01T11:50:00.000Z',
            place: 'CHICAGO, US',
          },
        ]);
      });

      it('401 without a signature, with a wrong one, or with the other provider\'s; nothing accepted', async function () {
        const server = makeServer();
        registerCarrierEventRoutes(server, baseOptions());
        const a = afterShipRaw();
        const e = easyPostRaw();
        await withServer(server, async (base) => {
          for (const [i, res] of [
            await postAfterShip(base, a, null),
            await postAfterShip(base, a, afterShipSignature(a, 'wrong-secret')),
            await postAfterShip(base, a, 'garbage'),
            await postAfterShip(base, a, afterShipSignature(`${a} `)),
            await postEasyPost(base, e, null),
            await postEasyPost(base, e, easyPostSignature(e, 'wrong-secret')),
            await postEasyPost(base, e, afterShipSignature(e, EASYPOST_SECRET)),
          ].entries()) {
            expect(res.status, `case ${i}`).to.equal(401);
            expect(await res.json()).to.deep.equal({ error: 'Unauthorized' });
          }
        });
        expect(accepted).to.deep.equal([]);
      });

      it('401 for a stale event (emitted more than 72 hours ago), even well signed', async function () {
        const server = makeServer();
        registerCarrierEventRoutes(server, baseOptions());
        await withServer(server, async (base) => {
          const old = await postAfterShip(base, afterShipRaw({ ts: NOW / 1000 - 73 * 3600 }));
          expect(old.status).to.equal(401);
          expect((await old.json()).error).to.equal('Stale');
          const oldEp = await postEasyPost(base, easyPostRaw({ createdAt: '2024-05-29T11:00:00Z' }));
          expect(oldEp.status).to.equal(401);
          // Just inside the window is fine.
          expect((await postAfterShip(base, afterShipRaw({ ts: NOW / 1000 - 71 * 3600 }))).status).to.equal(200);
        });
        expect(accepted.length).to.equal(1);
      });

      it('400 for a validly signed body that is not JSON, or not a tracking event', async function () {
        const server = makeServer();
        registerCarrierEventRoutes(server, baseOptions());
        await withServer(server, async (base) => {
          const notJson = '{"event": "tracking_update", ';
          const res = await postAfterShip(base, notJson);
          // Refused by the route, or before it by the global bodyParser: 400 either way.
          expect(res.status).to.equal(400);
          const noId = '{"event": "tracking_update", "msg": {"tracking_number": "X1", "tag": "InTransit"}, "ts": 1717243000}';
          expect((await postAfterShip(base, noId)).status).to.equal(400);
          const noTracker = '{"id": "evt_9", "description": "tracker.updated", "result": {"object": "Tracker"}}';
          expect((await postEasyPost(base, noTracker)).status).to.equal(400);
        });
        expect(accepted).to.deep.equal([]);
      });

      it('200 {ignored: true} for a well-signed event Warmline does not use', async function () {
        const server = makeServer();
        registerCarrierEventRoutes(server, baseOptions());
        await withServer(server, async (base) => {
          const other = '{"event": "tracking_created", "event_id": "ev-x", "ts": 1717243000, "msg": {}}';
          const res = await postAfterShip(base, other);
          expect(res.status).to.equal(200);
          expect(await res.json()).to.deep.equal({ ignored: true });
          const cancelled = await postEasyPost(base, easyPostRaw({ status: 'cancelled' }));
          expect(await cancelled.json()).to.deep.equal({ ignored: true });
        });
        expect(accepted).to.deep.equal([]);
      });

      it('503 with Retry-After when accept throws; the provider\'s retry is then accepted', async function () {
        let failures = 1;
        const server = makeServer();
        registerCarrierEventRoutes(
          server,
          baseOptions({
            accept: async (event) => {
              if (failures-- > 0) throw new Error('store down');
              accepted.push(event);
            },
          }),
        );
        const body = afterShipRaw({ eventId: 'ev-retry' });
        await withServer(server, async (base) => {
          const first = await postAfterShip(base, body);
          expect(first.status).to.equal(503);
          expect(first.headers.get('retry-after')).to.equal('5');
          const retry = await postAfterShip(base, body);
          expect(retry.status).to.equal(200);
          expect(await retry.json()).to.deep.equal({ accepted: true });
        });
        expect(accepted.map((e) => e.id)).to.deep.equal(['aftership:ev-retry']);
      });

      it('concurrent copies of one event: exactly one accept, the others 503 in progress or duplicate', async function () {
        const latch = gate();
        let calls = 0;
        const server = makeServer();
        registerCarrierEventRoutes(
          server,
          baseOptions({
            accept: async (event) => {
              calls++;
              await latch.wait;
              accepted.push(event);
            },
          }),
        );
        const body = easyPostRaw({ id: 'evt_race' });
        await withServer(server, async (base) => {
          const first = postEasyPost(base, body);
          // Let the first claim the event before the copies arrive.
          while (calls === 0) await new Promise((r) => setTimeout(r, 5));
          const copies = await Promise.all([postEasyPost(base, body), postEasyPost(base, body), postEasyPost(base, body)]);
          for (const c of copies) {
            expect(c.status).to.equal(503);
            expect(c.headers.get('retry-after')).to.equal('5');
          }
          latch.open();
          expect((await first).status).to.equal(200);
          const late = await Promise.all([postEasyPost(base, body), postEasyPost(base, body)]);
          for (const l of late) expect(await l.json()).to.deep.equal({ duplicate: true });
        });
        expect(calls).to.equal(1);
        expect(accepted.length).to.equal(1);
      });

      it('404 for a provider whose secret is not set', async function () {
        const server = makeServer();
        registerCarrierEventRoutes(server, baseOptions({ easyPostSecret: undefined }));
        await withServer(server, async (base) => {
          const body = easyPostRaw();
          expect((await postEasyPost(base, body)).status).to.equal(404);
          expect((await postAfterShip(base, afterShipRaw())).status).to.equal(200);
        });
        const none = makeServer();
        registerCarrierEventRoutes(none, baseOptions({ afterShipSecret: '', easyPostSecret: undefined }));
        await withServer(none, async (base) => {
          expect((await postAfterShip(base, afterShipRaw())).status).to.equal(404);
        });
      });
    });
  }

  it('413 for a body over maxBodyBytes (bare server), before any signature check', async function () {
    const server = restify.createServer();
    registerCarrierEventRoutes(server, baseOptions({ maxBodyBytes: 1024 }));
    const padded = afterShipRaw().replace('"is_tracking_first_tag": false', `"pad": "${'x'.repeat(2000)}", "is_tracking_first_tag": false`);
    await withServer(server, async (base) => {
      const res = await postAfterShip(base, padded);
      expect(res.status).to.equal(413);
      expect((await res.json()).error).to.equal('PayloadTooLarge');
    });
    expect(accepted).to.deep.equal([]);
  });

  it('413 behind the global bodyParser when the body is under its cap but over the route\'s', async function () {
    const server = realServer();
    registerCarrierEventRoutes(server, baseOptions({ maxBodyBytes: 1024 }));
    const padded = afterShipRaw().replace('"is_tracking_first_tag": false', `"pad": "${'x'.repeat(2000)}", "is_tracking_first_tag": false`);
    await withServer(server, async (base) => {
      expect((await postAfterShip(base, padded)).status).to.equal(413);
    });
  });

  it('503 (never 500) when the replay cache fails, and nothing accepted', async function () {
    const broken: ReplayCache = {
      begin: async (): Promise<ReplayBegin> => {
        throw new Error('redis down');
      },
      complete: async () => undefined,
      release: async () => undefined,
    };
    const server = restify.createServer();
    registerCarrierEventRoutes(server, baseOptions({ replayCache: broken }));
    await withServer(server, async (base) => {
      const res = await postAfterShip(base, afterShipRaw());
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.equal('5');
    });
    expect(accepted).to.deep.equal([]);
  });

  it('logs source, event id and status at info, and the tracking number only at debug', async function () {
    const server = restify.createServer();
    registerCarrierEventRoutes(server, baseOptions());
    await withServer(server, async (base) => {
      const body = afterShipRaw({ eventId: 'ev-log' });
      await postAfterShip(base, body);
      await postAfterShip(base, body);
      await postAfterShip(base, afterShipRaw(), 'bad');
    });
    const info = logger.lines.filter((l) => l.level !== 'debug');
    expect(info.map((l) => l.event)).to.deep.equal(['carrier.event.accepted', 'carrier.event.duplicate', 'carrier.event.unauthorized']);
    expect(info[0].fields).to.deep.equal({ source: 'aftership', eventId: 'aftership:ev-log', status: 'out_for_delivery' });
    for (const line of info) expect(JSON.stringify(line)).to.not.match(/RR ?123|Lyon/i);
    expect(logger.lines.some((l) => l.level === 'debug' && l.fields?.trackingNumber === TRACKING)).to.equal(true);
  });

  it('a claim never settled (the process died while accepting) lapses after the pending lease, not after 7 days', async function () {
    let clock = NOW;
    const cache = new MemoryReplayCache({ now: () => clock });
    // What a crashed instance left behind: the event claimed, never completed nor released.
    expect(await cache.begin('carrier-event:aftership:ev-crash', CARRIER_EVENT_PENDING_LEASE_MS, 'dead-owner')).to.equal('claimed');
    const server = restify.createServer();
    registerCarrierEventRoutes(server, baseOptions({ replayCache: cache, now: () => clock }));
    const body = afterShipRaw({ eventId: 'ev-crash' });
    await withServer(server, async (base) => {
      expect((await postAfterShip(base, body)).status).to.equal(503);
      clock += CARRIER_EVENT_PENDING_LEASE_MS + 1;
      expect(await (await postAfterShip(base, body)).json()).to.deep.equal({ accepted: true });
      // Once accepted it is remembered far beyond the lease.
      clock += 6 * 24 * 3600 * 1000;
      expect(await cache.begin('carrier-event:aftership:ev-crash', 1)).to.equal('done');
    });
    expect(accepted.map((e) => e.id)).to.deep.equal(['aftership:ev-crash']);
  });

  it('refuses a maxAgeMs not shorter than the dedup memory', function () {
    expect(() => registerCarrierEventRoutes(restify.createServer(), baseOptions({ maxAgeMs: 8 * 24 * 3600 * 1000 }))).to.throw(RangeError);
  });
});
