import { expect } from 'chai';
import { connectTestRedis } from './testRedis';

describe('Redis test helper', function () {
  it('fails loudly, naming the way to skip, when Redis does not answer', async function () {
    let error: unknown;
    try {
      // Port 1 on loopback: nothing listens there.
      await connectTestRedis('redis://127.0.0.1:1');
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain('WARMLINE_SKIP_REDIS=1').and.contain('127.0.0.1:1');
  });
});
