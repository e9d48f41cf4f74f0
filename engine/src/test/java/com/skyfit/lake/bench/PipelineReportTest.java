package com.skyfit.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineReportTest {
    private static final long MB = 1 << 20;

    /** entries: staging 10 s for 1 M (baseline 8 s), core 5 s (baseline 4.5 s); sales: staging 2 s, core 1 s. */
    private static PipelineResult size(long n, double scale, long heapMb) {
        long sales = n / 10;
        return new PipelineResult(n, new Stage("extract", "all", n + sales, 30 * scale, heapMb * MB),
                List.of(new Stage("staging", "entries", n, 10 * scale, 50 * MB),
                        new Stage("staging", "sales", sales, 2 * scale, 60 * MB)),
                List.of(new Stage("staging_baseline", "entries", n, 8 * scale, 5 * MB),
                        new Stage("staging_baseline", "sales", sales, 2 * scale, 5 * MB)),
                List.of(new Stage("core", "evo_entries", n, 5 * scale, 10 * MB),
                        new Stage("core", "evo_sales", sales, 1 * scale, 10 * MB)),
                List.of(new Stage("core_baseline", "evo_entries", n, 4.5 * scale, 10 * MB)),
                Map.of("evo_entries", "entries", "evo_sales", "sales"));
    }

    @Test
    void ratiosCostsAndTargetsFromOneSize() {
        PipelineResult one = size(1_000_000, 1, 100);
        assertThat(one.stagingRatio()).isCloseTo(10.0 / 12.0, within(1e-9));
        assertThat(one.coreRatio()).isCloseTo(4.5 / 5.0, within(1e-9));
        assertThat(one.secondsPerRecord()).isCloseTo(18.0 / 1_100_000, within(1e-12));
        assertThat(one.secondsByEntity()).containsEntry("entries", 15.0).containsEntry("sales", 3.0);
        assertThat(one.peakHeapBytes()).isEqualTo(100 * MB);

        PipelineReport report = new PipelineReport(List.of(one), null, List.of(
                new ReloadProjection.Volume("entries", 110_000_000L, List.of("entries")),
                new ReloadProjection.Volume("sales", 12_800_000L, List.of("sales"))));

        // entries 15 us x 110 M = 1650 s, sales 30 us x 12.8 M = 384 s
        assertThat(report.projection().hours()).isCloseTo((1650 + 384) / 3600.0, within(1e-9));
        assertThat(report.targets()).extracting(PipelineReport.Target::passed)
                .containsExactly(true, true, true, null, true, null);
        String text = String.join("\n", report.lines());
        assertThat(text).contains("ratio staging/raw COPY entries = 0.80x", "ratio core/INSERT .. SELECT evo_entries = 0.90x",
                "target staging >= 0.8x raw COPY", "PASS", "NOT MEASURED", "extraction check skipped")
                .containsPattern("bench: source=evo records=1000000 staging_ratio=0.83 core_ratio=0.90 peak_heap_mb=100 "
                        + "cost_us=16.36 cost_growth=none reload_hours=0.57 extraction_efficiency=none http_429=none");
    }

    @Test
    void theScaleCheckComparesTheLargestSizeWithTheSmallest() {
        // the same work five times over in 5.5 times the seconds: 1.10 per record, at the limit
        PipelineReport report = new PipelineReport(List.of(size(1_000_000, 1, 100), size(5_000_000, 5.5, 600)),
                new RateCheck("gym", 120, 121, 0, 60.0, 50_000), List.of(
                        new ReloadProjection.Volume("entries", 110_000_000L, List.of("entries"))));

        assertThat(report.costGrowth()).isCloseTo(1.10, within(1e-9));
        assertThat(report.peakHeapBytes()).isEqualTo(600 * MB);
        // projected from the largest size: entries 15 s x 5.5 over 5 M = 16.5 us per entry (15 us at 1 M)
        assertThat(report.projection().hours()).isCloseTo(110_000_000L * 16.5e-6 / 3600, within(1e-9));
        List<PipelineReport.Target> t = report.targets();
        assertThat(t.get(2).passed()).as("heap").isFalse();
        assertThat(t.get(3).passed()).as("scale").isTrue();
        assertThat(t.get(4).passed()).as("reload hours").isTrue();
        assertThat(t.get(5).passed()).as("rate: 120 intervals in 60 s").isTrue();
        assertThat(String.join("\n", report.lines())).contains("== scale: cost per record", "FAIL",
                "achieved 120.0/min = 1.00 of the limit");
    }

    @Test
    void aRateCheckWithA429OrAShortfallFails() {
        assertThat(new RateCheck("gym", 120, 101, 0, 60.0, 1).efficiency()).isCloseTo(100 / 120.0, within(1e-9));
        PipelineReport slow = new PipelineReport(List.of(size(1000, 1, 1)), new RateCheck("gym", 120, 101, 0, 60.0, 1),
                List.of(new ReloadProjection.Volume("entries", 1, List.of("entries"))));
        PipelineReport refused = new PipelineReport(List.of(size(1000, 1, 1)), new RateCheck("gym", 120, 121, 1, 60.0, 1),
                List.of(new ReloadProjection.Volume("entries", 1, List.of("entries"))));
        assertThat(slow.targets().get(5).passed()).isFalse();
        assertThat(refused.targets().get(5).passed()).isFalse();
        assertThat(new RateCheck("gym", 120, 1, 0, 0, 1).achievedPerMinute()).isZero();
    }
}
