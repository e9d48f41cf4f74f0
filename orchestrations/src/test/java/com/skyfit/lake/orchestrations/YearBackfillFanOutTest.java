package com.skyfit.lake.orchestrations;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestrationStatus;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.pipeline.WindowTask;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A day-windowed backfill of a whole year through the real replay engine: the plan's 365 day windows become 365
 * window activities, each read once, never more in flight than the configured width, in chunks that keep the
 * parent's history short.
 */
class YearBackfillFanOutTest {
    private static final String BATCH = "evo-backfill-20260301T060000Z-1a2b";
    private static final String INSTANCE = "backfill-" + BATCH;

    @ParameterizedTest(name = "width {0}, chunks of {1}")
    @CsvSource({"8, 50", "4, 400", "16, 100"})
    void threeHundredSixtyFiveDayWindowsAreExtractedWithinTheWidth(int width, int chunkSize) {
        RunPlan plan = yearOfDays();
        DurableDriver d = driver(plan);

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, new IngestInput(BATCH, "evo", "backfill", "api",
                "2025-01-01", "2025-12-31", null, List.of("entries"), width, chunkSize, 0, 30));

        assertThat(out.status()).as(out.failureMessage()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(d.read(d.calls(Names.PLAN_RUN).get(0).input(), PlanRequest.class))
                .isEqualTo(new PlanRequest(BATCH, "evo", null, List.of("entries"), "backfill", "api", "2025-01-01",
                        "2025-12-31"));
        List<WindowTask> extracted = d.calls(Names.EXTRACT_WINDOW).stream()
                .map(c -> d.read(c.input(), WindowTask.class)).toList();
        assertThat(extracted).hasSize(365).containsExactlyElementsOf(plan.windows());
        assertThat(d.calls(Names.EXTRACT_WINDOW).stream().map(DurableDriver.Call::instanceId).distinct()).hasSize(365);
        assertThat(d.maxWindowsInFlight).isEqualTo(width);
        int chunks = (365 + chunkSize - 1) / chunkSize;
        assertThat(d.subOrchestrations.stream().filter(s -> s.startsWith(Names.EXTRACT_WINDOWS_CHUNK)))
                .hasSize(chunks == 1 ? 0 : chunks);
        IngestSummary summary = d.read(out.output(), IngestSummary.class);
        assertThat(summary.windowsTotal()).isEqualTo(365);
        assertThat(summary.windowsDone()).isEqualTo(365);
        assertThat(summary.records()).isEqualTo(3650);
        assertThat(summary.windowsFailed()).isZero();
    }

    /** What the planner writes for entries over 2025: one window per day, midnight to midnight. */
    private static RunPlan yearOfDays() {
        List<WindowTask> windows = new ArrayList<>();
        for (LocalDate day = LocalDate.parse("2025-01-01"); day.getYear() == 2025; day = day.plusDays(1)) {
            windows.add(new WindowTask(BATCH, "run-entries", "evo", "gym_a", "entries", "backfill",
                    day + "T00:00:00Z", day.plusDays(1) + "T00:00:00Z", "2026-03-01"));
        }
        return new RunPlan(BATCH, List.of("run-entries"), windows);
    }

    private static DurableDriver driver(RunPlan plan) {
        return new DurableDriver()
                .orchestration(Names.INGEST, IngestOrchestration::new)
                .orchestration(Names.EXTRACT_WINDOWS_CHUNK, ExtractWindowsChunk::new)
                .orchestration(Names.EXTRACT_ONE_WINDOW, ExtractOneWindow::new)
                .activity(Names.PLAN_RUN, in -> plan)
                .activity(Names.EXTRACT_WINDOW, in -> IngestOrchestrationTest.extracted(
                        DurableDriver.JSON.convertValue(read(in), WindowTask.class)))
                .activity(Names.COUNT_UNLOADED_PARTS, in -> 0)
                .activity(Names.TRANSFORM_CORE, in -> new TransformSummary(1, 3650, 3650, 0, 0, 0))
                .activity(Names.COMPLETE_RUN, in -> new BatchOutcome(BATCH, 1, List.of(), null))
                .activity(Names.FAIL_RUN, in -> null);
    }

    private static com.fasterxml.jackson.databind.JsonNode read(String json) {
        try {
            return DurableDriver.JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
