import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SentRequest } from './fuzzClient';

/** What went wrong with one request. `turn-error`: the answer was fine but the server logged a failed turn (reported, not failing the run). */
export type OffenceKind = 'crash' | '5xx' | 'hang' | 'connection' | 'turn-error';

/** One offending request (or, for a crash, the requests in flight or just sent when the server died). */
export interface Offence {
  readonly kind: OffenceKind;
  readonly route: string;
  /** Case number in the route's seeded sequence, and step within the case. */
  readonly at: { readonly caseIndex: number; readonly step: number };
  readonly request: SentRequest;
  readonly status?: number;
  readonly error?: string;
  readonly ms?: number;
  readonly answer?: string;
  /** Turn error: the error class (and code) the server logged for this activity. */
  readonly logged?: string;
  /** Crash: how the server ended and the requests that may have caused it (in flight first, then the latest sent). */
  readonly exit?: { readonly code: number | null; readonly signal: string | null; readonly stderr: string };
  readonly suspects?: readonly SentRequest[];
  /** Hang, 5xx, connection error: the other requests in flight meanwhile (at most 8). */
  readonly neighbours?: readonly SentRequest[];
  /** Replayed alone against a fresh server: did it happen again, and (crash) which suspect did it. */
  alone?: {
    readonly reproduced: boolean;
    readonly culprit?: SentRequest;
    readonly status?: number;
    readonly ms?: number;
    /** A realistic activity with only one of the mutations that still does it. */
    readonly minimal?: SentRequest;
  };
}

/** Figures of one route. */
export interface RouteReport {
  readonly name: string;
  readonly title: string;
  readonly seed: number;
  requests: number;
  skipped: number;
  crashes: number;
  serverErrors: number;
  hangs: number;
  connectionErrors: number;
  /** 501 Not Implemented and 503 with `Retry-After`: documented answers, not counted as 5xx. */
  documented5xx: number;
  /** Answers by status (`101`, `200`, `401`...; `none` when the connection ended first). */
  readonly statuses: Record<string, number>;
  /** Error-level lines the server logged meanwhile, by `event error`. */
  readonly errorLogs: Record<string, number>;
  heapStartMb?: number;
  heapEndMb?: number;
  /** Why the route stopped before sending every request (too many crashes). */
  stoppedEarly?: string;
  durationMs: number;
}

/** The whole run. */
export interface FuzzReport {
  readonly seed: number;
  readonly runsPerRoute: number;
  readonly routes: RouteReport[];
  readonly offences: Offence[];
  heapStartMb?: number;
  heapEndMb?: number;
  /** Why the run failed (empty: passed). */
  failures: string[];
  durationMs: number;
  /** Where the full list of offences was written. */
  reportPath?: string;
}

const mb = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(1)}`);
const growth = (a?: number, b?: number) => (a === undefined || b === undefined ? 'server restarted' : `${b - a >= 0 ? '+' : ''}${(b - a).toFixed(1)} MB`);
const pad = (s: string | number, n: number) => String(s).padEnd(n);

/** Groups offences that are the same bug: kind, route, method, path shape, status and error code. */
export function offenceSignature(o: Offence): string {
  const p = o.request.path
    .replace(/\?.*$/, '')
    .replace(/\/C-[0-9A-Za-z]+/gi, '/:case')
    .replace(/\/conversations\/[^/]+/g, '/conversations/:id')
    .replace(/\/directline-connector\/[^/]+/g, '/directline-connector/:key')
    .slice(0, 80);
  const code = /"(?:error|code)"\s*:\s*"([^"]{1,40})"/.exec(o.answer ?? '')?.[1] ?? o.error ?? '';
  // One crash, one bug: the error and the first frame of the project's own code, whatever request triggered it.
  if (o.exit) return [o.kind, o.route, firstStackLine(o.exit.stderr), ownFrame(o.exit.stderr)].join(' ');
  if (o.kind === 'turn-error') return [o.kind, o.route, o.logged].join(' ');
  return [o.kind, o.route, o.request.kind === 'raw' ? 'RAW' : o.request.method, p, o.status ?? '', code].join(' ');
}

function ownFrame(stderr: string): string {
  const m = /at (?:(\S+) \()?[^()\s]*\/((?:bots|middleware|dialogs)\/[^():\s]+:\d+)/.exec(stderr);
  return m ? `${m[1] ? `${m[1]} ` : ''}${m[2]}` : '';
}

function firstStackLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => /^\w*(Error|Exception)\b|^Error/.test(l.trim()));
  return (line ?? stderr.trim().split('\n').slice(-1)[0] ?? '').trim().slice(0, 160);
}

/** The short, human-readable summary printed at the end of a run. */
export function formatReport(r: FuzzReport): string {
  const lines: string[] = [];
  lines.push(`fuzz: seed ${r.seed}, ${r.runsPerRoute} requests per route, ${(r.durationMs / 1000).toFixed(0)} s`);
  lines.push(`${pad('route', 11)}${pad('sent', 7)}${pad('crash', 7)}${pad('5xx', 6)}${pad('hang', 6)}${pad('conn', 6)}heap MB start -> end (growth)`);
  const totals = { requests: 0, crashes: 0, serverErrors: 0, hangs: 0, connectionErrors: 0 };
  for (const route of r.routes) {
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += route[k];
    lines.push(
      `${pad(route.name, 11)}${pad(route.requests, 7)}${pad(route.crashes, 7)}${pad(route.serverErrors, 6)}${pad(route.hangs, 6)}${pad(route.connectionErrors, 6)}` +
        `${mb(route.heapStartMb)} -> ${mb(route.heapEndMb)} (${growth(route.heapStartMb, route.heapEndMb)})${route.stoppedEarly ? `  [${route.stoppedEarly}]` : ''}`,
    );
  }
  lines.push(
    `${pad('total', 11)}${pad(totals.requests, 7)}${pad(totals.crashes, 7)}${pad(totals.serverErrors, 6)}${pad(totals.hangs, 6)}${pad(totals.connectionErrors, 6)}` +
      `${mb(r.heapStartMb)} -> ${mb(r.heapEndMb)} (${growth(r.heapStartMb, r.heapEndMb)})`,
  );
  const documented = r.routes.filter((x) => x.documented5xx).map((x) => `${x.name} ${x.documented5xx}`);
  if (documented.length) lines.push(`documented 5xx answers, not counted (501 Not Implemented, 503 with Retry-After): ${documented.join(', ')}`);
  const logs = r.routes.filter((x) => Object.keys(x.errorLogs).length);
  if (logs.length) {
    lines.push('server error logs (not failures by themselves):');
    for (const x of logs) lines.push(`  ${x.name}: ${Object.entries(x.errorLogs).map(([k, n]) => `${k} x${n}`).join(', ')}`);
  }
  lines.push(...formatOffences(r.offences));
  lines.push(r.failures.length ? `FAILED: ${r.failures.join('; ')}` : 'passed: no crash, no 5xx, no hang, heap within limit');
  if (r.reportPath) lines.push(`${r.offences.length ? 'every offending request' : 'full report'}: ${r.reportPath}`);
  return lines.join('\n');
}

function groupBySignature(offences: readonly Offence[]): Map<string, Offence[]> {
  const groups = new Map<string, Offence[]>();
  for (const o of offences) groups.set(offenceSignature(o), [...(groups.get(offenceSignature(o)) ?? []), o]);
  return groups;
}

function formatOffences(all: readonly Offence[]): string[] {
  const failing = groupBySignature(all.filter((o) => o.kind !== 'turn-error'));
  const lines: string[] = [];
  if (failing.size) lines.push(`distinct problems: ${failing.size} (first example of each; the same seed sends the same cases)`);
  let shown = 0;
  for (const [, list] of failing) {
    if (shown++ >= 12) {
      lines.push(`  ... ${failing.size - 12} more in the JSON report`);
      break;
    }
    lines.push(...formatGroup(list));
  }
  lines.push(...formatTurnErrors(all.filter((o) => o.kind === 'turn-error')));
  return lines;
}

function formatGroup(list: readonly Offence[]): string[] {
  const o = list[0];
  const what =
    o.kind === 'crash'
      ? `crash (${o.exit?.code ?? o.exit?.signal}): ${firstStackLine(o.exit?.stderr ?? '')} at ${ownFrame(o.exit?.stderr ?? '') || '?'}`
      : o.kind === '5xx'
        ? `${o.status} ${o.answer?.slice(0, 100) ?? ''}`
        : o.kind === 'hang'
          ? `no answer in ${Math.round(o.ms ?? 0)} ms`
          : `connection ${o.error}`;
  const lines = [`  [${o.route}] x${list.length} ${what}`];
  const req = o.alone?.culprit ?? (o.kind === 'crash' && o.suspects?.length ? o.suspects[0] : o.request);
  lines.push(`      ${req.method} ${req.path.slice(0, 140)}  case #${o.at.caseIndex}.${o.at.step}`);
  const headers = Object.entries(req.headers).filter(([k]) => k !== 'content-type' || !/json/.test(req.headers[k]));
  if (headers.length) lines.push(`      headers: ${headers.map(([k, v]) => `${k}: ${v.slice(0, 40)}`).join(', ').slice(0, 160)}`);
  if (req.note) lines.push(`      hostile: ${req.note.slice(0, 200)}`);
  if (o.alone?.minimal?.note) lines.push(`      enough alone: ${o.alone.minimal.note.slice(0, 200)}`);
  if (req.body) lines.push(`      body: ${req.body.slice(0, 160).replace(/\r\n/g, '\\r\\n')}`);
  const others = [...new Set(list.slice(1).map((x) => x.request.note).filter((n): n is string => !!n && n !== req.note))].slice(0, 2);
  for (const note of others) lines.push(`      also: ${note.slice(0, 180)}`);
  if (o.kind === 'crash' && !o.alone?.culprit && (o.suspects?.length ?? 0) > 1) {
    lines.push(`      (one of ${o.suspects?.length} suspects, in flight or sent in the last 2 s: all in the JSON; the CLI replays them to find the culprit)`);
  }
  if (o.alone) {
    const alone = o.alone.reproduced ? `reproduced${o.alone.status ? ` (${o.alone.status})` : ''}` : 'not reproduced (needs the requests around it: see neighbours in the JSON)';
    lines.push(`      alone on a fresh server: ${alone}`);
  }
  return lines;
}

/** Turn errors do not fail the run: one line per error, with the shortest hostile change seen. */
function formatTurnErrors(turnErrors: readonly Offence[]): string[] {
  if (!turnErrors.length) return [];
  const byError = new Map<string, Offence[]>();
  for (const o of turnErrors) {
    const key = `${o.route}: ${(o.logged ?? '').replace(/ on .*$/, '')}`;
    byError.set(key, [...(byError.get(key) ?? []), o]);
  }
  const lines = [`turn errors the server logged while answering 2xx (not failures; every one in the JSON): ${turnErrors.length}`];
  for (const [key, list] of [...byError].sort((a, b) => b[1].length - a[1].length).slice(0, 6)) {
    const shortest = list.filter((o) => o.request.note).sort((a, b) => (a.request.note ?? '').length - (b.request.note ?? '').length)[0] ?? list[0];
    lines.push(`  ${key} x${list.length}, e.g. case #${shortest.at.caseIndex}.${shortest.at.step}: ${(shortest.request.note ?? shortest.request.body ?? '').slice(0, 150)}`);
  }
  return lines;
}

/** Writes the full report (every offence) as JSON under the OS temp directory and returns its path. */
export async function writeReport(r: FuzzReport, file?: string): Promise<string> {
  const target = file ?? path.join(os.tmpdir(), `warmline-fuzz-${r.seed}-${Date.now()}.json`);
  await fs.writeFile(target, JSON.stringify({ ...r, reportPath: target }, null, 2));
  return target;
}
