import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { chromiumInstalled, launchChromium } from '../helpers/chromium';
import { createApp, type WarmlineApp } from '../../bots/app/createApp';
import { loadConfig } from '../../config';
import { hashDeskPassword } from '../../bots/console/deskPassword';
import { sendWebChatMessage, webChatBubble } from '../bots/webchat/localChannelHarness';
import { MemoryDeskSessionStore } from '../../bots/console/deskSessions';
import { DeskClient, startDeskServer, type DeskTestServer } from '../bots/console/deskTestServer';

const FRAUD = "someone stole my card and made payments I don't recognise";

/** Bubbles the bot (or an agent, relayed by the bot) shows in Web Chat, oldest first. */
const botBubbles = (page: Page) => page.locator('.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content');

/** Waits until Web Chat shows more bot bubbles than `count`; returns the new count. */
async function nextBotBubbles(page: Page, count: number, timeout = 10000): Promise<number> {
  await page.waitForFunction(
    ([selector, n]) => document.querySelectorAll(selector as string).length > (n as number),
    ['.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content', count] as const,
    { timeout },
  );
  return botBubbles(page).count();
}

describe('warm handoff to the web agent console, end to end in Chromium (createApp)', function () {
  this.timeout(90000);
  let browser: Browser | undefined;
  let app: WarmlineApp | undefined;
  let base = '';

  before(async function () {
    if (!chromiumInstalled()) this.skip();
    const hash = await hashDeskPassword('ana-password-123', { N: 1024 });
    app = createApp({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DESK_AGENTS: `ana:Ana Martin:${hash}` }),
      warmRecognizers: false,
    });
    ({ url: base } = await app.start());
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('fraud in web chat -> case in the console within a second -> accept, reply, answer -> close -> back with the bot', async () => {
    const agentContext = await browser!.newContext({ locale: 'en-US', viewport: { width: 1360, height: 820 } });
    const customerContext = await browser!.newContext({ locale: 'en-US' });
    const agent = await agentContext.newPage();
    const customer = await customerContext.newPage();
    const pageErrors: string[] = [];
    for (const page of [agent, customer]) page.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      // The agent signs in; they are online for the handoff's "agents online" check.
      await agent.goto(`${base}/desk`);
      await agent.getByLabel('Agent id').fill('ana');
      await agent.getByLabel('Password').fill('ana-password-123');
      await agent.getByRole('button', { name: 'Sign in' }).click();
      await agent.getByText('Ana Martin', { exact: true }).waitFor();
      await agent.locator('#queue-empty').waitFor();

      // The customer reports a fraud in web chat.
      await customer.goto(`${base}/?locale=en-US`);
      await customer.locator('[data-id="webchat-sendbox-input"]').waitFor({ timeout: 20000 });
      await customer.waitForTimeout(500); // let the welcome arrive first
      let seen = await botBubbles(customer).count();
      await sendWebChatMessage(customer, FRAUD);
      seen = await nextBotBubbles(customer, seen);
      const acknowledged = Date.now();

      // Within a second of the customer's acknowledgement the case is in the console's queue, high priority.
      const item = agent.locator('#queue-list .case-item').first();
      await item.waitFor({ timeout: 1000 });
      expect(Date.now() - acknowledged).to.be.below(1000);
      expect(await item.locator('.badge').textContent()).to.equal('high');
      expect((await item.locator('.reason').textContent())?.toLowerCase()).to.equal('fraud');

      // The agent opens it: summary, evidence, redacted transcript with the customer's words.
      await item.click();
      await agent.locator('#summary').waitFor();
      expect(await agent.locator('#signals .chip').count()).to.be.greaterThan(0);
      await agent.locator('#log .msg.customer').filter({ hasText: 'someone stole my card' }).first().waitFor();

      // Accept, reply: the customer sees the agent's words in web chat.
      await agent.getByRole('button', { name: 'Accept' }).click();
      await agent.locator('#reply').waitFor();
      const reply = 'Hello, I am Ana. I have blocked your card; you will not be charged for those payments.';
      await agent.locator('#reply').fill(reply);
      await agent.locator('#reply').press('Enter');
      await webChatBubble(customer, reply).waitFor({ timeout: 10000 });
      seen = await botBubbles(customer).count();

      // The customer answers: the agent sees it live.
      const answer = 'Thank you! The payments were made last night.';
      await sendWebChatMessage(customer, answer);
      await agent.locator('#log .msg.customer').filter({ hasText: answer }).waitFor({ timeout: 5000 });
      // The bot did not answer while the agent had the case.
      await customer.waitForTimeout(500);
      expect(await botBubbles(customer).count()).to.equal(seen);

      // The agent closes with a note; the customer is told and is back with the bot.
      const [conversationId] = app!.directLine!.conversationIds();
      expect((await app!.handoff.customers.findOpenCase(`webchat/${conversationId}`))?.state).to.equal('assigned');
      await agent.locator('#close-note').fill('Card blocked, refund requested.');
      await agent.getByRole('button', { name: 'Close case' }).click();
      await agent.locator('#case-empty').waitFor();
      seen = await nextBotBubbles(customer, seen);
      expect(await app!.handoff.customers.findOpenCase(`webchat/${conversationId}`)).to.equal(undefined);
      const relayedBefore = await agent.locator('#log .msg.customer').count();
      // Let the close message and the rating question arrive before counting, then ask the bot about a parcel.
      await customer.waitForTimeout(500);
      seen = await botBubbles(customer).count();
      await sendWebChatMessage(customer, 'where is my parcel');
      // The tracking dialog answers: a bot bubble after the customer's message asks for the number.
      await customer.waitForFunction(
        ([selector, n]) =>
          Array.from(document.querySelectorAll(selector as string))
            .slice(n as number)
            .some((e) => /tracking number\?/i.test(e.textContent ?? '')),
        ['.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content', seen] as const,
        { timeout: 10000 },
      );
      // Back with the bot: nothing more was relayed to the agent, and no case is open.
      expect(await agent.locator('#log .msg.customer').count()).to.equal(relayedBefore);
      expect(await app!.handoff.customers.findOpenCase(`webchat/${conversationId}`)).to.equal(undefined);
      expect(pageErrors).to.deep.equal([]);
    } finally {
      await agentContext.close();
      await customerContext.close();
    }
  });
});

// The same console page against the in-memory backend: runs today, whatever the state of the handoff wiring.
describe('web agent console page in Chromium (in-memory backend)', function () {
  this.timeout(60000);
  let browser: Browser | undefined;
  let t: DeskTestServer | undefined;

  before(async function () {
    if (!chromiumInstalled()) this.skip();
    t = await startDeskServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in, shows a new case at once, accepts, chats both ways with escaped text, closes; the other agent sees who has it', async () => {
    const ctxA = await browser!.newContext({ viewport: { width: 1360, height: 820 } });
    const ctxB = await browser!.newContext({ viewport: { width: 1360, height: 820 } });
    const ana = await ctxA.newPage();
    const ben = await ctxB.newPage();
    const errors: string[] = [];
    for (const p of [ana, ben]) p.on('pageerror', (e) => errors.push(e.message));
    try {
      for (const [page, id] of [[ana, 'ana'], [ben, 'ben']] as const) {
        await page.goto(`${t!.base}/desk`);
        await page.getByLabel('Agent id').fill(id);
        await page.getByLabel('Password').fill('wrong');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').filter({ hasText: 'Wrong id or password.' }).waitFor();
        await page.getByLabel('Password').fill(`${id}-password`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.locator('#queue-empty').waitFor();
      }
      const started = Date.now();
      const c = await t!.backend.queueCase({
        transcript: [{ role: 'customer', text: '<img src=x onerror=alert(1)> stole my card', at: new Date().toISOString() }],
      });
      await ana.locator('#queue-list .case-item').first().waitFor({ timeout: 1000 });
      expect(Date.now() - started).to.be.below(1000);
      await ben.locator('#queue-list .case-item').first().waitFor({ timeout: 1000 });

      // Keyboard: j selects the first case, a accepts it.
      await ana.locator('body').press('j');
      await ana.locator('#case-title').filter({ hasText: c.id }).waitFor();
      expect(await ana.locator('#log img').count(), 'customer text is never HTML').to.equal(0);
      await ana.locator('#log').getByText('<img src=x onerror=alert(1)> stole my card').waitFor();
      // Ben has the same case open when Ana accepts it: his view says Ana has it and offers no reply box.
      await ben.locator('.case-item').first().click();
      await ben.getByRole('button', { name: 'Accept' }).waitFor();
      await ana.locator('body').press('a');
      await ana.locator('#reply').waitFor();
      await ben.locator('#case-owner').filter({ hasText: 'Ana Martin has this case' }).waitFor();
      expect(await ben.locator('#reply-form').isHidden()).to.equal(true);

      await ana.locator('#reply').fill('Hello Sam, I am Ana.');
      await ana.locator('#reply').press('Enter');
      await ana.locator('#log .msg.agent').filter({ hasText: 'Hello Sam, I am Ana.' }).waitFor();
      expect(t!.backend.sent.map((s) => s.text)).to.deep.equal(['Hello Sam, I am Ana.']);
      await t!.backend.customerSays(c.id, 'Thanks <b>Ana</b>');
      await ana.locator('#log .msg.customer').filter({ hasText: 'Thanks <b>Ana</b>' }).waitFor({ timeout: 2000 });

      await ana.locator('#close-note').fill('Card blocked.');
      await ana.getByRole('button', { name: 'Close case' }).click();
      await ana.locator('#case-empty').waitFor();
      expect(t!.backend.closed).to.deep.equal([{ caseId: c.id, agentId: 'ana', note: 'Card blocked.' }]);

      // A second console of Ana's (another tab) is told when she changes her status in the first.
      const streamsBefore = t!.desk.openStreams();
      const ana2 = await ctxA.newPage();
      ana2.on('pageerror', (e) => errors.push(e.message));
      await ana2.goto(`${t!.base}/desk`);
      await ana2.locator('#desk-view').waitFor({ state: 'visible' });
      for (let i = 0; i < 100 && t!.desk.openStreams() <= streamsBefore; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await ana2.locator('#presence').inputValue()).to.equal('online');

      // Away, then sign out: the presence follows.
      await ana.locator('#presence').selectOption('away');
      await ana.locator('#toast').filter({ hasText: 'You are away.' }).waitFor();
      expect((await t!.backend.store.listPresence()).find((p) => p.agent.id === 'ana')?.status).to.equal('away');
      await ana2.waitForFunction(() => (document.getElementById('presence') as HTMLSelectElement).value === 'away', undefined, { timeout: 3000 });
      expect(await ana2.locator('#presence-dot').getAttribute('class')).to.match(/\baway\b/);
      await ana2.close();
      await ana.getByRole('button', { name: 'Sign out' }).click();
      await ana.getByRole('button', { name: 'Sign in' }).waitFor();
      expect((await t!.backend.store.listPresence()).map((p) => p.agent.id)).to.deep.equal(['ben']);
      expect(errors).to.deep.equal([]);
    } finally {
      await ctxA.close();
      await ctxB.close();
    }
  });
});

// A rolling deploy restarts the instance a console is connected to; the session lives in the shared store.
describe('web agent console page in Chromium across a restart of its instance', function () {
  this.timeout(60000);
  let browser: Browser | undefined;
  const servers: DeskTestServer[] = [];

  before(async function () {
    if (!chromiumInstalled()) this.skip();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close().catch(() => undefined);
  });

  const until = async (what: string, check: () => boolean, ms = 10000): Promise<void> => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('reconnects by itself after a shutdown without asking for the password, and shows the sign-in form once signed out', async () => {
    const sessionStore = new MemoryDeskSessionStore();
    const first = await startDeskServer({ sessionStore });
    servers.push(first);
    const ctx = await browser!.newContext({ viewport: { width: 1360, height: 820 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${first.base}/desk`);
      await page.getByLabel('Agent id').fill('ana');
      await page.getByLabel('Password').fill('ana-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#queue-empty').waitFor();
      await until('the stream on the first instance', () => first.desk.openStreams() === 1);

      // The instance stops (its streams end with reason "shutdown"); its replacement listens on the same address.
      await first.close();
      servers.splice(servers.indexOf(first), 1);
      const second = await startDeskServer({ sessionStore, port: Number(new URL(first.base).port) });
      servers.push(second);
      await until('the page to reopen its stream on the new instance', () => second.desk.openStreams() === 1);
      expect(await page.locator('#login-view').isHidden(), 'no sign-in form').to.equal(true);
      expect(await page.locator('#desk-view').isVisible()).to.equal(true);
      // Live again: a case queued on the new instance appears at once.
      await second.backend.queueCase();
      await page.locator('#queue-list .case-item').first().waitFor({ timeout: 2000 });

      // Signed out elsewhere (the same session, from another tab): the stream ends with "signed_out", the form shows.
      const cookie = (await ctx.cookies()).find((c) => c.name === 'warmline_desk');
      expect(cookie?.value).to.be.a('string');
      const other = Object.assign(new DeskClient(second.base), { cookie: `warmline_desk=${cookie!.value}` });
      other.csrf = ((await (await other.get('/desk/api/session')).json()) as { csrfToken: string }).csrfToken;
      expect((await other.post('/desk/api/logout')).status).to.equal(204);
      await page.locator('#login-view').waitFor({ state: 'visible', timeout: 5000 });
      await page.locator('#login-error').filter({ hasText: 'You were signed out.' }).waitFor();
      expect(errors).to.deep.equal([]);
    } finally {
      await ctx.close();
    }
  });
});
