import fc from 'fast-check';
import { DirectLinePool } from './directLineRoute';
import { httpStep, segment, setupRequest, type FuzzRoute, type RouteEnv } from './fuzzRoute';
import { Ref, type Placeholder, type FrameSpec, type FuzzCase, type RawStep, type RefResolvers, type Template, type WsStep } from './fuzzSpec';
import { hostileScalar } from './hostileValues';

const DL = '/v3/directline';
const POOL = 4;
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Client frames, all masked with a zero key (so the payload reads as is) unless the frame is about masking. */
const RAW_FRAMES: Readonly<Record<string, string>> = {
  unmaskedText: '8105' + Buffer.from('hello').toString('hex'),
  invalidUtf8: '818200000000c328',
  reservedOpcode: '838000000000',
  rsvBitsSet: 'f18100000000' + '41',
  longPing: '89fe007e00000000' + '00'.repeat(126),
  closeCode999: '88820000000003e7',
  closeNoCode: '888100000000' + '01',
  length2to63: '81ff7fffffffffffffff00000000',
  length4GiB: '81ff000000010000000000000000',
  fragmentedPing: '098000000000',
  continuationFirst: '808100000000' + '41',
  truncated: '81',
};

/**
 * Stream paths with their tickets: `dl.stream` a fresh valid one, `dl.usedStream` one handed out before (so most likely
 * used), `dl.crossedStream` a valid ticket of another conversation, `dl.noTicket` none.
 */
function streamRefs(env: RouteEnv, pool: DirectLinePool): RefResolvers {
  const handedOut: string[] = [];
  const conv = (i: number) => pool.conversationId(i);
  const fresh = async (i: number): Promise<string> => {
    const auth = `Bearer ${await pool.token(i)}`;
    const { body } = await setupRequest<{ streamUrl: string }>(`${env.base}${DL}/conversations/${conv(i)}`, { headers: { authorization: auth } });
    const url = new URL(body.streamUrl);
    return `${url.pathname}${url.search}`;
  };
  return {
    'dl.stream': async (i) => {
      const path = await fresh(i);
      handedOut.push(path);
      if (handedOut.length > 50) handedOut.shift();
      return path;
    },
    'dl.usedStream': async (i) => handedOut[i % Math.max(1, handedOut.length)] ?? (await fresh(i)),
    // A valid ticket of conversation i + 1 on conversation i's stream path.
    'dl.crossedStream': async (i) => `${DL}/conversations/${conv(i)}/stream?t=${new URL(`http://x${await fresh(i + 1)}`).searchParams.get('t') ?? ''}`,
    'dl.noTicket': (i) => `${DL}/conversations/${conv(i)}/stream`,
  };
}

const validStream = (i: number) => new Ref('dl.stream', i);

const frames: fc.Arbitrary<FrameSpec[]> = fc.array(
  fc.oneof(
    fc.constantFrom('', 'hello', '{"type":"message","text":"hi"}', '\u0000', 'null').map((data): FrameSpec => ({ kind: 'text', data })),
    fc.constantFrom(4097, 70_000).map((repeat): FrameSpec => ({ kind: 'text', data: 'a', repeat })),
    fc.constantFrom(1, 4096, 5000, 200_000).map((bytes): FrameSpec => ({ kind: 'binary', bytes })),
    fc.constant<FrameSpec>({ kind: 'ping' }),
    fc.constantFrom(...Object.values(RAW_FRAMES)).map((hex): FrameSpec => ({ kind: 'raw', hex })),
  ),
  { maxLength: 4 },
);

/** Streams opened with a valid ticket or an invalid one, frames sent, then closed, terminated or reset. */
const webSocketCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    i: fc.nat(POOL * 8),
    ticket: fc.constantFrom('valid', 'valid', 'valid', 'used', 'crossed', 'none', 'garbage', 'unknownConversation'),
    garbage: hostileScalar,
    frames,
    holdMs: fc.constantFrom(0, 0, 5, 50, 200),
    end: fc.constantFrom<WsStep['end']>('close', 'terminate', 'reset'),
  })
  .map(({ i, ticket, garbage, frames: list, holdMs, end }): FuzzCase => {
    const paths: Record<string, Template> = {
      valid: validStream(i),
      used: new Ref('dl.usedStream', i),
      crossed: new Ref('dl.crossedStream', i),
      none: new Ref('dl.noTicket', i),
      garbage: [`${DL}/conversations/`, new Ref('dl.conv', i), `/stream?t=${segment(garbage)}`],
      unknownConversation: `${DL}/conversations/${segment(garbage).slice(0, 64) || 'x'}/stream?t=abc`,
    };
    return [{ kind: 'ws', path: paths[ticket], frames: list, holdMs, end }];
  });

const HANDSHAKE = ['Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 13'];

/** Header sets of upgrade requests, well-formed and not. */
const upgradeHeaders = fc.constantFrom(
  HANDSHAKE,
  HANDSHAKE.filter((h) => !h.startsWith('Sec-WebSocket-Key')),
  HANDSHAKE.map((h) => (h.startsWith('Sec-WebSocket-Version') ? 'Sec-WebSocket-Version: 99' : h)),
  HANDSHAKE.map((h) => (h.startsWith('Upgrade') ? 'Upgrade: h2c' : h)),
  HANDSHAKE.map((h) => (h.startsWith('Connection') ? 'Connection: keep-alive' : h)),
  [...HANDSHAKE, 'Upgrade: websocket', 'Sec-WebSocket-Key: AAAA'],
  [...HANDSHAKE, `X-Big: ${'b'.repeat(20_000)}`],
  [...HANDSHAKE, 'Content-Length: 5'],
  ['Upgrade: websocket', 'Connection: Upgrade'],
);

const anyPath: fc.Arbitrary<ReadonlyArray<string | Placeholder>> = fc.oneof(
  fc.constantFrom('/', '/api/messages', '/desk/api/events', '/desk', '/healthz', '/nope', '*', 'http://evil.example/x', '/%00', `/${'a'.repeat(5000)}`, `${DL}/conversations/x/stream`, `${DL}/conversations/x/stream?t=bad`, `${DL}/conversations`).map((p) => [p]),
  fc.nat(POOL * 8).map((i) => [`${DL}/conversations/`, new Ref('dl.conv', i), '/stream?t=garbage']),
);

const wait = fc.constantFrom<RawStep['wait']>('none', 'none', 'short', 'short', 'answer');

/** Raw TCP: upgrade requests on any path, then a reset (or an end), sometimes waiting for the answer. */
const rawUpgrade: fc.Arbitrary<FuzzCase> = fc
  .record({ path: anyPath, method: fc.constantFrom('GET', 'GET', 'POST', 'CONNECT'), headers: upgradeHeaders, wait, end: fc.constantFrom<RawStep['end']>('reset', 'reset', 'end') })
  .map(({ path, method, headers, wait: w, end }): FuzzCase => [{ kind: 'raw', data: [`${method} `, ...path, ` HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`], wait: w, end }]);

/** A valid handshake made by hand, then frames a real client never sends, then a reset. */
const rawFrames: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.nat(POOL * 8), fc.constantFrom(...Object.values(RAW_FRAMES)), fc.constantFrom<RawStep['end']>('reset', 'end'))
  .map(([i, hex, end]): FuzzCase => [{ kind: 'raw', data: ['GET ', validStream(i), ` HTTP/1.1\r\n${HANDSHAKE.join('\r\n')}\r\n\r\n`], afterUpgradeHex: hex, wait: 'short', end }]);

/** Bytes that are not HTTP, or HTTP no parser should accept: complete requests may wait for the answer. */
const garbage: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'GARBAGE\r\n\r\n',
        '\u0000\u0001\u0002\u0003\r\n\r\n',
        'GET / HTTP/9.9\r\n\r\n',
        'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
        'POST /api/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
      ),
      wait,
    )
    .map(([data, w]): FuzzCase => [{ kind: 'raw', data, wait: w, end: 'reset' }]),
  // Incomplete: the server rightly waits for the rest (until its header timeout), so only reset these.
  fc
    .constantFrom('GET /v3/directline/conversations/x/stream HTTP/1.1\r\nHost: x', 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n', 'GE')
    .map((data): FuzzCase => [{ kind: 'raw', data, wait: 'short', end: 'reset' }]),
);

/** The local Direct Line WebSocket stream, and raw TCP upgrade requests on any path. */
export const streamRoute: FuzzRoute = {
  name: 'stream',
  title: 'Direct Line WebSocket stream + raw upgrades',
  cases: fc.oneof(
    { weight: 6, arbitrary: webSocketCase },
    { weight: 3, arbitrary: rawUpgrade },
    { weight: 2, arbitrary: rawFrames },
    { weight: 1, arbitrary: garbage },
    { weight: 1, arbitrary: fc.nat(POOL * 8).map((i): FuzzCase => [httpStep('GET', validStream(i), { kind: 'none' })]) },
  ),
  warmUp: [{ kind: 'ws', path: validStream(0), frames: [{ kind: 'text', data: '' }], holdMs: 20, end: 'close' }],
  async prepare(env) {
    const pool = await DirectLinePool.open(env.base, POOL, 'fuzz-ws');
    return { ...pool.refs(), ...streamRefs(env, pool) };
  },
};
