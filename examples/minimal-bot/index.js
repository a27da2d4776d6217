// @ts-check
// A plain botbuilder bot as in Microsoft's samples (restify, CloudAdapter, an ActivityHandler). The lines that mention
// warmline add its signals, redacted transcript, warm handoff to people and the agents' console at /desk.
import restify from 'restify';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState, MemoryStorage } from 'botbuilder';
import { createWarmlinePlugin } from 'warmline';
import { EchoBot } from './bot.js';

const server = restify.createServer();
server.use(restify.plugins.bodyParser());

// MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId: empty for local development.
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(process.env));
adapter.onTurnError = async (context, error) => {
  console.error(`\n [onTurnError] unhandled error: ${error}`);
  await context.sendActivity('The bot encountered an error or bug.');
};

const conversationState = new ConversationState(new MemoryStorage());
const warmline = await createWarmlinePlugin({ adapter, conversationState, settings: process.env });
adapter.use(warmline.middleware);
warmline.registerRoutes(server);

const bot = new EchoBot();
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});

server.listen(process.env.port || process.env.PORT || 3978, () => {
  console.log(`\n${server.name} listening to ${server.url}`);
  if (warmline.demoAgent) console.log(`Agent console: ${server.url}/desk, sign in as ${warmline.demoAgent.id} / ${warmline.demoAgent.password}`);
});
process.on('SIGTERM', () => warmline.close().finally(() => process.exit(0)));
