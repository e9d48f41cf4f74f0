// Key Vault for the app's secrets (API tokens, and the PostgreSQL password when password sign-in is
// chosen). RBAC only, no access policies. Secrets are put in by an operator (docs/deploy.md), never
// passed through the deployment, so they appear in no deployment history.

param name string
param location string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
    enablePurgeProtection: true
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
