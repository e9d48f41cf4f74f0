package com.skyfit.lake.source.evo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.pipeline.SourceConnector;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.source.LocalRequestGate;
import com.skyfit.lake.source.RestConnector;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two consecutive day windows of EVO sales against the simulator, whose filters compare the inclusive bounds as
 * text: a sale at 23:59:59.500 belongs to the first day and one exactly at midnight to the second, each read once.
 */
class EvoWindowEdgesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSaleInTheLastFractionOfADayAndOneAtMidnightAreEachReadOnceByTheirOwnWindow() throws IOException {
        LocalDate first = LocalDate.parse("2024-05-01");
        try (EvoSimulator sim = EvoSimulator.builder().scopes("north").branches(1).entries(9_000).sales(300)
                .days(first, 5).requestsPerMinute(0).start()) {
            List<JsonNode> sales = sim.truth("north").records("sales").toList();
            long late = idOn(sales, "2024-05-02", false);
            long midnight = idOn(sales, "2024-05-03", true);
            sim.setSaleDate("north", late, "2024-05-02T23:59:59.500");
            sim.setSaleDate("north", midnight, "2024-05-03T00:00:00");
            Map<String, String> settings = new HashMap<>(sim.settings());
            try (RestConnector evo = new RestConnector(EvoConfig.fromSettings(Settings.of(settings)),
                    new LocalRequestGate())) {
                Instant day2 = Instant.parse("2024-05-02T00:00:00Z");
                Instant day3 = Instant.parse("2024-05-03T00:00:00Z");
                Instant day4 = Instant.parse("2024-05-04T00:00:00Z");
                List<Long> firstWindow = new ArrayList<>();
                List<Long> secondWindow = new ArrayList<>();
                SourceConnector.Extracted a = evo.extract("north", "sales", day2, day3, line -> firstWindow.add(id(line)));
                SourceConnector.Extracted b = evo.extract("north", "sales", day3, day4, line -> secondWindow.add(id(line)));

                assertThat(firstWindow).containsOnlyOnce(late).doesNotContain(midnight);
                assertThat(secondWindow).containsOnlyOnce(midnight).doesNotContain(late);
                // each window holds exactly the sales dated inside it (a sale removed that day comes again from the
                // removal pass): counts and watermarks stay those of the day
                assertThat(firstWindow.stream().distinct().count()).isEqualTo(count(sales, late, midnight, "2024-05-02")
                        + removedOn(sales, "2024-05-02", "2024-05-03"));
                assertThat(secondWindow.stream().distinct().count()).isEqualTo(count(sales, late, midnight, "2024-05-03")
                        + removedOn(sales, "2024-05-03", "2024-05-04"));
                assertThat(a.records()).isEqualTo(firstWindow.size());
                assertThat(b.records()).isEqualTo(secondWindow.size());
                assertThat(a.maxCursor()).isEqualTo(Instant.parse("2024-05-02T23:59:59.500Z"));
                assertThat(b.maxCursor()).isBefore(day4);
            }
        }
    }

    /** A sale of that day, not its first (so a midnight time is a change) unless asked for the first. */
    private static long idOn(List<JsonNode> sales, String day, boolean first) {
        List<JsonNode> on = sales.stream().filter(s -> s.get("saleDate").asText().startsWith(day)).toList();
        assertThat(on).hasSizeGreaterThan(1);
        return on.get(first ? 0 : on.size() - 1).get("idSale").asLong();
    }

    /** Sales dated on that day once the two moved ones are counted on their new days. */
    private static long count(List<JsonNode> sales, long late, long midnight, String day) {
        return sales.stream().filter(s -> {
            long id = s.get("idSale").asLong();
            String date = id == late ? "2024-05-02" : id == midnight ? "2024-05-03" : s.get("saleDate").asText();
            return date.startsWith(day);
        }).count();
    }

    /** Sales of other days removed inside [from, to]: the removal pass reads them into that window. */
    private static long removedOn(List<JsonNode> sales, String day, String next) {
        return sales.stream().filter(s -> s.path("removalDate").isTextual()
                && s.get("removalDate").asText().compareTo(day) >= 0 && s.get("removalDate").asText().compareTo(next) <= 0
                && !s.get("saleDate").asText().startsWith(day)).count();
    }

    private static long id(byte[] line) throws IOException {
        return JSON.readTree(line).get("idSale").asLong();
    }
}
