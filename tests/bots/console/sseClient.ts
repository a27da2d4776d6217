/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a `text/event-stream` response with fetch and records its events. */
export class SseClient {
  readonly events: SseEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private ended = false;
  private constructor(
    private readonly controller: AbortController,
    readonly status: number,
  ) {}

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const controller = new AbortController();
    const res = await fetch(url, { headers, signal: controller.signal });
    const client = new SseClient(controller, res.status);
    if (res.ok && res.body) void client.pump(res.body);
    return client;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) this.events.push({ event, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
          for (const w of [...this.waiters]) w();
        }
      }
    } catch {
      // aborted
    }
    this.ended = true;
    for (const w of [...this.waiters]) w();
  }

  /** True once the server ended the stream. */
  get closed(): boolean {
    return this.ended;
  }

  /** Resolves with the first event (seen or future) matching the predicate. */
  waitFor(predicate: (e: SseEvent) => boolean, timeoutMs = 3000): Promise<SseEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.find(predicate);
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`SseClient: no matching event within ${timeoutMs} ms (saw ${this.events.map((e) => e.event).join(',')})`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Waits until the server ends the stream. */
  waitForEnd(timeoutMs = 3000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!this.ended) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error('SseClient: stream still open')), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.controller.abort();
  }
}
