import type { TranscriptEntry } from '../handoffCase';
import type { TranscriptStore } from './transcriptStore';

/** Options of {@link MemoryTranscriptStore}. */
export interface MemoryTranscriptStoreOptions {
  /** Entries kept per conversation. Default 100. */
  readonly maxEntries?: number;
  /** Conversations kept; the least recently written is forgotten first. Default 10,000. */
  readonly maxConversations?: number;
  /** A conversation's lines are forgotten this long after its last write, in ms. Default 7 days. */
  readonly retentionMs?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  readonly clock?: () => number;
}

/**
 * The embedded transcript store: recent redacted lines per conversation, in this process's memory.
 *
 * @remarks Bounded twice (entries per conversation, conversations overall) so a busy bot cannot grow without limit.
 * Lost on restart: use `RedisTranscriptStore` with several instances.
 */
export class MemoryTranscriptStore implements TranscriptStore {
  /** Map order is least recently written first. */
  private readonly conversations = new Map<string, { lines: TranscriptEntry[]; writtenAt: number }>();
  private readonly maxEntries: number;
  private readonly maxConversations: number;
  private readonly retentionMs: number;
  private readonly clock: () => number;

  constructor(options: MemoryTranscriptStoreOptions = {}) {
    this.maxEntries = positive(options.maxEntries ?? 100, 'maxEntries');
    this.maxConversations = positive(options.maxConversations ?? 10_000, 'maxConversations');
    this.retentionMs = positive(options.retentionMs ?? 7 * 24 * 3600_000, 'retentionMs');
    this.clock = options.clock ?? Date.now;
  }

  async append(conversationKey: string, entries: readonly TranscriptEntry[]): Promise<void> {
    if (!entries.length) return;
    const list = this.live(conversationKey)?.lines ?? [];
    // Re-insert so Map order is least recently written first.
    this.conversations.delete(conversationKey);
    list.push(...entries.map((e) => ({ ...e })));
    if (list.length > this.maxEntries) list.splice(0, list.length - this.maxEntries);
    this.conversations.set(conversationKey, { lines: list, writtenAt: this.clock() });
    while (this.conversations.size > this.maxConversations) {
      const oldest = this.conversations.keys().next().value as string;
      this.conversations.delete(oldest);
    }
    this.purgeExpired();
  }

  async read(conversationKey: string, limit?: number): Promise<TranscriptEntry[]> {
    const list = this.live(conversationKey)?.lines ?? [];
    const from = limit === undefined ? 0 : Math.max(0, list.length - limit);
    return list.slice(from).map((e) => ({ ...e }));
  }

  async clear(conversationKey: string): Promise<void> {
    this.conversations.delete(conversationKey);
  }

  /** Forgets the conversations last written longer than the retention ago (oldest first, so this stops early). */
  purgeExpired(): number {
    const before = this.clock() - this.retentionMs;
    let removed = 0;
    for (const [key, c] of this.conversations) {
      if (c.writtenAt > before) break;
      this.conversations.delete(key);
      removed += 1;
    }
    return removed;
  }

  private live(conversationKey: string): { lines: TranscriptEntry[]; writtenAt: number } | undefined {
    const c = this.conversations.get(conversationKey);
    if (c && c.writtenAt <= this.clock() - this.retentionMs) {
      this.conversations.delete(conversationKey);
      return undefined;
    }
    return c;
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`MemoryTranscriptStore: ${name} must be a positive integer`);
  return n;
}
