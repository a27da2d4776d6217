/**
 * The console's open event streams on this instance and the backend events fanned out to them.
 * @packageDocumentation
 */
import type * as restify from 'restify';
import { errorFields, type Logger } from '../../middleware/shared/logger';
import type { ActiveSession } from './deskAccounts';
import type { DeskBackend, DeskEvent } from './deskBackend';
import { toDeskAgentRef } from './deskViews';

/** One open event stream of a console page. */
export interface DeskStream {
  readonly session: ActiveSession;
  readonly res: restify.Response;
  /** Its heartbeat. */
  readonly timer: NodeJS.Timeout;
}

/**
 * Why the console ended an event stream (`event: end`, data `{"reason": ...}`): `signed_out` when the session is over
 * (signed out here or on another instance, expired, or no longer valid for the agent as configured), so the page asks
 * for the password; `shutdown` when this instance stops (a restart, a rolling deploy) while the session lives on in
 * its store, so the page reconnects.
 */
export type DeskStreamEndReason = 'signed_out' | 'shutdown';

/** An event for the pages: its `type` is the server-sent event's name. */
export type DeskStreamEvent = { type: string } & Record<string, unknown>;

/**
 * The console's open server-sent event streams on this instance, and the backend subscription that feeds them.
 *
 * @remarks The backend is subscribed to when the first stream opens. Live chat text goes only to the streams of the
 * agent who holds the case; it is written to the stream, never logged.
 */
export class DeskStreams {
  private readonly open = new Set<DeskStream>();
  private unsubscribe: Promise<() => void> | undefined;
  private stopped = false;

  constructor(
    private readonly backend: DeskBackend,
    private readonly logger: Logger,
  ) {}

  /** Number of open streams. */
  get size(): number {
    return this.open.size;
  }

  /** Set by {@link DeskStreams.close}: no new stream should open. */
  get closed(): boolean {
    return this.stopped;
  }

  /** The open streams. */
  values(): IterableIterator<DeskStream> {
    return this.open.values();
  }

  /** Counts a stream as open (it receives events from now on). */
  add(stream: DeskStream): void {
    this.open.add(stream);
  }

  /** Whether the stream is still open here. */
  has(stream: DeskStream): boolean {
    return this.open.has(stream);
  }

  /** Forgets a stream its client closed. */
  delete(stream: DeskStream): void {
    this.open.delete(stream);
  }

  /** Writes an event to the streams `to` selects (all by default). */
  broadcast(data: DeskStreamEvent, to: (s: DeskStream) => boolean = () => true): void {
    for (const stream of this.open) if (to(stream)) this.write(stream, data.type, data);
  }

  /** Ends the streams of a session (`end` with `reason`). */
  endSession(sessionId: string, reason: DeskStreamEndReason): void {
    for (const stream of [...this.open]) if (stream.session.id === sessionId) this.end(stream, reason);
  }

  /** Subscribes to the backend's events once; a failed subscription is tried again by the next call. */
  subscribe(): Promise<() => void> {
    if (!this.unsubscribe) {
      this.unsubscribe = this.backend.subscribe(this.onEvent);
      this.unsubscribe.catch(() => (this.unsubscribe = undefined));
    }
    return this.unsubscribe;
  }

  /** Ends every stream with `shutdown` and the backend subscription; {@link DeskStreams.closed} from then on. */
  async close(): Promise<void> {
    this.stopped = true;
    for (const stream of [...this.open]) this.end(stream, 'shutdown');
    if (this.unsubscribe) (await this.unsubscribe.catch(() => () => undefined))();
  }

  private end(stream: DeskStream, reason: DeskStreamEndReason): void {
    this.write(stream, 'end', { reason });
    clearInterval(stream.timer);
    this.open.delete(stream);
    stream.res.end();
  }

  private write(stream: DeskStream, event: string, data: unknown): void {
    try {
      stream.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    } catch (err) {
      this.logger.warn('desk.stream_write_failed', errorFields(err));
    }
  }

  private readonly onEvent = (event: DeskEvent): void => {
    if (event.type === 'queue') return this.broadcast({ type: 'queue' });
    if (event.type === 'case') {
      return this.broadcast({ type: 'case', caseId: event.caseId, state: event.state, ...(event.agent ? { agent: toDeskAgentRef(event.agent) } : {}) });
    }
    // New lines on a case: only the consoles showing it reload it (the page knows which case it shows).
    if (event.type === 'lines') return this.broadcast({ type: 'lines', caseId: event.caseId });
    // Live chat only reaches the consoles of the agent who holds the case.
    this.broadcast(
      { type: 'message', caseId: event.caseId, from: event.from, text: event.text, at: event.at },
      (s) => s.session.agent.id === event.agentId,
    );
  };
}
