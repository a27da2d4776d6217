import type * as restify from 'restify';
import { registerLocalDirectLine, type LocalDirectLine } from '../webchat/registerLocalDirectLine';
import { registerWebChatPage } from '../webchat/registerWebChatPage';
import type { WiringContext } from './wiringContext';

/** Where the server listens, known once it does (`PORT=0` picks a free port). */
export type PortOf = () => number;

/**
 * The customer web chat page at `/` (`WEBCHAT=local` or `azure`), and with `local` the Direct Line endpoint in this
 * process that the page talks to, which posts to this server's `/api/messages` on loopback.
 *
 * @remarks The Direct Line's WebSockets close when the app stops, before the server closes.
 * @returns the local Direct Line, with `WEBCHAT=local`.
 */
export function wireWebChat(wiring: WiringContext, server: restify.Server, port: PortOf): LocalDirectLine | undefined {
  const { config, lifecycle, logger } = wiring;
  let directLine: LocalDirectLine | undefined;
  if (config.WEBCHAT === 'local') {
    const dl = registerLocalDirectLine(server, {
      botEndpoint: () => `http://127.0.0.1:${port()}/api/messages`,
      publicBaseUrl: () => config.PUBLIC_URL?.replace(/(?<!\/)\/+$/, '') ?? `http://localhost:${port()}`,
      connectorBaseUrl: () => `http://127.0.0.1:${port()}`,
      maxTextLength: config.MAX_TEXT_CHARS,
      maxBodyBytes: config.MAX_BODY_BYTES,
      logger,
    });
    lifecycle.onStop('streams', () => dl.close());
    directLine = dl;
  }
  if (config.WEBCHAT !== 'off') {
    registerWebChatPage(server, {
      mode: config.WEBCHAT,
      directLineSecret: config.DIRECT_LINE_SECRET,
      directLineDomain: config.DIRECT_LINE_DOMAIN,
      defaultLocale: config.DEFAULT_LOCALE,
      logger,
    });
  }
  return directLine;
}
