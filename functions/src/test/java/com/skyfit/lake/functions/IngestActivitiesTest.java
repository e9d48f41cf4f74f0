package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.orchestrations.LoadSummary;
import com.skyfit.lake.orchestrations.TransformSummary;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.RunPlan;
import com.skyfit.lake.staging.LoadResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each activity is one engine step: the input as the orchestrator wrote it in, the step's answer out. */
class IngestActivitiesTest {
    private final FakeEngine engine = new FakeEngine();
    private final IngestActivities activities = new IngestActivities();

    @BeforeEach
    void useFakeEngine() {
        EngineProvider.use(Settings.of(Map.of()), engine);
    }

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void planRunPassesThePlanRequestThrough() {
        RunPlan plan = activities.planRun("""
                {"batchId":"b1","source":"pipedrive","scopes":["commercial"],"entities":null,"loadType":"backfill",
                 "triggeredBy":"api","from":"2026-01-01","to":"2026-01-31"}""", FakeHttp.context("PlanRun"));

        assertThat(engine.calls).containsExactly(
                "plan PlanRequest[batchId=b1, source=pipedrive, scopes=[commercial], entities=null, loadType=backfill,"
                        + " triggeredBy=api, from=2026-01-01, to=2026-01-31]");
        assertThat(plan.windows()).hasSize(1);
    }

    @Test
    void extractWindowTakesTheWindowAndReturnsPathsAndCounts() {
        ExtractResult r = activities.extractWindow("""
                {"batchId":"b1","runId":"run-1","source":"pipedrive","scope":"commercial","entity":"deals",
                 "loadType":"incremental","windowStart":null,"windowEnd":"2026-03-01T00:00:00Z","ingestionDate":"2026-03-01"}""",
                FakeHttp.context("ExtractWindow"));

        assertThat(engine.calls).singleElement().asString().startsWith("extract WindowTask[batchId=b1, runId=run-1");
        assertThat(r.records()).isEqualTo(3);
        assertThat(r.parts()).containsExactly("bronze/pipedrive/part.jsonl.gz");
    }

    @Test
    void batchIdsAreReadWhetherTheWorkerKeptTheirQuotesOrNot() {
        engine.unloaded = List.of("bronze/a", "bronze/b");

        assertThat(activities.countUnloadedParts("\"b1\"", FakeHttp.context("CountUnloadedParts"))).isEqualTo(2);
        assertThat(activities.countUnloadedParts("b1", FakeHttp.context("CountUnloadedParts"))).isEqualTo(2);
        assertThat(engine.calls).containsExactly("unloadedParts b1", "unloadedParts b1");
    }

    @Test
    void loadPartsLoadsOnlyWhatIsLeftAndSkipsTheLoaderWhenNothingIs() {
        assertThat(activities.loadParts("\"b1\"", FakeHttp.context("LoadParts"))).isEqualTo(LoadSummary.none());
        // its own batch, then parts any earlier batch left unloaded
        assertThat(engine.calls).containsExactly("unloadedParts b1", "unloadedParts null");

        engine.unloaded = List.of("bronze/a", "bronze/b");
        engine.loadResult = new LoadResult(1, 1, 0, 10, 1, List.of());
        assertThat(activities.loadParts("\"b1\"", FakeHttp.context("LoadParts"))).isEqualTo(new LoadSummary(1, 1, 0, 10, 1));
        assertThat(engine.calls).endsWith("load [bronze/a, bronze/b] force=false");
    }

    @Test
    void aPartThatFailsToLoadIsReportedAndTheRestGoesOn() {
        engine.unloaded = List.of("bronze/a", "bronze/b");
        engine.loadResult = new LoadResult(1, 0, 1, 5, 0,
                List.of(new LoadResult.FileOutcome("bronze/a", "failed", 0, 0, "unexpected end of gzip stream"),
                        new LoadResult.FileOutcome("bronze/b", "loaded", 5, 0, null)));

        // The failed part stays failed in the ledger; CompleteRun fails only its run.
        assertThat(activities.loadParts("\"b1\"", FakeHttp.context("LoadParts"))).isEqualTo(new LoadSummary(1, 0, 1, 5, 0));
    }

    @Test
    void transformCompleteAndFailDelegateOneToOne() {
        TransformSummary t = activities.transformCore("\"b1\"", FakeHttp.context("TransformCore"));
        activities.completeRun("\"b1\"", FakeHttp.context("CompleteRun"));
        activities.failRun("{\"batchId\":\"b2\",\"message\":\"ExtractWindow failed: HTTP 401\",\"detail\":\"trace\"}",
                FakeHttp.context("FailRun"));

        assertThat(t).isEqualTo(new TransformSummary(2, 3, 1, 1, 0, 1));
        assertThat(engine.calls).containsExactly("transform b1 full=false", "completeBatch b1", "runsOfBatch b1",
                "failBatch b2 ExtractWindow failed: HTTP 401 | trace");
    }

    @Test
    void completeRunNamesTheRunsTheLedgerFailedAndTheFirstReason() {
        engine.runs = List.of(FakeEngine.run("r-ok", "success", null),
                FakeEngine.run("r-bad", "failed", "1 of 1 windows not extracted: HTTP 401"),
                FakeEngine.run("r-bad2", "failed", "1 of 1 windows not extracted: HTTP 401 again"));

        com.skyfit.lake.orchestrations.BatchOutcome out = activities.completeRun("\"b1\"", FakeHttp.context("CompleteRun"));

        assertThat(out.runs()).isEqualTo(3);
        assertThat(out.failedRuns()).containsExactly("commercial/deals (run r-bad)", "commercial/deals (run r-bad2)");
        assertThat(out.firstError()).isEqualTo("1 of 1 windows not extracted: HTTP 401");
        assertThat(out.allFailed()).isFalse();
    }

    @Test
    void aWindowHandedOverAsAJsonStringIsStillRead() {
        String quoted = "\"{\\\"batchId\\\":\\\"b1\\\",\\\"runId\\\":\\\"run-1\\\",\\\"source\\\":\\\"pipedrive\\\"}\"";

        activities.extractWindow(quoted, FakeHttp.context("ExtractWindow"));

        assertThat(engine.calls).singleElement().asString().startsWith("extract WindowTask[batchId=b1, runId=run-1, source=pipedrive");
    }
}
