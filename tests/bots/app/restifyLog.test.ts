import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'chai';
import { createLogger } from '../../../middleware/shared/logger';
import { restifyLog } from '../../../bots/app/restifyLog';

const BEARER = 'eyJhbGciOiJIUzI1NiJ9.fake-bearer-0d6b4c57';
const COOKIE = 'fake-cookie-9f0e1b2a3c4d';
const QUERY = 'fake-query-secret-7b61';

function runFixture(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'restifyErrorServer.ts'), JSON.stringify({ bearer: BEARER, cookie: COOKIE, query: QUERY })], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '--no-deprecation' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('restifyLog', function () {
  this.timeout(30_000);

  it('keeps an error restify catches itself out of stdout and stderr but for safe fields: no bearer token, cookie or query string', async () => {
    const { code, stdout, stderr } = await runFixture();
    expect(code, stderr).to.equal(0);
    expect(stdout).to.contain('STATUSES 500,404,400');
    const all = stdout + stderr;
    for (const secret of [BEARER, COOKIE, QUERY, 'authorization', 'cookie']) expect(all.toLowerCase(), secret).not.to.contain(secret.toLowerCase());
    // Every line is Warmline's JSON; restify's own formatter failure is one of them, with what is safe to say.
    const lines = all
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(all.split('\n').filter((l) => l && !l.startsWith('{') && !l.startsWith('STATUSES'))).to.deep.equal([]);
    const warned = lines.find((l) => l.event === 'restify.warn');
    // restify wraps the formatter's RangeError in its InternalServerError.
    expect(warned, all).to.deep.include({ level: 'warn', error: 'InternalServerError', status: 500, method: 'GET', route: '/probe/:id' });
    for (const line of lines) expect(['t', 'level', 'event', 'error', 'code', 'status', 'method', 'route']).to.include.members(Object.keys(line));
  });

  it('is a pino logger: maps restify levels to Warmline levels, answers level checks, drops trace, and keeps only safe fields', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = restifyLog(createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }));
    // restify's `if (log.trace())` checks: pino's no-op answers undefined, so restify builds nothing to log.
    const bare = (method: unknown): unknown => (method as () => unknown).call(log);
    expect(bare(log.trace)).to.equal(undefined);
    expect(log.isLevelEnabled('trace')).to.equal(false);
    for (const level of ['debug', 'info', 'warn', 'error', 'fatal'] as const) {
      bare(log[level]); // a bare call checks a level (bunyan's convention): nothing written
      expect(log.isLevelEnabled(level), level).to.equal(true);
    }
    expect(log.isLevelEnabled('toString')).to.equal(false);
    expect(lines).to.deep.equal([]);

    const req = { method: 'POST', url: `/x?token=${QUERY}`, headers: { authorization: `Bearer ${BEARER}` }, body: { text: 'my card 4111' }, getRoute: () => ({ path: '/x/:id' }) };
    const err = Object.assign(new RangeError(`Maximum call stack size exceeded ${COOKIE}`), { statusCode: 500 });
    log.trace({ err, errName: 'RangeError' }, 'entering emitErrorEvents');
    log.warn({ req, err }, 'error in formatter (application/json) formatting response body %s', BEARER);
    log.fatal(new Error(`boom ${COOKIE}`));
    log.info('listening on %s', `/x?token=${QUERY}`);
    log.error({ req: { method: 'GET\r\nX-Evil: 1', getRoute: () => { throw new Error('no route'); } } });
    // A child (restify's request logger plugin makes one per request) writes the same way, without its bindings.
    log.child({ req_id: QUERY, component: 'x' }).debug({ req }, 'handled %s', req.url);
    expect(lines.map(({ t: _t, ...rest }) => rest)).to.deep.equal([
      { level: 'warn', event: 'restify.warn', error: 'RangeError', status: 500, method: 'POST', route: '/x/:id' },
      { level: 'error', event: 'restify.fatal', error: 'Error' },
      { level: 'info', event: 'restify.info' },
      { level: 'error', event: 'restify.error' },
      { level: 'debug', event: 'restify.debug', method: 'POST', route: '/x/:id' },
    ]);
    expect(JSON.stringify(lines)).not.to.match(/token|Bearer|4111|fake-/);
  });
});
