import { expect } from 'chai';
import * as http from 'node:http';
import * as net from 'node:net';
import { DirectLineHttpError, readJsonBody, type RequestWithBody } from '../../../bots/webchat/readJsonBody';

describe('readJsonBody', () => {
  it('rejects with a 400 (not a server error) when the client abandons the body, by reset or by closing early', async () => {
    const outcomes: unknown[] = [];
    let settled: () => void = () => undefined;
    const server = http.createServer((req) => {
      readJsonBody(req, 10_000).then(
        (value) => outcomes.push({ value }),
        (err: unknown) => outcomes.push(err),
      ).finally(() => settled());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      for (const end of ['reset', 'close'] as const) {
        const done = new Promise<void>((r) => (settled = r));
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.on('connect', () => {
          socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":');
          setTimeout(() => (end === 'reset' ? socket.resetAndDestroy() : socket.end()), 50);
        });
        await done;
      }
      expect(outcomes).to.have.length(2);
      for (const outcome of outcomes) {
        expect(outcome).to.be.instanceOf(DirectLineHttpError);
        expect((outcome as DirectLineHttpError).status).to.equal(400);
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const refusedAsTooDeep = async (read: Promise<unknown>) => {
    const err = await read.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DirectLineHttpError);
    expect((err as DirectLineHttpError).status).to.equal(400);
    expect((err as DirectLineHttpError).message).to.contain('nested deeper than 64');
  };

  it('refuses (400) a streamed body nested deeper than 64 levels, and reads one 64 levels deep', async () => {
    const results: unknown[] = [];
    const server = http.createServer((req, res) => {
      readJsonBody(req, 262_144).then(
        (value) => results.push(value),
        (err: unknown) => results.push(err),
      ).finally(() => res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      for (const body of [nested(10_000), `{"a":${nested(65)}}`, nested(64), `{"text":"${'['.repeat(1000)}"}`]) {
        await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      }
      await refusedAsTooDeep(Promise.reject(results[0]));
      await refusedAsTooDeep(Promise.reject(results[1]));
      expect(results[2]).to.be.an('array');
      expect(results[3]).to.deep.equal({ text: '['.repeat(1000) });
    } finally {
      server.close();
    }
  });

  it('refuses a deep body a global body parser already read, from its raw text or, without one, its parsed value (no RangeError)', async () => {
    const deep = JSON.parse(nested(10_000)) as unknown;
    const parsedOnly = { headers: {}, body: deep } as unknown as RequestWithBody;
    await refusedAsTooDeep(readJsonBody(parsedOnly, 262_144));
    const withRaw = { headers: {}, body: deep, rawBody: nested(10_000) } as unknown as RequestWithBody;
    await refusedAsTooDeep(readJsonBody(withRaw, 262_144));
    const asText = { headers: {}, body: nested(100) } as unknown as RequestWithBody;
    await refusedAsTooDeep(readJsonBody(asText, 262_144));
    const fine = { headers: {}, body: { type: 'message' }, rawBody: '{"type":"message"}' } as unknown as RequestWithBody;
    expect(await readJsonBody(fine, 262_144)).to.deep.equal({ type: 'message' });
    const oversizedRaw = { headers: {}, body: { type: 'message' }, rawBody: `{"type":"message","x":"${'x'.repeat(2000)}"}` } as unknown as RequestWithBody;
    const err = await readJsonBody(oversizedRaw, 1024).catch((e: unknown) => e);
    expect((err as DirectLineHttpError).status).to.equal(413);
  });
});
