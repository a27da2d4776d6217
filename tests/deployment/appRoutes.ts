// The routes the real server registers, read from a fully configured app (console, Azure web chat, webhook status
// route): nothing listens, nothing is called.
import { loadConfig } from '../../config';
import { createApp } from '../../bots/app/createApp';
import { hashDeskPassword } from '../../bots/console/deskPassword';

export interface Route {
  method: string;
  path: string;
}

let routes: Promise<Route[]> | undefined;

export function servedRoutes(): Promise<Route[]> {
  routes ??= (async () => {
    const config = loadConfig({
      MicrosoftAppId: 'test-app-id',
      MicrosoftAppPassword: 'test-app-password',
      MicrosoftAppType: 'MultiTenant',
      PORT: '0',
      HOST: '127.0.0.1',
      WEBCHAT: 'azure',
      DIRECT_LINE_SECRET: 'test-direct-line-secret',
      DESK_AGENTS: `ana:Ana:${await hashDeskPassword('test-password-1234')}`,
      WEBHOOK_URL: 'https://hub.invalid/cases',
      WEBHOOK_SECRETS: 'test-webhook-secret-0123456789',
    });
    const app = createApp({ config, warmRecognizers: false });
    try {
      const info = app.server.getDebugInfo() as { routes: Array<{ method: string; path: string }> };
      return info.routes.map((r) => ({ method: r.method.toUpperCase(), path: r.path }));
    } finally {
      await app.stop();
    }
  })();
  return routes;
}

/** Whether a request path (e.g. an Ingress `Exact` path) matches a registered route, `:param` and `*` included. */
export function routeMatches(route: Route, requestPath: string): boolean {
  const pattern = route.path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}$`).test(requestPath);
}
