import { silentLogger, type Logger } from '../shared/logger';
import { MemoryReplayCache, type ReplayCache } from '../shared/replayCache';
import type { SummaryLanguage } from './caseSummary';
import type { HubConnector } from './hubs/hubConnector';
import type { Messenger } from './messenger';
import { defaultRedactor, type Redactor } from './redaction';
import type { HandoffStore } from './stores/handoffStore';

/** Options of `HandoffService`. */
export interface HandoffServiceOptions {
  readonly store: HandoffStore;
  /** Proactive sends to customers and agents (the Bot Framework host's is `adapterMessenger`). */
  readonly messenger: Messenger;
  /** Hubs told about cases; more can be added with `addConnector`. Default none. */
  readonly connectors?: readonly HubConnector[];
  /** Ask the customer for a 1–5 rating when a case is closed. Default true. */
  readonly ratingQuestion?: boolean;
  /** How long after a close a 1–5 reply still counts as the rating. Default 24 hours. */
  readonly ratingWindowMs?: number;
  /** Longest wait in the queue before the customer is offered a callback (`sweep`). Default 10 minutes. */
  readonly maxWaitMs?: number;
  /** How long an agent stays present without writing to the bot. Default 8 hours. */
  readonly presenceTtlMs?: number;
  /**
   * Redacts everything a customer or an agent wrote before it is stored (waiting messages, live chat, close notes,
   * evidence, the summary, undelivered messages). Default: the built-in redactor (cards, IBANs, e-mails, phone
   * numbers), which knows no tracking number: the app gives one with the bot's tracking-number finder.
   */
  readonly redactor?: Redactor;
  /**
   * Masks what an agent reads live (relayed to Teams or Slack, streamed to the console): card numbers are masked for
   * agents too (PCI DSS), e-mail addresses and phone numbers are shown to the assigned agent only. Default: `redactor`
   * with only its card rule.
   */
  readonly liveRedactor?: Redactor;
  /**
   * Remembers which relays were done, by the channel's activity id (or the console's message id), so a retried
   * activity is relayed once, across instances when shared (`RedisReplayCache`). Default: in this process's memory.
   */
  readonly relayLedger?: ReplayCache;
  /** Longest text kept or relayed per message (the input guard's limit). Default 4000. */
  readonly maxTextChars?: number;
  /**
   * Collected data the customer gave for a purpose, kept in clear on the case for the agent who takes it (and erased
   * with the case): every other collected value is redacted like free text. Default `['orderEmail']` (the address a
   * person uses to find an order).
   */
  readonly purposeFields?: readonly string[];
  /** Language of the case summary agents read. Default `en`. */
  readonly summaryLanguage?: SummaryLanguage;
  /** Transcript lines copied into a case. Default 50. */
  readonly transcriptLines?: number;
  /** Queued customers told their new position after a change. Default 25. */
  readonly positionUpdates?: number;
  /** Consecutive failed relays to an agent after which the case goes back to the queue. Default 3. */
  readonly relayFailureLimit?: number;
  /** Clock. Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** Where problems are reported (ids and error names only, never customer text). Default: silent. */
  readonly logger?: Logger;
}

/** {@link HandoffServiceOptions} with every default applied: what the handoff's modules read. */
export interface HandoffSettings {
  readonly ratingQuestion: boolean;
  readonly ratingWindowMs: number;
  readonly maxWaitMs: number;
  readonly presenceTtlMs: number;
  readonly redactor: Redactor;
  readonly liveRedactor: Redactor;
  readonly relayLedger: ReplayCache;
  readonly maxTextChars: number;
  readonly purposeFields: ReadonlySet<string>;
  readonly summaryLanguage: SummaryLanguage;
  readonly transcriptLines: number;
  readonly positionUpdates: number;
  readonly relayFailureLimit: number;
  readonly clock: () => Date;
  readonly logger: Logger;
}

/** Collected values kept in clear by default: given by the customer for a person to act on. */
export const DEFAULT_PURPOSE_FIELDS: readonly string[] = ['orderEmail'];

/**
 * Applies the defaults of {@link HandoffServiceOptions} and checks them.
 *
 * @throws TypeError for a missing store or messenger, or a wait or presence time that is not positive.
 */
export function resolveHandoffSettings(options: HandoffServiceOptions): HandoffSettings {
  if (!options?.store) throw new TypeError('HandoffService: store is required');
  if (!options.messenger) throw new TypeError('HandoffService: messenger is required');
  const redactor = options.redactor ?? defaultRedactor;
  const settings: HandoffSettings = {
    ratingQuestion: options.ratingQuestion ?? true,
    ratingWindowMs: options.ratingWindowMs ?? 24 * 3600_000,
    maxWaitMs: options.maxWaitMs ?? 10 * 60_000,
    presenceTtlMs: options.presenceTtlMs ?? 8 * 3600_000,
    redactor,
    liveRedactor: options.liveRedactor ?? redactor.restrictTo(['card']),
    relayLedger: options.relayLedger ?? new MemoryReplayCache({ maxEntries: 100_000 }),
    maxTextChars: options.maxTextChars ?? 4000,
    purposeFields: new Set(options.purposeFields ?? DEFAULT_PURPOSE_FIELDS),
    summaryLanguage: options.summaryLanguage ?? 'en',
    transcriptLines: options.transcriptLines ?? 50,
    positionUpdates: options.positionUpdates ?? 25,
    relayFailureLimit: options.relayFailureLimit ?? 3,
    clock: options.clock ?? (() => new Date()),
    logger: options.logger ?? silentLogger,
  };
  if (!(settings.maxWaitMs > 0)) throw new TypeError('HandoffService: maxWaitMs must be positive');
  if (!(settings.presenceTtlMs > 0)) throw new TypeError('HandoffService: presenceTtlMs must be positive');
  return settings;
}
