import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

function runIndex(env: Record<string, string>): ReturnType<typeof spawn> {
  // A clean environment: only what the bot needs to run, plus the variables under test.
  return spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', 'index.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('index.ts (the runnable bot)', function () {
  this.timeout(60000);

  it('stops with a non-zero exit code and names every bad key when the configuration is invalid', async () => {
    const child = runIndex({ PORT: 'eighty', STORAGE: 'mongo' });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.not.equal(0);
    expect(stderr).to.match(/Invalid configuration/);
    expect(stderr).to.match(/PORT:/);
    expect(stderr).to.match(/STORAGE:/);
  });

  it('starts with embedded defaults, serves health and the web chat page, and shuts down cleanly on SIGTERM', async () => {
    const child = runIndex({ PORT: '0', HOST: '127.0.0.1' });
    let out = '';
    const listening = new Promise<number>((resolve, reject) => {
      const onData = (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').slice(0, -1).find((l) => l.includes('"event":"server.listening"'));
        if (line) resolve((JSON.parse(line) as { port: number }).port);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    const port = await listening;
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(200);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.contain('Warmline');
      expect((await fetch(`http://127.0.0.1:${port}/desk`)).status).to.equal(200);
      // The development console agent is announced with its one-off password.
      expect(out).to.match(/Sign in to the console as "demo" with password \S+/);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(0);
    expect(out).to.contain('"event":"server.stopped"');
  });
});
