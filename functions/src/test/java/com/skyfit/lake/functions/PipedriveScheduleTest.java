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
    /** An earlier occurrence's instance. */
    private static final String EARLIER = "ingest-pipedrive-scheduled-20260301T0500Z";

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
    void startsTheIngestOrchestrationUnderAnInstanceIdOfItsOccurrence() {
        FakeDurableClient client = new FakeDurableClient();

        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));

        assertThat(client.scheduled).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo(Names.INGEST);
            assertThat(s.instanceId()).matches("ingest-pipedrive-scheduled-\\d{8}T\\d{4}Z");
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
    @EnumSource(names = {"RUNNING", "PENDING"})
    void doesNotStartATwinWhileTheScheduledRunIsActive(OrchestrationRuntimeStatus status) {
        FakeDurableClient client = new FakeDurableClient().withInstance(EARLIER, status);

        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));

        assertThat(client.scheduled).isEmpty();
        assertThat(client.queries).singleElement().satisfies(q -> assertThat(q.getInstanceIdPrefix())
                .isEqualTo("ingest-pipedrive-scheduled-"));
    }

    @ParameterizedTest
    @EnumSource(names = {"COMPLETED", "FAILED", "TERMINATED"})
    void startsAgainOnceThePreviousRunHasEnded(OrchestrationRuntimeStatus status) {
        FakeDurableClient client = new FakeDurableClient().withInstance(EARLIER, status);

        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));

        // a new instance of its own: the earlier one and its history stay as they were
        assertThat(client.scheduled).singleElement().extracting(FakeDurableClient.Scheduled::instanceId)
                .isNotEqualTo(EARLIER);
        assertThat(client.instances).containsEntry(EARLIER, status).hasSize(2);
    }

    @Test
    void eachOccurrenceIsAnInstanceOfItsOwnAndARepeatedFiringStartsNothing() {
        FakeDurableClient client = new FakeDurableClient();
        Settings settings = EngineProvider.settings();
        java.time.Instant monday = java.time.Instant.parse("2026-03-02T05:00:03Z");
        java.time.Instant tuesday = java.time.Instant.parse("2026-03-03T05:00:01Z");

        IngestStarter.Started first = IngestStarter.startScheduled(client, settings, "pipedrive", monday);
        client.instances.put(first.instanceId(), OrchestrationRuntimeStatus.COMPLETED);
        IngestStarter.Started again = IngestStarter.startScheduled(client, settings, "pipedrive", monday.plusSeconds(20));
        IngestStarter.Started second = IngestStarter.startScheduled(client, settings, "pipedrive", tuesday);

        assertThat(first.instanceId()).isEqualTo("ingest-pipedrive-scheduled-20260302T0500Z");
        assertThat(again.alreadyRunning()).isTrue();
        assertThat(second.instanceId()).isEqualTo("ingest-pipedrive-scheduled-20260303T0500Z");
        assertThat(client.scheduled).extracting(FakeDurableClient.Scheduled::instanceId)
                .containsExactly(first.instanceId(), second.instanceId());
    }

    @Test
    void aSuspendedRunDoesNotSkipLaterOccurrencesAndIsReported() {
        FakeDurableClient client = new FakeDurableClient().withInstance(EARLIER, OrchestrationRuntimeStatus.SUSPENDED);

        IngestStarter.Started started = IngestStarter.startScheduled(client, EngineProvider.settings(), "pipedrive",
                java.time.Instant.parse("2026-03-02T05:00:03Z"));

        assertThat(started.alreadyRunning()).isFalse();
        assertThat(started.suspended()).isEqualTo(EARLIER);
        assertThat(client.scheduled).singleElement().extracting(FakeDurableClient.Scheduled::instanceId)
                .isEqualTo("ingest-pipedrive-scheduled-20260302T0500Z");
    }

    @Test
    void aPastDueFiringKeepsTheInstanceIdOfItsOccurrence() {
        FakeDurableClient client = new FakeDurableClient();
        // fired at 05:47 after the app was down: ScheduleStatus.Next is the 05:00 occurrence it stands for
        String timer = "{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":{\"Last\":\"2026-03-01T05:00:00+00:00\","
                + "\"Next\":\"2026-03-02T05:00:00+00:00\",\"LastUpdated\":\"2026-03-01T05:00:02+00:00\"},\"IsPastDue\":true}";

        java.time.Instant occurrence = PipedriveSchedule.occurrence(timer, java.time.Instant.parse("2026-03-02T05:47:12Z"));
        IngestStarter.Started started = IngestStarter.startScheduled(client, EngineProvider.settings(), "pipedrive",
                occurrence);

        assertThat(started.instanceId()).isEqualTo("ingest-pipedrive-scheduled-20260302T0500Z");
        assertThat(PipedriveSchedule.occurrence("{}", java.time.Instant.parse("2026-03-02T05:00:41Z")))
                .isEqualTo(java.time.Instant.parse("2026-03-02T05:00:00Z"));
        assertThat(PipedriveSchedule.occurrence("{\"ScheduleStatus\":{\"Next\":\"2026-03-02T05:00:00\"}}",
                java.time.Instant.parse("2026-03-02T05:00:01Z"))).isEqualTo(java.time.Instant.parse("2026-03-02T05:00:00Z"));
    }

    @Test
    void twoFiringsInARowStartOneRun() {
        FakeDurableClient client = new FakeDurableClient();

        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));
        new PipedriveSchedule().run("{}", client.context(), FakeHttp.context("PipedriveSchedule"));

        assertThat(client.scheduled).hasSize(1);
    }
}
