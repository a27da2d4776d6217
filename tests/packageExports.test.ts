import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

describe("package exports: import { ... } from 'warmline'", function () {
  this.timeout(120000);

  before(() => {
    // The published entry is the compiled barrel; build it when this checkout has not been built yet.
    if (!existsSync(path.join(root, 'dist', 'warmline.js'))) {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    }
  });

  it('resolves the package name to the compiled entry and exposes the plugins', () => {
    // A separate Node process resolves 'warmline' through package.json "exports", as a bot developer's code would.
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const w = require('warmline');
         const names = ['createApp','createWarmlinePlugin','CustomerBot','MainDialog','ParcelTrackingDialog','loadConfig',
           'DemoTrackingProvider','HttpTrackingProvider','findTrackingNumbers','registerLocalDirectLine','warmlineTurn',
           'acknowledge','MemoryHandoffStore','RedisHandoffStore','RedisStorage','ExpiringMemoryStorage','WarmlineCloudAdapter',
           'Redactor','createHandoffPolicy','InputGuardMiddleware','SignalsMiddleware','createSignalDetector',
           'HandoffMiddleware','HandoffService','createWarmlineMiddleware','AgentDesk','BotFrameworkHandoffConnector',
           'WebhookConnector','registerDeskConsole'];
         const missing = names.filter((n) => w[n] === undefined);
         process.stdout.write(JSON.stringify({ missing, count: Object.keys(w).length, resolved: require.resolve('warmline') }));`,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    const { missing, count, resolved } = JSON.parse(out) as { missing: string[]; count: number; resolved: string };
    expect(missing).to.deep.equal([]);
    expect(count, 'value exports of dist/warmline.js').to.be.at.most(60);
    expect(path.relative(root, resolved)).to.equal(path.join('dist', 'warmline.js'));
  });

  it('loading the package has no side effects (no server, no env reads that fail)', () => {
    const out = execFileSync(process.execPath, ['-e', "require('warmline'); setTimeout(() => process.stdout.write('exited-cleanly'), 10)"], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PORT: 'not-a-port' },
      timeout: 20000,
    });
    expect(out).to.equal('exited-cleanly');
  });
});
