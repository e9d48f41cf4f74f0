package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.staging.LoadResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The blob trigger's adapter logic; LoadBronzePartIT runs it over the real engine. */
class LoadBronzePartTest {
    private static final String PART = "pipedrive/scope=commercial/entity=deals/ingestion_date=2026-03-01/run_id=r1/part-00000.jsonl.gz";
    private final FakeEngine engine = new FakeEngine();

    @BeforeEach
    void useFakeEngine() {
        EngineProvider.use(Settings.of(Map.of()), engine);
    }

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void handsTheBlobPathBelowTheContainerToTheLoader() {
        engine.loadResult = new LoadResult(1, 0, 0, 3, 0, List.of());

        new LoadBronzePart().run(new byte[0], PART, FakeHttp.context("LoadBronzePart"));

        assertThat(engine.calls).containsExactly("load [bronze/" + PART + "] force=false");
    }

    @Test
    void blobsThatAreNotPartsAreIgnored() {
        assertThat(LoadBronzePart.load("pipedrive/_manifest.json")).isNull();
        assertThat(engine.calls).isEmpty();
    }

    @Test
    void aPartPostponedByATransientFailureFailsTheInvocationSoTheEventIsRetried() {
        String why = "connection refused" + LoadResult.POSTPONED;
        engine.loadResult = new LoadResult(0, 0, 1, 0, 0,
                List.of(new LoadResult.FileOutcome("bronze/" + PART, "failed", 0, 0, why)));

        assertThatThrownBy(() -> LoadBronzePart.load(PART))
                .hasMessage("Could not load bronze/" + PART + " for now: bronze/" + PART + " (" + why + ")");
    }

    @Test
    void aPartFailedForGoodIsNotRedelivered() {
        engine.loadResult = new LoadResult(0, 0, 1, 0, 0,
                List.of(new LoadResult.FileOutcome("bronze/" + PART, "failed", 0, 0, "not in GZIP format")));

        new LoadBronzePart().run(new byte[0], PART, FakeHttp.context("LoadBronzePart"));

        assertThat(engine.calls).containsExactly("load [bronze/" + PART + "] force=false");
    }
}
