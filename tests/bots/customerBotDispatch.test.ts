import { expect } from 'chai';
import sinon from 'sinon';
import { ActivityHandler, ActivityTypes, MemoryStorage, type Activity, type TurnContext } from 'botbuilder';
import { CustomerBot } from '../../bots/customerBot';
import { BotTestClient, textOf } from '../dialogs/botTestClient';
import { DemoTrackingProvider, DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';

// CustomerBot.run calls its own message handler itself when botbuilder's ActivityHandler dispatch would run that
// handler and nothing else. These tests hold that shortcut to botbuilder's behaviour.

const NOW = new Date('2025-06-03T10:00:00Z');
const UPS = DEMO_PARCELS.find((p) => p.trackingNumber.startsWith('1Z'))!.trackingNumber;
const UPS_TYPO = UPS.slice(0, -1) + String((Number(UPS.slice(-1)) + 1) % 10);
const FRENCH = DEMO_PARCELS.find((p) => p.trackingNumber.endsWith('FR'))!.trackingNumber;

const noop = async (_ctx: TurnContext, next: () => Promise<void>) => next();

function makeClient(channelId = 'webchat'): { client: BotTestClient; memory: Record<string, string> } {
  const memory: Record<string, string> = {};
  const client = new BotTestClient(
    new DemoTrackingProvider({ now: () => NOW }),
    { channelId, bot: { clock: () => NOW } },
    new MemoryStorage(memory),
  );
  return { client, memory };
}

/** A conversation touching every route: welcome, answers, prompts, reprompts, errors, follow-ups, both languages. */
const SCRIPT: ReadonlyArray<string | Partial<Activity>> = [
  { type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'bot', name: 'Bot' }, { id: 'user1', name: 'User1' }] },
  'hello',
  'where is my parcel?',
  'help',
  UPS_TYPO,
  UPS,
  'and when will it arrive?',
  'will it arrive by Friday?',
  'thanks!',
  'track another parcel',
  "I don't have it",
  'not an email',
  'me@example.com',
  `où est mon colis ${FRENCH} ?`,
  'et il arrive quand ?',
  'annuler',
  'blah blah',
  'blah blah blah',
  { type: ActivityTypes.Message, attachments: [{ contentType: 'image/png', contentUrl: 'https://example.com/a.png' }] },
  { type: ActivityTypes.Event, name: 'webchat/join' },
  'this is terrible, I have been waiting for weeks and nobody answers',
];

/** Stored state without what differs between any two runs: eTags (which count writes) and waterfall instance ids (random). */
const stateOf = (memory: Record<string, string>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(memory).map(([k, v]) => {
      const item = JSON.parse(v, (key, value: unknown) => (key === 'instanceId' ? 'random' : value)) as Record<string, unknown>;
      delete item.eTag;
      return [k, item];
    }),
  );

async function play(client: BotTestClient, memory: Record<string, string>) {
  const turns: Array<{ replies: unknown[]; state: Record<string, unknown>; depth: number }> = [];
  for (const says of SCRIPT) {
    const replies = await client.send(says);
    turns.push({ replies: replies.map((r) => ({ text: textOf(r), attachments: r.attachments, summary: r.summary })), state: stateOf(memory), depth: client.stackDepth });
  }
  return turns;
}

describe('CustomerBot dispatch', () => {
  afterEach(() => sinon.restore());

  for (const channelId of ['webchat', 'msteams', 'slack']) {
    it(`a whole conversation on ${channelId} gives the same replies and state as botbuilder's dispatch`, async () => {
      const direct = makeClient(channelId);
      const viaBotbuilder = makeClient(channelId);
      // A handler that does nothing but exists: botbuilder dispatches every turn of this bot.
      viaBotbuilder.client.bot.onDialog(noop);
      // Spied on the prototype: an own property on the bot would count as an override and turn the shortcut off.
      const handle = sinon.spy(ActivityHandler.prototype as unknown as { handle: (ctx: TurnContext, type: string) => Promise<unknown> }, 'handle');

      const a = await play(direct.client, direct.memory);
      const b = await play(viaBotbuilder.client, viaBotbuilder.memory);
      expect(a).to.deep.equal(b);
      expect(a.some((t) => t.replies.length > 0 && t.depth > 0), 'the script leaves a prompt waiting somewhere').to.equal(true);
      // The shortcut was taken for the messages, botbuilder's dispatch for the conversation update and the event.
      const nonMessages = SCRIPT.filter((s) => typeof s !== 'string' && s.type !== ActivityTypes.Message).length;
      const turns = (bot: CustomerBot) => handle.getCalls().filter((c) => c.thisValue === bot && c.args[1] === 'Turn').length;
      expect(turns(direct.client.bot)).to.equal(nonMessages);
      expect(turns(viaBotbuilder.client.bot)).to.equal(SCRIPT.length);
    });
  }

  it("a developer's onMessage handler runs after the bot's", async () => {
    const { client } = makeClient();
    const seen: string[] = [];
    client.bot.onMessage(async (ctx, next) => {
      seen.push(`extra:${ctx.activity.text}`);
      await ctx.sendActivity('extra reply');
      await next();
    });
    const replies = await client.send('hello');
    expect(replies.map(textOf)).to.have.length(2);
    expect(textOf(replies[1])).to.equal('extra reply');
    expect(seen).to.deep.equal(['extra:hello']);
  });

  it('an onTurn handler runs first, and can stop the turn', async () => {
    const { client } = makeClient();
    let stop = false;
    client.bot.onTurn(async (ctx, next) => {
      if (ctx.activity.type === ActivityTypes.Message && stop) {
        await ctx.sendActivity('stopped');
        return;
      }
      await next();
    });
    expect((await client.send('hello')).map(textOf)).to.have.length(1);
    stop = true;
    expect((await client.send('hello')).map(textOf)).to.deep.equal(['stopped']);
  });

  it('an onDialog handler alone runs on every message, after the answer', async () => {
    const { client } = makeClient();
    const order: string[] = [];
    client.bot.onDialog(async (ctx, next) => {
      order.push(`dialog after ${ctx.responded ? 'a reply' : 'nothing'}`);
      await next();
    });
    await client.send('hello');
    await client.send(UPS);
    expect(order).to.deep.equal(['dialog after a reply', 'dialog after a reply']);
  });

  it('a subclass overriding a dispatch method is honoured', async () => {
    class Quiet extends CustomerBot {
      protected override async onMessageActivity(ctx: TurnContext): Promise<void> {
        if (ctx.activity.text === 'shh') return;
        await super.onMessageActivity(ctx);
      }
    }
    const memory: Record<string, string> = {};
    const client = new BotTestClient(new DemoTrackingProvider({ now: () => NOW }), { channelId: 'webchat', bot: { clock: () => NOW } }, new MemoryStorage(memory));
    const quiet = new Quiet(client.conversationState, client.userState, new DemoTrackingProvider({ now: () => NOW }), { clock: () => NOW });
    (client as unknown as { bot: CustomerBot }).bot = quiet;
    expect(await client.send('shh')).to.deep.equal([]);
    expect((await client.send('hello')).map(textOf)).to.have.length(1);
  });

  it('a turn without an activity type or context fails as botbuilder does', async () => {
    const { client } = makeClient();
    const bot = client.bot;
    let viaBotbuilder: unknown;
    try {
      await CustomerBot.prototype.run.call(bot, undefined as unknown as TurnContext);
    } catch (err) {
      viaBotbuilder = err;
    }
    expect(viaBotbuilder).to.be.instanceOf(Error);
    expect((viaBotbuilder as Error).message).to.equal('Missing TurnContext parameter');
  });
});
