import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumInstalled, launchChromium } from '../helpers/chromium';
import { createApp, type WarmlineApp } from '../../bots/app/createApp';
import { hashDeskPassword } from '../../bots/console/deskPassword';
import { loadConfig } from '../../config';
import { messagesFor, type DialogLanguage } from '../../dialogs/messages';
import { renderTrackingReply } from '../../dialogs/rendering/renderTrackingReply';
import { sendWebChatMessage, webChatBubble, webChatBubbles } from '../bots/webchat/localChannelHarness';
import { contrastRatio, parseColour } from '../helpers/cardContrast';
import { PARCEL_STATUSES, sampleTrackingView } from '../dialogs/rendering/sampleTrackingView';

/** Screenshots go here, outside the repository (never committed); the path is printed for a human to look at. */
const SCREENS = path.join(tmpdir(), 'warmline-screens');

const VIEWPORTS = [
  { width: 1400, height: 900 },
  { width: 390, height: 844 },
] as const;

const LOCALES: ReadonlyArray<{ locale: string; language: DialogLanguage; ask: string; question: RegExp }> = [
  { locale: 'en-US', language: 'en', ask: 'where is my parcel?', question: /tracking number/i },
  { locale: 'fr-FR', language: 'fr', ask: 'où est mon colis ?', question: /numéro de suivi/i },
];

/** Web Chat typesets quotes in Markdown (' becomes ’): compare texts with plain quotes. */
const plainQuotes = (text: string): string => text.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').trim();

/** Waits for the first bubble and returns its text with plain quotes. */
async function firstBubble(page: Page): Promise<string> {
  await webChatBubbles(page).first().waitFor({ timeout: 20000 });
  return plainQuotes(await webChatBubbles(page).first().innerText());
}

/** The demo parcel of the screenshot: DHL Express, delayed (its card names the expected date). */
const DELAYED = '4820631756';

/**
 * What would make a screen unreadable, measured in the page: the page scrolling sideways, a card wider than its
 * bubble, an element sticking out of its card or clipping its text, a word split across two lines.
 */
function layoutProblems(page: Page): Promise<string[]> {
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  return page.evaluate(() => {
    const problems: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) problems.push(`the page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
    const label = new Map<Element, string>();
    for (const el of Array.from(document.querySelectorAll('.ac-adaptiveCard, .ac-adaptiveCard *'))) {
      label.set(el, `${el.className || el.tagName} "${(el.textContent ?? '').trim().slice(0, 40)}"`);
    }
    for (const card of Array.from(document.querySelectorAll('.webchat__bubble__content .ac-adaptiveCard'))) {
      const box = card.getBoundingClientRect();
      const bubble = card.closest('.webchat__bubble__content')!.getBoundingClientRect();
      if (box.left < bubble.left - 1 || box.right > bubble.right + 1) problems.push(`card wider than its bubble: ${label.get(card)}`);
      for (const el of Array.from(card.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.left < box.left - 1 || r.right > box.right + 1) problems.push(`sticks out of its card: ${label.get(el)}`);
        if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) problems.push(`clips its text: ${label.get(el)}`);
      }
      const texts = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
      for (let node = texts.nextNode(); node; node = texts.nextNode()) {
        const text = node.textContent ?? '';
        for (const word of Array.from(text.matchAll(/\S+/g))) {
          const range = document.createRange();
          range.setStart(node, word.index ?? 0);
          range.setEnd(node, (word.index ?? 0) + word[0].length);
          const lines = new Set(
            Array.from(range.getClientRects())
              .filter((r) => r.width > 0)
              .map((r) => Math.round(r.top)),
          );
          if (lines.size > 1) problems.push(`"${word[0]}" is broken across ${lines.size} lines`);
        }
      }
    }
    return problems;
  });
}

/** Each text of the cards shown, with its computed colour and the first opaque background behind it. */
function cardTextColours(page: Page): Promise<Array<{ text: string; colour: string; background: string }>> {
  return page.evaluate(() => {
    const out: Array<{ text: string; colour: string; background: string }> = [];
    for (const card of Array.from(document.querySelectorAll('.webchat__bubble__content .ac-adaptiveCard'))) {
      const texts = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
      for (let node = texts.nextNode(); node; node = texts.nextNode()) {
        const text = (node.textContent ?? '').trim();
        const el = node.parentElement;
        if (!text || !el) continue;
        let background = 'rgb(255, 255, 255)';
        for (let e: Element | null = el; e; e = e.parentElement) {
          const bg = getComputedStyle(e).backgroundColor;
          if (bg && bg !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(bg)) {
            background = bg;
            break;
          }
        }
        out.push({ text: text.slice(0, 60), colour: getComputedStyle(el).color, background });
      }
    }
    return out;
  });
}

describe('customer screens in Chromium: welcome on connect, readable cards, no sideways scrolling (createApp)', function () {
  this.timeout(120000);
  let browser: Browser | undefined;
  let app: WarmlineApp | undefined;
  let base = '';

  before(async function () {
    if (!chromiumInstalled()) this.skip();
    const hash = await hashDeskPassword('ana-password-123', { N: 1024 });
    app = createApp({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'local', LOG_LEVEL: 'silent', DESK_AGENTS: `ana:Ana Martin:${hash}` }),
      warmRecognizers: false,
    });
    ({ url: base } = await app.start());
    browser = await launchChromium();
    mkdirSync(SCREENS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Opens the customer page in a new context; returns the page and its conversation id (known once it connected). */
  async function openChat(locale: string, viewport: { width: number; height: number }): Promise<{ page: Page; conversationId: () => string }> {
    const known = new Set(app!.directLine!.conversationIds());
    const context = await browser!.newContext({ locale, viewport });
    const page = await context.newPage();
    await page.goto(`${base}/?locale=${locale}`);
    return {
      page,
      conversationId: () => {
        const fresh = app!.directLine!.conversationIds().filter((id) => !known.has(id));
        expect(fresh, 'one new conversation').to.have.length(1);
        return fresh[0];
      },
    };
  }

  /** Posts an activity into the conversation as the bot does (the Connector API of the local Direct Line). */
  async function postAsBot(conversationId: string, activity: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${app!.directLine!.serviceUrl()}/v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    expect(res.status).to.equal(200);
  }

  for (const { locale, language } of LOCALES) {
    it(`greets as soon as the page connects, before the customer types (${locale})`, async () => {
      const { page, conversationId } = await openChat(locale, VIEWPORTS[0]);
      try {
        expect(await firstBubble(page)).to.equal(plainQuotes(messagesFor(language).welcome('warm')));
        await page.waitForTimeout(300);
        expect(await webChatBubbles(page).count()).to.equal(1);
        expect(await page.locator('.webchat__bubble--from-user').count()).to.equal(0);
        const kept = app!.directLine!.activities(conversationId());
        expect(kept.map((a) => a.from?.role)).to.deep.equal(['bot']);
      } finally {
        await page.context().close();
      }
    });
  }

  for (const viewport of VIEWPORTS) {
    for (const { locale, language, ask, question } of LOCALES) {
      const size = `${viewport.width}x${viewport.height}`;
      it(`tracking cards at ${size} in ${locale}: words whole, nothing overflows, text contrast at least 4.5:1`, async () => {
        const { page, conversationId } = await openChat(locale, viewport);
        try {
          expect(await firstBubble(page)).to.equal(plainQuotes(messagesFor(language).welcome('warm')));
          // The case, the way a customer gets it: the delayed parcel.
          await sendWebChatMessage(page, ask);
          await webChatBubble(page, question).first().waitFor({ timeout: 20000 });
          await sendWebChatMessage(page, DELAYED);
          await page.locator('.webchat__bubble__content .ac-adaptiveCard').first().waitFor({ timeout: 20000 });
          await page.screenshot({ path: path.join(SCREENS, `customer-${locale}-${size}.png`) });

          // Then every status's card, with the longest values a card meets, as the bot renders them for web chat.
          const id = conversationId();
          for (const status of PARCEL_STATUSES) await postAsBot(id, renderTrackingReply(sampleTrackingView(status, language), 'webchat'));
          await page.waitForFunction((n) => document.querySelectorAll('.webchat__bubble__content .ac-adaptiveCard').length >= n, PARCEL_STATUSES.length + 1, {
            timeout: 20000,
          });
          await page.screenshot({ path: path.join(SCREENS, `customer-${locale}-${size}-all-cards.png`) });

          expect(await layoutProblems(page)).to.deep.equal([]);
          const weak = (await cardTextColours(page))
            .map((t) => ({ ...t, ratio: contrastRatio(parseColour(t.colour, parseColour(t.background)), parseColour(t.background)) }))
            .filter((t) => t.ratio < 4.5)
            .map((t) => `"${t.text}" ${t.colour} on ${t.background}: ${t.ratio.toFixed(2)}:1`);
          expect(weak).to.deep.equal([]);
        } finally {
          await page.context().close();
        }
      });
    }
  }

  for (const viewport of VIEWPORTS) {
    const size = `${viewport.width}x${viewport.height}`;
    it(`agent console at ${size}: the signed-in view does not scroll sideways`, async () => {
      const context = await browser!.newContext({ locale: 'en-US', viewport });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/desk`);
        await page.screenshot({ path: path.join(SCREENS, `console-sign-in-${size}.png`) });
        expect(await layoutProblems(page), 'sign-in page').to.deep.equal([]);
        await page.getByLabel('Agent id').fill('ana');
        await page.getByLabel('Password').fill('ana-password-123');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Ana Martin', { exact: true }).waitFor();
        await page.screenshot({ path: path.join(SCREENS, `console-${size}.png`) });
        expect(await layoutProblems(page), 'signed-in view').to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  }
});
