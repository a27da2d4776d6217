// In-process cost of one turn with the CPU caches flushed before it, as they are in the server under load (other
// turns and the HTTP work evict a turn's code and data): an echo bot on Warmline's connector against Warmline's whole
// pipeline, with its default JsonMemoryStorage and with botbuilder's MemoryStorage. Costs are several times those of
// a hot loop. `N=2000 K=7 npx tsx bench/coldTurnCost.ts`; `FLUSH=0` for the hot figures, `FLUSH_MB` for the flush size.
import { ActivityHandler, CloudAdapter, MemoryStorage, ConfigurationBotFrameworkAuthentication, type Activity, type ConfigurationBotFrameworkAuthenticationOptions, type TurnContext } from 'botbuilder';
import { loadConfig } from '../config';
import { createApp } from '../bots/createApp';
import { CachingBotFrameworkAuthentication } from '../bots/cachingBotFrameworkAuthentication';
import { DEMO_PARCELS } from '../dialogs/tracking/demoTrackingProvider';
import { directLineMessage } from '../tests/helpers/channelActivities';
const N = Number(process.env.N ?? 3000);
const junk = new Float64Array(Number(process.env.FLUSH_MB ?? 16) * 131072);
let sink = 0;
function flush() { for (let i = 0; i < junk.length; i += 8) sink += junk[i]; }
class Echo extends ActivityHandler { constructor() { super(); this.onMessage(async (c, n) => { await c.sendActivity(`Echo: ${c.activity.text}`); await n(); }); } }
async function measure(name: string, adapter: CloudAdapter, logic: (ctx: TurnContext) => Promise<void>) {
  let total = 0n;
  for (let i = 0; i < N + 300; i++) {
    const a = directLineMessage(`where is my parcel ${DEMO_PARCELS[i % DEMO_PARCELS.length].trackingNumber}?`, { serviceUrl: 'http://127.0.0.1:9/', conversationId: `c-${i % 25}`, deliveryMode: 'expectReplies' }) as unknown as Activity;
    if (process.env.FLUSH !== '0') flush();
    const t = process.hrtime.bigint();
    await adapter.processActivityDirect('', a, logic);
    if (i >= 300) total += process.hrtime.bigint() - t;
  }
  const us = Number(total) / 1e3 / N;
  console.log(`${name.padEnd(20)} ${us.toFixed(1)} us/turn`);
  return us;
}
async function main() {
  const echoAdapter = new CloudAdapter(new CachingBotFrameworkAuthentication(new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions), { directSends: true }));
  const echo = new Echo();
  const app = createApp({ config: loadConfig({ PORT: '0', WEBCHAT: 'off' }), warmRecognizers: false });
  const appB = createApp({ config: loadConfig({ PORT: '0', WEBCHAT: 'off' }), warmRecognizers: false, storage: new MemoryStorage() });
  const r: number[][] = [[], [], []];
  const K = Number(process.env.K ?? 5);
  for (let k = 0; k < K; k++) {
    r[0].push(await measure('echo (warmline conn)', echoAdapter, (c) => echo.run(c)));
    r[1].push(await measure('warmline', app.adapter, (c) => app.bot.run(c)));
    r[2].push(await measure('warmline MemoryStorage', appB.adapter, (c) => appB.bot.run(c)));
  }
  const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
  console.log('median echo', med(r[0]).toFixed(1), 'warmline', med(r[1]).toFixed(1), 'warmline+MemoryStorage', med(r[2]).toFixed(1));
  await app.stop();
  await appB.stop();
  if (sink === 42) console.log('');
}
main().then(() => process.exit(0));
