package com.skyfit.lake.orchestrations;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.OrchestrationRunner;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestrationStatus;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestratorAction;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestratorResponse;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.pipeline.WindowTask;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The ingest workflow, run by the real durabletask replay engine over hand-built histories. */
class IngestOrchestrationTest {
    private static final String BATCH = "b-20260301-0600";
    private static final String INSTANCE = "ingest-pipedrive-scheduled";

    // --- single episodes on a hand-built history -------------------------------------------------

    @Test
    void firstEpisodeOnlyPlansTheRun() {
        History h = new History(INSTANCE).started(Instant.parse("2026-03-01T06:00:00Z"), Names.INGEST,
                DurableDriver.json(input(2, 50, 0)));

        OrchestratorResponse r = h.run(new IngestOrchestration());

        assertThat(r.getActionsList()).hasSize(1);
        OrchestratorAction plan = r.getActions(0);
        assertThat(plan.getScheduleTask().getName()).isEqualTo(Names.PLAN_RUN);
        PlanRequest request = DurableDriver.JSON.convertValue(
                readTree(plan.getScheduleTask().getInput().getValue()), PlanRequest.class);
        assertThat(request).isEqualTo(new PlanRequest(BATCH, "pipedrive", List.of("commercial"), null, "incremental",
                "scheduler", null, null));
        assertThat(r.getCustomStatus().getValue()).contains("\"phase\":\"planning\"");
    }

    @Test
    void afterPlanningAtMostMaxParallelWindowsAreScheduled() {
        History h = new History(INSTANCE).started(Instant.parse("2026-03-01T06:00:00Z"), Names.INGEST,
                DurableDriver.json(input(2, 50, 0)));
        h.run(new IngestOrchestration());
        h.taskScheduled(0, Names.PLAN_RUN, null).orchestratorCompleted();
        h.orchestratorStarted(Instant.parse("2026-03-01T06:00:01Z")).taskCompleted(0, DurableDriver.json(plan(5)));

        OrchestratorResponse r = h.run(new IngestOrchestration());

        assertThat(r.getActionsList()).extracting(a -> a.getCreateSubOrchestration().getName() + " " + a.getCreateSubOrchestration().getInstanceId())
                .containsExactly("ExtractOneWindow " + BATCH + ":window-0", "ExtractOneWindow " + BATCH + ":window-1");
        assertThat(r.getActions(0).getCreateSubOrchestration().getInput().getValue()).contains("\"windowStart\":\"2026-02-01T00:00:00Z\"");
        assertThat(r.getActions(1).getCreateSubOrchestration().getInput().getValue()).contains("\"windowStart\":\"2026-02-02T00:00:00Z\"");
        assertThat(r.getCustomStatus().getValue()).contains("\"windowsTotal\":5");
    }

    // --- whole runs through the driver ----------------------------------------------------------

    @Test
    void extractsEveryWindowWithBoundedParallelismThenTransformsAndCompletes() {
        DurableDriver d = driver(plan(7));

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(3, 50, 0));

        assertThat(out.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(d.maxWindowsInFlight).isEqualTo(3);
        assertThat(d.calls(Names.EXTRACT_WINDOW)).extracting(c -> d.read(c.input(), WindowTask.class))
                .containsExactlyElementsOf(plan(7).windows());
        assertThat(names(d)).containsExactly(Names.PLAN_RUN,
                "ExtractWindow", "ExtractWindow", "ExtractWindow", "ExtractWindow", "ExtractWindow", "ExtractWindow",
                "ExtractWindow", Names.COUNT_UNLOADED_PARTS, Names.TRANSFORM_CORE, Names.COMPLETE_RUN);
        assertThat(d.calls(Names.TRANSFORM_CORE).get(0).input()).isEqualTo("\"" + BATCH + "\"");
        assertThat(d.calls(Names.COMPLETE_RUN).get(0).input()).isEqualTo("\"" + BATCH + "\"");
        IngestSummary summary = d.read(out.output(), IngestSummary.class);
        assertThat(summary).isEqualTo(new IngestSummary(BATCH, "pipedrive", 7, 7, 70, 7, 0,
                new TransformSummary(2, 5, 1, 4, 0, 0), 1, 0, List.of(), null));
        assertThat(out.customStatus()).isEqualTo("{\"phase\":\"done\",\"windowsDone\":7,\"windowsTotal\":7,\"records\":70}");
        assertThat(chunks(d)).isEmpty();
        assertThat(d.subOrchestrations).hasSize(7).allMatch(s -> s.startsWith("ExtractOneWindow " + BATCH + ":window-"));
        assertThat(d.timers).isEmpty();
    }

    @Test
    void largePlansAreChunkedIntoSubOrchestrationsAndTheCapHoldsAcrossThem() {
        DurableDriver d = driver(plan(23));

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(3, 10, 0));

        assertThat(out.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(chunks(d)).containsExactly(
                "ExtractWindowsChunk " + BATCH + ":chunk-0",
                "ExtractWindowsChunk " + BATCH + ":chunk-1",
                "ExtractWindowsChunk " + BATCH + ":chunk-2");
        assertThat(d.calls(Names.EXTRACT_WINDOW)).hasSize(23);
        assertThat(d.calls(Names.EXTRACT_WINDOW).stream().map(c -> c.instanceId()).distinct())
                .hasSize(23).contains(BATCH + ":window-0", BATCH + ":window-22");
        assertThat(d.maxWindowsInFlight).isEqualTo(3);
        // the parent's history holds three chunk events, not 23 windows
        assertThat(d.historySize(INSTANCE)).isLessThan(d.historySize(BATCH + ":chunk-0"));
        assertThat(d.read(out.output(), IngestSummary.class).windowsDone()).isEqualTo(23);
        assertThat(d.read(out.output(), IngestSummary.class).records()).isEqualTo(230);
    }

    @Test
    void aFlakyExtractIsRetriedUnderItsPolicyAndTheRunSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        DurableDriver d = driver(plan(3)).activity(Names.EXTRACT_WINDOW, in -> {
            WindowTask w = DurableDriver.JSON.convertValue(readTree(in), WindowTask.class);
            if (w.windowStart().startsWith("2026-02-02") && attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("HTTP 503 from the source");
            }
            return extracted(w);
        });

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(4, 50, 0));

        assertThat(out.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(d.calls(Names.EXTRACT_WINDOW)).hasSize(4);
        assertThat(d.timers).hasSize(1);
        assertThat(Duration.between(Instant.parse("2026-03-01T06:00:00Z"), d.timers.get(0)))
                .isEqualTo(ExtractRetry.FIRST_INTERVAL);
        assertThat(d.calls(Names.FAIL_RUN)).isEmpty();
    }

    @Test
    void windowsFailingTogetherAreEachRetriedWhileOthersRun() {
        Map<String, Integer> attempts = new HashMap<>();
        DurableDriver d = driver(plan(6)).activity(Names.EXTRACT_WINDOW, in -> {
            WindowTask w = DurableDriver.JSON.convertValue(readTree(in), WindowTask.class);
            int n = attempts.merge(w.windowStart(), 1, Integer::sum);
            if ((w.windowStart().startsWith("2026-02-02") || w.windowStart().startsWith("2026-02-03")) && n < 3) {
                throw new IllegalStateException("HTTP 429 too many requests");
            }
            return extracted(w);
        });

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(3, 50, 0));

        assertThat(out.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(attempts).containsEntry("2026-02-02T00:00:00Z", 3).containsEntry("2026-02-03T00:00:00Z", 3)
                .containsEntry("2026-02-06T00:00:00Z", 1);
        assertThat(d.calls(Names.EXTRACT_WINDOW)).hasSize(10);
        assertThat(d.maxWindowsInFlight).isLessThanOrEqualTo(3);
        assertThat(d.read(out.output(), IngestSummary.class).windowsDone()).isEqualTo(6);
    }

    @Test
    void aPermanentFailureIsNotRetriedAndABatchWhoseEveryRunFailedFailsWithAReadableReason() {
        DurableDriver d = driver(plan(3)).activity(Names.EXTRACT_WINDOW, in -> {
            WindowTask w = DurableDriver.JSON.convertValue(readTree(in), WindowTask.class);
            if (w.windowStart().startsWith("2026-02-02")) {
                throw new com.skyfit.lake.pipeline.PermanentExtractException(
                        "pipedrive scope 'commercial' rejected the credentials (HTTP 401)", null);
            }
            return extracted(w);
        }).activity(Names.COMPLETE_RUN, in -> new BatchOutcome(BATCH, 1, List.of("commercial/deals (run run-deals)"),
                "1 of 3 windows not extracted: HTTP 401"));

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(3, 50, 0));

        assertThat(out.failed()).isTrue();
        assertThat(out.failureMessage()).startsWith("Every run of batch " + BATCH + " failed (1): commercial/deals (run run-deals)")
                .contains("First error: ExtractWindow pipedrive/commercial/deals [2026-02-02T00:00:00Z", "HTTP 401")
                .doesNotContain("Unexpected failure");
        long attempts = d.calls(Names.EXTRACT_WINDOW).stream()
                .filter(c -> c.input().contains("\"windowStart\":\"2026-02-02")).count();
        assertThat(attempts).isEqualTo(1);
        // the other windows were extracted, loaded and transformed; the ledger failed the run, FailRun is not needed
        assertThat(d.calls(Names.EXTRACT_WINDOW)).hasSize(3);
        assertThat(names(d)).containsSubsequence(Names.TRANSFORM_CORE, Names.COMPLETE_RUN).doesNotContain(Names.FAIL_RUN);
        assertThat(out.customStatus()).contains("\"phase\":\"failed\"", "\"failedRuns\":[\"commercial/deals (run run-deals)\"]",
                "\"firstError\":\"ExtractWindow pipedrive/commercial/deals");
    }

    @Test
    void oneScopeFailingFailsOnlyItsRunsWhileTheOtherScopeIsLoadedTransformedAndCompleted() {
        RunPlan plan = twoScopes(3);
        Map<String, Integer> attempts = new HashMap<>();
        DurableDriver d = driver(plan).activity(Names.EXTRACT_WINDOW, in -> {
            WindowTask w = DurableDriver.JSON.convertValue(readTree(in), WindowTask.class);
            attempts.merge(w.scope() + " " + w.windowStart(), 1, Integer::sum);
            if (w.scope().equals("expansion") && w.windowStart().startsWith("2026-02-02")) {
                throw new IllegalStateException("HTTP 503 from the source, again");
            }
            return extracted(w);
        }).activity(Names.COMPLETE_RUN, in -> new BatchOutcome(BATCH, 2, List.of("expansion/deals (run run-expansion)"),
                "1 of 3 windows not extracted: HTTP 503"));

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(4, 50, 0));

        assertThat(out.status()).as(out.failureMessage()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        IngestSummary summary = d.read(out.output(), IngestSummary.class);
        assertThat(summary.windowsTotal()).isEqualTo(6);
        assertThat(summary.windowsDone()).isEqualTo(5);
        assertThat(summary.windowsFailed()).isEqualTo(1);
        assertThat(summary.runs()).isEqualTo(2);
        assertThat(summary.failedRuns()).containsExactly("expansion/deals (run run-expansion)");
        assertThat(summary.firstError()).startsWith("ExtractWindow pipedrive/expansion/deals [2026-02-02T00:00:00Z")
                .contains("HTTP 503");
        // the failing window used up its retries; every other window ran once and nothing stopped early
        assertThat(attempts).containsEntry("expansion 2026-02-02T00:00:00Z", ExtractRetry.MAX_ATTEMPTS).hasSize(6);
        assertThat(d.calls(Names.EXTRACT_WINDOW)).hasSize(5 + ExtractRetry.MAX_ATTEMPTS);
        assertThat(names(d)).containsSubsequence(Names.COUNT_UNLOADED_PARTS, Names.TRANSFORM_CORE, Names.COMPLETE_RUN)
                .doesNotContain(Names.FAIL_RUN);
        assertThat(out.customStatus()).contains("\"phase\":\"" + Progress.DONE_WITH_FAILURES + "\"",
                "\"failedRuns\":[\"expansion/deals (run run-expansion)\"]", "\"windowsFailed\":1", "HTTP 503");
    }

    @Test
    void aFailingWindowInsideAChunkDoesNotStopTheOtherChunks() {
        DurableDriver d = driver(plan(12)).activity(Names.EXTRACT_WINDOW, in -> {
            WindowTask w = DurableDriver.JSON.convertValue(readTree(in), WindowTask.class);
            if (w.windowStart().startsWith("2026-02-07")) {
                throw new IllegalArgumentException("entity deals: unexpected payload");
            }
            return extracted(w);
        }).activity(Names.COMPLETE_RUN, in -> new BatchOutcome(BATCH, 1, List.of("commercial/deals (run run-deals)"),
                "1 of 12 windows not extracted"));

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(2, 5, 0));

        assertThat(chunks(d)).hasSize(3);
        assertThat(d.calls(Names.EXTRACT_WINDOW).stream().map(DurableDriver.Call::input).distinct()).hasSize(12);
        assertThat(out.failed()).isTrue();
        assertThat(out.failureMessage()).contains("First error: ExtractWindow pipedrive/commercial/deals [2026-02-07")
                .contains("unexpected payload");
        assertThat(d.calls(Names.COMPLETE_RUN)).hasSize(1);
    }

    @Test
    void waitsForTheBlobTriggerWithDurableTimersThenLoadsTheLeftoversAtTheDeadline() {
        DurableDriver d = driver(plan(2)).activity(Names.COUNT_UNLOADED_PARTS, in -> 2);

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(2, 50, 300, 60));

        assertThat(out.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        Instant start = Instant.parse("2026-03-01T06:00:00Z");
        Duration lag = DurableDriver.TIMER_LAG;
        assertThat(d.timers).containsExactly(start.plusSeconds(60), start.plusSeconds(120).plus(lag),
                start.plusSeconds(180).plus(lag.multipliedBy(2)), start.plusSeconds(240).plus(lag.multipliedBy(3)),
                start.plusSeconds(300)); // the last one only waits for what is left until the deadline
        assertThat(d.calls(Names.COUNT_UNLOADED_PARTS)).hasSize(6);
        assertThat(names(d).subList(names(d).size() - 3, names(d).size()))
                .containsExactly(Names.LOAD_PARTS, Names.TRANSFORM_CORE, Names.COMPLETE_RUN);
        assertThat(d.calls(Names.LOAD_PARTS).get(0).input()).isEqualTo("\"" + BATCH + "\"");
        assertThat(d.read(out.output(), IngestSummary.class).partsLoadedDirectly()).isEqualTo(2);
    }

    @Test
    void stopsWaitingAsSoonAsTheBlobTriggerHasLoadedEverything() {
        List<Integer> counts = new ArrayList<>(List.of(3, 1, 0));
        DurableDriver d = driver(plan(2)).activity(Names.COUNT_UNLOADED_PARTS, in -> counts.remove(0));

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(2, 50, 600, 30));

        assertThat(out.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(d.timers).hasSize(2);
        assertThat(d.calls(Names.LOAD_PARTS)).isEmpty();
    }

    @Test
    void withNoWaitLoadsLeftoversAtOnceWithoutTimers() {
        DurableDriver d = driver(plan(2)).activity(Names.COUNT_UNLOADED_PARTS, in -> 4);

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(2, 50, 0));

        assertThat(out.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(d.timers).isEmpty();
        assertThat(d.calls(Names.LOAD_PARTS)).hasSize(1);
    }

    @Test
    void aLoadThatKeepsFailingIsRetriedThenFailsTheRun() {
        DurableDriver d = driver(plan(1))
                .activity(Names.COUNT_UNLOADED_PARTS, in -> 1)
                .activity(Names.LOAD_PARTS, in -> {
                    throw new IllegalStateException("1 bronze part(s) failed to load: bronze/pipedrive/x");
                });

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(2, 50, 0));

        assertThat(out.failed()).isTrue();
        assertThat(out.failureMessage()).isEqualTo("LoadParts failed: 1 bronze part(s) failed to load: bronze/pipedrive/x");
        assertThat(d.calls(Names.LOAD_PARTS)).hasSize(IngestOrchestration.LOAD_RETRY.getMaxNumberOfAttempts());
        assertThat(d.calls(Names.FAIL_RUN)).hasSize(1);
        assertThat(d.calls(Names.TRANSFORM_CORE)).isEmpty();
    }

    @Test
    void aPlanFailureIsRecordedAndStillFailsWhenRecordingFails() {
        DurableDriver d = driver(plan(1))
                .activity(Names.PLAN_RUN, in -> {
                    throw new IllegalArgumentException("unknown entity 'dealz'");
                })
                .activity(Names.FAIL_RUN, in -> {
                    throw new IllegalStateException("database unreachable");
                });

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(2, 50, 0));

        assertThat(out.failed()).isTrue();
        assertThat(out.failureMessage()).startsWith("PlanRun failed: unknown entity 'dealz'")
                .contains("recording the failure in ops also failed: FailRun failed: database unreachable");
        assertThat(d.calls(Names.PLAN_RUN)).hasSize(IngestOrchestration.PLAN_RETRY.getMaxNumberOfAttempts());
        assertThat(d.calls(Names.FAIL_RUN)).hasSize(IngestOrchestration.FAIL_RETRY.getMaxNumberOfAttempts());
    }

    @Test
    void anEmptyPlanStillTransformsAndCompletes() {
        DurableDriver d = driver(new RunPlan(BATCH, List.of(), List.of()));

        DurableDriver.Outcome out = d.run(Names.INGEST, INSTANCE, input(2, 50, 0));

        assertThat(out.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(names(d)).containsExactly(Names.PLAN_RUN, Names.COUNT_UNLOADED_PARTS, Names.TRANSFORM_CORE,
                Names.COMPLETE_RUN);
    }

    @Test
    void replaysAreDeterministic() {
        Function<DurableDriver, DurableDriver> flaky = d -> d
                .activity(Names.COUNT_UNLOADED_PARTS, new Function<>() {
                    int n = 3;

                    @Override
                    public Object apply(String in) {
                        return Math.max(0, n--);
                    }
                });
        DurableDriver first = flaky.apply(driver(plan(23)));
        DurableDriver second = flaky.apply(driver(plan(23)));

        DurableDriver.Outcome a = first.run(Names.INGEST, INSTANCE, input(3, 10, 120, 30));
        DurableDriver.Outcome b = second.run(Names.INGEST, INSTANCE, input(3, 10, 120, 30));

        // every episode replays the whole history through the real engine, which throws on any drift;
        // two runs on the same history also schedule the same things in the same order
        assertThat(a.status()).isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
        assertThat(first.calls).isEqualTo(second.calls);
        assertThat(first.timers).isEqualTo(second.timers).hasSize(3);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void replayingACompletedHistoryGivesTheSameAnswerEveryTime() {
        History h = new History(INSTANCE).started(Instant.parse("2026-03-01T06:00:00Z"), Names.INGEST,
                DurableDriver.json(input(1, 50, 0)));
        h.taskScheduled(0, Names.PLAN_RUN, null).orchestratorCompleted();
        h.orchestratorStarted(Instant.parse("2026-03-01T06:00:01Z")).taskCompleted(0, DurableDriver.json(plan(1)));
        h.taskScheduled(1, Names.EXTRACT_WINDOW, null).orchestratorCompleted();
        h.orchestratorStarted(Instant.parse("2026-03-01T06:00:02Z")).taskCompleted(1, DurableDriver.json(extracted(plan(1).windows().get(0))));
        h.taskScheduled(2, Names.COUNT_UNLOADED_PARTS, null).orchestratorCompleted();
        h.orchestratorStarted(Instant.parse("2026-03-01T06:00:03Z")).taskCompleted(2, "0");
        h.taskScheduled(3, Names.TRANSFORM_CORE, null).orchestratorCompleted();
        h.orchestratorStarted(Instant.parse("2026-03-01T06:00:04Z")).taskCompleted(3, DurableDriver.json(new TransformSummary(1, 1, 0, 0, 0, 0)));
        h.taskScheduled(4, Names.COMPLETE_RUN, null).orchestratorCompleted();
        h.orchestratorStarted(Instant.parse("2026-03-01T06:00:05Z"))
                .taskCompleted(4, DurableDriver.json(new BatchOutcome(BATCH, 1, List.of(), null)));
        byte[] request = h.request();

        OrchestratorResponse once = History.parse(OrchestrationRunner.loadAndRun(request, new IngestOrchestration()));
        OrchestratorResponse twice = History.parse(OrchestrationRunner.loadAndRun(request, new IngestOrchestration()));

        assertThat(once).isEqualTo(twice);
        assertThat(once.getActionsList()).singleElement().satisfies(a -> {
            assertThat(a.getCompleteOrchestration().getOrchestrationStatus())
                    .isEqualTo(OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
            assertThat(a.getCompleteOrchestration().getResult().getValue()).contains("\"windowsDone\":1");
        });
    }

    // --- fixtures -----------------------------------------------------------------------------

    static IngestInput input(int maxParallel, int chunkSize, long waitSeconds) {
        return input(maxParallel, chunkSize, waitSeconds, 30);
    }

    static IngestInput input(int maxParallel, int chunkSize, long waitSeconds, long pollSeconds) {
        return new IngestInput(BATCH, "pipedrive", "incremental", "scheduler", null, null, List.of("commercial"), null,
                maxParallel, chunkSize, waitSeconds, pollSeconds);
    }

    /** n one-day windows of commercial deals from 2026-02-01. */
    static RunPlan plan(int n) {
        List<WindowTask> windows = new ArrayList<>();
        LocalDate day = LocalDate.parse("2026-02-01");
        for (int i = 0; i < n; i++) {
            windows.add(new WindowTask(BATCH, "run-deals", "pipedrive", "commercial", "deals", "incremental",
                    day.plusDays(i) + "T00:00:00Z", day.plusDays(i + 1) + "T00:00:00Z", "2026-03-01"));
        }
        return new RunPlan(BATCH, List.of("run-deals"), windows);
    }

    /** n one-day windows of deals in each of two scopes, one run per scope. */
    static RunPlan twoScopes(int n) {
        List<WindowTask> windows = new ArrayList<>();
        LocalDate day = LocalDate.parse("2026-02-01");
        for (String scope : List.of("commercial", "expansion")) {
            for (int i = 0; i < n; i++) {
                windows.add(new WindowTask(BATCH, "run-" + scope, "pipedrive", scope, "deals", "incremental",
                        day.plusDays(i) + "T00:00:00Z", day.plusDays(i + 1) + "T00:00:00Z", "2026-03-01"));
            }
        }
        return new RunPlan(BATCH, List.of("run-commercial", "run-expansion"), windows);
    }

    static ExtractResult extracted(WindowTask w) {
        return new ExtractResult(w.runId(), w.scope(), w.entity(), w.windowStart(), w.windowEnd(), 10,
                List.of("bronze/pipedrive/scope=commercial/entity=deals/ingestion_date=2026-03-01/run_id=run-deals/part-"
                        + w.windowStart().substring(0, 10) + ".jsonl.gz"),
                w.windowEnd());
    }

    private static DurableDriver driver(RunPlan plan) {
        return new DurableDriver()
                .orchestration(Names.INGEST, IngestOrchestration::new)
                .orchestration(Names.EXTRACT_WINDOWS_CHUNK, ExtractWindowsChunk::new)
                .orchestration(Names.EXTRACT_ONE_WINDOW, ExtractOneWindow::new)
                .activity(Names.PLAN_RUN, in -> plan)
                .activity(Names.EXTRACT_WINDOW, in -> extracted(DurableDriver.JSON.convertValue(readTree(in), WindowTask.class)))
                .activity(Names.COUNT_UNLOADED_PARTS, in -> 0)
                .activity(Names.LOAD_PARTS, in -> new LoadSummary(2, 0, 0, 20, 0))
                .activity(Names.TRANSFORM_CORE, in -> new TransformSummary(2, 5, 1, 4, 0, 0))
                .activity(Names.COMPLETE_RUN, in -> new BatchOutcome(BATCH, plan.runIds().size(), List.of(), null))
                .activity(Names.FAIL_RUN, in -> null);
    }

    private static List<String> chunks(DurableDriver d) {
        return d.subOrchestrations.stream().filter(s -> s.startsWith(Names.EXTRACT_WINDOWS_CHUNK)).toList();
    }

    private static List<String> names(DurableDriver d) {
        return d.calls.stream().map(DurableDriver.Call::name).toList();
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return DurableDriver.JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
