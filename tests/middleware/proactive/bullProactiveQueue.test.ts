import { expect } from 'chai';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { LogFields, Logger } from '../../../middleware/shared/logger';
import type { ProactiveJob } from '../../../middleware/proactive/proactiveQueue';
import { BullProactiveQueue, type BullProactiveQueueOptions } from '../../../middleware/proactive/queues/bullProactiveQueue';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../handoff/testRedis';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds (polling every 20 ms), failing after `ms`. */
async function until(done: () => boolean | Promise<boolean>, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The error `promise` rejects with (failing when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

let serial = 0;
/** A job about a fresh piece of news. */
function makeJob(overrides: Partial<ProactiveJob> = {}): ProactiveJob {
  serial += 1;
  return {
    watchId: `msteams/conv-${serial}|1Z999AA10123456784`,
    event: {
      id: `aftership:evt-${serial}`,
      source: 'aftership',
      trackingNumber: '1Z999AA10123456784',
      status: 'delayed',
      expectedDelivery: '2026-03-04',
      occurredAt: '2026-03-02T09:00:00.000Z',
    },
    day: '2026-03-02',
    caseOpened: false,
    attempt: 0,
    ...overrides,
  };
}

/** A logger that keeps its lines. */
function recordingLogger(): Logger & { lines: { level: string; event: string; fields: LogFields }[] } {
  const lines: { level: string; event: string; fields: LogFields }[] = [];
  const at =
    (level: string) =>
    (event: string, fields: LogFields = {}): void => {
      lines.push({ level, event, fields });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('BullProactiveQueue (BullMQ on real Redis)', function () {
  this.timeout(10000);

  let redis: Redis;
  let prefix: string;
  const prefixes: string[] = [];
  let queues: BullProactiveQueue[] = [];

  before(async function () {
    if (skipRedis()) this.skip();
    redis = await connectTestRedis();
  });

  beforeEach(() => {
    // BullMQ writes `${prefix}:${name}:…`: the test prefix without its trailing colon.
    prefix = uniquePrefix('bull').slice(0, -1);
    prefixes.push(prefix);
  });

  afterEach(async () => {
    await Promise.all(queues.map((q) => q.stop()));
    queues = [];
  });

  after(async () => {
    if (!redis) return;
    for (const p of prefixes) await deleteKeys(redis, p);
    await redis.quit();
  });

  /** A queue on the current prefix, sharing the test's client unless told otherwise; stopped after the test. */
  const make = (options: Partial<BullProactiveQueueOptions> = {}): BullProactiveQueue => {
    const q = new BullProactiveQueue({ connection: redis, prefix, ...options });
    queues.push(q);
    return q;
  };

  /** A `run` that records the jobs it is given. */
  const recorder = (): { runs: ProactiveJob[]; run: (job: ProactiveJob) => Promise<void> } => {
    const runs: ProactiveJob[] = [];
    return { runs, run: async (job) => void runs.push(job) };
  };

  it('runs a job enqueued for now once, with its data intact, and leaves the shared client open', async () => {
    const q = make();
    const { runs, run } = recorder();
    q.start(run);
    const job = makeJob({ caseOpened: true, attempt: 2 });
    await q.enqueue(job, Date.now());
    await until(() => runs.length === 1, 3000, 'the run');
    await sleep(200);
    expect(runs).to.deep.equal([job]);
    await q.stop();
    expect(redis.status, 'the caller keeps its client').to.equal('ready');
    expect(await redis.ping()).to.equal('PONG');
  });

  it('works from ioredis options too (opening and closing its own connections)', async () => {
    const q = make({ connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 } });
    const { runs, run } = recorder();
    q.start(run);
    await q.enqueue(makeJob(), Date.now());
    await until(() => runs.length === 1, 3000, 'the run');
  });

  it('does not run a delayed job before its time, and runs it after; size() counts it meanwhile', async () => {
    const q = make();
    const ranAt: number[] = [];
    q.start(async () => void ranAt.push(Date.now()));
    const at = Date.now() + 300;
    await q.enqueue(makeJob(), at);
    await until(() => q.size() === 1, 1000, 'size() to count the delayed job');
    await sleep(150);
    expect(ranAt, 'not before its time').to.have.length(0);
    await until(() => ranAt.length === 1, 3000, 'the delayed run');
    expect(ranAt[0]).to.be.at.least(at - 5);
    await until(() => q.size() === 0, 1000, 'size() to drop to 0');
  });

  it('keeps one job when the same job is enqueued twice', async () => {
    const q = make();
    const { runs, run } = recorder();
    const job = makeJob();
    const at = Date.now() + 100;
    await q.enqueue(job, at);
    await q.enqueue({ ...job }, at);
    q.start(run);
    await until(() => runs.length === 1, 3000, 'the run');
    // Enqueued again after it ran (the carrier sent the event again): still one.
    await q.enqueue({ ...job }, Date.now());
    await sleep(400);
    expect(runs).to.have.length(1);
    // Another attempt of the same news is another job.
    await q.enqueue({ ...job, attempt: 1 }, Date.now());
    await until(() => runs.length === 2, 3000, 'the next attempt');
  });

  it('runs a job again when its run puts it back for later (a rate limit), once per put', async () => {
    const q = make();
    const runs: ProactiveJob[] = [];
    q.start(async (job) => {
      runs.push(job);
      if (runs.length === 1) await q.enqueue(job, Date.now() + 100);
    });
    const job = makeJob();
    await q.enqueue(job, Date.now());
    await until(() => runs.length === 2, 3000, 'the second run');
    await sleep(300);
    expect(runs).to.deep.equal([job, job]);
  });

  it('keeps a job through a restart: stopped before its time, another instance runs it', async () => {
    const a = make();
    const first = recorder();
    a.start(first.run);
    const job = makeJob();
    const at = Date.now() + 600;
    await a.enqueue(job, at);
    await a.stop();
    expect(await rejection(a.enqueue(makeJob(), Date.now())), 'a stopped queue takes no job').to.be.instanceOf(Error);
    const b = make();
    const second = recorder();
    b.start(second.run);
    await until(() => second.runs.length === 1, 3000, 'the run on the second instance');
    expect(Date.now()).to.be.at.least(at - 5);
    expect(second.runs).to.deep.equal([job]);
    expect(first.runs).to.have.length(0);
  });

  it('runs each job exactly once across two instances on the same prefix', async () => {
    const a = make({ concurrency: 4 });
    const b = make({ concurrency: 4 });
    const count = new Map<string, number>();
    const ranBy = { a: 0, b: 0 };
    const run = (who: 'a' | 'b') => async (job: ProactiveJob) => {
      count.set(job.event.id, (count.get(job.event.id) ?? 0) + 1);
      ranBy[who] += 1;
      await sleep(5);
    };
    a.start(run('a'));
    b.start(run('b'));
    const jobs = Array.from({ length: 50 }, () => makeJob());
    const now = Date.now();
    await Promise.all(jobs.map((job, i) => (i % 2 ? a : b).enqueue(job, now + (i % 5) * 50)));
    await until(() => count.size === 50, 5000, 'all 50 runs');
    await sleep(300);
    expect([...count.values()].every((n) => n === 1), 'each job once').to.equal(true);
    expect(ranBy.a + ranBy.b).to.equal(50);
  });

  it('fails a job whose run rejects, without rerunning it and without storing the error message', async () => {
    const logger = recordingLogger();
    const q = make({ logger });
    let calls = 0;
    q.start(async () => {
      calls += 1;
      throw new Error('Dear Ms Customer, your parcel 1Z999AA10123456784');
    });
    await q.enqueue(makeJob(), Date.now());
    await until(() => calls === 1, 3000, 'the run');
    await sleep(500);
    expect(calls, 'no BullMQ retry').to.equal(1);
    const failed = await redis.zrange(`${prefix}:proactive:failed`, 0, -1);
    expect(failed).to.have.length(1);
    const stored = JSON.stringify(await redis.hgetall(`${prefix}:proactive:${failed[0]}`));
    expect(stored).to.not.include('Dear Ms Customer');
    expect(logger.lines.some((l) => l.event === 'proactive.queue.run_failed' && l.fields.error === 'Error')).to.equal(true);
    expect(JSON.stringify(logger.lines)).to.not.include('Dear Ms Customer');
  });

  it('drops malformed job data read back from Redis, logging no customer data, and goes on', async () => {
    const logger = recordingLogger();
    const q = make({ logger });
    const { runs, run } = recorder();
    q.start(run);
    const raw = new Queue('proactive', { connection: redis, prefix });
    try {
      const bad = { ...makeJob(), attempt: 'twice', event: { ...makeJob().event, place: 'Ms Customer, 3 rue des Lilas' } };
      await raw.add('send', bad, { jobId: 'bad-1' });
      await raw.add('send', 'not even an object', { jobId: 'bad-2' });
      await raw.add('other', makeJob(), { jobId: 'bad-3' });
      await raw.add('send', { ...makeJob(), event: { ...makeJob().event, status: 'teleported' } }, { jobId: 'bad-4' });
    } finally {
      await raw.close();
    }
    await until(() => logger.lines.filter((l) => l.event === 'proactive.queue.malformed').length === 4, 3000, 'four malformed lines');
    expect(runs).to.have.length(0);
    const fields = logger.lines.filter((l) => l.event === 'proactive.queue.malformed').map((l) => l.fields.field);
    expect(fields).to.have.members(['attempt', '(root)', '(name)', 'event.status']);
    expect(JSON.stringify(logger.lines)).to.not.include('Lilas');
    const good = makeJob();
    await q.enqueue(good, Date.now());
    await until(() => runs.length === 1, 3000, 'the good run');
    expect(runs).to.deep.equal([good]);
  });

  it('refuses to enqueue a malformed job or a time that is not a number', async () => {
    const q = make();
    expect(await rejection(q.enqueue({ ...makeJob(), day: 'tomorrow' }, Date.now()))).to.be.instanceOf(TypeError);
    expect(await rejection(q.enqueue(makeJob(), Number.NaN))).to.be.instanceOf(TypeError);
    expect(() => new BullProactiveQueue({ connection: { keyPrefix: 'x:' } })).to.throw(TypeError, /keyPrefix/);
  });

  it('removes done and failed jobs by age, and every key left gets a TTL', async () => {
    const q = make({ keepDoneMs: 100, keepFailedMs: 100 });
    let calls = 0;
    q.start(async (job) => {
      calls += 1;
      if (job.attempt === 1) throw new Error('refused');
    });
    await q.enqueue(makeJob(), Date.now());
    await q.enqueue(makeJob({ attempt: 1 }), Date.now());
    await until(() => calls === 2, 3000, 'both runs');
    const jobKey = (k: string): boolean => /:proactive:p[A-Za-z0-9_-]{43}$/.test(k);
    await until(async () => !(await redis.keys(`${prefix}:*`)).some(jobKey), 4000, 'the jobs to be removed by age');
    // Everything stored has a retention: after the next sweep, every key left (BullMQ's own bookkeeping included) has a TTL.
    const forever = async (): Promise<string[]> => {
      const keys = await redis.keys(`${prefix}:*`);
      const ttls = await Promise.all(keys.map((k) => redis.pttl(k)));
      return keys.filter((_, i) => ttls[i] === -1);
    };
    await until(async () => (await forever()).length === 0, 4000, 'every key to have a TTL');
    expect(await redis.zcard(`${prefix}:proactive:completed`)).to.equal(0);
    expect(await redis.zcard(`${prefix}:proactive:failed`)).to.equal(0);
    expect(await redis.xlen(`${prefix}:proactive:events`)).to.be.at.most(1100);
  });

  it('stop() waits for a running job to finish', async () => {
    const q = make();
    let finished = false;
    let started = false;
    q.start(async () => {
      started = true;
      await sleep(300);
      finished = true;
    });
    await q.enqueue(makeJob(), Date.now());
    await until(() => started, 3000, 'the run to start');
    await q.stop();
    expect(finished, 'the run finished before stop() resolved').to.equal(true);
    expect(await redis.zcard(`${prefix}:proactive:completed`), 'and was recorded as done').to.equal(1);
  });
});
