package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.orchestrations.IngestInput;
import com.skyfit.lake.orchestrations.Names;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The re-scan timer pattern of {@link SourceSchedule}, over a registered source. */
class SourceRescanTest {
    /** A re-scan timer of Pipedrive, built as every {Source}RescanSchedule is. */
    static final class PipedriveRescan extends SourceSchedule {
        void run(String timer, FakeDurableClient client) {
            startRescan("pipedrive", timer, client.context(), FakeHttp.context("PipedriveRescanSchedule"));
        }
    }

    private static final Map<String, String> ON = Map.of("PIPEDRIVE_SCOPES", "commercial",
            "PIPEDRIVE_RESCAN_SCHEDULE", "0 0 2 * * 0", "PIPEDRIVE_MAX_PARALLEL_WINDOWS", "8",
            "PIPEDRIVE_RESCAN_ENTITIES", "persons");

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void startsTheIngestOrchestrationAsAFullLoadUnderAnInstanceIdOfItsOccurrence() {
        settings(ON);
        FakeDurableClient client = new FakeDurableClient();

        new PipedriveRescan().run("{}", client);

        assertThat(client.scheduled).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo(Names.INGEST);
            assertThat(s.instanceId()).matches("ingest-pipedrive-rescan-\\d{8}T\\d{4}Z");
            IngestInput in = (IngestInput) s.input();
            assertThat(in.source()).isEqualTo("pipedrive");
            assertThat(in.loadType()).isEqualTo("full");
            assertThat(in.triggeredBy()).isEqualTo("scheduler");
            assertThat(in.scopes()).containsExactly("commercial");
            assertThat(in.entities()).containsExactly("persons");
            assertThat(in.maxParallelWindows()).isEqualTo(8);
            assertThat(in.batchId()).matches("pipedrive-rescan-\\d{8}T\\d{6}Z-[0-9a-f]{4}");
        });
    }

    @Test
    void readsOnlyTheEntitiesItsSettingNamesAndRefusesOneTheSourceLacks() {
        Map<String, String> s = new HashMap<>(ON);
        s.put("PIPEDRIVE_RESCAN_ENTITIES", "persons, deals");
        settings(s);
        FakeDurableClient client = new FakeDurableClient();
        new PipedriveRescan().run("{}", client);
        assertThat(client.scheduled).singleElement()
                .satisfies(x -> assertThat(((IngestInput) x.input()).entities()).containsExactly("persons", "deals"));

        s.put("PIPEDRIVE_RESCAN_ENTITIES", "persons,dealz");
        settings(s);
        FakeDurableClient refused = new FakeDurableClient();
        new PipedriveRescan().run("{}", refused);
        assertThat(refused.scheduled).isEmpty();
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(com.skyfit.lake.config.SettingsException.class,
                () -> SourceSchedule.rescanEntities(Settings.of(s), "pipedrive")).getMessage())
                .contains("PIPEDRIVE_RESCAN_ENTITIES", "dealz");
    }

    @Test
    void startsNothingWithoutItsScheduleOrWhileTheSourceIsOff() {
        settings(Map.of("PIPEDRIVE_SCOPES", "commercial"));
        FakeDurableClient unset = new FakeDurableClient();
        new PipedriveRescan().run("{}", unset);
        assertThat(unset.scheduled).isEmpty();

        settings(Map.of("PIPEDRIVE_RESCAN_SCHEDULE", "0 0 2 * * 0"));
        FakeDurableClient off = new FakeDurableClient();
        new PipedriveRescan().run("{}", off);
        assertThat(off.scheduled).isEmpty();
        assertThat(off.queries).isEmpty();
    }

    @Test
    void withoutItsEntitiesSettingASourceThatDeclaresNoRescanStartsNothingAndNamesTheSetting() {
        Map<String, String> s = new HashMap<>(ON);
        s.remove("PIPEDRIVE_RESCAN_ENTITIES");
        settings(s);
        FakeDurableClient client = new FakeDurableClient();

        new PipedriveRescan().run("{}", client);

        assertThat(client.scheduled).isEmpty();
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(com.skyfit.lake.config.SettingsException.class,
                () -> SourceSchedule.rescanEntities(Settings.of(s), "pipedrive")).getMessage())
                .contains("PIPEDRIVE_RESCAN_ENTITIES", "declares no entity to re-scan");
    }

    @Test
    void skipsWhileAnEarlierRescanIsActive() {
        settings(ON);
        FakeDurableClient client = new FakeDurableClient()
                .withInstance("ingest-pipedrive-rescan-20260301T0200Z", OrchestrationRuntimeStatus.RUNNING);

        new PipedriveRescan().run("{}", client);

        assertThat(client.scheduled).isEmpty();
        assertThat(client.queries).singleElement()
                .satisfies(q -> assertThat(q.getInstanceIdPrefix()).isEqualTo("ingest-pipedrive-rescan-"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"RUNNING", "PENDING"})
    void startsWhileAScheduledRunIsActiveAndTheScheduledRunStartsWhileTheRescanRuns(String status) {
        settings(ON);
        FakeDurableClient client = new FakeDurableClient().withInstance("ingest-pipedrive-scheduled-20260301T0100Z",
                OrchestrationRuntimeStatus.valueOf(status));

        IngestStarter.Started rescan = IngestStarter.startRescan(client, EngineProvider.settings(), "pipedrive",
                List.of("persons"), Instant.parse("2026-03-01T02:00:04Z"));
        IngestStarter.Started scheduled = IngestStarter.startScheduled(client, EngineProvider.settings(), "pipedrive",
                Instant.parse("2026-03-01T05:00:02Z"));

        assertThat(rescan.alreadyRunning()).isFalse();
        assertThat(scheduled.alreadyRunning()).as("another scheduled run is active").isTrue();
        client.instances.put("ingest-pipedrive-scheduled-20260301T0100Z", OrchestrationRuntimeStatus.COMPLETED);
        IngestStarter.Started next = IngestStarter.startScheduled(client, EngineProvider.settings(), "pipedrive",
                Instant.parse("2026-03-01T06:00:02Z"));
        assertThat(next.alreadyRunning()).as("only a re-scan is active now").isFalse();
        assertThat(client.scheduled).extracting(FakeDurableClient.Scheduled::instanceId)
                .containsExactly("ingest-pipedrive-rescan-20260301T0200Z", "ingest-pipedrive-scheduled-20260301T0600Z");
    }

    @Test
    void bothTimersFiringInTheSameMinuteStartBothAndARepeatedFiringStartsNothing() {
        settings(ON);
        FakeDurableClient client = new FakeDurableClient();
        Instant saturday = Instant.parse("2026-03-07T08:00:03Z");

        IngestStarter.Started scheduled = IngestStarter.startScheduled(client, EngineProvider.settings(), "pipedrive",
                saturday);
        IngestStarter.Started rescan = IngestStarter.startRescan(client, EngineProvider.settings(), "pipedrive",
                List.of("persons"), saturday.plusSeconds(1));
        IngestStarter.Started rescanAgain = IngestStarter.startRescan(client, EngineProvider.settings(), "pipedrive",
                List.of("persons"), saturday.plusSeconds(20));
        IngestStarter.Started scheduledAgain = IngestStarter.startScheduled(client, EngineProvider.settings(),
                "pipedrive", saturday.plusSeconds(30));

        assertThat(scheduled.alreadyRunning()).isFalse();
        assertThat(rescan.alreadyRunning()).isFalse();
        assertThat(rescanAgain.alreadyRunning()).isTrue();
        assertThat(scheduledAgain.alreadyRunning()).isTrue();
        assertThat(client.scheduled).extracting(FakeDurableClient.Scheduled::instanceId)
                .containsExactly("ingest-pipedrive-scheduled-20260307T0800Z", "ingest-pipedrive-rescan-20260307T0800Z");
        // once both finished, a repeated firing of either occurrence never overwrites its history
        client.instances.replaceAll((id, st) -> OrchestrationRuntimeStatus.COMPLETED);
        assertThat(IngestStarter.startRescan(client, EngineProvider.settings(), "pipedrive", List.of("persons"),
                saturday.plusSeconds(40)).alreadyRunning()).isTrue();
        assertThat(client.scheduled).hasSize(2);
    }

    private static void settings(Map<String, String> values) {
        EngineProvider.use(Settings.of(values), new FakeEngine());
    }
}
