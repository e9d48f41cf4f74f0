package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Migration versions are unique and well named, so branches merged from parallel ranges never collide. */
class MigrationVersionsTest {
    private static final Path MIGRATIONS = Path.of("..", "sql", "migrations");
    private static final Pattern VERSIONED = Pattern.compile("V(\\d{3})__[a-z0-9_]+\\.sql");
    private static final Pattern REPEATABLE = Pattern.compile("R__[a-z0-9_]+\\.sql");

    @Test
    void everyVersionIsUsedOnceAndEveryNameFollowsTheConvention() throws IOException {
        Map<Integer, List<String>> byVersion = new TreeMap<>();
        List<String> badNames = new ArrayList<>();
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                Matcher m = VERSIONED.matcher(name);
                if (m.matches()) {
                    byVersion.computeIfAbsent(Integer.parseInt(m.group(1)), v -> new ArrayList<>()).add(name);
                } else if (!REPEATABLE.matcher(name).matches()) {
                    badNames.add(name);
                }
            }
        }
        assertThat(byVersion).as("versioned migrations").isNotEmpty();
        assertThat(byVersion.values().stream().filter(names -> names.size() > 1).toList())
                .as("versions used by more than one migration").isEmpty();
        assertThat(badNames).as("files that are neither V###__name.sql nor R__name.sql").isEmpty();
    }
}
