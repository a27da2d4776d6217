import fc from 'fast-check';
import { applyMutations, mutations } from './activityMutations';
import { httpStep, jsonStep, segment, setupRequest, type FuzzRoute, type RouteEnv } from './fuzzRoute';
import { Ref, type FuzzCase, type HttpStep, type Placeholder, type RefResolvers, type Template } from './fuzzSpec';
import { hostileScalar, hostileValue, SENSITIVE_TEXTS, TRACKING_TEXTS, WAITING_TEXTS } from './hostileValues';

const DL = '/v3/directline';
const POOL = 4;
const MAX_BODY = 262_144;

/** What `POST /conversations` answers. */
interface OpenedConversation {
  readonly conversationId: string;
  readonly token: string;
}

/** Fuzzed requests that issue tokens would revoke the pool's own after 8: it refreshes each token this often. */
const REFRESH_EVERY = 6;

/**
 * Conversations the fuzzer opened legitimately (as Web Chat does), from the set-up address. Their tokens are kept
 * live: refreshed as they are used, and a conversation whose token was revoked anyway is replaced.
 */
export class DirectLinePool {
  private constructor(
    private readonly base: string,
    private readonly userPrefix: string,
    private readonly entries: Array<{ conversationId: string; token: string; uses: number }>,
  ) {}

  /** Opens `count` conversations. */
  static async open(base: string, count: number, userPrefix: string): Promise<DirectLinePool> {
    const pool = new DirectLinePool(base, userPrefix, []);
    for (let i = 0; i < count; i++) pool.entries.push({ ...(await pool.openOne(i)), uses: 0 });
    return pool;
  }

  /** Conversation `i` (modulo the pool's size). */
  conversationId(i: number): string {
    return this.at(i).conversationId;
  }

  /** A live token of conversation `i`. */
  async token(i: number): Promise<string> {
    const entry = this.at(i);
    if (++entry.uses % REFRESH_EVERY === 0) {
      const { status, body } = await setupRequest<{ token: string }>(`${this.base}${DL}/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${entry.token}` } });
      if (status === 200) entry.token = body.token;
      else Object.assign(entry, await this.openOne(i).catch(() => ({})));
    }
    return entry.token;
  }

  /** `dl.conv` (a conversation id), `dl.auth` (its token), `dl.otherAuth` (the next conversation's token). */
  refs(): RefResolvers {
    return {
      'dl.conv': (i) => this.conversationId(i),
      'dl.auth': async (i) => `Bearer ${await this.token(i)}`,
      'dl.otherAuth': async (i) => `Bearer ${await this.token(i + 1)}`,
    };
  }

  private at(i: number) {
    return this.entries[i % this.entries.length];
  }

  private async openOne(i: number): Promise<OpenedConversation> {
    const { status, body } = await setupRequest<OpenedConversation>(`${this.base}${DL}/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: `${this.userPrefix}-${i}`, name: 'Fuzz' }, locale: 'en-US' }),
    });
    if (status !== 201) throw new Error(`fuzz: POST ${DL}/conversations answered ${status}`);
    return { conversationId: body.conversationId, token: body.token };
  }
}

/** Authorization headers: the conversation's own token, another's, and broken ones. */
const authorization = (i: number): fc.Arbitrary<Record<string, Template>> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant({ authorization: new Ref('dl.auth', i) }) },
    { weight: 1, arbitrary: fc.constant({ authorization: new Ref('dl.otherAuth', i) }) },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('Bearer garbage', 'Bearer', 'Bearer a b', 'Basic eA==', 'bearer  x', `Bearer ${'x'.repeat(9000)}`, 'Bearer eyJhbGciOiJub25lIn0.eyJjb252IjoiYSJ9.', 'Bearer ../../etc')
        .map((a) => ({ authorization: a })),
    },
  );

/** The conversation in the path: the pool's, or odd ids. */
const conversationInPath = (i: number): fc.Arbitrary<string | Placeholder> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(new Ref('dl.conv', i)) },
    { weight: 1, arbitrary: fc.constant(new Ref('dl.conv', i + 1)) },
    { weight: 2, arbitrary: hostileScalar.map((v) => segment(v)) },
  );

const watermark = fc.oneof(fc.constant(''), fc.constantFrom('0', '1', '-1', '99999999999999999999', 'abc', '1e3', '0x10', '%00', ' 1'));

/** What Web Chat posts, realistic or mutated, sometimes a sensitive message. */
const clientActivity = fc
  .record({
    type: fc.constantFrom('message', 'message', 'message', 'typing', 'event', 'conversationUpdate', 'messageReaction', 'endOfConversation', 'invoke', 'trace'),
    text: fc.constantFrom(...TRACKING_TEXTS, ...WAITING_TEXTS, ...SENSITIVE_TEXTS),
    mutate: fc.option(mutations, { freq: 2 }),
  })
  .map(({ type, text, mutate }) => {
    const base: Record<string, unknown> = {
      type,
      text,
      from: { id: 'fuzz-web-user', name: 'Web' },
      locale: 'en-US',
      channelData: { clientActivityID: `${text.length}abc`, clientTimestamp: '2026-01-01T00:00:00.000Z' },
      ...(type === 'conversationUpdate' ? { membersAdded: [{ id: 'fuzz-web-user' }] } : {}),
      ...(type === 'event' ? { name: 'webchat/join', value: { language: 'fr-FR' } } : {}),
    };
    return mutate ? applyMutations(base, mutate) : base;
  });

/** Bodies that are not activities at all. */
const badBody = fc.oneof(
  hostileValue.map((value) => ({ kind: 'json' as const, value })),
  fc.constantFrom('{"type":', 'not json', '\ufeff{"type":"message"}', '{"type":"message","text":"x"}garbage').map((text) => ({ kind: 'text' as const, text })),
  fc.constantFrom(MAX_BODY + 1, MAX_BODY * 2).map((bytes) => ({ kind: 'fill' as const, bytes, unit: 'x' })),
);

const contentType = fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'multipart/form-data; boundary=z', 'application/octet-stream', 'application/x-www-form-urlencoded', '') });

const pathOf = (conversation: string | Placeholder, rest: string): Template => [`${DL}/conversations/`, conversation, rest];

/** One Direct Line client call, on a pool conversation `i`. */
const clientCall: fc.Arbitrary<FuzzCase> = fc.nat(POOL * 8).chain((i) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.tuple(fc.option(authorization(i)), fc.oneof(hostileValue, fc.record({ user: fc.record({ id: hostileScalar, name: hostileScalar }), locale: hostileScalar }))).map(([auth, body]) => [jsonStep('POST', `${DL}/conversations`, body, auth ?? {})]) },
    { weight: 2, arbitrary: fc.tuple(authorization(i), conversationInPath(i), watermark).map(([auth, c, w]) => [httpStep('GET', pathOf(c, w ? `?watermark=${encodeURIComponent(w)}` : ''), { kind: 'none' }, auth)]) },
    { weight: 2, arbitrary: fc.tuple(authorization(i), conversationInPath(i), watermark).map(([auth, c, w]) => [httpStep('GET', pathOf(c, `/activities?watermark=${encodeURIComponent(w)}`), { kind: 'none' }, auth)]) },
    { weight: 6, arbitrary: fc.tuple(authorization(i), conversationInPath(i), clientActivity, contentType).map(([auth, c, a, type]) => [jsonStep('POST', pathOf(c, '/activities'), a, { ...auth, 'content-type': type })]) },
    { weight: 2, arbitrary: fc.tuple(authorization(i), conversationInPath(i), badBody).map(([auth, c, body]) => [httpStep('POST', pathOf(c, '/activities'), body, { ...auth, 'content-type': 'application/json' }, { resetExpected: body.kind === 'fill' })]) },
    { weight: 1, arbitrary: fc.tuple(authorization(i), conversationInPath(i), fc.constantFrom('multipart/form-data; boundary=z', 'application/json', 'image/png', '')).map(([auth, c, type]) => [httpStep('POST', pathOf(c, '/upload?userId=x'), { kind: 'text', text: '--z\r\nContent-Disposition: form-data; name="file"; filename="../../a.txt"\r\n\r\nhello\r\n--z--\r\n' }, { ...auth, ...(type ? { 'content-type': type } : {}) })]) },
    { weight: 1, arbitrary: fc.tuple(authorization(i), fc.option(hostileValue)).map(([auth, body]) => [body === null ? httpStep('POST', `${DL}/tokens/refresh`, { kind: 'none' }, auth) : jsonStep('POST', `${DL}/tokens/refresh`, body, auth)]) },
    { weight: 1, arbitrary: fc.tuple(conversationInPath(i), fc.constantFrom('OPTIONS', 'PUT', 'DELETE', 'PATCH', 'HEAD')).map(([c, method]) => [httpStep(method, pathOf(c, '/activities'), { kind: 'none' }, { origin: 'http://evil.example', 'access-control-request-method': 'POST' })]) },
    { weight: 1, arbitrary: fc.tuple(conversationInPath(i), hostileScalar).map(([c, key]) => [jsonStep('POST', ['/directline-connector/', segment(key), '/v3/conversations/', c, '/activities'], { type: 'message', text: 'spoofed bot reply' })]) },
  ),
);

/** A customer on Web Chat opens a case and keeps writing while waiting. */
const handoffOverDirectLine: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.nat(POOL * 8), fc.constantFrom(...SENSITIVE_TEXTS), fc.array(fc.constantFrom(...WAITING_TEXTS), { minLength: 1, maxLength: 3 }))
  .map(([i, opening, followUps]): HttpStep[] =>
    [opening, ...followUps].map((text) => jsonStep('POST', pathOf(new Ref('dl.conv', i), '/activities'), { type: 'message', text, from: { id: 'fuzz-web-user' } }, { authorization: new Ref('dl.auth', i) })),
  );

/** The local Direct Line REST API (conversations, activities, upload, token refresh, the bot's connector). */
export const directLineRoute: FuzzRoute = {
  name: 'directline',
  title: 'Direct Line REST /v3/directline/*',
  cases: fc.oneof({ weight: 6, arbitrary: clientCall }, { weight: 1, arbitrary: handoffOverDirectLine }),
  warmUp: [
    jsonStep('POST', pathOf(new Ref('dl.conv', 0), '/activities'), { type: 'message', text: 'where is my parcel 6A24188037153', from: { id: 'fuzz-web-user' } }, { authorization: new Ref('dl.auth', 0) }),
    httpStep('GET', pathOf(new Ref('dl.conv', 0), '/activities'), { kind: 'none' }, { authorization: new Ref('dl.auth', 0) }),
  ],
  async prepare(env: RouteEnv) {
    return (await DirectLinePool.open(env.base, POOL, 'fuzz-dl')).refs();
  },
};
