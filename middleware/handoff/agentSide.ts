import { CLAIMABLE_STATES, type AgentIdentity, type CaseState, type ConversationPointer, type HandoffCase } from './handoffCase';
import { errorName, type HandoffCore } from './handoffCore';
import { handoffMessages } from './handoffMessages';
import type { QueueAnnouncer } from './queueAnnouncer';
import type { RelayClaim, RelayLedger } from './relayLedger';
import type { ClaimResult } from './stores/handoffStore';

/** Result of an agent action on a case (send, close). */
export type AgentActionResult =
  | { readonly ok: true; readonly case: HandoffCase }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'not_yours'; readonly by?: AgentIdentity }
  | { readonly ok: false; readonly reason: 'not_assigned'; readonly state: CaseState };

/** An agent's message could not be delivered to the customer's channel: it was not sent (the agent may try again). */
export class CustomerUnreachableError extends Error {
  constructor(
    readonly caseId: string,
    cause: unknown,
  ) {
    super(`The customer of case ${caseId} could not be reached`, { cause });
    this.name = 'CustomerUnreachableError';
  }
}

/** Longest closing note kept on a case. */
const MAX_NOTE_CHARS = 2000;

/**
 * The agents' side of the handoff: the cases they can take or hold, claiming one (exactly one of concurrent claimers
 * wins), writing to its customer and closing it.
 *
 * @remarks Used by the agent desk (Teams, Slack), the web console and the hub connectors alike.
 * @example const result = await service.agents.accept(caseId, agent, agentConversation);
 */
export class AgentSide {
  constructor(
    private readonly core: HandoffCore,
    private readonly ledger: RelayLedger,
    private readonly announcer: QueueAnnouncer,
  ) {}

  /** Claimable cases: the queue in service order, then timed-out and callback cases, oldest first. */
  async listClaimable(limit = 50): Promise<HandoffCase[]> {
    const out: HandoffCase[] = [];
    // From the indexes: closed cases and the rest of the queue cost nothing.
    for (const state of CLAIMABLE_STATES) {
      if (out.length >= limit) break;
      out.push(...(await this.core.store.listByState(state, limit - out.length)));
    }
    return out;
  }

  /** Open cases assigned to an agent. */
  listAssigned(agent: AgentIdentity, limit = 100): Promise<HandoffCase[]> {
    return this.core.store.listAssignedTo(agent, limit);
  }

  /**
   * Claims a case for an agent: exactly one of concurrent claimers wins. The winner's customer is told someone
   * joined; the customers behind in the queue get their new position.
   *
   * @param agentConversation where the agent works (customer messages are relayed there); omitted for consoles.
   */
  async accept(caseId: string, agent: AgentIdentity, agentConversation?: ConversationPointer): Promise<ClaimResult> {
    const core = this.core;
    const before = await core.store.queuePosition(caseId);
    const result = await core.store.claim(caseId, agent, agentConversation);
    if (!result.ok) return result;
    const c = result.case;
    // The case is the agent's now: a customer who cannot be told so right away still gets the agent's messages.
    await core
      .lane(c.conversation.key, () => core.tellCustomer(c, [handoffMessages(c.language).agentJoined(agent.name)]))
      .catch((err: unknown) => core.settings.logger.warn('handoff.joined_notice_failed', { caseId: c.id, error: errorName(err) }));
    core.emit({ type: 'assigned', case: c });
    if (before !== undefined) this.announcer.from(before);
    return result;
  }

  /**
   * Sends an agent's message to the customer of a case the agent holds (in order per customer conversation).
   * Idempotent on `messageId` (the channel's activity id, the console's message id): a retry is sent once.
   *
   * @remarks The customer receives what the agent wrote; the live chat keeps it redacted.
   * @throws `RetryLaterError` when the same message is being sent by another instance right now;
   * {@link CustomerUnreachableError} when the customer's channel refused it or could not be reached (not sent).
   */
  async sendToCustomer(caseId: string, agent: AgentIdentity, text: string, messageId?: string): Promise<AgentActionResult> {
    const core = this.core;
    const { maxTextChars, clock, redactor, logger } = core.settings;
    const check = this.checkHolder(await core.store.get(caseId), agent);
    if (!check.ok) return check;
    const at = clock().toISOString();
    const bounded = text.length > maxTextChars ? text.slice(0, maxTextChars) : text;
    const key = messageId ? `relay:to-customer:${caseId}:${messageId}` : undefined;
    let sent = false;
    await core.lane(check.case.conversation.key, async () => {
      const claim = key ? await this.ledger.begin(key) : undefined;
      if (key && !claim) return;
      sent = await this.deliverToCustomer(check.case, agent, bounded, claim);
      // The customer has the message: a failed record must not make the agent send it twice.
      await core.recordLive(check.case, 'agent', bounded, at, agent, messageId).catch((err: unknown) =>
        logger.warn('handoff.live_record_failed', { caseId: check.case.id, error: errorName(err) }),
      );
    });
    if (sent) core.emit({ type: 'agent_message', case: check.case, agent, text: redactor.redact(bounded), at });
    return check;
  }

  /**
   * Closes a case the agent holds: the customer is back with the bot, told so in a fixed, kind sentence in their
   * language, and asked for a 1–5 rating. The agent's note is internal: kept on the case (redacted) for the team,
   * never sent to the customer.
   */
  async close(caseId: string, agent: AgentIdentity, note?: string): Promise<AgentActionResult> {
    const core = this.core;
    const { ratingQuestion, logger } = core.settings;
    const check = this.checkHolder(await core.store.get(caseId), agent);
    if (!check.ok) return check;
    const internal = note?.trim() ? core.stored(note.trim(), MAX_NOTE_CHARS) : undefined;
    // "Awaiting a rating" is written with the resolve, atomically on the case: no conversation-state write that a
    // concurrent customer turn could overwrite.
    const resolved = await core.store.resolve(caseId, { by: agent.id, ...(internal ? { note: internal } : {}), ...(ratingQuestion ? { ratingRequested: true } : {}) });
    const m = handoffMessages(resolved.language);
    await core
      .lane(resolved.conversation.key, () => core.tellCustomer(resolved, ratingQuestion ? [m.closed(agent.name), m.rateQuestion] : [m.closed(agent.name)]))
      .catch((err: unknown) => logger.warn('handoff.closed_notice_failed', { caseId: resolved.id, error: errorName(err) }));
    core.emit({ type: 'resolved', case: resolved });
    return { ok: true, case: resolved };
  }

  /**
   * Sends the agent's words to the customer; with a relay claim, marks it done the moment the channel took them.
   *
   * @returns true (sent); a failure after the channel took the message is only logged.
   * @throws {@link CustomerUnreachableError} when it was not sent (the claim is given up, so the agent may retry).
   */
  private async deliverToCustomer(c: HandoffCase, agent: AgentIdentity, text: string, claim: RelayClaim | undefined): Promise<true> {
    let settled = false;
    // Recorded the moment the customer's channel took the message: a crash after that must not send it again.
    const onSent = claim
      ? async () => {
          await this.ledger.settle(claim);
          settled = true;
        }
      : undefined;
    try {
      // The customer sees who writes: the agent's display name, else "Agent" in their language (never an agent's id).
      const agentName = agent.name?.trim() || (c.language === 'fr' ? 'Conseiller' : 'Agent');
      await this.core.messenger.send(c.conversation, [{ text, role: 'agent', agentName }], onSent ? { onSent } : undefined);
    } catch (err) {
      if (!settled) {
        await this.ledger.release(claim);
        throw new CustomerUnreachableError(c.id, err);
      }
      this.core.settings.logger.warn('handoff.after_send_failed', { caseId: c.id, error: errorName(err) });
    }
    if (claim && !settled) await this.ledger.settle(claim);
    return true;
  }

  private checkHolder(c: HandoffCase | undefined, agent: AgentIdentity): AgentActionResult {
    if (!c) return { ok: false, reason: 'not_found' };
    if (c.state !== 'assigned') return { ok: false, reason: 'not_assigned', state: c.state };
    if (!c.agent || c.agent.id !== agent.id || c.agent.channel !== agent.channel) {
      return { ok: false, reason: 'not_yours', ...(c.agent ? { by: c.agent } : {}) };
    }
    return { ok: true, case: c };
  }
}
