import type { Config } from '../../config';
import type { Logger } from '../../middleware/shared/logger';
import { wireLifecycle, type Lifecycle } from './wireLifecycle';
import { wireStorage, type StorageWiring } from './wireStorage';

/** What every wiring function receives: the settings, the logger, the app's lifecycle and the storage choice. */
export interface WiringContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly stores: StorageWiring;
}

/** A fresh context: an empty lifecycle and the storage choice of `config` (no connection opened yet). */
export function wiringContext(config: Config, logger: Logger): WiringContext {
  const lifecycle = wireLifecycle();
  return { config, logger, lifecycle, stores: wireStorage(config, logger, lifecycle) };
}
