package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.orchestrations.IngestInput;
import com.skyfit.lake.orchestrations.Names;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Zendesk timer and the backfill endpoint know the source from the engine's registry. */
class ZendeskFunctionsTest {
    private final FakeDurableClient client = new FakeDurableClient();

    private void settings(Map<String, String> values) {
        EngineProvider.use(Settings.of(values), new FakeEngine());
    }

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void theTimerStartsAnIncrementalZendeskIngestForEveryEntity() {
        settings(Map.of("ZENDESK_BASE_URL", "https://skyfit.zendesk.com", "ZENDESK_MAX_PARALLEL_WINDOWS", "3"));

        new ZendeskSchedule().run("{}", client.context(), FakeHttp.context("ZendeskSchedule"));

        assertThat(client.scheduled).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo(Names.INGEST);
            assertThat(s.instanceId()).matches("ingest-zendesk-scheduled-\\d{8}T\\d{4}Z");
            IngestInput in = (IngestInput) s.input();
            assertThat(List.of(in.source(), in.loadType(), in.triggeredBy()))
                    .containsExactly("zendesk", "incremental", "scheduler");
            assertThat(in.scopes()).as("the account's one scope").isNull();
            assertThat(in.entities()).as("every entity").isNull();
            assertThat(in.maxParallelWindows()).isEqualTo(3);
        });
    }

    @Test
    void theTimerStartsNothingWhileTheSourceIsOff() {
        settings(Map.of("ZENDESK_SCHEDULE", "0 0 4 * * *"));

        new ZendeskSchedule().run("{}", client.context(), FakeHttp.context("ZendeskSchedule"));

        assertThat(client.scheduled).isEmpty();
    }

    @Test
    void theTimerStartsNoTwinWhileTheLastRunIsActive() {
        settings(Map.of("ZENDESK_BASE_URL", "https://skyfit.zendesk.com"));
        FakeDurableClient busy = new FakeDurableClient()
                .withInstance("ingest-zendesk-scheduled-20260301T0400Z", OrchestrationRuntimeStatus.RUNNING);

        new ZendeskSchedule().run("{}", busy.context(), FakeHttp.context("ZendeskSchedule"));

        assertThat(busy.scheduled).isEmpty();
    }

    @Test
    void aBackfillOfZendeskIsAccepted() {
        settings(Map.of("ZENDESK_BASE_URL", "https://skyfit.zendesk.com", "SKYFIT_BACKFILL_MAX_DAYS", "31"));

        HttpResponseMessage r = backfill("""
                {"source":"zendesk","from":"2026-01-01","to":"2026-01-31","entities":["organizations","groups"]}""");

        assertThat(r.getStatusCode()).isEqualTo(202);
        IngestInput in = (IngestInput) client.scheduled.get(0).input();
        assertThat(List.of(in.source(), in.loadType(), in.from(), in.to()))
                .containsExactly("zendesk", "backfill", "2026-01-01", "2026-01-31");
        assertThat(in.entities()).containsExactly("organizations", "groups");
    }

    @Test
    void aBackfillOfAnUnknownZendeskEntityNamesTheKnownOnes() {
        settings(Map.of("SKYFIT_BACKFILL_MAX_DAYS", "31"));

        HttpResponseMessage r = backfill("""
                {"source":"zendesk","from":"2026-01-01","to":"2026-01-02","entities":["comments"]}""");

        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat((String) r.getBody()).contains("unknown entity 'comments' of source zendesk",
                "tickets, users, organizations, groups, ticket_fields, ticket_forms");
        assertThat(client.scheduled).isEmpty();
    }

    private HttpResponseMessage backfill(String body) {
        return new BackfillFunction().run(FakeHttp.request(HttpMethod.POST, "/api/backfill", body, Map.of()),
                client.context(), FakeHttp.context("Backfill"));
    }
}
