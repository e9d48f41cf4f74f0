package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Function App exactly as `mvn package` lays it out for the host: functions, triggers, routes, keys. */
class FunctionJsonIT {
    private static final Path APP = Path.of("target", "azure-functions", "skyfit-data-lake");
    private static final Map<String, JsonNode> FUNCTIONS = new TreeMap<>();

    @BeforeAll
    static void readFunctionJsonFiles() throws IOException {
        try (Stream<Path> dirs = Files.list(APP)) {
            for (Path dir : dirs.filter(d -> Files.exists(d.resolve("function.json"))).toList()) {
                FUNCTIONS.put(dir.getFileName().toString(), ActivityInput.JSON.readTree(dir.resolve("function.json").toFile()));
            }
        }
    }

    @Test
    void theAppHasExactlyTheseFunctionsWithTheseTriggers() {
        Map<String, String> triggers = new TreeMap<>();
        FUNCTIONS.forEach((name, json) -> triggers.put(name, trigger(json).get("type").asText()));

        assertThat(triggers).containsExactlyEntriesOf(new TreeMap<>(Map.ofEntries(
                Map.entry("Backfill", "httpTrigger"),
                Map.entry("Health", "httpTrigger"),
                Map.entry("Runs", "httpTrigger"),
                Map.entry("PipedriveSchedule", "timerTrigger"),
                Map.entry("ZendeskSchedule", "timerTrigger"),
                Map.entry("ChatwootSchedule", "timerTrigger"),
                Map.entry("EvoSchedule", "timerTrigger"),
                Map.entry("EvoRescanSchedule", "timerTrigger"),
                Map.entry("LoadBronzePart", "blobTrigger"),
                Map.entry("IngestOrchestration", "orchestrationTrigger"),
                Map.entry("ExtractWindowsChunk", "orchestrationTrigger"),
                Map.entry("ExtractOneWindow", "orchestrationTrigger"),
                Map.entry("PlanRun", "activityTrigger"),
                Map.entry("ExtractWindow", "activityTrigger"),
                Map.entry("CountUnloadedParts", "activityTrigger"),
                Map.entry("LoadParts", "activityTrigger"),
                Map.entry("TransformCore", "activityTrigger"),
                Map.entry("CompleteRun", "activityTrigger"),
                Map.entry("FailRun", "activityTrigger"))));
    }

    @Test
    void everyHttpRouteNeedsAFunctionKey() {
        assertHttp("Backfill", "backfill", "POST");
        assertHttp("Runs", "runs", "GET");
        assertHttp("Health", "health", "GET");
    }

    @Test
    void theScheduleComesFromASetting() {
        JsonNode timer = trigger(FUNCTIONS.get("PipedriveSchedule"));
        assertThat(timer.get("schedule").asText()).isEqualTo("%PIPEDRIVE_SCHEDULE%");
        assertThat(hasDurableClient(FUNCTIONS.get("PipedriveSchedule"))).isTrue();
        assertThat(trigger(FUNCTIONS.get("ZendeskSchedule")).get("schedule").asText()).isEqualTo("%ZENDESK_SCHEDULE%");
        assertThat(hasDurableClient(FUNCTIONS.get("ZendeskSchedule"))).isTrue();
        assertThat(trigger(FUNCTIONS.get("ChatwootSchedule")).get("schedule").asText()).isEqualTo("%CHATWOOT_SCHEDULE%");
        assertThat(hasDurableClient(FUNCTIONS.get("ChatwootSchedule"))).isTrue();
        assertThat(trigger(FUNCTIONS.get("EvoSchedule")).get("schedule").asText()).isEqualTo("%EVO_SCHEDULE%");
        assertThat(hasDurableClient(FUNCTIONS.get("EvoSchedule"))).isTrue();
        assertThat(hasDurableClient(FUNCTIONS.get("Backfill"))).isTrue();
    }

    @Test
    void theBlobTriggerListensToEventGridOnTheBronzePrefix() {
        JsonNode blob = trigger(FUNCTIONS.get("LoadBronzePart"));
        assertThat(blob.get("path").asText()).isEqualTo("%SKYFIT_BRONZE_CONTAINER%/bronze/{name}");
        assertThat(blob.get("source").asText()).isEqualTo("EventGrid");
        assertThat(blob.get("connection").asText()).isEqualTo("SKYFIT_STORAGE");
    }

    @Test
    void hostJsonUsesTheExtensionBundleAndTheTaskHubSetting() throws IOException {
        JsonNode host = ActivityInput.JSON.readTree(APP.resolve("host.json").toFile());
        assertThat(host.at("/extensionBundle/id").asText()).isEqualTo("Microsoft.Azure.Functions.ExtensionBundle");
        assertThat(host.at("/extensionBundle/version").asText()).isEqualTo("[4.*, 5.0.0)");
        assertThat(host.at("/extensions/durableTask/hubName").asText()).isEqualTo("%SKYFIT_TASK_HUB%");
    }

    @Test
    void hostJsonKeepsTheDatabaseWorkOfOneInstanceWithinItsPool() throws IOException {
        JsonNode host = ActivityInput.JSON.readTree(APP.resolve("host.json").toFile());
        int activities = host.at("/extensions/durableTask/maxConcurrentActivityFunctions").asInt();
        int blobLoads = host.at("/extensions/blobs/maxDegreeOfParallelism").asInt();
        assertThat(activities).isPositive();
        assertThat(blobLoads).isPositive();
        assertThat(host.at("/concurrency/dynamicConcurrencyEnabled").asBoolean(true)).isFalse();
        // docs/connection-budget.md: instances x pool size is the app's share of the server's connections; inside an
        // instance, the gate's connection plus what activities, blob loads and LoadParts' streams ask for at once
        int gate = 1;
        int loaderStreams = com.skyfit.lake.staging.LoaderOptions.fromSettings(com.skyfit.lake.config.Settings.of(
                java.util.Map.of())).parallelism();
        int worstCase = activities + blobLoads + gate + loaderStreams;
        assertThat(com.skyfit.lake.control.ConnectionPool.DEFAULT_POOL_SIZE)
                .isGreaterThanOrEqualTo(com.skyfit.lake.control.ConnectionPool.MIN_POOL_SIZE);
        String budget = java.nio.file.Files.readString(Path.of("..", "docs", "connection-budget.md"));
        assertThat(budget).contains("maximumInstanceCount x SKYFIT_PG_POOL_SIZE",
                "maxConcurrentActivityFunctions` | " + activities, "maxDegreeOfParallelism` | " + blobLoads,
                activities + " activities + " + blobLoads + " blob loads + gate " + gate + " + LoadParts' "
                        + loaderStreams + "\nloader streams (`SKYFIT_LOAD_PARALLELISM`) = " + worstCase,
                "below " + com.skyfit.lake.control.ConnectionPool.MIN_POOL_SIZE + " stops start-up");
    }

    @Test
    void everyFunctionRunsFromTheAppJar() {
        FUNCTIONS.forEach((name, json) -> {
            assertThat(json.get("scriptFile").asText()).as(name).isEqualTo("../skyfit-functions-0.1.0-SNAPSHOT.jar");
            assertThat(json.get("entryPoint").asText()).as(name).startsWith("com.skyfit.lake.functions.");
        });
    }

    private static void assertHttp(String function, String route, String method) {
        JsonNode http = trigger(FUNCTIONS.get(function));
        assertThat(http.get("route").asText()).as(function).isEqualTo(route);
        assertThat(http.get("authLevel").asText()).as(function).isEqualTo("FUNCTION");
        assertThat(http.get("methods")).as(function).extracting(JsonNode::asText).containsExactly(method);
    }

    private static JsonNode trigger(JsonNode function) {
        for (JsonNode b : function.get("bindings")) {
            if (b.get("type").asText().endsWith("Trigger")) {
                return b;
            }
        }
        throw new AssertionError("no trigger binding in " + function);
    }

    private static boolean hasDurableClient(JsonNode function) {
        for (JsonNode b : function.get("bindings")) {
            if (b.get("type").asText().equals("durableClient")) {
                return true;
            }
        }
        return false;
    }
}
