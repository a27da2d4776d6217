import {
  ActivityHandler,
  TurnContext,
  type ConversationState,
  type StatePropertyAccessor,
  type UserState,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { warmlineTurn } from '../middleware/warmlineTurn';
import { acknowledge } from '../middleware/signals/tone';
import { CONVERSATION_PROFILE_PROPERTY, type ConversationProfile } from '../dialogs/conversationProfile';
import { resolveCustomerLocale } from '../dialogs/customerLocale';
import { MainDialog, type MainDialogOptions } from '../dialogs/mainDialog';
import { messagesFor } from '../dialogs/messages';
import type { TrackingProvider } from '../dialogs/tracking/trackingProvider';

/** Options of {@link CustomerBot}: those of {@link MainDialog} (locale, time zone, clock, timeouts...). */
export interface CustomerBotOptions extends MainDialogOptions {
  /** A ready-made root dialog, e.g. a subclass with more intents. Default: a `MainDialog` built from these options. */
  readonly mainDialog?: MainDialog;
}

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
    this.dialogState = conversationState.createProperty<DialogState>(DIALOG_STATE_PROPERTY);
    this.conversationProfile = conversationState.createProperty<ConversationProfile>(CONVERSATION_PROFILE_PROPERTY);
    this.userProfile = userState.createProperty<ConversationProfile>(CONVERSATION_PROFILE_PROPERTY);

    this.onMessage(async (ctx, next) => {
      if (ctx.activity.channelId === 'msteams') TurnContext.removeRecipientMention(ctx.activity);
      const conversation = await this.conversationProfile.get(ctx, {});
      // Someone who writes first (Slack, Teams chats) has been greeted by their own message: no welcome later.
      conversation.welcomed = true;
      const ack = acknowledge(warmlineTurn(ctx).signals);
      if (ack) await ctx.sendActivity(ack);
      await this.dialog.run(ctx, this.dialogState);
      const understood = await this.dialog.understand(ctx);
      const user = await this.userProfile.get(ctx, {});
      user.language = understood.customer.language;
      await next();
    });

    this.onMembersAdded(async (ctx, next) => {
      if ((ctx.activity.membersAdded ?? []).length > 0) await this.welcome(ctx);
      await next();
    });
  }

  /** Handles the turn, then saves conversation and user state (botbuilder writes a state only when it changed). */
  override async run(ctx: TurnContext): Promise<void> {
    await super.run(ctx);
    await this.conversationState.saveChanges(ctx, false);
    await this.userState.saveChanges(ctx, false);
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
