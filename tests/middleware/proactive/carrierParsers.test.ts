import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import type { CarrierEvent } from '../../../middleware/proactive/carrierEvent';
import { parseAfterShipEvent, readAfterShipPayload, verifyAfterShipSignature } from '../../../middleware/proactive/carriers/afterShip';
import { parseEasyPostEvent, readEasyPostPayload, verifyEasyPostSignature } from '../../../middleware/proactive/carriers/easyPost';

const AFTERSHIP_SECRET = 'as_whsec_5f1c0e2d9b8a7c6e';
const EASYPOST_SECRET = 'ep_whsec_0a1b2c3d4e5f';

type Json = Record<string, unknown>;

/** An AfterShip `tracking_update` as their docs show it, with overrides on `msg`. */
function afterShipBody(msg: Json = {}, top: Json = {}): Json {
  return {
    event: 'tracking_update',
    event_id: '0f8a3c2e-6b1d-4e5f-9a7b-1c2d3e4f5a6b',
    is_tracking_first_tag: false,
    ts: 1717243200,
    msg: {
      id: 'lxq8b7v6c5x4z3',
      tracking_number: '1z 999 aa1 0123456784',
      slug: 'ups',
      tag: 'InTransit',
      subtag: 'InTransit_007',
      subtag_message: 'Departure Scan',
      expected_delivery: '2024-06-04',
      checkpoints: [
        { tag: 'InfoReceived', message: 'Shipper created a label', checkpoint_time: '2024-05-30T09:12:00-04:00', location: 'Atlanta, GA, US' },
        { tag: 'InTransit', message: 'Departure Scan', checkpoint_time: '2024-06-01T07:40:00+02:00', location: 'Lyon, FR' },
        { tag: 'InTransit', message: 'Arrival Scan', checkpoint_time: '2024-05-31T22:05:00Z', location: { city: 'Köln' } },
      ],
      ...msg,
    },
    ...top,
  };
}

/** An EasyPost `tracker.updated` Event as their docs show it, with overrides on the tracker. */
function easyPostBody(result: Json = {}, top: Json = {}): Json {
  return {
    id: 'evt_7c1e2b3a4d5f11efa1b2',
    object: 'Event',
    mode: 'production',
    description: 'tracker.updated',
    previous_attributes: { status: 'pre_transit' },
    created_at: '2024-06-01T06:00:03Z',
    updated_at: '2024-06-01T06:00:03Z',
    pending_urls: ['https://example.com/api/carrier-events/easypost'],
    completed_urls: [],
    user_id: 'user_0123',
    status: 'pending',
    result: {
      id: 'trk_0a9b8c7d6e5f',
      object: 'Tracker',
      mode: 'production',
      tracking_code: '9400 1000 0000 0000 0000 00',
      status: 'in_transit',
      status_detail: 'arrived_at_facility',
      created_at: '2024-05-30T12:00:00Z',
      updated_at: '2024-06-01T05:59:59Z',
      signed_by: null,
      weight: 136.0,
      est_delivery_date: '2024-06-03T16:00:00Z',
      shipment_id: null,
      carrier: 'USPS',
      tracking_details: [
        { object: 'TrackingDetail', message: 'Pre-Shipment Info Sent', status: 'pre_transit', datetime: '2024-05-30T12:00:00Z', tracking_location: { object: 'TrackingLocation', city: null, state: null, country: null, zip: null } },
        { object: 'TrackingDetail', message: 'Arrived at facility', status: 'in_transit', datetime: '2024-06-01T05:40:00Z', tracking_location: { object: 'TrackingLocation', city: 'CHICAGO', state: 'IL', country: 'US', zip: '60607' } },
      ],
      public_url: 'https://track.easypost.com/djE6dHJrXzBhOWI4YzdkNmU1Zg',
      fees: [],
      ...result,
    },
    ...top,
  };
}

const b64 = (body: Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('base64');
const hex = (body: Buffer, secret: string) => `hmac-sha256-hex=${createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8')).update(body).digest('hex')}`;

describe('carrier webhook parsers', function () {
  describe('verifyAfterShipSignature', function () {
    // Odd spacing and non-ASCII: the signature covers the exact bytes.
    const raw = Buffer.from('{ "event":"tracking_update",  "msg": {"tracking_number":"RR123456785FR","slug":"la-poste-colissimo","note":"Zoë"} }', 'utf8');

    it('accepts the base64 HMAC-SHA256 of the raw body', function () {
      expect(verifyAfterShipSignature(raw, b64(raw, AFTERSHIP_SECRET), AFTERSHIP_SECRET)).to.equal(true);
    });

    it('accepts surrounding white space in the header', function () {
      expect(verifyAfterShipSignature(raw, ` ${b64(raw, AFTERSHIP_SECRET)} `, AFTERSHIP_SECRET)).to.equal(true);
    });

    it('refuses a wrong secret, another body, a missing, empty, garbled, truncated or hex header, an empty secret', function () {
      const good = b64(raw, AFTERSHIP_SECRET);
      expect(verifyAfterShipSignature(raw, b64(raw, 'other-secret'), AFTERSHIP_SECRET)).to.equal(false);
      expect(verifyAfterShipSignature(Buffer.concat([raw, Buffer.from(' ')]), good, AFTERSHIP_SECRET)).to.equal(false);
      expect(verifyAfterShipSignature(raw, undefined, AFTERSHIP_SECRET)).to.equal(false);
      expect(verifyAfterShipSignature(raw, '', AFTERSHIP_SECRET)).to.equal(false);
      expect(verifyAfterShipSignature(raw, `${good.slice(0, 10)}!!${good.slice(12)}`, AFTERSHIP_SECRET)).to.equal(false);
      expect(verifyAfterShipSignature(raw, good.slice(0, 40), AFTERSHIP_SECRET)).to.equal(false);
      expect(verifyAfterShipSignature(raw, `${good}AAAA`, AFTERSHIP_SECRET)).to.equal(false);
      expect(verifyAfterShipSignature(raw, createHmac('sha256', AFTERSHIP_SECRET).update(raw).digest('hex'), AFTERSHIP_SECRET)).to.equal(false);
      expect(verifyAfterShipSignature(raw, b64(raw, ''), '')).to.equal(false);
      // One bit flipped in the digest.
      const flipped = Buffer.from(good, 'base64');
      flipped[0] ^= 1;
      expect(verifyAfterShipSignature(raw, flipped.toString('base64'), AFTERSHIP_SECRET)).to.equal(false);
    });
  });

  describe('verifyEasyPostSignature', function () {
    const raw = Buffer.from('{"id":"evt_1","description":"tracker.updated","result":{"weight":136.0}}', 'utf8');

    it('accepts hmac-sha256-hex= and the hex HMAC-SHA256 of the raw body', function () {
      expect(verifyEasyPostSignature(raw, hex(raw, EASYPOST_SECRET), EASYPOST_SECRET)).to.equal(true);
    });

    it('keys the HMAC with the secret normalised to NFKD, as EasyPost\'s client libraries do', function () {
      // "é" precomposed (NFC) and the "ﬁ" ligature: NFKD turns them into "e" + U+0301 and "fi".
      const secret = 'caf\u00e9-\ufb01x';
      const nfkdKeyed = `hmac-sha256-hex=${createHmac('sha256', Buffer.from('cafe\u0301-fix', 'utf8')).update(raw).digest('hex')}`;
      const rawKeyed = `hmac-sha256-hex=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(raw).digest('hex')}`;
      expect(verifyEasyPostSignature(raw, nfkdKeyed, secret)).to.equal(true);
      expect(verifyEasyPostSignature(raw, rawKeyed, secret)).to.equal(false);
      // The same secret typed decomposed gives the same key.
      expect(verifyEasyPostSignature(raw, nfkdKeyed, 'cafe\u0301-fix')).to.equal(true);
    });

    it('checks the raw bytes: an integer weight re-serialised by JSON.parse/stringify no longer matches', function () {
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8');
      expect(reserialised.toString()).to.contain('"weight":136}');
      expect(verifyEasyPostSignature(reserialised, hex(raw, EASYPOST_SECRET), EASYPOST_SECRET)).to.equal(false);
    });

    it('refuses a wrong secret, another body, no prefix, a missing, empty, garbled or truncated header, an empty secret', function () {
      const good = hex(raw, EASYPOST_SECRET);
      expect(verifyEasyPostSignature(raw, hex(raw, 'nope'), EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(Buffer.from(`${raw.toString()} `), good, EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(raw, good.slice('hmac-sha256-hex='.length), EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(raw, good.replace('hmac-sha256-hex=', 'hmac-sha256-b64='), EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(raw, undefined, EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(raw, '', EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(raw, `${good.slice(0, -1)}g`, EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(raw, good.slice(0, -2), EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(raw, `${good}00`, EASYPOST_SECRET)).to.equal(false);
      expect(verifyEasyPostSignature(raw, hex(raw, ''), '')).to.equal(false);
    });
  });

  describe('parseAfterShipEvent', function () {
    it('reads a tracking_update: id, tracking number, carrier, status, expected date, latest checkpoint', function () {
      const reading = readAfterShipPayload(afterShipBody());
      expect(reading).to.deep.equal({
        kind: 'event',
        sentAt: 1717243200_000,
        event: {
          id: 'aftership:0f8a3c2e-6b1d-4e5f-9a7b-1c2d3e4f5a6b',
          source: 'aftership',
          trackingNumber: '1Z999AA10123456784',
          carrier: 'ups',
          status: 'in_transit',
          expectedDelivery: '2024-06-04',
          // The latest by time (07:40+02:00 = 05:40Z), not the last listed (22:05Z the day before).
          occurredAt: '2024-06-01T05:40:00.000Z',
          place: 'Lyon, FR',
        },
      });
    });

    const tags: Array<[string, Partial<CarrierEvent>]> = [
      ['Pending', { status: 'info_received' }],
      ['InfoReceived', { status: 'info_received' }],
      ['InTransit', { status: 'in_transit' }],
      ['OutForDelivery', { status: 'out_for_delivery' }],
      ['AvailableForPickup', { status: 'available_for_pickup' }],
      ['AttemptFail', { status: 'attempt_failed' }],
      ['Delivered', { status: 'delivered' }],
      ['Exception', { status: 'exception', exception: 'other' }],
      ['Expired', { status: 'exception', exception: 'other' }],
    ];
    for (const [tag, expected] of tags) {
      it(`maps the tag ${tag} to ${expected.status}${expected.exception ? ` / ${expected.exception}` : ''}`, function () {
        const event = parseAfterShipEvent(afterShipBody({ tag, subtag: `${tag}_001`, subtag_message: tag }));
        expect(event?.status).to.equal(expected.status);
        expect(event?.exception).to.equal(expected.exception);
      });
    }

    const exceptions: Array<[string, string, string]> = [
      ['Exception_010', 'Returning to sender', 'returned'],
      ['Exception_011', 'Returned to sender', 'returned'],
      ['Exception_012', 'Shipment damage', 'damaged'],
      ['Exception_013', 'Shipment lost', 'lost'],
      ['Exception_001', 'Parcel damaged in transit', 'damaged'],
      ['Exception_001', 'Package lost by carrier', 'lost'],
      ['Exception_001', 'Item will be returned', 'returned'],
      ['Exception_007', 'Incorrect Address', 'other'],
      ['Exception_004', 'Delayed (Customs clearance)', 'other'],
    ];
    for (const [subtag, message, kind] of exceptions) {
      it(`reads the exception ${subtag} "${message}" as ${kind}`, function () {
        const event = parseAfterShipEvent(afterShipBody({ tag: 'Exception', subtag, subtag_message: message }));
        expect(event).to.include({ status: 'exception', exception: kind });
      });
    }

    it('reads edd_revise as delayed with the new expected date, unless delivered or an exception', function () {
      const revised = parseAfterShipEvent(afterShipBody({ expected_delivery: '2024-06-07T18:00:00+02:00' }, { event: 'edd_revise' }));
      expect(revised).to.include({ status: 'delayed', expectedDelivery: '2024-06-07T18:00:00+02:00' });
      expect(revised?.exception).to.equal(undefined);
      expect(parseAfterShipEvent(afterShipBody({ tag: 'Delivered' }, { event: 'edd_revise' }))?.status).to.equal('delivered');
      expect(parseAfterShipEvent(afterShipBody({ tag: 'Exception', subtag: 'Exception_013' }, { event: 'edd_revise' }))).to.include({ status: 'exception', exception: 'lost' });
    });

    it('falls back to ts without a zoned checkpoint time, and takes the last checkpoint\'s place then', function () {
      const event = parseAfterShipEvent(afterShipBody({ checkpoints: [{ checkpoint_time: '2024-05-31T10:00:00', location: 'Paris, FR' }, { checkpoint_time: '2024-06-01T08:00:00', location: 'Lyon, FR' }] }));
      expect(event).to.include({ occurredAt: '2024-06-01T12:00:00.000Z', place: 'Lyon, FR' });
      const bare = parseAfterShipEvent(afterShipBody({ checkpoints: [] }));
      expect(bare?.occurredAt).to.equal('2024-06-01T12:00:00.000Z');
      expect(bare).to.not.have.property('place');
    });

    it('drops what it cannot use: a non-string location, an unreadable expected date, a bad slug, unreadable checkpoints', function () {
      const event = parseAfterShipEvent(afterShipBody({ expected_delivery: 'next Tuesday', slug: '', checkpoints: [42, null, { checkpoint_time: '2024-06-01T09:00:00Z', location: { city: 'Lyon' } }] }));
      expect(event).to.deep.equal({
        id: 'aftership:0f8a3c2e-6b1d-4e5f-9a7b-1c2d3e4f5a6b',
        source: 'aftership',
        trackingNumber: '1Z999AA10123456784',
        status: 'in_transit',
        occurredAt: '2024-06-01T09:00:00.000Z',
      });
    });

    it('ignores other event types and unknown tags; refuses malformed bodies', function () {
      expect(readAfterShipPayload({ event: 'tracking_created', event_id: 'x', msg: {} })).to.deep.equal({ kind: 'ignored', reason: 'event_type' });
      expect(readAfterShipPayload(afterShipBody({ tag: 'Teleported' }))).to.deep.equal({ kind: 'ignored', reason: 'tag' });
      expect(readAfterShipPayload(afterShipBody({ tag: 'constructor' }))).to.deep.equal({ kind: 'ignored', reason: 'tag' });
      for (const bad of [
        null,
        [],
        'tracking_update',
        {},
        afterShipBody({}, { event_id: undefined }),
        afterShipBody({}, { event_id: 'has spaces and / slashes' }),
        afterShipBody({}, { msg: null }),
        afterShipBody({ tracking_number: undefined }),
        afterShipBody({ tracking_number: '   ' }),
        afterShipBody({ tracking_number: 12345 }),
        afterShipBody({ tag: undefined }),
        afterShipBody({ checkpoints: 'none' }),
        afterShipBody({ checkpoints: [] }, { ts: undefined }),
      ]) {
        expect(readAfterShipPayload(bad), JSON.stringify(bad)).to.deep.equal({ kind: 'malformed' });
        expect(parseAfterShipEvent(bad)).to.equal(undefined);
      }
    });
  });

  describe('parseEasyPostEvent', function () {
    it('reads a tracker.updated: id, tracking code, carrier, status, estimated delivery, latest detail', function () {
      expect(readEasyPostPayload(easyPostBody())).to.deep.equal({
        kind: 'event',
        sentAt: Date.parse('2024-06-01T06:00:03Z'),
        event: {
          id: 'easypost:evt_7c1e2b3a4d5f11efa1b2',
          source: 'easypost',
          trackingNumber: '9400100000000000000000',
          carrier: 'usps',
          status: 'in_transit',
          expectedDelivery: '2024-06-03T16:00:00Z',
          occurredAt: '2024-06-01T05:40:00.000Z',
          place: 'CHICAGO, US',
        },
      });
    });

    it('also reads tracker.created', function () {
      expect(parseEasyPostEvent(easyPostBody({ status: 'pre_transit' }, { description: 'tracker.created' }))?.status).to.equal('info_received');
    });

    const statuses: Array<[string, Partial<CarrierEvent> | undefined]> = [
      ['pre_transit', { status: 'info_received' }],
      ['in_transit', { status: 'in_transit' }],
      ['out_for_delivery', { status: 'out_for_delivery' }],
      ['available_for_pickup', { status: 'available_for_pickup' }],
      ['delivered', { status: 'delivered' }],
      ['return_to_sender', { status: 'exception', exception: 'returned' }],
      ['failure', { status: 'exception', exception: 'other' }],
      ['cancelled', undefined],
      ['error', undefined],
      ['unknown', undefined],
    ];
    for (const [status, expected] of statuses) {
      it(`maps the status ${status} to ${expected ? `${expected.status}${expected.exception ? ` / ${expected.exception}` : ''}` : 'nothing (ignored)'}`, function () {
        const body = easyPostBody({ status });
        if (!expected) {
          expect(readEasyPostPayload(body)).to.deep.equal({ kind: 'ignored', reason: 'status' });
          expect(parseEasyPostEvent(body)).to.equal(undefined);
          return;
        }
        const event = parseEasyPostEvent(body);
        expect(event?.status).to.equal(expected.status);
        expect(event?.exception).to.equal(expected.exception);
      });
    }

    it('falls back to the tracker\'s updated_at without tracking details; place from city or country alone', function () {
      const event = parseEasyPostEvent(easyPostBody({ tracking_details: [], est_delivery_date: null, carrier: 'DHL Express' }));
      expect(event).to.include({ occurredAt: '2024-06-01T05:59:59.000Z', carrier: 'dhl-express' });
      expect(event).to.not.have.property('place');
      expect(event).to.not.have.property('expectedDelivery');
      const lyon = parseEasyPostEvent(easyPostBody({ tracking_details: [{ datetime: '2024-06-01T05:00:00Z', tracking_location: { city: 'Lyon', country: null } }] }));
      expect(lyon?.place).to.equal('Lyon');
      const fr = parseEasyPostEvent(easyPostBody({ tracking_details: [{ datetime: '2024-06-01T05:00:00Z', tracking_location: { city: '', country: 'FR' } }] }));
      expect(fr?.place).to.equal('FR');
    });

    it('ignores other descriptions; refuses malformed bodies', function () {
      expect(readEasyPostPayload(easyPostBody({}, { description: 'batch.updated', result: { object: 'Batch' } }))).to.deep.equal({ kind: 'ignored', reason: 'event_type' });
      for (const bad of [
        null,
        42,
        { description: 'tracker.updated' },
        easyPostBody({}, { id: undefined }),
        easyPostBody({}, { id: 'evt 1' }),
        easyPostBody({}, { result: null }),
        easyPostBody({ tracking_code: undefined }),
        easyPostBody({ tracking_code: '' }),
        easyPostBody({ status: 7 }),
        easyPostBody({ tracking_details: 'x' }),
        easyPostBody({ tracking_details: [], updated_at: null }, { updated_at: null, created_at: null }),
      ]) {
        expect(readEasyPostPayload(bad), JSON.stringify(bad)).to.deep.equal({ kind: 'malformed' });
        expect(parseEasyPostEvent(bad)).to.equal(undefined);
      }
    });
  });

  describe('properties', function () {
    const arbitraryJson = fc.jsonValue({ maxDepth: 6 });
    // Payload-shaped values with arbitrary leaves reach deeper branches than fully random JSON.
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
    const afterShipLike = fc.record({
      event: fc.constantFrom('tracking_update', 'edd_revise', 'other'),
      event_id: leaf,
      ts: leaf,
      msg: fc.record({ tracking_number: leaf, slug: leaf, tag: fc.oneof(fc.constantFrom('InTransit', 'Exception', 'Delivered', '__proto__'), leaf), subtag: leaf, subtag_message: leaf, expected_delivery: leaf, checkpoints: fc.array(fc.record({ checkpoint_time: leaf, location: leaf }, { requiredKeys: [] })) }, { requiredKeys: [] }),
    }, { requiredKeys: [] });
    const easyPostLike = fc.record({
      id: leaf,
      description: fc.constantFrom('tracker.updated', 'tracker.created', 'x'),
      created_at: leaf,
      updated_at: leaf,
      result: fc.record({ tracking_code: leaf, status: fc.oneof(fc.constantFrom('in_transit', 'delivered', 'failure'), leaf), carrier: leaf, est_delivery_date: leaf, updated_at: leaf, tracking_details: fc.array(fc.record({ datetime: leaf, tracking_location: leaf }, { requiredKeys: [] })) }, { requiredKeys: [] }),
    }, { requiredKeys: [] });

    const wellFormed = (event: CarrierEvent | undefined) => {
      if (!event) return;
      expect(event.trackingNumber).to.match(/^[\x21-\x7e]{1,64}$/);
      expect(event.trackingNumber).to.equal(event.trackingNumber.toUpperCase());
      expect(new Date(event.occurredAt).toISOString()).to.equal(event.occurredAt);
      expect(event.exception !== undefined).to.equal(event.status === 'exception');
    };

    it('the parsers never throw on arbitrary JSON, and what they return is well formed', function () {
      fc.assert(
        fc.property(fc.oneof(arbitraryJson, afterShipLike, easyPostLike), (value) => {
          wellFormed(parseAfterShipEvent(value));
          wellFormed(parseEasyPostEvent(value));
        }),
        { numRuns: 500 },
      );
    });

    it('the verifiers never throw on arbitrary headers, secrets and bodies, and accept no arbitrary header', function () {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), fc.string({ unit: 'binary' }), (bytes, header, secret) => {
          const raw = Buffer.from(bytes);
          expect(verifyAfterShipSignature(raw, header, secret)).to.equal(secret.length > 0 && header?.trim() === b64(raw, secret));
          expect(verifyEasyPostSignature(raw, header, secret)).to.equal(secret.length > 0 && header !== undefined && header.trim().toLowerCase() === hex(raw, secret));
        }),
        { numRuns: 500 },
      );
    });

    it('the verifiers accept exactly the right signature for any body and secret', function () {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), fc.string({ minLength: 1, unit: 'grapheme' }), (bytes, secret) => {
          const raw = Buffer.from(bytes);
          expect(verifyAfterShipSignature(raw, b64(raw, secret), secret)).to.equal(true);
          expect(verifyEasyPostSignature(raw, hex(raw, secret), secret)).to.equal(true);
        }),
        { numRuns: 200 },
      );
    });
  });
});
