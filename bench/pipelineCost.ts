// In-process cost of one tracking turn through the whole Warmline pipeline (createApp's adapter and middleware,
// no HTTP), against a bare echo bot on a bare CloudAdapter: where the per-turn CPU goes, without network noise.
// Usage: N=5000 npx tsx bench/pipelineCost.ts
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import { loadConfig } from '../config';
import { createApp } from '../bots/createApp';
import { DEMO_PARCELS } from '../dialogs/tracking/demoTrackingProvider';
import { directLineMessage } from '../tests/helpers/channelActivities';
import { percentile } from './load';

const N = Number(process.env.N ?? 5000);

class Echo extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (c, n) => {
      await c.sendActivity(`Echo: ${c.activity.text}`);
      await n();
    });
  }
}

async function measure(name: string, adapter: CloudAdapter, logic: (ctx: TurnContext) => Promise<void>): Promise<number> {
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N + 500; i++) {
    const a = directLineMessage(`where is my parcel ${DEMO_PARCELS[i % DEMO_PARCELS.length].trackingNumber}?`, {
      serviceUrl: 'http://127.0.0.1:9/',
      conversationId: `c-${i % 25}`,
      deliveryMode: 'expectReplies',
    }) as unknown as Activity;
    const t = process.hrtime.bigint();
    await adapter.processActivityDirect('', a, logic);
    if (i >= 500) lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const cpu = process.cpuUsage(cpu0);
  lat.sort((x, y) => x - y);
  const cpuPerTurn = (cpu.user + cpu.system) / 1000 / (N + 500);
  console.log(`${name.padEnd(28)} median ${percentile(lat, 50).toFixed(3)} ms  p99 ${percentile(lat, 99).toFixed(3)} ms  cpu/turn ${cpuPerTurn.toFixed(3)} ms`);
  return cpuPerTurn;
}

async function main(): Promise<void> {
  const echoAdapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions));
  const echo = new Echo();
  const app = createApp({ config: loadConfig({ PORT: '0', WEBCHAT: 'off' }), warmRecognizers: false });
  const e1 = await measure('bare echo', echoAdapter, (c) => echo.run(c));
  const w1 = await measure('warmline pipeline', app.adapter, (c) => app.bot.run(c));
  const e2 = await measure('bare echo', echoAdapter, (c) => echo.run(c));
  const w2 = await measure('warmline pipeline', app.adapter, (c) => app.bot.run(c));
  console.log(`extra CPU per turn: ${(((w1 + w2) - (e1 + e2)) / 2).toFixed(3)} ms`);
  await app.stop();
}

main().then(() => process.exit(0));
