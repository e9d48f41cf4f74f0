package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.source.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every setting the code reads, for the platform (SKYFIT_) and for every source ({SOURCE}_), is in
 * local.settings.json.example, explained in docs/settings.md and set by the Bicep app settings; and
 * every such setting the Bicep sets is explained. A key counts as set in Bicep in its identity-based
 * form too (KEY__blobServiceUri...).
 */
class SettingsParityIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** Settings that only make sense on a developer machine or the command line, never in the Function App in Azure. */
    private static final Map<String, String> LOCAL_ONLY = Map.of(
            // the command line's working folder: embedded PostgreSQL and local bronze, neither exists in Azure
            "SKYFIT_HOME", "command line working folder",
            // a connection string needs a shared key, which the lake account refuses; Azure uses SKYFIT_STORAGE__* with the identity
            "SKYFIT_STORAGE_CONNECTION_STRING", "Azurite connection string",
            // the embedded PostgreSQL's durability: Azure runs a managed server
            "SKYFIT_PG_FSYNC", "embedded PostgreSQL only",
            // read by `skyfit gaps` only; the Function App has no gap analysis
            "SKYFIT_GAPS_READ_LAG_MINUTES", "gap analysis of the command line");

    @Test
    void everyKeyTheCodeReadsIsInTheExampleTheDocsAndTheBicep() throws Exception {
        List<String> prefixes = prefixes();
        Set<String> keys = codeKeys(prefixes);
        JsonNode example = ActivityInput.JSON.readTree(ROOT.resolve("local.settings.json.example").toFile()).path("Values");
        keys.addAll(perSourceKeys(example));
        assertThat(keys).contains("SKYFIT_PG_URL", "SKYFIT_TASK_HUB", "PIPEDRIVE_SCHEDULE", "PIPEDRIVE_MAX_PARALLEL_WINDOWS",
                "PIPEDRIVE_COMMERCIAL_API_TOKEN");

        String docs = Files.readString(ROOT.resolve("docs/settings.md"));
        BicepModel bicep = BicepModel.load();
        List<String> bicepKeys = BicepModel.names(bicep.appSettings());

        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            if (!example.has(key)) {
                missing.add(key + " is not in local.settings.json.example");
            }
            if (!docs.contains("`" + key + "`")) {
                missing.add(key + " is not explained in docs/settings.md");
            }
            boolean inBicep = bicepKeys.stream().anyMatch(b -> b.equals(key) || b.startsWith(key + "__"));
            if (!inBicep && !LOCAL_ONLY.containsKey(key)) {
                missing.add(key + " is not set in infra/modules/function-app.bicep (var settings)");
            }
        }
        for (String b : bicepKeys) {
            String base = b.contains("__") ? b.substring(0, b.indexOf("__")) : b;
            if (prefixes.stream().anyMatch(p -> base.startsWith(p + "_")) && !docs.contains("`" + base + "`")) {
                missing.add(b + " is set in Bicep but not explained in docs/settings.md");
            }
        }
        assertThat(missing).as("settings out of step").isEmpty();
    }

    @Test
    void theBicepScopesOfEachSourceMatchTheExample() throws Exception {
        JsonNode example = ActivityInput.JSON.readTree(ROOT.resolve("local.settings.json.example").toFile()).path("Values");
        BicepModel bicep = BicepModel.load();
        JsonNode passed = bicep.file("main.bicep").path("modules").path("functionApp").path("body").path("params");
        JsonNode mainParams = bicep.file("main.bicep").path("params");
        for (String source : Sources.names()) {
            String key = Sources.requiredSetting(source);
            JsonNode value = bicep.appSettings().get(key);
            if (value == null || !example.has(key)) {
                continue; // the first test reports the missing key
            }
            // a literal, or function-app param <- main.bicep expression <- main.bicep param default
            String scopes = value.isTextual() ? value.asText()
                    : mainParams.path(BicepModel.text(passed.get(BicepModel.text(value)))).path("default").asText();
            assertThat(scopes).as("the scopes Bicep sets in %s by default", key).isEqualTo(example.path(key).asText());
        }
    }

    private static List<String> prefixes() {
        List<String> out = new ArrayList<>(List.of("SKYFIT"));
        Sources.all().forEach(s -> out.add(s.settingPrefix().substring(0, s.settingPrefix().length() - 1)));
        return out;
    }

    /** Keys named literally in main code: "KEY" in Java, %KEY% in binding expressions. */
    private static Set<String> codeKeys(List<String> prefixes) throws IOException {
        String alternatives = String.join("|", prefixes);
        Pattern key = Pattern.compile("[\"%]((?:" + alternatives + ")_[A-Z0-9_]*[A-Z0-9])[\"%]");
        Set<String> keys = new TreeSet<>();
        for (String module : new String[] {"engine", "cli", "functions", "orchestrations"}) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = key.matcher(Files.readString(f));
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            }
        }
        return keys;
    }

    /**
     * Keys of every registered source: {SOURCE}_MAX_PARALLEL_WINDOWS, and every key its settings reader asks for
     * when it reads the example (its required setting, and per scope of the example its base URL, credential...).
     */
    private static Set<String> perSourceKeys(JsonNode example) {
        java.util.Map<String, String> values = new java.util.HashMap<>();
        example.fields().forEachRemaining(e -> values.put(e.getKey(),
                e.getValue().asText().isBlank() ? placeholder(e.getKey()) : e.getValue().asText()));
        com.skyfit.lake.config.Settings settings = com.skyfit.lake.config.Settings.of(values);
        Set<String> keys = new TreeSet<>();
        for (Sources.Entry source : Sources.all()) {
            keys.addAll(source.settingsRead(settings));
            keys.add(FunctionSettings.maxParallelKey(source.name()));
        }
        return keys;
    }

    /** A value of the right form for a key the example leaves empty (a source off by default, a secret). */
    private static String placeholder(String key) {
        if (key.endsWith("_JDBC_URL")) {
            return "jdbc:postgresql://localhost:5432/placeholder";
        }
        if (key.endsWith("_START_DATE")) {
            return "2020-01-01";
        }
        return key.endsWith("_BASE_URL") ? "https://placeholder.example" : "placeholder";
    }
}
