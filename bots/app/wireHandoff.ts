import type { CloudAdapterBase } from 'botbuilder';
import { AgentDesk } from '../agentDesk/agentDesk';
import { SlackWebApi } from '../agentDesk/slackWebApi';
import { adapterMessenger, type AdapterMessenger } from '../../middleware/adapterMessenger';
import type { AgentDirectory } from '../../middleware/handoff/agentDirectory';
import { HandoffService } from '../../middleware/handoff/handoffService';
import type { HandoffStore } from '../../middleware/handoff/stores/handoffStore';
import { MemoryHandoffStore } from '../../middleware/handoff/stores/memoryHandoffStore';
import { RedisHandoffStore } from '../../middleware/handoff/stores/redisHandoffStore';
import { MemoryTranscriptStore } from '../../middleware/handoff/transcripts/memoryTranscriptStore';
import { RedisTranscriptStore } from '../../middleware/handoff/transcripts/redisTranscriptStore';
import type { TranscriptStore } from '../../middleware/handoff/transcripts/transcriptStore';
import { RedisReplayCache } from '../../middleware/shared/redisReplayCache';
import { MemoryReplayCache, type ReplayCache } from '../../middleware/shared/replayCache';
import { trackingAwareRedactor } from './trackingAwareRedactor';
import type { WiringContext } from './wiringContext';

/** What {@link wireHandoff} builds on. */
export interface HandoffWiringInput {
  /** Proactive sends (relays, notices) go through it. */
  readonly adapter: CloudAdapterBase;
  /** Agents in Teams, Slack or any channel (`WARMLINE_AGENTS`). */
  readonly agents: AgentDirectory;
  /** Cases, queue and presence (the caller keeps ownership). @defaultValue from `STORAGE`, closed with the app */
  readonly handoffStore?: HandoffStore;
  /** Redacted transcripts (the caller keeps ownership). @defaultValue from `STORAGE` */
  readonly transcriptStore?: TranscriptStore;
}

/** The handoff domain as wired: the orchestrator, its stores and the built-in agent desk. */
export interface HandoffWiring {
  readonly handoff: HandoffService;
  readonly handoffStore: HandoffStore;
  readonly transcripts: TranscriptStore;
  /** The built-in agent desk (Teams, Slack, any channel), registered as a hub connector. */
  readonly agentDesk: AgentDesk;
  readonly agents: AgentDirectory;
  readonly messenger: AdapterMessenger;
  /** Which activities were handled and which relays were done, by the channel's activity id. */
  readonly ledger: ReplayCache;
}

/**
 * The handoff domain on the chosen storage: transcripts, cases and queue, the activity ledger, the `HandoffService`
 * and the built-in agent desk as its first hub connector.
 *
 * @remarks On stop, work in flight (relays, notices) is awaited, then a store this function made is disposed.
 */
export function wireHandoff(wiring: WiringContext, input: HandoffWiringInput): HandoffWiring {
  const { config, stores, lifecycle, logger } = wiring;
  const { adapter, agents } = input;
  const { retentionMs } = stores;
  // Exactly-once turns on the channel's activity id, across instances with Redis: a retried activity is not handled,
  // stored or relayed twice. The same ledger remembers the relays themselves.
  const ledger: ReplayCache = stores.useRedis
    ? new RedisReplayCache({ redis: stores.redis(), keyPrefix: stores.key('activity:') })
    : new MemoryReplayCache({ maxEntries: 100_000 });
  const transcripts: TranscriptStore =
    input.transcriptStore ??
    (stores.useRedis
      ? new RedisTranscriptStore({ redis: stores.redis(), keyPrefix: stores.key('transcript:'), ttlSeconds: Math.round(retentionMs / 1000) })
      : new MemoryTranscriptStore({ retentionMs }));
  let handoffStore = input.handoffStore;
  if (!handoffStore) {
    const owned: HandoffStore = stores.useRedis
      ? new RedisHandoffStore({ redis: stores.redis(), keyPrefix: stores.key('handoff:'), retentionMs })
      : new MemoryHandoffStore({ retentionMs });
    lifecycle.onStop('stores', () => owned.dispose());
    handoffStore = owned;
  }
  const messenger = adapterMessenger(adapter, config.MicrosoftAppId ?? '');
  const handoff = new HandoffService({
    store: handoffStore,
    messenger,
    redactor: trackingAwareRedactor,
    maxWaitMs: config.HANDOFF_MAX_WAIT_SECONDS * 1000,
    presenceTtlMs: config.AGENT_PRESENCE_TTL_MINUTES * 60_000,
    summaryLanguage: config.HANDOFF_AGENT_LANGUAGE,
    relayLedger: ledger,
    maxTextChars: config.MAX_TEXT_CHARS,
    logger,
  });
  lifecycle.onStop('work', () => handoff.idle());
  const agentDesk = new AgentDesk({
    service: handoff,
    agents,
    messenger,
    slack: new SlackWebApi({ baseUrl: config.SLACK_API_BASE_URL }),
    language: config.HANDOFF_AGENT_LANGUAGE,
    logger,
  });
  handoff.addConnector(agentDesk);
  return { handoff, handoffStore, transcripts, agentDesk, agents, messenger, ledger };
}
