import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type { Page, Locator } from 'playwright-core';
import type { Server } from 'restify';
import WebSocket from 'ws';
import { createWarmlineServer, listen, type TurnHandler } from '../../../bots/app/server';
import { silentLogger } from '../../../middleware/shared/logger';
import {
  registerLocalDirectLine,
  type LocalDirectLine,
  type LocalDirectLineOptions,
} from '../../../bots/webchat/registerLocalDirectLine';
import { registerWebChatPage, type WebChatPageOptions } from '../../../bots/webchat/registerWebChatPage';

/** A bot that welcomes each added member but itself and echoes messages as `echo: <text>`. */
export class WelcomeEchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMembersAdded(async (ctx, next) => {
      for (const member of ctx.activity.membersAdded ?? []) {
        if (member.id !== ctx.activity.recipient.id) await ctx.sendActivity('welcome');
      }
      await next();
    });
    this.onMessage(async (ctx, next) => {
      await ctx.sendActivity(`echo: ${ctx.activity.text ?? ''}`);
      await next();
    });
  }
}

/** A `CloudAdapter` with no app id: anonymous in and out, as in local development. */
export function anonymousAdapter(): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    MicrosoftAppType: 'MultiTenant',
  } as ConfigurationBotFrameworkAuthenticationOptions);
  return new CloudAdapter(auth);
}

/** Options for {@link startLocalChannel}. */
export interface LocalChannelOptions {
  bot?: TurnHandler;
  adapter?: CloudAdapter;
  /** Overrides for the Direct Line options (botEndpoint and publicBaseUrl default to this server). */
  directLine?: Partial<LocalDirectLineOptions>;
  /** Also serve the web chat page (`/`, `/webchat/*`); `false` to skip. */
  page?: Partial<WebChatPageOptions> | false;
  /** Body limit of the server's global body parser. */
  serverMaxBodyBytes?: number;
}

/** A running Warmline server with the local web channel, on an ephemeral loopback port. */
export interface LocalChannel {
  base: string;
  server: Server;
  adapter: CloudAdapter;
  directLine: LocalDirectLine;
  close(): Promise<void>;
}

/**
 * Starts the real server (`createWarmlineServer`: restify + CloudAdapter on `/api/messages`) with the local
 * Direct Line endpoint and the web chat page, the way `index.ts` wires them.
 */
export async function startLocalChannel(options: LocalChannelOptions = {}): Promise<LocalChannel> {
  const adapter = options.adapter ?? anonymousAdapter();
  const server = createWarmlineServer({
    adapter,
    bot: options.bot ?? new WelcomeEchoBot(),
    logger: silentLogger,
    maxBodyBytes: options.serverMaxBodyBytes ?? 1024 * 1024,
    readiness: () => ({ ready: true, checks: {} }),
  });
  let base = '';
  const directLine = registerLocalDirectLine(server, {
    botEndpoint: () => `${base}/api/messages`,
    publicBaseUrl: () => base,
    ...options.directLine,
  });
  if (options.page !== false) registerWebChatPage(server, { mode: 'local', ...options.page });
  const port = await listen(server, 0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  return {
    base,
    server,
    adapter,
    directLine,
    close: async () => {
      await directLine.close();
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One activity set as a Direct Line stream sends it. */
export interface ActivitySet {
  activities: Array<Record<string, unknown> & { type: string; id?: string; text?: string }>;
  watermark?: string;
}

/** A WebSocket client of a `streamUrl` that records every frame. */
export class StreamClient {
  readonly frames: ActivitySet[] = [];
  private readonly waiters: Array<() => void> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      const text = data.toString();
      if (!text) return;
      this.frames.push(JSON.parse(text) as ActivitySet);
      for (const w of [...this.waiters]) w();
    });
  }

  /** Opens a stream; rejects with the HTTP status when the server refuses the upgrade. */
  static open(streamUrl: string): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(streamUrl);
      const client = new StreamClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  get activities(): ActivitySet['activities'] {
    return this.frames.flatMap((f) => f.activities);
  }

  /** Resolves with the first activity (seen or future) matching the predicate. */
  waitFor(predicate: (a: ActivitySet['activities'][number]) => boolean, timeoutMs = 5000): Promise<ActivitySet['activities'][number]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.activities.find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        this.waiters.splice(this.waiters.indexOf(check), 1);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(check), 1);
        reject(new Error(`StreamClient: no matching activity within ${timeoutMs} ms (saw ${this.activities.length})`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/**
 * A message bubble Web Chat shows with this text (Web Chat repeats text in a screen-reader live region too,
 * which this skips). For an Adaptive Card, look inside the bubble: `webChatBubbles(page).locator('.ac-adaptiveCard')`.
 */
export function webChatBubble(page: Page, text: string | RegExp): Locator {
  return webChatBubbles(page).getByText(text, { exact: typeof text === 'string' });
}

/** Every message bubble Web Chat shows, oldest first. */
export function webChatBubbles(page: Page): Locator {
  return page.locator('.webchat__bubble__content');
}

/** Types a message in Web Chat's send box and sends it. */
export async function sendWebChatMessage(page: Page, text: string): Promise<void> {
  const input = page.locator('[data-id="webchat-sendbox-input"]');
  await input.fill(text);
  await input.press('Enter');
}
