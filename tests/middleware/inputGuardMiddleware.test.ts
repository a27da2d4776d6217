import { expect } from 'chai';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { InputGuardMiddleware, shorten } from '../../middleware/inputGuardMiddleware';

describe('InputGuardMiddleware', () => {
  it('shortens an oversized message at a word boundary for every later piece, and says so politely, in French too', async () => {
    const seen: Array<{ text: string }> = [];
    const adapter = new TestAdapter(async (ctx) => {
      seen.push({ text: ctx.activity.text });
    }).use(new InputGuardMiddleware({ maxTextChars: 100 }));
    const long = 'mot '.repeat(60);
    await adapter
      .send({ type: 'message', text: long, locale: 'fr-FR' } as Partial<Activity>)
      .assertReply((a) => expect(a.text).to.match(/Votre message est très long.*100 premiers caractères/))
      .startTest();
    expect(seen[0].text.length).to.be.at.most(100);
    expect(seen[0].text.endsWith(' ')).to.equal(false);
    expect(long.startsWith(seen[0].text)).to.equal(true);
  });

  it('never cuts inside a number: a card cut in two would leave its first digits readable', () => {
    expect(shorten('please check my card 4242 4242 4242 4242 thanks', 34)).to.equal('please check my card');
    expect(shorten('ref 4242.4242.4242.4242', 15)).to.equal('ref');
    // A run of digits longer than any one number is cut where it is.
    expect(shorten(`x ${'1 '.repeat(100)}`, 50)).to.have.length.above(40);
  });

  it('never cuts inside a surrogate pair, and cuts mid-word only when no space is near the end', () => {
    expect(shorten('ab😀cd', 3)).to.equal('ab');
    expect(shorten('x'.repeat(50), 10)).to.equal('x'.repeat(10));
    expect(shorten(`${'x'.repeat(9)} yy`, 11)).to.equal('x'.repeat(9));
    expect(shorten('short', 10)).to.equal('short');
  });

  it('lets normal messages through untouched, with next() called once', async () => {
    let calls = 0;
    const adapter = new TestAdapter(async (ctx) => {
      calls++;
      await ctx.sendActivity(`got: ${ctx.activity.text}`);
    }).use(new InputGuardMiddleware({ maxTextChars: 100 }));
    await adapter.send('where is my parcel').assertReply('got: where is my parcel').startTest();
    expect(calls).to.equal(1);
  });

  it('drops malformed fields instead of letting later pieces crash on them', async () => {
    let activity: Partial<Activity> | undefined;
    const adapter = new TestAdapter(async (ctx) => {
      activity = ctx.activity;
    }).use(new InputGuardMiddleware());
    await adapter
      .send({ type: 'message', text: 42, locale: 7, entities: { type: 'clientInfo' }, attachments: 'x', membersAdded: {} } as unknown as Partial<Activity>)
      .startTest();
    expect(activity!.text).to.equal(undefined);
    expect(activity!.locale).to.equal(undefined);
    expect(activity!.entities).to.equal(undefined);
    expect(activity!.attachments).to.equal(undefined);
    expect(activity!.membersAdded).to.equal(undefined);
  });

  it('drops the entries of entities, attachments and membersAdded that are not objects (Teams sends entities: [null])', async () => {
    let activity: Partial<Activity> | undefined;
    let locales: unknown[] = [];
    const adapter = new TestAdapter(async (ctx) => {
      activity = ctx.activity;
      // What a later piece does with entities: read each one's fields.
      locales = (ctx.activity.entities ?? []).filter((e) => e.type === 'clientInfo').map((e) => (e as { locale?: unknown }).locale);
    }).use(new InputGuardMiddleware());
    const clientInfo = { type: 'clientInfo', locale: 'fr-FR' };
    const card = { contentType: 'application/vnd.microsoft.card.adaptive', content: {} };
    await adapter
      .send({
        type: 'message',
        text: 'hi',
        entities: [null, clientInfo, 'mention', 7, [clientInfo]],
        attachments: [undefined, card, null],
        membersAdded: [null, { id: 'user-1' }, 'user-2'],
      } as unknown as Partial<Activity>)
      .startTest();
    expect(activity!.entities).to.deep.equal([clientInfo]);
    expect(activity!.attachments).to.deep.equal([card]);
    expect(activity!.membersAdded).to.deep.equal([{ id: 'user-1' }]);
    expect(locales).to.deep.equal(['fr-FR']);
  });

  it('drops the entities without a string type, which botbuilder\'s mention helpers would fail on', async () => {
    let entities: unknown;
    const adapter = new TestAdapter(async (ctx) => {
      entities = ctx.activity.entities;
      // What CustomerBot does on Teams before reading the text.
      TurnContext.removeRecipientMention(ctx.activity);
    }).use(new InputGuardMiddleware());
    const mention = { type: 'mention', mentioned: { id: 'bot' }, text: '<at>Warmline</at>' };
    await adapter
      .send({ type: 'message', text: 'hi', recipient: { id: 'bot' }, entities: [{ type: true }, { locale: 'en-US' }, { type: ['mention'] }, mention] } as unknown as Partial<Activity>)
      .startTest();
    expect(entities).to.deep.equal([mention]);
  });

  it('leaves well-formed arrays as they are (the same arrays)', async () => {
    const entities = [{ type: 'clientInfo', locale: 'en-US' }];
    let seen: unknown;
    const adapter = new TestAdapter(async (ctx) => {
      seen = ctx.activity.entities;
    }).use(new InputGuardMiddleware());
    await adapter.send({ type: 'message', text: 'hi', entities } as Partial<Activity>).startTest();
    expect(seen).to.deep.equal(entities);
  });

  it('answers an invoke whose value botbuilder would fail to read with an invoke response 400, without calling the bot', async () => {
    const cases: Array<[string, unknown]> = [
      ['adaptiveCard/action', {}],
      ['adaptiveCard/action', { warmline: 'accept', caseId: null }],
      ['adaptiveCard/action', { action: null }],
      ['adaptiveCard/action', 'x'],
      ['adaptiveCard/action', undefined],
      ['application/search', 5],
      ['application/search', ['q']],
    ];
    for (const [name, value] of cases) {
      let calls = 0;
      const sent: Array<Partial<Activity>> = [];
      const adapter = new TestAdapter(async () => {
        calls++;
      })
        .use({
          // What the guard sends: the invoke response is what the channel gets as the HTTP answer.
          onTurn: async (ctx, next) => {
            ctx.onSendActivities(async (_ctx, activities, send) => {
              sent.push(...activities);
              return send();
            });
            await next();
          },
        })
        .use(new InputGuardMiddleware());
      await adapter.send({ type: 'invoke', name, value } as Partial<Activity>).startTest();
      const label = `${name} ${JSON.stringify(value)}`;
      expect(calls, label).to.equal(0);
      expect(sent, label).to.have.length(1);
      expect(sent[0].type, label).to.equal('invokeResponse');
      expect(sent[0].value, label).to.deep.include({ status: 400 });
      expect((sent[0].value as { body: unknown }).body, label).to.deep.include({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    }
  });

  it('hands well-formed invokes, and invokes it does not parse, to the bot untouched', async () => {
    const cases: Array<[string, unknown]> = [
      ['adaptiveCard/action', { action: { type: 'Action.Execute', verb: 'track', data: {} }, trigger: 'manual' }],
      ['application/search', { kind: 'search', queryText: 'x' }],
      ['task/fetch', 'anything'],
      ['signin/verifyState', null],
    ];
    for (const [name, value] of cases) {
      let seen: unknown = 'not called';
      const adapter = new TestAdapter(async (ctx) => {
        seen = ctx.activity.value;
      }).use(new InputGuardMiddleware());
      await adapter.send({ type: 'invoke', name, value } as Partial<Activity>).startTest();
      expect(seen, name).to.deep.equal(value);
    }
  });

  it('refuses a nonsensical limit at construction', () => {
    expect(() => new InputGuardMiddleware({ maxTextChars: 0 })).to.throw(TypeError);
  });
});
