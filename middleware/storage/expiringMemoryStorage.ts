import { MemoryStorage, type Storage, type StoreItems } from 'botbuilder-core';

/** Options of {@link ExpiringMemoryStorage}. */
export interface ExpiringMemoryStorageOptions {
  /** An item is forgotten this long after its last write, in ms. */
  readonly retentionMs: number;
  /** Clock in epoch ms. @defaultValue `Date.now` */
  readonly clock?: () => number;
}

/**
 * botbuilder's `MemoryStorage` with a retention: an item is forgotten `retentionMs` after its last write.
 *
 * @remarks Reads, writes, eTags and conflicts are `MemoryStorage`'s own; this wrapper only remembers when each key was
 * last written, hides an item once its retention is over and deletes it then, and {@link purgeExpired} deletes
 * every expired item (the app calls it on a timer, so conversations nobody reads again do not stay in memory). For
 * one process only: with several instances use `RedisStorage`.
 * @example
 * const storage = new ExpiringMemoryStorage({ retentionMs: 30 * 24 * 3600_000 });
 * const conversationState = new ConversationState(storage);
 */
export class ExpiringMemoryStorage implements Storage {
  private readonly inner = new MemoryStorage();
  /** Epoch ms of each key's last write; Map order is least recently written first. */
  private readonly writtenAt = new Map<string, number>();
  private readonly retentionMs: number;
  private readonly clock: () => number;

  constructor(options: ExpiringMemoryStorageOptions) {
    if (!(options?.retentionMs > 0)) throw new TypeError('ExpiringMemoryStorage: retentionMs must be positive');
    this.retentionMs = options.retentionMs;
    this.clock = options.clock ?? Date.now;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const expired = keys.filter((key) => this.isExpired(key));
    if (expired.length > 0) await this.forget(expired);
    return this.inner.read(keys);
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    const keys = Object.keys(changes);
    // An expired item is gone before the write, as if it had been purged: a stale eTag cannot revive it.
    const expired = keys.filter((key) => this.isExpired(key));
    if (expired.length > 0) await this.forget(expired);
    try {
      await this.inner.write(changes);
    } finally {
      // MemoryStorage writes the rest of a batch when one item conflicts, so every key's clock restarts (a conflicting
      // item's too: at worst it is kept one retention longer).
      const now = this.clock();
      for (const key of keys) {
        this.writtenAt.delete(key);
        this.writtenAt.set(key, now);
      }
    }
  }

  async delete(keys: string[]): Promise<void> {
    await this.forget(keys);
  }

  /** Deletes the items last written longer than the retention ago; resolves with how many. */
  async purgeExpired(): Promise<number> {
    const expired: string[] = [];
    for (const key of this.writtenAt.keys()) {
      if (!this.isExpired(key)) break;
      expired.push(key);
    }
    if (expired.length > 0) await this.forget(expired);
    return expired.length;
  }

  private isExpired(key: string): boolean {
    const at = this.writtenAt.get(key);
    return at !== undefined && this.clock() - at >= this.retentionMs;
  }

  private async forget(keys: string[]): Promise<void> {
    for (const key of keys) this.writtenAt.delete(key);
    await this.inner.delete(keys);
  }
}
