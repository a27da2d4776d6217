import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const config = path.join(root, '.dependency-cruiser.cjs');
const cli = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** Runs dependency-cruiser with Warmline's rules on `paths` from `cwd`; returns its exit code and report. */
function cruise(cwd: string, paths: string[]): { status: number | null; report: string } {
  const run = spawnSync(process.execPath, [cli, '--config', config, '--output-type', 'err', ...paths], { cwd, encoding: 'utf8' });
  return { status: run.status, report: `${run.stdout}${run.stderr}` };
}

describe('imports point one way (dependency-cruiser, .dependency-cruiser.cjs)', function () {
  this.timeout(60000);

  it('the shipped sources break no rule: no cycle, layers downward only, no botbuilder in the signals engine or the handoff domain', () => {
    const { status, report } = cruise(root, ['index.ts', 'warmline.ts', 'config.ts', 'bots', 'dialogs', 'middleware']);
    expect(status, report).to.equal(0);
  });

  it('the rules catch what they forbid (canaries in tests/architecture/fixtures)', () => {
    const { status, report } = cruise(path.join(__dirname, 'fixtures'), ['bots', 'middleware']);
    expect(status).to.not.equal(0);
    expect(report).to.match(/domain-without-botbuilder: middleware\/signals\/usesBotbuilder\.ts/);
    expect(report).to.match(/shared-at-the-bottom: middleware\/shared\/goesUp\.ts/);
    expect(report).to.match(/feature-console-alone: bots\/console\/cycle\.ts → bots\/webchat\/page\.ts/);
    expect(report).to.match(/no-cycles: /);
  });
});
