import { expect } from 'chai';
import { activityId, conversationAccount, learnUser, userAccount } from '../../../bots/webchat/directLineAddressing';
import { DirectLineConversations, type DirectLineConversation } from '../../../bots/webchat/directLineConversations';

const conversation = (): DirectLineConversation => {
  const store = new DirectLineConversations({
    maxConversations: 5,
    maxActivitiesPerConversation: 10,
    maxConversationBytes: 4096,
    tokenLifetimeMs: 60_000,
    streamUrlLifetimeMs: 60_000,
    now: () => 0,
  });
  const c = store.create();
  if (!c) throw new Error('no conversation');
  return c;
};

describe('directLineAddressing', () => {
  it('learns the user once, from a valid id, with a name of at most 256 characters', () => {
    const c = conversation();
    expect(userAccount(c)).to.deep.equal({ id: '', name: '', role: 'user' });
    learnUser(c, 'dl_from-a-token', 'Mallory');
    learnUser(c, 'bad\ud800', 'Mallory');
    learnUser(c, 42, 'Mallory');
    expect(c.userId, 'reserved, malformed and non-string ids are refused').to.equal(undefined);
    learnUser(c, 'user-1', 'x'.repeat(257));
    expect(userAccount(c)).to.deep.equal({ id: 'user-1', name: '', role: 'user' });
    learnUser(c, 'user-2', 'Eve');
    expect(c.userId, 'the first id stays').to.equal('user-1');
  });

  it('names activities and the conversation as the channel does', () => {
    const c = conversation();
    expect(activityId(c, 42)).to.equal(`${c.id}|0000042`);
    expect(conversationAccount(c)).to.deep.equal({ id: c.id, isGroup: false, conversationType: 'personal', name: '' });
  });
});
