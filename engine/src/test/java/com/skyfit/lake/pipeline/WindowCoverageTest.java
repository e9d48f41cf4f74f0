package com.skyfit.lake.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.control.WindowLedger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowCoverageTest {
    private static final Instant D1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant D8 = Instant.parse("2026-01-08T00:00:00Z");
    private static final Instant D15 = Instant.parse("2026-01-15T00:00:00Z");
    private static final Instant D22 = Instant.parse("2026-01-22T00:00:00Z");

    private static WindowLedger.Window w(Instant start, Instant end) {
        return new WindowLedger.Window("r", 0, start, end, "extracted", 1, 0, null);
    }

    @Test
    void windowsEdgeToEdgeCoverTheRange() {
        assertThat(WindowCoverage.gaps(List.of(w(D8, D15), w(D1, D8), w(D15, D22)), D1, D22)).isEmpty();
    }

    @Test
    void aMissingWindowIsAGap() {
        assertThat(WindowCoverage.gaps(List.of(w(D1, D8), w(D15, D22)), D1, D22))
                .containsExactly(new WindowCoverage.Gap(D8, D15));
    }

    @Test
    void aRangeWithNoWindowIsOneGapAndTheTailIsNamed() {
        assertThat(WindowCoverage.gaps(List.of(), D1, D22)).containsExactly(new WindowCoverage.Gap(D1, D22));
        assertThat(WindowCoverage.gaps(List.of(w(D1, D8)), D1, D22)).containsExactly(new WindowCoverage.Gap(D8, D22));
    }

    @Test
    void openWindowsCoverOpenRanges() {
        assertThat(WindowCoverage.gaps(List.of(w(null, null)), D1, D22)).isEmpty();
        assertThat(WindowCoverage.gaps(List.of(w(D8, null)), D8, null)).isEmpty();
        assertThat(WindowCoverage.gaps(List.of(w(D8, D15)), D8, null)).containsExactly(new WindowCoverage.Gap(D15, null));
        assertThat(WindowCoverage.gaps(List.of(w(D8, null)), null, null)).containsExactly(new WindowCoverage.Gap(null, D8));
    }

    @Test
    void overlappingWindowsFromAChangedWindowSizeStillCover() {
        assertThat(WindowCoverage.gaps(List.of(w(D1, D15), w(D8, D22)), D1, D22)).isEmpty();
    }
}
