/**
 * The agent console's page: `GET /desk` (and `/desk/`), `/desk/static/desk.js` and `/desk/static/desk.css`, read
 * once from the static folder and served with a strict Content-Security-Policy.
 * @packageDocumentation
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as restify from 'restify';
import type { DeskConsoleContext } from './deskConsoleContext';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const FILES = {
  page: { file: 'index.html', type: 'text/html; charset=utf-8' },
  js: { file: 'desk.js', type: 'application/javascript; charset=utf-8' },
  css: { file: 'desk.css', type: 'text/css; charset=utf-8' },
} as const;

/** Registers the page and its script and style sheet. A file that cannot be read answers 500 (and is read again next time). */
export function registerPageRoutes(server: restify.Server, ctx: DeskConsoleContext): void {
  const cache = new Map<string, Promise<Buffer>>();
  const serve = (key: keyof typeof FILES) => async (_req: restify.Request, res: restify.Response) => {
    const { file, type } = FILES[key];
    let body = cache.get(file);
    if (!body) {
      body = fs.readFile(path.join(ctx.staticDir, file));
      body.catch(() => cache.delete(file));
      cache.set(file, body);
    }
    try {
      const content = await body;
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': String(content.length),
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        ...(key === 'page' ? { 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' } : {}),
      });
      res.end(content);
    } catch {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The agent console is not available.');
    }
  };
  server.get('/desk', serve('page'));
  server.get('/desk/', serve('page'));
  server.get('/desk/static/desk.js', serve('js'));
  server.get('/desk/static/desk.css', serve('css'));
}
