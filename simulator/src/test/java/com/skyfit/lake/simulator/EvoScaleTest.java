package com.skyfit.lake.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** Millions of records cost calendars and a few generated days, never the records themselves. */
class EvoScaleTest {

    @Test
    void fiveMillionEntriesAreServedFromCalendarsInLittleHeap() {
        long before = usedHeap();
        try (EvoSimulator sim = EvoSimulator.builder().entries(5_000_000).seed(3).requestsPerMinute(0)
                .days(LocalDate.parse("2024-01-01"), 365).start()) {
            long entries = 0;
            for (String scope : sim.scopes()) {
                EvoTruth t = sim.truth(scope);
                entries += t.count("entries");
                assertThat(t.count("members")).isBetween(5_000_000L / 45 / 2, 5_000_000L / 45 / 2 + 1);
                assertThat(t.count("sales")).isBetween(5_000_000L / 9 / 2, 5_000_000L / 9 / 2 + 1);
                assertThat(t.count("member_memberships")).isBetween(t.count("members") * 3, t.count("members") * 5);
            }
            assertThat(entries).isEqualTo(5_000_000);
            EvoApi api = new EvoApi(sim, "metro");
            // far into the list without generating what lies before: whole days are skipped by their counts
            JsonNode far = api.json("/api/v1/entries?take=1000&skip=2400000");
            assertThat(far).hasSize(1000);
            assertThat(far.get(0).get("date").asText()).startsWith("2024-12");
            JsonNode day = api.json("/api/v1/entries?take=1000&skip=5000&registerDateStart=2024-06-03T00:00:00"
                    + "&registerDateEnd=2024-06-03T23:59:59");
            assertThat(day).hasSize(1000);
            assertThat(api.json("/api/v2/members?take=50&skip=55000&showMemberships=true")).hasSize(50);
            assertThat(api.json("/api/v1/receivables?take=50&skip=500000")).hasSize(50);
            assertThat(usedHeap() - before).as("heap growth").isLessThan(96L << 20);
        }
    }

    @Test
    void everyPageOfTwoHundredThousandEntriesIsServedInBoundedHeap() {
        try (EvoSimulator sim = EvoSimulator.builder().entries(200_000).seed(11).requestsPerMinute(0)
                .days(LocalDate.parse("2024-03-01"), 60).cacheMegabytes(4).start()) {
            long before = usedHeap();
            long served = 0;
            long peak = 0;
            for (String scope : sim.scopes()) {
                EvoApi api = new EvoApi(sim, scope);
                for (int skip = 0; ; skip += 1000) {
                    int n = api.json("/api/v1/entries?take=1000&skip=" + skip).size();
                    served += n;
                    if (skip % 20_000 == 0) {
                        peak = Math.max(peak, usedHeap() - before);
                    }
                    if (n < 1000) {
                        break;
                    }
                }
            }
            assertThat(served).isEqualTo(200_000);
            assertThat(sim.stats("metro").requests()).isEqualTo(101);
            assertThat(peak).as("heap growth while serving").isLessThan(48L << 20);
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
