// In-process cost of one bot turn, without HTTP: the Warmline customer bot's tracking flow ("where is my parcel
// <number>?", 25 conversations rotating) against a bare botbuilder echo bot. `N=8000 npx tsx bench/turnCost.ts`.
// Repeatable enough to compare changes; `npm run bench` remains the budget's judge. `cpu/turn` is the process's
// CPU time (all threads, GC included) divided by the turns: less disturbed than wall time on a shared machine.
import {
  ActivityHandler,
  BotAdapter,
  ConversationState,
  MemoryStorage,
  TurnContext,
  UserState,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { CustomerBot } from '../bots/customerBot';
import { DemoTrackingProvider, DEMO_PARCELS } from '../dialogs/tracking/demoTrackingProvider';
import { directLineMessage } from '../tests/helpers/channelActivities';

/** An adapter that sends nowhere, with a public way to run a turn through its (empty) middleware pipeline. */
class NullAdapter extends BotAdapter {
  async sendActivities(_ctx: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return activities.map((_, i) => ({ id: String(i) }));
  }
  async updateActivity(): Promise<void> {}
  async deleteActivity(): Promise<void> {}
  async continueConversation(_ref: Partial<ConversationReference>, _logic: (ctx: TurnContext) => Promise<void>): Promise<void> {}

  /** Runs one turn as a channel adapter would: middleware, then the bot's logic. */
  runTurn(activity: Activity, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    return this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (ctx, next) => {
      await ctx.sendActivity(`Echo: ${ctx.activity.text}`);
      await next();
    });
  }
}

interface Bot {
  run(ctx: TurnContext): Promise<void>;
}

const N = Number(process.env.N ?? 4000);
const WARMUP = 500;
const ROUNDS = Number(process.env.ROUNDS ?? 2);

async function time(name: string, bot: Bot): Promise<number> {
  const adapter = new NullAdapter();
  const latencies: number[] = [];
  let cpuStart = process.cpuUsage();
  for (let i = 0; i < N + WARMUP; i++) {
    if (i === WARMUP) cpuStart = process.cpuUsage();
    const activity = directLineMessage(`where is my parcel ${DEMO_PARCELS[i % 8].trackingNumber}?`, {
      serviceUrl: 'http://x/',
      conversationId: `c-${i % 25}`,
    }) as unknown as Activity;
    const start = process.hrtime.bigint();
    await adapter.runTurn(activity, (ctx) => bot.run(ctx));
    if (i >= WARMUP) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const cpu = process.cpuUsage(cpuStart);
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / N;
  console.log(
    name.padEnd(9),
    'median',
    latencies[Math.floor(N / 2)].toFixed(3),
    'p99',
    latencies[Math.floor(N * 0.99)].toFixed(3),
    'mean',
    mean.toFixed(3),
    'cpu/turn',
    ((cpu.user + cpu.system) / 1000 / N).toFixed(3),
    'ms',
  );
  return mean;
}

const newWarmline = (): Bot => {
  const storage = new MemoryStorage();
  return new CustomerBot(new ConversationState(storage), new UserState(storage), new DemoTrackingProvider(), {});
};

async function main(): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const echo = await time('echo', new EchoBot());
    const warmline = await time('warmline', newWarmline());
    console.log(`extra mean cost per tracking turn: ${(warmline - echo).toFixed(3)} ms`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
