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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Chatwoot timer and the backfill endpoint know the source from the engine's registry. */
class ChatwootFunctionsTest {
    /** An earlier occurrence's instance. */
    private static final String EARLIER = "ingest-chatwoot-scheduled-20260301T0300Z";
    private final FakeDurableClient client = new FakeDurableClient();

    @BeforeEach
    void settings() {
        EngineProvider.use(Settings.of(Map.of("CHATWOOT_SOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/chatwoot",
                "CHATWOOT_MAX_PARALLEL_WINDOWS", "2", "SKYFIT_BACKFILL_MAX_DAYS", "31")),
                new FakeEngine());
    }

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void theTimerStartsAnIncrementalChatwootIngestUnderItsScheduledInstanceId() {
        new ChatwootSchedule().run("{}", client.context(), FakeHttp.context("ChatwootSchedule"));

        assertThat(client.scheduled).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo(Names.INGEST);
            assertThat(s.instanceId()).matches("ingest-chatwoot-scheduled-\\d{8}T\\d{4}Z");
            IngestInput in = (IngestInput) s.input();
            assertThat(List.of(in.source(), in.loadType(), in.triggeredBy()))
                    .containsExactly("chatwoot", "incremental", "scheduler");
            assertThat(in.scopes()).as("all the source's scopes").isNull();
            assertThat(in.maxParallelWindows()).isEqualTo(2);
            assertThat(in.batchId()).matches("chatwoot-scheduled-\\d{8}T\\d{6}Z-[0-9a-f]{4}");
        });
    }

    @Test
    void theTimerStartsNoTwinWhileTheLastRunIsActive() {
        FakeDurableClient busy = new FakeDurableClient().withInstance(EARLIER, OrchestrationRuntimeStatus.RUNNING);

        new ChatwootSchedule().run("{}", busy.context(), FakeHttp.context("ChatwootSchedule"));

        assertThat(busy.scheduled).isEmpty();
        assertThat(busy.queries).singleElement().satisfies(q -> assertThat(q.getInstanceIdPrefix())
                .isEqualTo("ingest-chatwoot-scheduled-"));
    }

    @Test
    void aBackfillOfChatwootIsAccepted() {
        HttpResponseMessage r = backfill("""
                {"source":"chatwoot","from":"2026-01-01","to":"2026-01-31","entities":["conversations"]}""");

        assertThat(r.getStatusCode()).isEqualTo(202);
        IngestInput in = (IngestInput) client.scheduled.get(0).input();
        assertThat(List.of(in.source(), in.loadType(), in.from(), in.to()))
                .containsExactly("chatwoot", "backfill", "2026-01-01", "2026-01-31");
        assertThat(in.entities()).containsExactly("conversations");
    }

    @Test
    void aBackfillOfAnUnknownChatwootEntityNamesTheKnownOnes() {
        HttpResponseMessage r = backfill("""
                {"source":"chatwoot","from":"2026-01-01","to":"2026-01-02","entities":["messages"]}""");

        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat((String) r.getBody()).contains("unknown entity 'messages' of source chatwoot",
                "[conversations, conversation_ids]");
        assertThat(client.scheduled).isEmpty();
    }

    private HttpResponseMessage backfill(String body) {
        return new BackfillFunction().run(FakeHttp.request(HttpMethod.POST, "/api/backfill", body, Map.of()),
                client.context(), FakeHttp.context("Backfill"));
    }
}
