import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DeskClient } from '../bots/console/deskTestServer';
import { directLineMessage } from '../helpers/channelActivities';
import { FakeConnector } from '../helpers/fakeConnector';
import { packWarmline, root } from '../package/packWarmline';

const EXAMPLE = path.join(root, 'examples', 'minimal-bot');
const BEREAVEMENT = 'My mother passed away last week and there is a parcel in her name I need to sort out';

const until = async (what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Resolves with the first stdout line that matches, from a child that prints as it runs. */
function lineOf(child: ChildProcess, pattern: RegExp, output: { text: string }): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = pattern.exec(output.text);
      if (match) resolve(match);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the example exited (${code}) before printing ${pattern}:\n${output.text}`)));
    onData();
  });
}

describe('examples/minimal-bot: a plain botbuilder bot with Warmline installed from the packed tarball', function () {
  // npm pack (a build from scratch) and npm install from the local cache: about 30 s on a loaded machine.
  this.timeout(180_000);
  let dir = '';
  let child: ChildProcess | undefined;
  const connector = new FakeConnector();
  const output = { text: '' };

  before(async () => {
    const { tarball } = await packWarmline();
    dir = mkdtempSync(path.join(tmpdir(), 'warmline-minimal-bot-'));
    // What a developer's own install left there (modules, a lock naming another tarball) stays behind.
    cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !['node_modules', 'package-lock.json'].includes(path.basename(src)) });
    // The example depends on the tarball a developer packs at the root; here, on the one just packed.
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies.warmline = `file:${tarball}`;
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    // From npm's cache when it can; no install script is needed (README, "Installing"); the web chat page (optional
    // dependency) is not used by this bot.
    await promisify(execFile)('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional'], {
      cwd: dir,
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    await connector.start();
  });

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await connector.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds Warmline in at most 10 lines of its own (code and package.json)', () => {
    const sources = readdirSync(EXAMPLE).filter((f) => f.endsWith('.js') || f === 'package.json');
    const lines = sources.flatMap((f) => readFileSync(path.join(EXAMPLE, f), 'utf8').split('\n')).filter((l) => /warmline/i.test(l));
    expect(lines.length, lines.join('\n')).to.be.within(1, 10);
  });

  it('queues a bereaved customer for a person, whom the agent signed in to the console accepts and answers', async () => {
    child = spawn(process.execPath, ['index.js'], {
      cwd: dir,
      // A clean environment: no app id (local development), a free port.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (output.text += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output.text += c.toString()));
    const [, port] = await lineOf(child, /listening to http:\/\/\S*:(\d+)/, output);
    const [, agentId, password] = await lineOf(child, /sign in as (\S+) \/ (\S+)/, output);
    const base = `http://127.0.0.1:${port}`;

    const agent = new DeskClient(base);
    expect((await agent.login(agentId, password)).status).to.equal(200);

    const conversationId = `DL-example-${Date.now()}`;
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(directLineMessage(BEREAVEMENT, { serviceUrl: connector.url, conversationId })),
    });
    expect(res.status).to.be.within(200, 202);
    // The customer is acknowledged and queued by Warmline: the echo bot does not answer this message.
    const ack = await connector.waitFor((c) => c.conversationId === conversationId, 10_000);
    expect(String(ack.activity.text)).to.not.match(/^Echo:/);

    let queue: Array<{ id: string; reason: string; priority: string }> = [];
    await until('the case in the console queue', async () => {
      queue = ((await (await agent.get('/desk/api/queue')).json()) as { queue: typeof queue }).queue;
      return queue.length > 0;
    });
    expect(queue[0]).to.include({ reason: 'bereavement', priority: 'high' });

    expect((await agent.post(`/desk/api/cases/${queue[0].id}/accept`)).status).to.equal(200);
    expect((await agent.post(`/desk/api/cases/${queue[0].id}/messages`, { text: 'I am so sorry. I will take care of it.' })).status).to.equal(202);
    await connector.waitFor((c) => c.conversationId === conversationId && c.activity.text === 'I am so sorry. I will take care of it.', 10_000);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child?.once('exit', resolve));
    expect(code, output.text).to.equal(0);
  });
});
