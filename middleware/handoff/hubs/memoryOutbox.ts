import type { FailedOutboxItem, NewOutboxItem, Outbox, OutboxItem } from './outbox';

/**
 * An {@link Outbox} in process memory.
 *
 * @remarks For tests and single-process local runs: pending deliveries are lost when the process exits. Use
 * `RedisOutbox` in production.
 */
export class MemoryOutbox implements Outbox {
  private readonly pending = new Map<string, OutboxItem>();
  private readonly failed = new Map<string, FailedOutboxItem>();
  private readonly retentionMs: number;

  /** @param options.retentionMs how long a failed delivery is kept. @defaultValue 30 days (`RETENTION_DAYS`) */
  constructor(options: { readonly retentionMs?: number } = {}) {
    this.retentionMs = options.retentionMs ?? 30 * 24 * 3600_000;
    if (!(this.retentionMs > 0)) throw new TypeError('MemoryOutbox: retentionMs must be positive');
  }

  async enqueue(item: NewOutboxItem, dueAt: number = Date.now()): Promise<void> {
    if (this.pending.has(item.id) || this.failed.has(item.id)) return;
    this.pending.set(item.id, { ...item, attempts: 0, createdAt: Date.now(), dueAt });
  }

  async lease(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    const due = [...this.pending.values()].filter((i) => i.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.createdAt - b.createdAt);
    return due.slice(0, limit).map((i) => {
      const leased = { ...i, attempts: i.attempts + 1, dueAt: now + leaseMs };
      this.pending.set(i.id, leased);
      return { ...leased };
    });
  }

  async complete(id: string): Promise<void> {
    this.pending.delete(id);
  }

  async reschedule(id: string, dueAt: number, lastError: string): Promise<void> {
    const item = this.pending.get(id);
    if (item) this.pending.set(id, { ...item, dueAt, lastError });
  }

  async fail(id: string, reason: string, now: number = Date.now()): Promise<void> {
    const item = this.pending.get(id);
    if (!item) return;
    this.pending.delete(id);
    this.failed.set(id, { ...item, failedAt: now, reason });
    for (const [key, failed] of this.failed) if (failed.failedAt <= now - this.retentionMs) this.failed.delete(key);
  }

  async listFailed(limit = 100): Promise<FailedOutboxItem[]> {
    return [...this.failed.values()].sort((a, b) => b.failedAt - a.failedAt).slice(0, limit).map((i) => ({ ...i }));
  }

  async retryFailed(id: string, dueAt: number = Date.now()): Promise<boolean> {
    const item = this.failed.get(id);
    if (!item) return false;
    this.failed.delete(id);
    const { id: itemId, event, body, caseId, createdAt } = item;
    this.pending.set(id, { id: itemId, event, body, createdAt, dueAt, attempts: 0, ...(caseId ? { caseId } : {}) });
    return true;
  }

  async size(): Promise<number> {
    return this.pending.size;
  }

  async nextDueAt(): Promise<number | undefined> {
    let min: number | undefined;
    for (const i of this.pending.values()) if (min === undefined || i.dueAt < min) min = i.dueAt;
    return min;
  }

  async dispose(): Promise<void> {}
}
