/** A delivery waiting in an {@link Outbox}. */
export interface OutboxItem {
  /** Idempotency key, sent as `X-Warmline-Delivery` on every attempt. */
  readonly id: string;
  /** Event name (`case.created`, `case.updated`, `case.message`...). */
  readonly event: string;
  /** The exact bytes to send (JSON text). Redacted before it is stored. */
  readonly body: string;
  readonly caseId?: string;
  /** Attempts started so far (a lease counts as an attempt). */
  readonly attempts: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds at which it is next due (or its lease ends). */
  readonly dueAt: number;
  /** Why the last attempt failed (status or error class, never a body). */
  readonly lastError?: string;
}

/** A delivery given up on; kept until retried or purged, never dropped silently. */
export interface FailedOutboxItem extends OutboxItem {
  /** Epoch milliseconds. */
  readonly failedAt: number;
  readonly reason: string;
}

/** What {@link Outbox.enqueue} stores. */
export interface NewOutboxItem {
  readonly id: string;
  readonly event: string;
  readonly body: string;
  readonly caseId?: string;
}

/**
 * A durable queue of outgoing deliveries with due times: at-least-once delivery that survives a restart.
 *
 * @remarks Implementations: `MemoryOutbox` (one process, lost on exit: tests and local runs) and `RedisOutbox`
 * (shared by every instance, survives restarts). A delivery is leased before it is sent: if the process dies
 * mid-send, the lease runs out and another worker sends it again with the same id.
 */
export interface Outbox {
  /** Stores a delivery due at `dueAt` (default now). Idempotent: an id already pending or failed is ignored. */
  enqueue(item: NewOutboxItem, dueAt?: number): Promise<void>;
  /**
   * Atomically takes up to `limit` deliveries due at `now`, oldest due first, counting an attempt for each and
   * hiding them from other workers until `now + leaseMs`.
   */
  lease(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  /** Removes a delivered item. */
  complete(id: string): Promise<void>;
  /** Makes a leased item due again at `dueAt` after a failed attempt. */
  reschedule(id: string, dueAt: number, lastError: string): Promise<void>;
  /** Moves an item to the failed list with a reason (e.g. a 4xx answer or too many attempts). */
  fail(id: string, reason: string, now?: number): Promise<void>;
  /** Failed deliveries, most recent first. */
  listFailed(limit?: number): Promise<FailedOutboxItem[]>;
  /** Puts a failed delivery back in the queue (attempts reset); false when there is no such failed item. */
  retryFailed(id: string, dueAt?: number): Promise<boolean>;
  /** Number of pending (not failed) deliveries, leased ones included. */
  size(): Promise<number>;
  /** Due time of the earliest pending delivery, or `undefined` when none. */
  nextDueAt(): Promise<number | undefined>;
  /** Releases connections it owns. */
  dispose(): Promise<void>;
}
