// Warmline on Azure: an App Service plan (Linux) running the bot's container image, Azure Cache for Redis (TLS only)
// for shared state across instances, and an Azure Bot resource whose messaging endpoint is the web app's
// /api/messages, with the Microsoft Teams, Slack, Direct Line and Web Chat channels.
//
// Not compiled here (no bicep or az CLI on the development machines): see README.md in this folder.
//
//   az deployment group create -g <resource group> -f deployment/azure/main.bicep \
//     -p @deployment/azure/main.parameters.example.json   (a copy with your values)

targetScope = 'resourceGroup'

// ---------------------------------------------------------------- general

@description('Prefix of every resource name. Globally unique names get a suffix derived from the resource group.')
@minLength(3)
@maxLength(24)
param namePrefix string = 'warmline'

@description('Region of the App Service plan, the web app and Redis. The Azure Bot resource itself is global.')
param location string = resourceGroup().location

@description('The image built from deployment/Dockerfile, e.g. myregistry.azurecr.io/warmline:0.1.0.')
param containerImage string

@description('Azure Container Registry in this resource group that holds the image; the web app pulls it with its managed identity (AcrPull). Empty: a registry that needs no credentials.')
param containerRegistryName string = ''

@description('App Service plan SKU. Always On needs Basic or higher; P0v3 and up recommended for production.')
param appServiceSkuName string = 'P0v3'

@description('Number of web app instances. More than one needs Redis, which this template always sets up.')
@minValue(1)
@maxValue(30)
param instanceCount int = 2

// ---------------------------------------------------------------- Bot Framework identity

@description('Application (client) id of the bot\'s Entra ID app registration (MicrosoftAppId). Ignored with UserAssignedMSI (pass \'\'): the bot then uses the client id of the identity this template creates.')
param microsoftAppId string

@description('Client secret of that app registration (MicrosoftAppPassword). Required with SingleTenant and MultiTenant (the bot refuses to start without it); unused with UserAssignedMSI.')
@secure()
param microsoftAppPassword string = ''

@description('SingleTenant (new bots), MultiTenant (existing multi-tenant registrations) or UserAssignedMSI (no secret: a user-assigned managed identity, created here, is the bot\'s identity).')
@allowed([
  'SingleTenant'
  'MultiTenant'
  'UserAssignedMSI'
])
param microsoftAppType string = 'SingleTenant'

@description('Tenant of the app registration (MicrosoftAppTenantId), used by SingleTenant. With UserAssignedMSI the identity\'s own tenant is used.')
param microsoftAppTenantId string = tenant().tenantId

@description('Azure Bot pricing tier: F0 (free, limited premium-channel messages) or S1.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'S1'

@description('Name shown for the bot in the channels.')
param botDisplayName string = 'Warmline'

// ---------------------------------------------------------------- Redis

@allowed([
  'Basic'
  'Standard'
  'Premium'
])
@description('Azure Cache for Redis tier. Standard (replicated) or Premium for production; Basic has no SLA.')
param redisSkuName string = 'Standard'

@description('Cache size within the tier: C0..C6 for Basic/Standard, P1..P5 for Premium.')
@minValue(0)
@maxValue(6)
param redisCapacity int = 1

// ---------------------------------------------------------------- channels

@description('Slack app client id (Basic Information page of your Slack app). Empty: no Slack channel.')
param slackClientId string = ''

@description('Slack app client secret.')
@secure()
param slackClientSecret string = ''

@description('Slack app signing secret.')
@secure()
param slackSigningSecret string = ''

@description('Slack app verification token.')
@secure()
param slackVerificationToken string = ''

@description('Optional page Slack shows after the app is installed.')
param slackLandingPageUrl string = ''

@description('Direct Line enhanced authentication: only tokens made from the secret (the web app\'s /api/directline/token route, which embeds a dl_ user id) can talk to the bot, from the web app\'s origin.')
param directLineEnhancedAuth bool = true

@description('Optional: the Direct Line secret to give the web app. Empty: read from the Direct Line channel this template creates.')
@secure()
param directLineSecret string = ''

// ---------------------------------------------------------------- Warmline settings (see .env.example)

@description('Web console agents (DESK_AGENTS): comma-separated id:Display name:scryptHash, made with scripts/hashDeskPassword.ts.')
@secure()
param deskAgents string = ''

@description('Agents in Teams/Slack by channel id (WARMLINE_AGENTS), e.g. msteams:<aadObjectId>,slack:U0123:T0456.')
param warmlineAgents string = ''

@allowed([
  'en-US'
  'en-GB'
  'fr-FR'
  'fr-CA'
  'fr-BE'
  'fr-CH'
])
param defaultLocale string = 'en-US'

@description('IANA time zone used when a channel sends none.')
param defaultTimeZone string = 'Europe/Paris'

@allowed([
  'debug'
  'info'
  'warn'
  'error'
  'silent'
])
param logLevel string = 'info'

@allowed([
  'off'
  'on'
])
@description('Bot Framework handoff protocol to an engagement hub (HANDOFF_PROTOCOL); on needs handoffStatusSecret.')
param handoffProtocol string = 'off'

@description('HANDOFF_STATUS_SECRET: at least 16 characters, shared with the hub only. Required when handoffProtocol is on.')
@secure()
param handoffStatusSecret string = ''

@description('Optional WEBHOOK_URL: every case is POSTed there as signed JSON.')
param webhookUrl string = ''

@description('WEBHOOK_SECRETS: comma-separated signing secrets (>= 16 characters each), newest first. Required with webhookUrl.')
@secure()
param webhookSecrets string = ''

// ---------------------------------------------------------------- names

var suffix = uniqueString(resourceGroup().id)
var webAppName = '${namePrefix}-${suffix}'
var botName = '${namePrefix}-bot-${suffix}'
var redisName = '${namePrefix}-redis-${suffix}'
var planName = '${namePrefix}-plan'
var botIdentityName = '${namePrefix}-bot-identity'
var useMsi = microsoftAppType == 'UserAssignedMSI'
// The port the image listens on (deployment/Dockerfile: EXPOSE 3978, PORT=3978).
var appPort = '3978'
// Built-in role "AcrPull".
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

// ---------------------------------------------------------------- Redis: TLS only, no eviction

resource redis 'Microsoft.Cache/redis@2024-03-01' = {
  name: redisName
  location: location
  properties: {
    sku: {
      name: redisSkuName
      family: redisSkuName == 'Premium' ? 'P' : 'C'
      capacity: redisCapacity
    }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    redisVersion: '6'
    publicNetworkAccess: 'Enabled'
    redisConfiguration: {
      // Cases, queue and state must never be dropped silently, nor the short-lived security keys (console sessions,
      // sign-in lock-outs, replay caches) evicted early: a full cache refuses writes instead.
      'maxmemory-policy': 'noeviction'
    }
  }
}

// ---------------------------------------------------------------- App Service: Linux, container

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  kind: 'linux'
  sku: {
    name: appServiceSkuName
    capacity: instanceCount
  }
  properties: {
    reserved: true // Linux
  }
}

// With UserAssignedMSI: the bot's identity, with no secret. The web app holds it, and botbuilder gets its tokens from
// the App Service managed identity endpoint (MicrosoftAppId = its client id).
resource botIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = if (useMsi) {
  name: botIdentityName
  location: location
}

var botAppId = useMsi ? botIdentity.properties.clientId : microsoftAppId
// SingleTenant bots name their tenant, a managed identity's is its own; MultiTenant bots name none.
var botTenantId = useMsi ? botIdentity.properties.tenantId : (microsoftAppType == 'MultiTenant' ? '' : microsoftAppTenantId)

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux,container'
  identity: useMsi ? {
    type: 'SystemAssigned, UserAssigned'
    userAssignedIdentities: {
      '${botIdentity.id}': {}
    }
  } : {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Console sessions, lock-outs and live events are shared through Redis: any instance can serve any request.
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'DOCKER|${containerImage}'
      acrUseManagedIdentityCreds: !empty(containerRegistryName)
      alwaysOn: true
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // GET /healthz answers as soon as the process runs (/readyz is 503 for the ~2 s of recognizer warm-up).
      healthCheckPath: '/healthz'
    }
  }
}

// No FTP or basic-auth deployment credentials: the image comes from the registry.
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: webApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: webApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: empty(containerRegistryName) ? 'unused' : containerRegistryName
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(containerRegistryName)) {
  name: guid(resourceGroup().id, containerRegistryName, webAppName, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

var publicUrl = 'https://${webApp.properties.defaultHostName}'

// ---------------------------------------------------------------- Azure Bot and its channels

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: '${publicUrl}/api/messages'
    msaAppId: botAppId
    msaAppType: microsoftAppType
    msaAppTenantId: botTenantId
    msaAppMSIResourceId: useMsi ? botIdentity.id : null
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
    }
  }
}

// Created only once a Slack app exists (its client id is known); see the Azure Bot Service Slack guide.
resource slackChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = if (!empty(slackClientId)) {
  parent: bot
  name: 'SlackChannel'
  location: 'global'
  properties: {
    channelName: 'SlackChannel'
    properties: {
      isEnabled: true
      clientId: slackClientId
      clientSecret: slackClientSecret
      signingSecret: slackSigningSecret
      verificationToken: slackVerificationToken
      landingPageUrl: empty(slackLandingPageUrl) ? null : slackLandingPageUrl
      registerBeforeOAuthFlow: true
    }
  }
}

// The customer web chat page (WEBCHAT=azure) talks to Azure Direct Line with tokens the web app makes from this
// channel's secret (POST /api/directline/token); the secret never reaches the browser.
resource directLineChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'DirectLineChannel'
  location: 'global'
  properties: {
    channelName: 'DirectLineChannel'
    properties: {
      sites: [
        {
          siteName: 'Warmline web chat'
          isEnabled: true
          isV1Enabled: false
          isV3Enabled: true
          isSecureSiteEnabled: directLineEnhancedAuth
          trustedOrigins: directLineEnhancedAuth ? [
            publicUrl
          ] : []
        }
      ]
    }
  }
}

// Azure's own Web Chat channel: the portal's "Test in Web Chat" (Warmline's page uses Direct Line above).
resource webChatChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'WebChatChannel'
  location: 'global'
  properties: {
    channelName: 'WebChatChannel'
    properties: {
      sites: [
        {
          siteName: 'Default Site'
          isEnabled: true
          isWebchatPreviewEnabled: true
        }
      ]
    }
  }
}

// ---------------------------------------------------------------- app settings: the keys of config.ts

// rediss:// (TLS on 6380). Access keys are base64 and may contain + / =, so the key is URL-encoded.
var redisUrl = 'rediss://:${uriComponent(redis.listKeys().primaryKey)}@${redis.properties.hostName}:${redis.properties.sslPort}'

resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  properties: {
    // Bot Framework: with an app id, every POST /api/messages must carry a valid JWT.
    MicrosoftAppId: botAppId
    MicrosoftAppPassword: useMsi ? '' : microsoftAppPassword
    MicrosoftAppType: microsoftAppType
    MicrosoftAppTenantId: botTenantId
    // HTTP server
    HOST: '0.0.0.0'
    PORT: appPort
    PUBLIC_URL: publicUrl
    LOG_LEVEL: logLevel
    DEFAULT_LOCALE: defaultLocale
    DEFAULT_TIME_ZONE: defaultTimeZone
    // Shared state for several instances
    STORAGE: 'redis'
    REDIS_URL: redisUrl
    // Customer web chat at / through Azure Direct Line
    WEBCHAT: 'azure'
    DIRECT_LINE_SECRET: empty(directLineSecret) ? directLineChannel.listChannelWithKeys().setting.sites[0].key : directLineSecret
    // Agents
    DESK_AGENTS: deskAgents
    DESK_TRUST_PROXY: 'true' // App Service's front ends set X-Forwarded-For
    WARMLINE_AGENTS: warmlineAgents
    // Engagement hubs
    HANDOFF_PROTOCOL: handoffProtocol
    HANDOFF_STATUS_SECRET: handoffStatusSecret
    WEBHOOK_URL: webhookUrl
    WEBHOOK_SECRETS: webhookSecrets
    // App Service platform settings (not read by Warmline): the container's port, and no /home mount.
    WEBSITES_PORT: appPort
    WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false'
  }
  dependsOn: [
    acrPull
  ]
}

// ---------------------------------------------------------------- outputs (no secrets)

output webAppName string = webApp.name
output publicUrl string = publicUrl
output messagingEndpoint string = bot.properties.endpoint
output botName string = bot.name
output redisHostName string = redis.properties.hostName
