// The Teams agent's side of a handoff in Microsoft 365 Agents Playground: Microsoft's Teams client emulator, which runs
// the Teams web client's rendering (Adaptive Cards, Action.Submit) against a local bot and stands in for the Teams
// connector on its own serviceUrl. The customer writes over Direct Line (POSTs as the channel sends them, replies
// captured by a fake connector); the agent is the Playground's signed-in user, in headless Chromium.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumInstalled, launchChromium } from '../helpers/chromium';
import { FakeConnector, type ConnectorCall } from '../helpers/fakeConnector';
import { directLineMessage } from '../helpers/channelActivities';
import { createApp, type WarmlineApp } from '../../bots/app/createApp';
import { loadConfig } from '../../config';

/** The Playground's default signed-in user (its built-in configuration): the Teams agent here. */
const PLAYGROUND_USER = { id: 'user-id-0', name: 'Alex Wilber' } as const;
const CUSTOMER = { conversationId: 'dl-playground-customer', userId: 'dl-user-1796608646257', userName: 'Jeanne Martin' } as const;

/** A free TCP port on loopback (the Playground takes a port number, not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the Playground's CLI against `endpoint` and resolves once it listens. */
function startPlayground(endpoint: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
    const child = spawn(process.execPath, [cli, '-e', endpoint, '-c', 'msteams', '-p', String(port), '--disable-telemetry'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the Playground did not start: ${output}`)), 20000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000);
      if (output.includes(`Listening on ${port}`)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Playground exited with ${code}: ${output}`));
    });
  });
}

describe('Teams agent in Microsoft 365 Agents Playground: online, case card, Accept, relay, close (Chromium)', function () {
  this.timeout(120000);
  let browser: Browser | undefined;
  let app: WarmlineApp | undefined;
  let playground: ChildProcess | undefined;
  let page: Page;
  const connector = new FakeConnector();
  let customerServiceUrl = '';
  let appUrl = '';

  before(async function () {
    if (!chromiumInstalled()) this.skip();
    customerServiceUrl = await connector.start();
    app = createApp({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', WEBCHAT: 'off', WARMLINE_AGENTS: `msteams:${PLAYGROUND_USER.id}` }),
      warmRecognizers: false,
    });
    ({ url: appUrl } = await app.start());
    const port = await freePort();
    playground = await startPlayground(`${appUrl}/api/messages`, port);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
    await page.goto(`http://127.0.0.1:${port}/`);
    // The bot's welcome in the agent's personal chat: the Playground is connected.
    await page.getByText("I'm the Warmline assistant").first().waitFor({ timeout: 30000 });
  });
  after(async () => {
    await browser?.close();
    playground?.kill('SIGTERM');
    await app?.stop();
    await connector.stop();
  });

  const agentSays = async (text: string) => {
    const box = page.locator('[data-lexical-editor="true"]');
    await box.click();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  };
  const customerSays = async (text: string) => {
    const activity = directLineMessage(text, { serviceUrl: customerServiceUrl, ...CUSTOMER });
    const res = await fetch(`${appUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await res.arrayBuffer();
    expect(res.status).to.equal(200);
  };
  const toCustomer = (pattern: RegExp) => (c: ConnectorCall) => c.conversationId === CUSTOMER.conversationId && pattern.test(c.activity.text ?? '');

  it('the agent goes online, takes the case from its card, relays both ways and closes it', async () => {
    await agentSays('online');
    await page.getByText('You are online').last().waitFor({ timeout: 10000 });

    await customerSays('my father died last week and I need to close his account');
    // The case card, rendered by the Teams client: the customer's name (not the channel id), the reason, an Accept.
    const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'Bereavement' }).last();
    await card.waitFor({ timeout: 10000 });
    const cardText = await card.innerText();
    expect(cardText).to.include(CUSTOMER.userName);
    expect(cardText).not.to.include(CUSTOMER.userId);
    const accept = card.getByRole('button', { name: 'Accept' });
    expect(await accept.count()).to.equal(1);

    await accept.click();
    await connector.waitFor(toCustomer(/has joined/), 10000);
    // The announced card is updated in place: it says who has the case and offers no Accept any more.
    await page.waitForFunction(
      () => !Array.from(document.querySelectorAll('.ac-adaptiveCard')).some((c) => /Bereavement/.test(c.textContent ?? '') && /Accept/.test(c.textContent ?? '')),
      undefined,
      { timeout: 10000 },
    );
    expect(await page.locator('.ac-adaptiveCard').filter({ hasText: 'Bereavement' }).first().innerText()).to.include(PLAYGROUND_USER.name);
    // For a person to look at (not committed): the card as the Teams client shows it once taken.
    const screens = path.join(tmpdir(), 'warmline-screens');
    mkdirSync(screens, { recursive: true });
    await page.screenshot({ path: path.join(screens, 'teams-playground-case-taken.png') });

    await customerSays('it is the joint account ending 4411');
    await page.getByText('it is the joint account ending 4411').last().waitFor({ timeout: 10000 });

    await agentSays('I will close the joint account for you today.');
    const relayed = await connector.waitFor(toCustomer(/close the joint account for you today/), 10000);
    expect(relayed.activity.from?.name).to.equal(PLAYGROUND_USER.name);

    await agentSays('close');
    await connector.waitFor(toCustomer(/rate|back with|assistant/i), 10000);
  });
});
