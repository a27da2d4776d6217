import { expect } from 'chai';
import { createLogger } from '../../bots/logger';
import { directLineMessage, teamsMessage } from '../helpers/channelActivities';
import { startApp, type RunningApp } from './appHarness';

describe('hostile input over the real HTTP endpoint (createApp)', () => {
  let run: RunningApp;
  const lines: string[] = [];

  before(async () => {
    run = await startApp({}, { logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) });
  });
  after(async () => run.stop());
  beforeEach(() => {
    lines.length = 0;
  });
  const events = () => lines.map((l) => (JSON.parse(l) as { event: string }).event);

  it('answers a Teams message with entities: [null] normally, with no turn error', async () => {
    const activity = { ...teamsMessage('where is my parcel', { serviceUrl: run.connector.url, deliveryMode: 'expectReplies' }), entities: [null] };
    const res = await run.post(activity);
    expect(res.status).to.equal(200);
    expect((res.body as { activities: unknown[] }).activities).to.have.length.greaterThan(0);
    expect(events()).not.to.include('turn.error');
  });

  it('keeps the transcript line of a message with an invalid timestamp, at the server time', async () => {
    const before = Date.now();
    const activity = { ...directLineMessage('hello, where is my parcel?', { serviceUrl: run.connector.url, deliveryMode: 'expectReplies' }), timestamp: 'yesterday-ish', localTimestamp: 42 };
    expect((await run.post(activity)).status).to.equal(200);
    const transcript = await run.app.transcripts.read(`directline/${activity.conversation.id}`);
    const line = transcript.find((entry) => entry.role === 'customer');
    expect(line, JSON.stringify(transcript)).not.to.equal(undefined);
    expect(Date.parse(line!.at)).to.be.within(before - 1, Date.now() + 1);
  });

  it('refuses client-chosen ids of the wrong shape with 400, and logs nothing of what was sent', async () => {
    const huge = 'Z'.repeat(3000);
    const activity = { ...teamsMessage('hi', { serviceUrl: run.connector.url }), channelId: ['msteams', huge] };
    const res = await run.post(activity);
    expect(res.status).to.equal(400);
    expect((await run.post({ ...teamsMessage('hi', { serviceUrl: run.connector.url }), serviceUrl: 12345 })).status).to.equal(400);
    expect(lines.join('\n')).not.to.contain('ZZZZ');
  });
});
