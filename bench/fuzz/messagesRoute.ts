import fc from 'fast-check';
import { applyMutations, mutations } from './activityMutations';
import { agentMessage, customerActivity, customerMessage, type ChannelKind, type OtherActivityType } from './channelTemplates';
import { httpStep, jsonStep, type FuzzRoute } from './fuzzRoute';
import { Join, Ref, type FuzzCase, type FuzzStep, type HttpStep } from './fuzzSpec';
import { deepValue, hostileValue, SENSITIVE_TEXTS, TRACKING_TEXTS, WAITING_TEXTS } from './hostileValues';

const PATH = '/api/messages';
const MAX_BODY = 262_144;

const channel = fc.constantFrom<ChannelKind>('teams', 'slack', 'directline', 'webchat');
const conversation = fc.nat(400);
const customerText = fc.constantFrom(...TRACKING_TEXTS, ...WAITING_TEXTS, ...SENSITIVE_TEXTS);

const post = (body: unknown, headers: Record<string, string> = {}): HttpStep => jsonStep('POST', PATH, body, headers);

/** A realistic activity of any type, mutated in one to four places. */
const mutatedActivity: fc.Arbitrary<FuzzCase> = fc
  .record({
    kind: channel,
    type: fc.constantFrom<'message' | OtherActivityType>('message', 'message', 'message', 'conversationUpdate', 'invoke', 'messageReaction', 'event', 'typing', 'endOfConversation', 'installationUpdate'),
    text: customerText,
    conversation,
    mutations,
    expectReplies: fc.boolean(),
  })
  .map(({ kind, type, text, conversation: c, mutations: list, expectReplies }) => {
    const base = type === 'message' ? customerMessage(kind, text, c, c) : customerActivity(kind, type, c, c);
    return [post(applyMutations(expectReplies ? { ...base, deliveryMode: 'expectReplies' } : base, list))];
  });

/** A sensitive message opens a case; the customer then writes while waiting (some writes mutated). */
const handoffConversation: fc.Arbitrary<FuzzCase> = fc
  .record({
    kind: channel,
    opening: fc.constantFrom(...SENSITIVE_TEXTS),
    conversation: fc.nat(1_000_000),
    followUps: fc.array(fc.record({ text: fc.constantFrom(...WAITING_TEXTS, ...SENSITIVE_TEXTS), mutate: fc.option(mutations, { freq: 3 }) }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ kind, opening, conversation: c, followUps }) => {
    const id = 1000 + c;
    const steps: FuzzStep[] = [post(customerMessage(kind, opening, id, id))];
    for (const f of followUps) {
      const message = customerMessage(kind, f.text, id, id);
      steps.push(post(f.mutate ? applyMutations(message, f.mutate) : message));
    }
    return steps;
  });

/** The Teams or Slack agent goes online, works real cases (commands, the Accept button, chat), some messages mutated. */
const agentSession: fc.Arbitrary<FuzzCase> = fc
  .record({
    kind: fc.constantFrom<'teams' | 'slack'>('teams', 'slack'),
    pick: fc.nat(50),
    commands: fc.array(fc.constantFrom('queue', 'accept', 'prendre', 'button', 'chat', 'close', 'close: resolved', '/close thanks', 'away', 'help', 'file', 'fermer'), { minLength: 1, maxLength: 4 }),
    mutate: fc.option(fc.tuple(fc.nat(4), mutations), { freq: 3 }),
  })
  .map(({ kind, pick, commands, mutate }) => {
    const caseId = new Ref('caseId', pick);
    const bodies = [
      agentMessage(kind, 'online'),
      ...commands.map((c) => {
        if (c === 'accept' || c === 'prendre') return agentMessage(kind, new Join([c, ' ', caseId]));
        if (c === 'button') return agentMessage(kind, '', { warmline: 'accept', caseId });
        if (c === 'chat') return agentMessage(kind, 'Hello, I am looking at your case now.');
        return agentMessage(kind, c);
      }),
    ];
    return bodies.map((b, i) => post(mutate && mutate[0] % bodies.length === i ? applyMutations(b, mutate[1]) : b));
  });

/** Whole bodies that are not activities, or not JSON, or not sent as JSON. */
const hostileBody: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => [post(v)]),
  hostileValue.map((v) => [post({ type: 'message', text: 'hi', channelId: 'msteams', serviceUrl: new Ref('sink'), conversation: v, from: v, recipient: v })]),
  deepValue.map((v) => [post({ ...customerMessage('teams', 'deep', 7, 7), channelData: v })]),
  deepValue.map((v) => [post(v)]),
  fc.constantFrom('{"type":', '{"type":"message"', 'nul', '\ufeff{"type":"message"}', '{"type":"message"} trailing', "{'type':'message'}", '{"type":NaN}', '{"type":"message",}', '[]', '""', '0', 'null', '{"type":"message"}\u0000', '{"__proto__":{"type":"message"},"type":"message"}').map((text) => [httpStep('POST', PATH, { kind: 'text', text }, { 'content-type': 'application/json' })]),
  fc
    .tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json-patch+json', 'APPLICATION/JSON', 'application/jsonx', 'application/xml', '', 'application/vnd.api+json'), customerText)
    .map(([type, text]) => [httpStep('POST', PATH, { kind: 'json', value: customerMessage('teams', text, 3, 3) }, type ? { 'content-type': type } : {})]),
  fc.constantFrom(MAX_BODY + 1, MAX_BODY * 2, MAX_BODY * 5).map((bytes) => [httpStep('POST', PATH, { kind: 'fill', bytes, unit: 'a' }, { 'content-type': 'application/json' }, { resetExpected: bytes > MAX_BODY * 4 })]),
  fc.constantFrom<'chunked' | 'short-length'>('chunked', 'short-length').map((framing) => [httpStep('POST', PATH, { kind: 'json', value: customerMessage('slack', 'where is my parcel', 5, 5) }, { 'content-type': 'application/json' }, { framing })]),
  fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD').map((method) => [httpStep(method, PATH, { kind: 'none' })]),
);

/** Realistic activities with Authorization headers an anonymous bot should refuse or ignore cleanly. */
const authHeaders: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.constantFrom(
      'Bearer garbage',
      'Bearer ',
      'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhdWQiOiJ4In0.',
      'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIiwiYXVkIjoiIiwiZXhwIjo5OTk5OTk5OTk5fQ.c2ln',
      'Basic dXNlcjpwYXNz',
      'bearer x y z',
      `Bearer ${'A'.repeat(8000)}`,
    ),
    channel,
    customerText,
  )
  .map(([authorization, kind, text]) => [post(customerMessage(kind, text, 9, 9), { authorization })]);

/** `POST /api/messages`: hostile activities on every channel, handoff conversations, agents, bodies, auth headers. */
export const messagesRoute: FuzzRoute = {
  name: 'messages',
  title: 'POST /api/messages',
  cases: fc.oneof(
    { weight: 8, arbitrary: mutatedActivity },
    { weight: 3, arbitrary: handoffConversation },
    { weight: 2, arbitrary: agentSession },
    { weight: 3, arbitrary: hostileBody },
    { weight: 1, arbitrary: authHeaders },
  ),
  warmUp: [
    post(customerMessage('teams', 'where is my parcel 1Z4E29W70374856127', 0, 0)),
    post(customerMessage('slack', SENSITIVE_TEXTS[0], 1, 1)),
    post(customerMessage('directline', 'are you still there?', 1, 1)),
    post(agentMessage('teams', 'online')),
  ],
  async prepare(env) {
    return {
      'agent.teams': () => env.secrets.teamsAgentId,
      'agent.slack': () => env.secrets.slackAgentId,
    };
  },
};
