import type { Redis } from 'ioredis';

/** A Lua script to define as a command on an ioredis client (see {@link defineLuaCommands}). */
export interface LuaCommandDefinition {
  /** Number of `KEYS` the script takes. Left out when it varies: each call then passes it first. */
  readonly numberOfKeys?: number;
  /** The script. */
  readonly lua: string;
}

/** A Lua command as called: keys then arguments (preceded by the number of keys when the definition leaves it out). */
export type LuaCommand<Result = unknown> = (...keysAndArgs: Array<string | number>) => Promise<Result>;

// What this module defined on each client, name -> number of keys and script: a store built again on the same client
// (or another store of the same class under another prefix) finds its commands there instead of replacing them.
const definedOn = new WeakMap<Redis, Map<string, string>>();

/**
 * Defines Lua scripts as commands on an ioredis client (`defineCommand`) and returns the client typed with them.
 *
 * @remarks ioredis runs each by SHA-1 (`EVALSHA`) and sends the source instead when the server lacks it (a new
 * connection, a restart, `SCRIPT FLUSH`), so nothing here handles `NOSCRIPT`. Several stores share one client, so
 * names carry the store (`warmlineReplayBegin`, ...). Defining a name again with the same script is a no-op; a name
 * already taken by another script or by an ioredis method throws rather than silently replacing it, which would break
 * whoever defined it first.
 * @example const redis = defineLuaCommands<{ warmlineEcho: LuaCommand<string> }>(client, { warmlineEcho: { numberOfKeys: 0, lua: 'return ARGV[1]' } });
 */
export function defineLuaCommands<C extends { [K in keyof C]: (...args: never[]) => Promise<unknown> }>(
  redis: Redis,
  commands: { readonly [K in keyof C & string]: LuaCommandDefinition },
): Redis & C {
  let defined = definedOn.get(redis);
  if (!defined) definedOn.set(redis, (defined = new Map()));
  for (const [name, definition] of Object.entries<LuaCommandDefinition>(commands)) {
    const fingerprint = `${definition.numberOfKeys ?? ''}:${definition.lua}`;
    const existing = defined.get(name);
    if (existing === fingerprint) continue;
    if (existing !== undefined || name in redis) throw new Error(`defineLuaCommands: "${name}" is already taken on this Redis client`);
    redis.defineCommand(name, { lua: definition.lua, ...(definition.numberOfKeys === undefined ? {} : { numberOfKeys: definition.numberOfKeys }) });
    defined.set(name, fingerprint);
  }
  // defineCommand adds the methods at run time; TypeScript cannot see them.
  return redis as Redis & C;
}
