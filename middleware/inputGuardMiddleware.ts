import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder-core';

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
 * Keeps oversized customer messages from slowing every later step: one limit for every path.
 *
 * @remarks A message longer than `maxTextChars` is shortened (at a word boundary) before anything else reads it, and
 * the customer gets one polite notice asking for the rest in another message. Analysis, redaction, storage, cards,
 * relays and console views all work on that bounded cut, so no text work grows with the request body.
 * Malformed fields (non-string `text` or `locale`, non-array `entities`, `attachments` or `membersAdded`) are dropped to
 * `undefined` rather than crashing later middleware, and so are the entries of those three arrays that are not objects
 * (Teams has been seen sending `entities: [null]`).
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
    if (activity.entities !== undefined) activity.entities = objectsOnly(activity.entities);
    if (activity.attachments !== undefined) activity.attachments = objectsOnly(activity.attachments);
    if (activity.membersAdded !== undefined) activity.membersAdded = objectsOnly(activity.membersAdded);
    if (activity.type === ActivityTypes.Message && typeof activity.text === 'string' && activity.text.length > this.options.maxTextChars) {
      activity.text = shorten(activity.text, this.options.maxTextChars);
      const language = /^fr\b/i.test(activity.locale ?? '') ? 'fr' : 'en';
      await ctx.sendActivity(this.options.notice(language, this.options.maxTextChars));
    }
    await next();
  }
}

/**
 * The array without its entries that are not objects (`null`, strings, nested arrays); `undefined` when it is not an
 * array. The same array is returned when every entry is an object, so well-formed activities are left untouched.
 */
function objectsOnly<T>(value: T[]): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const isEntry = (entry: unknown) => typeof entry === 'object' && entry !== null && !Array.isArray(entry);
  return value.every(isEntry) ? value : value.filter(isEntry);
}

/** `text` cut to at most `max` characters, at a word boundary when one is near the end, never inside an emoji. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1); // a lone high surrogate
  const space = cut.lastIndexOf(' ');
  return space > max * 0.8 ? cut.slice(0, space) : cut;
}
