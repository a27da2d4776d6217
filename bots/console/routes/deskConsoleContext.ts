/**
 * The context every agent-console route module receives.
 * @packageDocumentation
 */
import type { Logger } from '../../../middleware/shared/logger';
import type { DeskAccounts } from '../deskAccounts';
import type { DeskBackend } from '../deskBackend';
import type { DeskPresence } from '../deskPresence';
import type { DeskSessionStore } from '../deskSessions';
import type { DeskStreams } from '../deskStreams';
import type { LoginThrottle } from '../loginThrottle';

/**
 * What the console's route modules share: dependencies, limits and the logger, resolved once from
 * `DeskConsoleOptions` by `registerDeskConsole`.
 */
export interface DeskConsoleContext {
  readonly backend: DeskBackend;
  readonly accounts: DeskAccounts;
  readonly sessions: DeskSessionStore;
  readonly presence: DeskPresence;
  readonly streams: DeskStreams;
  /** Wrong passwords counted per account and per client address. */
  readonly throttles: { readonly account: LoginThrottle; readonly ip: LoginThrottle };
  readonly limits: {
    /** Longest message an agent sends. */
    readonly maxMessageChars: number;
    /** Interval of an event stream's keep-alive comment and session check. */
    readonly heartbeatMs: number;
  };
  readonly requests: {
    /** Origins accepted in `Origin` besides the request's own host. */
    readonly allowedOrigins: ReadonlySet<string>;
    /** Whether the session cookie is `Secure`. */
    readonly secureCookie: boolean;
    /** Whether the client address is the last `X-Forwarded-For` entry (see `deskClientAddress`). */
    readonly trustProxy: boolean;
  };
  /** Folder with index.html, desk.js, desk.css. */
  readonly staticDir: string;
  readonly logger: Logger;
}
