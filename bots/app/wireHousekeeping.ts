import type { Storage } from 'botbuilder';
import { errorFields } from '../../middleware/shared/logger';
import type { HandoffService } from '../../middleware/handoff/handoffService';
import { MemoryTranscriptStore } from '../../middleware/handoff/transcripts/memoryTranscriptStore';
import type { TranscriptStore } from '../../middleware/handoff/transcripts/transcriptStore';
import { ExpiringMemoryStorage } from '../../middleware/storage/expiringMemoryStorage';
import type { WiringContext } from './wiringContext';

/** What the housekeeping looks after. */
export interface HousekeepingInput {
  readonly handoff: HandoffService;
  readonly transcripts: TranscriptStore;
  /** Bot state storage, purged when it is Warmline's in-memory one. */
  readonly storage?: Storage;
}

/**
 * One timer, from start to stop, that times out cases waiting too long (`HANDOFF_MAX_WAIT_SECONDS`, checked four times
 * in that time, between every second and every 30 s) and deletes what outlived its retention in this process's
 * memory (Redis keys expire by themselves).
 *
 * @remarks Every instance sweeps; the store's check-and-set lets one of them time out each case.
 */
export function wireHousekeeping(wiring: WiringContext, input: HousekeepingInput): void {
  const { config, lifecycle, logger } = wiring;
  const { handoff, transcripts, storage } = input;
  const every = Math.min(30_000, Math.max(1000, (config.HANDOFF_MAX_WAIT_SECONDS * 1000) / 4));
  let sweeper: NodeJS.Timeout | undefined;
  lifecycle.onStart(() => {
    sweeper = setInterval(() => {
      handoff.sweep().catch((err: unknown) => logger.warn('handoff.sweep_failed', errorFields(err)));
      if (storage instanceof ExpiringMemoryStorage) storage.purgeExpired().catch((err: unknown) => logger.warn('storage.purge_failed', errorFields(err)));
      if (transcripts instanceof MemoryTranscriptStore) transcripts.purgeExpired();
    }, every);
    sweeper.unref();
  });
  lifecycle.onStop('timers', () => clearInterval(sweeper));
}
