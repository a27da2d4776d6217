import { expect } from 'chai';
import { Redis } from 'ioredis';
import { MemoryOutbox } from '../../../../middleware/handoff/hubs/memoryOutbox';
import type { Outbox } from '../../../../middleware/handoff/hubs/outbox';
import { RedisOutbox } from '../../../../middleware/handoff/hubs/redisOutbox';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../testRedis';

function outboxSuite(name: string, make: () => Promise<{ outbox: Outbox; cleanup: () => Promise<void> }>): void {
  describe(`Outbox behaviour: ${name}`, function () {
    let outbox: Outbox;
    let cleanup: () => Promise<void>;
    const T = 1_700_000_000_000;
    beforeEach(async function () {
      ({ outbox, cleanup } = await make());
    });
    afterEach(async function () {
      await cleanup();
    });

    it('leases due items only, oldest due first, counting attempts; enqueue is idempotent', async function () {
      await outbox.enqueue({ id: 'b', event: 'case.updated', body: '{"n":2}', caseId: 'C-2' }, T + 10);
      await outbox.enqueue({ id: 'a', event: 'case.created', body: '{"n":1} é', caseId: 'C-1' }, T);
      await outbox.enqueue({ id: 'a', event: 'case.created', body: 'dup' }, T);
      await outbox.enqueue({ id: 'later', event: 'x', body: '{}' }, T + 10_000);
      expect(await outbox.size()).to.equal(3);
      expect(await outbox.nextDueAt()).to.equal(T);
      const leased = await outbox.lease(T + 10, 10, 1000);
      expect(leased.map((i) => i.id)).to.deep.equal(['a', 'b']);
      expect(leased[0]).to.include({ id: 'a', event: 'case.created', body: '{"n":1} é', caseId: 'C-1', attempts: 1, dueAt: T + 1010 });
    });

    it('hides leased items from other workers until the lease runs out (a crashed worker is replaced)', async function () {
      await outbox.enqueue({ id: 'a', event: 'e', body: '{}' }, T);
      const [one, two] = await Promise.all([outbox.lease(T, 10, 1000), outbox.lease(T, 10, 1000)]);
      expect(one.length + two.length).to.equal(1);
      expect(await outbox.lease(T + 999, 10, 1000)).to.deep.equal([]);
      const again = await outbox.lease(T + 1000, 10, 1000);
      expect(again.map((i) => [i.id, i.attempts])).to.deep.equal([['a', 2]]);
    });

    it('reschedules, completes, fails and retries failed items', async function () {
      await outbox.enqueue({ id: 'a', event: 'e', body: '{}' }, T);
      await outbox.enqueue({ id: 'b', event: 'e', body: '{}' }, T);
      await outbox.lease(T, 10, 1000);
      await outbox.reschedule('a', T + 50, 'HTTP 503');
      await outbox.fail('b', 'HTTP 400: not retried', T + 1);
      expect(await outbox.size()).to.equal(1);
      const [a] = await outbox.lease(T + 50, 10, 1000);
      expect(a).to.include({ id: 'a', attempts: 2, lastError: 'HTTP 503' });
      await outbox.complete('a');
      expect(await outbox.size()).to.equal(0);
      const failed = await outbox.listFailed();
      expect(failed).to.have.length(1);
      expect(failed[0]).to.include({ id: 'b', reason: 'HTTP 400: not retried', failedAt: T + 1, attempts: 1 });
      await outbox.enqueue({ id: 'b', event: 'e', body: 'dup' }, T);
      expect(await outbox.size()).to.equal(0);
      expect(await outbox.retryFailed('b', T + 5)).to.equal(true);
      expect(await outbox.retryFailed('b', T + 5)).to.equal(false);
      expect(await outbox.listFailed()).to.deep.equal([]);
      const [b] = await outbox.lease(T + 5, 10, 1000);
      expect(b).to.include({ id: 'b', attempts: 1, body: '{}' });
    });
  });
}

outboxSuite('memory', async () => ({ outbox: new MemoryOutbox(), cleanup: async () => undefined }));

describe('RedisOutbox', function () {
  let redis: Redis | undefined;
  before(async function () {
    if (skipRedis()) this.skip();
    redis = await connectTestRedis();
  });
  after(function () {
    redis?.disconnect();
  });
  outboxSuite('redis', async () => {
    const prefix = uniquePrefix('outbox-suite');
    return { outbox: new RedisOutbox({ redis: redis as Redis, keyPrefix: prefix }), cleanup: async () => void (await deleteKeys(redis as Redis, prefix)) };
  });
});
