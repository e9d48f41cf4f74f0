package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a gap report names the days to read again, and which days stand out. */
class GapReportTest {
    private static final LocalDate D1 = LocalDate.parse("2025-03-01");

    @Test
    void aCommandNamesItsScopesUnlessTheyAreExactlyTheOnesABackfillReadsWithoutScope() {
        List<GapAnalysis.DayRow> rows = new ArrayList<>();
        rows.addAll(days("a", "entries", true, false, false));
        rows.addAll(days("b", "entries", true, false, true));
        // a misses two days, b one: each command reads only its scope's own missing days
        assertThat(commands(rows, List.of("a", "b"))).containsExactly(
                "./skyfit backfill --source evo --scope a --entity entries --from 2025-03-02 --to 2025-03-03",
                "./skyfit backfill --source evo --scope b --entity entries --from 2025-03-02 --to 2025-03-02");
        // a whole-scope range reads every configured scope: named only when a configured scope is not in it
        List<GapAnalysis.DayRow> both = new ArrayList<>(days("a", "entries", true, false, false));
        both.addAll(days("b", "entries", true, false, false));
        assertThat(commands(both, List.of("a", "b"))).containsExactly(
                "./skyfit backfill --source evo --entity entries --from 2025-03-02 --to 2025-03-03");
        assertThat(commands(both, List.of("a", "b", "c"))).containsExactly(
                "./skyfit backfill --source evo --scope a,b --entity entries --from 2025-03-02 --to 2025-03-03");
        assertThat(commands(both, List.of())).containsExactly(
                "./skyfit backfill --source evo --scope a,b --entity entries --from 2025-03-02 --to 2025-03-03");
    }

    @Test
    void aDayUnderATenthOfTheMedianStandsOutAndAnEmptyRangeFlagsNothing() {
        List<GapAnalysis.DayRow> rows = List.of(extracted(D1, 1000), extracted(D1.plusDays(1), 99),
                extracted(D1.plusDays(2), 1100), extracted(D1.plusDays(3), 1200), extracted(D1.plusDays(4), 0));
        GapReport r = GapReport.of("evo", D1, D1.plusDays(4), List.of("a"), rows);

        assertThat(r.totals().get(0).medianRecords()).isEqualTo(1000);
        assertThat(r.days()).filteredOn(GapReport.Day::suspicious).extracting(GapReport.Day::records)
                .containsExactly(99L, 0L);
        assertThat(r.hasGaps()).isTrue();

        GapReport quiet = GapReport.of("evo", D1, D1.plusDays(1), List.of("a"),
                List.of(extracted(D1, 0), extracted(D1.plusDays(1), 0)));
        assertThat(quiet.days()).noneMatch(GapReport.Day::suspicious);
        assertThat(quiet.hasGaps()).isFalse();
    }

    private static List<String> commands(List<GapAnalysis.DayRow> rows, List<String> configured) {
        return GapReport.of("evo", D1, D1.plusDays(2), configured, rows).resume().stream()
                .map(GapReport.Resume::command).toList();
    }

    /** Three days: each covered or not. */
    private static List<GapAnalysis.DayRow> days(String scope, String entity, boolean... covered) {
        List<GapAnalysis.DayRow> out = new ArrayList<>();
        for (int i = 0; i < covered.length; i++) {
            out.add(new GapAnalysis.DayRow(scope, entity, D1.plusDays(i), covered[i], false, covered[i],
                    covered[i] ? 1 : 0, 0, null, covered[i] ? 10L : null, covered[i] ? 10L : null));
        }
        return out;
    }

    private static GapAnalysis.DayRow extracted(LocalDate day, long records) {
        return new GapAnalysis.DayRow("a", "entries", day, true, false, true, 1, 0, null, records, records);
    }
}
