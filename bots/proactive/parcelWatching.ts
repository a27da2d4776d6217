/**
 * The Bot Framework side of proactive care: watching the parcels customers track (a {@link ParcelWatcher} for the
 * tracking dialog), "tell me when it's delivered" and "stop notifications" in English and French, and remembering that
 * a customer was upset (an exception then opens a case at once).
 */
import type { ConversationState, Middleware, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { ActivityTypes } from 'botbuilder';
import { channelTimeZone } from '../../dialogs/customerLocale';
import type { ParcelWatcher } from '../../dialogs/parcelTrackingDialog';
import { normaliseText } from '../../dialogs/requestRecognizer';
import type { TrackingResult } from '../../dialogs/tracking/trackingProvider';
import { pointerFromActivity, slackApiToken } from '../../middleware/conversationReference';
import { conversationKey } from '../../middleware/handoff/conversationPointer';
import { CONVERSATION_FACTS_PROPERTY, emptyFacts, type ConversationFacts } from '../../middleware/handoff/conversationFacts';
import type { ParcelEventStatus } from '../../middleware/proactive/carrierEvent';
import type { ParcelWatch, WatchStore } from '../../middleware/proactive/parcelWatch';
import { proactiveTexts } from '../../middleware/proactive/proactiveMessages';
import { errorFields, type Logger } from '../../middleware/shared/logger';
import type { Signals } from '../../middleware/signals/signals';
import { warmlineTurn } from '../../middleware/warmlineTurn';

/** Conversation state of proactive care: whether the customer showed anger or distress in this conversation. */
interface ProactiveConversationState {
  upset?: boolean;
  /** The customer asked to hear when their parcel is delivered before naming it: the next parcel watched gets it. */
  pendingDelivery?: boolean;
  /** A parcel is watched in this conversation (the context middleware reads the store only then). */
  watching?: boolean;
  /** The last message sent first whose follow-up (the customer writing within 24 h) was counted. */
  followedUp?: string;
}

/** How long after a message sent first the next contact is taken to be about it. */
const RECENT_NEWS_MS = 72 * 60 * 60_000;

const STATE_PROPERTY = 'warmlineProactive';
const DAY_MS = 24 * 60 * 60_000;

/** What the customer last saw, in the proactive status model. */
const SEEN: Record<TrackingResult['status'], ParcelEventStatus | undefined> = {
  delivered: 'delivered',
  in_transit: 'in_transit',
  out_for_delivery: 'out_for_delivery',
  delayed: 'delayed',
  exception_damaged: 'exception',
  exception_lost: 'exception',
  returned_to_sender: 'exception',
  not_found: undefined,
};

// "stop notifications", "no more updates please", "arrêter les notifications", "plus de notifications svp".
const STOP = [
  /^(?:please )?(?:stop|end|cancel|turn off|switch off|disable|mute|no more|unsubscribe(?: from)?)(?: the| all| my| parcel| tracking| delivery)* (?:notifications?|updates?|alerts?|messages?)(?: please| thanks| thank you)?$/,
  /^unsubscribe$/,
  /^(?:svp |merci )?(?:stop|stopper|arrete|arreter|arretez|coupe|couper|coupez|desactive|desactiver|desactivez|annule|annuler|annulez|plus de|fini les)(?: les| mes| toutes les| vos)* (?:notifications?|notifs?|alertes?|messages?|nouvelles|mises a jour)(?: svp| s il vous plait| merci)?$/,
];
// "tell me when it's delivered", "let me know when it arrives", "prévenez-moi quand il est livré".
const NOTIFY = [
  /\b(?:tell|let|notify|message|ping|text|alert|update) (?:\w+ ){0,3}(?:when|once|as soon as) (?:\w+ ){0,3}(?:delivered|arrives?|arrived|here|out for delivery|lands?)\b/,
  /\b(?:previens|prevenez|previent|prevenir|avertis|avertissez|dites|dis|notifiez|ecrivez|envoyez) (?:\w+ ){0,3}(?:quand|des qu|des que|lorsqu|lorsque|une fois qu) (?:\w+ ){0,3}(?:livre|livree|arrive|arrivee|la|en livraison)\b/,
];

/** True for "stop notifications" / « arrêter les notifications » (the whole message). */
export const asksToStop = (text: string): boolean => {
  const n = normaliseText(text.slice(0, 200));
  return STOP.some((re) => re.test(n));
};
/** True for "tell me when it's delivered" / « prévenez-moi quand il est livré ». */
export const asksForDelivery = (text: string): boolean => {
  const n = normaliseText(text.slice(0, 300));
  return NOTIFY.some((re) => re.test(n));
};

/** Anger or distress in a message: an exception on this customer's parcel opens a case at once. */
export function showsUpset(signals: Signals | undefined): boolean {
  if (!signals) return false;
  if (signals.intents.some((i) => i.name === 'complaint' || i.name === 'distress')) return true;
  return signals.emotions.some((e) => (e.name === 'anger' || e.name === 'frustration' || e.name === 'distress') && e.score >= 0.5);
}

/** Options of {@link createParcelWatching}. */
export interface ParcelWatchingOptions {
  readonly watches: WatchStore;
  readonly conversationState: ConversationState;
  readonly logger: Logger;
  /** Days a parcel stays watched after the customer last asked about it. @defaultValue 30 */
  readonly watchDays?: number;
  /** Clock in epoch ms. @defaultValue Date.now */
  readonly now?: () => number;
  /**
   * Called once per message sent first when the customer writes within 24 h of it (metrics: the contacts avoided are
   * the messages sent first without such a follow-up).
   */
  readonly onFollowUp?: (status: string, channel: string) => void;
}

/** The watcher for the tracking dialog and the middleware for the customer's words about updates. */
export interface ParcelWatching {
  readonly watcher: ParcelWatcher;
  /** Put it after the handoff middleware (a customer talking to an agent is not intercepted). */
  readonly middleware: Middleware;
  /**
   * Put it before the handoff middleware: when the customer writes within 72 h of a message sent first, the
   * conversation's facts name that parcel and its news, so the bot does not ask for the number and the agent of a
   * case opened now sees what the customer was told.
   */
  readonly context: Middleware;
}

/** Builds the watcher and the middleware of proactive care on `watches`. */
export function createParcelWatching(options: ParcelWatchingOptions): ParcelWatching {
  const { watches, logger } = options;
  const now = options.now ?? Date.now;
  const watchMs = (options.watchDays ?? 30) * DAY_MS;
  const state: StatePropertyAccessor<ProactiveConversationState> = options.conversationState.createProperty(STATE_PROPERTY);

  const watcher: ParcelWatcher = {
    async watch(ctx: TurnContext, result: TrackingResult, language: string): Promise<string | undefined> {
      try {
        const key = conversationKey(ctx.activity);
        const trackingNumber = result.trackingNumber.toUpperCase().replace(/\s+/g, '');
        const id = `${key}|${trackingNumber}`;
        const known = (await watches.forConversation(key)).some((w) => w.id === id);
        const s = (await state.get(ctx, {})) as ProactiveConversationState;
        const upset = s.upset === true || showsUpset(warmlineTurn(ctx).signals);
        const wantsDelivery = s.pendingDelivery === true;
        delete s.pendingDelivery;
        s.watching = true;
        await state.set(ctx, s);
        const token = slackApiToken(ctx.activity);
        const timeZone = channelTimeZone(ctx.activity);
        const watch: ParcelWatch = {
          id,
          trackingNumber,
          ...(result.carrier ? { carrier: result.carrier } : {}),
          conversation: pointerFromActivity(ctx.activity, token ? { slackApiToken: token } : {}),
          language,
          ...(timeZone ? { timeZone } : {}),
          wants: wantsDelivery ? 'delivery' : 'changes',
          upset,
          createdAt: new Date(now()).toISOString(),
          expiresAt: now() + watchMs,
        };
        await watches.watch(watch);
        const seen = SEEN[result.status];
        if (seen) await watches.markSeen(id, seen, result.expectedDelivery);
        const texts = proactiveTexts(language);
        return wantsDelivery ? texts.watchingDelivery : known ? undefined : texts.watching;
      } catch (err) {
        // Watching is a courtesy: a store failure must not spoil the answer the customer already has.
        logger.warn('proactive.watch_failed', errorFields(err));
        return undefined;
      }
    },
  };

  const middleware: Middleware = {
    async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
      const activity = ctx.activity;
      if (activity.type !== ActivityTypes.Message || typeof activity.text !== 'string' || !activity.text.trim()) return next();
      const key = conversationKey(activity);
      const language = warmlineTurn(ctx).signals?.language ?? activity.locale ?? 'en';
      if (asksToStop(activity.text)) {
        const stopped = await watches.stop(key);
        await ctx.sendActivity(proactiveTexts(language).stopped(stopped));
        return;
      }
      if (showsUpset(warmlineTurn(ctx).signals)) {
        // Kept in conversation state (saved with the turn's other state) for parcels watched later; the store's
        // watches are marked only when this conversation has some.
        const s = (await state.get(ctx, {})) as ProactiveConversationState;
        if (!s.upset) {
          s.upset = true;
          await state.set(ctx, s);
        }
        if (s.watching) await watches.markUpset(key);
      }
      if (asksForDelivery(activity.text)) {
        const watched = await watches.forConversation(key);
        if (watched.length > 0) {
          // The parcel the customer means: the one they asked about last.
          const latest = watched.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
          await watches.watch({ ...latest, wants: 'delivery' });
          await ctx.sendActivity(proactiveTexts(language).watchingDelivery);
          return;
        }
        // No parcel yet: the bot asks for it, and the parcel it then tracks is watched to delivery.
        const s = (await state.get(ctx, {})) as ProactiveConversationState;
        s.pendingDelivery = true;
        await state.set(ctx, s);
      }
      return next();
    },
  };
  const facts: StatePropertyAccessor<ConversationFacts> = options.conversationState.createProperty(CONVERSATION_FACTS_PROPERTY);
  const context: Middleware = {
    async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
      const activity = ctx.activity;
      if (activity.type === ActivityTypes.Message) {
        try {
          const s = (await state.get(ctx, {})) as ProactiveConversationState;
          if (s.watching) {
            const t = now();
            const recent = (await watches.forConversation(conversationKey(activity)))
              .filter((w) => w.lastSent && t - Date.parse(w.lastSent.at) < RECENT_NEWS_MS)
              .sort((a, b) => ((a.lastSent?.at ?? '') < (b.lastSent?.at ?? '') ? 1 : -1))[0];
            if (recent?.lastSent) {
              if (s.followedUp !== recent.lastSent.eventId && t - Date.parse(recent.lastSent.at) < DAY_MS) {
                s.followedUp = recent.lastSent.eventId;
                await state.set(ctx, s);
                options.onFollowUp?.(recent.lastSent.status, recent.conversation.channel);
              }
              const f = await facts.get(ctx, emptyFacts());
              f.collected.trackingNumber = recent.trackingNumber;
              if (recent.carrier) f.collected.carrier = recent.carrier;
              const expected = recent.lastSent.expected ? `, expected ${recent.lastSent.expected}` : '';
              f.collected.parcelNews = `${recent.lastSent.status}${expected} (told ${recent.lastSent.at.slice(0, 16).replace('T', ' ')} UTC)`;
            }
          }
        } catch (err) {
          // Context is a courtesy: the turn goes on without it.
          logger.warn('proactive.context_failed', errorFields(err));
        }
      }
      return next();
    },
  };
  return { watcher, middleware, context };
}
