// The analytical PostgreSQL: a flexible server on version 17 with private access only (it lives in a
// delegated subnet and has no public endpoint), TLS required (1.2 or newer), Microsoft Entra ID
// authentication on, and the database. The app signs in with its managed identity (SKYFIT_PG_AUTH=entra);
// password sign-in is turned on only when the deployment chooses the password alternative.

param name string
param location string

@allowed([ 'Standard_B1ms', 'Standard_B2s', 'Standard_B2ms', 'Standard_D2ds_v5', 'Standard_D4ds_v5' ])
param skuName string
param storageSizeGB int
param databaseName string

@allowed([ 'entra', 'password' ])
param auth string

@description('Administrator login for password sign-in; unused with entra.')
param adminLogin string

@secure()
@description('Administrator password for password sign-in; unused with entra.')
param adminPassword string

@description('Object id of the Entra ID administrator (an operator or, better, a group).')
param entraAdminObjectId string
param entraAdminName string

@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param entraAdminType string

param delegatedSubnetId string
param privateDnsZoneId string

var passwordAuth = auth == 'password'

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01' = {
  name: name
  location: location
  sku: {
    name: skuName
    tier: startsWith(skuName, 'Standard_B') ? 'Burstable' : 'GeneralPurpose'
  }
  properties: {
    version: '17'
    administratorLogin: passwordAuth ? adminLogin : null
    administratorLoginPassword: passwordAuth ? adminPassword : null
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: passwordAuth ? 'Enabled' : 'Disabled'
      tenantId: subscription().tenantId
    }
    storage: { storageSizeGB: storageSizeGB, autoGrow: 'Enabled' }
    backup: { backupRetentionDays: 14, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
    network: {
      publicNetworkAccess: 'Disabled'
      delegatedSubnetResourceId: delegatedSubnetId
      privateDnsZoneArmResourceId: privateDnsZoneId
    }
  }
}

// Server parameters are applied one at a time: concurrent updates of one server conflict.
resource requireTls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2025-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: { value: 'on', source: 'user-override' }
}

resource minTls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2025-08-01' = {
  parent: server
  name: 'ssl_min_protocol_version'
  properties: { value: 'TLSv1.2', source: 'user-override' }
  dependsOn: [ requireTls ]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2025-08-01' = {
  parent: server
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
  dependsOn: [ minTls ]
}

resource entraAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2025-08-01' = {
  parent: server
  name: entraAdminObjectId
  properties: {
    principalType: entraAdminType
    principalName: entraAdminName
    tenantId: subscription().tenantId
  }
  dependsOn: [ database ]
}

output fqdn string = server.properties.fullyQualifiedDomainName
output name string = server.name
