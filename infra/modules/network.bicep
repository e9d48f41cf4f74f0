// The private path from the Function App to PostgreSQL: one VNet with a subnet delegated to the
// Flex Consumption app (VNet integration, outbound), a subnet delegated to the PostgreSQL flexible
// server (private access: the server has no public endpoint at all), a small subnet for an operator's
// short-lived jump host (migrations, creating the app's database role), and the private DNS zone the
// server registers its name in, linked to the VNet so the app resolves it to the private address.

param prefix string
param location string
param addressPrefix string

var appSubnetPrefix = cidrSubnet(addressPrefix, 24, 0)
var postgresSubnetPrefix = cidrSubnet(addressPrefix, 24, 1)
var opsSubnetPrefix = cidrSubnet(addressPrefix, 24, 2)

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: '${prefix}-vnet'
  location: location
  properties: {
    addressSpace: { addressPrefixes: [ addressPrefix ] }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [
            { name: 'flex-consumption', properties: { serviceName: 'Microsoft.App/environments' } }
          ]
        }
      }
      {
        name: 'postgres'
        properties: {
          addressPrefix: postgresSubnetPrefix
          delegations: [
            { name: 'postgres-flexible', properties: { serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' } }
          ]
        }
      }
      {
        name: 'ops'
        properties: {
          addressPrefix: opsSubnetPrefix
        }
      }
    ]
  }
}

// A flexible server with private access needs a zone ending in postgres.database.azure.com.
resource dnsZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: '${prefix}.private.postgres.database.azure.com'
  location: 'global'
}

resource dnsLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: dnsZone
  name: '${prefix}-vnet-link'
  location: 'global'
  properties: {
    registrationEnabled: false
    virtualNetwork: { id: vnet.id }
  }
}

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'app')
output postgresSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'postgres')
output opsSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'ops')
output dnsZoneId string = dnsZone.id
output vnetName string = vnet.name
