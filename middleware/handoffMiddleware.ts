import { ActivityTypes, type Attachment, type ConversationState, type Middleware, type StatePropertyAccessor, type TurnContext } from 'botbuilder-core';
import { CONVERSATION_FACTS_PROPERTY, emptyFacts, type ConversationFacts } from './handoff/conversationFacts';
import type { Signals } from './signals/signals';
import type { TranscriptStore } from './handoff/transcripts/transcriptStore';
import { warmlineTurn, type TurnFields, type TurnRecorder } from './warmlineTurn';
import { conversationKey } from './handoff/conversationPointer';
import { pointerFromActivity } from './conversationReference';
import { readContact, readCustomerReply, type CustomerReply } from './handoff/customerReply';
import type { AgentIdentity, HandoffCase, TranscriptEntry } from './handoff/handoffCase';
import { HANDOFF_STATE_PROPERTY, emptyHandoffState, markDeclinedOffer, type HandoffConversationState, type PendingOffer } from './handoffConversationState';
import { handoffMessages, type HandoffLanguage } from './handoff/handoffMessages';
import { AFTER_BOT_REASONS, defaultHandoffPolicy, type HandoffPolicy } from './handoff/handoffPolicy';
import type { HandoffService } from './handoff/handoffService';
import { defaultRedactor, type Redactor } from './handoff/redaction';

/** Handles the turns of agents (the built-in `AgentDesk` implements it). */
export interface AgentTurnHandler {
  /** The agent who sent this activity (allow-list), or `undefined` for a customer. */
  identify(ctx: TurnContext): AgentIdentity | undefined;
  /** Handles an agent's message (commands, card buttons, relay to the customer). */
  handle(ctx: TurnContext, agent: AgentIdentity): Promise<void>;
}

/** Options of {@link HandoffMiddleware}. */
export interface HandoffMiddlewareOptions {
  /** The orchestrator (store, relay, hubs). */
  readonly service: HandoffService;
  /** The bot's conversation state: the SAME instance the bot uses (one cache per turn, one save). */
  readonly conversationState: ConversationState;
  /** Decides immediate | offer | continue. Default: `defaultHandoffPolicy`. */
  readonly policy?: HandoffPolicy;
  /** Agents' turns; without it every message is a customer's. */
  readonly agents?: AgentTurnHandler;
  /** Where the transcript middleware keeps the conversation, copied into a new case. Default: only the current message. */
  readonly transcripts?: TranscriptStore;
  /** Redacts the current message copied into a new case. Default: the built-in redactor. */
  readonly redactor?: Redactor;
  /** Conversation-state property of the bot's dialog stack, emptied when the customer is handed over. Default none. */
  readonly dialogStateProperty?: string;
  /** Language when neither the activity nor the signals tell. Default `en`. */
  readonly defaultLanguage?: HandoffLanguage;
  /** Transcript lines copied into a case. Default 30. */
  readonly transcriptLines?: number;
  /**
   * Pass a "no" to the offer of a person on to the bot, marked on the turn ({@link declinedOffer}), so it carries on
   * where the customer was (a waiting prompt re-asked) instead of the middleware answering "what can I do for you?".
   * Turn it on only when the bot reads the mark: a bot that does not would take the "no" for an answer to its own
   * question. Default false (Warmline's own bot turns it on).
   */
  readonly passDeclinedOfferToBot?: boolean;
}

// Teams repeats the message text as an HTML attachment: not a file the customer sent.
const NOT_FILES = new Set(['text/html', 'text/plain']);

/**
 * Labels of the files a customer attached: the file name (redacted, at most 80 characters) or else the content type.
 *
 * @remarks Content URLs are never recorded: they may carry personal data or access tokens, and the agents' channels
 * could not open another channel's private URL anyway. The agent sees `[attachment: photo.jpg]` and asks the
 * customer to share the file another way if they need it.
 */
function attachmentLabels(attachments: readonly Attachment[] | undefined, redactor: Redactor): string[] {
  if (!Array.isArray(attachments)) return [];
  return attachments
    .filter((a) => a && typeof a.contentType === 'string' && !NOT_FILES.has(a.contentType) && !a.contentType.startsWith('application/vnd.microsoft.card.'))
    .slice(0, 10)
    .map((a) => {
      const name = typeof a.name === 'string' ? redactor.redact(a.name.trim().slice(0, 80)) : '';
      return name || a.contentType.slice(0, 80);
    });
}

/** The message kept or relayed for a customer turn: the text, then one `[attachment: …]` per file. */
const withAttachments = (text: string, files: readonly string[]): string =>
  [text.trim(), ...files.map((f) => `[attachment: ${f}]`)].filter(Boolean).join(' ');
const NOT_A_REPLY: CustomerReply = Object.freeze({ kind: 'other' });

const languageOf = (code: string | undefined): HandoffLanguage | undefined => {
  const two = code?.slice(0, 2).toLowerCase();
  return two === 'fr' || two === 'en' ? two : undefined;
};

/**
 * The warm-handoff middleware: relays a customer's messages to their agent while a human owns the conversation,
 * keeps them on the case while they wait, and otherwise applies the handoff policy to each message.
 *
 * @remarks Order: after the transcript and signals middleware (see `createWarmlineMiddleware`).
 * - Agents (allow-list) go to the agent desk; the bot never sees their messages.
 * - Assigned: the message is relayed to the agent (one store lookup), the bot does not answer.
 * - Waiting (`queued`, `timed_out`, `callback_requested`): "cancel"/"annuler" returns to the bot; after a timeout a
 *   callback or ticket is recorded; everything else is added to the case, never dropped.
 * - Otherwise the policy decides: `immediate` queues the customer at once with one acknowledgement fitted to the
 *   reason, the queue position and the expected wait (no dialog runs, the dialog stack is emptied); `offer` lets the
 *   bot answer then asks "would you like a person?" once (yes queues; no continues with the bot: the middleware says
 *   "let's keep going", or, with `passDeclinedOfferToBot`, the bot hears the "no" marked with `declinedOffer` and
 *   carries on where the customer was, the middleware speaking only if the bot says nothing); misunderstandings and
 *   repeated requests, and deadlines (a stated date the parcel will miss, or medicine, a document, a housing or travel
 *   date; reason `deadline`, high priority), are re-checked after the bot answered, so the offer comes right after the
 *   second failure or right after the parcel's status, in the
 *   language the bot answered in.
 * - After a close, a 1–5 reply is stored as the satisfaction rating; anything else goes to the bot.
 * Saves conversation state at the end of the turn (also when the bot throws; botbuilder writes it only if it changed).
 */
export class HandoffMiddleware implements Middleware, TurnRecorder {
  /** Reads `textShortened` and `signals` from the turn record. */
  readonly turnFields: TurnFields = { writes: [], reads: ['textShortened', 'signals'] };

  private readonly service: HandoffService;
  private readonly conversationState: ConversationState;
  private readonly policy: HandoffPolicy;
  private readonly redactor: Redactor;
  private readonly defaultLanguage: HandoffLanguage;
  private readonly transcriptLines: number;
  private readonly stateProperty: StatePropertyAccessor<HandoffConversationState>;
  private readonly factsProperty: StatePropertyAccessor<ConversationFacts>;

  constructor(private readonly options: HandoffMiddlewareOptions) {
    if (!options?.service) throw new TypeError('HandoffMiddleware: service is required');
    if (!options.conversationState) throw new TypeError('HandoffMiddleware: conversationState is required');
    this.service = options.service;
    this.conversationState = options.conversationState;
    this.stateProperty = options.conversationState.createProperty<HandoffConversationState>(HANDOFF_STATE_PROPERTY);
    this.factsProperty = options.conversationState.createProperty<ConversationFacts>(CONVERSATION_FACTS_PROPERTY);
    this.policy = options.policy ?? defaultHandoffPolicy;
    if (typeof this.policy !== 'function') throw new TypeError('HandoffMiddleware: policy must be a function');
    this.redactor = options.redactor ?? defaultRedactor;
    this.defaultLanguage = options.defaultLanguage ?? 'en';
    this.transcriptLines = options.transcriptLines ?? 30;
  }

  /** The handoff service (for the agent desk, consoles and hubs). */
  get handoff(): HandoffService {
    return this.service;
  }

  async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    if (ctx.activity.type !== ActivityTypes.Message) return next();
    const agent = this.options.agents?.identify(ctx);
    if (agent) {
      await this.options.agents?.handle(ctx, agent);
      return;
    }
    const text = typeof ctx.activity.text === 'string' ? ctx.activity.text : '';
    let open = await this.service.customers.findOpenCase(conversationKey(ctx.activity));
    if (open?.state === 'assigned') {
      // The hot path while a human owns the conversation: one lookup, one relay, no bot.
      const files = attachmentLabels(ctx.activity.attachments, this.redactor);
      const relayed = withAttachments(text, files);
      const m = handoffMessages(open.language);
      const shortened = warmlineTurn(ctx).textShortened === true;
      const result = relayed ? await this.service.customers.receive(open, relayed, ctx.activity.id, { shortened }) : undefined;
      if (result !== 'closed') {
        if (result === 'saved') await ctx.sendActivity(m.relaySaved);
        else if (result === 'requeued') await ctx.sendActivity(m.requeued((await this.service.queue.tellPosition(open.id)).position));
        else if (files.length) await ctx.sendActivity(m.attachmentNoted(files));
        return;
      }
      // The agent closed the case while this message was on its way: the customer is back with the bot.
      open = undefined;
    }
    try {
      const state = await this.handoffState(ctx);
      if (open) await this.whileWaiting(ctx, open, text, state);
      else await this.withBot(ctx, text, state, next);
    } finally {
      await this.conversationState.saveChanges(ctx, false);
    }
  }

  private async withBot(ctx: TurnContext, text: string, state: HandoffConversationState, next: () => Promise<void>): Promise<void> {
    const { signals } = warmlineTurn(ctx);
    const language = this.language(ctx, signals, await this.facts(ctx));
    const m = handoffMessages(language);
    // Short replies (a rating, yes or no) matter only after a handover or an offer: read them only then.
    const recent = state.recentCase ?? state.awaitingRating;
    const reply = recent || state.pendingOffer ? readCustomerReply(text) : NOT_A_REPLY;

    if (recent) {
      // The conversation was handed over and the case is no longer open: one lookup, the store says whether the
      // close asked for a rating. The marker goes either way, so later turns cost nothing.
      delete state.recentCase;
      delete state.awaitingRating;
      if (reply.kind === 'rating' && (await this.service.customers.awaitingRating(recent))) {
        await this.service.customers.rate(recent, reply.value);
        await ctx.sendActivity(m.rated);
        return;
      }
    }

    // A deadline in the facts is the previous message's until the bot has run: decided after the bot (below) only.
    const known = await this.facts(ctx);
    const before = { misunderstandings: known.misunderstandings, recentRequests: known.recentRequests };
    const decision = this.policy({ signals, facts: before, memory: { offered: state.offered } });
    if (state.pendingOffer) {
      const offer = state.pendingOffer;
      delete state.pendingOffer;
      if (decision.action !== 'immediate') {
        if (reply.kind === 'yes') return this.handOver(ctx, text, offer, signals, language, state);
        if (reply.kind === 'no') {
          // "No" means: let me keep trying with the bot. No failure-based offer until the bot understands again.
          // The bot hears it, marked, so it carries on where the customer was (MainDialog re-asks its question).
          state.declined = true;
          if (!this.options.passDeclinedOfferToBot) {
            await ctx.sendActivity(m.offerDeclined);
            return;
          }
          markDeclinedOffer(ctx, offer.reason);
          let said = false;
          ctx.onSendActivities(async (_c, activities, send) => {
            said ||= activities.some((a) => a.type === ActivityTypes.Message);
            return send();
          });
          await next();
          if (!said) await ctx.sendActivity(handoffMessages(this.language(ctx, signals, await this.facts(ctx))).offerDeclined);
          return;
        }
      }
    }

    if (decision.action === 'immediate') {
      return this.handOver(ctx, text, { ...decision }, signals, language, state);
    }
    // Failure and deadline offers are decided after the bot answered, on this turn's facts (below), never on stale ones.
    if (decision.action === 'offer' && !AFTER_BOT_REASONS.has(decision.reason)) {
      state.offered.push(decision.reason);
      state.pendingOffer = { ...decision };
      await next();
      // In the language the bot has just answered in (the customer may have switched language with this message).
      await ctx.sendActivity(handoffMessages(this.language(ctx, signals, await this.facts(ctx))).offer(decision.reason));
      return;
    }

    await next();
    // The bot has just counted this message (not understood, same request again) or checked a deadline against the
    // tracking: offer right after its answer.
    const facts = await this.facts(ctx);
    if (state.declined && facts.misunderstandings === 0) delete state.declined;
    if (state.declined) return;
    const after = this.policy({ signals, facts, memory: { offered: state.offered } });
    if (after.action === 'offer' && AFTER_BOT_REASONS.has(after.reason)) {
      state.offered.push(after.reason);
      state.pendingOffer = { ...after };
      await ctx.sendActivity(handoffMessages(this.language(ctx, signals, facts)).offer(after.reason));
    }
  }

  private async handOver(
    ctx: TurnContext,
    text: string,
    decision: PendingOffer,
    signals: Signals | undefined,
    language: HandoffLanguage,
    state: HandoffConversationState,
  ): Promise<void> {
    const activity = ctx.activity;
    const key = conversationKey(activity);
    const earlier = this.options.transcripts ? await this.options.transcripts.read(key, this.transcriptLines) : [];
    const current: TranscriptEntry = { role: 'customer', text: this.redactor.redact(text), at: new Date().toISOString() };
    const facts = await this.facts(ctx);
    const opened = await this.service.customers.openCase({
      conversation: pointerFromActivity(activity),
      customer: { id: activity.from?.id ?? 'unknown', channel: activity.channelId ?? 'unknown', ...(activity.from?.name ? { name: activity.from.name } : {}) },
      reason: decision.reason,
      priority: decision.priority,
      explanation: decision.explanation,
      intents: decision.intents,
      emotions: decision.emotions,
      ...(signals ? { signals } : {}),
      language,
      transcript: text.trim() ? [...earlier, current] : earlier,
      collected: { ...facts.collected },
    });
    // Purpose data (an order e-mail) now lives on the case, shown to its agent and erased at the close: not in the
    // conversation's state any more.
    for (const key of Object.keys(facts.collected)) if (this.service.customers.isPurposeField(key)) delete facts.collected[key];
    if (this.options.dialogStateProperty) {
      // Leave whatever dialog was running: after the agent closes, the customer starts afresh with the bot.
      await this.conversationState.createProperty(this.options.dialogStateProperty).delete(ctx);
    }
    state.recentCase = opened.case.id;
    const m = handoffMessages(opened.case.language);
    if (!opened.created) {
      await ctx.sendActivity(m.waitingNoted(opened.position));
      return;
    }
    const next = opened.case.state === 'timed_out' ? m.noAgents(opened.case.id) : m.queued(opened.position, opened.waitMinutes);
    await ctx.sendActivity(`${m.acknowledge(decision.reason)} ${next}`);
  }

  private async whileWaiting(ctx: TurnContext, open: HandoffCase, text: string, state: HandoffConversationState): Promise<void> {
    const m = handoffMessages(open.language);
    const reply = readCustomerReply(text);
    if (reply.kind === 'cancel') {
      await this.service.customers.cancel(open.id);
      delete state.recentCase;
      await ctx.sendActivity(m.cancelled);
      return;
    }
    if (state.awaitingContact) {
      const pending = state.awaitingContact;
      if (pending.caseId === open.id && open.state === 'callback_requested') {
        if (await this.readPendingContact(ctx, open, text, state, pending)) return;
      } else {
        delete state.awaitingContact;
      }
    }
    // Offered a callback (timed out): any choice counts. Otherwise only an explicit one with a contact ("call me at
    // 06…"), never a number that merely appears in a message (an order or tracking number).
    const choosing =
      open.state === 'timed_out' ||
      ((open.state === 'queued' || open.state === 'callback_requested') && reply.kind === 'callback' && reply.explicit && !!reply.contact);
    if (choosing) {
      if (reply.kind === 'callback') {
        await this.service.customers.requestCallback(open.id, reply.preference, reply.contact);
        if ((reply.preference === 'phone' || reply.preference === 'email') && !reply.contact) {
          // "phone" alone: a callback nobody can make. Ask for the number (or address) and read the next reply as it.
          state.awaitingContact = { caseId: open.id, preference: reply.preference };
          await ctx.sendActivity(m.askContact(reply.preference));
          return;
        }
        await ctx.sendActivity(m.callbackConfirmed(reply.preference, open.id));
        return;
      }
      if (reply.kind === 'wait' && open.state === 'timed_out') {
        await this.service.customers.keepWaiting(open.id);
        const { position } = await this.service.queue.tellPosition(open.id);
        await ctx.sendActivity(m.keepWaiting(position));
        return;
      }
    }
    const files = attachmentLabels(ctx.activity.attachments, this.redactor);
    const message = withAttachments(text, files);
    if (!message) return;
    const kept = await this.service.customers.receive(open, message, ctx.activity.id, { shortened: warmlineTurn(ctx).textShortened === true });
    if (kept === 'relayed') {
      if (files.length) await ctx.sendActivity(m.attachmentNoted(files));
      return;
    }
    if (kept === 'saved') {
      await ctx.sendActivity(m.relaySaved);
      return;
    }
    if (kept === 'requeued') {
      await ctx.sendActivity(m.requeued((await this.service.queue.tellPosition(open.id)).position));
      return;
    }
    // Say the truth: only a message that was really added is "added to your case".
    if (kept === 'full') {
      await ctx.sendActivity(m.caseFull);
      return;
    }
    if (kept === 'closed') {
      await ctx.sendActivity(m.caseNoLongerOpen);
      return;
    }
    if (files.length) {
      await ctx.sendActivity(m.attachmentNoted(files));
      return;
    }
    if (open.state === 'timed_out') {
      await ctx.sendActivity(m.callbackOptions);
      return;
    }
    // The store knows the position the customer last heard (in a reply or a proactive update): say it only if it moved.
    const { position, changed } = open.state === 'queued' ? await this.service.queue.tellPosition(open.id) : {};
    if (changed || state.notedCase !== open.id) {
      // Say it once per case, then only when the position changes: no reply to every message.
      state.notedCase = open.id;
      await ctx.sendActivity(m.waitingNoted(position));
    }
  }

  /**
   * The reply after "what number should we call?": stored as the callback's contact when it holds a phone number or
   * an e-mail address; otherwise asked once more, then the team answers in the chat. Returns true when handled.
   */
  private async readPendingContact(
    ctx: TurnContext,
    open: HandoffCase,
    text: string,
    state: HandoffConversationState,
    pending: NonNullable<HandoffConversationState['awaitingContact']>,
  ): Promise<boolean> {
    const m = handoffMessages(open.language);
    const contact = readContact(text);
    if (contact) {
      delete state.awaitingContact;
      // The contact is personal data: it goes on the case's callback, not into the waiting messages.
      await this.service.customers.requestCallback(open.id, contact.kind, contact.value);
      await ctx.sendActivity(m.callbackConfirmed(contact.kind, open.id));
      return true;
    }
    if (!text.trim()) return false;
    if (!pending.askedAgain) {
      state.awaitingContact = { ...pending, askedAgain: true };
      await this.service.customers.receive(open, text, ctx.activity.id);
      await ctx.sendActivity(m.askContactAgain(pending.preference));
      return true;
    }
    delete state.awaitingContact;
    await this.service.customers.receive(open, text, ctx.activity.id);
    await ctx.sendActivity(m.contactMissing(open.id));
    return true;
  }

  private async facts(ctx: TurnContext): Promise<ConversationFacts> {
    return (await this.factsProperty.get(ctx)) ?? emptyFacts();
  }

  // The handoff's own record in conversation state (created on first use).
  private handoffState(ctx: TurnContext): Promise<HandoffConversationState> {
    return this.stateProperty.get(ctx, emptyHandoffState());
  }

  /**
   * The language to answer in: this message's own when the signals read it clearly in another language than the
   * activity's locale (a French customer on a Teams client set to en-US, even on a first message handed over at once);
   * else the conversation's language as the dialogs last decided it (they weigh the customer's words against the
   * locale; before the bot has run this turn, the one of the previous message); else the activity's locale, else the
   * signals', else the default.
   */
  private language(ctx: TurnContext, signals: Signals | undefined, facts: ConversationFacts): HandoffLanguage {
    const written = ctx.activity.locale && signals?.languageSource === 'detected' ? languageOf(signals.language) : undefined;
    return written ?? languageOf(facts.language) ?? languageOf(ctx.activity.locale) ?? languageOf(signals?.language) ?? this.defaultLanguage;
  }
}
