import type { TranscriptEntry } from '../handoffCase';

/**
 * A bounded, per-conversation store of redacted transcript lines.
 *
 * @remarks Implementations: `MemoryTranscriptStore` (one process) and `RedisTranscriptStore` (shared, survives
 * restarts). Each conversation keeps only its most recent entries; entries hold text that is already redacted.
 * Keys are `` `${channelId}/${conversationId}` `` (see `conversationKey`).
 */
export interface TranscriptStore {
  /** Appends entries to a conversation's transcript, dropping the oldest beyond the store's bound. */
  append(conversationKey: string, entries: readonly TranscriptEntry[]): Promise<void>;
  /** The most recent `limit` entries (default: all kept), oldest first. */
  read(conversationKey: string, limit?: number): Promise<TranscriptEntry[]>;
  /** Forgets a conversation's transcript. */
  clear(conversationKey: string): Promise<void>;
}
