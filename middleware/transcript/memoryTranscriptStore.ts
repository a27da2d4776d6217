import type { TranscriptEntry } from '../handoff/handoffCase';
import type { TranscriptStore } from './transcriptStore';

/** Options of {@link MemoryTranscriptStore}. */
export interface MemoryTranscriptStoreOptions {
  /** Entries kept per conversation. Default 100. */
  readonly maxEntries?: number;
  /** Conversations kept; the least recently written is forgotten first. Default 10,000. */
  readonly maxConversations?: number;
}

/**
 * The embedded transcript store: recent redacted lines per conversation, in this process's memory.
 *
 * @remarks Bounded twice (entries per conversation, conversations overall) so a busy bot cannot grow without limit.
 * Lost on restart: use `RedisTranscriptStore` with several instances.
 */
export class MemoryTranscriptStore implements TranscriptStore {
  private readonly conversations = new Map<string, TranscriptEntry[]>();
  private readonly maxEntries: number;
  private readonly maxConversations: number;

  constructor(options: MemoryTranscriptStoreOptions = {}) {
    this.maxEntries = positive(options.maxEntries ?? 100, 'maxEntries');
    this.maxConversations = positive(options.maxConversations ?? 10_000, 'maxConversations');
  }

  async append(conversationKey: string, entries: readonly TranscriptEntry[]): Promise<void> {
    if (!entries.length) return;
    const list = this.conversations.get(conversationKey) ?? [];
    // Re-insert so Map order is least recently written first.
    this.conversations.delete(conversationKey);
    list.push(...entries.map((e) => ({ ...e })));
    if (list.length > this.maxEntries) list.splice(0, list.length - this.maxEntries);
    this.conversations.set(conversationKey, list);
    while (this.conversations.size > this.maxConversations) {
      const oldest = this.conversations.keys().next().value as string;
      this.conversations.delete(oldest);
    }
  }

  async read(conversationKey: string, limit?: number): Promise<TranscriptEntry[]> {
    const list = this.conversations.get(conversationKey) ?? [];
    const from = limit === undefined ? 0 : Math.max(0, list.length - limit);
    return list.slice(from).map((e) => ({ ...e }));
  }

  async clear(conversationKey: string): Promise<void> {
    this.conversations.delete(conversationKey);
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`MemoryTranscriptStore: ${name} must be a positive integer`);
  return n;
}
