// Durable Task Scheduler: the managed backend of Durable Functions in Azure, and its task hub. Its
// dashboard (opened from the task hub in the Portal) lists every orchestration with its history, input,
// output and failure. Access is Entra ID only (RBAC roles on the scheduler); there is no key to leak.

param name string
param location string
param taskHubName string

@allowed([ 'Consumption', 'Dedicated' ])
param skuName string

@description('Client addresses allowed to reach the scheduler. Flex Consumption has no fixed outbound address, so the default admits every address and relies on Entra ID sign-in; narrow it when the app egresses through a NAT gateway.')
param ipAllowlist array

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  properties: {
    // an empty allow-list refuses every caller
    ipAllowlist: ipAllowlist
    sku: skuName == 'Dedicated' ? { name: 'Dedicated', capacity: 1 } : { name: 'Consumption' }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
  properties: {}
}

output id string = scheduler.id
output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
output dashboardUrl string = taskHub.properties.dashboardUrl
