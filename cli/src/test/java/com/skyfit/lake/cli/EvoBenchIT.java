package com.skyfit.lake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `skyfit bench --source evo` end to end at a small size: every line printed, every ratio a positive number. */
class EvoBenchIT {
    private static final Pattern NUMBER = Pattern.compile("[0-9]+\\.[0-9]+");

    @TempDir
    Path home;

    private final PrintStream originalOut = System.out;

    @AfterEach
    void restore() {
        CliSettings.use(null);
        System.setOut(originalOut);
    }

    @Test
    void twoSizesThroughEveryStageWithBaselinesProjectionExtractionCheckAndTargets() {
        // a second size exercises the scale check; 600 requests a minute keeps the extraction check to seconds
        InProcessCli.Result r = InProcessCli.run(Settings.of(Map.of(Settings.HOME, home.toString())), "bench",
                "--source", "evo", "--records", "20000,10000", "--days", "20", "--branches", "3", "--rate-limit", "600");
        int exit = r.exit();
        String text = r.out();
        String err = r.err();

        assertThat(exit).as(err).isZero();
        assertThat(text).contains("JVM max heap", "loader COPY streams 2", "== size 10,000:", "== size 20,000:",
                "== scale: cost per record", "== projected full reload of production from bronze",
                "== extraction against the rate limit: key gym: limit 600/min");
        for (String entity : List.of("entries", "sales", "members", "member_memberships", "receivables", "prospects")) {
            assertThat(text).containsPattern("staging +" + entity + " +[0-9,]+ records")
                    .containsPattern("staging_baseline +" + entity + " +[0-9,]+ records")
                    .containsPattern("ratio staging/raw COPY " + entity + " = [0-9.]+x");
        }
        for (String table : List.of("evo_entries", "evo_sales")) {
            assertThat(text).containsPattern("core +" + table + " +[0-9,]+ records")
                    .containsPattern("core_baseline +" + table + " +[0-9,]+ records")
                    .containsPattern("ratio core/INSERT .. SELECT " + table + " = [0-9.]+x");
        }
        assertThat(text).containsPattern("core +evo_members +[0-9,]+ records");
        for (String volume : List.of("entries", "sales", "members", "member_memberships", "prospects")) {
            assertThat(text).containsPattern(" " + volume + " +[0-9,]+ records x +[0-9.]+ us \\(cost of [a-z_]+\\) = +[0-9.]+ h");
        }
        assertThat(text.lines().filter(l -> l.startsWith("target ")).toList()).hasSize(6)
                .allSatisfy(l -> assertThat(l).matches(".*(PASS|FAIL)$"));

        String summary = text.lines().filter(l -> l.startsWith("bench: source=evo")).findFirst().orElseThrow();
        assertThat(summary).matches("bench: source=evo records=10000 staging_ratio=\\S+ core_ratio=\\S+ peak_heap_mb=\\d+ "
                + "cost_us=\\S+ cost_growth=\\S+ reload_hours=\\S+ extraction_efficiency=\\S+ http_429=\\d+");
        for (String key : List.of("staging_ratio", "core_ratio", "cost_us", "cost_growth", "reload_hours",
                "extraction_efficiency")) {
            Matcher m = Pattern.compile(key + "=(\\S+)").matcher(summary);
            assertThat(m.find()).isTrue();
            assertThat(NUMBER.matcher(m.group(1)).matches()).as(key + " is a number: " + m.group(1)).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as(key).isPositive();
        }
        assertThat(home.resolve("bench")).as("sizes leave no database or bronze behind").isDirectoryNotContaining(
                "glob:**/pg");
    }
}
