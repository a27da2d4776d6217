// A bare botbuilder echo bot on restify, as in Microsoft's samples: the baseline of `npm run bench`.
// With --reuse-clients it uses Warmline's connector (CachingBotFrameworkAuthentication: clients reused across turns,
// replies sent directly): an informative second baseline that separates that saving from the cost of Warmline's own
// pipeline.
import * as restify from 'restify';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { CachingBotFrameworkAuthentication } from '../bots/app/cachingBotFrameworkAuthentication';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (ctx, next) => {
      await ctx.sendActivity(`Echo: ${ctx.activity.text}`);
      await next();
    });
  }
}

const auth = new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions);
const adapter = new CloudAdapter(process.argv.includes('--reuse-clients') ? new CachingBotFrameworkAuthentication(auth) : auth);
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
