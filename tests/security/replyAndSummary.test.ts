import { expect } from 'chai';
import { summarizeCase, type SummarySource } from '../../middleware/handoff/caseSummary';
import { readContact, readCustomerReply } from '../../middleware/handoff/customerReply';

// Issue 11: the customer-reply parsing and the case summary lost their backtracking regexes (an e-mail pattern that
// re-read a long word from each of its letters, trailing-punctuation trims anchored at the end). These pin what
// they give, and time them on long input.

const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

describe('customer replies: contact details', function () {
  const cases: Array<[string, ReturnType<typeof readContact>]> = [
    ['write to jo.doe@mail.example.com.', { kind: 'email', value: 'jo.doe@mail.example.com' }],
    ['(jo@x.fr)!?', { kind: 'email', value: '(jo@x.fr' }],
    ['a@b@c.fr', { kind: 'email', value: 'b@c.fr' }],
    ['@x.fr jo@y.fr', { kind: 'email', value: 'jo@y.fr' }],
    ['x@y a@b.c', { kind: 'email', value: 'a@b.c' }],
    ['it is 06 12 34 56 78.', { kind: 'phone', value: '06 12 34 56 78' }],
    ['no contact here', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, function () {
      expect(readContact(text)).to.deep.equal(expected);
    });
  }

  it('reads a callback choice with its address', function () {
    expect(readCustomerReply('by e-mail please: jo@x.fr')).to.deep.equal({ kind: 'callback', preference: 'email', explicit: true, contact: 'jo@x.fr' });
  });

  it('reads long replies in linear time', function () {
    const start = process.hrtime.bigint();
    for (const unit of ['a', '.@', 'a@', '!', 'a.']) {
      readContact(unit.repeat(100_000));
      readCustomerReply(unit.repeat(100_000));
    }
    expect(ms(start)).to.be.lessThan(500);
  });
});

describe('case summary: truncated quotes', function () {
  const at = '2026-03-02T09:00:00.000Z';
  const source = (text: string): SummarySource => ({
    customer: { id: 'u1', channel: 'webchat' },
    conversation: { key: 'webchat/c1', channel: 'webchat', reference: {} },
    language: 'en',
    reason: 'fraud',
    priority: 'high',
    trigger: { intents: [{ name: 'fraud', confidence: 0.9, evidence: [{ rule: 'fraud.en.keyword', matched: ['FRAUD'] }] }], emotions: [], explanation: '' },
    transcript: [{ role: 'customer', text, at }],
    collected: {},
  });

  it('drops the spaces and punctuation before the ellipsis', function () {
    expect(summarizeCase(source('This is fraud, ... ; : and more words after it'), { maxQuoteChars: 21 }).wants).to.equal(
      'Fraud / security (high priority) — “This is fraud…”',
    );
    expect(summarizeCase(source('fraud.,;: ,.;:'.repeat(20)), { maxQuoteChars: 12 }).wants).to.equal(
      'Fraud / security (high priority) — “fraud…”',
    );
  });

  it('summarises a case with very long messages in linear time', function () {
    const long = `it is fraud ${'. '.repeat(60_000)}`;
    const start = process.hrtime.bigint();
    const s = summarizeCase({ ...source(long), collected: { orderNumber: long } });
    expect(s.wants).to.include('“it is fraud');
    expect(ms(start)).to.be.lessThan(500);
  });
});
