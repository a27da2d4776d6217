import { expect } from 'chai';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { routeMatches, servedRoutes } from './appRoutes';
import {
  bicepParams,
  bicepResources,
  bicepVars,
  identifiers,
  objectProperty,
  propertyValue,
  scalarEntries,
  stringLiteral,
  type BicepResource,
} from './bicepText';
import { azureDir, configKeys, last, readText, runtimeStage, secretConfigKeys } from './deploymentFiles';

// main.bicep cannot be compiled here (no bicep/az CLI): these checks read its text.
const source = () => readText(azureDir, 'main.bicep');
const params = () => bicepParams(source());
const secureParams = () => new Set(params().filter((p) => p.secure).map((p) => p.name));
const resources = () => bicepResources(source());
const resourcesOf = (type: string): BicepResource[] => resources().filter((r) => r.type.toLowerCase() === type.toLowerCase());
const oneResource = (type: string): BicepResource => {
  const found = resourcesOf(type);
  expect(found, type).to.have.length(1);
  return found[0];
};

/** App Service platform settings (read by App Service, not by Warmline) the template may set besides config.ts keys. */
const PLATFORM_SETTINGS = new Set(['WEBSITES_PORT', 'WEBSITES_ENABLE_APP_SERVICE_STORAGE']);

function appSettings(): Record<string, string> {
  const configs = resourcesOf('Microsoft.Web/sites/config').filter((r) => propertyValue(r.body, 'name') === "'appsettings'");
  expect(configs, 'one sites/config appsettings resource').to.have.length(1);
  const properties = objectProperty(configs[0].body, 'properties');
  expect(properties, 'appsettings properties').to.be.a('string');
  return scalarEntries(properties ?? '{}');
}

/** An expression with its `var`s substituted (one level deep is enough for main.bicep). */
function resolveVars(expression: string): string {
  const vars = bicepVars(source());
  return expression.replace(/\b[A-Za-z_]\w*\b/g, (id) => (id in vars ? `(${vars[id]})` : id));
}

describe('deployment/azure/main.bicep', () => {
  it('has a README saying it was not compiled, and a parameters example', () => {
    expect(readText(azureDir, 'README.md')).to.match(/not compiled/i);
    expect(source()).to.match(/not compiled/i);
  });

  it('every app setting is a setting of config.ts (or a listed App Service platform setting)', () => {
    const names = Object.keys(appSettings());
    expect(names.length).to.be.at.least(10);
    expect(names.filter((n) => !configKeys.has(n) && !PLATFORM_SETTINGS.has(n)), 'unknown settings').to.deep.equal([]);
    for (const n of names.filter((x) => PLATFORM_SETTINGS.has(x))) expect(n).to.match(/^WEBSITES?_/);
  });

  it('secret settings come only from @secure() parameters or from keys listed at deployment time', () => {
    const settings = appSettings();
    const secure = secureParams();
    const allParams = new Set(params().map((p) => p.name));
    const present = Object.keys(settings).filter((k) => secretConfigKeys.has(k));
    expect(present).to.include.members(['MicrosoftAppPassword', 'REDIS_URL', 'DIRECT_LINE_SECRET', 'DESK_AGENTS']);
    for (const key of present) {
      // `condition ? '' : secret` (e.g. no password with a managed identity): the condition may read plain parameters.
      const expr = resolveVars(settings[key]).replace(/^\(microsoftAppType == 'UserAssignedMSI'\) \? '' : /, '');
      const used = identifiers(expr).filter((id) => allParams.has(id));
      expect(used.filter((p) => !secure.has(p)), `${key} uses plain parameters`).to.deep.equal([]);
      const listed = /\.list(Keys|ChannelWithKeys)\(\)/.test(expr);
      expect(used.length > 0 || listed, `${key} comes from a secure parameter or a list*() call`).to.equal(true);
    }
  });

  it('every parameter that holds a password, secret or token is @secure() with no default value', () => {
    const secure = secureParams();
    for (const p of params()) {
      if (/password|secret|token/i.test(p.name)) expect(secure.has(p.name), `${p.name} is @secure()`).to.equal(true);
      if (p.secure) expect(p.defaultValue ?? "''", `${p.name} default`).to.equal("''");
    }
  });

  it('no output reveals a secret', () => {
    const secure = secureParams();
    for (const m of source().matchAll(/^output\s+(\w+)\s+\w+\s*=\s*(.+)$/gm)) {
      const expr = resolveVars(m[2]);
      expect(expr, `output ${m[1]}`).to.not.match(/\.list\w*\(/);
      expect(identifiers(expr).filter((id) => secure.has(id)), `output ${m[1]}`).to.deep.equal([]);
    }
  });

  it('the Bot resource posts to https://<web app>/api/messages with the app registration', () => {
    const bot = oneResource('Microsoft.BotService/botServices');
    const endpoint = resolveVars(propertyValue(bot.body, 'endpoint') ?? '');
    expect(endpoint, 'endpoint').to.match(/\/api\/messages'\)?$/);
    expect(endpoint, 'https, from the web app host').to.match(/'https:\/\/\$\{webApp\.properties\.defaultHostName\}'/);
    expect(propertyValue(bot.body, 'msaAppId')).to.equal('botAppId');
    expect(appSettings().MicrosoftAppId, 'the bot and the app use the same app id').to.equal('botAppId');
    expect(propertyValue(bot.body, 'msaAppTenantId')).to.equal('botTenantId');
    expect(appSettings().MicrosoftAppTenantId, 'and the same tenant').to.equal('botTenantId');
    expect(bicepVars(source()).botAppId, 'the registration, or the managed identity').to.equal('useMsi ? botIdentity.properties.clientId : microsoftAppId');
    expect(propertyValue(bot.body, 'kind')).to.equal("'azurebot'");
  });

  it('/api/messages and /healthz are routes the server serves', async function () {
    this.timeout(30000);
    const routes = await servedRoutes();
    expect(routes.some((r) => r.method === 'POST' && routeMatches(r, '/api/messages'))).to.equal(true);
    expect(routes.some((r) => r.method === 'GET' && routeMatches(r, '/healthz'))).to.equal(true);
  });

  it('enables the Microsoft Teams, Slack, Direct Line and Web Chat channels on the bot', () => {
    const channels = resourcesOf('Microsoft.BotService/botServices/channels');
    const byName = new Map(channels.map((c) => [stringLiteral(propertyValue(c.body, 'name') ?? ''), c]));
    for (const name of ['MsTeamsChannel', 'SlackChannel', 'DirectLineChannel', 'WebChatChannel']) {
      const c = byName.get(name);
      expect(c, name).to.not.equal(undefined);
      expect(propertyValue(c?.body ?? '', 'channelName'), `${name} channelName`).to.equal(`'${name}'`);
      expect(propertyValue(c?.body ?? '', 'parent'), `${name} parent`).to.equal('bot');
    }
    expect(propertyValue(byName.get('MsTeamsChannel')?.body ?? '', 'isEnabled')).to.equal('true');
    const slack = byName.get('SlackChannel')?.body ?? '';
    const secure = secureParams();
    for (const prop of ['clientSecret', 'signingSecret', 'verificationToken']) {
      const value = propertyValue(slack, prop) ?? '';
      expect(secure.has(value), `Slack ${prop} from a @secure() parameter`).to.equal(true);
    }
    expect(propertyValue(slack, 'clientId')).to.equal('slackClientId');
    expect(propertyValue(byName.get('DirectLineChannel')?.body ?? '', 'isV3Enabled')).to.equal('true');
  });

  it('the web app is HTTPS only, Always On, TLS 1.2+, with its health check on /healthz', () => {
    const site = oneResource('Microsoft.Web/sites');
    expect(propertyValue(site.body, 'httpsOnly')).to.equal('true');
    expect(propertyValue(site.body, 'alwaysOn')).to.equal('true');
    expect(propertyValue(site.body, 'minTlsVersion')).to.equal("'1.2'");
    expect(propertyValue(site.body, 'healthCheckPath')).to.equal("'/healthz'");
    expect(propertyValue(site.body, 'linuxFxVersion'), 'runs the container image').to.match(/^'DOCKER\|/);
    const plan = oneResource('Microsoft.Web/serverfarms');
    expect(propertyValue(plan.body, 'reserved'), 'Linux plan').to.equal('true');
  });

  it('listens where App Service sends traffic: PORT = WEBSITES_PORT = the image port', () => {
    const s = appSettings();
    const port = stringLiteral(resolveVars(s.PORT).replace(/^\((.*)\)$/, '$1'));
    expect(port).to.equal(last(runtimeStage(), 'EXPOSE'));
    expect(s.WEBSITES_PORT).to.equal(s.PORT);
    expect(s.HOST).to.equal("'0.0.0.0'");
  });

  it('uses Redis over TLS: STORAGE=redis and a rediss:// URL with the URL-encoded access key', () => {
    const s = appSettings();
    expect(s.STORAGE).to.equal("'redis'");
    const url = resolveVars(s.REDIS_URL);
    expect(url).to.match(/^\('rediss:\/\//);
    expect(url, 'base64 keys may hold + / =').to.match(/uriComponent\(redis\.listKeys\(\)\.primaryKey\)/);
    expect(url).to.contain('redis.properties.sslPort');
    const redis = oneResource('Microsoft.Cache/redis');
    expect(propertyValue(redis.body, 'enableNonSslPort')).to.equal('false');
    expect(propertyValue(redis.body, 'minimumTlsVersion')).to.equal("'1.2'");
  });

  it('with UserAssignedMSI: creates the identity, gives it to the web app and the bot, and sets no password', () => {
    expect(params().find((p) => p.name === 'microsoftAppType')?.defaultValue).to.equal("'SingleTenant'");
    expect(source()).to.match(/@allowed\(\[\s*'SingleTenant'\s*'MultiTenant'\s*'UserAssignedMSI'\s*\]\)\s*param microsoftAppType/);
    expect(bicepVars(source()).useMsi).to.equal("microsoftAppType == 'UserAssignedMSI'");
    const identity = oneResource('Microsoft.ManagedIdentity/userAssignedIdentities');
    expect(identity.condition, 'created only for UserAssignedMSI').to.equal('useMsi');
    const webApp = oneResource('Microsoft.Web/sites');
    expect(webApp.body).to.match(/identity: useMsi \? \{\s*type: 'SystemAssigned, UserAssigned'\s*userAssignedIdentities: \{\s*'\$\{botIdentity\.id\}': \{\}/);
    const bot = oneResource('Microsoft.BotService/botServices');
    expect(propertyValue(bot.body, 'msaAppMSIResourceId')).to.equal('useMsi ? botIdentity.id : null');
    expect(propertyValue(bot.body, 'msaAppType')).to.equal('microsoftAppType');
    expect(appSettings().MicrosoftAppPassword).to.equal("useMsi ? '' : microsoftAppPassword");
    expect(bicepVars(source()).botTenantId, "SingleTenant: the registration's tenant; UserAssignedMSI: the identity's").to.equal(
      "useMsi ? botIdentity.properties.tenantId : (microsoftAppType == 'MultiTenant' ? '' : microsoftAppTenantId)",
    );
    // What the app then receives is a configuration Warmline accepts: an app id and tenant, no password.
    const config = loadConfig({
      MicrosoftAppId: '00000000-0000-0000-0000-0000000000aa',
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppTenantId: '00000000-0000-0000-0000-0000000000bb',
      WEBCHAT: 'azure',
      DIRECT_LINE_SECRET: 'test-direct-line-secret',
      HOST: '0.0.0.0',
    });
    expect(config.MicrosoftAppPassword).to.equal(undefined);
  });

  it('serves the customer web chat through Azure Direct Line with its secret', () => {
    const s = appSettings();
    expect(s.WEBCHAT).to.equal("'azure'");
    expect(resolveVars(s.DIRECT_LINE_SECRET)).to.match(/directLineChannel\.listChannelWithKeys\(\)/);
  });

  it('its literal settings, with the computed ones filled in, are a valid configuration', () => {
    const env: Record<string, string> = {};
    for (const [key, expr] of Object.entries(appSettings())) {
      const literal = stringLiteral(resolveVars(expr).replace(/^\((.*)\)$/, '$1'));
      if (literal !== undefined && configKeys.has(key)) env[key] = literal;
    }
    const defaults = Object.fromEntries(params().map((p) => [p.name, p.defaultValue ? stringLiteral(p.defaultValue) : undefined]));
    const config = loadConfig({
      ...env,
      MicrosoftAppId: 'test-app-id',
      MicrosoftAppPassword: 'test-app-password',
      MicrosoftAppType: defaults.microsoftAppType ?? '',
      MicrosoftAppTenantId: 'test-tenant-id',
      PUBLIC_URL: 'https://warmline-test.azurewebsites.net',
      REDIS_URL: 'rediss://:test-key@warmline-test.redis.cache.windows.net:6380',
      DIRECT_LINE_SECRET: 'test-direct-line-secret',
      LOG_LEVEL: defaults.logLevel ?? '',
      DEFAULT_LOCALE: defaults.defaultLocale ?? '',
      DEFAULT_TIME_ZONE: defaults.defaultTimeZone ?? '',
      HANDOFF_PROTOCOL: defaults.handoffProtocol ?? '',
    });
    expect(config.STORAGE).to.equal('redis');
    expect(config.HOST).to.equal('0.0.0.0');
  });

  it('the parameters example names only parameters of main.bicep, gives every required one, and keeps secrets in Key Vault', () => {
    const file = JSON.parse(readText(azureDir, 'main.parameters.example.json')) as {
      parameters: Record<string, { value?: unknown; reference?: { keyVault: { id: string }; secretName: string } }>;
    };
    const declared = new Map(params().map((p) => [p.name, p]));
    for (const [name, entry] of Object.entries(file.parameters)) {
      const p = declared.get(name);
      expect(p, `${name} is a parameter of main.bicep`).to.not.equal(undefined);
      if (p?.secure) {
        expect(entry.value, `${name}: no secret value in the file`).to.equal(undefined);
        expect(entry.reference?.secretName, `${name}: a Key Vault reference`).to.be.a('string');
      } else {
        expect(entry.reference, `${name}: plain value`).to.equal(undefined);
      }
    }
    for (const p of params().filter((x) => x.defaultValue === undefined)) {
      expect(file.parameters, `required parameter ${p.name}`).to.have.property(p.name);
    }
    expect(path.basename(path.join(azureDir, 'main.parameters.example.json'))).to.contain('example');
  });
});
