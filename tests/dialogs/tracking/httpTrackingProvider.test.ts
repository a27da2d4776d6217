import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTrackingProvider } from '../../../dialogs/tracking/httpTrackingProvider';
import { TrackingProviderError, type TrackingResult } from '../../../dialogs/tracking/trackingProvider';

const KEY = 'test-okapi-key-5ecr3t';

interface Seen {
  readonly path: string;
  readonly lang: string | null;
  readonly key: string | undefined;
  readonly accept: string | undefined;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A fake La Poste "Suivi v2" on 127.0.0.1, one handler per tracking id. */
class FakeLaPoste {
  readonly seen: Seen[] = [];
  private readonly handlers = new Map<string, Handler>();
  private server?: Server;
  baseUrl = '';

  on(id: string, handler: Handler): void {
    this.handlers.set(id, handler);
  }

  json(id: string, status: number, body: unknown): void {
    this.on(id, (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const key = req.headers['x-okapi-key'];
      this.seen.push({ path: url.pathname, lang: url.searchParams.get('lang'), key: typeof key === 'string' ? key : undefined, accept: req.headers.accept });
      const m = /^\/suivi\/v2\/idships\/([^/]+)$/.exec(url.pathname);
      const handler = m ? this.handlers.get(decodeURIComponent(m[1])) : undefined;
      if (key !== KEY) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'UNAUTHORIZED', message: 'Invalid key' }));
        return;
      }
      if (!handler) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ returnCode: 104, returnMessage: 'Votre suivi n’est pas encore disponible.', idShip: m?.[1] }));
        return;
      }
      handler(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/suivi/v2`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const shipment = (idShip: string, holder: number, events: Array<{ code: string; label: string; date: string }>, extra: Record<string, unknown> = {}) => ({
  lang: 'fr_FR',
  scope: 'open',
  returnCode: 200,
  shipment: {
    idShip,
    holder,
    product: 'Colissimo',
    isFinal: events[0]?.code.startsWith('DI') ?? false,
    entryDate: '2025-03-10T09:14:00+01:00',
    event: events,
    timeline: [{ id: 1, shortLabel: 'Pris en charge', status: true, type: 1 }],
    contextData: { originCountry: 'FR', arrivalCountry: 'FR' },
    url: `https://www.laposte.fr/outils/suivre-vos-envois?code=${idShip}`,
    ...extra,
  },
});

async function rejection(p: Promise<TrackingResult>): Promise<TrackingProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the lookup should reject').to.be.instanceOf(TrackingProviderError);
  const e = err as TrackingProviderError;
  // Never leak the key into what may be logged or shown.
  expect(e.message).to.not.include(KEY);
  expect(String(e.stack)).to.not.include(KEY);
  return e;
}

describe('HttpTrackingProvider (La Poste Suivi v2) against a local fake server', () => {
  const fake = new FakeLaPoste();
  let provider: HttpTrackingProvider;

  before(async () => {
    await fake.start();
    provider = new HttpTrackingProvider({ baseUrl: fake.baseUrl, apiKey: KEY, timeoutMs: 300 });

    fake.json(
      '6A24188037153',
      200,
      shipment('6A24188037153', 4, [
        { code: 'DI1', label: 'Votre colis est livré.', date: '2025-03-13T14:05:00+01:00' },
        { code: 'MD2', label: 'Votre colis est en cours de livraison.', date: '2025-03-13T08:10:00+01:00' },
        { code: 'PC1', label: 'Votre colis a été pris en charge.', date: '2025-03-11T17:00:00+01:00' },
      ], { deliveryDate: '2025-03-13T14:05:00+01:00' }),
    );
    fake.json(
      '8R03274195588',
      200,
      // Events out of order on purpose: the newest one decides.
      shipment('8R03274195588', 4, [
        { code: 'ET1', label: 'Votre colis est en cours d’acheminement.', date: '2025-03-12T22:00:00+01:00' },
        { code: 'MD2', label: 'Votre colis est en cours de livraison.', date: '2025-03-13T07:45:00+01:00' },
      ], { estimDate: '2025-03-13T00:00:00+01:00' }),
    );
    fake.json(
      '6Y11138937441',
      200,
      shipment('6Y11138937441', 4, [{ code: 'ET3', label: 'Your parcel is being processed in the destination country.', date: '2025-03-12T11:00:00+01:00' }], {
        estimDate: '2025-03-15T00:00:00+01:00',
        contextData: { originCountry: 'GB', arrivalCountry: 'FR' },
      }),
    );
    fake.json('XY307182650FR', 200, shipment('XY307182650FR', 3, [{ code: 'RE1', label: 'Retourné à l’expéditeur', date: '2025-03-12T16:20:00+01:00' }]));
    fake.json('6S00993561113', 200, shipment('6S00993561113', 4, [{ code: 'PB1', label: 'Votre colis a été endommagé.', date: '2025-03-12T16:20:00+01:00' }]));
    fake.json('6S00993561114', 200, shipment('6S00993561114', 4, [{ code: 'PB1', label: 'Problème en cours : colis retardé.', date: '2025-03-12T16:20:00+01:00' }]));
    fake.json('6S00993561115', 200, shipment('6S00993561115', 4, [{ code: 'PB1', label: 'Your parcel is lost.', date: '2025-03-12T16:20:00+01:00' }]));
    fake.json(
      '6S00993561116',
      200,
      shipment('6S00993561116', 4, [{ code: 'AG1', label: 'Votre colis vous attend au bureau de poste.', date: '2025-03-12T16:20:00' }], {
        contextData: { removalPoint: { name: 'Bureau de poste Lyon Bellecour', type: 'BDP' } },
      }),
    );
    fake.json('6S00993561117', 200, [shipment('6S00993561117', 1, [{ code: 'DI2', label: 'Distribué à l’expéditeur', date: '2025-03-12T16:20:00+01:00' }])]);
    fake.json('INVALID00001', 400, { returnCode: 400, returnMessage: 'Le numéro que vous avez saisi n’est pas valide.' });
    fake.json('BROKEN000001', 500, { error: 'boom' });
    fake.json('THROTTLED001', 429, { error: 'quota' });
    fake.json('NOTJSON00001', 200, '<html>maintenance</html>');
    fake.json('BADSHAPE0001', 200, { returnCode: 200, shipment: { idShip: 'BADSHAPE0001', event: [{ code: 'DI1', date: 'yesterday', label: 'secret-payload-value' }] } });
    fake.json('NOSHIP000001', 200, { returnCode: 105, returnMessage: 'Numéro inconnu' });
    fake.on('SLOW00000001', (_req, res) => {
      const t = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(shipment('SLOW00000001', 4, [])));
      }, 3_000);
      res.on('close', () => clearTimeout(t));
    });
    fake.on('SLOWBODY0001', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"returnCode":200,');
      const t = setTimeout(() => res.end('"shipment":{}}'), 3_000);
      res.on('close', () => clearTimeout(t));
    });
    fake.on('HUGE00000001', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"returnCode":200,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    });
  });

  after(async () => {
    await fake.stop();
  });

  it('sends the key header, Accept JSON and the language, and maps a delivered parcel', async () => {
    const r = await provider.track('6a 2418 8037 153', undefined, { language: 'fr-FR' });
    expect(r).to.deep.include({ trackingNumber: '6A24188037153', carrier: 'colissimo', status: 'delivered' });
    expect(r.deliveredAt).to.equal('2025-03-13T13:05:00.000Z');
    expect(r.lastEvent).to.deep.equal({
      time: '2025-03-13T13:05:00.000Z',
      timeZone: 'Europe/Paris',
      description: 'Votre colis est livré.',
    });
    const seen = fake.seen.at(-1)!;
    expect(seen).to.deep.equal({ path: '/suivi/v2/idships/6A24188037153', lang: 'fr_FR', key: KEY, accept: 'application/json' });
  });

  it('asks in English for other languages, and keeps the estimated date (in transit, international)', async () => {
    const r = await provider.track('6Y11138937441', 'colissimo', { language: 'en-GB' });
    expect(fake.seen.at(-1)!.lang).to.equal('en_GB');
    expect(r).to.deep.include({ status: 'in_transit', expectedDelivery: '2025-03-14T23:00:00.000Z' });
    expect(r.lastEvent!.timeZone).to.equal(undefined); // not a domestic French shipment
  });

  const statusCases: ReadonlyArray<readonly [string, string, string]> = [
    ['8R03274195588', 'out_for_delivery', 'MD2 (newest of unordered events)'],
    ['XY307182650FR', 'returned_to_sender', 'RE1'],
    ['6S00993561113', 'exception_damaged', 'PB1 with a damage label'],
    ['6S00993561114', 'delayed', 'PB1 without detail'],
    ['6S00993561115', 'exception_lost', 'PB1 with a loss label'],
    ['6S00993561116', 'in_transit', 'AG1 (waiting at a pick-up point)'],
    ['6S00993561117', 'returned_to_sender', 'DI2 in an array-wrapped answer'],
  ];
  for (const [id, status, what] of statusCases) {
    it(`maps ${what} to ${status}`, async () => {
      const r = await provider.track(id, undefined);
      expect(r.status).to.equal(status);
      expect(r.trackingNumber).to.equal(id);
    });
  }

  it('uses the holder for the carrier and the removal point as the place', async () => {
    expect((await provider.track('XY307182650FR', undefined)).carrier).to.equal('chronopost');
    expect((await provider.track('6S00993561117', undefined)).carrier).to.equal('laposte');
    const ag1 = await provider.track('6S00993561116', undefined);
    expect(ag1.lastEvent!.place).to.equal('Bureau de poste Lyon Bellecour');
    // a date without offset is French local time (CET in March)
    expect(ag1.lastEvent!.time).to.equal('2025-03-12T15:20:00.000Z');
  });

  it('answers not_found on 404, on 400 and on a 1xx return code', async () => {
    expect(await provider.track('1Z999AA10123456784', 'ups')).to.deep.equal({ trackingNumber: '1Z999AA10123456784', carrier: 'ups', status: 'not_found' });
    expect((await provider.track('INVALID00001', undefined)).status).to.equal('not_found');
    expect((await provider.track('NOSHIP000001', undefined)).status).to.equal('not_found');
  });

  it('answers not_found without calling the API for something that is not an id', async () => {
    const before = fake.seen.length;
    expect((await provider.track('../../admin?x=1', undefined)).status).to.equal('not_found');
    expect(fake.seen.length).to.equal(before);
  });

  it('rejects unauthorized on 401', async () => {
    const bad = new HttpTrackingProvider({ baseUrl: fake.baseUrl, apiKey: 'wrong-key', timeoutMs: 300 });
    const e = await rejection(bad.track('6A24188037153', undefined));
    expect(e.kind).to.equal('unauthorized');
    expect(e.message).to.not.include('wrong-key');
  });

  it('rejects unavailable on 500 and 429', async () => {
    expect((await rejection(provider.track('BROKEN000001', undefined))).kind).to.equal('unavailable');
    expect((await rejection(provider.track('THROTTLED001', undefined))).kind).to.equal('unavailable');
  });

  it('rejects bad_response on malformed JSON, without the payload in the message', async () => {
    const e = await rejection(provider.track('NOTJSON00001', undefined));
    expect(e.kind).to.equal('bad_response');
    expect(e.message).to.not.include('maintenance');
  });

  it('rejects bad_response on a payload of the wrong shape, naming only the path', async () => {
    const e = await rejection(provider.track('BADSHAPE0001', undefined));
    expect(e.kind).to.equal('bad_response');
    expect(e.message).to.include('shipment.event.0.date');
    expect(e.message).to.not.include('secret-payload-value');
    expect(e.message).to.not.include('yesterday');
  });

  it('rejects bad_response on a body above the size limit', async () => {
    expect((await rejection(provider.track('HUGE00000001', undefined))).kind).to.equal('bad_response');
  });

  it('rejects timeout when the server is slow to answer', async () => {
    const t0 = Date.now();
    const e = await rejection(provider.track('SLOW00000001', undefined));
    expect(e.kind).to.equal('timeout');
    expect(e.message).to.include('300 ms');
    expect(Date.now() - t0).to.be.below(2_500); // well before the server's 3 s
  });

  it('rejects timeout when the body stalls after the headers', async () => {
    expect((await rejection(provider.track('SLOWBODY0001', undefined))).kind).to.equal('timeout');
  });

  it('rejects timeout when the caller aborts, before or during the call', async () => {
    const slowLimit = new HttpTrackingProvider({ baseUrl: fake.baseUrl, apiKey: KEY, timeoutMs: 5_000 });
    const during = new AbortController();
    setTimeout(() => during.abort(), 50);
    const e = await rejection(slowLimit.track('SLOW00000001', undefined, { signal: during.signal }));
    expect(e.kind).to.equal('timeout');
    expect(e.message).to.match(/aborted/);

    const before = fake.seen.length;
    const pre = new AbortController();
    pre.abort();
    expect((await rejection(slowLimit.track('6A24188037153', undefined, { signal: pre.signal }))).kind).to.equal('timeout');
    expect(fake.seen.length).to.equal(before);
  });

  it('rejects unavailable when nothing listens', async () => {
    const closed = new FakeLaPoste();
    await closed.start();
    const url = closed.baseUrl;
    await closed.stop();
    const e = await rejection(new HttpTrackingProvider({ baseUrl: url, apiKey: KEY, timeoutMs: 1_000 }).track('6A24188037153', undefined));
    expect(e.kind).to.equal('unavailable');
  });

  it('refuses bad options at construction, without echoing the key', () => {
    expect(() => new HttpTrackingProvider({ baseUrl: 'not a url', apiKey: KEY })).to.throw(TypeError, /baseUrl/);
    expect(() => new HttpTrackingProvider({ baseUrl: fake.baseUrl, apiKey: '' })).to.throw(TypeError, /apiKey/);
    expect(() => new HttpTrackingProvider({ baseUrl: 'ftp://x.example', apiKey: KEY })).to.throw(TypeError, /baseUrl/);
    try {
      new HttpTrackingProvider({ baseUrl: 'nope', apiKey: KEY });
    } catch (e) {
      expect((e as Error).message).to.not.include(KEY);
    }
  });
});
