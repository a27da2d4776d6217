import * as http from 'node:http';
import type fc from 'fast-check';
import { teamsMessage } from '../../tests/helpers/channelActivities';
import { mutationNotes } from './activityMutations';
import type { FuzzSinks } from './fuzzSinks';
import type { BodySpec, FuzzCase, HttpStep, RefResolvers, Template } from './fuzzSpec';

/** Credentials the fuzzer configures the server with, so that it can also act as a legitimate client. */
export interface FuzzSecrets {
  /** Signs webhook statuses (`WEBHOOK_SECRETS`). */
  readonly webhookSecret: string;
  /** Console agent the fuzzer signs in as; hostile sign-ins never use this id, so it is never locked out. */
  readonly deskAgent: { readonly id: string; readonly password: string };
  /** Console agent hostile sign-ins may use, with right or wrong passwords. */
  readonly deskVictim: { readonly id: string; readonly password: string };
  /** `X-Forwarded-For` of the fuzzer's own sign-ins (the server trusts one proxy), never used by hostile ones. */
  readonly deskClientIp: string;
  /** Agents listed in `WARMLINE_AGENTS`. */
  readonly teamsAgentId: string;
  readonly slackAgentId: string;
}

/** What a route may use to prepare its run-time values against a freshly started server. */
export interface RouteEnv {
  /** `http://127.0.0.1:<port>` of the server under fuzz. */
  readonly base: string;
  readonly sinks: FuzzSinks;
  readonly secrets: FuzzSecrets;
}

/** One fuzzed route (or family of routes). */
export interface FuzzRoute {
  /** Short name (CLI `--routes`, report keys). */
  readonly name: string;
  /** What it covers, for the report. */
  readonly title: string;
  /** Generates the route's cases (one or more requests each). */
  readonly cases: fc.Arbitrary<FuzzCase>;
  /** Legitimate requests sent once before the heap baseline, so that lazily loaded code is not counted as growth. */
  readonly warmUp: FuzzCase;
  /** Run-time values (tokens, sessions...) for a freshly started server; called again after a restart. */
  prepare(env: RouteEnv): Promise<RefResolvers>;
}

/** An HTTP step with a JSON body (`application/json` unless `headers` says otherwise). */
export function jsonStep(method: string, path: Template, value: unknown, headers: Record<string, Template> = {}): HttpStep {
  const note = mutationNotes(value);
  return { kind: 'http', method, path, headers: { 'content-type': 'application/json', ...headers }, body: { kind: 'json', value }, ...(note ? { note } : {}) };
}

/** An HTTP step with any body. */
export function httpStep(method: string, path: Template, body: BodySpec, headers: Record<string, Template> = {}, extra: Partial<HttpStep> = {}): HttpStep {
  return { kind: 'http', method, path, headers, body, ...extra };
}

/** Percent-encodes a fuzzed path segment (node's client refuses raw spaces and controls). */
export function segment(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
  // Byte by byte, so that lone surrogates (which encodeURIComponent refuses) go out as UTF-8 replacement characters.
  return [...Buffer.from(text.slice(0, 1000), 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/**
 * The source address of the fuzzer's own set-up calls (opening conversations, signing in), apart from the addresses
 * fuzzed requests come from, so that per-address limits the fuzzing reaches never refuse the set-up.
 */
export const SETUP_ADDRESS = '127.0.0.250';

/** Options of {@link setupRequest}. */
export interface SetupRequest {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Calls the server under fuzz from {@link SETUP_ADDRESS} (for preparing refs); JSON answer parsed when there is one. */
export function setupRequest<T>(url: string, init: SetupRequest = {}): Promise<{ status: number; body: T; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, localAddress: SETUP_ADDRESS, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`fuzz: set-up call ${url} timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

let casesOpened = 0;

/**
 * Opens `count` handoff cases the way customers do (a fraud message on Teams, from the set-up address) and waits until
 * the webhook has announced them, so that routes acting on cases have real ones whatever ran before.
 */
export async function openCases(env: RouteEnv, count: number): Promise<void> {
  const before = env.sinks.caseIds.length;
  for (let i = 0; i < count; i++) {
    const n = ++casesOpened;
    const activity = {
      ...teamsMessage("someone stole my card and made payments I don't recognise", { serviceUrl: env.sinks.url, conversationId: `a:1fuzz-seed-${n}`, userId: `29:1fuzz-seed-${n}` }),
      serviceUrl: env.sinks.url,
    };
    await setupRequest(`${env.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  }
  // The webhook connector's outbox polls every second.
  for (let waited = 0; env.sinks.caseIds.length < Math.min(before + count, 200) && waited < 5000; waited += 100) await new Promise((r) => setTimeout(r, 100));
}
