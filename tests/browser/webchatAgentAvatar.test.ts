import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { chromiumInstalled, launchChromium } from '../helpers/chromium';
import { startLocalChannel, webChatBubble, type LocalChannel } from '../bots/webchat/localChannelHarness';

/** The activity Web Chat shows around the bubble with this text (avatar gutter, bubble, status). */
const activityOf = (page: Page, text: string): Locator =>
  page.locator('.webchat__stacked-layout').filter({ has: webChatBubble(page, text) }).last();

describe('web chat page in Chromium: an agent\'s messages carry the agent\'s name and initials (local Direct Line)', function () {
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

  /** Posts an activity into the conversation as the bot does (the Connector API of the local Direct Line). */
  async function postAsBot(conversationId: string, activity: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${channel.directLine.serviceUrl()}/v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    expect(res.status).to.equal(200);
  }

  for (const locale of ['en-US', 'fr-FR']) {
    it(`${locale}: the agent's initials and name on the agent's message, the bot's avatar on the bot's`, async () => {
      const context = await browser!.newContext({ locale, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      page.on('console', (msg) => {
        if (msg.type() === 'error') pageErrors.push(msg.text());
      });
      try {
        const known = new Set(channel.directLine.conversationIds());
        await page.goto(`${channel.base}/?locale=${locale}`);
        await webChatBubble(page, 'welcome').waitFor({ timeout: 20000 });
        const conversationId = channel.directLine.conversationIds().find((id) => !known.has(id))!;

        // As the relay sends an agent's words: from the bot's account with the agent's name, and Warmline's marker.
        const agentText = locale === 'fr-FR' ? 'Bonjour, je suis Ana Martin.' : 'Hello, I am Ana Martin.';
        await postAsBot(conversationId, {
          type: 'message',
          text: agentText,
          from: { id: 'warmline-bot', name: 'Ana Martin' },
          channelData: { warmline: { sender: 'agent', agentName: 'Ana Martin' } },
        });
        await webChatBubble(page, agentText).waitFor({ timeout: 10000 });
        // Then the bot again, right after the agent: a group of its own, with its own avatar.
        await postAsBot(conversationId, { type: 'message', text: 'back with the bot' });
        await webChatBubble(page, 'back with the bot').waitFor({ timeout: 10000 });

        const agent = activityOf(page, agentText);
        expect(await agent.locator('.warmline-agent-avatar').innerText()).to.equal('AM');
        expect(await agent.locator('.webchat__initialsAvatar').count()).to.equal(0);
        expect(await agent.locator('.warmline-agent-name').innerText()).to.equal('Ana Martin');
        expect(await agent.locator('.warmline-agent-name').isVisible()).to.equal(true);

        for (const botText of ['welcome', 'back with the bot']) {
          const bot = activityOf(page, botText);
          expect(await bot.locator('.warmline-agent-avatar').count(), botText).to.equal(0);
          expect(await bot.locator('.warmline-agent-name').count(), botText).to.equal(0);
          expect((await bot.locator('.webchat__initialsAvatar').innerText()).trim(), botText).to.equal('W');
        }
        expect(pageErrors).to.deep.equal([]);
        mkdirSync(path.join(tmpdir(), 'warmline-screens'), { recursive: true });
        await page.screenshot({ path: path.join(tmpdir(), 'warmline-screens', `webchat-agent-${locale}.png`) });
      } finally {
        await context.close();
      }
    });
  }
});
