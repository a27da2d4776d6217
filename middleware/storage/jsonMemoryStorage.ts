import type { Storage, StoreItem, StoreItems } from 'botbuilder-core';

/**
 * A storage that can give the JSON it keeps for each item (without the eTag) and take it back on write, so that
 * JSON change detection ({@link JsonChangeConversationState}) need not serialise the same state again.
 *
 * @remarks `json` is always what `stateFingerprint(item)` gives: `JSON.stringify` of the item without its `eTag`.
 */
export interface JsonSnapshotStorage extends Storage {
  /** Like `read`, with the stored JSON of each item found. */
  readSnapshots(keys: string[]): Promise<Record<string, { item: StoreItem; json: string }>>;
  /** Like `write` of one item (same eTag rules), given the item's JSON without its eTag. */
  writeSnapshot(key: string, item: StoreItem, json: string): Promise<void>;
}

/** True when `storage` implements {@link JsonSnapshotStorage}. */
export const isJsonSnapshotStorage = (storage: Storage): storage is JsonSnapshotStorage =>
  typeof (storage as Partial<JsonSnapshotStorage>).readSnapshots === 'function' &&
  typeof (storage as Partial<JsonSnapshotStorage>).writeSnapshot === 'function';

interface Kept {
  json: string;
  eTag: string;
  /** Epoch ms of the write. */
  writtenAt: number;
}

/** Options of {@link JsonMemoryStorage}. */
export interface JsonMemoryStorageOptions {
  /** An item is forgotten this long after its last write, in ms (bot state has a retention too). Default: never. */
  readonly retentionMs?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  readonly clock?: () => number;
}

/**
 * botbuilder's `MemoryStorage`, keeping each item as its JSON and its eTag apart.
 *
 * @remarks Same behaviour as `MemoryStorage`: items are stored as JSON (so a read gives a fresh copy and what JSON
 * cannot hold is dropped), every write gives a new eTag, a write with eTag `*` or none always wins, a write with a
 * stale eTag is rejected with botbuilder's message, and a write with an eTag creates a missing item. One difference: in
 * an item read back, `eTag` is the last key. A test runs both classes through the same operations.
 *
 * With {@link JsonChangeConversationState} (Warmline's default) a turn then serialises its state once instead of three
 * times: the JSON kept here is the fingerprint taken at load, and the fingerprint taken at save is what is stored.
 * @example
 * const storage = new JsonMemoryStorage();
 * const conversationState = new JsonChangeConversationState(storage);
 */
export class JsonMemoryStorage implements JsonSnapshotStorage {
  /** Map order is least recently written first. */
  private readonly memory = new Map<string, Kept>();
  private etag = 1;
  private readonly retentionMs: number;
  private readonly clock: () => number;

  constructor(options: JsonMemoryStorageOptions = {}) {
    this.retentionMs = options.retentionMs ?? Number.POSITIVE_INFINITY;
    if (!(this.retentionMs > 0)) throw new TypeError('JsonMemoryStorage: retentionMs must be positive');
    this.clock = options.clock ?? Date.now;
  }

  /** Forgets the items last written longer than the retention ago; returns how many. */
  purgeExpired(): number {
    if (this.retentionMs === Number.POSITIVE_INFINITY) return 0;
    const before = this.clock() - this.retentionMs;
    let removed = 0;
    for (const [key, kept] of this.memory) {
      if (kept.writtenAt > before) break;
      this.memory.delete(key);
      removed += 1;
    }
    return removed;
  }

  read(keys: string[]): Promise<StoreItems> {
    return this.collect(keys, itemOf);
  }

  readSnapshots(keys: string[]): Promise<Record<string, { item: StoreItem; json: string }>> {
    return this.collect(keys, (kept) => ({ item: itemOf(kept), json: kept.json }));
  }

  write(changes: StoreItems): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!changes) throw new ReferenceError('Changes are required when writing.');
      for (const key of Object.keys(changes)) {
        const item = changes[key] as StoreItem;
        // As MemoryStorage: a stale item is refused before it is serialised, and the rest of the batch is written.
        if (!this.accepts(key, item)) {
          reject(conflict(key));
          continue;
        }
        const rest: Record<string, unknown> = { ...item };
        delete rest.eTag;
        this.keep(key, JSON.stringify(rest) as string | undefined);
      }
      resolve();
    });
  }

  writeSnapshot(key: string, item: StoreItem, json: string): Promise<void> {
    try {
      if (!this.accepts(key, item)) return Promise.reject(conflict(key));
      this.keep(key, json);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  delete(keys: string[]): Promise<void> {
    return new Promise((resolve) => {
      for (const key of keys) this.memory.delete(key);
      resolve();
    });
  }

  /** What `make` gives for each key kept (missing keys left out); rejects as MemoryStorage does without keys. */
  private collect<T>(keys: string[], make: (kept: Kept) => T): Promise<Record<string, T>> {
    return new Promise((resolve) => {
      if (!keys) throw new ReferenceError('Keys are required when reading.');
      const data: Record<string, T> = {};
      for (const key of keys) {
        const kept = this.kept(key);
        if (kept) data[key] = make(kept);
      }
      resolve(data);
    });
  }

  /** False when `item` carries an eTag other than `*` and other than the stored item's. */
  private accepts(key: string, item: StoreItem): boolean {
    const old = this.kept(key);
    return !(old && item.eTag && item.eTag !== '*' && item.eTag !== old.eTag);
  }

  /** Stores `json` under `key` with a new eTag; JSON of nothing (a `toJSON` giving `undefined`) reads as missing, as in MemoryStorage. */
  private keep(key: string, json: string | undefined): void {
    const eTag = (this.etag++).toString();
    this.memory.delete(key);
    if (json !== undefined) this.memory.set(key, { json, eTag, writtenAt: this.clock() });
  }

  /** The item kept under `key`, unless it outlived the retention (then it is forgotten). */
  private kept(key: string): Kept | undefined {
    const kept = this.memory.get(key);
    if (kept && this.clock() - kept.writtenAt >= this.retentionMs) {
      this.memory.delete(key);
      return undefined;
    }
    return kept;
  }
}

function itemOf(kept: Kept): StoreItem {
  const item = JSON.parse(kept.json) as StoreItem;
  item.eTag = kept.eTag;
  return item;
}

const conflict = (key: string): Error => new Error(`Storage: error writing "${key}" due to eTag conflict.`);
