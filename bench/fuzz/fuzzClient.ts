// Sends the fuzzer's requests. Hand-written over node's http, net and the ws client rather than fetch: the fuzzer must
// lie about lengths, frame bodies in chunks, write raw bytes and raw WebSocket frames, and reset connections (RST)
// mid-request, none of which fetch allows.
import * as http from 'node:http';
import * as net from 'node:net';
import WebSocket from 'ws';
import { signWebhook } from '../../middleware/handoff/hubs/webhookSigning';
import {
  resolveTemplate,
  resolveValue,
  shorten,
  toJsonText,
  type BodySpec,
  type FrameSpec,
  type FuzzStep,
  type HttpStep,
  type RawStep,
  type RefResolvers,
  type WsStep,
} from './fuzzSpec';

/** A request as it went on the wire, shortened for reports. */
export interface SentRequest {
  readonly kind: FuzzStep['kind'];
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** What makes it hostile (the mutations of a realistic activity), when known. */
  readonly note?: string;
}

/** What happened to one step. */
export interface StepOutcome {
  readonly request: SentRequest;
  /** HTTP status (101 for an accepted WebSocket), when the server answered. */
  readonly status?: number;
  /** Connection-level error (`ECONNRESET`, `socket hang up`...), when the server did not answer. */
  readonly error?: string;
  /** The client refused to send it (an invalid header for node's HTTP client): not sent, not counted. */
  readonly skipped?: boolean;
  readonly ms: number;
  /** No answer within the hang threshold. */
  readonly hang: boolean;
  /** Start of the answer's body (for 5xx reports). */
  readonly answer?: string;
  /** A connection error the step asked for or allowed (a reset it made, an absurd body). */
  readonly errorExpected?: boolean;
  /** The answer had a `Retry-After` header (a documented "try again" 503). */
  readonly retryAfter?: boolean;
}

/** Where and how to send. */
export interface ClientTarget {
  readonly host: string;
  readonly port: number;
  readonly refs: RefResolvers;
  /** A request without an answer after this long is a hang. */
  readonly hangMs: number;
  /** Loopback source address of the connection (per-address limits count clients by it). @defaultValue the OS's choice */
  readonly localAddress?: string;
}

/**
 * Sends one step and reports what happened. `onSending` gets the resolved request just before it goes out (to know
 * what was in flight when the server died). Throws only when a placeholder cannot be resolved.
 */
export async function sendStep(step: FuzzStep, target: ClientTarget, onSending: (request: SentRequest) => void = () => undefined): Promise<StepOutcome> {
  const started = performance.now();
  let request: SentRequest = { kind: step.kind, method: step.kind === 'http' ? step.method : 'GET', path: '?', headers: {} };
  try {
    if (step.kind === 'http') {
      const prepared = await prepareHttp(step, target.refs);
      request = prepared.request;
      onSending(request);
      return { request, ...(await sendHttp(step, prepared, target)), ms: performance.now() - started };
    }
    if (step.kind === 'ws') {
      const path = await resolveTemplate(step.path, target.refs);
      request = { kind: 'ws', method: 'GET', path: shorten(path, 300), headers: { upgrade: 'websocket' }, body: describeFrames(step.frames) };
      onSending(request);
      return { request, ...(await sendWs(step, path, target)), ms: performance.now() - started };
    }
    const data = await resolveTemplate(step.data, target.refs);
    request = { kind: 'raw', method: 'RAW', path: firstLine(data), headers: {}, body: shorten(data, 2000) + (step.afterUpgradeHex ? ` + frames ${step.afterUpgradeHex.slice(0, 40)}` : '') };
    onSending(request);
    return { request, ...(await sendRaw(step, data, target)), ms: performance.now() - started };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^ERR_(INVALID|UNESCAPED|HTTP_INVALID)/.test(code)) return { request, skipped: true, ms: 0, hang: false };
    throw err;
  }
}

type Partial_ = Omit<StepOutcome, 'request' | 'ms'>;

interface PreparedHttp {
  readonly request: SentRequest;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

async function prepareHttp(step: HttpStep, refs: RefResolvers): Promise<PreparedHttp> {
  const path = await resolveTemplate(step.path, refs);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.headers)) headers[name] = await resolveTemplate(value, refs);
  const body = await bodyBytes(step.body, refs);
  if (step.sign) {
    const secret = await resolveTemplate(step.sign.secret, refs);
    const signed = step.sign.signOther ? Buffer.concat([body ?? Buffer.alloc(0), Buffer.from(' ')]) : (body ?? Buffer.alloc(0));
    Object.assign(headers, signWebhook(signed, secret, Date.now() + step.sign.offsetSeconds * 1000));
  }
  const shown = body ? shorten(body.subarray(0, 20_000).toString('utf8'), 4000, body.length) : undefined;
  return { path, headers, ...(body ? { body } : {}), request: { kind: 'http', method: step.method, path: shorten(path, 300), headers: shortHeaders(headers), ...(shown !== undefined ? { body: shown } : {}), ...(step.note ? { note: step.note } : {}) } };
}

async function bodyBytes(body: BodySpec, refs: RefResolvers): Promise<Buffer | undefined> {
  if (body.kind === 'none') return undefined;
  if (body.kind === 'fill') return Buffer.alloc(body.bytes, body.unit);
  if (body.kind === 'text') return Buffer.from(await resolveTemplate(body.text, refs), 'utf8');
  return Buffer.from(toJsonText(await resolveValue(body.value, refs)), 'utf8');
}

function sendHttp(step: HttpStep, p: PreparedHttp, target: ClientTarget): Promise<Partial_> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...p.headers };
    const framing = step.framing ?? 'length';
    if (p.body && framing === 'length' && !hasHeader(headers, 'content-length')) headers['content-length'] = String(p.body.length);
    if (p.body && framing === 'short-length') headers['content-length'] = String(Math.max(0, p.body.length - 5));
    if (p.body && framing === 'chunked') headers['transfer-encoding'] = 'chunked';
    let settled = false;
    const finish = (o: Partial_) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    const req = http.request({ host: target.host, port: target.port, method: step.method, path: p.path, headers, agent: false, localAddress: target.localAddress });
    const timer = setTimeout(() => finish({ hang: true, error: 'timeout' }), target.hangMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const status = res.statusCode ?? 0;
      if (step.streamMs !== undefined && status === 200) {
        setTimeout(() => finish({ status, hang: false }), step.streamMs);
        res.resume();
        return;
      }
      res.on('data', (c: Buffer) => {
        if (size < 4096) chunks.push(c);
        size += c.length;
      });
      const retryAfter = res.headers['retry-after'] !== undefined;
      res.on('end', () => finish({ status, hang: false, retryAfter, answer: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
      res.on('error', () => finish({ status, hang: false }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ hang: false, error: err.code ?? err.message, errorExpected: step.resetExpected === true }));
    if (!p.body) return void req.end();
    if (framing === 'chunked') {
      const half = Math.floor(p.body.length / 2);
      req.write(p.body.subarray(0, half));
      req.end(p.body.subarray(half));
      return;
    }
    req.end(p.body);
  });
}

function sendWs(step: WsStep, path: string, target: ClientTarget): Promise<Partial_> {
  return new Promise((resolve) => {
    let settled = false;
    let socket: net.Socket | undefined;
    const ws = new WebSocket(`ws://${target.host}:${target.port}${path}`, { handshakeTimeout: target.hangMs, maxPayload: 1024 * 1024, localAddress: target.localAddress });
    const finish = (o: Partial_) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const timer = setTimeout(() => {
      ws.terminate();
      finish({ hang: true, error: 'timeout' });
    }, target.hangMs);
    ws.on('upgrade', (res) => (socket = res.socket as net.Socket));
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      finish({ status: res.statusCode ?? 0, hang: false });
      res.socket.destroy();
    });
    ws.on('error', (err: NodeJS.ErrnoException) => finish({ hang: false, error: err.code ?? err.message }));
    ws.on('message', () => undefined);
    ws.on('open', () => {
      for (const frame of step.frames) sendFrame(ws, socket, frame);
      setTimeout(() => {
        if (step.end === 'close') ws.close(1000);
        else if (step.end === 'terminate') ws.terminate();
        else socket?.resetAndDestroy();
        finish({ status: 101, hang: false, errorExpected: true });
      }, step.holdMs);
    });
  });
}

function sendFrame(ws: WebSocket, socket: net.Socket | undefined, frame: FrameSpec): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (frame.kind === 'text') ws.send(frame.data.repeat(frame.repeat ?? 1));
  else if (frame.kind === 'binary') ws.send(Buffer.alloc(frame.bytes, 7));
  else if (frame.kind === 'ping') ws.ping();
  else socket?.write(Buffer.from(frame.hex, 'hex'));
}

function sendRaw(step: RawStep, data: string, target: ClientTarget): Promise<Partial_> {
  return new Promise((resolve) => {
    let settled = false;
    let received = '';
    const socket = net.connect({ host: target.host, port: target.port, localAddress: target.localAddress });
    const finish = (o: Partial_) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (step.end === 'reset' || o.hang) socket.resetAndDestroy();
      else {
        socket.end();
        setTimeout(() => socket.destroy(), 100).unref();
      }
      resolve(o);
    };
    const status = () => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      return m ? Number(m[1]) : undefined;
    };
    const timer = setTimeout(() => finish({ hang: true, error: 'timeout' }), target.hangMs);
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ hang: false, status: status(), error: err.code ?? err.message, errorExpected: true }));
    socket.on('data', (c: Buffer) => {
      const before = received.length;
      received += c.toString('latin1').slice(0, 2048);
      if (before === 0 && step.afterUpgradeHex && status() === 101) socket.write(Buffer.from(step.afterUpgradeHex, 'hex'));
      if (step.wait === 'answer' && !step.afterUpgradeHex) finish({ hang: false, status: status(), answer: received.slice(0, 300) });
      if (step.afterUpgradeHex && status() !== 101) finish({ hang: false, status: status() });
      if (step.afterUpgradeHex && status() === 101) setTimeout(() => finish({ hang: false, status: 101 }), 30);
    });
    socket.on('close', () => finish({ hang: false, status: status(), answer: received.slice(0, 300) }));
    socket.on('connect', () => {
      socket.write(data);
      if (step.wait === 'none' && !step.afterUpgradeHex) finish({ hang: false, errorExpected: true });
      else if (step.wait === 'short' && !step.afterUpgradeHex) setTimeout(() => finish({ hang: false, status: status(), errorExpected: true }), data.length % 50);
    });
  });
}

const hasHeader = (headers: Record<string, string>, name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);

function shortHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, shorten(v, 120)]));
}

function firstLine(data: string): string {
  return shorten(data.split('\r\n')[0] ?? '', 160);
}

function describeFrames(frames: readonly FrameSpec[]): string {
  return frames
    .map((f) => (f.kind === 'text' ? `text(${shorten(f.data.repeat(Math.min(f.repeat ?? 1, 64)), 60)}${(f.repeat ?? 1) > 1 ? ` x${f.repeat}` : ''})` : f.kind === 'binary' ? `binary(${f.bytes})` : f.kind === 'raw' ? `raw(${f.hex.slice(0, 24)})` : 'ping'))
    .join(', ');
}
