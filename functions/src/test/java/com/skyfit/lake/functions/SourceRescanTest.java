package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.orchestrations.IngestInput;
import com.skyfit.lake.orchestrations.Names;
import java.time.Instant;
import java.util.HashMap;
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
            "PIPEDRIVE_RESCAN_SCHEDULE", "0 0 2 * * 0", "PIPEDRIVE_MAX_PARALLEL_WINDOWS", "8");

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
            assertThat(in.entities()).isNull();
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

    @ParameterizedTest
    @ValueSource(strings = {"ingest-pipedrive-scheduled-20260301T0500Z", "ingest-pipedrive-rescan-20260301T0200Z"})
    void skipsWhileATimedRunOfTheSourceIsActive(String earlier) {
        settings(ON);
        FakeDurableClient client = new FakeDurableClient().withInstance(earlier, OrchestrationRuntimeStatus.RUNNING);

        new PipedriveRescan().run("{}", client);

        assertThat(client.scheduled).isEmpty();
        assertThat(client.queries).singleElement()
                .satisfies(q -> assertThat(q.getInstanceIdPrefix()).isEqualTo("ingest-pipedrive-"));
    }

    @Test
    void theScheduledRunWaitsForARunningRescanAndARepeatedFiringStartsNothing() {
        settings(ON);
        FakeDurableClient client = new FakeDurableClient();
        Instant sunday = Instant.parse("2026-03-01T02:00:04Z");

        IngestStarter.Started rescan = IngestStarter.startRescan(client, EngineProvider.settings(), "pipedrive", null,
                sunday);
        IngestStarter.Started scheduled = IngestStarter.startScheduled(client, EngineProvider.settings(), "pipedrive",
                sunday.plusSeconds(3 * 3600));
        client.instances.put(rescan.instanceId(), OrchestrationRuntimeStatus.COMPLETED);
        IngestStarter.Started again = IngestStarter.startRescan(client, EngineProvider.settings(), "pipedrive", null,
                sunday.plusSeconds(30));

        assertThat(rescan.instanceId()).isEqualTo("ingest-pipedrive-rescan-20260301T0200Z");
        assertThat(scheduled.alreadyRunning()).isTrue();
        assertThat(scheduled.instanceId()).isEqualTo(rescan.instanceId());
        assertThat(again.alreadyRunning()).isTrue();
        assertThat(client.scheduled).extracting(FakeDurableClient.Scheduled::instanceId)
                .containsExactly(rescan.instanceId());
    }

    private static void settings(Map<String, String> values) {
        EngineProvider.use(Settings.of(values), new FakeEngine());
    }
}
