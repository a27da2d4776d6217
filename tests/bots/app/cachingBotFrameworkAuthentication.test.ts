import { expect } from 'chai';
import * as sinon from 'sinon';
import {
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import { BotFrameworkAuthentication, ConnectorFactory, type ConnectorClient } from 'botframework-connector';
import { CachingBotFrameworkAuthentication } from '../../../bots/app/cachingBotFrameworkAuthentication';
import { WarmlineCloudAdapter } from '../../../bots/app/warmlineCloudAdapter';

const anonymous = () => new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions);

const message = (serviceUrl: string, n: number): Activity =>
  ({
    type: 'message',
    id: `a${n}`,
    text: 'hi',
    channelId: 'directline',
    serviceUrl,
    from: { id: 'u1' },
    recipient: { id: 'bot' },
    conversation: { id: `c${n}` },
  }) as Activity;

/** Runs one turn through CloudAdapter.processActivity and returns the connector client the turn got. */
async function turn(adapter: WarmlineCloudAdapter, activity: Activity): Promise<ConnectorClient> {
  let client: ConnectorClient | undefined;
  await adapter.processActivityBody('', activity as unknown as Record<string, unknown>, async (ctx: TurnContext) => {
    client = ctx.turnState.get(adapter.ConnectorClientKey) as ConnectorClient;
  });
  return client as ConnectorClient;
}

describe('CachingBotFrameworkAuthentication', () => {
  afterEach(() => sinon.restore());

  it('reuses one connector client per service URL across turns, and builds one per new service URL', async () => {
    const inner = anonymous();
    const auth = new CachingBotFrameworkAuthentication(inner);
    const adapter = new WarmlineCloudAdapter(auth);
    const a1 = await turn(adapter, message('http://127.0.0.1:1/a/', 1));
    const a2 = await turn(adapter, message('http://127.0.0.1:1/a/', 2));
    const b1 = await turn(adapter, message('http://127.0.0.1:1/b/', 3));
    expect(a1).to.be.an('object');
    expect(a2).to.equal(a1);
    expect(b1).to.not.equal(a1);
    expect(auth.connectorClientCount).to.equal(2);
    // The clients point at their own service URL.
    expect((a1 as unknown as { baseUri?: string }).baseUri ?? (a1 as unknown as { _baseUri?: string })._baseUri).to.match(/\/a\/$/);
  });

  it('proactive turns (continueConversationAsync) to one service URL share a client too', async () => {
    const auth = new CachingBotFrameworkAuthentication(anonymous());
    const adapter = new WarmlineCloudAdapter(auth);
    const proactive = async (conversation: string) => {
      let client: ConnectorClient | undefined;
      const ref = { serviceUrl: 'http://127.0.0.1:1/p/', conversation: { id: conversation }, channelId: 'directline' };
      await adapter.continueConversationAsync('', ref as never, async (ctx) => {
        client = ctx.turnState.get(adapter.ConnectorClientKey) as ConnectorClient;
      });
      return client;
    };
    const first = await proactive('c1');
    expect(first).to.be.an('object');
    expect(await proactive('c2')).to.equal(first);
  });

  it('keeps at most maxConnectorClients (least recently used out)', async () => {
    const auth = new CachingBotFrameworkAuthentication(anonymous(), { maxConnectorClients: 2 });
    const adapter = new WarmlineCloudAdapter(auth);
    const a = await turn(adapter, message('http://127.0.0.1:1/a/', 1));
    await turn(adapter, message('http://127.0.0.1:1/b/', 2));
    expect(await turn(adapter, message('http://127.0.0.1:1/a/', 3))).to.equal(a); // a is now the most recent
    await turn(adapter, message('http://127.0.0.1:1/c/', 4)); // evicts b
    expect(auth.connectorClientCount).to.equal(2);
    expect(await turn(adapter, message('http://127.0.0.1:1/a/', 5))).to.equal(a);
    expect(() => new CachingBotFrameworkAuthentication(anonymous(), { maxConnectorClients: 0 })).to.throw(RangeError);
  });

  it('still authenticates every request: with an app id, a request without a token is refused each time', async () => {
    const inner = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
      MicrosoftAppPassword: 'secret',
      MicrosoftAppType: 'MultiTenant',
    } as ConfigurationBotFrameworkAuthenticationOptions);
    const auth = new CachingBotFrameworkAuthentication(inner);
    const spy = sinon.spy(inner, 'authenticateRequest');
    for (let i = 0; i < 2; i++) {
      const err = await auth.authenticateRequest(message('http://127.0.0.1:1/a/', i), '').then(() => undefined, (e: unknown) => e);
      expect(err, `attempt ${i}`).to.be.instanceOf(Error);
    }
    expect(spy.callCount).to.equal(2);
  });

  it('a client that failed to build is not kept: the next turn tries again', async () => {
    const inner = anonymous();
    const auth = new CachingBotFrameworkAuthentication(inner);
    let calls = 0;
    const factory = new (class extends ConnectorFactory {
      create(): Promise<ConnectorClient> {
        calls++;
        return calls === 1 ? Promise.reject(new Error('credentials unavailable')) : Promise.resolve({ ok: true } as unknown as ConnectorClient);
      }
    })();
    sinon.stub(inner, 'createConnectorFactory').returns(factory);
    const claims = { claims: [], isAuthenticated: true, getClaimValue: () => null } as never;
    const f = auth.createConnectorFactory(claims);
    const first = await f.create('http://x/').then(() => 'ok', (e: Error) => e.message);
    expect(first).to.equal('credentials unavailable');
    await new Promise((r) => setImmediate(r));
    expect(await auth.createConnectorFactory(claims).create('http://x/')).to.deep.equal({ ok: true });
    expect(calls).to.equal(2);
  });

  it('keeps clients apart by app id (audience claim) and by outbound audience (skills)', async () => {
    const inner = anonymous();
    const auth = new CachingBotFrameworkAuthentication(inner);
    let built = 0;
    sinon.stub(inner, 'createConnectorFactory').callsFake(
      () =>
        new (class extends ConnectorFactory {
          create(): Promise<ConnectorClient> {
            built++;
            return Promise.resolve({ n: built } as unknown as ConnectorClient);
          }
        })(),
    );
    const claims = (aud: string) => ({ claims: [{ type: 'aud', value: aud }], isAuthenticated: true, getClaimValue: (t: string) => (t === 'aud' ? aud : null) }) as never;
    const url = 'http://127.0.0.1:1/s/';
    const a1 = await auth.createConnectorFactory(claims('app-a')).create(url, 'https://api.botframework.com');
    const a2 = await auth.createConnectorFactory(claims('app-a')).create(url, 'https://api.botframework.com');
    const b = await auth.createConnectorFactory(claims('app-b')).create(url, 'https://api.botframework.com');
    const skill = await auth.createConnectorFactory(claims('app-a')).create(url, 'skill-app-id');
    expect(a2).to.equal(a1);
    expect(b).to.not.equal(a1);
    expect(skill).to.not.equal(a1);
    expect(built).to.equal(3);
  });

  it('refuses a missing inner authentication', () => {
    expect(() => new CachingBotFrameworkAuthentication(undefined as unknown as BotFrameworkAuthentication)).to.throw(TypeError);
  });
});
