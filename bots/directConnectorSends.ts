// Replies and proactive messages sent straight over HTTP, with the SDK's own request body, headers and credentials,
// instead of through the connector client's generic Azure request pipeline (about half of an echo bot's CPU per turn).
// Anything but a plain success is handed back to the SDK client, so errors, retries and redirects stay the SDK's.
import * as http from 'node:http';
import * as https from 'node:https';
import { randomUUID } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { ConnectorClient } from 'botframework-connector';
import type { Activity, ResourceResponse } from 'botbuilder';
import { createSerializer, type CompositeMapper, type Serializer } from '@azure/core-client';
import type { Logger } from './logger';

type Conversations = ConnectorClient['conversations'];
type ReplyToActivity = Conversations['replyToActivity'];
type SendToConversation = Conversations['sendToConversation'];
/** An SDK operation called with the caller's own arguments (overloads with options or a callback included). */
type SdkCall = (...args: unknown[]) => Promise<unknown>;

/** The SDK's Activity mapper and a serializer for it, loaded once; undefined when this SDK version lays them out differently. */
interface Wire {
  serializer: Serializer;
  activity: CompositeMapper;
}

let wire: Wire | null | undefined;

function loadWire(): Wire | undefined {
  if (wire !== undefined) return wire ?? undefined;
  try {
    // The connector's own generated mappers: the body is serialized exactly as its ConnectorClient does it
    // (unknown properties dropped, dates as ISO strings). Not part of the package's documented surface, hence the guard.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mappers = require('botframework-connector/lib/connectorApi/models/mappers') as Record<string, CompositeMapper>;
    const activity = mappers.Activity;
    if (!activity || activity.type?.name !== 'Composite') throw new Error('no Activity mapper');
    wire = { serializer: createSerializer(mappers, false), activity };
  } catch {
    wire = null;
  }
  return wire ?? undefined;
}

// Options of the SDK client that change how it sends (proxy, custom HTTP client, retry or redirect settings, ...):
// a client created with any of them keeps the SDK's pipeline for everything.
const PLAIN_OPTIONS = new Set(['baseUri', 'userAgent', 'requestPolicyFactories']);
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Options of {@link withDirectSends}. */
export interface DirectSendsOptions {
  /** Environment read for proxy variables (default `process.env`): with a proxy configured, the SDK's pipeline is kept. */
  readonly env?: NodeJS.ProcessEnv;
  /** Reports when a send fell back to the SDK client (debug level; ids and status only). */
  readonly logger?: Logger;
}

/** Why {@link withDirectSends} left a client as it was, or `undefined` when it can send directly. */
export function directSendsUnavailable(client: ConnectorClient, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!loadWire()) return 'this botframework-connector version has no Activity mapper where expected';
  const proxy = PROXY_VARIABLES.find((name) => env[name]);
  if (proxy) return `${proxy} is set (the SDK client applies proxy settings)`;
  const inner = client as unknown as { options?: Record<string, unknown>; baseUri?: string; credentials?: unknown };
  const options = inner.options ?? {};
  const custom = Object.keys(options).filter((k) => options[k] !== undefined && !PLAIN_OPTIONS.has(k));
  if (custom.length) return `the client has custom options (${custom.join(', ')})`;
  const policies = options.requestPolicyFactories;
  if (policies !== undefined && !(Array.isArray(policies) && policies.length <= 1)) return 'the client has custom request policies';
  if (typeof inner.baseUri !== 'string' || !/^https?:\/\//i.test(inner.baseUri)) return 'the service URL is not http(s)';
  const credentials = inner.credentials as { signRequest?: unknown } | undefined;
  if (!credentials || typeof credentials.signRequest !== 'function') return 'the client has no credentials that sign requests';
  return undefined;
}

/** What the SDK's pipeline would do with a response the direct path does not accept as plain success. */
class HandBack extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs = 0,
  ) {
    super(reason);
  }
}

interface Sent {
  status: number;
  body: ResourceResponse;
}

/**
 * Makes `client.conversations.replyToActivity` and `sendToConversation` (every reply and proactive message a
 * CloudAdapter sends) go straight over HTTP(S), and returns the same client.
 *
 * @remarks What is sent is what the SDK client sends: the body serialized with the connector's own `Activity` mapper,
 * the URL built as its operation spec builds it, its user agent, `x-ms-conversation-id`, `accept: *\/*`, a client
 * request id, and the `Authorization` header its credentials sign (tokens come from the same credentials and their
 * cache). Only the generic Azure request pipeline around it is skipped: serialization policies, tracing spans,
 * logging policy, compat layers. Keep-alive connections are shared per protocol.
 *
 * Anything but a 2xx answer with a JSON (or empty) body is handed to the SDK client, which sends the activity again
 * with its own retry, redirect and error semantics, so callers see exactly the SDK's errors (e.g. a `RestError` with
 * `statusCode` 403). A 429 or 503 with `Retry-After` is waited out first, as the SDK's throttling retry would.
 * A network failure is handed back too. In both cases the channel may therefore see one attempt more than the SDK
 * alone would make; it never sees a duplicate of an activity it acknowledged with 2xx.
 *
 * The client is left untouched (and uses its pipeline for everything) when it was created with options that change
 * how it sends (a proxy in `options` or in `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`, a custom HTTP client, retry or
 * redirect settings), when a call passes options or a callback, or when this version of botframework-connector does
 * not lay out its mappers as expected. Results are the parsed response body (e.g. `{ id }`); unlike the SDK's, they
 * carry no `_response`, which botbuilder never reads.
 */
export function withDirectSends(client: ConnectorClient, options: DirectSendsOptions = {}): ConnectorClient {
  if (directSendsUnavailable(client, options.env ?? process.env)) return client;
  const { serializer, activity: activityMapper } = loadWire()!;
  const inner = client as unknown as {
    baseUri: string;
    credentials: { signRequest(resource: unknown): Promise<unknown> };
    options: { userAgent?: string };
  };
  const conversations = client.conversations;
  const sdkReply = conversations.replyToActivity.bind(conversations) as unknown as SdkCall;
  const sdkSend = conversations.sendToConversation.bind(conversations) as unknown as SdkCall;
  const userAgent = `${inner.options.userAgent ?? ''} warmline-direct Node/${process.versions.node} (${process.platform}; ${process.arch})`;
  const logger = options.logger;

  const urlFor = (conversationId: string, activityId?: string): URL => {
    // As @azure/core-client builds it: path parameters with encodeURIComponent, appended to the service URL's path.
    const url = new URL(inner.baseUri);
    const base = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    const path = `v3/conversations/${encodeURIComponent(conversationId)}/activities${activityId === undefined ? '' : `/${encodeURIComponent(activityId)}`}`;
    Object.assign(url, { pathname: base + path });
    return url;
  };

  const send = async (conversationId: string, activityId: string | undefined, activity: Partial<Activity>): Promise<ResourceResponse> => {
    // Nothing has been sent until `post`: a failure before it (an activity the mapper rejects, credentials that cannot
    // get a token) is handed to the SDK client, which then fails, or retries, in its own way.
    let body: string;
    try {
      body = JSON.stringify(serializer.serialize(activityMapper, activity, 'activity'));
    } catch {
      throw new HandBack('activity not serializable');
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      accept: '*/*',
      'accept-encoding': 'gzip,deflate',
      'user-agent': userAgent,
      'x-ms-client-request-id': randomUUID(),
    };
    if (activityId !== undefined) headers['x-ms-conversation-id'] = conversationId;
    // The credentials' own signing: a bearer token from their cache (refreshed as the SDK refreshes it), or nothing
    // for an anonymous bot.
    const signed: Record<string, string> = {};
    const headerBag = {
      set: (name: string, value: string) => void (signed[name.toLowerCase()] = String(value)),
      get: (name: string) => signed[name.toLowerCase()],
      contains: (name: string) => name.toLowerCase() in signed,
    };
    try {
      await inner.credentials.signRequest({ url: '', method: 'POST', headers: headerBag });
    } catch {
      throw new HandBack('credentials could not sign');
    }
    Object.assign(headers, signed);
    const url = urlFor(conversationId, activityId);
    const sent = await post(url, headers, body);
    return sent.body;
  };

  const direct = (sdk: SdkCall, conversationId: unknown, activityId: string | undefined, activity: unknown, rest: unknown[]) => {
    if (rest.some((a) => a !== undefined) || typeof conversationId !== 'string' || !activity || typeof activity !== 'object') {
      return sdk(...(activityId === undefined ? [conversationId, activity, ...rest] : [conversationId, activityId, activity, ...rest]));
    }
    const again = () => sdk(...(activityId === undefined ? [conversationId, activity] : [conversationId, activityId, activity]));
    return send(conversationId, activityId, activity as Partial<Activity>).catch(async (err: unknown) => {
      if (!(err instanceof HandBack)) throw err; // a 2xx with an unreadable body: delivered, so not sent again
      logger?.debug('connector.direct_send_handed_back', { reason: err.reason, retryAfterMs: err.retryAfterMs || undefined });
      if (err.retryAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, err.retryAfterMs));
      return again();
    });
  };

  conversations.replyToActivity = ((conversationId: unknown, activityId: unknown, activity: unknown, ...rest: unknown[]) =>
    typeof activityId === 'string'
      ? direct(sdkReply, conversationId, activityId, activity, rest)
      : sdkReply(conversationId, activityId, activity, ...rest)) as ReplyToActivity;
  conversations.sendToConversation = ((conversationId: unknown, activity: unknown, ...rest: unknown[]) =>
    direct(sdkSend, conversationId, undefined, activity, rest)) as SendToConversation;
  return client;
}

/** Longest Retry-After waited before handing a throttled send to the SDK (which then applies its own policy). */
const MAX_RETRY_AFTER_MS = 60_000;

function retryAfterMs(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return 0;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : 0;
}

function decode(raw: Buffer, encoding: string | undefined): string {
  if (!encoding || encoding === 'identity') return raw.toString('utf8');
  if (encoding === 'gzip') return zlib.gunzipSync(raw).toString('utf8');
  if (encoding === 'deflate') return zlib.inflateSync(raw).toString('utf8');
  throw new Error(`unsupported content-encoding ${encoding}`);
}

function post(url: URL, headers: Record<string, string>, body: string): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(
      url,
      { method: 'POST', agent: agents[secure ? 'https:' : 'http:'], headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => reject(new HandBack('response stream failed')));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            const throttled = status === 429 || status === 503;
            reject(new HandBack(`status ${status}`, throttled ? retryAfterMs(res.headers['retry-after']) : 0));
            return;
          }
          let text: string;
          try {
            text = decode(Buffer.concat(chunks), res.headers['content-encoding']);
          } catch {
            // Delivered (2xx) but unreadable: not sent again. The SDK would fail to deserialize it too.
            reject(Object.assign(new Error(`connector answered ${status} with a body that could not be decoded`), { statusCode: status }));
            return;
          }
          if (!text.trim()) {
            resolve({ status, body: {} as ResourceResponse });
            return;
          }
          try {
            const parsed: unknown = JSON.parse(text);
            resolve({ status, body: (parsed && typeof parsed === 'object' ? parsed : {}) as ResourceResponse });
          } catch {
            reject(Object.assign(new Error(`connector answered ${status} with a body that is not JSON`), { statusCode: status }));
          }
        });
      },
    );
    // Network failures (refused, reset keep-alive socket, DNS): the SDK client tries again with its own retry policy.
    req.on('error', (err: NodeJS.ErrnoException) => reject(new HandBack(`network error ${err.code ?? err.name}`)));
    req.end(body);
  });
}
