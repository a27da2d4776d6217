import { transition, type HandoffCase, type QueuedMessage } from './handoffCase';
import { errorName, omit, type HandoffCore } from './handoffCore';
import type { AgentDelivery } from './hubs/hubConnector';
import type { QueueAnnouncer } from './queueAnnouncer';
import type { RelayClaim, RelayLedger } from './relayLedger';

/** Told to an agent after a message cut to `maxTextChars` (Teams also refuses activities over about 28 KB). */
const SHORTENED = '… (message shortened: ask the customer for the rest if you need it)';

/** What became of a customer message relayed to the agent who holds the case. */
export type RelayOutcome = 'relayed' | 'saved' | 'requeued' | 'closed';

/**
 * Relays a customer's messages to the agent who holds their case, through the hub connectors, in order and once per
 * activity; keeps on the case what the agent could not receive, and puts the case back in the queue when the agent
 * stays unreachable.
 */
export class AgentRelay {
  constructor(
    private readonly core: HandoffCore,
    private readonly ledger: RelayLedger,
    private readonly announcer: QueueAnnouncer,
  ) {}

  /**
   * Relays `text` (already cut to `maxTextChars`; `shortened` when it was cut) to the case's agent, after the earlier
   * messages the agent never got.
   *
   * @returns `relayed`; `saved` when the agent could not be reached (kept on the case); `requeued` when that happened
   * `relayFailureLimit` times in a row; `closed` when the case is no longer assigned.
   * @throws `RetryLaterError` when another instance is relaying the same activity right now.
   */
  async relay(c: HandoffCase, text: string, at: string, activityId: string | undefined, shortened: boolean): Promise<RelayOutcome> {
    const { redactor, liveRedactor } = this.core.settings;
    const stored: QueuedMessage = { text: redactor.redact(text), at, ...(activityId ? { activityId } : {}) };
    // Earlier messages the agent never got go first (stored, so redacted), so the agent reads everything in order.
    const live = `${liveRedactor.redact(text)}${shortened ? SHORTENED : ''}`;
    const key = activityId ? `relay:to-agent:${c.id}:${activityId}` : undefined;
    let claim: RelayClaim | undefined;
    let settled = false;
    // Recorded the moment the agent's channel took the message: a crash after that must not relay it again.
    const onSent = key
      ? async () => {
          if (claim) await this.ledger.settle(claim);
          settled = true;
        }
      : undefined;
    const batch: AgentDelivery[] = [...(c.undelivered ?? []).map((m) => ({ text: m.text, at: m.at })), { text: live, at, ...(onSent ? { onSent } : {}) }];
    let sent = 0;
    let outcome = 'delivered' as 'delivered' | 'closed' | 'duplicate' | 'failed';
    await this.core.lane(c.conversation.key, async () => {
      // The agent may have closed the case while this message was on its way: then it is the bot's turn.
      const fresh = await this.core.store.get(c.id);
      if (fresh?.state !== 'assigned') {
        outcome = 'closed';
        return;
      }
      if (key) {
        claim = await this.ledger.begin(key);
        if (!claim) {
          outcome = 'duplicate';
          return;
        }
      }
      try {
        // The case is the record (and, through the store's case event, the web console's live feed): the new line
        // goes on the case before delivery; earlier undelivered ones are already there.
        await this.core.recordLive(c, 'customer', text, at, undefined, activityId);
      } catch (err) {
        await this.ledger.release(claim);
        throw err; // nothing was delivered: the channel's retry starts afresh
      }
      sent = await this.deliverBatch(c, batch);
      if (sent < batch.length) {
        outcome = 'failed';
        return;
      }
      if (claim && !settled) await this.ledger.settle(claim);
    });
    if (outcome === 'closed') return 'closed';
    if (outcome === 'duplicate') return 'relayed';
    if (outcome === 'failed') {
      // Kept on the case for the next relay before this activity counts as done.
      const result = await this.relayFailed(c, stored, Math.min(sent, batch.length - 1)).catch(async (err: unknown) => {
        await this.ledger.release(claim);
        throw err;
      });
      if (claim) await this.ledger.settle(claim);
      return result;
    }
    if (c.undelivered?.length || c.relayFailures) {
      // Only after a failure: the hot path writes nothing but the live line.
      await this.core.store.update(c.id, (x) => {
        const rest = omit(x, 'undelivered', 'relayFailures');
        const left = (x.undelivered ?? []).slice(sent - 1);
        return x.state === 'assigned' ? { ...rest, ...(left.length ? { undelivered: left } : {}) } : x;
      });
    }
    for (const m of [...(c.undelivered ?? []), stored]) this.core.emit({ type: 'customer_message', case: c, text: m.text, at: m.at });
    return 'relayed';
  }

  /** Delivers the messages in order; returns how many went (all of them unless the agent could not be reached). */
  private async deliverBatch(c: HandoffCase, batch: readonly AgentDelivery[]): Promise<number> {
    let sent = 0;
    for (const m of batch) {
      try {
        await this.deliverToAgent(c, m);
      } catch (err) {
        // A channel that refuses this one message (400, 413) would refuse it forever and hold back every later
        // one: skip it (it is on the case) rather than count the agent as unreachable.
        if (!isRefusedMessage(err)) return sent;
        this.core.settings.logger.warn('handoff.relay_message_refused', { caseId: c.id, error: errorName(err) });
      }
      sent += 1;
    }
    return sent;
  }

  private async deliverToAgent(c: HandoffCase, message: AgentDelivery): Promise<void> {
    const logger = this.core.settings.logger;
    for (const connector of this.core.hubs) {
      if (!connector.deliverToAgent) continue;
      try {
        if (await connector.deliverToAgent(c, message)) return;
      } catch (err) {
        logger.warn('handoff.relay_failed', { caseId: c.id, connector: connector.name, error: errorName(err) });
        throw err; // the caller keeps the message on the case (see relayFailed)
      }
    }
    // No hub claimed it: the transcript and the event still hold the message; say so without its text.
    logger.warn('handoff.relay_undelivered', { caseId: c.id, agentChannel: c.agent?.channel });
  }

  /** Keeps a message the agent could not receive; at the limit, puts the case back in the queue. */
  private async relayFailed(c: HandoffCase, message: QueuedMessage, deliveredBacklog: number): Promise<'saved' | 'requeued' | 'closed'> {
    const { store, settings } = this.core;
    const updated = await store.update(c.id, (x) =>
      x.state === 'assigned'
        ? { ...x, undelivered: [...(x.undelivered ?? []).slice(deliveredBacklog), message].slice(-500), relayFailures: (x.relayFailures ?? 0) + 1 }
        : x,
    );
    if (updated.state !== 'assigned') return 'closed';
    if ((updated.relayFailures ?? 0) < settings.relayFailureLimit) return 'saved';
    const at = settings.clock();
    const unsent = updated.undelivered ?? [];
    const requeued = await store.update(c.id, (x) => {
      if (x.state !== 'assigned') return x;
      const moved = transition(x, 'queued', { by: 'system', note: `agent ${x.agent?.id ?? ''} unreachable after ${settings.relayFailureLimit} tries: back in the queue`, at });
      const rest = omit(moved, 'agent', 'agentConversation', 'undelivered', 'relayFailures');
      // They were already served once: first in line again.
      return { ...rest, priority: 'high' as const };
    });
    if (requeued.state !== 'queued') return 'closed';
    for (const m of unsent) await store.appendCustomerMessage(c.id, m);
    settings.logger.warn('handoff.requeued_unreachable_agent', { caseId: c.id, agentChannel: c.agent?.channel });
    this.core.emit({ type: 'queued', case: (await store.get(c.id)) ?? requeued });
    const position = await store.queuePosition(c.id);
    if (position !== undefined) this.announcer.behind(position);
    return 'requeued';
  }
}

/** A channel's definitive refusal of one message (bad request, too large), as opposed to an unreachable agent. */
const isRefusedMessage = (err: unknown): boolean => {
  const status = (err as { statusCode?: unknown; status?: unknown } | undefined)?.statusCode ?? (err as { status?: unknown } | undefined)?.status;
  return status === 400 || status === 413;
};
