import { expect } from 'chai';
import * as http from 'node:http';
import * as net from 'node:net';
import { DirectLineHttpError, readJsonBody } from '../../../../bots/channels/directLine/readJsonBody';

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
});
