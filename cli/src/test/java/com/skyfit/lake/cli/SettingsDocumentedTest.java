package com.skyfit.lake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.source.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every setting the code reads is in local.settings.json.example and explained in docs/settings.md: the platform's
 * (SKYFIT_ literals), and for every registered source, the keys its settings reader asks for and any literal key
 * with its prefix.
 */
class SettingsDocumentedTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyKeyTheCodeReadsIsDocumented() throws IOException {
        String prefixes = Stream.concat(Stream.of("SKYFIT_"), Sources.all().stream().map(Sources.Entry::settingPrefix))
                .collect(Collectors.joining("|"));
        Pattern literal = Pattern.compile("\"((?:" + prefixes + ")[A-Z0-9_]*[A-Z0-9])\"");
        Set<String> keys = new TreeSet<>();
        for (String module : new String[] {"engine", "cli", "functions", "orchestrations"}) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = literal.matcher(Files.readString(f));
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            }
        }
        Settings settings = exampleSettings();
        for (Sources.Entry source : Sources.all()) {
            keys.addAll(source.settingsRead(settings));
        }
        assertThat(keys).contains("SKYFIT_PG_URL", "PIPEDRIVE_SCOPES", "SKYFIT_BRONZE_URL",
                "PIPEDRIVE_COMMERCIAL_API_TOKEN", "PIPEDRIVE_REQUESTS_PER_2S", "CHATWOOT_SOURCE_JDBC_URL");
        String example = Files.readString(ROOT.resolve("local.settings.json.example"));
        String docs = Files.readString(ROOT.resolve("docs/settings.md"));
        for (String key : keys) {
            assertThat(example).as("local.settings.json.example lists " + key).contains("\"" + key + "\"");
            assertThat(docs).as("docs/settings.md explains " + key).contains("`" + key + "`");
        }
    }

    /** The example's values, secrets left empty there filled with a placeholder so every source's reader runs. */
    private static Settings exampleSettings() throws IOException {
        JsonNode values = new ObjectMapper().readTree(ROOT.resolve("local.settings.json.example").toFile()).path("Values");
        Map<String, String> m = new HashMap<>();
        values.fields().forEachRemaining(e -> m.put(e.getKey(),
                e.getValue().asText().isBlank() ? placeholder(e.getKey()) : e.getValue().asText()));
        return Settings.of(m);
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
