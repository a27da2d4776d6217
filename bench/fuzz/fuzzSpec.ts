/**
 * What the fuzzer sends, as plain data that fast-check generates deterministically from a seed. Values that are
 * expensive to generate (huge strings, deep nesting) or only known at run time (tokens, sessions, case ids, the sink's
 * URL) are {@link Placeholder}s, resolved just before sending; they also keep reports short.
 */

/** Values a route resolves at send time, by name (e.g. `dl.token`, `desk.cookie`, `caseId`). */
export type RefResolvers = Readonly<Record<string, (arg: number) => unknown | Promise<unknown>>>;

/** A value resolved at send time. */
export abstract class Placeholder {
  /** The value to send. */
  abstract resolve(refs: RefResolvers): unknown | Promise<unknown>;
  /** Raw JSON text to splice into a body instead of serialising {@link resolve}'s value (deep nesting). */
  rawJson(): string | undefined {
    return undefined;
  }
  /** Short description for reports. */
  abstract describe(): string;
  toJSON(): string {
    return this.describe();
  }
}

/** A string of `length` copies of `unit` (huge strings up to the body limit). */
export class Huge extends Placeholder {
  constructor(readonly length: number, readonly unit: string) {
    super();
  }
  resolve(): string {
    return this.unit.repeat(Math.ceil(this.length / this.unit.length)).slice(0, this.length);
  }
  describe(): string {
    return `<${JSON.stringify(this.unit.slice(0, 24))} x ${this.length}>`;
  }
}

/** `depth` nested arrays or objects, spliced as raw JSON (no recursion on either side of the wire here). */
export class Deep extends Placeholder {
  constructor(readonly depth: number, readonly shape: 'array' | 'object') {
    super();
  }
  resolve(): unknown {
    return JSON.parse(this.rawJson());
  }
  override rawJson(): string {
    return this.shape === 'array' ? '['.repeat(this.depth) + ']'.repeat(this.depth) : '{"a":'.repeat(this.depth) + '1' + '}'.repeat(this.depth);
  }
  describe(): string {
    return `<${this.shape}s nested ${this.depth} deep>`;
  }
}

/** A run-time value of the route (a valid token, a real case id...); `arg` picks among several. */
export class Ref extends Placeholder {
  constructor(readonly name: string, readonly arg = 0) {
    super();
  }
  resolve(refs: RefResolvers): unknown | Promise<unknown> {
    const resolver = refs[this.name];
    if (!resolver) throw new Error(`fuzz: no resolver for ref ${this.name}`);
    return resolver(this.arg);
  }
  describe(): string {
    return `<${this.name}>`;
  }
}

/** Text made of parts, some of them placeholders (e.g. `accept <a real case id>` inside a JSON body). */
export class Join extends Placeholder {
  constructor(readonly parts: ReadonlyArray<string | Placeholder>) {
    super();
  }
  resolve(refs: RefResolvers): Promise<string> {
    return resolveTemplate(this.parts, refs);
  }
  describe(): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : p.describe())).join('');
  }
}

/** Text made of parts, some resolved at send time (paths, header values). */
export type Template = string | Placeholder | ReadonlyArray<string | Placeholder>;

/** A request body. */
export type BodySpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: Template }
  /** `bytes` bytes of `unit` (oversized bodies). */
  | { readonly kind: 'fill'; readonly bytes: number; readonly unit: string };

/** How the body is framed on the wire. */
export type Framing = 'length' | 'chunked' | 'short-length';

/** One HTTP request. */
export interface HttpStep {
  readonly kind: 'http';
  /** What makes it hostile, for reports (e.g. the mutations of a realistic activity). */
  readonly note?: string;
  readonly method: string;
  readonly path: Template;
  readonly headers: Readonly<Record<string, Template>>;
  readonly body: BodySpec;
  readonly framing?: Framing;
  /** Server-sent events: read for this long after the headers, then drop the connection. */
  readonly streamMs?: number;
  /** The server may rightly reset the connection (an absurdly large body): not a connection error. */
  readonly resetExpected?: boolean;
  /**
   * Signs the body as a webhook hub would (`X-Warmline-Signature`, `X-Warmline-Timestamp`), `offsetSeconds` from now;
   * `signOther`: a valid signature of other bytes.
   */
  readonly sign?: { readonly secret: Template; readonly offsetSeconds: number; readonly signOther?: boolean };
}

/** A WebSocket frame sent by a client. */
export type FrameSpec =
  | { readonly kind: 'text'; readonly data: string; readonly repeat?: number }
  | { readonly kind: 'binary'; readonly bytes: number }
  | { readonly kind: 'ping' }
  | { readonly kind: 'raw'; readonly hex: string };

/** A WebSocket stream opened with the `ws` client (or refused), then ended. */
export interface WsStep {
  readonly kind: 'ws';
  readonly path: Template;
  readonly frames: readonly FrameSpec[];
  readonly holdMs: number;
  readonly end: 'close' | 'terminate' | 'reset';
}

/** Raw bytes on a TCP connection (upgrade requests, garbage), then a reset or an end. */
export interface RawStep {
  readonly kind: 'raw';
  readonly data: Template;
  /** Frames sent after the server's `101` (raw WebSocket bytes, hex). */
  readonly afterUpgradeHex?: string;
  /** `none`: reset at once; `short`: after up to 50 ms; `answer`: wait for the server's first bytes (a hang if none). */
  readonly wait: 'none' | 'short' | 'answer';
  readonly end: 'reset' | 'end';
}

/** One request of any kind. */
export type FuzzStep = HttpStep | WsStep | RawStep;

/** A sequence of requests sent one after the other (e.g. a handoff conversation). */
export type FuzzCase = readonly FuzzStep[];

/** Resolves a template to text. */
export async function resolveTemplate(t: Template, refs: RefResolvers): Promise<string> {
  if (typeof t === 'string') return t;
  if (t instanceof Placeholder) return String(await t.resolve(refs));
  const parts = await Promise.all(t.map((p) => resolveTemplate(p, refs)));
  return parts.join('');
}

/** Resolves every placeholder inside a JSON-like value (deep nesting stays a placeholder: see {@link toJsonText}). */
export async function resolveValue(value: unknown, refs: RefResolvers): Promise<unknown> {
  if (value instanceof Deep) return value;
  if (value instanceof Placeholder) return resolveValue(await value.resolve(refs), refs);
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveValue(v, refs)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: await resolveValue(v, refs), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** JSON text of a resolved value, splicing the raw text of {@link Deep} placeholders. */
export function toJsonText(value: unknown): string {
  if (value instanceof Placeholder) return value.rawJson() ?? JSON.stringify(value.describe());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJsonText(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const parts = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Shortens text for a report: runs of one character, or of one short unit, repeated many times become `c×N` or
 * `«unit»×N`; the result is cut at `max`. `total` is the real length when `text` is already a prefix.
 */
export function shorten(text: string, max = 240, total = text.length): string {
  const head = text.slice(0, 20_000);
  const squeezed = head
    .replace(/(\{"a":){8,}/g, (run) => `{"a":×${run.length / 5}`)
    .replace(/(.)\1{16,}/gsu, (run: string, c: string) => `${c}×${[...run].length}`)
    .replace(/(.{2,24}?)\1{7,}/gsu, (run: string, unit: string) => `«${unit}»×${Math.round(run.length / unit.length)}`);
  const cut = squeezed.length > max ? squeezed.slice(0, max) : squeezed;
  return cut.length < squeezed.length || total > head.length ? `${cut}…(${total} chars)` : cut;
}
