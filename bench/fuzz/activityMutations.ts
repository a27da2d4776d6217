import fc from 'fast-check';
import { Placeholder } from './fuzzSpec';
import { hostileScalar, hostileValue, hugeText, oddChannelId, oddServiceUrl, oddTimestamp, oddType, SENSITIVE_TEXTS } from './hostileValues';

/** One change to a realistic activity. `pick` chooses among the activity's own paths (modulo their number). */
export type Mutation =
  | { readonly op: 'set'; readonly pick: number; readonly value: unknown }
  | { readonly op: 'delete'; readonly pick: number }
  | { readonly op: 'add'; readonly pick: number; readonly key: string; readonly value: unknown }
  | { readonly op: 'known'; readonly path: readonly string[]; readonly value: unknown };

type Json = Record<string, unknown>;

const known = (path: string[], value: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> => value.map((v) => ({ op: 'known' as const, path, value: v }));

/** Hostile values for the fields channels and the SDK read first. */
const knownFieldMutation: fc.Arbitrary<Mutation> = fc.oneof(
  known(['serviceUrl'], oddServiceUrl),
  known(['channelId'], oddChannelId),
  known(['timestamp'], oddTimestamp),
  known(['localTimestamp'], oddTimestamp),
  known(['type'], oddType),
  known(['text'], fc.oneof(hostileValue, hugeText(), fc.constantFrom(...SENSITIVE_TEXTS))),
  known(['locale'], fc.oneof(fc.constantFrom('', 'fr', 'FR-fr', 'xx-YY', 'en-US-u-ca-buddhist', 'zh-Hant-TW', 'fr-FR\u0000', 'en_US', '../..'), hostileScalar)),
  known(['localTimezone'], fc.oneof(fc.constantFrom('Mars/Olympus_Mons', 'UTC', '+25:00', 'Europe/Paris\u0000', ''), hostileScalar)),
  known(['entities'], fc.oneof(fc.constant([null]), fc.constant([null, { type: 'clientInfo' }]), fc.constant([{ type: null }]), fc.constant([{ type: 'clientInfo', locale: null, timezone: 42 }]), fc.constant([{ type: 'mention', mentioned: null, text: null }]), hostileValue)),
  known(['entities', '0'], hostileValue),
  known(['attachments'], fc.oneof(fc.constant([null]), fc.constant([{ contentType: null }]), fc.constant([{ contentType: 'application/vnd.microsoft.card.adaptive', content: null }]), fc.constant([{ name: '../../x.exe', contentType: 'application/pdf', contentUrl: 'file:///etc/passwd' }]), hostileValue)),
  known(['from'], hostileValue),
  known(['from', 'id'], hostileValue),
  known(['from', 'name'], hostileValue),
  known(['from', 'aadObjectId'], hostileValue),
  known(['conversation'], hostileValue),
  known(['conversation', 'id'], fc.oneof(hostileValue, fc.constantFrom('a/b', '../x', 'x%2Fy', 'x?y#z', 'x'.repeat(2000)))),
  known(['conversation', 'tenantId'], hostileValue),
  known(['recipient'], hostileValue),
  known(['value'], hostileValue),
  known(['value'], fc.constantFrom({ warmline: 'accept', caseId: null }, { warmline: 'accept', caseId: 42 }, { warmline: 'accept', caseId: 'C-ZZZZ' }, { warmline: ['accept'] })),
  known(['channelData'], hostileValue),
  known(['channelData', 'tenant'], hostileValue),
  known(['channelData', 'SlackMessage'], hostileValue),
  known(['channelData', 'Payload'], fc.constantFrom({ type: 'block_actions', actions: [null] }, { type: 'block_actions', actions: [{ action_id: 'warmline_accept', value: null }] }, { type: 'block_actions', actions: 'x' })),
  known(['channelData', 'ApiToken'], hostileValue),
  known(['membersAdded'], fc.oneof(fc.constant([null]), fc.constant([{}]), fc.constant([{ id: null }]), hostileValue)),
  known(['membersRemoved'], fc.oneof(fc.constant([null]), hostileValue)),
  known(['deliveryMode'], fc.oneof(fc.constantFrom('expectReplies', 'normal', 'notification', 'ephemeral', 'bogus'), hostileScalar)),
  known(['id'], hostileValue),
  known(['replyToId'], hostileValue),
  known(['name'], fc.oneof(fc.constantFrom('handoff.status', 'adaptiveCard/action', 'task/fetch', 'signin/verifyState', 'webchat/join'), hostileScalar)),
  known(['textFormat'], hostileScalar),
  known(['callerId'], hostileScalar),
  known(['relatesTo'], hostileValue),
  known(['semanticAction'], hostileValue),
);

/** 1 to 4 mutations: mostly on well-known fields, some on any path of the activity. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: knownFieldMutation },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: hostileValue }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('add' as const), pick: fc.nat(), key: fc.constantFrom('__proto__', 'constructor', 'toJSON', 'valueOf', 'x'), value: hostileValue }),
    },
  ),
  { minLength: 1, maxLength: 4 },
);

const notes = new WeakMap<object, string>();
const origins = new WeakMap<object, { readonly base: Json; readonly list: readonly Mutation[] }>();

/** What {@link applyMutations} changed in this activity (e.g. `set timestamp = "yesterday"; delete serviceUrl`). */
export function mutationNotes(activity: unknown): string | undefined {
  return activity && typeof activity === 'object' ? notes.get(activity) : undefined;
}

/** Applies mutations to a copy of `base` (placeholders kept as they are); {@link mutationNotes} tells what changed. */
export function applyMutations(base: Json, list: readonly Mutation[]): Json {
  const out = clone(base) as Json;
  const done: string[] = [];
  // Values are copied in: fast-check hands out the same instance of a constant to every case.
  for (const original of list) {
    const m = 'value' in original ? { ...original, value: clone(original.value) } : original;
    if (m.op === 'known') {
      setPath(out, m.path, m.value);
      done.push(`set ${m.path.join('.')} = ${describe(m.value)}`);
      continue;
    }
    const paths = pathsOf(out);
    if (!paths.length) continue;
    const path = paths[m.pick % paths.length];
    if (m.op === 'set') {
      setPath(out, path, m.value);
      done.push(`set ${path.join('.')} = ${describe(m.value)}`);
    } else if (m.op === 'delete') {
      deletePath(out, path);
      done.push(`delete ${path.join('.')}`);
    } else {
      const parent = getPath(out, path);
      // Only on objects: JSON drops named keys of arrays, so the change would never reach the server.
      const target = parent && typeof parent === 'object' && !Array.isArray(parent) && !(parent instanceof Placeholder) ? (parent as Json) : out;
      defineOwn(target, m.key, m.value);
      done.push(`add ${target === out ? '' : `${path.join('.')}.`}${m.key} = ${describe(m.value)}`);
    }
  }
  notes.set(out, done.join('; '));
  origins.set(out, { base, list });
  return out;
}

/**
 * The same activity with each of its mutations alone (to find which one matters); undefined when not mutated. Each
 * gets an activity id of its own (unless the mutation sets one), so the server's duplicate-activity check lets it in.
 */
export function singleMutations(activity: unknown): Json[] | undefined {
  const origin = activity && typeof activity === 'object' ? origins.get(activity) : undefined;
  if (!origin || origin.list.length < 2) return undefined;
  return origin.list.map((m, i) => applyMutations({ ...origin.base, id: `${String(origin.base.id ?? 'fuzz')}~only${i}` }, [m]));
}

function describe(value: unknown): string {
  if (value instanceof Placeholder) return value.describe();
  const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Placeholder ? v.describe() : v)) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => clone(value[i]));
  if (value && typeof value === 'object' && !(value instanceof Placeholder)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) defineOwn(out, k, clone(v));
    return out;
  }
  return value;
}

// An own property even for "__proto__", as JSON.parse would make it.
function defineOwn(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function pathsOf(value: unknown, prefix: string[] = [], depth = 0, out: string[][] = []): string[][] {
  if (depth > 6 || !value || typeof value !== 'object' || value instanceof Placeholder) return out;
  for (const [k, v] of Object.entries(value)) {
    const path = [...prefix, k];
    out.push(path);
    pathsOf(v, path, depth + 1, out);
  }
  return out;
}

function getPath(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!node || typeof node !== 'object' || node instanceof Placeholder) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function setPath(root: Json, path: readonly string[], value: unknown): void {
  let node: Json = root;
  for (const key of path.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    if (!next || typeof next !== 'object' || next instanceof Placeholder) defineOwn(node, key, {});
    node = node[key] as Json;
  }
  defineOwn(node, path[path.length - 1], value);
}

function deletePath(root: Json, path: readonly string[]): void {
  const parent = getPath(root, path.slice(0, -1));
  if (Array.isArray(parent)) {
    // By hand, not splice: an array given an own "constructor" by an earlier mutation breaks species-aware methods.
    const at = Number(path[path.length - 1]);
    for (let i = at; i < parent.length - 1; i++) parent[i] = parent[i + 1];
    if (at < parent.length) parent.length -= 1;
  }
  else if (parent && typeof parent === 'object') delete (parent as Json)[path[path.length - 1]];
}
