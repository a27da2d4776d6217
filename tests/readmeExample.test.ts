import { expect } from 'chai';
import { ActivityHandler, CloudAdapter, ConversationState, MemoryStorage, TestAdapter } from 'botbuilder';
// The README's "take the whole pipeline" example, through the public barrel, as a bot developer writes it.
import {
  createWarmlineMiddleware,
  SignalsMiddleware,
  createSignalDetector,
  HandoffMiddleware,
  HandoffService,
  MemoryHandoffStore,
  adapterMessenger,
  RedactingTranscriptLogger,
  MemoryTranscriptStore,
} from '../warmline';

describe('README example: the Warmline middleware in a developer\'s own bot', () => {
  it('hands a bereavement message to a person with condolences, and lets ordinary messages reach the bot', async () => {
    const conversationState = new ConversationState(new MemoryStorage());
    const store = new MemoryHandoffStore();
    const transcripts = new MemoryTranscriptStore();
    // The messenger only needs an adapter with continueConversationAsync; this test never sends proactively.
    const handoff = new HandoffService({ store, messenger: adapterMessenger({} as CloudAdapter, '') });

    const bot = new ActivityHandler();
    const botSaw: string[] = [];
    bot.onMessage(async (ctx, next) => {
      botSaw.push(ctx.activity.text);
      await ctx.sendActivity('bot: how can I help?');
      await next();
    });
    const adapter = new TestAdapter(async (ctx) => {
      await bot.run(ctx);
      await conversationState.saveChanges(ctx);
    });
    adapter.use(
      createWarmlineMiddleware({
        transcript: new RedactingTranscriptLogger(transcripts),
        signals: new SignalsMiddleware(createSignalDetector(), { conversationState }),
        handoff: new HandoffMiddleware({ service: handoff, conversationState, transcripts }),
      }),
    );

    await adapter.send('hello').assertReply('bot: how can I help?').startTest();
    const replies: string[] = [];
    await adapter
      .send('My mother passed away last week and I need to close her account')
      .assertReply((a) => {
        replies.push(a.text ?? '');
      })
      .startTest();
    expect(replies[0]).to.match(/sorry for your loss/i);
    expect(botSaw).to.deep.equal(['hello']); // no bot attempt on a bereavement message
    const open = await handoff.customers.findOpenCase(`${adapter.conversation.channelId}/${adapter.conversation.conversation.id}`);
    expect(open?.reason).to.equal('bereavement');
    expect(open?.priority).to.equal('high');
  });

  it('refuses to build a pipeline with a piece missing (checked at build time, not per request)', () => {
    const conversationState = new ConversationState(new MemoryStorage());
    const handoff = new HandoffService({ store: new MemoryHandoffStore(), messenger: adapterMessenger({} as CloudAdapter, '') });
    expect(() =>
      createWarmlineMiddleware({
        transcript: new RedactingTranscriptLogger(new MemoryTranscriptStore()),
        signals: undefined as unknown as SignalsMiddleware,
        handoff: new HandoffMiddleware({ service: handoff, conversationState }),
      }),
    ).to.throw(TypeError);
  });
});
