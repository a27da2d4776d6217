import { expect } from 'chai';
import sinon from 'sinon';
import { luaScript, runLuaScript } from '../../../middleware/storage/redisScript';
import { useTestRedis } from '../handoff/testRedis';

describe('runLuaScript (real Redis)', function () {
  const t = useTestRedis();
  afterEach(() => sinon.restore());

  it('runs by SHA-1 once the server has the script, and sends the source when it does not (NOSCRIPT)', async function () {
    const key = `${t.prefix('lua')}n`;
    // A script no other test loads, so that the flush is the only reason it is missing.
    const incr = luaScript(`-- runLuaScript test ${key}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    await t.redis.script('FLUSH');
    const evalsha = sinon.spy(t.redis, 'evalsha');
    const evalSource = sinon.spy(t.redis, 'eval');
    expect(await runLuaScript(t.redis, incr, [key], [2])).to.equal(2);
    expect(evalSource.callCount, 'the source, once, after NOSCRIPT').to.equal(1);
    expect(await runLuaScript(t.redis, incr, [key], [3])).to.equal(5);
    expect(evalsha.callCount).to.equal(2);
    expect(evalSource.callCount, 'the server keeps it: by SHA-1 only').to.equal(1);
  });

  it('throws any other error (a failing script) without sending the source again', async function () {
    const key = `${t.prefix('lua')}m`;
    const failing = luaScript(`-- runLuaScript failing ${key}\nreturn redis.call('INCRBY', KEYS[1], 'not a number')`);
    await t.redis.set(key, '1');
    await t.redis.script('LOAD', failing.source);
    const evalSource = sinon.spy(t.redis, 'eval');
    let error: unknown;
    try {
      await runLuaScript(t.redis, failing, [key], []);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.not.include('NOSCRIPT');
    expect(evalSource.callCount).to.equal(0);
    expect(await t.redis.get(key)).to.equal('1');
  });
});
