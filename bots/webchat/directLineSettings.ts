/**
 * The checked options of the local Direct Line endpoint, with their defaults.
 * @packageDocumentation
 */
import { z } from 'zod';

const RateSchema = z.object({ points: z.number().int().min(1), windowMs: z.number().int().min(1000) }).strict();

const SettingsSchema = z
  .object({
    channelId: z.string().min(1).max(64).default('webchat'),
    bot: z.object({ id: z.string().min(1), name: z.string().optional() }).default({ id: 'warmline-bot', name: 'Warmline' }),
    maxConversations: z.number().int().min(1).default(500),
    conversationRate: RateSchema.default({ points: 30, windowMs: 10 * 60 * 1000 }),
    activityRate: RateSchema.default({ points: 120, windowMs: 60 * 1000 }),
    maxActivitiesPerConversation: z.number().int().min(10).default(200),
    maxConversationBytes: z.number().int().min(4096).default(256 * 1024),
    maxActivityBytes: z.number().int().min(1024).optional(),
    tokenLifetimeMs: z.number().int().min(1000).default(30 * 60 * 1000),
    streamUrlLifetimeMs: z.number().int().min(1000).default(60 * 1000),
    maxTextLength: z.number().int().min(1).default(4000),
    maxBodyBytes: z.number().int().min(1024).default(256 * 1024),
    botTimeoutMs: z.number().int().min(100).default(15000),
    maxSocketsPerConversation: z.number().int().min(1).default(8),
    socketPingMs: z.number().int().min(100).default(30000),
    corsOrigins: z.union([z.literal('*'), z.array(z.string().url())]).default('*'),
    connectorPath: z.string().regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, 'a path like /directline-connector').default('/directline-connector'),
    connectorKey: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, '16 to 128 URL-safe characters').optional(),
  })
  .refine((o) => o.maxActivityBytes === undefined || o.maxActivityBytes <= o.maxConversationBytes, {
    message: 'must not exceed maxConversationBytes',
    path: ['maxActivityBytes'],
  })
  .transform((o) => ({ ...o, maxActivityBytes: o.maxActivityBytes ?? Math.min(64 * 1024, o.maxConversationBytes) }));

/** The limits and names of `LocalDirectLineOptions`, checked, with every default filled in. */
export type DirectLineSettings = z.output<typeof SettingsSchema>;

/**
 * Checks the options of `registerLocalDirectLine` and fills in defaults.
 * @throws TypeError naming every invalid option.
 */
export function parseDirectLineSettings(options: unknown): DirectLineSettings {
  const parsed = SettingsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TypeError(`registerLocalDirectLine: invalid options (${detail})`);
  }
  return parsed.data;
}
