import { expect } from 'chai';
import { ConfigError, loadConfig } from '../config';

// A well-formed scrypt hash (of "ana-password", N=1024), as scripts/hashDeskPassword.ts prints them.
const DESK_HASH = 'scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA$S0rrQ3e5Yl0wJ0RmN9m3Pq1t6vVb7cXz8aA9bB0cC1d';

describe('loadConfig', () => {
  it('reads the web console settings: agents (validated, kept as text) and session times', () => {
    const c = loadConfig({ DESK_AGENTS: `ana:Ana Martin:${DESK_HASH}, ben:Ben:${DESK_HASH}` });
    expect(c.DESK_AGENTS).to.contain('ana:Ana Martin:');
    expect(c.DESK_SESSION_IDLE_MINUTES).to.equal(30);
    expect(c.DESK_SESSION_MAX_HOURS).to.equal(12);
    expect(loadConfig({}).DESK_AGENTS).to.equal(undefined);
  });

  it('names the bad desk agent entry without echoing its hash', () => {
    try {
      loadConfig({ DESK_AGENTS: `ana:Ana:${DESK_HASH},ben:Ben:not-a-hash` });
      expect.fail('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).message).to.contain('entry 2 (ben)').and.not.to.contain('not-a-hash');
    }
  });

  it('reads the warm handoff settings, with defaults', () => {
    const d = loadConfig({});
    expect(d.WARMLINE_AGENTS).to.equal(undefined);
    expect(d.SLACK_API_BASE_URL).to.equal('https://slack.com');
    expect(d.HANDOFF_MAX_WAIT_SECONDS).to.equal(600);
    expect(d.AGENT_PRESENCE_TTL_MINUTES).to.equal(480);
    expect(d.HANDOFF_AGENT_LANGUAGE).to.equal('en');
    expect(d.REDIS_KEY_PREFIX).to.equal('warmline:');
    const c = loadConfig({
      WARMLINE_AGENTS: 'msteams:29:1abc, slack:U04ABCD1234:T01TEAM0001',
      SLACK_API_BASE_URL: 'http://127.0.0.1:9999',
      HANDOFF_MAX_WAIT_SECONDS: '120',
      HANDOFF_AGENT_LANGUAGE: 'fr',
      REDIS_KEY_PREFIX: 'shop-a:',
    });
    expect(c.WARMLINE_AGENTS).to.equal('msteams:29:1abc, slack:U04ABCD1234:T01TEAM0001');
    expect(c.SLACK_API_BASE_URL).to.equal('http://127.0.0.1:9999');
    expect(c.HANDOFF_MAX_WAIT_SECONDS).to.equal(120);
    expect(c.HANDOFF_AGENT_LANGUAGE).to.equal('fr');
    expect(c.REDIS_KEY_PREFIX).to.equal('shop-a:');
  });

  it('gives working defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).to.equal(3978);
    expect(c.STORAGE).to.equal('memory');
    expect(c.TRACKING_PROVIDER).to.equal('demo');
    expect(c.WEBCHAT).to.equal('local');
    expect(c.DEFAULT_LOCALE).to.equal('en-US');
    expect(c.MicrosoftAppId).to.equal(undefined);
  });

  it('treats empty strings as unset (as .env files write them)', () => {
    const c = loadConfig({ PORT: '', MicrosoftAppId: '', REDIS_URL: '  ' });
    expect(c.PORT).to.equal(3978);
    expect(c.MicrosoftAppId).to.equal(undefined);
  });

  const bad: Array<[string, Record<string, string>, string]> = [
    ['a non-numeric port', { PORT: 'eighty' }, 'PORT'],
    ['a port out of range', { PORT: '70000' }, 'PORT'],
    ['an unknown storage', { STORAGE: 'mongo' }, 'STORAGE'],
    ['redis storage without a URL', { STORAGE: 'redis' }, 'REDIS_URL'],
    ['a URL that is not redis', { STORAGE: 'redis', REDIS_URL: 'http://x' }, 'REDIS_URL'],
    ['an app id without password', { MicrosoftAppId: 'abc', WEBCHAT: 'off' }, 'MicrosoftAppPassword'],
    ['single tenant without tenant id', { MicrosoftAppType: 'SingleTenant' }, 'MicrosoftAppTenantId'],
    ['an unknown app type', { MicrosoftAppType: 'Tenantless' }, 'MicrosoftAppType'],
    ['a managed identity without its client id', { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't', WEBCHAT: 'off' }, 'MicrosoftAppId'],
    ['a managed identity without tenant', { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: 'id', WEBCHAT: 'off' }, 'MicrosoftAppTenantId'],
    ['a managed identity with a password', { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: 'id', MicrosoftAppTenantId: 't', MicrosoftAppPassword: 'p', WEBCHAT: 'off' }, 'MicrosoftAppPassword'],
    ['an unknown time zone', { DEFAULT_TIME_ZONE: 'Mars/Olympus' }, 'DEFAULT_TIME_ZONE'],
    ['an unsupported locale', { DEFAULT_LOCALE: 'de-DE' }, 'DEFAULT_LOCALE'],
    ['http tracking without URL', { TRACKING_PROVIDER: 'http' }, 'TRACKING_API_URL'],
    ['http tracking without key', { TRACKING_PROVIDER: 'http', TRACKING_API_URL: 'http://127.0.0.1:9/suivi/v2' }, 'TRACKING_API_KEY'],
    ['a timeout longer than channels wait', { TRACKING_TIMEOUT_MS: '20000' }, 'TRACKING_TIMEOUT_MS'],
    ['local web chat with an app id', { MicrosoftAppId: 'abc', MicrosoftAppPassword: 'p' }, 'WEBCHAT'],
    ['azure web chat without secret', { WEBCHAT: 'azure' }, 'DIRECT_LINE_SECRET'],
    ['the handoff protocol without a status secret', { HANDOFF_PROTOCOL: 'on' }, 'HANDOFF_STATUS_SECRET'],
    ['an unknown handoff protocol switch', { HANDOFF_PROTOCOL: 'yes' }, 'HANDOFF_PROTOCOL'],
    ['a webhook without secrets', { WEBHOOK_URL: 'https://hub.example.com/cases' }, 'WEBHOOK_SECRETS'],
    ['a short webhook secret', { WEBHOOK_URL: 'https://hub.example.com/cases', WEBHOOK_SECRETS: 'short' }, 'WEBHOOK_SECRETS'],
    ['a webhook URL that is not a URL', { WEBHOOK_URL: 'hub.example.com' }, 'WEBHOOK_URL'],
    ['an agent on Direct Line, where clients choose their own id', { WARMLINE_AGENTS: 'msteams:29:1abc,directline:agent-1' }, 'WARMLINE_AGENTS'],
    ['an agent on Web Chat', { WARMLINE_AGENTS: 'webchat:ana' }, 'WARMLINE_AGENTS'],
    ['a desk agent with a plain password', { DESK_AGENTS: 'ana:Ana Martin:hunter2' }, 'DESK_AGENTS'],
    ['a desk agent entry without a name', { DESK_AGENTS: `ana:${DESK_HASH}` }, 'DESK_AGENTS'],
    ['a duplicate desk agent', { DESK_AGENTS: `ana:Ana:${DESK_HASH},ANA:Ana 2:${DESK_HASH}` }, 'DESK_AGENTS'],
    ['a desk idle time of zero', { DESK_SESSION_IDLE_MINUTES: '0' }, 'DESK_SESSION_IDLE_MINUTES'],
    ['an agent entry without a user id', { WARMLINE_AGENTS: 'msteams:29:1abc,slack' }, 'WARMLINE_AGENTS'],
    ['a Slack API base that is not a URL', { SLACK_API_BASE_URL: 'slack.com' }, 'SLACK_API_BASE_URL'],
    ['a handoff wait under 30 s', { HANDOFF_MAX_WAIT_SECONDS: '5' }, 'HANDOFF_MAX_WAIT_SECONDS'],
    ['an agent presence of zero minutes', { AGENT_PRESENCE_TTL_MINUTES: '0' }, 'AGENT_PRESENCE_TTL_MINUTES'],
    ['an unsupported agent language', { HANDOFF_AGENT_LANGUAGE: 'de' }, 'HANDOFF_AGENT_LANGUAGE'],
    ['a Redis key prefix with spaces', { REDIS_KEY_PREFIX: 'my bot' }, 'REDIS_KEY_PREFIX'],
  ];
  for (const [name, env, key] of bad) {
    it(`names ${key} for ${name}`, () => {
      try {
        loadConfig(env);
        expect.fail('expected a ConfigError');
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        const e = err as ConfigError;
        expect(e.issues.map((i) => i.key)).to.include(key);
        expect(e.message).to.contain(`${key}:`);
      }
    });
  }

  it('reports every bad key at once', () => {
    try {
      loadConfig({ PORT: '-1', STORAGE: 'disk', LOG_LEVEL: 'loud' });
      expect.fail('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.key)).to.include.members(['PORT', 'STORAGE', 'LOG_LEVEL']);
    }
  });
});

describe('loadConfig: listening address', () => {
  it('binds to loopback while anonymous and to every interface once Bot Framework authentication is on', () => {
    expect(loadConfig({}).HOST).to.equal('127.0.0.1');
    expect(loadConfig({ MicrosoftAppId: 'abc', MicrosoftAppPassword: 'p', WEBCHAT: 'off' }).HOST).to.equal('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).HOST).to.equal('0.0.0.0');
  });
});

describe('loadConfig: the optional LLM signals detector', () => {
  const AZURE = 'https://contoso.openai.azure.com/openai/deployments/signals/chat/completions?api-version=2024-10-21';
  const keysOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).issues.map((i) => i.key);
    }
  };

  it('is off by default, with a timeout and a text cut', () => {
    const c = loadConfig({});
    expect(c.SIGNALS_LLM_URL).to.equal(undefined);
    expect(c.SIGNALS_LLM_TIMEOUT_MS).to.equal(800);
    expect(c.SIGNALS_LLM_MAX_CHARS).to.equal(1000);
  });

  it('reads an OpenAI endpoint (with a model) and an Azure deployment (model from the URL)', () => {
    const openAi = loadConfig({ SIGNALS_LLM_URL: 'https://api.openai.com/v1/chat/completions', SIGNALS_LLM_API_KEY: 'sk-x', SIGNALS_LLM_MODEL: 'gpt-4o-mini', SIGNALS_LLM_TIMEOUT_MS: '1200' });
    expect(openAi.SIGNALS_LLM_MODEL).to.equal('gpt-4o-mini');
    expect(openAi.SIGNALS_LLM_TIMEOUT_MS).to.equal(1200);
    expect(loadConfig({ SIGNALS_LLM_URL: AZURE, SIGNALS_LLM_API_KEY: 'k', SIGNALS_LLM_AUTH: 'api-key' }).SIGNALS_LLM_AUTH).to.equal('api-key');
    expect(loadConfig({ SIGNALS_LLM_URL: 'http://localhost:11434/v1/chat/completions', SIGNALS_LLM_API_KEY: 'k', SIGNALS_LLM_MODEL: 'm' }).SIGNALS_LLM_URL).to.contain('localhost');
  });

  const bad: Array<[string, Record<string, string>, string]> = [
    ['a URL without a key', { SIGNALS_LLM_URL: AZURE }, 'SIGNALS_LLM_API_KEY'],
    ['a non-Azure URL without a model', { SIGNALS_LLM_URL: 'https://api.openai.com/v1/chat/completions', SIGNALS_LLM_API_KEY: 'k' }, 'SIGNALS_LLM_MODEL'],
    ['plain http to a remote host', { SIGNALS_LLM_URL: 'http://llm.example.com/v1/chat/completions', SIGNALS_LLM_API_KEY: 'k', SIGNALS_LLM_MODEL: 'm' }, 'SIGNALS_LLM_URL'],
    ['an unknown auth', { SIGNALS_LLM_AUTH: 'basic' }, 'SIGNALS_LLM_AUTH'],
    ['a timeout out of range', { SIGNALS_LLM_TIMEOUT_MS: '60000' }, 'SIGNALS_LLM_TIMEOUT_MS'],
  ];
  for (const [name, env, key] of bad) it(`names ${key} for ${name}`, () => expect(keysOf(env)).to.include(key));
});
