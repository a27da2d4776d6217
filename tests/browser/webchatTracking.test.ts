import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { chromiumInstalled, launchChromium } from '../helpers/chromium';
import { loadConfig } from '../../config';
import { createApp, type WarmlineApp } from '../../bots/app/createApp';
import { DEMO_PARCELS, DemoTrackingProvider } from '../../dialogs/tracking/demoTrackingProvider';
import { sendWebChatMessage, webChatBubble, webChatBubbles } from '../bots/webchat/localChannelHarness';


describe('customer web chat in Chromium: parcel tracking end to end (real app)', function () {
  this.timeout(90000);
  let browser: Browser | undefined;
  let app: WarmlineApp;
  let base = '';

  before(async function () {
    if (!chromiumInstalled()) this.skip();
    app = createApp({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'local' }), warmRecognizers: false });
    const { port } = await app.start();
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const cases = [
    {
      name: 'English',
      locale: 'en-US',
      ask: 'where is my parcel?',
      question: /tracking number/i,
      status: 'in_transit' as const,
      cardText: /on its way/i,
    },
    {
      name: 'French',
      locale: 'fr-FR',
      ask: 'où est mon colis ?',
      question: /numéro de suivi/i,
      status: 'delivered' as const,
      cardText: /livré/i,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: asks for the number, then shows a tracking card with status and last event`, async () => {
      const parcel = DEMO_PARCELS.find((p) => p.status === c.status)!;
      const context = await browser!.newContext({ locale: c.locale });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/?locale=${c.locale}`);
        // The welcome comes as the page connects; typing before Web Chat is connected could lose the message.
        await webChatBubbles(page).first().waitFor({ timeout: 20000 });
        await sendWebChatMessage(page, c.ask);
        await webChatBubble(page, c.question).first().waitFor({ timeout: 20000 });
        await sendWebChatMessage(page, parcel.trackingNumber);
        const card = page.locator('.ac-adaptiveCard').last();
        await card.waitFor({ timeout: 20000 });
        const text = (await card.innerText()).replace(/\s+/g, ' ');
        expect(text).to.contain(parcel.trackingNumber);
        expect(text).to.match(c.cardText);
        // The last event's place is on the card.
        const known = await new DemoTrackingProvider().track(parcel.trackingNumber, parcel.carrier);
        expect(known.lastEvent?.place, 'demo parcel has a last place').to.be.a('string');
        expect(text).to.contain(known.lastEvent!.place!);
        expect(await page.getByText(/send failed/i).count()).to.equal(0);
        expect(await webChatBubbles(page).count()).to.be.greaterThan(2);
        await page.screenshot({ path: `/tmp/warmline-webchat-${c.locale}.png` });
      } finally {
        await context.close();
      }
    });
  }
});
