import { ActivityTypes, type Activity, type TranscriptLogger } from 'botbuilder-core';
import { conversationKey } from '../handoff/conversationPointer';
import type { TranscriptEntry } from '../handoff/handoffCase';
import { defaultRedactor, type Redactor } from '../handoff/redaction';
import type { TranscriptStore } from './transcriptStore';
import { TRANSCRIPT_ROLE, type RoleMarkedActivity } from './transcriptRole';

/** Options of {@link RedactingTranscriptLogger}. */
export interface RedactingTranscriptLoggerOptions {
  /** Redacts every line before it is stored. Default: the built-in redactor (cards, IBANs, e-mails, phones). */
  readonly redactor?: Redactor;
  /** Activities to leave out (e.g. agents' own conversations). Default none. */
  readonly skip?: (activity: Partial<Activity>) => boolean;
  /** Longest stored line in characters (longer ones are cut with `…`). Default 4000. */
  readonly maxTextChars?: number;
  /** Called when a write fails (the turn is never affected). Default: ignore. */
  readonly onError?: (error: unknown) => void;
}

/**
 * A botbuilder `TranscriptLogger` that keeps REDACTED message lines per conversation in a {@link TranscriptStore}.
 *
 * @remarks Use it with `TranscriptLoggerMiddleware` (or Warmline's `TranscriptMiddleware`, which also records the
 * full text of messages the input guard shortened). Only message activities with text or attachments are kept;
 * incoming messages are `customer` lines, outgoing ones `bot` lines unless marked with `markTranscriptRole`.
 * Personal data never reaches the store: the text is redacted before the write.
 * @example adapter.use(new TranscriptLoggerMiddleware(new RedactingTranscriptLogger(new MemoryTranscriptStore())));
 */
export class RedactingTranscriptLogger implements TranscriptLogger {
  private readonly redactor: Redactor;
  private readonly maxTextChars: number;

  constructor(
    readonly store: TranscriptStore,
    private readonly options: RedactingTranscriptLoggerOptions = {},
  ) {
    if (!store) throw new TypeError('RedactingTranscriptLogger: store is required');
    this.redactor = options.redactor ?? defaultRedactor;
    this.maxTextChars = options.maxTextChars ?? 4000;
  }

  async logActivity(activity: Activity): Promise<void> {
    const entry = this.safeEntry(activity);
    if (entry) await this.appendEntries(conversationKey(activity), [entry]);
  }

  /**
   * Appends lines made by {@link RedactingTranscriptLogger.toEntry} to a conversation's transcript in one write;
   * a failure goes to `onError`, never to the caller.
   */
  async appendEntries(key: string, entries: readonly TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.store.append(key, entries);
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  /** {@link RedactingTranscriptLogger.toEntry}, with an error (e.g. from a custom redactor) reported to `onError` as `undefined`. */
  safeEntry(activity: Partial<Activity>): TranscriptEntry | undefined {
    try {
      return this.toEntry(activity);
    } catch (err) {
      this.options.onError?.(err);
      return undefined;
    }
  }

  /** The transcript line for an activity, or `undefined` when it is not kept. */
  toEntry(activity: Partial<Activity>): TranscriptEntry | undefined {
    if (!activity || activity.type !== ActivityTypes.Message || !activity.conversation?.id) return undefined;
    if (this.options.skip?.(activity)) return undefined;
    const marked = (activity as RoleMarkedActivity)[TRANSCRIPT_ROLE];
    const role: TranscriptEntry['role'] = marked ?? (activity.from?.role === 'bot' ? 'bot' : activity.from?.role === 'user' ? 'customer' : 'bot');
    let text = typeof activity.text === 'string' ? activity.text.trim() : '';
    if (!text && activity.attachments?.length) text = `[${activity.attachments.map((a) => cardName(a.contentType)).join(', ')}]`;
    if (!text && activity.value !== undefined) text = '[button]';
    if (!text) return undefined;
    if (text.length > this.maxTextChars) text = `${text.slice(0, this.maxTextChars - 1)}…`;
    const at = activity.timestamp ? new Date(activity.timestamp).toISOString() : new Date().toISOString();
    return { role, text: this.redactor.redact(text), at };
  }
}

const cardName = (contentType: string | undefined): string =>
  contentType === 'application/vnd.microsoft.card.adaptive' ? 'card' : contentType?.startsWith('image/') ? 'image' : 'attachment';
