import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../shared/logger';
import type { HandoffCase, QueuedMessage, StateChange } from '../handoffCase';
import type { AgentDelivery, HandoffEvent, HubConnector } from './hubConnector';
import { defaultRedactor, type Redactor } from '../redaction';
import type { Outbox, OutboxItem } from './outbox';
import { buildWebhookPayload, type WebhookEvent } from './webhookPayload';
import { DELIVERY_HEADER, EVENT_HEADER, signWebhook } from './webhookSigning';

/** Options of {@link WebhookConnector}. */
export interface WebhookConnectorOptions {
  /** Where cases are POSTed (http or https). */
  readonly url: string;
  /** Signing secret; during a rotation `[new, old]` (both signatures are sent). */
  readonly secret: string | readonly string[];
  /** Durable queue of deliveries (`RedisOutbox` in production, `MemoryOutbox` in tests). */
  readonly outbox: Outbox;
  /** Connector name in logs and agent ids. Default `webhook`. */
  readonly name?: string;
  /** Cases wait for this hub when no desk agent is online ({@link HubConnector.staffed}). @defaultValue false (a ticketing system does not chat live; the callback offer applies) */
  readonly staffed?: boolean;
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number;
  /** Attempts before a delivery is moved to the failed list. Default 12 (about an hour with the default delays). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles on each attempt, with jitter. Default 1 s. */
  readonly baseDelayMs?: number;
  /** Longest retry delay. Default 10 min. */
  readonly maxDelayMs?: number;
  /** How often the outbox is polled for due deliveries. Default 1 s. */
  readonly pollIntervalMs?: number;
  /** Deliveries leased at once. Default 20. */
  readonly batchSize?: number;
  /** How long a leased delivery is hidden from other workers. Default `timeoutMs + 30 s`. */
  readonly leaseMs?: number;
  /** Extra request headers (e.g. an `Authorization` the receiver wants). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly redactor?: Redactor;
  /** Default: silent. */
  readonly logger?: Logger;
  /** HTTP client. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Clock in epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Random in [0, 1) for jitter. Default `Math.random`. */
  readonly random?: () => number;
}

const OptionsSchema = z.object({
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
  secret: z.union([z.string().min(16, 'must be at least 16 characters'), z.array(z.string().min(16, 'must be at least 16 characters')).min(1)]),
  name: z.string().min(1).max(60).default('webhook'),
  timeoutMs: z.number().int().positive().default(10_000),
  maxAttempts: z.number().int().min(1).max(1000).default(12),
  baseDelayMs: z.number().int().min(1).default(1000),
  maxDelayMs: z.number().int().min(1).default(600_000),
  pollIntervalMs: z.number().int().min(5).default(1000),
  batchSize: z.number().int().min(1).max(1000).default(20),
  leaseMs: z.number().int().positive().optional(),
});

/** What happened to one delivery attempt. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

/** Tries to keep a delivery in the outbox through a storage blip (about 10 s in all). */
const ENQUEUE_ATTEMPTS = 8;

/**
 * Hub connector that POSTs cases and case updates as signed JSON to a webhook (a CRM, a ticketing system...).
 *
 * @remarks Every event is first written to the {@link Outbox}, then delivered by a polling worker: at least once,
 * with the same `X-Warmline-Delivery` id on every attempt (receivers deduplicate on it). Network errors, time-outs,
 * 5xx and 429 are retried with exponential backoff and jitter (honouring `Retry-After`); other 4xx answers are not
 * retried and the delivery goes to the failed list with the status as reason; so does a delivery still failing
 * after `maxAttempts`. Failed deliveries are kept (`outbox.listFailed()`, `outbox.retryFailed(id)`), never dropped.
 * Bodies are signed (see `signWebhook`) at each attempt, so the timestamp is always fresh. Transcripts, queued
 * messages, collected data and notes are redacted before they are stored in the outbox.
 * @example
 * const hook = new WebhookConnector({ url, secret, outbox: new RedisOutbox({ redis }) });
 * hook.start();
 * await hook.caseCreated(handoffCase);
 */
export class WebhookConnector implements HubConnector {
  /** Connector name. */
  readonly name: string;
  readonly staffed: boolean;
  private readonly o: z.infer<typeof OptionsSchema> & { leaseMs: number };
  private readonly secrets: readonly string[];
  private readonly outbox: Outbox;
  private readonly redactor: Redactor;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly headers: Readonly<Record<string, string>>;
  private timer?: NodeJS.Timeout;
  private draining?: Promise<number>;
  private again = false;

  constructor(options: WebhookConnectorOptions) {
    if (!options?.outbox) throw new TypeError('WebhookConnector: outbox is required');
    const parsed = OptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new TypeError(`WebhookConnector: invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    }
    this.o = { ...parsed.data, leaseMs: parsed.data.leaseMs ?? parsed.data.timeoutMs + 30_000 };
    this.name = this.o.name;
    this.staffed = options.staffed ?? false;
    this.secrets = typeof options.secret === 'string' ? [options.secret] : [...options.secret];
    this.outbox = options.outbox;
    this.redactor = options.redactor ?? defaultRedactor;
    this.logger = options.logger ?? silentLogger;
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.headers = options.headers ?? {};
  }

  /**
   * Turns handoff events into deliveries: the first `queued` -> `case.created`; later state changes ->
   * `case.updated` (with the change); `customer_message` -> `case.message`. Agent messages are not sent.
   */
  async onEvent(event: HandoffEvent): Promise<void> {
    if (event.type === 'agent_message') return;
    if (event.type === 'customer_message') {
      await this.customerMessage(event.case, { text: event.text, at: event.at });
      return;
    }
    const history = event.case.history;
    if (event.type === 'queued' && history.filter((h) => h.to === 'queued').length <= 1) {
      await this.caseCreated(event.case);
      return;
    }
    await this.caseUpdated(event.case, history[history.length - 1]);
  }

  /**
   * While the webhook's hub holds the case (it accepted it through the status route, agent channel
   * `hub:<name>`), customer messages go to it as `case.message`.
   */
  async deliverToAgent(c: HandoffCase, message: AgentDelivery): Promise<boolean> {
    if (c.state !== 'assigned' || c.agent?.channel !== `hub:${this.name}`) return false;
    await this.customerMessage(c, { text: message.text, at: message.at });
    return true;
  }

  /** Queues `case.created` for a case that just entered the queue. */
  caseCreated(c: HandoffCase): Promise<string> {
    return this.enqueue('case.created', c, {});
  }

  /** Queues `case.updated` with the case's new snapshot (and the state change, when there was one). */
  caseUpdated(c: HandoffCase, change?: StateChange): Promise<string> {
    return this.enqueue('case.updated', c, change ? { change } : {});
  }

  /** Queues `case.message`: a message the customer wrote while waiting (redacted). */
  customerMessage(c: HandoffCase, message: QueuedMessage): Promise<string> {
    return this.enqueue('case.message', c, { message });
  }

  /** Starts the delivery worker (idempotent). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.drain().catch((err) => this.logger.warn('webhook.drain_failed', { connector: this.name, error: err instanceof Error ? err.name : typeof err })), this.o.pollIntervalMs);
    this.timer.unref?.();
    void this.drain().catch(() => undefined);
  }

  /** Stops the worker and waits for the delivery in progress. Pending deliveries stay in the outbox. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.draining?.catch(() => undefined);
  }

  /**
   * Delivers every due delivery now (in this process); resolves with the number of attempts made.
   *
   * @remarks Concurrent calls share one run; deliveries of one batch are sent in due order, one at a time, so a
   * receiver sees the events of a case in order unless a retry intervenes (order by `case.version` then).
   */
  drain(): Promise<number> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    const run = async (): Promise<number> => {
      let attempts = 0;
      do {
        this.again = false;
        for (;;) {
          const batch = await this.outbox.lease(this.now(), this.o.batchSize, this.o.leaseMs);
          for (const item of batch) {
            await this.deliver(item);
            attempts++;
          }
          if (batch.length < this.o.batchSize) break;
        }
      } while (this.again);
      return attempts;
    };
    this.draining = run().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** The delay before attempt `attempt + 1`: exponential, capped, with jitter in [50 %, 100 %]. */
  retryDelay(attempt: number, retryAfterMs?: number): number {
    const exp = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.max(0, attempt - 1));
    const jittered = Math.round(exp / 2 + (this.random() * exp) / 2);
    return retryAfterMs !== undefined ? Math.max(jittered, Math.min(retryAfterMs, this.o.maxDelayMs)) : jittered;
  }

  private async enqueue(event: WebhookEvent, c: HandoffCase, extra: { change?: StateChange; message?: QueuedMessage }): Promise<string> {
    const id = randomUUID();
    const payload = buildWebhookPayload(event, id, c, { ...extra, occurredAt: new Date(this.now()) }, this.redactor);
    const item = { id, event, body: JSON.stringify(payload), caseId: c.id };
    // The event happened (the case was written): keeping it in the outbox is retried through a storage blip (about
    // 10 s in all; the same id, so a write that was applied late is not queued twice) rather than given up at once.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.outbox.enqueue(item, this.now());
        break;
      } catch (err) {
        if (attempt >= ENQUEUE_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
    if (this.timer) void this.drain().catch(() => undefined);
    return id;
  }

  private async deliver(item: OutboxItem): Promise<DeliveryOutcome> {
    const fields = { connector: this.name, deliveryId: item.id, caseId: item.caseId, event: item.event, attempt: item.attempts };
    let status: number | undefined;
    let retryAfterMs: number | undefined;
    let error: string;
    try {
      const res = await this.fetchImpl(this.o.url, {
        method: 'POST',
        body: item.body,
        headers: {
          ...this.headers,
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'warmline-webhook/1',
          [DELIVERY_HEADER]: item.id,
          [EVENT_HEADER]: item.event,
          ...signWebhook(item.body, this.secrets, this.now()),
        },
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'manual',
      });
      status = res.status;
      retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      await res.body?.cancel().catch(() => undefined);
      if (status >= 200 && status < 300) {
        await this.outbox.complete(item.id);
        this.logger.debug('webhook.delivered', { ...fields, status });
        return 'delivered';
      }
      error = `HTTP ${status}`;
      if (status !== 429 && status !== 408 && status < 500) {
        await this.outbox.fail(item.id, `${error}: not retried`, this.now());
        this.logger.warn('webhook.rejected', { ...fields, status });
        return 'failed';
      }
    } catch (err) {
      error = err instanceof Error ? (err.name === 'TimeoutError' || err.name === 'AbortError' ? 'timeout' : `network: ${(err.cause as { code?: string } | undefined)?.code ?? err.name}`) : 'network';
    }
    if (item.attempts >= this.o.maxAttempts) {
      await this.outbox.fail(item.id, `gave up after ${item.attempts} attempts: ${error}`, this.now());
      this.logger.warn('webhook.gave_up', { ...fields, status, error });
      return 'failed';
    }
    const delay = this.retryDelay(item.attempts, retryAfterMs);
    await this.outbox.reschedule(item.id, this.now() + delay, error);
    this.logger.info('webhook.retry', { ...fields, status, error, delayMs: delay });
    return 'retry';
  }
}

function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
