import {
  ActivityHandler,
  ActivityHandlerBase,
  ActivityTypes,
  TurnContext,
  type BotHandler,
  type ConversationState,
  type StatePropertyAccessor,
  type UserState,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { readTurn } from '../middleware/turnStateKeys';
import { SIGNALS } from '../middleware/signals/signals';
import { acknowledge } from '../middleware/signals/tone';
import { CONVERSATION_PROFILE_PROPERTY, type ConversationProfile } from '../dialogs/conversationProfile';
import { resolveCustomerLocale } from '../dialogs/customerLocale';
import { MainDialog, type MainDialogOptions } from '../dialogs/mainDialog';
import { messagesFor } from '../dialogs/messages';
import type { TrackingProvider } from '../dialogs/tracking/trackingProvider';
import { LoadedStateProperty } from '../dialogs/loadedStateProperty';
import { isSavedAtTurnEnd } from '../middleware/withTurnEndSave';

/** Options of {@link CustomerBot}: those of {@link MainDialog} (locale, time zone, clock, timeouts...). */
export interface CustomerBotOptions extends MainDialogOptions {
  /** A ready-made root dialog, e.g. a subclass with more intents. Default: a `MainDialog` built from these options. */
  readonly mainDialog?: MainDialog;
}

// The methods of the bot through which ActivityHandler dispatches a message (protected or public on ActivityHandler).
const INSTANCE_DISPATCH = ['onTurnActivity', 'onMessageActivity', 'defaultNextEvent', 'handle'] as const;

/** The source text of the botbuilder-core files that define `ActivityHandler` and `ActivityHandlerBase`. */
export interface DispatchSources {
  readonly activityHandler: string;
  readonly activityHandlerBase: string;
}

/**
 * botbuilder's dispatch of a message, as verified for {@link CustomerBot.run}'s shortcut: the functions a message
 * goes through, by name. `undefined` (no shortcut) with a botbuilder-core version other than the one verified (4.23),
 * or when one of the functions is missing or is not botbuilder's own code (its source is not in botbuilder-core's
 * file: a wrapper installed before Warmline loaded, such as tracing loaded with `node --require`).
 *
 * @remarks Exported for tests; the bot uses what it finds in the botbuilder-core that `botbuilder` itself loads.
 */
export function verifiedDispatch(
  version: string,
  sources: DispatchSources,
  handler: object = ActivityHandler.prototype,
  base: object = ActivityHandlerBase.prototype,
): ReadonlyMap<string, unknown> | undefined {
  if (!/^4\.23\./.test(version)) return undefined;
  const of = (owner: object, name: string): unknown => (owner as Record<string, unknown>)[name];
  const functions: Array<[name: string, fn: unknown, source: string]> = [
    ...INSTANCE_DISPATCH.map((name): [string, unknown, string] => [name, of(handler, name), sources.activityHandler]),
    ['ActivityHandler.run', of(handler, 'run'), sources.activityHandler],
    ['ActivityHandlerBase.run', of(base, 'run'), sources.activityHandlerBase],
    ['ActivityHandlerBase.onTurnActivity', of(base, 'onTurnActivity'), sources.activityHandlerBase],
  ];
  const ownCode = ([, fn, source]: [string, unknown, string]) =>
    typeof fn === 'function' && source.includes(Function.prototype.toString.call(fn));
  return functions.every(ownCode) ? new Map(functions.map(([name, fn]) => [name, fn])) : undefined;
}

/** {@link verifiedDispatch} for the botbuilder-core that `botbuilder` loads; `undefined` when it cannot be read. */
function installedDispatch(): ReadonlyMap<string, unknown> | undefined {
  try {
    const fromBotbuilder = createRequire(require.resolve('botbuilder'));
    const manifest = fromBotbuilder.resolve('botbuilder-core/package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
    const lib = path.join(path.dirname(manifest), 'lib');
    return verifiedDispatch(typeof version === 'string' ? version : '', {
      activityHandler: readFileSync(path.join(lib, 'activityHandler.js'), 'utf8'),
      activityHandlerBase: readFileSync(path.join(lib, 'activityHandlerBase.js'), 'utf8'),
    });
  } catch {
    return undefined;
  }
}

const DISPATCH = installedDispatch();

/**
 * Turn-state key set to `true` when {@link CustomerBot.run} ran its message handler without botbuilder's dispatch
 * (for tests and diagnostics).
 */
export const DISPATCHED_DIRECTLY = Symbol('warmline.customerBot.dispatchedDirectly');

/** Conversation-state property holding the dialog stack. */
export const DIALOG_STATE_PROPERTY = 'warmline.dialogState';

/**
 * The customer-facing bot: welcomes once per conversation, acknowledges an upset customer before answering, runs
 * {@link MainDialog} on every message, and saves conversation and user state at the end of each turn.
 *
 * @remarks Teams mentions of the bot are removed from the text before the dialogs read it. The welcome is in the
 * activity's locale, else the language the user spoke last time (user state), else the default locale.
 * @example
 * const storage = new MemoryStorage();
 * const bot = new CustomerBot(new ConversationState(storage), new UserState(storage), new DemoTrackingProvider(), {
 *   defaultLocale: config.DEFAULT_LOCALE,
 *   defaultTimeZone: config.DEFAULT_TIME_ZONE,
 *   lookupTimeoutMs: config.TRACKING_TIMEOUT_MS,
 *   logger,
 * });
 */
export class CustomerBot extends ActivityHandler {
  /** The root dialog (exposed so a composition root can add dialogs or read its options). */
  readonly dialog: MainDialog;
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly conversationProfile: StatePropertyAccessor<ConversationProfile>;
  private readonly userProfile: StatePropertyAccessor<ConversationProfile>;
  private readonly defaultLocale: string;
  private readonly defaultTimeZone: string;
  /** The message handler registered by the constructor (see {@link CustomerBot.run}). */
  private readonly customerMessage: BotHandler;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    trackingProvider: TrackingProvider,
    options: Partial<CustomerBotOptions> = {},
  ) {
    super();
    if (!conversationState) throw new TypeError('CustomerBot: conversationState is required');
    if (!userState) throw new TypeError('CustomerBot: userState is required');
    if (!trackingProvider && !options.mainDialog) throw new TypeError('CustomerBot: trackingProvider is required');
    this.dialog = options.mainDialog ?? new MainDialog(trackingProvider, conversationState, options);
    this.defaultLocale = options.defaultLocale ?? 'en-US';
    this.defaultTimeZone = options.defaultTimeZone ?? 'Europe/Paris';
    this.dialogState = new LoadedStateProperty<DialogState>(conversationState, DIALOG_STATE_PROPERTY);
    this.conversationProfile = new LoadedStateProperty<ConversationProfile>(conversationState, CONVERSATION_PROFILE_PROPERTY);
    this.userProfile = new LoadedStateProperty<ConversationProfile>(userState, CONVERSATION_PROFILE_PROPERTY);

    this.customerMessage = async (ctx, next) => {
      if (ctx.activity.channelId === 'msteams') TurnContext.removeRecipientMention(ctx.activity);
      // Load both states once up front: every later read of a property is then a plain property access.
      await this.conversationState.load(ctx);
      await this.userState.load(ctx);
      const conversation = await this.conversationProfile.get(ctx, {});
      // Someone who writes first (Slack, Teams chats) has been greeted by their own message: no welcome later.
      conversation.welcomed = true;
      const ack = acknowledge(readTurn(ctx, SIGNALS));
      if (ack) await ctx.sendActivity(ack);
      await this.dialog.run(ctx, this.dialogState);
      const understood = await this.dialog.understand(ctx);
      const user = await this.userProfile.get(ctx, {});
      user.language = understood.customer.language;
      await next();
    };
    this.onMessage(this.customerMessage);

    this.onMembersAdded(async (ctx, next) => {
      if ((ctx.activity.membersAdded ?? []).length > 0) await this.welcome(ctx);
      await next();
    });
  }

  /**
   * Handles the turn, then saves conversation and user state (when they changed). Conversation state is left to the
   * Warmline middleware when one of them already saves it at the end of this turn (`withTurnEndSave`): one write
   * after every piece has made its changes, instead of one per piece.
   */
  override async run(ctx: TurnContext): Promise<void> {
    if (this.runsMessageDirectly(ctx)) {
      ctx.turnState.set(DISPATCHED_DIRECTLY, true);
      await this.customerMessage(ctx, () => this.afterCustomerMessage(ctx));
    } else {
      await super.run(ctx);
    }
    if (!isSavedAtTurnEnd(ctx, this.conversationState)) await this.conversationState.saveChanges(ctx, false);
    await this.userState.saveChanges(ctx, false);
  }

  /**
   * True when botbuilder's dispatch of this activity would run this bot's own message handler and nothing else: a
   * message, no `onTurn`, `onDialog` or further `onMessage` handler registered, and every function of the dispatch
   * botbuilder's own (not overridden by a subclass or on the bot, not patched on botbuilder's classes, e.g. by
   * tracing, before or after this module loaded; see {@link verifiedDispatch}). `run` then calls that handler itself.
   *
   * @remarks botbuilder's `ActivityHandler` dispatch goes through about fifteen generator-based async frames per message
   * (the turn, message and dialog events, each with its handler chain): measured under load, about 0.1 ms of
   * CPU per turn. Anything registered, overridden or patched takes botbuilder's dispatch again, unchanged. Checked on
   * every turn, so handlers registered later count from then on.
   */
  private runsMessageDirectly(ctx: TurnContext): boolean {
    if (!DISPATCH || ctx?.activity?.type !== ActivityTypes.Message) return false;
    const { Turn: turn, Message: message, Dialog: dialog } = this.handlers;
    if (turn?.length || dialog?.length || message?.length !== 1 || message[0] !== this.customerMessage) return false;
    const self = this as unknown as Record<string, unknown>;
    const handler = ActivityHandler.prototype as unknown as Record<string, unknown>;
    const base = ActivityHandlerBase.prototype as unknown as Record<string, unknown>;
    return (
      INSTANCE_DISPATCH.every((name) => self[name] === DISPATCH.get(name)) &&
      handler.run === DISPATCH.get('ActivityHandler.run') &&
      base.run === DISPATCH.get('ActivityHandlerBase.run') &&
      base.onTurnActivity === DISPATCH.get('ActivityHandlerBase.onTurnActivity')
    );
  }

  /**
   * The `next` of the bot's own handler on the shortcut: what botbuilder's dispatch would still run, which is nothing
   * unless `onMessage` or `onDialog` handlers were registered during this turn (botbuilder reads its handler lists as
   * it goes).
   */
  private async afterCustomerMessage(ctx: TurnContext): Promise<void> {
    const message = this.handlers.Message ?? [];
    if (message.length <= 1 && !this.handlers.Dialog?.length) return;
    const runFrom = async (i: number): Promise<void> => {
      if (i < message.length) await message[i](ctx, () => runFrom(i + 1));
      else await this.defaultNextEvent(ctx)();
    };
    await runFrom(1);
  }

  private async welcome(ctx: TurnContext): Promise<void> {
    const conversation = await this.conversationProfile.get(ctx, {});
    if (conversation.welcomed) return;
    conversation.welcomed = true;
    const user = await this.userProfile.get(ctx, {});
    const customer = resolveCustomerLocale(ctx.activity, {
      previous: user.language,
      defaultLocale: this.defaultLocale,
      defaultTimeZone: this.defaultTimeZone,
    });
    conversation.language ??= customer.language;
    await ctx.sendActivity(messagesFor(customer.language).welcome('warm'));
  }
}
