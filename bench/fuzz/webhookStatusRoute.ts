import fc from 'fast-check';
import { httpStep, openCases, type FuzzRoute } from './fuzzRoute';
import { Ref, type BodySpec, type FuzzCase, type HttpStep } from './fuzzSpec';
import { deepValue, hostileScalar, hostileString, hostileValue } from './hostileValues';

const PATH = '/api/hub/status';
const MAX_BODY = 262_144;
const SECRET = new Ref('webhook.secret');

const states = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('accepted', 'completed', 'failed', 'timedOut', 'transferBack', 'ACCEPTED', 'timed_out', 'transfer-back', ' completed ') },
  { weight: 1, arbitrary: hostileScalar },
);

const caseId = fc.oneof(
  { weight: 4, arbitrary: fc.nat(50).map((k) => new Ref('caseId', k)) },
  { weight: 1, arbitrary: fc.nat(50).map((k) => new Ref('caseIdLower', k)) },
  { weight: 1, arbitrary: fc.constantFrom('C-ABCD', 'C-2345') },
  { weight: 1, arbitrary: hostileScalar },
);

const agent = fc.oneof(
  fc.constant(undefined),
  fc.record({ id: fc.constantFrom('hub-agent-1', 'crm:42'), name: fc.constantFrom('Chris', 'Ana') }),
  fc.record({ id: hostileScalar, name: hostileScalar }),
  hostileValue,
);

/** A status body: valid ones on real cases, and everything around them. */
const statusBody: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ caseId, state: states, message: fc.option(fc.oneof(fc.constantFrom('An agent joined.', 'Resolved by phone.'), hostileString)), agent }).map((value): BodySpec => ({ kind: 'json', value })) },
  { weight: 2, arbitrary: hostileValue.map((value): BodySpec => ({ kind: 'json', value })) },
  { weight: 1, arbitrary: deepValue.map((value): BodySpec => ({ kind: 'json', value: { caseId: 'C-ABCD', state: 'accepted', agent: value } })) },
  { weight: 1, arbitrary: fc.constantFrom('{"caseId":', 'not json', '\ufeff{"caseId":"C-ABCD","state":"accepted"}', '').map((text): BodySpec => ({ kind: 'text', text })) },
  { weight: 1, arbitrary: fc.constantFrom(MAX_BODY + 1, MAX_BODY * 5).map((bytes): BodySpec => ({ kind: 'fill', bytes, unit: ' ' })) },
);

/** How the request is signed: validly (now, or inside the window), stale, future, for other bytes, or broken headers. */
const signing = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, -60, 120).map((offsetSeconds) => ({ sign: { secret: SECRET, offsetSeconds } })) },
  { weight: 1, arbitrary: fc.constantFrom(-301, -86_400, 301, 10 ** 9).map((offsetSeconds) => ({ sign: { secret: SECRET, offsetSeconds } })) },
  { weight: 1, arbitrary: fc.constant({ sign: { secret: SECRET, offsetSeconds: 0, signOther: true } }) },
  { weight: 1, arbitrary: fc.constant({ sign: { secret: 'a-different-secret-of-32-characters!', offsetSeconds: 0 } }) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        signature: fc.option(fc.constantFrom('v1=', 'v1=00', `v1=${'0'.repeat(64)}`, `v0=${'a'.repeat(64)}`, `v1=${'g'.repeat(64)}`, `${'v1=ab,'.repeat(500)}`, 'garbage', '')),
        timestamp: fc.option(fc.constantFrom('abc', '-1', '1e10', '9'.repeat(13), '0', '', ' 1700000000', String(Math.floor(Date.now() / 1000)))),
      })
      .map(({ signature, timestamp }) => ({
        headers: { ...(signature !== null ? { 'x-warmline-signature': signature } : {}), ...(timestamp !== null ? { 'x-warmline-timestamp': timestamp } : {}) },
      })),
  },
);

const contentType = fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data; boundary=q', '') });

/** One status, sometimes sent twice (a replay). */
const statusCase: fc.Arbitrary<FuzzCase> = fc.tuple(statusBody, signing, contentType, fc.boolean(), fc.nat(9)).map(([body, how, type, replay, n]): FuzzCase => {
  const headers = { ...('headers' in how ? how.headers : {}), ...(type ? { 'content-type': type } : {}) };
  const step: HttpStep = httpStep('POST', PATH, body, headers, { ...('sign' in how ? { sign: how.sign } : {}), resetExpected: body.kind === 'fill' && body.bytes > MAX_BODY * 4 });
  return replay && n < 3 ? [step, step] : [step];
});

/** The signed webhook status route (`WEBHOOK_STATUS_PATH`). */
export const webhookStatusRoute: FuzzRoute = {
  name: 'webhook',
  title: `POST ${PATH} (signed webhook status)`,
  cases: fc.oneof(
    { weight: 12, arbitrary: statusCase },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE').map((method): FuzzCase => [httpStep(method, PATH, { kind: 'none' })]) },
  ),
  warmUp: [httpStep('POST', PATH, { kind: 'json', value: { caseId: 'C-ABCD', state: 'accepted' } }, { 'content-type': 'application/json' }, { sign: { secret: SECRET, offsetSeconds: 0 } })],
  async prepare(env) {
    await openCases(env, 3);
    return { 'webhook.secret': () => env.secrets.webhookSecret };
  },
};
