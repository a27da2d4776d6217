import { expect } from 'chai';
import { TestAdapter, TurnContext, type Activity, type CloudAdapterBase, type ConversationReference } from 'botbuilder';
import { adapterMessenger } from '../../middleware/adapterMessenger';
import type { ConversationPointer } from '../../middleware/handoff/handoffCase';
import { TRANSCRIPT_ROLE, type RoleMarkedActivity } from '../../middleware/transcriptRole';

const POINTER: ConversationPointer = {
  key: 'webchat/conv-1',
  channel: 'webchat',
  reference: {
    channelId: 'webchat',
    serviceUrl: 'https://example.test',
    conversation: { id: 'conv-1' },
    bot: { id: 'bot' },
    user: { id: 'customer' },
    warmline: { slackApiToken: 'xoxb-secret' },
  },
};

/**
 * A CloudAdapter stand-in: `continueConversationAsync` runs the logic in a proactive turn of a TestAdapter (whose
 * `activeQueue` is what the channel took), as botbuilder's does, then whatever `after` does (the adapter's middleware
 * after the turn).
 */
function fakeCloudAdapter(after: () => Promise<void> = async () => undefined) {
  const channel = new TestAdapter(async () => undefined);
  const calls: Array<{ appId: string; reference: Partial<ConversationReference> }> = [];
  const order: string[] = [];
  const adapter = {
    async continueConversationAsync(appId: string, reference: Partial<ConversationReference>, logic: (ctx: TurnContext) => Promise<void>) {
      calls.push({ appId, reference });
      const ctx = new TurnContext(channel, TurnContext.applyConversationReference({ type: 'event', name: 'ContinueConversation', id: 'made-up' }, reference, true));
      ctx.onSendActivities(async (_ctx, activities, next) => {
        const responses = await next();
        order.push(...activities.map((a) => `took ${a.text ?? a.summary ?? ''}`));
        return responses;
      });
      await logic(ctx);
      await after();
    },
  } as unknown as CloudAdapterBase;
  return { adapter, channel, calls, order };
}

describe('adapterMessenger (the botbuilder host of the Messenger port)', () => {
  it('sends the messages in order in one proactive turn: role marked for the transcript, no replyToId, no extras in the reference', async () => {
    const fake = fakeCloudAdapter();
    const messenger = adapterMessenger(fake.adapter, 'app-id');
    const sent = await messenger.send(POINTER, [
      { text: 'Alice has closed this conversation.', role: 'bot' },
      { text: 'I have blocked the card', role: 'agent' },
      { text: '[C-1] Jo: hello', textFormat: 'plain', role: 'bot' },
      { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }], summary: 'C-1 fraud', role: 'bot' },
    ]);
    const took = fake.channel.activeQueue as Array<Partial<Activity> & RoleMarkedActivity>;
    expect(took.map((a) => a.text)).to.deep.equal(['Alice has closed this conversation.', 'I have blocked the card', '[C-1] Jo: hello', undefined]);
    expect(took.map((a) => a[TRANSCRIPT_ROLE])).to.deep.equal(['bot', 'agent', 'bot', 'bot']);
    expect(took.map((a) => a.type)).to.deep.equal(['message', 'message', 'message', 'message']);
    expect(took.map((a) => a.replyToId)).to.deep.equal([undefined, undefined, undefined, undefined]);
    expect(took[2]?.textFormat).to.equal('plain');
    expect(took[3]?.summary).to.equal('C-1 fraud');
    expect(took[3]?.attachments?.[0]?.contentType).to.equal('application/vnd.microsoft.card.adaptive');
    expect(sent).to.have.length(4);
    expect(fake.calls).to.have.length(1);
    expect(fake.calls[0]?.appId).to.equal('app-id');
    expect(JSON.stringify(fake.calls[0]?.reference)).to.not.include('xoxb-secret');
  });

  it('calls onSent once the channel took the last message, before the turn ends and before send resolves', async () => {
    const order: string[] = [];
    const fake = fakeCloudAdapter(async () => void order.push('turn ended'));
    const messenger = adapterMessenger(fake.adapter, '');
    await messenger.send(POINTER, [{ text: 'one', role: 'agent' }, { text: 'two', role: 'agent' }], { onSent: async () => void order.push('onSent') });
    order.push('resolved');
    expect([...fake.order, ...order]).to.deep.equal(['took one', 'took two', 'onSent', 'turn ended', 'resolved']);
  });

  it('rejects when the turn fails after the channel took the messages, onSent having run (the caller tells the two apart)', async () => {
    const fake = fakeCloudAdapter(async () => Promise.reject(new Error('after-send work failed')));
    const messenger = adapterMessenger(fake.adapter, '');
    let onSent = 0;
    let error: unknown;
    try {
      await messenger.send(POINTER, [{ text: 'hello', role: 'agent' }], { onSent: async () => void onSent++ });
    } catch (err) {
      error = err;
    }
    expect((error as Error)?.message).to.equal('after-send work failed');
    expect(onSent).to.equal(1);
  });

  it('still runs plain botbuilder proactive turns (for the handoff protocol events)', async () => {
    const fake = fakeCloudAdapter();
    const messenger = adapterMessenger(fake.adapter, '');
    await messenger.continueConversation(POINTER, async (ctx) => void (await ctx.sendActivity({ type: 'event', name: 'handoff.initiate' })));
    expect((fake.channel.activeQueue as Partial<Activity>[]).map((a) => [a.name, a.replyToId])).to.deep.equal([['handoff.initiate', undefined]]);
  });

  it('refuses a missing adapter', () => {
    expect(() => adapterMessenger(undefined as unknown as CloudAdapterBase, '')).to.throw(TypeError, /adapter/);
  });
});
