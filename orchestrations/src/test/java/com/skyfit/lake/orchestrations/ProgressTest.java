package com.skyfit.lake.orchestrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void aLongFailureStaysWithinTheCustomStatusLimit() {
        List<String> runs = IntStream.range(0, 50).mapToObj(i -> "scope" + i + "/deals (run r" + i + ")").toList();
        Progress p = new Progress(Progress.DONE, 10, 60, 100).failedRuns(runs, "x".repeat(10_000));

        assertThat(p.failedRuns()).hasSize(Progress.MAX_RUNS_SHOWN + 1).startsWith("scope0/deals (run r0)")
                .endsWith("... and 30 more");
        assertThat(p.firstError()).hasSize(Progress.MAX_ERROR_CHARS + 3);
        assertThat(DurableDriver.json(p).length()).isLessThan(16 * 1024);
    }

    @Test
    void aCleanRunShowsNoFailureFields() {
        assertThat(DurableDriver.json(new Progress(Progress.DONE, 7, 7, 70)))
                .isEqualTo("{\"phase\":\"done\",\"windowsDone\":7,\"windowsTotal\":7,\"records\":70}");
    }
}
