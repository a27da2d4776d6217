/**
 * HTTP plumbing of the agent console's API: JSON answers, the session cookie, and request fields.
 * @packageDocumentation
 */
import type * as restify from 'restify';
import { CASE_ID_PATTERN } from '../../../middleware/handoff/handoffCase';

const COOKIE = 'warmline_desk';

/** Answers with a JSON body (none when `body` is undefined), never cached. */
export function sendJson(res: restify.Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Answers with the console's error body `{ error, message }`. */
export function sendError(res: restify.Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: code, message }, headers);
}

/** Whether a parsed body is a JSON object. */
export const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The `:caseId` parameter in upper case; answers 400 and returns `undefined` when it is not a case id. */
export function caseIdParam(req: restify.Request, res: restify.Response): string | undefined {
  const id = String(req.params?.caseId ?? '').toUpperCase();
  if (!CASE_ID_PATTERN.test(id)) {
    sendError(res, 400, 'BadRequest', 'Not a case id.');
    return undefined;
  }
  return id;
}

/** The session id the request's cookie carries. */
export function readSessionCookie(req: restify.Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A `Set-Cookie` value for the session cookie (`maxAgeSeconds` 0 deletes it). */
export function sessionCookie(value: string, secure: boolean, maxAgeSeconds?: number): string {
  return [
    `${COOKIE}=${value}`,
    'Path=/desk',
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
    ...(maxAgeSeconds !== undefined ? [`Max-Age=${maxAgeSeconds}`] : []),
  ].join('; ');
}
