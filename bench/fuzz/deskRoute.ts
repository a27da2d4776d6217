import fc from 'fast-check';
import { openCases, setupRequest, httpStep, jsonStep, segment, type FuzzRoute, type RouteEnv } from './fuzzRoute';
import { Ref, type FuzzCase, type HttpStep, type Placeholder, type RefResolvers, type Template } from './fuzzSpec';
import { customerMessage } from './channelTemplates';
import { hostileScalar, hostileString, hostileValue, SENSITIVE_TEXTS } from './hostileValues';

/** A signed-in console session. */
interface DeskSession {
  readonly cookie: string;
  readonly csrf: string;
}

/** Signs in as the page does, from the fuzzer's own (trusted-proxy) address so that hostile sign-ins never lock it out. */
async function signIn(env: RouteEnv): Promise<DeskSession> {
  const { id, password } = env.secrets.deskAgent;
  const { status, body, headers } = await setupRequest<{ csrfToken: string }>(`${env.base}/desk/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: env.base, 'x-forwarded-for': env.secrets.deskClientIp },
    body: JSON.stringify({ id, password }),
  });
  if (status !== 200) throw new Error(`fuzz: desk sign-in answered ${status}`);
  return { cookie: (headers['set-cookie']?.[0] ?? '').split(';')[0], csrf: body.csrfToken };
}

/** `desk.cookie` / `desk.csrf`: the main session; `desk.tmpCookie` / `desk.tmpCsrf` (k): a session of its own per k, to sign out. */
function deskRefs(env: RouteEnv, main: DeskSession): RefResolvers {
  const throwaway = new Map<number, Promise<DeskSession>>();
  const tmp = (k: number): Promise<DeskSession> => {
    let s = throwaway.get(k);
    if (!s) {
      s = signIn(env);
      throwaway.set(k, s);
      if (throwaway.size > 20) throwaway.delete(throwaway.keys().next().value as number);
    }
    return s;
  };
  // A case waiting in the queue (or one of the main session's own), else any case the webhook announced; the same k
  // gives the same case for a while, so that a flow accepts, chats on and closes one case.
  const chosen = new Map<number, Promise<string>>();
  const liveCase = (k: number): Promise<string> => {
    let id = chosen.get(k);
    if (!id) {
      id = pickLiveCase(k);
      chosen.set(k, id);
      if (chosen.size > 100) chosen.delete(chosen.keys().next().value as number);
    }
    return id;
  };
  const pickLiveCase = async (k: number): Promise<string> => {
    const { body } = await setupRequest<{ queue?: Array<{ id: string }>; mine?: Array<{ id: string }> }>(`${env.base}/desk/api/queue`, { headers: { cookie: main.cookie } });
    const live = [...(body?.queue ?? []), ...(body?.mine ?? [])];
    return live.length ? live[k % live.length].id : (env.sinks.caseIds[k % Math.max(1, env.sinks.caseIds.length)] ?? 'C-ABCD');
  };
  return {
    'desk.liveCase': liveCase,
    'desk.cookie': () => main.cookie,
    'desk.csrf': () => main.csrf,
    'desk.origin': () => env.base,
    'desk.host': () => new URL(env.base).host,
    'desk.tmpCookie': async (k) => (await tmp(k)).cookie,
    'desk.tmpCsrf': async (k) => (await tmp(k)).csrf,
  };
}

const sessionHeaders = fc.constantFrom<Record<string, Template>>(
  { cookie: new Ref('desk.cookie') },
  { cookie: new Ref('desk.cookie') },
  { cookie: new Ref('desk.cookie') },
  {},
  { cookie: 'warmline_desk=0123456789abcdef' },
  { cookie: 'warmline_desk=' },
  { cookie: 'warmline_desk' },
  { cookie: `${Array.from({ length: 60 }, (_, i) => `c${i}=v`).join('; ')}; warmline_desk=x` },
  { cookie: ['warmline_desk=bad; ', new Ref('desk.cookie')] },
  { cookie: `warmline_desk=${'z'.repeat(7000)}` },
);

const csrfHeaders = fc.constantFrom<Record<string, Template>>(
  { 'x-csrf-token': new Ref('desk.csrf') },
  { 'x-csrf-token': new Ref('desk.csrf') },
  {},
  { 'x-csrf-token': '' },
  { 'x-csrf-token': 'A'.repeat(43) },
  { 'x-csrf-token': 'x'.repeat(5000) },
);

const originHeaders = fc.constantFrom<Record<string, Template>>(
  { origin: new Ref('desk.origin') },
  { origin: new Ref('desk.origin') },
  {},
  { origin: 'null' },
  { origin: 'http://evil.example' },
  { origin: 'not a url' },
  { origin: ['https://', new Ref('desk.host')] },
  { 'sec-fetch-site': 'cross-site' },
  { origin: new Ref('desk.origin'), 'sec-fetch-site': 'cross-site' },
);

type Part = string | Placeholder;

const caseIdInPath: fc.Arbitrary<Part> = fc.oneof(
  { weight: 2, arbitrary: fc.nat(50).map((k): Part => new Ref('desk.liveCase', k)) },
  { weight: 2, arbitrary: fc.nat(50).map((k): Part => new Ref('caseId', k)) },
  { weight: 1, arbitrary: fc.nat(50).map((k): Part => new Ref('caseIdLower', k)) },
  { weight: 1, arbitrary: fc.constantFrom<Part>('C-ABCD', 'C-2345', 'C-ZZZZZZZZZZZZZ', 'c-abcd') },
  { weight: 2, arbitrary: hostileScalar.map((v): Part => segment(v)) },
);

const text = fc.oneof(fc.constantFrom('Hello, I can help with that.', 'Your card is blocked; a new one is on its way.', 'ok'), hostileValue);

type ApiCall = { method: string; path: (caseId: Part) => Template; body: fc.Arbitrary<unknown> };

const API: readonly ApiCall[] = [
  { method: 'GET', path: () => '/desk/api/session', body: fc.constant(undefined) },
  { method: 'GET', path: () => '/desk/api/queue', body: fc.constant(undefined) },
  { method: 'GET', path: (c) => ['/desk/api/cases/', c], body: fc.constant(undefined) },
  { method: 'POST', path: () => '/desk/api/presence', body: fc.oneof(fc.constantFrom({ status: 'online' }, { status: 'away' }), fc.record({ status: hostileValue }), hostileValue) },
  { method: 'POST', path: (c) => ['/desk/api/cases/', c, '/accept'], body: fc.oneof(fc.constant({}), hostileValue) },
  { method: 'POST', path: (c) => ['/desk/api/cases/', c, '/messages'], body: fc.oneof(fc.record({ text }), hostileValue) },
  { method: 'POST', path: (c) => ['/desk/api/cases/', c, '/close'], body: fc.oneof(fc.constant({}), fc.record({ note: text }), hostileValue) },
  { method: 'POST', path: () => '/desk/api/nope', body: fc.constant({}) },
  { method: 'PUT', path: (c) => ['/desk/api/cases/', c], body: hostileValue },
  { method: 'DELETE', path: () => '/desk/api/session', body: fc.constant(undefined) },
];

const contentType = fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=q', '') });

/** One console API call with any mix of session, CSRF token and Origin. */
const apiCall: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.nat(API.length - 1), sessionHeaders, csrfHeaders, originHeaders, caseIdInPath, contentType)
  .chain(([n, session, csrf, origin, caseId, type]) =>
    API[n].body.map((body): FuzzCase => {
      const headers = { ...session, ...csrf, ...origin };
      if (body === undefined) return [httpStep(API[n].method, API[n].path(caseId), { kind: 'none' }, headers)];
      return [jsonStep(API[n].method, API[n].path(caseId), body, { ...headers, 'content-type': type })];
    }),
  );

const mainHeaders = { cookie: new Ref('desk.cookie'), 'x-csrf-token': new Ref('desk.csrf'), origin: new Ref('desk.origin') };

/** A customer opens a case (so that there are live ones to work), then an agent accepts a waiting case, chats (hostile lines included) and closes it. */
const caseFlow: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.nat(1_000_000), fc.array(text, { minLength: 1, maxLength: 3 }), fc.option(text), fc.nat(1_000_000))
  .map(([k, lines, note, customer]): FuzzCase => {
    const c = new Ref('desk.liveCase', k);
    const opening = { ...customerMessage('teams', SENSITIVE_TEXTS[customer % SENSITIVE_TEXTS.length], 2_000_000 + customer, 2_000_000 + customer), deliveryMode: 'expectReplies' };
    return [
      jsonStep('POST', '/api/messages', opening),
      jsonStep('POST', ['/desk/api/cases/', c, '/accept'], {}, mainHeaders),
      ...lines.map((line) => jsonStep('POST', ['/desk/api/cases/', c, '/messages'], { text: line }, mainHeaders)),
      jsonStep('POST', ['/desk/api/cases/', c, '/close'], note === null ? {} : { note }, mainHeaders),
    ];
  });

/** The live event stream, opened and dropped after a while. */
const events: fc.Arbitrary<FuzzCase> = fc
  .tuple(sessionHeaders, fc.constantFrom(0, 10, 100, 300), fc.constantFrom('text/event-stream', '*/*', ''))
  .map(([session, streamMs, accept]): FuzzCase => [httpStep('GET', '/desk/api/events', { kind: 'none' }, { ...session, ...(accept ? { accept } : {}) }, { streamMs })]);

const forwardedFor = fc.oneof(fc.constant(undefined), fc.ipV4(), fc.ipV6(), fc.constantFrom('1.2.3.4, 5.6.7.8', '[2001:db8::1]:5678', 'garbage', '', ' , ', '999.1.1.1', '127.0.0.1:99999', 'x'.repeat(5000), 'unknown'));

/** Sign-in attempts: hostile bodies and content types, the victim account with right and wrong passwords. */
const login: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.oneof(
      fc.record({ id: fc.constantFrom('ana', 'ANA ', ' ana', 'nobody', 'admin'), password: fc.constantFrom('ana-password', 'wrong', '') }),
      fc.record({ id: hostileScalar, password: hostileScalar }),
      fc.record({ id: fc.constant('ana'), password: hostileString }),
      hostileValue,
    ),
    originHeaders,
    contentType,
    forwardedFor,
  )
  .map(([body, origin, type, xff]): FuzzCase => {
    const headers = { ...origin, 'content-type': type, ...(xff !== undefined ? { 'x-forwarded-for': xff } : {}) };
    return [jsonStep('POST', '/desk/login', body, headers)];
  });

/** The page and its static files, with odd headers and paths. */
const pages: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.constantFrom('/desk', '/desk/', '/desk/static/desk.js', '/desk/static/desk.css', '/desk/static/%2e%2e/deskPassword.ts', '/desk/static/../../../package.json', '/desk//', '/desk/static/', '/desk?x=%00'), sessionHeaders, fc.constantFrom<Record<string, string>>({}, { range: 'bytes=0-10' }, { 'if-none-match': '*' }, { accept: 'application/json' }))
  .map(([path, session, extra]): FuzzCase => [httpStep('GET', path, { kind: 'none' }, { ...session, ...extra })]);

/** Sign out a session of its own (so the main one lives on). */
const logout: fc.Arbitrary<FuzzCase> = fc.nat(1_000_000).map((k): FuzzCase => {
  const headers = { cookie: new Ref('desk.tmpCookie', k), 'x-csrf-token': new Ref('desk.tmpCsrf', k), origin: new Ref('desk.origin') };
  const steps: HttpStep[] = [httpStep('POST', '/desk/api/logout', { kind: 'none' }, headers), httpStep('GET', '/desk/api/session', { kind: 'none' }, headers)];
  return steps;
});

/** The web agent console: page, sign-in, API (with and without session, CSRF, Origin), the event stream. */
export const deskRoute: FuzzRoute = {
  name: 'desk',
  title: '/desk console (page, login, API, SSE)',
  cases: fc.oneof(
    { weight: 8, arbitrary: apiCall },
    { weight: 2, arbitrary: caseFlow },
    { weight: 2, arbitrary: events },
    { weight: 3, arbitrary: login },
    { weight: 1, arbitrary: pages },
    { weight: 1, arbitrary: logout },
  ),
  warmUp: [httpStep('GET', '/desk', { kind: 'none' }), httpStep('GET', '/desk/api/queue', { kind: 'none' }, mainHeaders), httpStep('GET', '/desk/api/events', { kind: 'none' }, mainHeaders, { streamMs: 20 })],
  async prepare(env) {
    await openCases(env, 3);
    return deskRefs(env, await signIn(env));
  },
};
