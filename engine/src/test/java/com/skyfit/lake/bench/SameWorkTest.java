package com.skyfit.lake.bench;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.core.TransformResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A core step's rounds count only when each did the first round's work. */
class SameWorkTest {

    private static PipelineBenchmark.RoundWork result(long candidates, long inserted, long updated, long unchanged,
            long deleted, long warned, double seconds) {
        return round(candidates, inserted, updated, unchanged, deleted, warned, seconds, 7);
    }

    private static PipelineBenchmark.RoundWork round(long candidates, long inserted, long updated, long unchanged,
            long deleted, long warned, double seconds, long contactsWritten) {
        return new PipelineBenchmark.RoundWork(new TransformResult("core.evo_members", candidates, inserted, updated,
                unchanged, deleted, warned, seconds, List.of()),
                java.util.Map.of("core.evo_members", inserted + updated, "core.evo_member_contacts", contactsWritten));
    }

    @Test
    void roundsWithTheSameCountsPassWhateverTheirTime() {
        assertThatCode(() -> PipelineBenchmark.sameWork(List.of(result(10, 8, 1, 1, 0, 2, 3.0))))
                .doesNotThrowAnyException();
        assertThatCode(() -> PipelineBenchmark.sameWork(List.of(result(10, 8, 1, 1, 0, 2, 3.0),
                result(10, 8, 1, 1, 0, 2, 1.5)))).doesNotThrowAnyException();
    }

    @Test
    void aRoundThatWroteOtherwiseFailsTheBenchmarkNamingTheTable() {
        // a second round that found the first round's rows stored: updates or unchanged rows instead of inserts
        assertThatThrownBy(() -> PipelineBenchmark.sameWork(List.of(result(10, 10, 0, 0, 0, 0, 3.0),
                result(10, 0, 0, 10, 0, 0, 1.0))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("round 2 of core.evo_members did other work than round 1")
                .hasMessageContaining("[10, 0, 0, 10, 0, 0]")
                .hasMessageContaining("against [10, 10, 0, 0, 0, 0]");
        for (int field = 0; field < 6; field++) {
            long[] v = {10, 5, 2, 3, 1, 4};
            v[field]++;
            List<PipelineBenchmark.RoundWork> rounds = List.of(result(10, 5, 2, 3, 1, 4, 1.0),
                    result(v[0], v[1], v[2], v[3], v[4], v[5], 1.0));
            assertThatThrownBy(() -> PipelineBenchmark.sameWork(rounds)).as("field %d", field)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aRoundThatWroteOtherChildRowsFailsEvenWithTheSameCounts() {
        // the parent's counts leave its children out: a round whose children's upsert found them all stored and
        // wrote none would pass on counts alone
        assertThatThrownBy(() -> PipelineBenchmark.sameWork(List.of(round(10, 10, 0, 0, 0, 0, 3.0, 20),
                round(10, 10, 0, 0, 0, 0, 1.0, 0))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("core.evo_member_contacts=0")
                .hasMessageContaining("core.evo_member_contacts=20");
    }
}
