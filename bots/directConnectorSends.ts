// Replies and proactive messages sent straight over HTTP, with the SDK's own request body, headers and credentials,
// instead of through the connector client's generic Azure request pipeline (about half of an echo bot's CPU per turn).
// Answers the SDK would retry (and network failures) are handed back to the SDK client; other failures reject with the
// SDK's own error, so errors, retries and redirects stay the SDK's.
import * as http from 'node:http';
import * as https from 'node:https';
import { randomUUID } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { ConnectorClient } from 'botframework-connector';
import type { Activity, ResourceResponse } from 'botbuilder';
import { createSerializer, type CompositeMapper, type Serializer } from '@azure/core-client';
import { RestError } from '@azure/core-rest-pipeline';
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
  /** Reports when a send is handed back to the SDK client (info level; the reason and status only). */
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
  if (policies !== undefined && !(Array.isArray(policies) && policies.every(onlySetsAccept))) return 'the client has custom request policies';
  if (typeof inner.baseUri !== 'string' || !/^https?:\/\//i.test(inner.baseUri)) return 'the service URL is not http(s)';
  if (inner.baseUri.includes('{')) return 'the service URL has a template parameter';
  const credentials = inner.credentials as { signRequest?: unknown } | undefined;
  if (!credentials || typeof credentials.signRequest !== 'function') return 'the client has no credentials that sign requests';
  return undefined;
}

/**
 * Whether a request policy factory does nothing but add `accept: *\/*` when the request has no accept header (the one
 * botframework-connector's ConnectorFactoryImpl installs), found by running it once on a probe request: it must set
 * exactly that header and pass the same request on synchronously. Any other policy keeps the SDK's pipeline.
 */
function onlySetsAccept(factory: unknown): boolean {
  try {
    const set: string[] = [];
    const probe = { headers: { contains: () => false, get: () => undefined, set: (n: string, v: string) => void set.push(`${n.toLowerCase()}=${v}`) } };
    let forwarded: unknown;
    const policy = (factory as { create(next: unknown, options?: unknown): { sendRequest(r: unknown): unknown } }).create(
      { sendRequest: (r: unknown) => ((forwarded = r), Promise.resolve({})) },
      {},
    );
    const result = policy.sendRequest(probe);
    if (result && typeof (result as Promise<unknown>).catch === 'function') (result as Promise<unknown>).catch(() => undefined);
    return forwarded === probe && set.length === 1 && set[0] === 'accept=*/*';
  } catch {
    return false;
  }
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

/**
 * Makes `client.conversations.replyToActivity` and `sendToConversation` (every reply and proactive message a
 * CloudAdapter sends) go straight over HTTP(S), and returns the same client.
 *
 * @remarks What is sent is what the SDK client sends: the body serialized with the connector's own `Activity` mapper,
 * the URL built as its operation spec builds it, its user agent, `x-ms-conversation-id`, a client request id, the
 * `Authorization` header its credentials sign (tokens come from the same credentials and their cache), and
 * `accept: *\/*` when the client has the connector factory's policy that adds it. Only the generic Azure request
 * pipeline around it is skipped: serialization policies, tracing spans, logging policy, compat layers. Keep-alive
 * connections are shared per protocol. Like the SDK's, a send has no timeout of its own.
 *
 * Answers are read as the SDK reads them. A 200, 201 or 202 gives its JSON body (or `{}` for an empty or non-JSON
 * content type). An answer the SDK's pipeline would send again after (a redirect, 408, a 5xx but 501/505, a 429 or 503
 * with a retry-after header, which is waited out first) and a network failure are handed to the SDK client, which sends
 * the activity again with its own retry, redirect and error semantics; the channel may then see one attempt more than
 * with the SDK alone. Any other answer (a 403, a 404, a 204, an unreadable 2xx body) rejects with the `RestError` the
 * SDK would throw (status, code and message taken from the body the same way), without sending again. Hand-backs are
 * logged at info level with their reason.
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
    options: { userAgent?: string; requestPolicyFactories?: unknown };
  };
  const conversations = client.conversations;
  const sdkReply = conversations.replyToActivity.bind(conversations) as unknown as SdkCall;
  const sdkSend = conversations.sendToConversation.bind(conversations) as unknown as SdkCall;
  const userAgent = headerValue(`${inner.options.userAgent ?? ''} warmline-direct Node/${process.versions.node} (${process.platform}; ${process.arch})`);
  const withAccept = Array.isArray(inner.options.requestPolicyFactories) && inner.options.requestPolicyFactories.length > 0;
  const logger = options.logger;

  const urlFor = (conversationId: string, activityId?: string): URL => {
    // As @azure/core-client builds it: path parameters with encodeURIComponent, appended to the service URL's path.
    const url = new URL(inner.baseUri);
    // The SDK sends no credentials from the URL's user-info; Node would turn them into a Basic header.
    url.username = '';
    url.password = '';
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
      'accept-encoding': 'gzip,deflate',
      'user-agent': userAgent,
      'x-ms-client-request-id': randomUUID(),
    };
    if (withAccept) headers.accept = '*/*';
    if (activityId !== undefined) headers['x-ms-conversation-id'] = headerValue(conversationId);
    // The credentials' own signing: a bearer token from their cache (refreshed as the SDK refreshes it), or nothing
    // for an anonymous bot.
    const signed: Record<string, string> = {};
    const headerBag = {
      set: (name: string, value: string) => void (signed[name.toLowerCase()] = headerValue(value)),
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
    return post(url, headers, body);
  };

  const direct = (sdk: SdkCall, conversationId: unknown, activityId: string | undefined, activity: unknown, rest: unknown[]) => {
    if (rest.some((a) => a !== undefined) || typeof conversationId !== 'string' || !activity || typeof activity !== 'object') {
      return sdk(...(activityId === undefined ? [conversationId, activity, ...rest] : [conversationId, activityId, activity, ...rest]));
    }
    const again = () => sdk(...(activityId === undefined ? [conversationId, activity] : [conversationId, activityId, activity]));
    return send(conversationId, activityId, activity as Partial<Activity>).catch(async (err: unknown) => {
      if (!(err instanceof HandBack)) throw err; // the SDK's own error for this answer, without sending again
      logger?.info('connector.direct_send_handed_back', { reason: err.reason, retryAfterMs: err.retryAfterMs || undefined });
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

/** As the SDK normalises header values: trimmed, without CR or LF. */
const headerValue = (v: string): string => String(v).trim().replace(/[\r\n]/g, '');

/** The SDK's throttling retry reads these, in this order: two in milliseconds, then Retry-After (seconds or a date). */
function retryAfterMs(headers: http.IncomingHttpHeaders): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(headers[name]);
    if (headers[name] !== undefined && Number.isFinite(ms)) return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
  }
  const value = headers['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * Whether the SDK's pipeline would send again after this answer: its redirect policy (3xx with a Location), its
 * throttling retry (429 or 503 with a retry-after header) or its exponential retry (408, 5xx but 501 and 505).
 */
function sdkWouldRetry(status: number, headers: http.IncomingHttpHeaders): boolean {
  if (status >= 300 && status < 400) return Boolean(headers.location);
  if ((status === 429 || status === 503) && retryAfterMs(headers) !== undefined) return true;
  return status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

const JSON_TYPES = ['application/json', 'text/json'];

/** The body as the SDK's deserialization reads it: JSON when the content type is JSON or missing, else nothing. */
function parseBody(status: number, contentType: string | undefined, text: string): unknown {
  if (!text) return undefined;
  const parts = contentType ? contentType.split(';').map((p) => p.toLowerCase()) : [];
  if (parts.length > 0 && !parts.some((p) => JSON_TYPES.includes(p))) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RestError(`Error "${String(err)}" occurred while parsing the response body - ${text}.`, { code: RestError.PARSE_ERROR, statusCode: status });
  }
}

/** The error the SDK's operation throws for an answer it does not retry and its operation spec does not list. */
function sdkError(status: number, body: unknown, text: string): RestError {
  const error = new RestError(text, { statusCode: status });
  if (body && typeof body === 'object') {
    const inner = ((body as { error?: unknown }).error ?? body) as { code?: string; message?: string };
    error.code = inner.code;
    if (inner.message) error.message = inner.message;
  }
  return error;
}

function decode(raw: Buffer, encoding: string | undefined): string {
  if (!encoding || encoding === 'identity') return raw.toString('utf8');
  if (encoding === 'gzip') return zlib.gunzipSync(raw).toString('utf8');
  if (encoding === 'deflate') return zlib.inflateSync(raw).toString('utf8');
  throw new Error(`unsupported content-encoding ${encoding}`);
}

/**
 * POSTs once. Resolves with the body of a 200, 201 or 202 (the statuses the SDK's operations list); rejects with a
 * {@link HandBack} when the SDK would send again (or nothing was sent), and otherwise with the `RestError` the SDK
 * would throw, without sending again: a channel never gets an activity twice because of a bad answer.
 */
function post(url: URL, headers: Record<string, string>, body: string): Promise<ResourceResponse> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(
        url,
        { method: 'POST', agent: agents[secure ? 'https:' : 'http:'], headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err: Error) => {
            // Cut off while reading the answer: after a 2xx the activity was delivered, so it is not sent again.
            if (status >= 200 && status < 300) reject(new RestError(`Error reading response as text: ${err.message}`, { code: RestError.PARSE_ERROR, statusCode: status }));
            else reject(new HandBack(`status ${status}, answer cut off`));
          });
          res.on('end', () => {
            if (sdkWouldRetry(status, res.headers)) {
              reject(new HandBack(`status ${status}`, (status === 429 || status === 503 ? retryAfterMs(res.headers) : 0) ?? 0));
              return;
            }
            try {
              const text = decode(Buffer.concat(chunks), res.headers['content-encoding']);
              const parsed = parseBody(status, res.headers['content-type'], text);
              if (status === 200 || status === 201 || status === 202) {
                resolve((parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {}) as ResourceResponse);
              } else {
                reject(sdkError(status, parsed, text));
              }
            } catch (err) {
              reject(err instanceof RestError ? err : new RestError(`Error reading response as text: ${(err as Error).message}`, { code: RestError.PARSE_ERROR, statusCode: status }));
            }
          });
        },
      );
    } catch (err) {
      // Refused before anything was sent (e.g. a header Node does not accept): the SDK decides.
      reject(new HandBack(`request not sent: ${(err as Error).name}`));
      return;
    }
    // Network failures (refused, reset keep-alive socket, DNS): the SDK client tries again with its own retry policy.
    req.on('error', (err: NodeJS.ErrnoException) => reject(new HandBack(`network error ${err.code ?? err.name}`)));
    req.end(body);
  });
}
