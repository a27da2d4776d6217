// The full Warmline bot (createApp with embedded defaults) for `npm run bench`; prints "READY <port>" when warm.
import { loadConfig } from '../config';
import { createApp } from '../bots/createApp';

async function main(): Promise<void> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'off', LOG_LEVEL: 'silent', ...benchEnv() });
  const app = createApp({ config });
  const { port } = await app.start();
  while (!app.readiness().ready) await new Promise((r) => setTimeout(r, 50));
  process.stdout.write(`READY ${port}\n`);
}

function benchEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['STORAGE', 'REDIS_URL']) {
    const value = process.env[`BENCH_${key}`];
    if (value) env[key] = value;
  }
  return env;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));

main().catch((err) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
