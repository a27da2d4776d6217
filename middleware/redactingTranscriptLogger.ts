import { ActivityTypes, type Activity, type TranscriptLogger } from 'botbuilder-core';
import { conversationKey } from './handoff/conversationPointer';
import type { TranscriptEntry } from './handoff/handoffCase';
import { defaultRedactor, type Redactor } from './handoff/redaction';
import type { TranscriptStore } from './handoff/transcripts/transcriptStore';
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
 * @remarks Use it with botbuilder's `TranscriptLoggerMiddleware`, after the input guard (a message the guard shortened
 * is recorded as the bot saw it). Only message activities with text or attachments are kept;
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

  /** Stores the activity's redacted line, if it has one; a failure goes to `onError`, never to the turn. */
  async logActivity(activity: Activity): Promise<void> {
    try {
      const entry = this.toEntry(activity);
      if (entry) await this.store.append(conversationKey(activity), [entry]);
    } catch (err) {
      this.options.onError?.(err);
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
