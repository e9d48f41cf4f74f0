package com.skyfit.lake.functions;

import static com.skyfit.lake.functions.BicepModel.names;
import static com.skyfit.lake.functions.BicepModel.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Security properties of infra/**.bicep, checked on the Bicep syntax tree. */
class InfraSecurityIT {
    private static BicepModel bicep;

    // Azure built-in role definition ids; a typo in a GUID would assign nothing useful
    private static final Map<String, String> BUILT_IN_ROLES = Map.of(
            "storageBlobDataOwner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
            "storageQueueDataContributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
            "storageTableDataContributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
            "keyVaultSecretsUser", "4633458b-17de-408a-b874-0445c86b69e6",
            "keyVaultSecretsOfficer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
            "durableTaskDataContributor", "0ad04412-c4d5-4796-b79c-f76d14c8d402",
            "durableTaskDataReader", "d6a5505f-6ebb-45a4-896e-ac8274cfc0ac",
            "monitoringMetricsPublisher", "3913510d-42f4-4e42-8a64-420c390055eb");

    @BeforeAll
    static void parse() throws Exception {
        bicep = BicepModel.load();
    }

    @Test
    void everyStorageAccountRefusesKeysPublicBlobsAndOldTls() {
        Map<String, JsonNode> accounts = bicep.declared("Microsoft.Storage/storageAccounts");
        assertThat(accounts).isNotEmpty();
        accounts.forEach((where, account) -> {
            JsonNode p = account.path("body").path("properties");
            assertThat(text(p.get("minimumTlsVersion"))).as(where + " minimumTlsVersion").isEqualTo("TLS1_2");
            assertThat(p.path("allowBlobPublicAccess").isBoolean() && !p.get("allowBlobPublicAccess").asBoolean())
                    .as(where + " allowBlobPublicAccess is false").isTrue();
            assertThat(p.path("allowSharedKeyAccess").isBoolean() && !p.get("allowSharedKeyAccess").asBoolean())
                    .as(where + " allowSharedKeyAccess is false").isTrue();
            assertThat(p.path("supportsHttpsTrafficOnly").asBoolean()).as(where + " HTTPS only").isTrue();
        });
        bicep.declared("Microsoft.Storage/storageAccounts/blobServices/containers").forEach((where, c) ->
                assertThat(text(c.path("body").path("properties").get("publicAccess"))).as(where).isEqualTo("None"));
    }

    @Test
    void theHostAndTheLakeAreSeparateAccounts() {
        JsonNode modules = bicep.file("main.bicep").path("modules");
        JsonNode host = modules.path("hostStorage");
        JsonNode lake = modules.path("lakeStorage");
        assertThat(text(host.get("path"))).isEqualTo("modules/storage-account.bicep");
        assertThat(text(lake.get("path"))).isEqualTo("modules/storage-account.bicep");
        assertThat(text(host.path("body").path("params").get("name")))
                .isNotEqualTo(text(lake.path("body").path("params").get("name")));
        assertThat(host.path("body").path("params").path("isHnsEnabled").asBoolean()).isFalse();
        assertThat(lake.path("body").path("params").path("isHnsEnabled").asBoolean()).as("the lake is ADLS Gen2").isTrue();

        JsonNode app = bicep.file("main.bicep").path("modules").path("functionApp").path("body").path("params");
        assertThat(text(app.get("hostBlobEndpoint"))).startsWith("hostStorage.");
        assertThat(text(app.get("lakeBlobEndpoint"))).startsWith("lakeStorage.");
        JsonNode topic = bicep.resource("main.bicep", "lakeEvents").path("body").path("properties");
        assertThat(text(topic.get("source"))).as("Event Grid watches the lake").startsWith("lakeStorage.");
    }

    @Test
    void appSettingsHoldNoKeyPasswordOrToken() {
        JsonNode settings = bicep.appSettings();
        for (String key : names(settings)) {
            String value = text(settings.get(key));
            assertThat(value.toLowerCase()).as(key)
                    .doesNotContain("accountkey").doesNotContain("sharedaccesssignature").doesNotContain("listkeys(")
                    .doesNotContain("listsecrets(").doesNotContain("getsecret(").doesNotContain("password=");
            if (key.matches(".*(PASSWORD|TOKEN|SECRET|_KEY)$")) {
                assertThat(value).as(key + " is a Key Vault reference (or empty when unused)")
                        .contains("@Microsoft.KeyVault(");
                assertThat(value.replaceAll("'@Microsoft\\.KeyVault\\([^']*'", "")).as(key + " holds nothing else")
                        .doesNotContainPattern("'[^']+'\\s*$");
            }
        }
        assertThat(text(settings.get("AzureWebJobsStorage__credential"))).isEqualTo("managedidentity");
        assertThat(text(settings.get("SKYFIT_STORAGE__credential"))).isEqualTo("managedidentity");
        assertThat(names(settings)).as("no connection string form for storage").doesNotContain("AzureWebJobsStorage", "SKYFIT_STORAGE",
                "SKYFIT_STORAGE_CONNECTION_STRING");
        // Application Insights' connection string only names the resource: local auth is off, telemetry signs in
        assertThat(text(settings.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"))).contains("Authorization=AAD");
        JsonNode insights = bicep.resource("modules/monitoring.bicep", "insights").path("body").path("properties");
        assertThat(insights.path("DisableLocalAuth").asBoolean()).isTrue();
    }

    @Test
    void secretsNeverFlowIntoTheAppModule() {
        JsonNode appParams = bicep.file("modules/function-app.bicep").path("params");
        names(appParams).forEach(p -> assertThat(appParams.get(p).path("decorators").has("secure"))
                .as("function-app.bicep param " + p + " is not @secure").isFalse());
        JsonNode main = bicep.file("main.bicep");
        JsonNode mainParams = main.path("params");
        for (String p : names(mainParams)) {
            if (!mainParams.get(p).path("decorators").has("secure")) {
                continue;
            }
            main.path("modules").fields().forEachRemaining(m -> {
                if (!m.getKey().equals("postgres")) {
                    assertThat(m.getValue().toString()).as("secure param " + p + " reaches only the server, not " + m.getKey())
                            .doesNotContainPattern("\\b" + p + "\\b");
                }
            });
        }
    }

    @Test
    void postgresIsVersion17PrivateWithTlsRequiredAndEntraSignIn() {
        JsonNode server = bicep.resource("modules/postgres.bicep", "server").path("body").path("properties");
        assertThat(text(server.get("version"))).isEqualTo("17");
        assertThat(text(server.path("authConfig").get("activeDirectoryAuth"))).isEqualTo("Enabled");
        assertThat(text(server.path("network").get("publicNetworkAccess"))).isEqualTo("Disabled");
        assertThat(text(server.path("network").get("delegatedSubnetResourceId"))).isNotBlank();
        assertThat(text(server.path("network").get("privateDnsZoneArmResourceId"))).isNotBlank();

        Map<String, String> parameters = new TreeMap<>();
        bicep.declared("Microsoft.DBforPostgreSQL/flexibleServers/configurations").values().forEach(c ->
                parameters.put(text(c.path("body").get("name")), text(c.path("body").path("properties").get("value"))));
        assertThat(parameters).containsEntry("require_secure_transport", "on").containsEntry("ssl_min_protocol_version", "TLSv1.2");

        assertThat(bicep.declared("Microsoft.DBforPostgreSQL/flexibleServers/databases")).hasSize(1);
        assertThat(bicep.declared("Microsoft.DBforPostgreSQL/flexibleServers/administrators")).as("an Entra ID administrator").hasSize(1);
        assertThat(text(bicep.appSettings().get("SKYFIT_PG_URL"))).contains("sslmode=require");
    }

    @Test
    void theAppReachesPostgresThroughItsVnet() {
        JsonNode vnet = bicep.resource("modules/network.bicep", "vnet").path("body").path("properties");
        Set<String> delegations = new TreeSet<>();
        vnet.path("subnets").forEach(s -> s.path("properties").path("delegations").forEach(d ->
                delegations.add(text(d.path("properties").get("serviceName")))));
        assertThat(delegations).containsExactlyInAnyOrder("Microsoft.App/environments", "Microsoft.DBforPostgreSQL/flexibleServers");
        assertThat(text(bicep.resource("modules/network.bicep", "dnsZone").path("body").get("name")))
                .endsWith(".postgres.database.azure.com'");
        assertThat(bicep.declared("Microsoft.Network/privateDnsZones/virtualNetworkLinks")).hasSize(1);
        JsonNode site = bicep.resource("modules/function-app.bicep", "app").path("body").path("properties");
        assertThat(text(site.get("virtualNetworkSubnetId"))).isEqualTo("appSubnetId");
    }

    @Test
    void theAppIsHttpsOnlyWithoutPublishingPasswords() {
        JsonNode app = bicep.resource("modules/function-app.bicep", "app").path("body");
        assertThat(text(app.path("identity").get("type"))).isEqualTo("UserAssigned");
        JsonNode p = app.path("properties");
        assertThat(p.path("httpsOnly").asBoolean()).isTrue();
        assertThat(text(p.path("siteConfig").get("minTlsVersion"))).isEqualTo("1.2");
        assertThat(text(p.path("siteConfig").get("ftpsState"))).isEqualTo("Disabled");
        assertThat(text(p.path("functionAppConfig").path("deployment").path("storage").path("authentication").get("type")))
                .isEqualTo("UserAssignedIdentity");
        assertThat(bicep.declared("Microsoft.Web/sites/basicPublishingCredentialsPolicies").values())
                .hasSize(2).allSatisfy(c -> assertThat(c.path("body").path("properties").path("allow").asBoolean()).isFalse());
    }

    @Test
    void keyVaultUsesRbacAndItsRoleIsInPlaceBeforeTheAppReadsReferences() {
        JsonNode vault = bicep.resource("modules/key-vault.bicep", "vault").path("body").path("properties");
        assertThat(vault.path("enableRbacAuthorization").asBoolean()).isTrue();

        JsonNode appModule = bicep.file("main.bicep").path("modules").path("functionApp").path("body");
        assertThat(appModule.path("dependsOn").toString()).as("the app module waits for the roles module").contains("\"roles\"");
        assertThat(text(bicep.file("main.bicep").path("modules").path("roles").get("path"))).isEqualTo("modules/roles.bicep");
        assertThat(roleAssignments()).contains("keyVaultSecretsUser on Microsoft.KeyVault/vaults for appPrincipalId");
        JsonNode site = bicep.resource("modules/function-app.bicep", "app").path("body").path("properties");
        assertThat(text(site.get("keyVaultReferenceIdentity"))).as("references resolve with the identity that has the role")
                .isEqualTo("identityId");
    }

    @Test
    void theAppIdentityHasARoleForEveryNeed() {
        assertThat(roleAssignments()).contains(
                // identity-based host storage: runtime blobs and deployment package; queue/table for the Azure Storage backend
                "storageBlobDataOwner on Microsoft.Storage/storageAccounts hostStorageName for appPrincipalId",
                "storageQueueDataContributor on Microsoft.Storage/storageAccounts hostStorageName for appPrincipalId",
                "storageTableDataContributor on Microsoft.Storage/storageAccounts hostStorageName for appPrincipalId",
                // the lake: bronze parts, and the blob trigger (reads blobs, writes its poison queue)
                "storageBlobDataOwner on Microsoft.Storage/storageAccounts lakeStorageName for appPrincipalId",
                "storageQueueDataContributor on Microsoft.Storage/storageAccounts lakeStorageName for appPrincipalId",
                "durableTaskDataContributor on Microsoft.DurableTask/schedulers for appPrincipalId",
                "monitoringMetricsPublisher on Microsoft.Insights/components for appPrincipalId");

        JsonNode roleIds = bicep.file("modules/roles.bicep").path("vars").path("roles");
        BUILT_IN_ROLES.forEach((role, id) -> assertThat(text(roleIds.get(role))).as(role).isEqualTo(id));
        JsonNode passed = bicep.file("main.bicep").path("modules").path("roles").path("body").path("params");
        assertThat(text(passed.get("appPrincipalId"))).isEqualTo("appIdentity.properties.principalId");
        assertThat(text(passed.get("hostStorageName"))).isEqualTo("hostStorage.outputs.name");
        assertThat(text(passed.get("lakeStorageName"))).isEqualTo("lakeStorage.outputs.name");
    }

    @Test
    void azureRunsOnTheDurableTaskSchedulerAndLocalRunsKeepAzureStorage() throws Exception {
        JsonNode s = bicep.appSettings();
        assertThat(text(s.get("AzureFunctionsJobHost__extensions__durableTask__storageProvider__type"))).isEqualTo("azureManaged");
        assertThat(text(s.get("AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName")))
                .isEqualTo("DURABLE_TASK_SCHEDULER_CONNECTION_STRING");
        assertThat(text(s.get("DURABLE_TASK_SCHEDULER_CONNECTION_STRING")))
                .contains("Endpoint=${schedulerEndpoint}").contains("Authentication=ManagedIdentity").contains("ClientID=${identityClientId}");
        assertThat(text(s.get("SKYFIT_TASK_HUB"))).isEqualTo("taskHubName");
        assertThat(text(bicep.file("main.bicep").path("modules").path("functionApp").path("body").path("params").get("taskHubName")))
                .as("the app's hub is the scheduler's task hub").isEqualTo("durableTask.outputs.taskHubName");
        assertThat(bicep.declared("Microsoft.DurableTask/schedulers/taskHubs")).hasSize(1);
        JsonNode allow = bicep.resource("modules/durable-task.bicep", "scheduler").path("body").path("properties").get("ipAllowlist");
        assertThat(text(allow)).isEqualTo("ipAllowlist");
        assertThat(bicep.file("main.bicep").path("params").path("durableTaskIpAllowlist").path("default").size())
                .as("an empty allow-list refuses every caller").isPositive();

        JsonNode host = ActivityInput.JSON.readTree(java.nio.file.Path.of("host.json").toFile());
        assertThat(host.path("extensions").path("durableTask").path("hubName").asText()).isEqualTo("%SKYFIT_TASK_HUB%");
        assertThat(host.path("extensions").path("durableTask").path("storageProvider").path("type").asText("azure_storage"))
                .as("host.json itself keeps the Azure Storage backend (Azurite locally)").isNotEqualTo("azureManaged");
    }

    @Test
    void instancesTimesPoolSizeFitTheDefaultServer() {
        JsonNode params = bicep.file("main.bicep").path("params");
        JsonNode instances = params.path("maximumInstanceCount");
        int maxInstances = instances.path("default").asInt();
        assertThat(maxInstances).isEqualTo(10);
        assertThat(instances.path("decorators").path("minValue").asInt()).isEqualTo(1);
        assertThat(instances.path("decorators").path("maxValue").asInt()).as("Flex Consumption limit").isEqualTo(1000);

        int pool = params.path("pgPoolSize").path("default").asInt();
        int reserved = params.path("pgReservedConnections").path("default").asInt();
        String sku = params.path("pgSkuName").path("default").asText();
        JsonNode maxConnections = bicep.file("main.bicep").path("vars").path("maxConnectionsBySku");
        assertThat(maxInstances * pool + reserved).as("%d instances x %d + %d reserved within %s", maxInstances, pool, reserved, sku)
                .isLessThanOrEqualTo(maxConnections.path(sku).asInt());
        assertThat(text(bicep.appSettings().get("SKYFIT_PG_POOL_SIZE"))).isEqualTo("string(pgPoolSize)");

        Set<String> offered = new TreeSet<>();
        bicep.file("modules/postgres.bicep").path("params").path("skuName").path("decorators").path("allowed").forEach(v -> offered.add(v.asText()));
        assertThat(new TreeSet<>(names(maxConnections))).as("every offered SKU has its connection limit").isEqualTo(offered);
    }

    /** "role on scope-type [scope-name] for principal" of every role assignment in roles.bicep. */
    private static Set<String> roleAssignments() {
        JsonNode file = bicep.file("modules/roles.bicep");
        JsonNode resources = file.path("resources");
        Set<String> out = new TreeSet<>();
        for (String name : names(resources)) {
            JsonNode r = resources.get(name);
            if (!r.path("type").asText().equals("Microsoft.Authorization/roleAssignments")) {
                continue;
            }
            JsonNode body = r.path("body");
            String role = text(body.path("properties").get("roleDefinitionId")).replaceAll(".*roles\\.(\\w+)\\).*", "$1");
            JsonNode scope = resources.get(text(body.get("scope")));
            String scopeName = scope.path("body").has("name") ? text(scope.path("body").get("name")) : "";
            String where = scope.path("type").asText() + (scopeName.endsWith("StorageName") ? " " + scopeName : "");
            out.add(role + " on " + where + " for " + text(body.path("properties").get("principalId")));
        }
        return out;
    }
}
