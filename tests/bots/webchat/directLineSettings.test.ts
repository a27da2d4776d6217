import { expect } from 'chai';
import { parseDirectLineSettings } from '../../../bots/webchat/directLineSettings';

describe('parseDirectLineSettings', () => {
  it('fills in the documented defaults and ignores options it does not check', () => {
    const s = parseDirectLineSettings({ publicBaseUrl: () => 'http://localhost' });
    expect(s).to.include({ channelId: 'webchat', maxConversations: 500, maxActivityBytes: 64 * 1024, connectorPath: '/directline-connector' });
    expect(s.conversationRate).to.deep.equal({ points: 30, windowMs: 600_000 });
    expect(s.activityRate).to.deep.equal({ points: 120, windowMs: 60_000 });
    expect(s.connectorKey).to.equal(undefined);
    expect(s).to.not.have.property('publicBaseUrl');
  });

  it('caps the default activity size at the conversation size', () => {
    expect(parseDirectLineSettings({ maxConversationBytes: 8192 }).maxActivityBytes).to.equal(8192);
  });

  it('throws a TypeError naming every invalid option', () => {
    expect(() => parseDirectLineSettings({ maxConversations: 0, connectorKey: 'short' }))
      .to.throw(TypeError, /registerLocalDirectLine: invalid options/)
      .with.property('message')
      .that.matches(/maxConversations/)
      .and.matches(/connectorKey/);
    expect(() => parseDirectLineSettings({ maxConversationBytes: 8192, maxActivityBytes: 9000 })).to.throw(TypeError, /maxActivityBytes: must not exceed/);
  });
});
