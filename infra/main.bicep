// SkyFit Data Lake in Azure. One module per concern:
//   storage-account  the host account (Functions runtime, deployment package) and the lake (ADLS Gen2)
//   network          VNet: Flex Consumption integration subnet, PostgreSQL delegated subnet, private DNS
//   postgres         PostgreSQL flexible server 17, private access, TLS required, Entra ID sign-in
//   durable-task     Durable Task Scheduler and task hub (the Durable backend in Azure; dashboard)
//   key-vault        secrets (RBAC); monitoring: Log Analytics + Application Insights
//   roles            every role of the app identity (and of an optional operator)
//   function-app     Flex Consumption app and its settings, deployed after the roles
//   bronze-subscription  Event Grid: BlobCreated of bronze parts -> blob trigger LoadBronzePart
//
// The app runs as a user-assigned identity, created first, so every role is in place before the app
// exists and reads its first Key Vault reference. docs/deploy.md gives the whole sequence: deploy with
// deployEventSubscription=false, publish the code, migrate, create the app's database role, put the
// secrets, then deploy again with deployEventSubscription=true (the Event Grid webhook needs the host's
// blobs_extension system key, which exists only once the host has started with the blob trigger).
//
// Connection budget: every instance holds at most SKYFIT_PG_POOL_SIZE connections, so
// maximumInstanceCount x pgPoolSize + pgReservedConnections must stay within the max_connections of the
// PostgreSQL SKU (maxConnectionsBySku below; output connectionBudget shows the numbers).

targetScope = 'resourceGroup'

@description('Short name prefix for every resource: lowercase letters and digits (storage account names allow nothing else), e.g. skyfitprod.')
@minLength(3)
@maxLength(16)
param prefix string

param location string = resourceGroup().location

@description('Name of the lake container; bronze parts live under bronze/ in it.')
param lakeContainer string = 'lake'

@description('Durable task hub name (SKYFIT_TASK_HUB and the scheduler\'s task hub): letters and digits only.')
param taskHub string = 'skyfit'

@allowed([ 'Consumption', 'Dedicated' ])
param durableTaskSku string = 'Consumption'

@description('Address ranges allowed to call the Durable Task Scheduler (it also requires Entra ID sign-in and the data role).')
param durableTaskIpAllowlist array = [ '0.0.0.0/0' ]

@description('Address space of the VNet; the first three /24 become the app, postgres and ops subnets.')
param vnetAddressPrefix string = '10.60.0.0/16'

@description('How the app signs in to PostgreSQL: entra (its managed identity, no password) or password (a Key Vault secret).')
@allowed([ 'entra', 'password' ])
param pgAuth string = 'entra'

@allowed([ 'Standard_B1ms', 'Standard_B2s', 'Standard_B2ms', 'Standard_D2ds_v5', 'Standard_D4ds_v5' ])
param pgSkuName string = 'Standard_B2s'

param pgStorageSizeGB int = 32
param pgDatabase string = 'skyfit'

@description('Object id of the PostgreSQL Entra ID administrator (a user or group who runs migrations and creates the app role).')
param pgEntraAdminObjectId string

@description('Display name (user principal name or group name) of that administrator.')
param pgEntraAdminName string

@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param pgEntraAdminType string = 'Group'

@description('Password sign-in only: administrator login of the server.')
param pgAdminLogin string = 'skyfitadmin'

@secure()
@description('Password sign-in only: administrator password of the server. Leave empty with entra.')
param pgAdminPassword string = ''

@description('Password sign-in only: the PostgreSQL role the app signs in as (its password is the Key Vault secret pg-password).')
param pgAppUser string = 'skyfit_app'

@description('Connections one app instance may hold (SKYFIT_PG_POOL_SIZE).')
@minValue(3)
@maxValue(50)
param pgPoolSize int = 4

@description('Connections kept free for migrations, operators and the server itself (Azure reserves 15 of max_connections).')
param pgReservedConnections int = 25

@description('Object id of an operator (user or group) given Key Vault Secrets Officer and Durable Task Data Reader; empty for none.')
param operatorObjectId string = ''

@allowed([ 'User', 'Group' ])
param operatorType string = 'User'

@description('NCRONTAB schedule of the Pipedrive timer (six fields).')
param pipedriveSchedule string = '0 0 5 * * *'

param pipedriveScopes string = 'commercial,expansion'
param pipedriveCommercialBaseUrl string
param pipedriveExpansionBaseUrl string

@minValue(1)
@maxValue(64)
param pipedriveMaxParallelWindows int = 4

@description('NCRONTAB schedule of the Zendesk timer (six fields); the host needs it even while the source is off.')
param zendeskSchedule string = '0 0 4 * * *'

@description('https://{subdomain}.zendesk.com; empty leaves the Zendesk source off.')
param zendeskBaseUrl string = ''

@description('oauth: put the token in the vault secret zendesk-oauth-token; token: zendeskEmail plus the secret zendesk-api-token.')
@allowed([ 'oauth', 'token' ])
param zendeskAuth string = 'oauth'

param zendeskEmail string = ''
@description('NCRONTAB schedule of the EVO timer (six fields).')
param evoSchedule string = '0 0 2 * * *'

@description('NCRONTAB schedule of the EVO re-scan (a full load from evoStartDate: members change without a new date).')
param evoRescanSchedule string = '0 0 8 * * 6'

@description('The EVO keys to read, one scope per key; each needs its DNS and the vault secret evo-<scope>-secret-key.')
param evoScopes string = 'main'

@description('The DNS of the EVO key of scope main (the Basic user).')
param evoMainDns string

@description('YYYY-MM-DD: where EVO full loads and re-scans start.')
param evoStartDate string = '2020-01-01'

@description('NCRONTAB schedule of the Chatwoot timer (six fields); the host needs it even while the source is off.')
param chatwootSchedule string = '0 0 3 * * *'

@description('JDBC URL of the Chatwoot PostgreSQL, without a password (the app must reach it from its VNet); empty leaves the Chatwoot source off.')
param chatwootSourceJdbcUrl string = ''

@description('Read-only PostgreSQL login of the Chatwoot source; its password is the Key Vault secret chatwoot-source-password.')
param chatwootSourceUser string = 'lake_reader'

@description('Extra or replaced app settings (key: value), e.g. { SKYFIT_LOAD_WAIT_MINUTES: \'5\' }.')
param settingOverrides object = {}

@description('Create the Event Grid subscription to the blob trigger (second deployment, after the code).')
param deployEventSubscription bool = false

@description('Most instances the app scales out to. Flex Consumption accepts 1-1000; keep instances x pgPoolSize within the server\'s connections.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

var appName = '${prefix}-func'
var deploymentContainer = 'app-package'

// max_connections of each offered SKU (Azure Database for PostgreSQL flexible server limits).
var maxConnectionsBySku = {
  Standard_B1ms: 50
  Standard_B2s: 429
  Standard_B2ms: 859
  Standard_D2ds_v5: 859
  Standard_D4ds_v5: 1718
}

// ---------------------------------------------------------------- identity

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${prefix}-app-id'
  location: location
}

// ---------------------------------------------------------------- storage: host and lake kept apart

module hostStorage 'modules/storage-account.bicep' = {
  name: 'host-storage'
  params: {
    name: toLower('${prefix}host')
    location: location
    isHnsEnabled: false
    containers: [ deploymentContainer ]
  }
}

module lakeStorage 'modules/storage-account.bicep' = {
  name: 'lake-storage'
  params: {
    name: toLower('${prefix}lake')
    location: location
    isHnsEnabled: true
    containers: [ lakeContainer ]
  }
}

// ---------------------------------------------------------------- network, database, scheduler, vault, monitoring

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    prefix: prefix
    location: location
    addressPrefix: vnetAddressPrefix
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: '${prefix}-pg'
    location: location
    skuName: pgSkuName
    storageSizeGB: pgStorageSizeGB
    databaseName: pgDatabase
    auth: pgAuth
    adminLogin: pgAdminLogin
    adminPassword: pgAdminPassword
    entraAdminObjectId: pgEntraAdminObjectId
    entraAdminName: pgEntraAdminName
    entraAdminType: pgEntraAdminType
    delegatedSubnetId: network.outputs.postgresSubnetId
    privateDnsZoneId: network.outputs.dnsZoneId
  }
}

module durableTask 'modules/durable-task.bicep' = {
  name: 'durable-task'
  params: {
    name: '${prefix}-dts'
    location: location
    taskHubName: taskHub
    skuName: durableTaskSku
    ipAllowlist: durableTaskIpAllowlist
  }
}

module vault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    name: '${prefix}-kv'
    location: location
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    prefix: prefix
    location: location
  }
}

// ---------------------------------------------------------------- roles, then the app

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    appPrincipalId: appIdentity.properties.principalId
    operatorObjectId: operatorObjectId
    operatorType: operatorType
    hostStorageName: hostStorage.outputs.name
    lakeStorageName: lakeStorage.outputs.name
    vaultName: vault.outputs.name
    schedulerName: durableTask.outputs.name
    insightsName: monitoring.outputs.insightsName
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: appName
    location: location
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    identityName: appIdentity.name
    hostBlobEndpoint: hostStorage.outputs.blobEndpoint
    hostQueueEndpoint: hostStorage.outputs.queueEndpoint
    hostTableEndpoint: hostStorage.outputs.tableEndpoint
    deploymentContainer: deploymentContainer
    lakeBlobEndpoint: lakeStorage.outputs.blobEndpoint
    lakeQueueEndpoint: lakeStorage.outputs.queueEndpoint
    lakeContainer: lakeContainer
    appSubnetId: network.outputs.appSubnetId
    insightsConnectionString: monitoring.outputs.connectionString
    schedulerEndpoint: durableTask.outputs.endpoint
    taskHubName: durableTask.outputs.taskHubName
    vaultName: vault.outputs.name
    pgFqdn: postgres.outputs.fqdn
    pgDatabase: pgDatabase
    pgAuth: pgAuth
    pgPasswordUser: pgAppUser
    pgPoolSize: pgPoolSize
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    pipedriveSchedule: pipedriveSchedule
    pipedriveScopes: pipedriveScopes
    pipedriveCommercialBaseUrl: pipedriveCommercialBaseUrl
    pipedriveExpansionBaseUrl: pipedriveExpansionBaseUrl
    pipedriveMaxParallelWindows: pipedriveMaxParallelWindows
    zendeskSchedule: zendeskSchedule
    zendeskBaseUrl: zendeskBaseUrl
    zendeskAuth: zendeskAuth
    zendeskEmail: zendeskEmail
    evoSchedule: evoSchedule
    evoRescanSchedule: evoRescanSchedule
    evoScopes: evoScopes
    evoMainDns: evoMainDns
    evoStartDate: evoStartDate
    chatwootSchedule: chatwootSchedule
    chatwootSourceJdbcUrl: chatwootSourceJdbcUrl
    chatwootSourceUser: chatwootSourceUser
    settingOverrides: settingOverrides
  }
  // the Key Vault references, host storage and scheduler are read at the first start
  dependsOn: [ roles ]
}

// ---------------------------------------------------------------- Event Grid: BlobCreated of bronze parts -> LoadBronzePart

resource lakeEvents 'Microsoft.EventGrid/systemTopics@2024-06-01-preview' = {
  name: '${prefix}-lake-events'
  location: location
  properties: {
    source: lakeStorage.outputs.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

module bronzeSubscription 'modules/bronze-subscription.bicep' = if (deployEventSubscription) {
  name: 'bronze-subscription'
  params: {
    systemTopicName: lakeEvents.name
    functionAppName: functionApp.outputs.name
    lakeContainer: lakeContainer
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHost string = functionApp.outputs.defaultHostName
output hostStorageAccountName string = hostStorage.outputs.name
output lakeStorageAccountName string = lakeStorage.outputs.name
output appIdentityName string = appIdentity.name
output appIdentityClientId string = appIdentity.properties.clientId
output appPrincipalId string = appIdentity.properties.principalId
output postgresFqdn string = postgres.outputs.fqdn
output postgresDatabase string = pgDatabase
output keyVaultName string = vault.outputs.name
output schedulerName string = durableTask.outputs.name
output taskHubName string = durableTask.outputs.taskHubName
output durableTaskDashboardUrl string = durableTask.outputs.dashboardUrl
output insightsName string = monitoring.outputs.insightsName
output opsSubnetId string = network.outputs.opsSubnetId
output connectionBudget object = {
  maxConnections: maxConnectionsBySku[pgSkuName]
  reserved: pgReservedConnections
  appMaximum: maximumInstanceCount * pgPoolSize
  fits: maximumInstanceCount * pgPoolSize + pgReservedConnections <= maxConnectionsBySku[pgSkuName]
}
