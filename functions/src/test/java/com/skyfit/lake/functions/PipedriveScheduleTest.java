package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.orchestrations.IngestInput;
import com.skyfit.lake.orchestrations.Names;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PipedriveScheduleTest {
    private static final String INSTANCE = "ingest-pipedrive-scheduled";

    @BeforeEach
    void settings() {
        EngineProvider.use(Settings.of(Map.of(
                "PIPEDRIVE_MAX_PARALLEL_WINDOWS", "6",
                "PIPEDRIVE_SCOPES", "commercial, expansion",
                "SKYFIT_LOAD_WAIT_MINUTES", "15")), new FakeEngine());
    }

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void startsTheIngestOrchestrationUnderTheScheduledInstanceId() {
        FakeDurableClient client = new FakeDurableClient();

        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));

        assertThat(client.scheduled).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo(Names.INGEST);
            assertThat(s.instanceId()).isEqualTo(INSTANCE);
            IngestInput in = (IngestInput) s.input();
            assertThat(in.source()).isEqualTo("pipedrive");
            assertThat(in.loadType()).isEqualTo("incremental");
            assertThat(in.triggeredBy()).isEqualTo("scheduler");
            assertThat(in.scopes()).containsExactly("commercial", "expansion");
            assertThat(in.maxParallelWindows()).isEqualTo(6);
            assertThat(in.loadWaitSeconds()).isEqualTo(900);
            assertThat(in.batchId()).matches("pipedrive-scheduled-\\d{8}T\\d{6}Z-[0-9a-f]{4}");
        });
    }

    @ParameterizedTest
    @EnumSource(names = {"RUNNING", "PENDING", "SUSPENDED"})
    void doesNotStartATwinWhileTheScheduledRunIsActive(OrchestrationRuntimeStatus status) {
        FakeDurableClient client = new FakeDurableClient().withInstance(INSTANCE, status);

        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));

        assertThat(client.scheduled).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(names = {"COMPLETED", "FAILED", "TERMINATED"})
    void startsAgainOnceThePreviousRunHasEnded(OrchestrationRuntimeStatus status) {
        FakeDurableClient client = new FakeDurableClient().withInstance(INSTANCE, status);

        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));

        assertThat(client.scheduled).singleElement().extracting(FakeDurableClient.Scheduled::instanceId).isEqualTo(INSTANCE);
    }

    @Test
    void twoFiringsInARowStartOneRun() {
        FakeDurableClient client = new FakeDurableClient();

        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));
        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));

        assertThat(client.scheduled).hasSize(1);
    }
}
