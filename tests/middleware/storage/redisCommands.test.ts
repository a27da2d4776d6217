import { expect } from 'chai';
import type { Command } from 'ioredis';
import sinon from 'sinon';
import { defineLuaCommands, type LuaCommand } from '../../../middleware/shared/redisCommands';
import { connectTestRedis, useTestRedis } from '../handoff/testRedis';

interface TestCommands {
  warmlineTestIncr: LuaCommand<number>;
  warmlineTestFail: LuaCommand<number>;
}

describe('defineLuaCommands (real Redis)', function () {
  const t = useTestRedis();
  afterEach(() => sinon.restore());

  /** The names of the commands sent through `sendCommand` (read once they are answered: ioredis renames on write). */
  const spySends = (redis: typeof t.redis) => {
    const send = sinon.spy(redis, 'sendCommand');
    return () => send.getCalls().map((call) => (call.args[0] as Command).name);
  };

  it('runs by SHA-1 once the connection has sent the script, and sends the source again after SCRIPT FLUSH (NOSCRIPT)', async function () {
    const redis = await connectTestRedis();
    try {
      const key = `${t.prefix('lua')}n`;
      // A script no other test loads, so that the flush is the only reason it is missing.
      const r = defineLuaCommands<TestCommands>(redis, {
        warmlineTestIncr: { numberOfKeys: 1, lua: `-- defineLuaCommands test ${key}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])` },
        warmlineTestFail: { numberOfKeys: 1, lua: "return redis.call('INCRBY', KEYS[1], 'not a number')" },
      });
      const sent = spySends(redis);
      expect(await r.warmlineTestIncr(key, 2)).to.equal(2);
      expect(await r.warmlineTestIncr(key, 3)).to.equal(5);
      expect(sent(), 'the source once on this connection, then by SHA-1').to.deep.equal(['eval', 'evalsha']);
      await redis.script('FLUSH');
      expect(await r.warmlineTestIncr(key, 4), 'after SCRIPT FLUSH (or a restart)').to.equal(9);
      expect(sent().slice(3), 'NOSCRIPT, then the source').to.deep.equal(['evalsha', 'eval']);
      expect(await r.warmlineTestIncr(key, 1)).to.equal(10);
      expect(sent().slice(5)).to.deep.equal(['evalsha']);
    } finally {
      redis.disconnect();
    }
  });

  it('throws any other error (a failing script) without sending it again', async function () {
    const key = `${t.prefix('lua')}m`;
    const r = defineLuaCommands<TestCommands>(t.redis, {
      warmlineTestIncr: { numberOfKeys: 1, lua: `-- defineLuaCommands failing ${key}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])` },
      warmlineTestFail: { numberOfKeys: 1, lua: `-- defineLuaCommands failing ${key}\nreturn redis.call('INCRBY', KEYS[1], 'not a number')` },
    });
    await t.redis.set(key, '1');
    await r.warmlineTestFail(key).catch(() => undefined);
    const sent = spySends(t.redis);
    let error: unknown;
    try {
      await r.warmlineTestFail(key);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.not.include('NOSCRIPT');
    expect(sent()).to.deep.equal(['evalsha']);
    expect(await t.redis.get(key)).to.equal('1');
  });

  it('defining the same commands again on a client is a no-op; another script under a taken name, or an ioredis method name, throws', async function () {
    const redis = await connectTestRedis();
    try {
      const lua = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
      const first = defineLuaCommands<Pick<TestCommands, 'warmlineTestIncr'>>(redis, { warmlineTestIncr: { numberOfKeys: 1, lua } });
      const incr = first.warmlineTestIncr;
      const again = defineLuaCommands<Pick<TestCommands, 'warmlineTestIncr'>>(redis, { warmlineTestIncr: { numberOfKeys: 1, lua } });
      expect(again.warmlineTestIncr, 'the command is kept, not replaced').to.equal(incr);
      const key = `${t.prefix('lua')}k`;
      expect(await again.warmlineTestIncr(key, 7)).to.equal(7);
      expect(() => defineLuaCommands<Pick<TestCommands, 'warmlineTestIncr'>>(redis, { warmlineTestIncr: { numberOfKeys: 1, lua: 'return 0' } })).to.throw(/already taken/);
      expect(() => defineLuaCommands<Pick<TestCommands, 'warmlineTestIncr'>>(redis, { warmlineTestIncr: { lua } }), 'another number of keys').to.throw(/already taken/);
      expect(() => defineLuaCommands<{ get: LuaCommand }>(redis, { get: { numberOfKeys: 1, lua } })).to.throw(/already taken/);
      expect(await redis.get(key), 'the built-in is untouched').to.equal('7');
    } finally {
      redis.disconnect();
    }
  });
});
