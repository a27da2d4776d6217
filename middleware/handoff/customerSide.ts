import type { EmotionScore, IntentHit, Signals } from '../signals/signals';
import type { AgentRelay } from './agentRelay';
import { summarizeCase } from './caseSummary';
import {
  draftCase,
  transition,
  type CaseDraft,
  type CasePriority,
  type ConversationPointer,
  type CustomerIdentity,
  type HandoffCase,
  type HandoffReason,
  type QueuedMessage,
  type Satisfaction,
  type TranscriptEntry,
} from './handoffCase';
import { omit, type HandoffCore } from './handoffCore';
import type { CallbackPreference } from './handoffMessages';
import type { HandoffQueue } from './handoffQueue';
import type { QueueAnnouncer } from './queueAnnouncer';
import { OpenCaseExistsError } from './stores/handoffStore';

/** Longest wait for the channel to name a customer whose turn carried no name, in ms. */
const NAME_LOOKUP_MS = 1500;

/** What a new case is opened from (gathered by the middleware from the turn). */
export interface OpenCaseInput {
  readonly conversation: ConversationPointer;
  readonly customer: CustomerIdentity;
  readonly reason: HandoffReason;
  readonly priority: CasePriority;
  readonly explanation: string;
  readonly intents: readonly IntentHit[];
  readonly emotions: readonly EmotionScore[];
  readonly signals?: Signals;
  readonly language: string;
  /** Redacted transcript so far (oldest first), including the current message. */
  readonly transcript: readonly TranscriptEntry[];
  readonly collected: Readonly<Record<string, string>>;
}

/** The result of {@link CustomerSide.openCase}. */
export interface OpenedCase {
  readonly case: HandoffCase;
  /** False when the conversation already had an open case. */
  readonly created: boolean;
  /** Agents online when the case was opened. */
  readonly agentsOnline: number;
  /** 1-based queue position (when queued). */
  readonly position?: number;
  /** Expected wait in whole minutes (when an agent is online). */
  readonly waitMinutes?: number;
}

/**
 * What became of a customer message on an open case: `relayed` to the agent; `kept` (added to the waiting case);
 * `full` when the case holds its maximum of waiting messages (the transcript still has the message); `closed` when the
 * case is no longer open; `saved` when the agent's conversation could not be reached (the message is kept on the case,
 * delivered first with the next relay); `requeued` when that happened `relayFailureLimit` times in a row: the case is
 * back in the queue (high priority, announced again) with the unsent messages as waiting messages.
 */
export type CustomerMessageResult = 'relayed' | 'kept' | 'full' | 'closed' | 'saved' | 'requeued';

/**
 * The customer's side of the handoff: opening a case, their messages while they wait or talk to an agent, cancelling,
 * the callback choice and the closing rating.
 *
 * @example const opened = await service.customers.openCase(input);
 */
export class CustomerSide {
  constructor(
    private readonly core: HandoffCore,
    private readonly queue: HandoffQueue,
    private readonly announcer: QueueAnnouncer,
    private readonly relay: AgentRelay,
  ) {}

  /** True for a collected key the customer gives for a purpose (kept in clear on the case, erased at the close). */
  isPurposeField(key: string): boolean {
    return this.core.settings.purposeFields.has(key);
  }

  /** The open case of a customer conversation (one store lookup). */
  findOpenCase(conversationKey: string): Promise<HandoffCase | undefined> {
    return this.core.store.findOpenByConversation(conversationKey);
  }

  /**
   * Opens a case and queues it; with no agent online and no staffed hub connector the case moves to `timed_out` at
   * once (the customer is offered a callback). Returns the existing case when the conversation already has one.
   */
  async openCase(input: OpenCaseInput): Promise<OpenedCase> {
    const { store, settings } = this.core;
    const now = settings.clock();
    const draft = this.draft({ ...input, customer: await this.named(input.customer, input.conversation) }, now);
    let opened: HandoffCase;
    let created = true;
    try {
      opened = await store.create(transition(draft, 'queued', { by: 'bot', note: draft.trigger.explanation, at: now }));
    } catch (err) {
      if (!(err instanceof OpenCaseExistsError)) throw err;
      const existing = await store.get(err.caseId);
      if (!existing) throw err;
      opened = existing;
      created = false;
    }
    const agentsOnline = await store.countOnline();
    // A staffed hub (engagement hub, ticketing) takes cases even when no desk agent is online.
    const hubStaffed = this.core.hubs.some((c) => c.staffed === true && (c.takesCase?.(opened) ?? true));
    if (created && agentsOnline === 0 && !hubStaffed && opened.state === 'queued') {
      opened = await store.transition(opened.id, 'timed_out', 'system', 'no agent online');
      this.core.emit({ type: 'timed_out', case: opened, opened: true });
      return { case: opened, created, agentsOnline };
    }
    // The reply that queues the customer says their position: recorded as told, so updates say only what changes.
    const position = opened.state === 'queued' ? (await store.tellPosition(opened.id))?.position : undefined;
    const waitMinutes = position === undefined ? undefined : await this.queue.waitMinutes(position, agentsOnline);
    if (created) {
      this.core.emit({ type: 'queued', case: opened, opened: true });
      // A new case ahead of others (high priority) pushes them back: tell them.
      if (position !== undefined) this.announcer.behind(position);
    }
    return { case: opened, created, agentsOnline, ...(position ? { position } : {}), ...(waitMinutes ? { waitMinutes } : {}) };
  }

  /**
   * A customer message on an open case: relayed to the agent while assigned (in order), else kept on the case.
   * Idempotent on `activityId`: a retried activity is kept or relayed once, on any instance.
   *
   * @remarks What is stored (waiting messages, the live chat line) is redacted; what the assigned agent reads live has
   * card numbers masked. The text is cut to `maxTextChars`; when it was cut (here, or by the input guard: `shortened`),
   * the agent is told so.
   * @returns see {@link CustomerMessageResult}.
   * @throws `RetryLaterError` when another instance is relaying the same activity right now.
   */
  async receive(c: HandoffCase, text: string, activityId?: string, options: { readonly shortened?: boolean } = {}): Promise<CustomerMessageResult> {
    const { store, settings } = this.core;
    const at = settings.clock().toISOString();
    const shortened = text.length > settings.maxTextChars || options.shortened === true;
    const bounded = shortened ? text.slice(0, settings.maxTextChars) : text;
    if (c.state === 'assigned') return this.relay.relay(c, bounded, at, activityId, shortened);
    const stored = settings.redactor.redact(bounded);
    const message: QueuedMessage = { text: stored, at, ...(activityId ? { activityId } : {}) };
    const result = await store.appendCustomerMessage(c.id, message);
    if (result.ok) {
      if (!result.duplicate) this.core.emit({ type: 'customer_message', case: c, text: stored, at });
      return 'kept';
    }
    if (result.reason === 'full') return 'full';
    if (result.reason === 'not_waiting' && result.state === 'assigned') {
      // Claimed between our read and the append: relay instead, never drop.
      const fresh = await store.get(c.id);
      if (fresh?.state === 'assigned') return this.receive(fresh, bounded, activityId, options);
    }
    return 'closed';
  }

  /** The customer cancelled: the case is abandoned and the customers behind are told their new position. */
  async cancel(caseId: string): Promise<HandoffCase> {
    const before = await this.core.store.queuePosition(caseId);
    const c = await this.core.store.transition(caseId, 'abandoned', 'customer', 'cancelled by the customer');
    this.core.emit({ type: 'abandoned', case: c });
    if (before !== undefined) this.announcer.from(before);
    return c;
  }

  /** Records the customer's callback / ticket choice; the case stays open and claimable. */
  async requestCallback(caseId: string, preference: CallbackPreference, contact?: string): Promise<HandoffCase> {
    const before = await this.core.store.queuePosition(caseId);
    const at = this.core.settings.clock();
    const c = await this.core.store.update(caseId, (current) => ({
      ...(current.state === 'callback_requested' ? current : transition(current, 'callback_requested', { by: 'customer', note: preference, at })),
      callback: { preference, ...(contact ? { contact } : {}), at: at.toISOString() },
    }));
    this.core.emit({ type: 'callback_requested', case: c });
    if (before !== undefined) this.announcer.from(before);
    return c;
  }

  /** The customer chose to keep waiting after a timeout: back in the queue. */
  async keepWaiting(caseId: string): Promise<HandoffCase> {
    const c = await this.core.store.transition(caseId, 'queued', 'customer', 'keeps waiting');
    this.core.emit({ type: 'queued', case: c });
    const position = await this.core.store.queuePosition(caseId);
    if (position !== undefined) this.announcer.behind(position);
    return c;
  }

  /** Stores the customer's 1–5 rating on a (resolved) case and clears the pending rating question. */
  async rate(caseId: string, satisfaction: Satisfaction): Promise<void> {
    await this.core.store.update(caseId, (c) => ({ ...omit(c, 'ratingRequested'), satisfaction }));
  }

  /**
   * The resolved case when it still waits for the customer's 1–5 rating (asked at the close, not answered, closed
   * within the rating window), else `undefined`. One store read: the store, not conversation state, is the truth, so
   * a close made by another instance while the customer was writing is never lost.
   */
  async awaitingRating(caseId: string): Promise<HandoffCase | undefined> {
    const c = await this.core.store.get(caseId);
    if (!c || c.state !== 'resolved' || !c.ratingRequested || c.satisfaction !== undefined) return undefined;
    const resolvedAt = Date.parse(c.timestamps.resolved ?? c.timestamps.updated);
    return this.core.settings.clock().getTime() - resolvedAt <= this.core.settings.ratingWindowMs ? c : undefined;
  }

  /**
   * The customer with the display name the channel knows when the turn carried none (or only the id again): a Teams
   * member lookup through the messenger, given at most {@link NAME_LOOKUP_MS}. Without one, agents read the channel
   * and the end of the id (`customerLabel`).
   */
  private async named(customer: CustomerIdentity, conversation: ConversationPointer): Promise<CustomerIdentity> {
    const name = customer.name?.trim();
    const messenger = this.core.messenger;
    if ((name && name !== customer.id) || !messenger.displayName) return customer;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), NAME_LOOKUP_MS);
      timer.unref();
    });
    const found = await Promise.race([messenger.displayName(conversation, customer.id).catch(() => undefined), timeout]);
    clearTimeout(timer);
    const rest = omit(customer, 'name');
    return found ? { ...rest, name: found } : rest;
  }

  /**
   * The new case as drafted from the turn: what the customer wrote (their words in the evidence, their display name,
   * the policy's explanation quoting them, collected values but purpose fields) is stored redacted, once; the summary
   * is written from it.
   */
  private draft(input: OpenCaseInput, now: Date): CaseDraft {
    const core = this.core;
    const { purposeFields, transcriptLines, maxTextChars, summaryLanguage, redactor } = core.settings;
    const signals = input.signals ? { ...input.signals, intents: core.redactHits(input.signals.intents), emotions: core.redactHits(input.signals.emotions) } : undefined;
    const name = input.customer.name === undefined ? undefined : core.stored(input.customer.name, 200);
    const explanation = core.stored(input.explanation, 500);
    const base = draftCase(
      {
        conversation: input.conversation,
        customer: { ...input.customer, ...(name === undefined ? {} : { name }) },
        reason: input.reason,
        priority: input.priority,
        trigger: {
          intents: core.redactHits(input.intents),
          emotions: core.redactHits(input.emotions),
          ...(signals ? { signals } : {}),
          explanation,
        },
        language: input.language,
        transcript: input.transcript.slice(-transcriptLines).map((t) => ({ ...t, text: t.text.slice(0, maxTextChars) })),
        collected: Object.fromEntries(
          Object.entries(input.collected)
            .slice(0, 50)
            .map(([k, v]) => [k.slice(0, 64), purposeFields.has(k) ? String(v).slice(0, 200) : core.stored(String(v), 200)]),
        ),
      },
      now,
    );
    const purposeKeys = Object.keys(base.collected).filter((k) => purposeFields.has(k));
    return { ...base, ...(purposeKeys.length ? { purposeKeys } : {}), summary: summarizeCase(base, { language: summaryLanguage, redactor }).text };
  }
}
