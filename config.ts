import { z } from 'zod';
import { parseDeskAgents } from './bots/console/deskAgents';
import { parseQuietHours } from './middleware/proactive/proactivePlanner';

const isQuietHours = (v: string): boolean => {
  try {
    parseQuietHours(v);
    return true;
  } catch {
    return false;
  }
};

const emptyToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const intFrom = (def: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(def));

/**
 * Every setting Warmline reads, as one zod schema over environment variables.
 *
 * @remarks Only `index.ts` reads `process.env`; it passes it to {@link loadConfig}. Each key is documented in
 * `.env.example` and in the README's configuration table.
 */
export const ConfigSchema = z
  .object({
    MicrosoftAppId: optionalString,
    MicrosoftAppPassword: optionalString,
    MicrosoftAppType: z.preprocess(
      emptyToUndefined,
      z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    ),
    MicrosoftAppTenantId: optionalString,
    PORT: intFrom(3978, 0, 65535),
    // Default: loopback while anonymous (no app id: anyone reaching the port could post activities), all interfaces
    // once Bot Framework authentication is on. Set explicitly in containers.
    HOST: z.preprocess(emptyToUndefined, z.string().optional()),
    PUBLIC_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info')),
    // GET /metrics (Prometheus): with a token, scrapers send `Authorization: Bearer <token>`; without, only loopback
    // clients, and only while HOST itself is loopback.
    METRICS_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().min(16, 'at least 16 characters').regex(/^[\x21-\x7E]+$/, 'printable ASCII without spaces').optional(),
    ),
    // Largest request body accepted on /api/messages and the Direct Line routes (answered 413 above it).
    MAX_BODY_BYTES: intFrom(256 * 1024, 1024, 16 * 1024 * 1024),
    MAX_TEXT_CHARS: intFrom(4000, 100, 100000),
    DEFAULT_LOCALE: z.preprocess(emptyToUndefined, z.enum(['en-US', 'en-GB', 'fr-FR', 'fr-CA', 'fr-BE', 'fr-CH']).default('en-US')),
    DEFAULT_TIME_ZONE: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default('Europe/Paris')
        .refine((tz) => isTimeZone(tz), { message: 'not an IANA time zone, e.g. Europe/Paris' }),
    ),
    STORAGE: z.preprocess(emptyToUndefined, z.enum(['memory', 'redis']).default('memory')),
    REDIS_URL: z.preprocess(emptyToUndefined, z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional()),
    // A command that gets no answer in this time fails (and the turn is answered 503 with Retry-After).
    REDIS_COMMAND_TIMEOUT_MS: intFrom(2000, 100, 60_000),
    // While the connection is down, a command waits for this many reconnection attempts (100 ms, 200 ms, 400 ms...)
    // before it fails: a blip shorter than that is invisible to customers.
    REDIS_MAX_RETRIES_PER_REQUEST: intFrom(4, 0, 20),
    // Everything stored (cases, messages, transcripts, bot state, deliveries) is deleted this many days after its last write.
    RETENTION_DAYS: intFrom(30, 1, 3650),
    TRACKING_PROVIDER: z.preprocess(emptyToUndefined, z.enum(['demo', 'http']).default('demo')),
    TRACKING_API_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
    TRACKING_API_KEY: optionalString,
    TRACKING_TIMEOUT_MS: intFrom(4000, 100, 14000),
    WEBCHAT: z.preprocess(emptyToUndefined, z.enum(['local', 'azure', 'off']).default('local')),
    DIRECT_LINE_SECRET: optionalString,
    DIRECT_LINE_DOMAIN: z.preprocess(emptyToUndefined, z.string().url().default('https://directline.botframework.com/v3/directline')),
    // Web agent console (/desk): comma-separated `id:Display name:scryptHash` (scripts/hashDeskPassword.ts).
    DESK_AGENTS: optionalString,
    DESK_SESSION_IDLE_MINUTES: intFrom(30, 1, 24 * 60),
    DESK_SESSION_MAX_HOURS: intFrom(12, 1, 7 * 24),
    // Behind a reverse proxy: read the console's client address from X-Forwarded-For (for sign-in lock-outs).
    DESK_TRUST_PROXY: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false')),
    // Warm handoff: agents in Teams/Slack/any channel, comma-separated `channelId:userId` (ids, never names).
    WARMLINE_AGENTS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .superRefine((list, ctx) => {
          const bad = (list ?? '')
            .split(',')
            .map((e) => e.trim())
            .filter((e) => e && !/^[A-Za-z0-9_.-]+:\S/.test(e));
          if (bad.length) ctx.addIssue({ code: 'custom', message: `entries must be channelId:userId (bad: ${bad.map((b) => `"${b.slice(0, 40)}"`).join(', ')})` });
          // On Direct Line and Web Chat the client chooses its own user id: such an "agent" could be impersonated.
          const unauthenticated = (list ?? '')
            .split(',')
            .map((e) => e.trim())
            .filter((e) => /^(directline|webchat|emulator|test):/i.test(e));
          if (unauthenticated.length) {
            ctx.addIssue({
              code: 'custom',
              message: `channels whose clients choose their own user id cannot identify agents (${unauthenticated
                .map((b) => `"${b.slice(0, 40)}"`)
                .join(', ')}); web agents sign in to the console at /desk (DESK_AGENTS)`,
            });
          }
        }),
    ),
    SLACK_API_BASE_URL: z.preprocess(emptyToUndefined, z.string().url().default('https://slack.com')),
    HANDOFF_MAX_WAIT_SECONDS: intFrom(600, 30, 24 * 3600),
    AGENT_PRESENCE_TTL_MINUTES: intFrom(480, 1, 24 * 60),
    HANDOFF_AGENT_LANGUAGE: z.preprocess(emptyToUndefined, z.enum(['en', 'fr']).default('en')),
    // Engagement hubs (issue 5): Bot Framework handoff protocol and a signed webhook.
    HANDOFF_PROTOCOL: z.preprocess(emptyToUndefined, z.enum(['off', 'on']).default('off')),
    HANDOFF_PROTOCOL_CHANNELS: z.preprocess(emptyToUndefined, z.string().regex(/^[a-z0-9_-]+(,[a-z0-9_-]+)*$/i, 'comma-separated channel ids').default('directline')),
    HANDOFF_STATUS_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'at least 16 characters').optional()),
    WEBHOOK_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
    WEBHOOK_SECRETS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .refine((v) => !v || v.split(',').every((x) => x.trim().length >= 16), 'comma-separated secrets of at least 16 characters'),
    ),
    WEBHOOK_STATUS_PATH: z.preprocess(emptyToUndefined, z.string().regex(/^\/[A-Za-z0-9/_-]+$/, 'a path like /api/hub/status').default('/api/hub/status')),
    // Optional LLM signals detector (issue 14): an OpenAI-compatible chat-completions URL (Azure OpenAI included). Off when empty.
    SIGNALS_LLM_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .url()
        .refine((u) => /^https:\/\//i.test(u) || /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?\//i.test(u), 'https, or http to a loopback host')
        .optional(),
    ),
    SIGNALS_LLM_API_KEY: optionalString,
    SIGNALS_LLM_MODEL: optionalString,
    // bearer (Authorization: Bearer) or api-key (Azure OpenAI); default from the URL.
    SIGNALS_LLM_AUTH: z.preprocess(emptyToUndefined, z.enum(['bearer', 'api-key']).optional()),
    SIGNALS_LLM_TIMEOUT_MS: intFrom(800, 100, 10_000),
    SIGNALS_LLM_MAX_CHARS: intFrom(1000, 100, 8000),
    // Proactive care (issue 15): carrier webhooks, quiet hours and the daily cap of messages sent first.
    AFTERSHIP_WEBHOOK_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'at least 16 characters').optional()),
    EASYPOST_WEBHOOK_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'at least 16 characters').optional()),
    PROACTIVE_QUIET_HOURS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default('21:00-08:00')
        .refine((v) => isQuietHours(v), { message: 'HH:MM-HH:MM in the customer\'s local time, or off' }),
    ),
    PROACTIVE_DAILY_CAP: intFrom(3, 1, 20),
    // With TRACKING_PROVIDER=http (La Poste Suivi v2 has no webhooks): watched parcels are looked up this often; 0: never.
    PROACTIVE_POLL_MINUTES: intFrom(30, 0, 24 * 60),
    REDIS_KEY_PREFIX: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - only (at most 64)').default('warmline:'),
    ),
  })
  .superRefine((c, ctx) => {
    if (c.HANDOFF_PROTOCOL === 'on' && !c.HANDOFF_STATUS_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['HANDOFF_STATUS_SECRET'],
        message: 'required when HANDOFF_PROTOCOL=on (customers could otherwise forge handoff.status events)',
      });
    }
    if (c.WEBHOOK_URL && !c.WEBHOOK_SECRETS) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRETS'], message: 'required when WEBHOOK_URL is set' });
    }
    if (c.DESK_AGENTS) {
      try {
        parseDeskAgents(c.DESK_AGENTS);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['DESK_AGENTS'], message: (err as Error).message.replace(/^DESK_AGENTS /, '') });
      }
    }
    if (c.MicrosoftAppId && c.MicrosoftAppType !== 'UserAssignedMSI' && !c.MicrosoftAppPassword) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'required when MicrosoftAppId is set' });
    }
    if (c.MicrosoftAppType === 'SingleTenant' && !c.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'required when MicrosoftAppType is SingleTenant' });
    }
    // botbuilder's managed identity credentials need the identity's client id and tenant, and refuse a password.
    if (c.MicrosoftAppType === 'UserAssignedMSI') {
      if (!c.MicrosoftAppId) ctx.addIssue({ code: 'custom', path: ['MicrosoftAppId'], message: 'required when MicrosoftAppType is UserAssignedMSI (the identity\'s client id)' });
      if (!c.MicrosoftAppTenantId) ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'required when MicrosoftAppType is UserAssignedMSI' });
      if (c.MicrosoftAppPassword) ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'must be empty when MicrosoftAppType is UserAssignedMSI' });
    }
    if (c.STORAGE === 'redis' && !c.REDIS_URL) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'required when STORAGE=redis' });
    }
    if (c.TRACKING_PROVIDER === 'http' && !c.TRACKING_API_URL) {
      ctx.addIssue({ code: 'custom', path: ['TRACKING_API_URL'], message: 'required when TRACKING_PROVIDER=http' });
    }
    if (c.TRACKING_PROVIDER === 'http' && !c.TRACKING_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['TRACKING_API_KEY'], message: 'required when TRACKING_PROVIDER=http' });
    }
    if (c.WEBCHAT === 'local' && c.MicrosoftAppId) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBCHAT'],
        message: 'the local Direct Line endpoint is for development without an app id; use WEBCHAT=azure with DIRECT_LINE_SECRET',
      });
    }
    if (c.SIGNALS_LLM_URL && !c.SIGNALS_LLM_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SIGNALS_LLM_API_KEY'], message: 'required when SIGNALS_LLM_URL is set' });
    }
    if (c.SIGNALS_LLM_URL && !c.SIGNALS_LLM_MODEL && !/\.openai\.azure\.com\/|\/openai\/deployments\//i.test(c.SIGNALS_LLM_URL)) {
      ctx.addIssue({ code: 'custom', path: ['SIGNALS_LLM_MODEL'], message: 'required when SIGNALS_LLM_URL is not an Azure OpenAI deployment URL' });
    }
    if (c.WEBCHAT === 'azure' && !c.DIRECT_LINE_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['DIRECT_LINE_SECRET'], message: 'required when WEBCHAT=azure' });
    }
  });

/** Validated configuration. */
export type Config = Omit<z.infer<typeof ConfigSchema>, 'HOST'> & { HOST: string };

/** Thrown by {@link loadConfig}; `issues` names each bad key. */
export class ConfigError extends Error {
  constructor(readonly issues: ReadonlyArray<{ key: string; message: string }>) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates an environment record and returns the typed configuration.
 *
 * @throws {@link ConfigError} naming every bad key.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return { ...parsed.data, HOST: parsed.data.HOST ?? (parsed.data.MicrosoftAppId ? '0.0.0.0' : '127.0.0.1') };
  throw new ConfigError(
    parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', message: i.message })),
  );
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
