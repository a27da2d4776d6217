import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { chromiumInstalled, launchChromium } from '../helpers/chromium';
import {
  sendWebChatMessage,
  startLocalChannel,
  webChatBubble as bubble,
  type LocalChannel,
} from '../bots/webchat/localChannelHarness';


describe('web chat page in Chromium (local Direct Line, echo bot)', function () {
  this.timeout(60000);
  let browser: Browser | undefined;
  let channel: LocalChannel;

  before(async function () {
    if (!chromiumInstalled()) this.skip();
    channel = await startLocalChannel();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await channel?.close();
  });

  it('shows the welcome once, sends a message and shows its echo, with no request leaving the server', async () => {
    const context = await browser!.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const foreign: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (req) => {
      // Network requests only (blob:/data: URLs are in-page); all must go to this server: no CDN, no Azure.
      const url = new URL(req.url());
      if (/^(https?|wss?):$/.test(url.protocol) && url.host !== new URL(channel.base).host) foreign.push(req.url());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // Console errors include Content-Security-Policy violations and failed Direct Line calls.
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    try {
      await page.goto(`${channel.base}/?locale=en-US`);
      await expect(await page.locator('header h1').textContent()).to.equal('Warmline');
      await bubble(page, 'welcome').waitFor({ timeout: 20000 });

      await sendWebChatMessage(page, 'hello from chromium');
      await bubble(page, 'echo: hello from chromium').waitFor({ timeout: 15000 });

      // The user's own message is shown as sent (the echo with its clientActivityID came back), not "Send failed".
      await page.locator('.webchat__bubble--from-user .webchat__bubble__content').getByText('hello from chromium', { exact: true }).waitFor();
      expect(await page.getByText(/send failed/i).count()).to.equal(0);
      expect(await bubble(page, 'welcome').count()).to.equal(1);
      expect(foreign).to.deep.equal([]);
      expect(pageErrors).to.deep.equal([]);
      // Web Chat used the WebSocket stream (not polling).
      expect(channel.directLine.openSockets()).to.be.greaterThan(0);

      const [conversationId] = channel.directLine.conversationIds();
      const kept = channel.directLine.activities(conversationId);
      expect(kept.map((a) => a.text)).to.deep.equal(['welcome', 'hello from chromium', 'echo: hello from chromium']);
      expect(kept[1].locale).to.equal('en-US');
    } finally {
      await context.close();
    }
  });

  it('passes a French locale from ?locale=fr-FR to Web Chat and the bot', async () => {
    const context = await browser!.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    try {
      const before = new Set(channel.directLine.conversationIds());
      await page.goto(`${channel.base}/?locale=fr-FR`);
      expect(await page.locator('html').getAttribute('lang')).to.equal('fr-FR');
      expect(await page.locator('#subtitle').textContent()).to.equal('Service client');
      await bubble(page, 'welcome').waitFor({ timeout: 20000 });
      await sendWebChatMessage(page, 'bonjour');
      await bubble(page, 'echo: bonjour').waitFor({ timeout: 15000 });
      const conversationId = channel.directLine.conversationIds().find((id) => !before.has(id))!;
      const userMessage = channel.directLine.activities(conversationId).find((a) => a.text === 'bonjour');
      expect(userMessage?.locale).to.equal('fr-FR');
    } finally {
      await context.close();
    }
  });
});
