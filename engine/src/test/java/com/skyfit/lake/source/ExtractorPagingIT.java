package com.skyfit.lake.source;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.skyfit.lake.source.pipedrive.PipedriveSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Paging strategies and verbatim records against a real HTTP server with hand-written pages. */
class ExtractorPagingIT {
    private WireMockServer server;
    private ScopeConfig scope;
    private Extractor extractor;
    private final List<String> sink = new ArrayList<>();

    @BeforeEach
    void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        scope = HttpReaderErrorTableIT.scope(server.baseUrl());
        extractor = new Extractor(PipedriveSource.definition(2), new HttpReader(HttpSettings.defaults()
                .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50))));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private void collect(byte[] record) {
        sink.add(new String(record, StandardCharsets.UTF_8));
    }

    @Test
    void anExportCursorCallKeepsTheStreamsOtherParametersAndDropsOnlyTheTime() throws Exception {
        StreamSpec tickets = StreamSpec.builder("tickets", "/api/v2/incremental/tickets/cursor.json")
                .paginator(Paginator.exportCursor("tickets")).pageSize(2).cursorField("generated_timestamp")
                .param("start_time", "0").param("include", "metric_sets")
                .incremental("start_time", null, StreamSpec.TimeFormat.UNIX_SECONDS).build();
        Extractor export = new Extractor(new SourceDefinition("zendesk", List.of(tickets),
                com.skyfit.lake.source.zendesk.ZendeskSource.DEFINITION.errors()), new HttpReader(HttpSettings.defaults()));
        String path = "/api/v2/incremental/tickets/cursor.json";
        server.stubFor(get(urlPathEqualTo(path)).withQueryParam("cursor", absent()).willReturn(aResponse().withBody(
                "{\"tickets\":[{\"id\":1,\"generated_timestamp\":100}],\"after_cursor\":\"c2\",\"end_of_stream\":false}")));
        server.stubFor(get(urlPathEqualTo(path)).withQueryParam("cursor", equalTo("c2")).willReturn(aResponse().withBody(
                "{\"tickets\":[{\"id\":2,\"generated_timestamp\":200}],\"after_cursor\":\"c3\",\"end_of_stream\":true}")));

        export.read(tickets, scope, Instant.ofEpochSecond(50), null, this::collect);
        export.read(tickets, scope, Instant.ofEpochSecond(50), null, Instant.ofEpochSecond(60), "c2", this::collect);

        server.verify(1, getRequestedFor(urlPathEqualTo(path)).withQueryParam("start_time", equalTo("50"))
                .withQueryParam("include", equalTo("metric_sets")));
        server.verify(2, getRequestedFor(urlPathEqualTo(path)).withQueryParam("cursor", equalTo("c2"))
                .withQueryParam("include", equalTo("metric_sets")).withQueryParam("start_time", absent()));
        assertThat(sink).hasSize(3);
    }

    @Test
    void cursorPagingFollowsNextCursorOverSeveralPagesAndKeepsRecordsVerbatim() throws Exception {
        String p1 = """
                {"success":true,"data":[{"id":1,"update_time":"2024-01-01 10:00:00"},
                  {"id": 7253394974479.0, "title":"Caf\\u00e9 é \\"q\\"", "nested":{"update_time":"2099-01-01 00:00:00"},
                   "update_time":"2024-03-05 08:52:06.047"}],
                 "additional_data":{"next_cursor":"c2"}}""";
        String p2 = "{\"success\":true,\"data\":[{\"id\":3,\"update_time\":\"2024-02-01 00:00:00\",\"v\":1.50}],"
                + "\"additional_data\":{\"next_cursor\":\"c3\"}}";
        String p3 = "{\"success\":true,\"data\":[],\"additional_data\":{\"next_cursor\":null}}";
        server.stubFor(get(urlPathEqualTo("/api/v2/persons")).withQueryParam("cursor", absent())
                .willReturn(aResponse().withBody(p1)));
        server.stubFor(get(urlPathEqualTo("/api/v2/persons")).withQueryParam("cursor", equalTo("c2"))
                .willReturn(aResponse().withBody(p2)));
        server.stubFor(get(urlPathEqualTo("/api/v2/persons")).withQueryParam("cursor", equalTo("c3"))
                .willReturn(aResponse().withBody(p3)));

        ExtractOutcome out = extractor.read(extractor.definition().stream("persons"), scope,
                Instant.parse("2024-01-01T00:00:00.400Z"), Instant.parse("2024-06-01T00:00:00.200Z"), this::collect);

        assertThat(out.records()).isEqualTo(3);
        assertThat(out.requests()).isEqualTo(3);
        // The nested update_time is not the record's; the top-level one with milliseconds wins.
        assertThat(out.maxCursor()).isEqualTo(Instant.parse("2024-03-05T08:52:06.047Z"));
        assertThat(sink.get(0)).isEqualTo("{\"id\":1,\"update_time\":\"2024-01-01 10:00:00\"}");
        assertThat(sink.get(1)).startsWith("{\"id\": 7253394974479.0, \"title\":\"Caf\\u00e9 é \\\"q\\\"\",")
                .doesNotContain("\n").endsWith("\"update_time\":\"2024-03-05 08:52:06.047\"}");
        assertThat(sink.get(2)).isEqualTo("{\"id\":3,\"update_time\":\"2024-02-01 00:00:00\",\"v\":1.50}");
        server.verify(getRequestedFor(urlPathEqualTo("/api/v2/persons"))
                .withQueryParam("updated_since", equalTo("2024-01-01T00:00:00Z"))
                .withQueryParam("updated_until", equalTo("2024-06-01T00:00:01Z"))
                .withQueryParam("limit", equalTo("2"))
                .withQueryParam("sort_by", equalTo("update_time")));
    }

    @Test
    void dealsReadTheDeletedAndTheArchivedListsAsFurtherPassesIntoTheSameSink() throws Exception {
        server.stubFor(get(urlPathEqualTo("/api/v2/deals")).withQueryParam("status", absent()).willReturn(aResponse()
                .withBody("{\"data\":[{\"id\":1,\"status\":\"open\"}],\"additional_data\":{\"next_cursor\":null}}")));
        server.stubFor(get(urlPathEqualTo("/api/v2/deals")).withQueryParam("status", equalTo("deleted")).willReturn(aResponse()
                .withBody("{\"data\":[{\"id\":2,\"status\":\"deleted\"}],\"additional_data\":{\"next_cursor\":null}}")));
        server.stubFor(get(urlPathEqualTo("/api/v2/deals/archived")).willReturn(aResponse()
                .withBody("{\"data\":[{\"id\":3,\"is_archived\":true}],\"additional_data\":{\"next_cursor\":null}}")));
        ExtractOutcome out = extractor.read(extractor.definition().stream("deals"), scope, null, null, this::collect);
        assertThat(out.records()).isEqualTo(3);
        assertThat(sink).containsExactly("{\"id\":1,\"status\":\"open\"}", "{\"id\":2,\"status\":\"deleted\"}",
                "{\"id\":3,\"is_archived\":true}");
        server.verify(2, getRequestedFor(urlPathEqualTo("/api/v2/deals")).withQueryParam("updated_since", absent()));
        server.verify(1, getRequestedFor(urlPathEqualTo("/api/v2/deals/archived")).withQueryParam("status", absent())
                .withQueryParam("sort_by", equalTo("update_time")).withQueryParam("updated_since", absent()));
    }

    @Test
    void usersPageWithStartAndLimitOnV1AndIgnoreTheWindow() throws Exception {
        server.stubFor(get(urlPathEqualTo("/api/v1/users")).withQueryParam("start", equalTo("0")).willReturn(aResponse()
                .withBody("{\"success\":true,\"data\":[{\"id\":11884360,\"modified\":\"2023-03-22 14:21:29\"},{\"id\":2}],"
                        + "\"additional_data\":{\"pagination\":{\"start\":0,\"limit\":2,"
                        + "\"more_items_in_collection\":true,\"next_start\":2}}}")));
        server.stubFor(get(urlPathEqualTo("/api/v1/users")).withQueryParam("start", equalTo("2")).willReturn(aResponse()
                .withBody("{\"success\":true,\"data\":[{\"id\":3,\"modified\":\"2024-01-02 00:00:00\"}],"
                        + "\"additional_data\":{\"pagination\":{\"start\":2,\"limit\":2,\"more_items_in_collection\":false}}}")));
        ExtractOutcome out = extractor.read(extractor.definition().stream("users"), scope,
                Instant.parse("2030-01-01T00:00:00Z"), null, this::collect);
        assertThat(out.records()).isEqualTo(3);
        assertThat(out.requests()).isEqualTo(2);
        assertThat(out.maxCursor()).isEqualTo(Instant.parse("2024-01-02T00:00:00Z"));
        server.verify(0, getRequestedFor(urlPathEqualTo("/api/v1/users")).withQueryParam("updated_since", equalTo("2030-01-01T00:00:00Z")));
    }

    @Test
    void takeSkipPagesOverBareArraysUntilAShortPage() throws Exception {
        StreamSpec entries = StreamSpec.builder("entries", "/api/v1/entries").paginator(Paginator.takeSkip())
                .pageSize(2).cursorField("date").incremental("registerDateStart", "registerDateEnd", StreamSpec.TimeFormat.DATE)
                .build();
        Extractor evo = new Extractor(new SourceDefinition("evo", List.of(entries),
                ErrorTable.builder().standardRows().build()), new HttpReader(HttpSettings.defaults()));
        server.stubFor(get(urlPathEqualTo("/api/v1/entries")).withQueryParam("skip", equalTo("0"))
                .willReturn(aResponse().withBody("[{\"idMember\":1,\"date\":\"2024-05-01T10:00:00\"},\n {\"idMember\":2,\"date\":\"2024-05-02T10:00:00\"}]")));
        server.stubFor(get(urlPathEqualTo("/api/v1/entries")).withQueryParam("skip", equalTo("2"))
                .willReturn(aResponse().withBody("[{\"idMember\":3,\"date\":\"2024-05-03T10:00:00\"}]")));
        ExtractOutcome out = evo.read(entries, scope, Instant.parse("2024-05-01T05:00:00Z"),
                Instant.parse("2024-05-03T05:00:00Z"), this::collect);
        assertThat(out.records()).isEqualTo(3);
        assertThat(out.requests()).isEqualTo(2);
        assertThat(out.maxCursor()).isEqualTo(Instant.parse("2024-05-03T10:00:00Z"));
        assertThat(sink).containsExactly("{\"idMember\":1,\"date\":\"2024-05-01T10:00:00\"}",
                "{\"idMember\":2,\"date\":\"2024-05-02T10:00:00\"}", "{\"idMember\":3,\"date\":\"2024-05-03T10:00:00\"}");
        server.verify(getRequestedFor(urlPathEqualTo("/api/v1/entries")).withQueryParam("take", equalTo("2"))
                .withQueryParam("registerDateStart", equalTo("2024-05-01")).withQueryParam("registerDateEnd", equalTo("2024-05-04")));
    }

    @Test
    void aFullLastTakeSkipPageCostsOneEmptyRequest() throws Exception {
        StreamSpec members = StreamSpec.builder("members", "/api/v2/members").paginator(Paginator.takeSkip()).pageSize(1).build();
        Extractor evo = new Extractor(new SourceDefinition("evo", List.of(members), ErrorTable.builder().standardRows().build()),
                new HttpReader(HttpSettings.defaults()));
        server.stubFor(get(urlPathEqualTo("/api/v2/members")).withQueryParam("skip", equalTo("0"))
                .willReturn(aResponse().withBody("[{\"idMember\":1}]")));
        server.stubFor(get(urlPathEqualTo("/api/v2/members")).withQueryParam("skip", equalTo("1"))
                .willReturn(aResponse().withBody("[]")));
        ExtractOutcome out = evo.read(members, scope, null, null, this::collect);
        assertThat(out.records()).isEqualTo(1);
        assertThat(out.requests()).isEqualTo(2);
        assertThat(out.maxCursor()).isNull();
    }
}
