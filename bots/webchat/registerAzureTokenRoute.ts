import { randomBytes } from 'node:crypto';
import type * as restify from 'restify';
import { z } from 'zod';
import { errorFields, silentLogger, type Logger } from '../../middleware/shared/logger';

/** Options for {@link registerAzureTokenRoute}. */
export interface AzureTokenRouteOptions {
  /** The Direct Line channel secret of the Azure Bot resource. Never sent to the browser. */
  secret: string;
  /** @defaultValue `'https://directline.botframework.com/v3/directline'` (regional domains work too) */
  domain?: string;
  /** @defaultValue `'/api/directline/token'` */
  path?: string;
  /** Time allowed to Azure's `tokens/generate`. @defaultValue 10 s */
  timeoutMs?: number;
  /** @defaultValue `silentLogger` */
  logger?: Logger;
  /** HTTP client, for tests. @defaultValue global `fetch` */
  fetch?: typeof fetch;
}

const OptionsSchema = z.object({
  secret: z.string().min(1, 'secret is required'),
  domain: z.string().url().default('https://directline.botframework.com/v3/directline'),
  path: z.string().regex(/^\/[A-Za-z0-9/_-]+$/).default('/api/directline/token'),
  timeoutMs: z.number().int().min(100).default(10000),
});

const GenerateResponse = z.object({
  conversationId: z.string().min(1),
  token: z.string().min(1),
  expires_in: z.number().optional(),
});

/**
 * Registers `POST /api/directline/token`, which exchanges the Direct Line secret for a conversation token at
 * `${domain}/tokens/generate`, so the web chat page talks to Azure Direct Line without ever seeing the secret.
 *
 * @remarks The token embeds a fresh `dl_` user id (Azure's way to stop a client from choosing someone
 * else's id). Answers `{ conversationId, token, expires_in }`; 502 when Azure fails or does not answer in
 * `timeoutMs`. The route is anonymous like any public chat page: put a rate limit in front of it in production.
 */
export function registerAzureTokenRoute(server: restify.Server, options: AzureTokenRouteOptions): void {
  const parsed = OptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TypeError(`registerAzureTokenRoute: invalid options (${detail})`);
  }
  const o = parsed.data;
  const logger = options.logger ?? silentLogger;
  const httpFetch = options.fetch ?? fetch;
  const generateUrl = `${o.domain.replace(/(?<!\/)\/+$/, '')}/tokens/generate`;

  server.post(o.path, async (_req: restify.Request, res: restify.Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const userId = `dl_${randomBytes(12).toString('base64url')}`;
    try {
      const response = await httpFetch(generateUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { id: userId } }),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      const body: unknown = await response.json().catch(() => undefined);
      const token = GenerateResponse.safeParse(body);
      if (!response.ok || !token.success) {
        logger.warn('directline.token_generate_failed', { status: response.status });
        res.send(502, { error: { code: 'TokenServiceError', message: 'Direct Line did not issue a token.' } });
        return;
      }
      res.send(200, { conversationId: token.data.conversationId, token: token.data.token, expires_in: token.data.expires_in ?? 1800 });
    } catch (err) {
      logger.warn('directline.token_generate_unreachable', errorFields(err));
      res.send(502, { error: { code: 'TokenServiceUnreachable', message: 'Direct Line could not be reached.' } });
    }
  });
}
