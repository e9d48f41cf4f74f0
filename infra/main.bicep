// SkyFit Data Lake in Azure: the lake (ADLS Gen2), the Function App (Flex Consumption, Java 17) with its
// managed identity, Application Insights, Key Vault for secrets, and Event Grid delivering BlobCreated
// events of bronze parts to the blob trigger LoadBronzePart.
//
// Deploy in two steps: first with deployEventSubscription=false, then deploy the app code
// (mvn package + func azure functionapp publish, or az functionapp deployment), then again with
// deployEventSubscription=true. The Event Grid webhook needs the host's blobs_extension system key,
// which exists only once the host has started with the blob trigger deployed.

targetScope = 'resourceGroup'

@description('Short lowercase name prefix for every resource, e.g. skyfitprod.')
@minLength(3)
@maxLength(16)
param prefix string

param location string = resourceGroup().location

@description('Name of the lake container; bronze parts live under bronze/ in it.')
param lakeContainer string = 'lake'

@description('Durable task hub name: letters and digits only.')
param taskHub string = 'skyfit'

@description('JDBC URL of the analytical PostgreSQL, e.g. jdbc:postgresql://host:5432/skyfit?sslmode=require')
param pgUrl string

param pgUser string

@secure()
@description('PostgreSQL password; stored in Key Vault, the app reads it through a Key Vault reference.')
param pgPassword string

@description('NCRONTAB schedule of the Pipedrive timer (six fields).')
param pipedriveSchedule string = '0 0 5 * * *'

@description('NCRONTAB schedule of the Chatwoot timer (six fields); the host needs it even while the source is off.')
param chatwootSchedule string = '0 0 3 * * *'

param pipedriveScopes string = 'commercial,expansion'
param pipedriveCommercialBaseUrl string
param pipedriveExpansionBaseUrl string

@secure()
param pipedriveCommercialApiToken string

@secure()
param pipedriveExpansionApiToken string

@minValue(1)
@maxValue(64)
param pipedriveMaxParallelWindows int = 4

param backfillMaxDays int = 366
param loadWaitMinutes int = 10

@description('Create the Event Grid subscription to the blob trigger (second deployment, after the code).')
param deployEventSubscription bool = false

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([ 2048, 4096 ])
param instanceMemoryMB int = 2048

var storageName = toLower('${prefix}lake')
var appName = '${prefix}-func'
var deploymentContainer = 'app-package'
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

// ---------------------------------------------------------------- lake (ADLS Gen2)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    isHnsEnabled: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource lake 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: lakeContainer
}

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

// ---------------------------------------------------------------- monitoring

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${prefix}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${prefix}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// ---------------------------------------------------------------- secrets

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${prefix}-kv'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
  }
}

resource pgPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'pg-password'
  properties: { value: pgPassword }
}

resource commercialTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'pipedrive-commercial-api-token'
  properties: { value: pipedriveCommercialApiToken }
}

resource expansionTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'pipedrive-expansion-api-token'
  properties: { value: pipedriveExpansionApiToken }
}

// ---------------------------------------------------------------- Function App (Flex Consumption)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${prefix}-plan'
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

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'java'
        version: '17'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      // Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME is not an app setting here.
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'SKYFIT_TASK_HUB', value: taskHub }
        { name: 'SKYFIT_STORAGE__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
        { name: 'SKYFIT_STORAGE__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
        { name: 'SKYFIT_BRONZE_CONTAINER', value: lakeContainer }
        { name: 'SKYFIT_BRONZE_URL', value: '${storage.properties.primaryEndpoints.blob}${lakeContainer}' }
        { name: 'SKYFIT_PG_URL', value: pgUrl }
        { name: 'SKYFIT_PG_USER', value: pgUser }
        { name: 'SKYFIT_PG_PASSWORD', value: '@Microsoft.KeyVault(SecretUri=${pgPasswordSecret.properties.secretUri})' }
        { name: 'PIPEDRIVE_SCHEDULE', value: pipedriveSchedule }
        { name: 'CHATWOOT_SCHEDULE', value: chatwootSchedule }
        { name: 'PIPEDRIVE_SCOPES', value: pipedriveScopes }
        { name: 'PIPEDRIVE_COMMERCIAL_BASE_URL', value: pipedriveCommercialBaseUrl }
        { name: 'PIPEDRIVE_COMMERCIAL_API_TOKEN', value: '@Microsoft.KeyVault(SecretUri=${commercialTokenSecret.properties.secretUri})' }
        { name: 'PIPEDRIVE_EXPANSION_BASE_URL', value: pipedriveExpansionBaseUrl }
        { name: 'PIPEDRIVE_EXPANSION_API_TOKEN', value: '@Microsoft.KeyVault(SecretUri=${expansionTokenSecret.properties.secretUri})' }
        { name: 'PIPEDRIVE_MAX_PARALLEL_WINDOWS', value: string(pipedriveMaxParallelWindows) }
        { name: 'SKYFIT_BACKFILL_MAX_DAYS', value: string(backfillMaxDays) }
        { name: 'SKYFIT_LOAD_WAIT_MINUTES', value: string(loadWaitMinutes) }
      ]
    }
  }
}

// The app's identity reads and writes the lake and the deployment package, and runs the Durable task
// hub (queues and tables) in the same account; it reads its secrets from Key Vault.
resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, functionApp.id, roles.storageBlobDataContributor)
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, functionApp.id, roles.storageQueueDataContributor)
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, functionApp.id, roles.storageTableDataContributor)
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource secretsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, functionApp.id, roles.keyVaultSecretsUser)
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

// ---------------------------------------------------------------- Event Grid: BlobCreated of bronze parts -> LoadBronzePart

resource storageEvents 'Microsoft.EventGrid/systemTopics@2024-06-01-preview' = {
  name: '${prefix}-lake-events'
  location: location
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

module bronzeSubscription 'modules/bronze-subscription.bicep' = if (deployEventSubscription) {
  name: 'bronze-subscription'
  params: {
    systemTopicName: storageEvents.name
    functionAppName: functionApp.name
    lakeContainer: lakeContainer
  }
}

output functionAppName string = functionApp.name
output functionAppHost string = functionApp.properties.defaultHostName
output storageAccountName string = storage.name
output principalId string = functionApp.identity.principalId
