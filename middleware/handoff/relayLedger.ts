import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger';
import type { ReplayCache } from '../shared/replayCache';
import { RetryLaterError } from '../shared/retryLater';
import { errorName } from './handoffCore';

/** A relay claimed in the ledger: its key and this claim's own token. */
export interface RelayClaim {
  readonly key: string;
  readonly owner: string;
}

/** How long a relay in progress holds its key (an instance that dies mid-relay gives it up after this). */
const RELAY_LEASE_MS = 15_000;
/** How long a done relay is remembered, so a channel's late retry is not relayed again. */
const RELAY_KEEP_MS = 24 * 3600_000;
/** Tries to record a done relay through a storage blip (about 10 s in all). */
const SETTLE_ATTEMPTS = 8;

/**
 * Relays done once: a message relayed (customer to agent, agent to customer) is claimed by its key (the channel's
 * activity id, the console's message id) before it is sent and marked done once the channel took it, so a retried
 * activity is relayed once, on any instance that shares the {@link ReplayCache}.
 */
export class RelayLedger {
  constructor(
    private readonly cache: ReplayCache,
    private readonly logger: Logger,
  ) {}

  /**
   * Claims a relay by its key: the claim when this call must do it, `undefined` when it was done already.
   *
   * @throws {@link RetryLaterError} while another call (any instance) is doing it.
   */
  async begin(key: string): Promise<RelayClaim | undefined> {
    const claim: RelayClaim = { key, owner: randomUUID() };
    const state = await this.cache.begin(key, RELAY_LEASE_MS, claim.owner).catch(async (err: unknown) => {
      // A claim that timed out may still be applied later: give it up behind it (see ActivityDedupMiddleware).
      await this.release(claim);
      throw err;
    });
    if (state === 'done') return undefined;
    if (state === 'pending') throw new RetryLaterError('the same message is being relayed right now', { retryAfterSeconds: 2, reason: 'busy' });
    return claim;
  }

  /** Gives a relay claim up (only this claim: never one made after its lease ran out, nor a done relay). */
  release(claim: RelayClaim | undefined): Promise<void> {
    return claim ? this.cache.release(claim.key, claim.owner).catch(() => undefined) : Promise.resolve();
  }

  /**
   * Marks a relay done. It already happened, so the mark is retried through a storage blip rather than given up:
   * a lost mark would let the channel's retry relay the message twice.
   */
  async settle(claim: RelayClaim): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.cache.complete(claim.key, RELAY_KEEP_MS, claim.owner);
        return;
      } catch (err) {
        if (attempt >= SETTLE_ATTEMPTS) {
          this.logger.warn('handoff.relay_mark_failed', { error: errorName(err) });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }
}
