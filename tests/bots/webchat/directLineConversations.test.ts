import { expect } from 'chai';
import { activityBytes, DirectLineConversations, type DirectLineConversationsOptions } from '../../../bots/webchat/directLineConversations';

const store = (options: Partial<DirectLineConversationsOptions> = {}) =>
  new DirectLineConversations({
    maxConversations: 10,
    maxActivitiesPerConversation: 10,
    maxConversationBytes: 1000,
    tokenLifetimeMs: 60_000,
    streamUrlLifetimeMs: 10_000,
    now: () => 0,
    ...options,
  });

describe('DirectLineConversations', () => {
  it('keeps at most 8 live tokens per conversation, revoking the oldest', () => {
    const s = store();
    const c = s.create()!;
    const tokens = Array.from({ length: 12 }, () => s.issueToken(c).token);
    expect(tokens.slice(0, 4).map((t) => s.checkToken(t).ok)).to.deep.equal([false, false, false, false]);
    expect(tokens.slice(4).every((t) => s.checkToken(t).ok)).to.equal(true);
  });

  it('keeps at most 16 unused stream tickets per conversation, revoking the oldest; a ticket is single use', () => {
    const s = store();
    const c = s.create()!;
    const tickets = Array.from({ length: 20 }, () => s.issueTicket(c, 0));
    expect(s.takeTicket(tickets[0], c.id)).to.equal(undefined);
    expect(s.takeTicket(tickets[19], c.id)?.conversation).to.equal(c);
    expect(s.takeTicket(tickets[19], c.id)).to.equal(undefined);
    expect(c.tickets).to.have.length(15);
  });

  it('trims the oldest activities past the byte limit, always keeping the newest, and counts updates and removals', () => {
    const s = store({ maxConversationBytes: 1000 });
    const c = s.create()!;
    const activity = (n: number, size: number) => ({ type: 'message', id: `a${n}`, text: 'x'.repeat(size) });
    for (let i = 1; i <= 5; i++) s.append(c, activity(i, 280), s.nextSeq(c)); // about 320 bytes each
    expect(c.activities.map((a) => a.activity.id)).to.deep.equal(['a3', 'a4', 'a5']);
    expect(c.keptBytes).to.equal(c.activities.reduce((sum, a) => sum + activityBytes(a.activity), 0));
    expect(c.keptBytes).to.be.at.most(1000);
    s.replace(c, s.find(c, 'a5')!, activity(5, 10));
    expect(c.keptBytes).to.equal(c.activities.reduce((sum, a) => sum + activityBytes(a.activity), 0));
    s.remove(c, 'a4');
    expect(c.keptBytes).to.equal(c.activities.reduce((sum, a) => sum + activityBytes(a.activity), 0));
    s.append(c, activity(6, 5000), s.nextSeq(c)); // larger than the limit alone: kept, alone
    expect(c.activities.map((a) => a.activity.id)).to.deep.equal(['a6']);
  });

  it('replaces the oldest unused conversation when full, never one in use', () => {
    const s = store({ maxConversations: 3 });
    // As the routes do: every conversation gets a token when created.
    const create = () => {
      const c = s.create();
      if (c) s.issueToken(c);
      return c;
    };
    const used = create()!;
    used.userPosted = true;
    const watched = create()!;
    watched.sinks.add({ send: () => undefined });
    const idle = create()!;
    const token = idle.tokens[0];
    const fresh = create()!;
    expect(s.ids()).to.deep.equal([used.id, watched.id, fresh.id]);
    expect(s.checkToken(token).ok).to.equal(false);
    fresh.userPosted = true;
    expect(create()).to.equal(undefined);
  });
});
