import { loadConfig } from '../../config';
import { createLogger } from '../../middleware/shared/logger';
import { createApp, type WarmlineApp, type WarmlineAppOptions } from '../../bots/app/createApp';
import { FakeConnector } from '../helpers/fakeConnector';
import type { WireActivity } from '../helpers/channelActivities';

/** A running Warmline app on an ephemeral port with a fake channel connector. */
export interface RunningApp {
  app: WarmlineApp;
  url: string;
  connector: FakeConnector;
  /** POSTs an activity to /api/messages and returns status and parsed JSON body (if any). */
  post(activity: WireActivity | Record<string, unknown>): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/** Starts createApp with the given environment (defaults: port 0, loopback, no web chat) and a fake connector. */
export async function startApp(
  env: Record<string, string> = {},
  overrides: Omit<WarmlineAppOptions, 'config'> = {},
): Promise<RunningApp> {
  const connector = new FakeConnector();
  await connector.start();
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'off', ...env });
  const app = createApp({ config, warmRecognizers: false, ...(process.env.WARMLINE_TEST_LOG ? { logger: createLogger({ level: 'debug' }) } : {}), ...overrides });
  const { url } = await app.start();
  return {
    app,
    url,
    connector,
    async post(activity) {
      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      return { status: res.status, body };
    },
    async stop() {
      await app.stop();
      await connector.stop();
    },
  };
}
