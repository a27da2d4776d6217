import type { Evidence } from '../signals/signals';
import type { AgentIdentity, HandoffCase } from './handoffCase';
import type { HandoffSettings } from './handoffSettings';
import type { HandoffEvent, HubConnector } from './hubs/hubConnector';
import type { Messenger } from './messenger';
import type { HandoffStore } from './stores/handoffStore';

/**
 * What every part of the handoff shares: the store, the settings, the way out to the channels, the hub connectors,
 * the events, the background work and the per-conversation send order.
 *
 * @remarks Holds no case state: everything lives in the {@link HandoffStore}, so several instances can share one
 * Redis. Built by `HandoffService`; the customer side, the agent side, the queue and the sweep each receive it.
 */
export class HandoffCore {
  private readonly connectors: HubConnector[];
  private readonly listeners = new Set<(event: HandoffEvent) => void>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly lanes = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: HandoffStore,
    readonly messenger: Messenger,
    readonly settings: HandoffSettings,
    connectors: readonly HubConnector[] = [],
  ) {
    this.connectors = [...connectors];
  }

  /** The hub connectors, in the order they were added. */
  get hubs(): readonly HubConnector[] {
    return this.connectors;
  }

  /** Adds a hub connector (several may be active at once). */
  addConnector(connector: HubConnector): void {
    if (!connector?.name) throw new TypeError('HandoffService: a connector needs a name');
    this.connectors.push(connector);
  }

  /** Calls `listener` for every event; returns an unsubscribe function. */
  subscribe(listener: (event: HandoffEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells the listeners (at once) and the connectors (in the background) about an event. */
  emit(event: HandoffEvent): void {
    const logger = this.settings.logger;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        logger.warn('handoff.listener_failed', { event: event.type, error: errorName(err) });
      }
    }
    for (const connector of this.connectors) {
      if (!connector.onEvent) continue;
      this.background(
        connector.onEvent(event).catch((err: unknown) => {
          logger.warn('handoff.connector_failed', { connector: connector.name, event: event.type, caseId: event.case.id, error: errorName(err) });
        }),
      );
    }
  }

  /** Runs `work` off the caller's turn; {@link HandoffCore.idle} waits for it. */
  background(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.settings.logger.warn('handoff.background_failed', { error: errorName(err) }));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Resolves when the background work started so far (connector events, position updates) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Runs sends to one conversation one after the other in this process, so they arrive in order. */
  lane<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.lanes.set(key, settled);
    void settled.then(() => {
      if (this.lanes.get(key) === settled) this.lanes.delete(key);
    });
    return run;
  }

  /** Sends the bot's own texts (notices, in the case's language) to the customer of a case, in one delivery. */
  async tellCustomer(c: HandoffCase, texts: readonly string[]): Promise<void> {
    await this.messenger.send(c.conversation, texts.map((text) => ({ text, role: 'bot' as const })));
  }

  /**
   * Appends a live chat line to the case (redacted) and publishes it to every instance in the same store write (one
   * Redis round trip). The published text is what the agent's screen shows live: card numbers masked, e-mail
   * addresses and phone numbers shown (only the assigned agent's consoles receive it). Idempotent on `id`.
   */
  async recordLive(c: HandoffCase, from: 'customer' | 'agent', text: string, at: string, agent?: AgentIdentity, id?: string): Promise<void> {
    const holder = agent ?? c.agent;
    const { redactor, liveRedactor } = this.settings;
    await this.store.appendLiveLine(
      c.id,
      { role: from, text: redactor.redact(text), at },
      { kind: 'message', caseId: c.id, from, text: liveRedactor.redact(text), at, ...(holder ? { agent: holder } : {}) },
      id ? { id } : {},
    );
  }

  /** Text to store: cut to `max` characters (default `maxTextChars`), then redacted. */
  stored(text: string, max: number = this.settings.maxTextChars): string {
    return this.settings.redactor.redact(text.length > max ? text.slice(0, max) : text);
  }

  /** Intent or emotion hits with the customer's words redacted (and bounded). */
  redactHits<T extends { readonly evidence: readonly Evidence[] }>(hits: readonly T[]): T[] {
    return hits.map((h) => ({ ...h, evidence: h.evidence.slice(0, 20).map((e) => ({ ...e, matched: e.matched.slice(0, 20).map((m) => this.stored(m, 200)) })) }));
  }
}

/** A copy of `o` without the optional fields `keys`. */
export function omit<T extends object, K extends keyof T>(o: T, ...keys: K[]): T {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
}

/** The error class and code only, for a log line: a channel's or hub's error message can quote what a customer wrote. */
export const errorName = (err: unknown): string => {
  if (!(err instanceof Error)) return 'unknown';
  const code = (err as Error & { code?: unknown; statusCode?: unknown }).code ?? (err as Error & { statusCode?: unknown }).statusCode;
  return typeof code === 'string' || typeof code === 'number' ? `${err.name} (${code})` : err.name;
};
