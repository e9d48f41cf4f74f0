// The Function App on Flex Consumption (Java 17) with the user-assigned identity, VNet integration
// (outbound through the delegated subnet, which is how it reaches the private PostgreSQL), and every
// app setting. Settings carry no key, password or token: storage, scheduler, telemetry and PostgreSQL
// (entra) use the identity; secrets are Key Vault references resolved with the same identity.
// In Azure the Durable backend is the Durable Task Scheduler: the two AzureFunctionsJobHost__ settings
// override host.json, which keeps Azure Storage (Azurite) as the local backend.

param name string
param location string

param identityId string
param identityClientId string
@description('Name of the identity: its PostgreSQL role name under entra sign-in.')
param identityName string

param hostBlobEndpoint string
param hostQueueEndpoint string
param hostTableEndpoint string
param deploymentContainer string

param lakeBlobEndpoint string
param lakeQueueEndpoint string
param lakeContainer string

param appSubnetId string
param insightsConnectionString string
param schedulerEndpoint string
param taskHubName string
param vaultName string

param pgFqdn string
param pgDatabase string

@allowed([ 'entra', 'password' ])
param pgAuth string
@description('PostgreSQL role of the app under password sign-in; ignored with entra (the identity name is the role).')
param pgPasswordUser string
param pgPoolSize int

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int
param instanceMemoryMB int

param pipedriveSchedule string
param pipedriveScopes string
param pipedriveCommercialBaseUrl string
param pipedriveExpansionBaseUrl string
param pipedriveMaxParallelWindows int

param zendeskSchedule string
@description('https://{subdomain}.zendesk.com, or empty to leave the source off.')
param zendeskBaseUrl string
@description('oauth: ZENDESK_OAUTH_TOKEN from the vault secret zendesk-oauth-token; token: ZENDESK_EMAIL with the secret zendesk-api-token.')
@allowed([ 'oauth', 'token' ])
param zendeskAuth string
param zendeskEmail string
param evoSchedule string
param evoRescanSchedule string
param evoScopes string
@description('The DNS of the EVO key of scope main (its Basic user); its secret key is the vault secret evo-main-secret-key.')
param evoMainDns string
param evoStartDate string
param chatwootSchedule string
@description('Empty: the Chatwoot source is off (and its password setting stays empty).')
param chatwootSourceJdbcUrl string
param chatwootSourceUser string

@description('Extra or replaced app settings (key: value), applied last.')
param settingOverrides object

var kvRef = 'VaultName=${vaultName}'

var settings = {
  // Functions host: identity-based host storage (Blob Data Owner, queue and table roles in roles.bicep)
  AzureWebJobsStorage__blobServiceUri: hostBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: hostQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: hostTableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: insightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential (bronze store, PostgreSQL entra plugin) picks this user-assigned identity
  AZURE_CLIENT_ID: identityClientId

  // Durable Task Scheduler in Azure; host.json keeps the Azure Storage backend for local runs
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${schedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
  SKYFIT_TASK_HUB: taskHubName

  // the lake and its blob trigger (identity-based connection SKYFIT_STORAGE)
  SKYFIT_STORAGE__blobServiceUri: lakeBlobEndpoint
  SKYFIT_STORAGE__queueServiceUri: lakeQueueEndpoint
  SKYFIT_STORAGE__credential: 'managedidentity'
  SKYFIT_STORAGE__clientId: identityClientId
  SKYFIT_BRONZE_CONTAINER: lakeContainer
  SKYFIT_BRONZE_URL: '${lakeBlobEndpoint}${lakeContainer}'
  SKYFIT_BRONZE_PART_MAX_RECORDS: '50000'
  SKYFIT_BRONZE_PART_MAX_BYTES: '67108864'

  // PostgreSQL over the private network, TLS required by the server
  SKYFIT_PG_URL: 'jdbc:postgresql://${pgFqdn}:5432/${pgDatabase}?sslmode=require'
  SKYFIT_PG_AUTH: pgAuth
  SKYFIT_PG_USER: pgAuth == 'entra' ? identityName : pgPasswordUser
  SKYFIT_PG_PASSWORD: pgAuth == 'password' ? '@Microsoft.KeyVault(${kvRef};SecretName=pg-password)' : ''
  SKYFIT_PG_POOL_SIZE: string(pgPoolSize)
  SKYFIT_PG_RETRY_SECONDS: '30,60,120,240'
  SKYFIT_LOAD_BATCH_FILES: '8'
  SKYFIT_LOAD_PARALLELISM: '2'
  SKYFIT_STAGING_RETENTION_DAYS: '0'
  SKYFIT_BACKFILL_WINDOW_DAYS: '7'
  SKYFIT_MAX_LINE_BYTES: '16777216'
  SKYFIT_MAX_PART_BYTES: '1073741824'
  SKYFIT_LEASE_TIMEOUT_SECONDS: '120'

  // reading sources: https only (no plain-http exceptions in Azure), bounded bodies, bounded clock skew
  SKYFIT_ALLOW_HTTP_HOSTS: ''
  SKYFIT_HTTP_MAX_BODY_MB: '64'
  SKYFIT_SOURCE_CLOCK_SKEW_MINUTES: '5'
  SKYFIT_ORCHESTRATION_LEASE_TIMEOUT_SECONDS: '900'

  // workflow
  SKYFIT_BACKFILL_MAX_DAYS: '366'
  SKYFIT_LOAD_WAIT_MINUTES: '10'
  SKYFIT_LOAD_POLL_SECONDS: '30'
  SKYFIT_WINDOWS_PER_CHUNK: '50'
  SKYFIT_HEALTH_STALE_HOURS: '26'

  // Pipedrive (one base URL and one token per scope; tokens live in Key Vault)
  PIPEDRIVE_SCHEDULE: pipedriveSchedule
  PIPEDRIVE_SCOPES: pipedriveScopes
  PIPEDRIVE_COMMERCIAL_BASE_URL: pipedriveCommercialBaseUrl
  PIPEDRIVE_COMMERCIAL_API_TOKEN: '@Microsoft.KeyVault(${kvRef};SecretName=pipedrive-commercial-api-token)'
  PIPEDRIVE_EXPANSION_BASE_URL: pipedriveExpansionBaseUrl
  PIPEDRIVE_EXPANSION_API_TOKEN: '@Microsoft.KeyVault(${kvRef};SecretName=pipedrive-expansion-api-token)'
  PIPEDRIVE_OVERLAP_MINUTES: '10'
  PIPEDRIVE_RECONCILE_DAYS: '7'
  PIPEDRIVE_PAGE_SIZE: '500'
  PIPEDRIVE_REQUESTS_PER_2S: '20'
  PIPEDRIVE_MAX_RETRY_WAIT_SECONDS: '120'
  PIPEDRIVE_HTTP_RETRIES: '5'
  PIPEDRIVE_MAX_PARALLEL_WINDOWS: string(pipedriveMaxParallelWindows)

  // Zendesk (one account; only the chosen credential is set: an unresolved vault reference would be sent as a token)
  ZENDESK_SCHEDULE: zendeskSchedule
  ZENDESK_BASE_URL: zendeskBaseUrl
  ZENDESK_SCOPE: 'support'
  ZENDESK_OAUTH_TOKEN: !empty(zendeskBaseUrl) && zendeskAuth == 'oauth' ? '@Microsoft.KeyVault(${kvRef};SecretName=zendesk-oauth-token)' : ''
  ZENDESK_EMAIL: !empty(zendeskBaseUrl) && zendeskAuth == 'token' ? zendeskEmail : ''
  ZENDESK_API_TOKEN: !empty(zendeskBaseUrl) && zendeskAuth == 'token' ? '@Microsoft.KeyVault(${kvRef};SecretName=zendesk-api-token)' : ''
  ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '10'
  ZENDESK_EXPORT_PAGE_SIZE: '1000'
  ZENDESK_START_DATE: ''
  ZENDESK_MAX_PARALLEL_WINDOWS: '4'

  // EVO (one key per scope: its DNS and, in Key Vault, its secret key; 40 requests a sliding minute per key)
  EVO_SCHEDULE: evoSchedule
  EVO_SCOPES: evoScopes
  EVO_BASE_URL: 'https://evo-integracao-api.w12app.com.br'
  EVO_MAIN_DNS: evoMainDns
  EVO_MAIN_SECRET_KEY: '@Microsoft.KeyVault(${kvRef};SecretName=evo-main-secret-key)'
  EVO_START_DATE: evoStartDate
  EVO_LOOKBACK_DAYS: '3'
  EVO_OVERLAP_MINUTES: '10'
  EVO_REQUESTS_PER_MINUTE: '40'
  EVO_MAX_RETRY_WAIT_SECONDS: '120'
  EVO_HTTP_RETRIES: '5'
  EVO_MAX_PARALLEL_WINDOWS: '4'

  // Chatwoot (a read-only login on its PostgreSQL, on when the JDBC URL is set; the password lives in Key Vault).
  // The host needs the schedule even while the source is off.
  CHATWOOT_SCHEDULE: chatwootSchedule
  CHATWOOT_SOURCE_JDBC_URL: chatwootSourceJdbcUrl
  CHATWOOT_SOURCE_USER: chatwootSourceUser
  CHATWOOT_SOURCE_PASSWORD: empty(chatwootSourceJdbcUrl) ? '' : '@Microsoft.KeyVault(${kvRef};SecretName=chatwoot-source-password)'
  CHATWOOT_SOURCE_SSL_MODE: 'require'
  CHATWOOT_SOURCE_VIEW: 'vw_conversations_analytics_final'
  CHATWOOT_SOURCE_ID_COLUMN: 'conversation_id'
  CHATWOOT_SOURCE_WATERMARK_COLUMNS: 'conversation_updated_at,last_activity_at'
  CHATWOOT_SOURCE_FETCH_SIZE: '1000'
  CHATWOOT_SCOPE: 'default'
  CHATWOOT_OVERLAP_MINUTES: '10'
  CHATWOOT_MAX_PARALLEL_WINDOWS: '2'

  // EVO re-scan: a weekly full load of the records that change without a date (the host needs the schedule even
  // while the source is off; a firing then starts nothing)
  EVO_RESCAN_SCHEDULE: evoRescanSchedule
  EVO_RESCAN_ENTITIES: 'members,member_memberships'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: appSubnetId
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostBlobEndpoint}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Flex Consumption takes the runtime from here: FUNCTIONS_WORKER_RUNTIME is not an app setting
      runtime: {
        name: 'java'
        version: '17'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(settings, settingOverrides)
}

// No publishing passwords: deployments sign in with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
