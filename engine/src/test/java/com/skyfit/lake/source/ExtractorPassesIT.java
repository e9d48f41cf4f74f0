package com.skyfit.lake.source;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.skyfit.lake.source.pipedrive.PipedriveSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watermark candidate over several passes, and pages damaged around their records, against a
 * real HTTP server with hand-written pages.
 */
class ExtractorPassesIT {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

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
                .withRetries(0).withClockSkew(Duration.ofMinutes(5))), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private void deals(String status, String body) {
        server.stubFor(get(urlPathEqualTo("/api/v2/deals"))
                .withQueryParam("status", status == null ? absent() : equalTo(status))
                .willReturn(aResponse().withBody(body)));
    }

    private void archived(String body) {
        server.stubFor(get(urlPathEqualTo("/api/v2/deals/archived")).willReturn(aResponse().withBody(body)));
    }

    private static String page(String... updateTimes) {
        StringBuilder sb = new StringBuilder("{\"success\":true,\"data\":[");
        for (int i = 0; i < updateTimes.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"id\":").append(i + 1).append(",\"update_time\":\"")
                    .append(updateTimes[i]).append("\"}");
        }
        return sb.append("],\"additional_data\":{\"next_cursor\":null}}").toString();
    }

    private ExtractOutcome readDeals() throws Exception {
        return extractor.read(extractor.definition().stream("deals"), scope, null, null,
                r -> sink.add(new String(r, StandardCharsets.UTF_8)));
    }

    @Test
    void theWatermarkIsTheLowestOfThePassesHighestUpdateTimes() throws Exception {
        // The deleted pass runs later and sees a later change; a deal changed between the passes is
        // not in the first pass, so the watermark must not pass the first pass's highest time.
        deals(null, page("2026-05-01 10:00:00", "2026-05-03 08:00:00"));
        deals("deleted", page("2026-05-20 09:30:00"));
        archived(page("2026-05-10 00:00:00"));
        ExtractOutcome out = readDeals();
        assertThat(out.records()).isEqualTo(4);
        assertThat(out.maxCursor()).isEqualTo(Instant.parse("2026-05-03T08:00:00Z"));
    }

    @Test
    void aPassThatOnlyReReadsTheOverlapDoesNotHoldTheWatermarkAtItsLastChange() throws Exception {
        // The last deletion (T2) lies before the watermark the window was planned from, so the deleted pass reads it
        // again on every run through the overlap; the new changes of the other pass must still move the watermark.
        Instant watermark = Instant.parse("2026-05-20T10:00:00Z");
        deals(null, page("2026-05-20 09:55:00", "2026-05-25 08:00:00"));
        deals("deleted", page("2026-05-20 09:52:00"));
        archived(page());
        ExtractOutcome out = extractor.read(extractor.definition().stream("deals"), scope,
                watermark.minus(Duration.ofMinutes(10)), null, watermark, null, r -> sink.add(new String(r, StandardCharsets.UTF_8)));
        assertThat(out.records()).isEqualTo(3);
        assertThat(out.maxCursor()).isEqualTo(Instant.parse("2026-05-25T08:00:00Z"));

        // nothing new in either pass: no candidate, the watermark stays
        server.resetAll();
        deals(null, page("2026-05-20 09:55:00"));
        deals("deleted", page("2026-05-20 09:52:00"));
        archived(page());
        assertThat(extractor.read(extractor.definition().stream("deals"), scope, watermark.minus(Duration.ofMinutes(10)),
                null, watermark, null, r -> { }).maxCursor()).isNull();
    }

    @Test
    void anEpochCursorTooLargeForADateLeavesItsRecordWithoutACursor() throws Exception {
        deals(null, "{\"success\":true,\"data\":[{\"id\":1,\"update_time\":99999999999999999},"
                + "{\"id\":2,\"update_time\":123456789012345678901234567890},"
                + "{\"id\":3,\"update_time\":1779000000}],\"additional_data\":{\"next_cursor\":null}}");
        deals("deleted", page());
        archived(page());

        ExtractOutcome out = readDeals();

        assertThat(out.records()).isEqualTo(3);
        assertThat(out.unparsable()).isZero();
        assertThat(out.maxCursor()).isEqualTo(Instant.ofEpochSecond(1779000000));
    }

    @Test
    void anEmptyPassDoesNotHoldTheWatermarkBackOrPushItForward() throws Exception {
        deals(null, page("2026-05-03 08:00:00"));
        deals("deleted", page());
        archived(page());
        assertThat(readDeals().maxCursor()).isEqualTo(Instant.parse("2026-05-03T08:00:00Z"));
        server.resetAll();
        deals(null, page());
        deals("deleted", page());
        archived(page());
        assertThat(readDeals().maxCursor()).isNull();
    }

    @Test
    void aFutureDatedUpdateTimeMovesTheWatermarkNoFurtherThanNowPlusTheSkew() throws Exception {
        deals(null, page("2026-05-03 08:00:00", "2099-01-01 00:00:00"));
        deals("deleted", page("2098-01-01 00:00:00"));
        archived(page("2097-01-01 00:00:00"));
        assertThat(readDeals().maxCursor()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }

    @Test
    void aDamagedEnvelopeFieldIsReadLenientlySoPagingGoesOn() throws Exception {
        String p1 = "{\"success\":true,\"data\":[{\"id\":1,\"update_time\":\"2026-05-01 00:00:00\"}],"
                + "\"additional_data\":{\"next_cursor\":\"c2\",\"note\":\"tab\there\"}}";
        server.stubFor(get(urlPathEqualTo("/api/v2/persons")).withQueryParam("cursor", absent())
                .willReturn(aResponse().withBody(p1)));
        server.stubFor(get(urlPathEqualTo("/api/v2/persons")).withQueryParam("cursor", equalTo("c2"))
                .willReturn(aResponse().withBody(page("2026-05-02 00:00:00"))));
        ExtractOutcome out = extractor.read(extractor.definition().stream("persons"), scope, null, null,
                r -> sink.add(new String(r, StandardCharsets.UTF_8)));
        assertThat(out.records()).isEqualTo(2);
        assertThat(out.unparsable()).isZero();
        assertThat(out.maxCursor()).isEqualTo(Instant.parse("2026-05-02T00:00:00Z"));
    }

    @Test
    void anEnvelopeWhoseNextCursorCannotBeReadFailsLoudlyInsteadOfEndingThePaging() {
        String p1 = "{\"success\":true,\"data\":[{\"id\":1,\"update_time\":\"2026-05-01 00:00:00\"}],"
                + "\"additional_data\":{\"next_cursor\":\"c2\",}}";
        server.stubFor(get(urlPathEqualTo("/api/v2/persons")).willReturn(aResponse().withBody(p1)));
        assertThatThrownBy(() -> extractor.read(extractor.definition().stream("persons"), scope, null, null,
                r -> sink.add(new String(r, StandardCharsets.UTF_8))))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("\"additional_data\"").hasMessageContaining("next page is unknown")
                .satisfies(e -> assertThat(((SourceException) e).permanent()).isFalse());
        assertThat(sink).containsExactly("{\"id\":1,\"update_time\":\"2026-05-01 00:00:00\"}");
    }

    @Test
    void badRecordsGoOnAsRawLinesBetweenTheirGoodNeighbours() throws Exception {
        String body = "{\"success\":true,\"data\":[{\"id\":1,\"update_time\":\"2026-05-01 00:00:00\"},\n"
                + "{\"id\":2,\"title\":\"a\tb\",\"update_time\":\"2026-05-09 00:00:00\"},\n"
                + "{\"id\":3,\"title\":\"line\nbreak\",\"update_time\":\"2026-05-02 00:00:00\"},\n"
                + "{\"id\":4,\"update_time\":\"2026-05-03 00:00:00\"}],\"additional_data\":{\"next_cursor\":null}}";
        server.stubFor(get(urlPathEqualTo("/api/v2/persons")).willReturn(aResponse().withBody(body)));
        ExtractOutcome out = extractor.read(extractor.definition().stream("persons"), scope, null, null,
                r -> sink.add(new String(r, StandardCharsets.UTF_8)));
        assertThat(out.records()).isEqualTo(4);
        assertThat(out.unparsable()).isEqualTo(1);
        assertThat(sink.get(1)).isEqualTo("{\"id\":2,\"title\":\"a\tb\",\"update_time\":\"2026-05-09 00:00:00\"}");
        // A raw line break inside a string becomes its escape: one line, and what the sender meant.
        assertThat(sink.get(2)).isEqualTo("{\"id\":3,\"title\":\"line\\nbreak\",\"update_time\":\"2026-05-02 00:00:00\"}");
        // The unparsable record's time is not trusted for the watermark.
        assertThat(out.maxCursor()).isEqualTo(Instant.parse("2026-05-03T00:00:00Z"));
        assertThat(sink).allSatisfy(l -> assertThat(l).doesNotContain("\n"));
    }

    @Test
    void aPageThatIsNotJsonIsKeptWholeAsOneLineAndFailsClearly() {
        server.stubFor(get(urlPathEqualTo("/api/v2/persons")).willReturn(aResponse()
                .withBody("{\"success\":true,\"data\":[{\"id\":1,\"update_time\":\"2026-05-01")));
        assertThatThrownBy(() -> extractor.read(extractor.definition().stream("persons"), scope, null, null,
                r -> sink.add(new String(r, StandardCharsets.UTF_8))))
                .isInstanceOf(SourceException.class).hasMessageContaining("ends inside a string")
                .hasMessageContaining("kept in bronze as one invalid line");
        assertThat(sink).containsExactly("{\"success\":true,\"data\":[{\"id\":1,\"update_time\":\"2026-05-01");
    }

    @Test
    void offsetPagingStepsOverAPageThatIsNotJsonAndGoesOn() throws Exception {
        StreamSpec sales = StreamSpec.builder("sales", "/api/v1/sales").paginator(Paginator.takeSkip()).pageSize(2)
                .cursorField("updated").build();
        Extractor evo = new Extractor(new SourceDefinition("evo", List.of(sales), PipedriveSource.DEFINITION.errors()),
                new HttpReader(HttpSettings.defaults().withRetries(0)), Clock.fixed(NOW, ZoneOffset.UTC));
        server.stubFor(get(urlPathEqualTo("/api/v1/sales")).withQueryParam("skip", equalTo("0"))
                .willReturn(aResponse().withBody("[{\"id\":1,\"updated\":\"2026-05-01 00:00:00\"},{\"id\":2,")));
        server.stubFor(get(urlPathEqualTo("/api/v1/sales")).withQueryParam("skip", equalTo("2"))
                .willReturn(aResponse().withBody("[{\"id\":3,\"updated\":\"2026-05-02 00:00:00\"}]")));
        ExtractOutcome out = evo.read(sales, scope, null, null, r -> sink.add(new String(r, StandardCharsets.UTF_8)));
        assertThat(sink).containsExactly("[{\"id\":1,\"updated\":\"2026-05-01 00:00:00\"},{\"id\":2,",
                "{\"id\":3,\"updated\":\"2026-05-02 00:00:00\"}");
        assertThat(out.unparsable()).isEqualTo(1);
        assertThat(out.requests()).isEqualTo(2);

        // A server that only ever sends broken pages does not page for ever.
        server.stubFor(get(urlPathEqualTo("/api/v1/sales")).willReturn(aResponse().withBody("<html>")));
        assertThatThrownBy(() -> evo.read(sales, scope, null, null, r -> {})).isInstanceOf(SourceException.class)
                .hasMessageContaining("next page is unknown");
    }
}
