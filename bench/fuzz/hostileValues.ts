import fc from 'fast-check';
import { Deep, Huge } from './fuzzSpec';

/** Messages that open a handoff case at once (fraud, bereavement, distress, "a human"), English and French. */
export const SENSITIVE_TEXTS = [
  "someone stole my card and made payments I don't recognise",
  'My husband passed away last week and the parcel was for him',
  'I want to talk to a human now',
  'je veux parler à un conseiller',
  "quelqu'un a utilisé ma carte bancaire sans mon accord, c'est une fraude",
  "I lost my job and I can't cope anymore, I can't pay the rent",
] as const;

/** What a customer writes while waiting for an agent (answers to offers, contact details, card numbers). */
export const WAITING_TEXTS = [
  'are you still there?',
  'cancel',
  'annuler',
  'yes',
  'no',
  '1',
  '5',
  'phone',
  'email',
  'here in the chat',
  '+33 6 12 34 56 78',
  'jane.doe@example.com',
  'my card is 4111 1111 1111 1111 and 5500-0000-0000-0004',
  'IBAN FR76 3000 6000 0112 3456 7890 189',
  'close',
  'accept C-ABCD',
] as const;

/** Ordinary customer messages (tracking). */
export const TRACKING_TEXTS = ['where is my parcel 1Z4E29W70374856127', '6A24188037153', 'où est mon colis ?', '1Z999AA10123456784', 'hello', "I don't have it"] as const;

/** Strings that have broken parsers, templates and redactors elsewhere. */
export const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../../etc/passwd',
  '%2e%2e%2f',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  'javascript:alert(1)',
  '\u202egnp.exe',
  '\u200b\u200d\ufeff',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'null',
  'undefined',
  'NaN',
  '1e999',
  '-0',
  '\r\n\r\nHTTP/1.1 200 OK',
  'C-ABCD',
  'c-2345',
  '*[]()_~`>#+-=|{}.!',
] as const;

/** Big texts: runs a redactor or a regex may handle badly, sized up to the body limit. */
export const hugeText = (maxLength = 262_000): fc.Arbitrary<Huge> =>
  fc
    .tuple(
      fc.constantFrom(4001, 4097, 16_385, 65_537, 200_000, 261_000),
      fc.constantFrom('a', '4', '1 ', '4111111111111111 ', '4111 1111 1111 1111 ', 'é', '😀', 'FR76 3000 ', 'a@b.c ', '+33 6 ', '\\', '"', ' '),
    )
    .map(([length, unit]) => new Huge(Math.min(length, maxLength), unit));

/** Deeply nested JSON (arrays up to 100,000 deep fit in the default body limit). */
export const deepValue: fc.Arbitrary<Deep> = fc.oneof(
  fc.constantFrom(64, 1000, 10_000, 100_000).map((d) => new Deep(d, 'array')),
  fc.constantFrom(64, 1000, 10_000, 40_000).map((d) => new Deep(d, 'object')),
);

/** Any odd string, including big ones. */
export const hostileString: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: hugeText() },
);

/** Scalars of every JSON type, edge values first. */
export const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, -1, 1, 1e308, -1e308, 2 ** 53 + 1, 0.1, -0),
  fc.integer(),
  hostileString,
);

/** Any hostile JSON value: wrong types, nulls in arrays, prototype keys, deep nesting, huge strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constant(null), hostileScalar, fc.constant({})), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant([null]) },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'type', 'text', '', '$ref', 'toJSON'), hostileScalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/**
 * Odd `serviceUrl`s: numbers, non-URLs, other schemes. Reachable-looking URLs that refuse connections are left out on
 * purpose: botbuilder's connector retries each send for seconds (by design), so they would only measure its retry policy.
 */
export const oddServiceUrl: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, 1, -1, 8080, 1e21, true, null, [], {}, ['not a url'], ''),
  fc.constantFrom('not a url', 'http://', 'http:///', '//127.0.0.1/', 'ftp://127.0.0.1/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:,x', 'http://[::1', 'http://127.0.0.1:99999/', 'http://a b/'),
  hugeText(10_000),
);

/** Channel ids real and odd. */
export const oddChannelId: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('msteams', 'slack', 'directline', 'webchat', 'emulator', 'test', 'facebook', 'MSTEAMS', 'Slack', ' msteams', 'msteams\u0000', 'console', 'hub:webhook'),
  hostileScalar,
);

/** Timestamps valid and not. */
export const oddTimestamp: fc.Arbitrary<unknown> = fc.constantFrom(
  'yesterday',
  '2024-13-45T99:99:99Z',
  '0000-00-00T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '1970-01-01T00:00:00Z',
  '2024-02-30T10:00:00+25:00',
  0,
  -1,
  1e20,
  '',
  null,
  {},
  [],
);

/** Activity types, real and not. */
export const oddType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('message', 'invoke', 'conversationUpdate', 'messageReaction', 'installationUpdate', 'event', 'typing', 'endOfConversation', 'handoff', 'trace', 'delay', 'command', 'messageUpdate', 'messageDelete'),
  fc.constantFrom('MESSAGE', ' message', 'message\u0000', ' ', '__proto__', 'constructor', 'toString'),
  hostileScalar,
);
