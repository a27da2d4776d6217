import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder-core';
import { turnKey, writeTurn } from './turnStateKeys';

/** Turn-state key holding a message's full text when {@link InputGuardMiddleware} shortened `activity.text`. */
export const ORIGINAL_TEXT = turnKey<string>('warmline.originalText');

/** Options for {@link InputGuardMiddleware}. */
export interface InputGuardOptions {
  /** Longest text analysed as one message. @defaultValue 4000 */
  maxTextChars: number;
  /** The polite notice sent when a message was shortened, per language (`en`, `fr`). */
  notice: (language: 'en' | 'fr', maxTextChars: number) => string;
}

const DEFAULT_NOTICE: InputGuardOptions['notice'] = (language, max) =>
  language === 'fr'
    ? `Votre message est très long : j'en ai lu les ${max.toLocaleString('fr-FR')} premiers caractères. Si la suite compte, envoyez-la dans un autre message.`
    : `That's a long message, so I read the first ${max.toLocaleString('en-US')} characters. If something important comes later, please send it in another message.`;

/**
 * Keeps oversized customer messages from slowing every later step, without losing them.
 *
 * @remarks A message longer than `maxTextChars` is shortened for the rest of the turn (at a word boundary), its full
 * text kept in turn state under {@link ORIGINAL_TEXT} for the transcript, and the customer gets one polite notice.
 * Malformed fields (non-string `text` or `locale`, non-array `entities`, `attachments` or `membersAdded`) are dropped to
 * `undefined` rather than crashing later middleware.
 */
export class InputGuardMiddleware implements Middleware {
  private readonly options: InputGuardOptions;

  constructor(options: Partial<InputGuardOptions> = {}) {
    const maxTextChars = options.maxTextChars ?? 4000;
    if (!Number.isInteger(maxTextChars) || maxTextChars < 1) {
      throw new TypeError('InputGuardMiddleware: maxTextChars must be a positive integer');
    }
    this.options = { maxTextChars, notice: options.notice ?? DEFAULT_NOTICE };
  }

  async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = ctx.activity;
    // Malformed fields a client can send (a number as locale, an object as entities...) are dropped here, once,
    // rather than crashing a later piece that trusts the Activity type.
    if (activity.text !== undefined && typeof activity.text !== 'string') activity.text = undefined as unknown as string;
    if (activity.locale !== undefined && typeof activity.locale !== 'string') activity.locale = undefined;
    if (activity.entities !== undefined && !Array.isArray(activity.entities)) activity.entities = undefined;
    if (activity.attachments !== undefined && !Array.isArray(activity.attachments)) activity.attachments = undefined;
    if (activity.membersAdded !== undefined && !Array.isArray(activity.membersAdded)) activity.membersAdded = undefined;
    if (activity.type === ActivityTypes.Message && typeof activity.text === 'string' && activity.text.length > this.options.maxTextChars) {
      writeTurn(ctx, ORIGINAL_TEXT, activity.text);
      const cut = activity.text.slice(0, this.options.maxTextChars);
      const space = cut.lastIndexOf(' ');
      activity.text = space > this.options.maxTextChars * 0.8 ? cut.slice(0, space) : cut;
      const language = /^fr\b/i.test(activity.locale ?? '') ? 'fr' : 'en';
      await ctx.sendActivity(this.options.notice(language, this.options.maxTextChars));
    }
    await next();
  }
}
