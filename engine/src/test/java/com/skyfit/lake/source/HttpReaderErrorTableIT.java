package com.skyfit.lake.source;

import com.skyfit.lake.testing.LogCapture;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.skyfit.lake.config.Secret;
import com.skyfit.lake.source.pipedrive.PipedriveSource;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One test per row of the Pipedrive error table, against a real HTTP server. */
class HttpReaderErrorTableIT {
    static final String TOKEN = "f3c9a1b2d4e5f60718293a4b5c6d7e8f90a1b2c3";
    private static final String PATH = "/api/v2/deals";
    private static final String OK_BODY = "{\"success\":true,\"data\":[],\"additional_data\":{\"next_cursor\":null}}";

    private WireMockServer server;
    private HttpReader reader;
    private ScopeConfig scope;
    private LogCapture logs;

    @BeforeEach
    void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        reader = new HttpReader(HttpSettings.defaults().withRetries(3)
                .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).withMaxRetryWait(Duration.ofSeconds(1)));
        scope = scope(server.baseUrl());
        logs = new LogCapture();
    }

    @AfterEach
    void stop() {
        logs.close();
        server.stop();
    }

    static ScopeConfig scope(String baseUrl) {
        return new ScopeConfig("pipedrive", "commercial", URI.create(baseUrl),
                new Credential("x-api-token", Secret.of(TOKEN), "PIPEDRIVE_COMMERCIAL_API_TOKEN"));
    }

    private byte[] read() {
        return reader.get(scope, PipedriveSource.DEFINITION.errors(), PATH, Map.of("limit", "500"));
    }

    private void thenOk(String scenario) {
        server.stubFor(get(urlPathEqualTo(PATH)).inScenario(scenario).whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
    }

    @Test
    void aServerEchoingOnlyTheBareTokenOrTheBase64OfBasicNeverShowsThem() {
        String token = "Zt0k3nBareEcho4711abcdef";
        ScopeConfig zendesk = new ScopeConfig("zendesk", "support", URI.create(server.baseUrl()),
                Credential.basic("agent@example.com/token", Secret.of(token), "ZENDESK_API_TOKEN"));
        String encoded = java.util.Base64.getEncoder().encodeToString(("agent@example.com/token:" + token)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        server.stubFor(get(urlPathEqualTo("/api/v2/groups.json")).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"Couldn't authenticate you with token " + token + "\"}")));
        server.stubFor(get(urlPathEqualTo("/api/v2/users.json")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"bad header " + encoded + "\"}")));
        ErrorTable errors = com.skyfit.lake.source.zendesk.ZendeskSource.DEFINITION.errors();

        assertThatThrownBy(() -> reader.get(zendesk, errors, "/api/v2/groups.json", Map.of()))
                .isInstanceOf(SourceException.class).hasMessageContaining("HTTP 401")
                .hasMessageContaining("Couldn't authenticate").hasMessageNotContaining(token);
        assertThatThrownBy(() -> reader.get(zendesk, errors, "/api/v2/users.json", Map.of()))
                .isInstanceOf(SourceException.class).hasMessageContaining("HTTP 400")
                .hasMessageContaining("bad header").hasMessageNotContaining(encoded).hasMessageNotContaining(token);
        assertThat(logs.text()).doesNotContain(token).doesNotContain(encoded);
    }

    @Test
    void rateLimitedAnswersBeyondTheRetryCountStillEndInTheRecords() {
        // Six 429s in a row with retries set to 3: waits on rate limits do not use up the retries.
        for (int i = 0; i < 6; i++) {
            server.stubFor(get(urlPathEqualTo(PATH)).inScenario("long").whenScenarioStateIs(i == 0 ? Scenario.STARTED : "r" + i)
                    .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0")).willSetStateTo(
                            i == 5 ? "recovered" : "r" + (i + 1)));
        }
        thenOk("long");
        assertThat(new String(read())).isEqualTo(OK_BODY);
        server.verify(7, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void rateLimitedWaitsForRetryAfterThenRetries() {
        server.stubFor(get(urlPathEqualTo(PATH)).inScenario("ra").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("recovered"));
        thenOk("ra");
        long t0 = System.nanoTime();
        assertThat(new String(read())).isEqualTo(OK_BODY);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        server.verify(2, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void rateLimitedWaitsForRateLimitResetCappedBySetting() {
        // The server asks for 30 s; the setting caps the wait at 1 s.
        server.stubFor(get(urlPathEqualTo(PATH)).inScenario("reset").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("x-ratelimit-reset", "30")
                        .withHeader("x-daily-requests-left", "9000")).willSetStateTo("recovered"));
        thenOk("reset");
        long t0 = System.nanoTime();
        assertThat(new String(read())).isEqualTo(OK_BODY);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(950)).isLessThan(Duration.ofSeconds(5));
        assertThat(logs.text()).contains("HTTP 429").contains("rate limited");
    }

    @Test
    void dailyBudgetExhaustedStopsTheScopeWithoutRetrying() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(429)
                .withHeader("x-ratelimit-reset", "1").withHeader("x-daily-requests-left", "0")
                .withBody("{\"success\":false,\"error\":\"Daily limit reached\"}")));
        assertThatThrownBy(this::read).isInstanceOf(BudgetExhaustedException.class)
                .hasMessageContaining("commercial").hasMessageContaining("daily request budget")
                .satisfies(e -> assertThat(((SourceException) e).scope()).isEqualTo("commercial"))
                .satisfies(carries("daily budget", ErrorTable.Action.BUDGET_EXHAUSTED, true));
        server.verify(1, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void serverErrorIsRetriedWithBackoffThenSucceeds() {
        server.stubFor(get(urlPathEqualTo(PATH)).inScenario("500").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
        thenOk("500");
        assertThat(new String(read())).isEqualTo(OK_BODY);
        server.verify(2, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void badGatewayExhaustsBoundedRetries() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(502).withBody("Bad Gateway")));
        assertThatThrownBy(this::read).isInstanceOf(SourceException.class)
                .hasMessageContaining("HTTP 502").hasMessageContaining("commercial").hasMessageContaining("Bad Gateway")
                .satisfies(carries("HTTP 500-599", ErrorTable.Action.RETRY, false));
        server.verify(4, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void unauthorizedFailsAtOnceNamingScopeAndSetting() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"success\":false,\"error\":\"unauthorized access\",\"errorCode\":401}")));
        assertThatThrownBy(this::read).isInstanceOf(SourceException.class)
                .hasMessageContaining("scope 'commercial'").hasMessageContaining("PIPEDRIVE_COMMERCIAL_API_TOKEN")
                .hasMessageContaining("unauthorized access").hasMessageNotContaining(TOKEN)
                .satisfies(carries("HTTP 401", ErrorTable.Action.FAIL, true));
        server.verify(1, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void forbiddenFailsAtOnceNamingScopeAndSetting() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(403)
                .withBody("{\"success\":false,\"error\":\"You do not have permission\"}")));
        assertThatThrownBy(this::read).isInstanceOf(SourceException.class)
                .hasMessageContaining("scope 'commercial'").hasMessageContaining("PIPEDRIVE_COMMERCIAL_API_TOKEN")
                .hasMessageContaining("HTTP 403")
                .satisfies(carries("HTTP 403", ErrorTable.Action.FAIL, true));
        server.verify(1, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void badRequestCarriesTheServersMessageWithTheTokenRedacted() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(400)
                .withBody("{\"success\":false,\"error\":\"Validation failed: limit for token " + TOKEN + "\"}")));
        assertThatThrownBy(this::read).isInstanceOf(SourceException.class)
                .hasMessageContaining("HTTP 400").hasMessageContaining("Validation failed: limit")
                .hasMessageNotContaining(TOKEN)
                .satisfies(carries("HTTP 400", ErrorTable.Action.FAIL, true));
    }

    @Test
    void notFoundFailsWithTheServersMessage() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(404)
                .withBody("{\"success\":false,\"error\":\"Unknown method .\"}")));
        assertThatThrownBy(this::read).isInstanceOf(SourceException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining("Unknown method")
                .satisfies(carries("HTTP 404", ErrorTable.Action.FAIL, true));
        server.verify(1, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void connectionRefusedIsRetriedThenFailsNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ScopeConfig nowhere = scope("http://127.0.0.1:" + port);
        assertThatThrownBy(() -> reader.get(nowhere, PipedriveSource.DEFINITION.errors(), PATH, Map.of()))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("could not reach pipedrive scope 'commercial' at http://127.0.0.1:" + port)
                .satisfies(e -> assertThat(((SourceException) e).status()).isZero())
                .satisfies(carries("connection failure", ErrorTable.Action.RETRY, false));
        assertThat(logs.text()).contains("retry 3/3");
    }

    @Test
    void rateLimitedOnEveryRetryFailsAsATransientRateLimit() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0")
                .withHeader("x-daily-requests-left", "900")));
        assertThatThrownBy(this::read).hasMessageContaining("stayed rate limited")
                .satisfies(carries("HTTP 429", ErrorTable.Action.RATE_LIMITED, false));
        // Rate-limit waits are bounded in all, not by the retry count: (3 + 1) x 4 x 1 s, a zero wait counting a
        // second, is 16 waits and 17 requests.
        server.verify(17, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void anyOtherStatusFailsAtOnceWithTheLastRow() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(418).withBody("teapot")));
        assertThatThrownBy(this::read).hasMessageContaining("HTTP 418").hasMessageContaining("teapot")
                .satisfies(carries("other", ErrorTable.Action.FAIL, true));
        server.verify(1, getRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void aDeclaredIgnoreRowTurnsItsStatusIntoNoRecords() throws Exception {
        ErrorTable table = ErrorTable.builder().ignoreStatus(404, "/api/v2/archived").standardRows().build();
        server.stubFor(get(urlPathEqualTo("/api/v2/archived")).willReturn(aResponse().withStatus(404)
                .withBody("{\"error\":\"no archive for this account\"}")));
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(404).withBody("{}")));
        assertThat(reader.get(scope, table, "/api/v2/archived", Map.of())).isNull();
        // The row is declared for its path only: the same status elsewhere still fails.
        assertThatThrownBy(() -> reader.get(scope, table, PATH, Map.of()))
                .satisfies(carries("HTTP 404", ErrorTable.Action.FAIL, true));
        StreamSpec archived = StreamSpec.builder("archived", "/api/v2/archived").paginator(Paginator.cursorInBody())
                .cursorField("update_time").build();
        Extractor extractor = new Extractor(new SourceDefinition("pipedrive", java.util.List.of(archived), table), reader);
        ExtractOutcome out = extractor.read(archived, scope, null, null, r -> {
            throw new AssertionError("no record expected");
        });
        assertThat(out.records()).isZero();
        assertThat(out.maxCursor()).isNull();
        server.verify(2, getRequestedFor(urlPathEqualTo("/api/v2/archived")));
    }

    @Test
    void theEnginesPermanenceIsTheRowsPermanence() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(401)));
        Throwable denied = org.assertj.core.api.Assertions.catchThrowable(this::read);
        assertThat(com.skyfit.lake.pipeline.PermanentExtractException.isPermanent(
                new RuntimeException("wrapped", denied))).isTrue();
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(503)));
        Throwable flaky = org.assertj.core.api.Assertions.catchThrowable(this::read);
        assertThat(com.skyfit.lake.pipeline.PermanentExtractException.isPermanent(flaky)).isFalse();
        assertThat(com.skyfit.lake.pipeline.PermanentExtractException.isPermanent(new java.io.IOException("disk"))).isFalse();
    }

    @Test
    void aBodyLargerThanTheCapFailsClearlyWithoutRetrying() {
        HttpReader capped = new HttpReader(HttpSettings.defaults().withRetries(3)
                .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).withMaxBodyBytes(64 * 1024));
        String big = "{\"data\":[" + "{\"id\":1,\"t\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},".repeat(4000) + "{}]}";
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody(big)));
        assertThatThrownBy(() -> capped.get(scope, PipedriveSource.DEFINITION.errors(), PATH, Map.of()))
                .isInstanceOf(SourceException.class).hasMessageContaining("larger than 65536 bytes")
                .hasMessageContaining("SKYFIT_HTTP_MAX_BODY_MB");
        server.verify(1, getRequestedFor(urlPathEqualTo(PATH)));
        // Without a Content-Length (chunked), the download stops at the cap too.
        server.stubFor(get(urlPathEqualTo("/chunked")).willReturn(aResponse().withStatus(200).withBody(big)
                .withChunkedDribbleDelay(20, 100)));
        assertThatThrownBy(() -> capped.get(scope, PipedriveSource.DEFINITION.errors(), "/chunked", Map.of()))
                .isInstanceOf(SourceException.class).hasMessageContaining("SKYFIT_HTTP_MAX_BODY_MB");
        // A body under the cap is read whole.
        String small = "{\"data\":[]}";
        server.stubFor(get(urlPathEqualTo("/small")).willReturn(aResponse().withStatus(200).withBody(small)));
        assertThat(new String(capped.get(scope, PipedriveSource.DEFINITION.errors(), "/small", Map.of()))).isEqualTo(small);
    }

    private static java.util.function.Consumer<Throwable> carries(String row, ErrorTable.Action action, boolean permanent) {
        return e -> {
            assertThat(e).isInstanceOf(SourceException.class);
            SourceException s = (SourceException) e;
            assertThat(s.row()).isEqualTo(row);
            assertThat(s.action()).isEqualTo(action);
            assertThat(s.permanent()).isEqualTo(permanent);
        };
    }

    @Test
    void tokenTravelsInTheHeaderAndNeverInUrlsMessagesOrLogs() {
        server.stubFor(get(urlPathEqualTo(PATH)).inScenario("t").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        thenOk("t");
        read();
        server.verify(getRequestedFor(urlPathEqualTo(PATH))
                .withHeader("x-api-token", com.github.tomakehurst.wiremock.client.WireMock.equalTo(TOKEN)));
        server.getAllServeEvents().forEach(e -> assertThat(e.getRequest().getUrl()).doesNotContain(TOKEN));
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"token " + TOKEN + " is invalid\"}")));
        assertThatThrownBy(this::read).hasMessageNotContaining(TOKEN).hasMessageContaining("***");
        assertThat(logs.text()).contains("HTTP 503").doesNotContain(TOKEN);
    }
}
