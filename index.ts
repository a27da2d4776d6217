// Composition root: the only file that reads process.env. Builds the bot from validated configuration and runs it.
import { ConfigError, loadConfig, type Config } from './config';
import { createApp } from './bots/app/createApp';
import { createLogger, errorFields } from './middleware/shared/logger';
import { isLoopbackHost } from './bots/app/metrics';
import { wireDemoAgent } from './bots/app/wireDemoAgent';

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`warmline: ${err.message}\nSee .env.example for every setting.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const settings = readConfig();
  const logger = createLogger({ level: settings.LOG_LEVEL });
  // Local development with no agents configured: a demo console agent with a one-off password, so a person can play
  // both sides (customer in web chat, agent at /desk). Never in production (an app id or no local web chat).
  const { config, demoAgent } = settings.WEBCHAT === 'local' ? await wireDemoAgent(settings) : { config: settings };
  const demoPassword = demoAgent?.password;
  const app = createApp({ config, logger });
  const { port } = await app.start();
  const base = config.PUBLIC_URL ?? `http://localhost:${port}`;
  logger.info('server.listening', {
    port,
    webchat: config.WEBCHAT === 'off' ? undefined : `${base}/`,
    storage: config.STORAGE,
    tracking: config.TRACKING_PROVIDER,
    auth: config.MicrosoftAppId ? 'bot-framework-jwt' : 'anonymous-local-only',
    // GET /metrics: a bearer token (METRICS_TOKEN), or clients on this machine only.
    metrics: config.METRICS_TOKEN ? 'bearer-token' : isLoopbackHost(config.HOST) ? 'loopback-only' : 'off-until-METRICS_TOKEN',
  });
  if (config.WEBCHAT !== 'off' || config.DESK_AGENTS) {
    const lines = [`Warmline is running.`];
    if (config.WEBCHAT !== 'off') lines.push(`  Customer web chat: ${base}/   (French: ${base}/?locale=fr-FR)`);
    if (config.DESK_AGENTS) lines.push(`  Agent console:     ${base}/desk`);
    if (demoPassword) lines.push(`  Sign in to the console as "demo" with password ${demoPassword} (development only; set DESK_AGENTS for real agents).`);
    process.stderr.write(`\n${lines.join('\n')}\n\n`);
  }
  if (!config.MicrosoftAppId) {
    logger.warn('auth.anonymous', { message: 'MicrosoftAppId is empty: /api/messages accepts unauthenticated requests (local development only).' });
    if (config.WARMLINE_AGENTS) {
      logger.warn('agents.unauthenticated', {
        message: 'WARMLINE_AGENTS is set without MicrosoftAppId: anyone who reaches this port can pose as a listed agent. Use it for local tests only.',
      });
    }
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('server.stopping', { signal });
    const force = setTimeout(() => {
      logger.error('server.stop_timeout', { signal });
      process.exit(1);
    }, 10_000);
    force.unref();
    app.stop().then(
      () => {
        logger.info('server.stopped', { signal });
        process.exit(0);
      },
      (err) => {
        logger.error('server.stop_failed', errorFields(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error('process.unhandled_rejection', errorFields(reason)));
}

main().catch((err) => {
  process.stderr.write(`warmline: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
