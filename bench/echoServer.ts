// The stock botbuilder echo bot on restify, as in Microsoft's samples (CloudAdapter over
// ConfigurationBotFrameworkAuthentication): the baseline of `npm run bench`. With --with-warmline the same bot adds
// Warmline as examples/minimal-bot does (createWarmlinePlugin's middleware on its adapter, embedded defaults), to
// show what Warmline's middleware alone adds to a developer's bot.
import * as restify from 'restify';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { createWarmlinePlugin } from '../bots/app/createWarmlinePlugin';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (ctx, next) => {
      await ctx.sendActivity(`Echo: ${ctx.activity.text}`);
      await next();
    });
  }
}

async function main(): Promise<void> {
  const auth = new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  if (process.argv.includes('--with-warmline')) {
    const conversationState = new ConversationState(new MemoryStorage());
    const warmline = await createWarmlinePlugin({ adapter, conversationState, demoAgent: false });
    adapter.use(warmline.middleware);
  }
  const bot = new EchoBot();
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

void main();
