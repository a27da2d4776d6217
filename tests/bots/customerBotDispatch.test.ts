import { expect } from 'chai';
import sinon from 'sinon';
import { ActivityHandler, ActivityHandlerBase, ActivityTypes, MemoryStorage, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { CustomerBot, DISPATCHED_DIRECTLY, verifiedDispatch, type DispatchSources } from '../../bots/customerBot';
import { BotTestClient } from '../dialogs/botTestClient';
import { DemoTrackingProvider, DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';
import { SignalsMiddleware } from '../../middleware/signals/signalsMiddleware';
import { createSignalDetector } from '../../middleware/signals/signalDetector';

// CustomerBot.run calls its own message handler itself when botbuilder's ActivityHandler dispatch would run that
// handler and nothing else. These tests hold that shortcut to botbuilder's behaviour, and check that everything a
// developer can register, override or patch takes botbuilder's dispatch again.

const NOW = new Date('2025-06-03T10:00:00Z');
const UPS = DEMO_PARCELS.find((p) => p.trackingNumber.startsWith('1Z'))!.trackingNumber;
const UPS_TYPO = UPS.slice(0, -1) + String((Number(UPS.slice(-1)) + 1) % 10);
const FRENCH = DEMO_PARCELS.find((p) => p.trackingNumber.endsWith('FR'))!.trackingNumber;

const noop = async (_ctx: TurnContext, next: () => Promise<void>) => next();

/** Records, per turn, whether the bot took the shortcut. */
class DispatchProbe implements Middleware {
  readonly direct: boolean[] = [];
  async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    await next();
    this.direct.push(ctx.turnState.get(DISPATCHED_DIRECTLY) === true);
  }
}

function makeClient(channelId = 'webchat', extra: readonly Middleware[] = []) {
  const memory: Record<string, string> = {};
  const probe = new DispatchProbe();
  const client = new BotTestClient(
    new DemoTrackingProvider({ now: () => NOW }),
    { channelId, bot: { clock: () => NOW }, middleware: [probe, ...extra] },
    new MemoryStorage(memory),
  );
  return { client, memory, probe };
}

const teamsMention = (text: string): Partial<Activity> => ({
  text: `<at>Bot</at> ${text}`,
  entities: [{ type: 'mention', mentioned: { id: 'bot', name: 'Bot' }, text: '<at>Bot</at>' }],
});

/**
 * A conversation through the routes of MainDialog and ParcelTrackingDialog: welcome, answers, the number prompt
 * with help and a typo, follow-ups, the e-mail path, French, cancel, misunderstandings, an attachment, an event,
 * an upset customer (acknowledged first: the signals middleware runs), and on Teams an @mention.
 */
const script = (channelId: string): ReadonlyArray<string | Partial<Activity>> => [
  { type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'bot', name: 'Bot' }, { id: 'user1', name: 'User1' }] },
  'hello',
  channelId === 'msteams' ? teamsMention('where is my parcel?') : 'where is my parcel?',
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
  'this is unacceptable, I am furious, I have been waiting for weeks and nobody answers my parcel',
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

/** A reply without what the adapter stamps on each send (ids, times). */
const replyOf = (reply: Partial<Activity>): unknown => {
  const copy = JSON.parse(JSON.stringify(reply)) as Record<string, unknown>;
  for (const stamped of ['id', 'timestamp', 'localTimestamp']) delete copy[stamped];
  return copy;
};

async function play(channelId: string, viaBotbuilder: boolean) {
  // Each message read by the signals detector, as in the server (no shared trajectory: a fresh one per message).
  const { client, memory, probe } = makeClient(channelId, [new SignalsMiddleware(createSignalDetector())]);
  // A handler that does nothing but exists: botbuilder dispatches every turn of this bot.
  if (viaBotbuilder) client.bot.onDialog(noop);
  const turns: Array<{ replies: unknown[]; state: Record<string, unknown>; depth: number }> = [];
  for (const says of script(channelId)) {
    const replies = await client.send(says);
    turns.push({ replies: replies.map(replyOf), state: stateOf(memory), depth: client.stackDepth });
  }
  return { turns, direct: probe.direct };
}

describe('CustomerBot dispatch', () => {
  afterEach(() => sinon.restore());

  for (const channelId of ['webchat', 'msteams', 'slack']) {
    it(`a whole conversation on ${channelId} gives the same replies and state as botbuilder's dispatch`, async () => {
      const direct = await play(channelId, false);
      const via = await play(channelId, true);
      expect(direct.turns).to.deep.equal(via.turns);
      // The script does reach the prompts and the acknowledgement of an upset customer.
      expect(direct.turns.some((t) => t.depth > 0), 'a prompt waits at some point').to.equal(true);
      expect(direct.turns.at(-1)!.replies.length, 'acknowledgement, then the answer').to.be.greaterThan(1);
      // The shortcut for every message, botbuilder's dispatch for the conversation update and the event.
      const kinds = script(channelId).map((s) => (typeof s === 'string' || s.type === undefined || s.type === ActivityTypes.Message ? 'message' : 'other'));
      expect(direct.direct).to.deep.equal(kinds.map((k) => k === 'message'));
      expect(via.direct.every((d) => !d)).to.equal(true);
    });
  }

  it("a developer's onMessage handler runs after the bot's", async () => {
    const { client, probe } = makeClient();
    const seen: string[] = [];
    client.bot.onMessage(async (ctx, next) => {
      seen.push(`extra:${ctx.activity.text}`);
      await ctx.sendActivity('extra reply');
      await next();
    });
    const replies = await client.send('hello');
    expect(replies.map((r) => r.text)).to.have.length(2);
    expect(replies[1].text).to.equal('extra reply');
    expect(seen).to.deep.equal(['extra:hello']);
    expect(probe.direct).to.deep.equal([false]);
  });

  it("a wrapper put in place of the bot's own handler runs", async () => {
    const { client, probe } = makeClient();
    const handlers = (client.bot as unknown as { handlers: Record<string, Array<(ctx: TurnContext, next: () => Promise<void>) => Promise<unknown>>> }).handlers;
    const own = handlers.Message[0];
    let wrapped = 0;
    handlers.Message[0] = async (ctx, next) => {
      wrapped += 1;
      return own(ctx, next);
    };
    expect(await client.send('hello')).to.have.length(1);
    expect(wrapped).to.equal(1);
    expect(probe.direct).to.deep.equal([false]);
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
    expect(await client.send('hello')).to.have.length(1);
    stop = true;
    expect((await client.send('hello')).map((r) => r.text)).to.deep.equal(['stopped']);
  });

  it('is decided on every turn: a handler registered after some turns runs from then on', async () => {
    const { client, probe } = makeClient();
    const order: string[] = [];
    await client.send('hello');
    client.bot.onDialog(async (ctx, next) => {
      order.push(`dialog after ${ctx.responded ? 'a reply' : 'nothing'}`);
      await next();
    });
    await client.send('hello');
    await client.send(UPS);
    expect(order).to.deep.equal(['dialog after a reply', 'dialog after a reply']);
    expect(probe.direct).to.deep.equal([true, false, false]);
  });

  it('handlers registered during a turn run in that turn, as with botbuilder', async () => {
    for (const viaBotbuilder of [false, true]) {
      const { client } = makeClient();
      if (viaBotbuilder) client.bot.onTurn(noop);
      const seen: string[] = [];
      const run = client.bot.dialog.run.bind(client.bot.dialog);
      let registered = false;
      sinon.stub(client.bot.dialog, 'run').callsFake(async (ctx, accessor) => {
        if (!registered) {
          registered = true;
          client.bot.onMessage(async (_ctx, next) => {
            seen.push('message');
            await next();
          });
          client.bot.onDialog(async (_ctx, next) => {
            seen.push('dialog');
            await next();
          });
        }
        return run(ctx, accessor);
      });
      await client.send('hello');
      expect(seen, viaBotbuilder ? 'botbuilder' : 'shortcut').to.deep.equal(['message', 'dialog']);
      sinon.restore();
    }
  });

  describe('a dispatch method overridden in a subclass is honoured', () => {
    const overridable = ['onTurnActivity', 'onMessageActivity', 'defaultNextEvent', 'handle'] as const;
    for (const name of overridable) {
      it(name, async () => {
        let calls = 0;
        // A subclass that counts and calls botbuilder's own method: same behaviour, but botbuilder's dispatch must run.
        const Sub = class extends CustomerBot {};
        Object.defineProperty(Sub.prototype, name, {
          value: function (this: CustomerBot, ...args: unknown[]) {
            calls += 1;
            return (ActivityHandler.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[name].apply(this, args);
          },
        });
        const { client, probe } = makeClient();
        const bot = new Sub(client.conversationState, client.userState, new DemoTrackingProvider({ now: () => NOW }), { clock: () => NOW });
        (client as unknown as { bot: CustomerBot }).bot = bot;
        expect(await client.send('hello')).to.have.length(1);
        expect(calls).to.be.greaterThan(0);
        expect(probe.direct).to.deep.equal([false]);
      });
    }

    it('onMessageActivity can stop a message', async () => {
      class Quiet extends CustomerBot {
        protected override async onMessageActivity(ctx: TurnContext): Promise<void> {
          if (ctx.activity.text === 'shh') return;
          await super.onMessageActivity(ctx);
        }
      }
      const { client } = makeClient();
      (client as unknown as { bot: CustomerBot }).bot = new Quiet(client.conversationState, client.userState, new DemoTrackingProvider({ now: () => NOW }), { clock: () => NOW });
      expect(await client.send('shh')).to.deep.equal([]);
      expect(await client.send('hello')).to.have.length(1);
    });
  });

  describe("a patch on botbuilder's classes (tracing, spies) is honoured", () => {
    const patched: Array<[owner: object, ownerName: string, method: string]> = [
      ...['run', 'onTurnActivity', 'onMessageActivity', 'defaultNextEvent', 'handle'].map((m) => [ActivityHandler.prototype, 'ActivityHandler', m] as [object, string, string]),
      [ActivityHandlerBase.prototype, 'ActivityHandlerBase', 'run'],
      [ActivityHandlerBase.prototype, 'ActivityHandlerBase', 'onTurnActivity'],
    ];
    for (const [owner, ownerName, method] of patched) {
      it(`${ownerName}.prototype.${method}`, async () => {
        const spy = sinon.spy(owner as Record<string, () => unknown>, method);
        const { client, probe } = makeClient();
        expect(await client.send('hello')).to.have.length(1);
        expect(spy.called).to.equal(true);
        expect(probe.direct).to.deep.equal([false]);
      });
    }
  });

  it('a turn without a context, an activity or a type fails with botbuilder\'s error', async () => {
    const { client } = makeClient();
    const failure = async (run: () => Promise<unknown>): Promise<string> => {
      try {
        await run();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    const plain = new ActivityHandler();
    const contexts = [undefined, {}, { activity: {} }, { activity: { text: 'no type' } }] as unknown as TurnContext[];
    for (const ctx of contexts) {
      const expected = await failure(() => plain.run(ctx));
      expect(expected).to.not.equal('no error');
      expect(await failure(() => client.bot.run(ctx))).to.equal(expected);
    }
  });

  describe('the functions the shortcut is verified against (verifiedDispatch)', () => {
    // The botbuilder-core that botbuilder loads, read as the bot reads it.
    const manifest = createRequire(require.resolve('botbuilder')).resolve('botbuilder-core/package.json');
    const lib = path.join(path.dirname(manifest), 'lib');
    const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    const sources: DispatchSources = {
      activityHandler: readFileSync(path.join(lib, 'activityHandler.js'), 'utf8'),
      activityHandlerBase: readFileSync(path.join(lib, 'activityHandlerBase.js'), 'utf8'),
    };
    const prototypeWith = (proto: object, name: string, fn: unknown): object => Object.assign(Object.create(proto) as object, { [name]: fn });

    it("are botbuilder's own in this install (4.23)", () => {
      expect(version).to.match(/^4\.23\./);
      expect(verifiedDispatch(version, sources)?.size).to.equal(7);
    });

    it('another botbuilder version turns the shortcut off', () => {
      for (const other of ['4.22.3', '4.24.0', '5.0.0', '']) expect(verifiedDispatch(other, sources), other).to.equal(undefined);
    });

    it('a wrapper installed before Warmline loaded (tracing with node --require) turns the shortcut off', () => {
      const handler = ActivityHandler.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
      const base = ActivityHandlerBase.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const name of ['run', 'onTurnActivity', 'onMessageActivity', 'defaultNextEvent', 'handle']) {
        const original = handler[name];
        const traced = function (this: unknown, ...args: unknown[]) {
          return original.apply(this, args);
        };
        expect(verifiedDispatch(version, sources, prototypeWith(ActivityHandler.prototype, name, traced)), name).to.equal(undefined);
      }
      for (const name of ['run', 'onTurnActivity']) {
        const original = base[name];
        const traced = function (this: unknown, ...args: unknown[]) {
          return original.apply(this, args);
        };
        expect(verifiedDispatch(version, sources, undefined, prototypeWith(ActivityHandlerBase.prototype, name, traced)), `base ${name}`).to.equal(undefined);
      }
    });

    it('a source without one of the functions (another build of botbuilder) turns the shortcut off', () => {
      const handleSource = Function.prototype.toString.call((ActivityHandler.prototype as unknown as Record<string, unknown>).handle);
      expect(verifiedDispatch(version, { ...sources, activityHandler: sources.activityHandler.replace(handleSource, '') })).to.equal(undefined);
      expect(verifiedDispatch(version, { ...sources, activityHandlerBase: '' })).to.equal(undefined);
    });
  });
});
