/**
 * The context every local Direct Line route module receives.
 * @packageDocumentation
 */
import type { ChannelAccount } from 'botbuilder';
import type { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Logger } from '../../middleware/shared/logger';
import type { BotDelivery } from './botDelivery';
import type { DirectLineConversations } from './directLineConversations';
import type { DirectLineSettings } from './directLineSettings';

/** Where the client routes (Web Chat's side) live. */
export const DIRECT_LINE = '/v3/directline';

/**
 * What the local Direct Line route modules share: the checked options, the conversations, delivery to the bot, the
 * per-address limiters and the logger, resolved once by `registerLocalDirectLine`.
 */
export interface LocalDirectLineContext {
  readonly settings: DirectLineSettings;
  readonly store: DirectLineConversations;
  readonly delivery: BotDelivery;
  /** Per client address: new conversations, posted activities. */
  readonly limiters: { readonly conversations: RateLimiterMemory; readonly activities: RateLimiterMemory };
  /** The bot's account as the channel shows it (`role: 'bot'`). */
  readonly botAccount: ChannelAccount;
  /** Base URL the browser reaches this server on, without a trailing slash. */
  readonly publicBaseUrl: () => string;
  /** Secret path segment of the `serviceUrl`. */
  readonly connectorKey: string;
  readonly now: () => number;
  readonly logger: Logger;
}
