import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { hashDeskPassword } from '../../bots/console/deskPassword';
import { directLineMessage } from '../helpers/channelActivities';
import { chromiumInstalled, launchChromium } from '../helpers/chromium';
import { startApp, type RunningApp } from '../integration/appHarness';

// Issue 13, point 9: the console's "closed" view, toasts that never cover a field, no request bound to fail before
// sign-in; and the case summary laid out one fact per line.

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The controls a toast could hide: every visible field and button. */
async function controlsUnder(page: Page, toast: Box): Promise<string[]> {
  const boxes = await page.$$eval('input, textarea, select, button', (nodes) =>
    nodes
      .filter((n) => (n as HTMLElement).offsetParent !== null)
      .map((n) => {
        const r = n.getBoundingClientRect();
        return { id: n.id || n.textContent || n.tagName, x: r.x, y: r.y, width: r.width, height: r.height };
      }),
  );
  return boxes.filter((b) => b.width > 0 && overlaps(toast, b)).map((b) => b.id);
}

describe('agent console: closed cases, toasts, sign-in (issue 13), in Chromium', function () {
  this.timeout(90000);
  let browser: Browser | undefined;
  let run: RunningApp | undefined;

  before(async function () {
    if (!chromiumInstalled()) this.skip();
    const hash = await hashDeskPassword('ana-password-123', { N: 1024 });
    run = await startApp({ DESK_AGENTS: `ana:Ana Martin:${hash}` });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await run?.stop();
  });

  const customer = async (conversationId: string, text: string) => {
    const res = await run!.post(directLineMessage(text, { serviceUrl: run!.connector.url, conversationId, userId: 'dl-user-1796608646257' }));
    expect(res.status).to.equal(200);
  };

  for (const viewport of [
    { width: 1400, height: 900 },
    { width: 390, height: 844 },
  ]) {
    it(`${viewport.width}px: nothing fails before sign-in; a toast never covers a field; closed cases show their note and rating`, async () => {
      const context = await browser!.newContext({ locale: 'en-US', viewport });
      const page = await context.newPage();
      const failed: string[] = [];
      const errors: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
      });
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        // The page's first question: is someone signed in here?
        const probe = page.waitForResponse((r) => /^\/desk\/(api\/)?session$/.test(new URL(r.url()).pathname));
        await page.goto(`${run!.url}/desk`);
        await probe;
        await page.getByLabel('Agent id').waitFor();
        expect(failed, 'no request bound to fail before sign-in').to.deep.equal([]);
        expect(errors, 'no error in the browser console before sign-in').to.deep.equal([]);

        await page.getByLabel('Agent id').fill('ana');
        await page.getByLabel('Password').fill('ana-password-123');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Ana Martin', { exact: true }).waitFor();

        const conv = `DL-console-${viewport.width}-${process.pid}`;
        await customer(conv, "Someone stole my card, there are payments I don't recognise");
        const c = await run!.app.handoff.store.findOpenByConversation(`directline/${conv}`);
        expect(c).to.not.equal(undefined);
        const item = page.locator(`#queue-list [data-case-id="${c!.id}"]`);
        await item.waitFor({ timeout: 5000 });
        expect(await item.textContent()).to.contain('Web chat customer ···6257').and.not.contain('dl-user-1796608646257');
        await item.click();

        // The summary: one fact per line, the "why" in plain words.
        await page.locator('#summary dt').first().waitFor();
        const terms = await page.locator('#summary dt').allTextContents();
        expect(terms).to.include.members(['Wants', 'Bot', 'Why']);
        const why = await page.locator('#summary dt:text-is("Why") + dd').textContent();
        expect(why).to.match(/^Fraud \/ security, high priority: the customer said “/).and.match(/“someone stole my card”/i).and.not.match(/->|\(1\.00\)/);

        await page.getByRole('button', { name: 'Accept' }).click();
        await page.locator('#close-note').waitFor();
        // "Case … is yours." is showing while the reply and closing-note fields are on screen.
        const toast = page.locator('#toast');
        await toast.waitFor({ state: 'visible' });
        expect(await controlsUnder(page, (await toast.boundingBox()) as Box), 'controls under the toast').to.deep.equal([]);

        await page.locator('#close-note').fill('Card blocked, refund requested.');
        await page.getByRole('button', { name: 'Close case' }).click();
        await page.locator('#case-empty').waitFor();
        await toast.waitFor({ state: 'visible' });
        expect(await controlsUnder(page, (await toast.boundingBox()) as Box)).to.deep.equal([]);
        // The customer rates the help they got.
        await customer(conv, '5');
        await run!.app.handoff.idle();
        expect((await run!.app.handoff.store.get(c!.id))?.satisfaction).to.equal(5);

        await page.getByRole('button', { name: 'Closed recently' }).click();
        const closed = page.locator(`#closed-list [data-case-id="${c!.id}"]`);
        await closed.waitFor({ timeout: 5000 });
        const text = (await closed.textContent()) ?? '';
        expect(text).to.contain('Card blocked, refund requested.').and.contain('rated 5/5').and.contain('resolved by Ana Martin');
        await closed.click();
        await page.locator('#case-meta').filter({ hasText: 'rated 5/5' }).waitFor();
        await page.locator('#log .msg.system').filter({ hasText: 'Card blocked, refund requested.' }).waitFor();
        expect(await page.locator('#reply-form').isVisible()).to.equal(false);
        expect(errors).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  }
});
