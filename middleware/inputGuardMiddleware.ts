import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder-core';
import { recordTurn, type TurnFields, type TurnRecorder } from './warmlineTurn';

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
 * (Teams has been seen sending `entities: [null]`), and the entities without a string `type` (the schema requires
 * one, and botbuilder's mention helpers call string methods on it). An invoke whose `value` botbuilder's
 * `ActivityHandler` reads field by field (`adaptiveCard/action` without an `action` object, `application/search`
 * without an object value) is answered with an invoke response 400 (`application/vnd.microsoft.error`, as botbuilder
 * answers other bad invokes) and goes no further. The envelope (ids, names, `serviceUrl`, `channelId`) is checked
 * before any turn, by the server.
 */
export class InputGuardMiddleware implements Middleware, TurnRecorder {
  /** Writes `textShortened` in the turn record. */
  readonly turnFields: TurnFields = { writes: ['textShortened'], reads: [] };

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
    const badInvoke = activity.type === ActivityTypes.Invoke ? invokeValueProblem(activity.name, activity.value) : undefined;
    if (badInvoke) {
      await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 400, body: invokeError(badInvoke) } });
      return;
    }
    // Malformed fields a client can send (a number as locale, an object as entities...) are dropped here, once,
    // rather than crashing a later piece that trusts the Activity type.
    if (activity.text !== undefined && typeof activity.text !== 'string') activity.text = undefined as unknown as string;
    if (activity.locale !== undefined && typeof activity.locale !== 'string') activity.locale = undefined;
    if (activity.entities !== undefined) activity.entities = objectsOnly(activity.entities, (entity) => typeof entity.type === 'string');
    if (activity.attachments !== undefined) activity.attachments = objectsOnly(activity.attachments);
    if (activity.membersAdded !== undefined) activity.membersAdded = objectsOnly(activity.membersAdded);
    if (activity.type === ActivityTypes.Message && typeof activity.text === 'string' && activity.text.length > this.options.maxTextChars) {
      activity.text = shorten(activity.text, this.options.maxTextChars);
      recordTurn(ctx, 'textShortened', true);
      const language = /^fr\b/i.test(activity.locale ?? '') ? 'fr' : 'en';
      await ctx.sendActivity(this.options.notice(language, this.options.maxTextChars));
    }
    await next();
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What is wrong with the `value` of an invoke that botbuilder's `ActivityHandler` parses before any handler runs (it
 * throws a `TypeError` on these), or `undefined` when it can be handed over.
 */
function invokeValueProblem(name: unknown, value: unknown): string | undefined {
  if (name === 'adaptiveCard/action' && !(isRecord(value) && isRecord(value.action))) {
    return 'An adaptiveCard/action invoke needs a value with an action object.';
  }
  if (name === 'application/search' && !isRecord(value)) return 'An application/search invoke needs an object value.';
  return undefined;
}

/** The body of a 400 invoke response, shaped as botbuilder shapes its own. */
const invokeError = (message: string) => ({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } });

/**
 * The array without its entries that are not objects (`null`, strings, nested arrays) or that `keep` refuses;
 * `undefined` when it is not an array. The same array is returned when every entry is kept, so well-formed activities
 * are left untouched.
 */
function objectsOnly<T>(value: T[], keep: (entry: Record<string, unknown>) => boolean = () => true): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const isEntry = (entry: unknown) => isRecord(entry) && keep(entry);
  return value.every(isEntry) ? value : value.filter(isEntry);
}

/**
 * `text` cut to at most `max` characters, at a word boundary when one is near the end, never inside an emoji, and
 * never inside a number: a card number cut in two would leave its first digits readable where its whole would have
 * been masked.
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1); // a lone high surrogate
  if (isNumberPart(text.charCodeAt(cut.length)) || isNumberPart(text.charCodeAt(cut.length - 1))) {
    // Back to before the run of digits and separators the cut falls in, when that run is short enough to be one
    // number (under 64 characters in all; the scan stops there, so this stays linear).
    let start = cut.length;
    let end = cut.length;
    while (start > 0 && end - start < 64 && isNumberPart(text.charCodeAt(start - 1))) start -= 1;
    while (end < text.length && end - start < 64 && isNumberPart(text.charCodeAt(end))) end += 1;
    if (end - start < 64) cut = cut.slice(0, start);
  }
  const space = cut.lastIndexOf(' ');
  return space > max * 0.8 ? cut.slice(0, space) : cut;
}

/** A character that can sit inside a written number: a digit (any script) or a separator between digit groups. */
function isNumberPart(code: number): boolean {
  if (code >= 0x30 && code <= 0x39) return true; // 0-9
  if (code >= 0xff10 && code <= 0xff19) return true; // fullwidth digits
  if ((code >= 0x0660 && code <= 0x0669) || (code >= 0x06f0 && code <= 0x06f9)) return true; // Arabic-Indic digits
  return code === 0x20 || code === 0x2d || code === 0x2e || code === 0x09 || code === 0xa0 || code === 0x202f; // space - . tab nbsp
}
