import { expect } from 'chai';
import { hashDeskPassword } from '../../bots/console/deskPassword';
import { DeskClient } from '../bots/console/deskTestServer';
import { SseClient } from '../bots/console/sseClient';
import { startApp } from './appHarness';

describe('graceful stop with open long-lived connections (createApp)', function () {
  this.timeout(20000);

  it('stop() ends open console event streams first, instead of waiting on them until the forced exit', async () => {
    const hash = await hashDeskPassword('ana-password', { N: 1024 });
    const running = await startApp({ LOG_LEVEL: 'silent', DESK_AGENTS: `ana:Ana Martin:${hash}` });
    const ana = new DeskClient(running.url);
    expect((await ana.login('ana')).status).to.equal(200);
    const events = await SseClient.open(`${running.url}/desk/api/events`, ana.headers());
    expect(events.status).to.equal(200);
    try {
      // index.ts forces an exit with code 1 if stop() takes more than 10 s; it must finish well before that.
      const outcome = await Promise.race([
        running.stop().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000)),
      ]);
      expect(outcome).to.equal('stopped');
      // The page reconnects (to another instance) on this reason instead of asking for the password again.
      expect((await events.waitFor((e) => e.event === 'end')).data).to.deep.equal({ reason: 'shutdown' });
    } finally {
      events.close();
    }
  });
});
