import { expect } from 'chai';
import { TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import { ActivityDedupMiddleware } from '../../middleware/activityDedupMiddleware';
import { MemoryReplayCache } from '../../middleware/shared/replayCache';
import { RedisReplayCache } from '../../middleware/shared/redisReplayCache';
import { useTestRedis } from './handoff/testRedis';
import { warmlineTurn } from '../../middleware/warmlineTurn';

const message = (id: string | undefined, text = 'hello', conversation = 'c1'): Partial<Activity> => ({
  type: 'message',
  text,
  ...(id === undefined ? {} : { id }),
  channelId: 'msteams',
  conversation: { id: conversation } as Activity['conversation'],
  from: { id: 'u1', name: 'u' },
  recipient: { id: 'bot', name: 'bot' },
});

/** Runs activities through the middleware; returns what the bot handled and the turns marked duplicate. */
async function run(mw: ActivityDedupMiddleware, activities: Array<Partial<Activity>>, bot: (ctx: TurnContext) => Promise<void> = async () => undefined) {
  const handled: string[] = [];
  const duplicates: string[] = [];
  const adapter = new TestAdapter(async (ctx) => {
    handled.push(`${ctx.activity.id}:${ctx.activity.text}`);
    await bot(ctx);
  });
  adapter.use({
    onTurn: async (ctx, next) => {
      await next();
      if (warmlineTurn(ctx).duplicate) duplicates.push(String(ctx.activity.id));
    },
  });
  adapter.use(mw);
  const errors: string[] = [];
  adapter.onTurnError = async (_ctx, err) => void errors.push(err.name);
  for (const a of activities) await adapter.processActivity(a);
  return { handled, duplicates, errors };
}

describe('ActivityDedupMiddleware', () => {
  it('handles a message once per channel, conversation and id; other ids, conversations and other types pass', async () => {
    const mw = new ActivityDedupMiddleware({ ledger: new MemoryReplayCache() });
    const typing = { ...message('t'), type: 'typing' };
    const r = await run(mw, [message('a'), message('a'), message('b'), message('a', 'hello', 'c2'), typing, typing]);
    expect(r.handled).to.deep.equal(['a:hello', 'b:hello', 'a:hello', 't:hello', 't:hello']);
    expect(r.duplicates).to.deep.equal(['a']);
  });

  it('a failed turn gives its claim up: the channel retry runs it again', async () => {
    const mw = new ActivityDedupMiddleware({ ledger: new MemoryReplayCache() });
    let fail = true;
    const r = await run(mw, [message('a'), message('a'), message('a')], async () => {
      if (fail) {
        fail = false;
        throw new Error('boom');
      }
    });
    expect(r.errors).to.deep.equal(['Error']);
    expect(r.handled).to.deep.equal(['a:hello', 'a:hello']);
  });

  it('a copy arriving while the first is still being handled is told to retry later (503), not dropped', async () => {
    const ledger = new MemoryReplayCache();
    const mw = new ActivityDedupMiddleware({ ledger });
    await ledger.begin('activity:placeholder', 1000);
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const adapter = new TestAdapter(async () => slow);
    adapter.use(mw);
    const errors: string[] = [];
    adapter.onTurnError = async (_ctx, err) => void errors.push(err.name);
    const first = adapter.processActivity(message('a'));
    await new Promise((r) => setTimeout(r, 10));
    await adapter.processActivity(message('a'));
    release();
    await first;
    expect(errors).to.deep.equal(['RetryLaterError']);
  });

  it('is shared by instances on Redis: a retry reaching another instance is not handled again', async function () {
    const redis = testRedis.redis;
    const prefix = testRedis.prefix('dedup');
    const one = new ActivityDedupMiddleware({ ledger: new RedisReplayCache({ redis, keyPrefix: prefix }) });
    const two = new ActivityDedupMiddleware({ ledger: new RedisReplayCache({ redis, keyPrefix: prefix }) });
    const a = await run(one, [message('x')]);
    const b = await run(two, [message('x'), message('y')]);
    expect(a.handled).to.deep.equal(['x:hello']);
    expect(b.handled).to.deep.equal(['y:hello']);
    expect(b.duplicates).to.deep.equal(['x']);
    // Keys are hashes: no conversation or activity id in clear.
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).to.have.length(2);
    for (const k of keys) expect(k).to.not.include('msteams').and.not.include('c1');
    for (const k of keys) expect(await redis.pttl(k)).to.be.above(0);
  });

  const testRedis = useTestRedis();
});
