package com.skyfit.lake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every setting the code reads is in local.settings.json.example and explained in docs/settings.md. */
class SettingsDocumentedTest {
    private static final Pattern KEY = Pattern.compile("\"((?:SKYFIT|PIPEDRIVE|CHATWOOT)_[A-Z0-9_]*[A-Z0-9])\"");
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyKeyTheCodeReadsIsDocumented() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String module : new String[] {"engine", "cli", "functions", "orchestrations"}) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = KEY.matcher(Files.readString(f));
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            }
        }
        assertThat(keys).contains("SKYFIT_PG_URL", "PIPEDRIVE_SCOPES", "SKYFIT_BRONZE_URL", "CHATWOOT_SOURCE_JDBC_URL");
        String example = Files.readString(ROOT.resolve("local.settings.json.example"));
        String docs = Files.readString(ROOT.resolve("docs/settings.md"));
        for (String key : keys) {
            assertThat(example).as("local.settings.json.example lists " + key).contains("\"" + key + "\"");
            assertThat(docs).as("docs/settings.md explains " + key).contains("`" + key + "`");
        }
    }
}
