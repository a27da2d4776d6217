import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { createLogger, errorFields, silentLogger, type LogFields } from '../../../middleware/shared/logger';

function capture(): { lines: Array<Record<string, unknown>>; raw: string[]; logger: ReturnType<typeof createLogger> } {
  const raw: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => raw.push(line), now: () => new Date('2026-03-01T10:00:00Z') });
  return {
    raw,
    logger,
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

/** What a careless caller might pass: values a client chose, typed as anything. */
const hostile = (fields: Record<string, unknown>): LogFields => fields as LogFields;

describe('createLogger', () => {
  it('writes one JSON line per event with the time, level, event and fields, and honours the level', () => {
    const raw: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => raw.push(line), now: () => new Date('2026-03-01T10:00:00Z') });
    logger.info('ignored');
    logger.warn('turn.error', { channel: 'msteams', count: 2, ok: false, none: null });
    expect(raw).to.have.length(1);
    expect(JSON.parse(raw[0])).to.deep.equal({ t: '2026-03-01T10:00:00.000Z', level: 'warn', event: 'turn.error', channel: 'msteams', count: 2, ok: false, none: null });
  });

  it('cuts long strings to 200 characters and strips control characters, whatever the caller passes', () => {
    const log = capture();
    log.logger.info('messages.process_failed', hostile({ activityId: 'a'.repeat(100_000), channel: 'ms\nteams\r\u0000\u001b[31m\u2028\u202eevil', emoji: `${'x'.repeat(199)}😀tail` }));
    const [line] = log.lines;
    expect((line.activityId as string).length).to.equal(201);
    expect(line.activityId).to.equal(`${'a'.repeat(200)}…`);
    expect(line.channel).to.equal('msteams[31mevil');
    expect(line.emoji).to.equal(`${'x'.repeat(199)}…`); // never half an emoji
    expect(log.raw[0].length).to.be.below(1000);
  });

  it('replaces structured values by a type marker, so no client value is logged as sent', () => {
    const log = capture();
    log.logger.warn(
      'turn.error',
      hostile({ channel: ['msteams', 'x'.repeat(100_000)], id: { $ne: null }, fn: () => 1, sym: Symbol('s'), big: 12n, date: new Date(0), err: new Error('secret text') }),
    );
    const [line] = log.lines;
    expect(line).to.deep.include({ channel: '[array]', id: '[object]', fn: '[function]', sym: '[symbol]', big: '12', date: '[object]', err: '[object]' });
    expect(log.raw[0]).not.to.contain('secret text');
  });

  it('keeps its own t, level and event, cleans field names and event names, and bounds the number of fields', () => {
    const log = capture();
    const many: Record<string, unknown> = { event: 'case.created', level: 'error', t: 'x' };
    for (let i = 0; i < 100; i++) many[`k${i}\n`] = i;
    log.logger.info(`handoff.listener_failed\n${'e'.repeat(500)}`, hostile(many));
    const [line] = log.lines;
    expect(line.level).to.equal('info');
    expect(line.t).to.equal('2026-03-01T10:00:00.000Z');
    expect(line.event).to.equal(`handoff.listener_failed${'e'.repeat(177)}…`);
    expect(line).to.deep.include({ event_: 'case.created', level_: 'error', t_: 'x', k0: 0 });
    expect(Object.keys(line)).to.have.length(3 + 40 + 1);
    expect(line.fieldsDropped).to.equal(63);
  });

  it('never throws and always writes one bounded JSON line, for any fields (property test)', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true })), (event, fields) => {
        const log = capture();
        log.logger.error(event, hostile(fields));
        expect(log.raw).to.have.length(1);
        const line = JSON.parse(log.raw[0]) as Record<string, unknown>;
        for (const value of Object.values(line)) {
          expect(['string', 'number', 'boolean']).to.include(value === null ? 'boolean' : typeof value);
          if (typeof value === 'string') {
            expect(value.length).to.be.at.most(201);
            // eslint-disable-next-line no-control-regex
            expect(value).not.to.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes a field named __proto__ like any other', () => {
    const log = capture();
    log.logger.info('x', hostile(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>));
    const line = log.lines[0];
    expect(Object.getOwnPropertyDescriptor(line, '__proto__')?.value).to.equal('[object]');
    expect(line.a).to.equal(1);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('writes debug and info to stdout, warn and error to stderr, by default', () => {
    const logger = path.resolve(__dirname, '../../../middleware/shared/logger.ts');
    const script = `const { createLogger } = require(${JSON.stringify(logger)});
      const log = createLogger({ level: 'debug' });
      for (const level of ['debug', 'info', 'warn', 'error']) log[level]('probe.' + level, { n: 1 });
      createLogger().debug('probe.hidden');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '--no-deprecation' } });
    expect(run.status, run.stderr).to.equal(0);
    const events = (out: string) => out.trim().split('\n').map((l) => (JSON.parse(l) as { event: string; level: string; n: number }));
    expect(events(run.stdout).map((l) => [l.level, l.event, l.n])).to.deep.equal([['debug', 'probe.debug', 1], ['info', 'probe.info', 1]]);
    expect(events(run.stderr).map((l) => [l.level, l.event, l.n])).to.deep.equal([['warn', 'probe.warn', 1], ['error', 'probe.error', 1]]);
  });

  it('a string passed as fields is not read as a message, and level silent writes nothing', () => {
    const log = capture();
    log.logger.info('case.created', hostile('%s injected' as unknown as Record<string, unknown>));
    expect(log.lines).to.have.length(1);
    expect(log.lines[0]).to.deep.equal({ t: '2026-03-01T10:00:00.000Z', level: 'info', event: 'case.created' });
    const raw: string[] = [];
    const silent = createLogger({ level: 'silent', write: (line) => raw.push(line) });
    silent.error('x');
    expect(raw).to.deep.equal([]);
  });

  it('silentLogger reads nothing it is given', () => {
    const fields = {
      get secret(): string {
        throw new Error('read');
      },
    };
    for (const level of ['debug', 'info', 'warn', 'error'] as const) silentLogger[level]('x', fields);
  });

  it('errorFields gives the error class and code, never the message', () => {
    const err = Object.assign(new TypeError('customer typed this'), { code: 'E_X' });
    expect(errorFields(err)).to.deep.equal({ error: 'TypeError', code: 'E_X' });
    expect(errorFields('text')).to.deep.equal({ error: 'string' });
  });
});
