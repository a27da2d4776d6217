import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type * as restify from 'restify';
import { z } from 'zod';
import type { Logger } from '../../middleware/shared/logger';
import { registerAzureTokenRoute } from './registerAzureTokenRoute';

/** Options for {@link registerWebChatPage}. */
export interface WebChatPageOptions {
  /** `'local'`: the page talks to this server's local Direct Line; `'azure'`: to Azure Direct Line. */
  mode: 'local' | 'azure';
  /** Azure mode: the Direct Line secret, exchanged for tokens by `POST /api/directline/token`. */
  directLineSecret?: string;
  /** Azure mode: the Direct Line domain. @defaultValue `'https://directline.botframework.com/v3/directline'` */
  directLineDomain?: string;
  /** Locale used when the browser gives none. @defaultValue `'en-US'` */
  defaultLocale?: string;
  /** Folder holding `index.html` and `chat.js`. @defaultValue this package's `bots/webchat/static` */
  staticDir?: string;
  /** Path of Web Chat's browser bundle. @defaultValue `botframework-webchat/dist/webchat.js` from node_modules */
  webchatBundlePath?: string;
  /** Used by the Azure token route. */
  logger?: Logger;
  /** HTTP client of the Azure token route, for tests. */
  fetch?: typeof fetch;
}

const OptionsSchema = z
  .object({
    mode: z.enum(['local', 'azure']),
    directLineSecret: z.string().optional(),
    directLineDomain: z.string().url().default('https://directline.botframework.com/v3/directline'),
    defaultLocale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/).default('en-US'),
    staticDir: z.string().optional(),
    webchatBundlePath: z.string().optional(),
  })
  .refine((o) => o.mode !== 'azure' || !!o.directLineSecret, { message: 'directLineSecret is required in azure mode', path: ['directLineSecret'] });

const LOCAL_DOMAIN = '/v3/directline';
const AZURE_TOKEN_PATH = '/api/directline/token';

/** Finds the folder with index.html, from the sources (tsx) or from the compiled `dist/` tree. */
function defaultStaticDir(): string {
  const candidates = [path.join(__dirname, 'static'), path.resolve(__dirname, '..', '..', '..', 'bots', 'webchat', 'static')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? __dirname;
}

/** Finds a file of an installed package; packages' `exports` hide their `dist/` and `umd/`, so look in node_modules. */
function packageFile(name: string, ...file: string[]): string {
  const found = installedFile(name, ...file);
  if (found) return found;
  throw new TypeError(`registerWebChatPage: ${[name, ...file].join('/')} not found; is ${name} installed?`);
}

/** The path of a file of an installed package, or undefined when the package is not installed. */
function installedFile(name: string, ...file: string[]): string | undefined {
  return (require.resolve.paths(name) ?? []).map((dir) => path.join(dir, name, ...file)).find((p) => existsSync(p));
}

interface CachedFile {
  body: Buffer;
  gzipped?: Buffer;
  etag: string;
}

/**
 * Registers the customer web chat page and what it loads: `GET /` (the page), `GET /webchat/chat.js` (its
 * script), `GET /webchat/webchat.js` (Bot Framework Web Chat, served from node_modules: no CDN),
 * `GET /webchat/react.js` and `GET /webchat/react-dom.js` (React's UMD builds from node_modules, which Web Chat then
 * uses, so the page can render its own components) and `GET /webchat/config.json` (`{ mode, domain, tokenUrl,
 * locale }`, read by the page).
 *
 * @remarks In `local` mode the page gets its token from `POST /v3/directline/conversations` of
 * {@link registerLocalDirectLine} (register it too). In `azure` mode this also registers
 * `POST /api/directline/token` ({@link registerAzureTokenRoute}) and the page talks to Azure Direct Line.
 * The page takes its locale from `?locale=fr-FR`, else the browser's language. Files are read once; Web Chat is
 * sent gzipped when the browser accepts it, cached for a day with an ETag; the page and config are not cached.
 */
export function registerWebChatPage(server: restify.Server, options: WebChatPageOptions): void {
  const parsed = OptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TypeError(`registerWebChatPage: invalid options (${detail})`);
  }
  const o = parsed.data;
  const staticDir = o.staticDir ?? defaultStaticDir();
  const bundlePath = o.webchatBundlePath ?? packageFile('botframework-webchat', 'dist', 'webchat.js');
  // React for the page's own Web Chat components (the agent's avatar): Web Chat's bundle takes window.React and
  // window.ReactDOM when they are loaded before it, the way its documentation loads React for custom components.
  // Optional: without them (a page with its own Web Chat bundle and no React installed) agents' messages show without
  // their own avatar, and the two scripts are empty.
  const reactPath = installedFile('react', 'umd', 'react.production.min.js');
  const reactDomPath = installedFile('react-dom', 'umd', 'react-dom.production.min.js');
  for (const file of [path.join(staticDir, 'index.html'), path.join(staticDir, 'chat.js'), bundlePath]) {
    if (!existsSync(file)) throw new TypeError(`registerWebChatPage: ${file} not found`);
  }

  if (o.mode === 'azure') {
    registerAzureTokenRoute(server, {
      secret: o.directLineSecret ?? '',
      domain: o.directLineDomain,
      path: AZURE_TOKEN_PATH,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }
  const config = JSON.stringify(
    o.mode === 'azure'
      ? { mode: 'azure', domain: o.directLineDomain, tokenUrl: AZURE_TOKEN_PATH, locale: o.defaultLocale }
      : { mode: 'local', domain: LOCAL_DOMAIN, tokenUrl: `${LOCAL_DOMAIN}/conversations`, locale: o.defaultLocale },
  );
  const directLineOrigin = o.mode === 'azure' ? new URL(o.directLineDomain).origin : '';

  const cache = new Map<string, Promise<CachedFile>>();
  const load = (file: string): Promise<CachedFile> => {
    let entry = cache.get(file);
    if (!entry) {
      entry = fs.readFile(file).then(async (body) => ({
        body,
        gzipped: body.length > 1024 ? await promisify(gzip)(body) : undefined,
        etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      }));
      // A failed read is retried on the next request rather than cached.
      entry.catch(() => cache.delete(file));
      cache.set(file, entry);
    }
    return entry;
  };

  const serveFile =
    (file: string, contentType: string, cacheControl: string, extraHeaders: Record<string, string> = {}) =>
    async (req: restify.Request, res: restify.Response): Promise<void> => {
      let cached: CachedFile;
      try {
        cached = await load(file);
      } catch {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('The chat page is not available.');
        return;
      }
      const headers: Record<string, string> = {
        'Content-Type': contentType,
        'Cache-Control': cacheControl,
        ETag: cached.etag,
        'X-Content-Type-Options': 'nosniff',
        Vary: 'Accept-Encoding',
        ...extraHeaders,
      };
      if (req.headers['if-none-match'] === cached.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      const useGzip = !!cached.gzipped && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const body = useGzip && cached.gzipped ? cached.gzipped : cached.body;
      res.writeHead(200, { ...headers, ...(useGzip ? { 'Content-Encoding': 'gzip' } : {}), 'Content-Length': String(body.length) });
      res.end(body);
    };

  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    // Web Chat injects its styles at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "media-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws: wss:${directLineOrigin ? ` ${directLineOrigin}` : ''}`,
    "frame-ancestors 'self'",
    "base-uri 'self'",
  ].join('; ');

  server.get(
    '/',
    serveFile(path.join(staticDir, 'index.html'), 'text/html; charset=utf-8', 'no-cache', {
      'Content-Security-Policy': csp,
      'Referrer-Policy': 'no-referrer',
    }),
  );
  server.get('/webchat/chat.js', serveFile(path.join(staticDir, 'chat.js'), 'application/javascript; charset=utf-8', 'no-cache'));
  server.get('/webchat/webchat.js', serveFile(bundlePath, 'application/javascript; charset=utf-8', 'public, max-age=86400'));
  for (const [route, file] of [['/webchat/react.js', reactPath], ['/webchat/react-dom.js', reactDomPath]] as const) {
    server.get(
      route,
      file && reactPath && reactDomPath
        ? serveFile(file, 'application/javascript; charset=utf-8', 'public, max-age=86400')
        : async (_req: restify.Request, res: restify.Response) => {
            res.writeHead(200, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
            res.end('/* React is not installed: agents are shown without their own avatar. */\n');
          },
    );
  }
  server.get('/webchat/config.json', async (_req: restify.Request, res: restify.Response) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(config);
  });
}
