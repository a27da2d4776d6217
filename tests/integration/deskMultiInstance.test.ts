import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { hashDeskPassword } from '../../bots/console/deskPassword';
import { DeskClient } from '../bots/console/deskTestServer';
import { SseClient, type SseEvent } from '../bots/console/sseClient';
import { directLineMessage } from '../helpers/channelActivities';
import { connectTestRedis, deleteKeys, skipRedis, uniquePrefix } from '../middleware/handoff/testRedis';
import { startApp, type RunningApp } from './appHarness';

const FRAUD = "Someone stole my card and there are payments I don't recognise";

interface DeskCaseBody {
  case: {
    id: string;
    state: string;
    waitingMessages: Array<{ text: string; at: string }>;
    liveChat: Array<{ role: string; text: string; at: string }>;
  };
}

const until = async (what: string, check: () => Promise<boolean> | boolean, ms = 8000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const messagesOf = (events: readonly SseEvent[]) =>
  events.filter((e) => e.event === 'message').map((e) => `${String(e.data.from)}:${String(e.data.text)}`);

describe('web agent console across two instances on one Redis (createApp x2)', function () {
  this.timeout(60000);
  let a: RunningApp | undefined;
  let b: RunningApp | undefined;
  let cleaner: Redis | undefined;
  let prefix = '';
  let events: SseClient | undefined;

  before(async function () {
    if (skipRedis()) this.skip();
    cleaner = await connectTestRedis();
    prefix = uniquePrefix('desk-multi');
    const hash = await hashDeskPassword('ana-password', { N: 1024 });
    const env = {
      STORAGE: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      DESK_AGENTS: `ana:Ana Martin:${hash}`,
    };
    a = await startApp(env);
    b = await startApp(env);
  });

  after(async () => {
    events?.close();
    await a?.app.handoff.idle();
    await b?.app.handoff.idle();
    await a?.stop();
    await b?.stop();
    if (cleaner) {
      await deleteKeys(cleaner, prefix);
      await cleaner.quit();
    }
  });

  it('streams the customer messages handled by instance B to the agent on instance A, once each, in order, and keeps them on the case', async () => {
    const appA = a as RunningApp;
    const appB = b as RunningApp;
    // The agent signs in on instance A and opens the live stream there.
    const ana = new DeskClient(appA.url);
    expect((await ana.login('ana')).status).to.equal(200);
    events = await SseClient.open(`${appA.url}/desk/api/events`, ana.headers());
    expect(events.status).to.equal(200);

    // The customer talks to instance B only (its fake channel connector receives what the bot sends them).
    const conversationId = `DL-multi-${Date.now()}`;
    const say = (text: string) => directLineMessage(text, { serviceUrl: appB.connector.url, conversationId, userId: 'dl_user_multi' });
    expect((await appB.post(say(FRAUD))).status).to.be.oneOf([200, 201, 202]);

    let caseId = '';
    await until('the case in the queue seen from A', async () => {
      const queue = (await (await ana.get('/desk/api/queue')).json()) as { queue: Array<{ id: string }> };
      caseId = queue.queue[0]?.id ?? '';
      return caseId !== '';
    });

    // While the case waits, the customer writes again on B: the console on A hears of it at once and, reloading the
    // case, shows the message written while waiting (redacted) and no live chat yet.
    expect((await appB.post(say('is anyone there? my card is 4111 1111 1111 1111'))).status).to.be.oneOf([200, 201, 202]);
    await events.waitFor((e) => e.event === 'lines' && e.data.caseId === caseId);
    const waiting = (await (await ana.get(`/desk/api/cases/${caseId}`)).json()) as DeskCaseBody;
    expect(waiting.case.state).to.equal('queued');
    expect(waiting.case.waitingMessages.map((m) => m.text)).to.have.length(1);
    expect(waiting.case.waitingMessages[0]?.text).to.match(/^is anyone there\? my card is /).and.not.include('4111 1111 1111 1111');
    expect(waiting.case.liveChat).to.deep.equal([]);

    const accepted = await ana.post(`/desk/api/cases/${caseId}/accept`);
    expect(accepted.status).to.equal(200);
    await events.waitFor((e) => e.event === 'case' && e.data.caseId === caseId && e.data.state === 'assigned');

    const customerLines = ['hello, are you there?', 'my card number is 4111 1111 1111 1111', 'please block it', 'thanks'];
    for (const text of customerLines) expect((await appB.post(say(text))).status).to.be.oneOf([200, 201, 202]);
    await until('the customer lines on A', () => messagesOf(events!.events).length >= customerLines.length);

    // The agent answers from A; the customer's channel (served by B's connector) receives it.
    expect((await ana.post(`/desk/api/cases/${caseId}/messages`, { text: 'Your card is blocked now.' })).status).to.equal(202);
    await appB.connector.waitFor((c) => c.conversationId === conversationId && c.activity.text === 'Your card is blocked now.');
    expect((await appB.post(say('great, thank you'))).status).to.be.oneOf([200, 201, 202]);
    await until('the whole chat on A', () => messagesOf(events!.events).length >= customerLines.length + 2);
    await new Promise((r) => setTimeout(r, 200)); // anything duplicated would have arrived by now

    // Card numbers are masked on the agent's screen live too (PCI DSS).
    expect(messagesOf(events.events)).to.deep.equal([
      ...customerLines.map((t) => `customer:${t.replace('4111 1111 1111 1111', '[card •••• 1111]')}`),
      'agent:Your card is blocked now.',
      'customer:great, thank you',
    ]);
    expect(events.events.filter((e) => e.event === 'message').every((e) => e.data.caseId === caseId)).to.equal(true);

    // A reload of the console (on A, and on B with a session of its own) shows the live chat, redacted.
    for (const client of [ana, new DeskClient(appB.url)]) {
      if (client !== ana) expect((await client.login('ana')).status).to.equal(200);
      const res = await client.get(`/desk/api/cases/${caseId}`);
      expect(res.status).to.equal(200);
      const view = ((await res.json()) as DeskCaseBody).case;
      expect(view.state).to.equal('assigned');
      const lines = view.liveChat.map((l) => `${l.role}:${l.text}`);
      expect(lines).to.have.length(6);
      expect(lines[0]).to.equal('customer:hello, are you there?');
      expect(lines[1]).to.match(/^customer:my card number is /).and.not.include('4111 1111 1111 1111');
      expect(lines.slice(2)).to.deep.equal(['customer:please block it', 'customer:thanks', 'agent:Your card is blocked now.', 'customer:great, thank you']);
      expect(view.liveChat.every((l) => !Number.isNaN(Date.parse(l.at)))).to.equal(true);
    }

    // Closing on A reaches the customer through B's channel, and the stream on A hears it.
    expect((await ana.post(`/desk/api/cases/${caseId}/close`, { note: 'card blocked' })).status).to.be.oneOf([200, 202]);
    await events.waitFor((e) => e.event === 'case' && e.data.caseId === caseId && e.data.state === 'resolved');
  });
});
