package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.orchestrations.IngestInput;
import com.skyfit.lake.orchestrations.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackfillFunctionTest {
    private final FakeDurableClient client = new FakeDurableClient();

    @BeforeEach
    void settings() {
        EngineProvider.use(Settings.of(Map.of("SKYFIT_BACKFILL_MAX_DAYS", "31", "PIPEDRIVE_MAX_PARALLEL_WINDOWS", "2")),
                new FakeEngine());
    }

    @AfterEach
    void reset() {
        EngineProvider.reset();
    }

    @Test
    void aValidRequestStartsABackfillAndAnswers202WithTheStatusUrls() {
        HttpResponseMessage r = post("""
                {"source":"pipedrive","from":"2026-01-01","to":"2026-01-31","scopes":["commercial"],"entities":["deals","persons"]}""");

        assertThat(r.getStatusCode()).isEqualTo(202);
        FakeDurableClient.Scheduled s = client.scheduled.get(0);
        assertThat(client.scheduled).hasSize(1);
        assertThat(s.name()).isEqualTo(Names.INGEST);
        assertThat(s.instanceId()).startsWith("backfill-pipedrive-backfill-");
        assertThat(r.getHeader("Location")).endsWith("/instances/" + s.instanceId());
        IngestInput in = (IngestInput) s.input();
        assertThat(in.batchId()).isEqualTo(s.instanceId().substring("backfill-".length()));
        assertThat(List.of(in.source(), in.loadType(), in.triggeredBy(), in.from(), in.to()))
                .containsExactly("pipedrive", "backfill", "api", "2026-01-01", "2026-01-31");
        assertThat(in.scopes()).containsExactly("commercial");
        assertThat(in.entities()).containsExactly("deals", "persons");
        assertThat(in.maxParallelWindows()).isEqualTo(2);
    }

    @Test
    void scopesAndEntitiesAreOptional() {
        HttpResponseMessage r = post("{\"source\":\"pipedrive\",\"from\":\"2026-01-01\",\"to\":\"2026-01-01\"}");

        assertThat(r.getStatusCode()).isEqualTo(202);
        IngestInput in = (IngestInput) client.scheduled.get(0).input();
        assertThat(in.scopes()).isNull();
        assertThat(in.entities()).isNull();
    }

    /** The endpoint knows the sources from the registry alone: a source registered there is accepted, entities too. */
    @Test
    void everyRegisteredSourceIsAcceptedWithEachOfItsEntities() {
        for (String source : com.skyfit.lake.source.Sources.names()) {
            String entity = com.skyfit.lake.source.Sources.entities(source).get(0);
            HttpResponseMessage r = post("{\"source\":\"" + source + "\",\"from\":\"2026-01-01\",\"to\":\"2026-01-31\","
                    + "\"entities\":[\"" + entity + "\"]}");

            assertThat(r.getStatusCode()).as(source).isEqualTo(202);
            IngestInput in = (IngestInput) client.scheduled.get(client.scheduled.size() - 1).input();
            assertThat(List.of(in.source(), in.loadType())).containsExactly(source, "backfill");
            assertThat(in.entities()).containsExactly(entity);
        }
        assertThat(client.scheduled).hasSize(com.skyfit.lake.source.Sources.names().size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty body          |                                                                              | the body is empty
            not JSON            | {source: pipedrive                                                           | the body is not valid JSON
            missing to          | {"source":"pipedrive","from":"2026-01-01"}                                   | required property 'to' not found
            unknown field       | {"source":"pipedrive","from":"2026-01-01","to":"2026-01-02","until":"x"}     | property 'until' is not defined in the schema
            slashed date        | {"source":"pipedrive","from":"2026/01/01","to":"2026-01-02"}                 | $.from: does not match the regex pattern
            no such day         | {"source":"pipedrive","from":"2026-02-30","to":"2026-03-02"}                 | from '2026-02-30' is not a calendar date (YYYY-MM-DD)
            unknown source      | {"source":"hubspot","from":"2026-01-01","to":"2026-01-02"}                   | unknown source 'hubspot': known sources are [chatwoot, 
            unknown entity      | {"source":"pipedrive","from":"2026-01-01","to":"2026-01-02","entities":["dealz"]} | unknown entity 'dealz' of source pipedrive
            from after to       | {"source":"pipedrive","from":"2026-02-01","to":"2026-01-01"}                 | from (2026-02-01) is after to (2026-01-01)
            range too long      | {"source":"pipedrive","from":"2026-01-01","to":"2026-02-01"}                 | the range covers 32 days, more than the 31 allowed (SKYFIT_BACKFILL_MAX_DAYS)
            empty entity list   | {"source":"pipedrive","from":"2026-01-01","to":"2026-01-02","entities":[]}   | $.entities: must have at least 1 items
            """)
    void badInputAnswers400SayingWhatIsWrong(String why, String body, String problem) throws Exception {
        HttpResponseMessage r = post(body);

        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode json = ActivityInput.JSON.readTree((String) r.getBody());
        assertThat(json.get("error").asText()).isEqualTo("invalid backfill request");
        List<String> problems = new ArrayList<>();
        json.get("problems").forEach(p -> problems.add(p.asText()));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(problem));
        assertThat(client.scheduled).isEmpty();
    }

    private HttpResponseMessage post(String body) {
        return new BackfillFunction().run(FakeHttp.request(HttpMethod.POST, "/api/backfill", body, Map.of()),
                client.context(), FakeHttp.context("Backfill"));
    }
}
