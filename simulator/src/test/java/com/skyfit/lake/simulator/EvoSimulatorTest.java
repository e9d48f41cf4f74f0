package com.skyfit.lake.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EvoSimulatorTest {
    static final LocalDate FIRST = LocalDate.parse("2024-05-01");
    private EvoSimulator sim;
    private EvoApi metro;

    static EvoSimulatorBuilder small() {
        return EvoSimulator.builder().scopes("metro", "coast").branches(3).entries(12_000).seed(7).days(FIRST, 14)
                .requestsPerMinute(0).clock(SimulatorClock.fixed(Instant.parse("2024-05-20T12:00:00Z")));
    }

    @BeforeEach
    void start() {
        sim = small().start();
        metro = new EvoApi(sim, "metro");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void entriesOfADayComePageByPageInOrderEndingOnAShortPage() {
        LocalDate day = FIRST.plusDays(2);
        long expected = sim.truth("metro").entriesPerDay().get(day);
        assertThat(expected).isGreaterThan(250);
        List<JsonNode> all = metro.all("/api/v1/entries", window("registerDate", day), 100);
        assertThat(all).hasSize((int) expected);
        assertThat(all.size() % 100).isNotZero(); // so the last page above was a short one, not an empty one
        for (int i = 1; i < all.size(); i++) {
            JsonNode a = all.get(i - 1);
            JsonNode b = all.get(i);
            int byDate = a.get("date").asText().compareTo(b.get("date").asText());
            assertThat(byDate < 0 || byDate == 0 && a.get("idBranch").asInt() <= b.get("idBranch").asInt()).isTrue();
            assertThat(b.get("date").asText()).startsWith(day.toString());
        }
        assertThat(all).allSatisfy(e -> assertThat(e.fieldNames()).toIterable().containsExactly("date", "idMember",
                "idProspect", "idBranch", "entryType", "device", "blockReason", "releasedBy"));
    }

    @Test
    void aTakeOverTheEndpointsMaximumIsRefused() {
        Map<String, Integer> max = Map.of("/api/v2/members", 50, "/api/v2/membermembership", 25, "/api/v2/sales", 100,
                "/api/v1/receivables", 50, "/api/v1/entries", 1000, "/api/v1/prospects", 50, "/api/v2/employees", 50);
        max.forEach((path, n) -> {
            assertThat(metro.get(path + "?take=" + n).statusCode()).as(path).isEqualTo(200);
            HttpResponse<String> over = metro.get(path + "?take=" + (n + 1));
            assertThat(over.statusCode()).as(path).isEqualTo(400);
            assertThat(over.body()).isEqualTo("{\"message\":\"take must be <= " + n + "\"}");
        });
        assertThat(metro.json("/api/v1/configuration").size()).isEqualTo(3);
    }

    @Test
    void bothBoundsAreInclusiveForDateTimesAndPlainDates() {
        JsonNode some = metro.json("/api/v1/entries?take=1&skip=40&" + window("registerDate", FIRST.plusDays(1))).get(0);
        String t = some.get("date").asText();
        JsonNode exact = metro.json("/api/v1/entries?take=1000&registerDateStart=" + t + "&registerDateEnd=" + t);
        assertThat(exact).isNotEmpty().allSatisfy(e -> assertThat(e.get("date").asText()).isEqualTo(t)).contains(some);

        JsonNode member = metro.json("/api/v2/members?take=1&skip=3").get(0);
        String r = member.get("registerDate").asText();
        JsonNode same = metro.json("/api/v2/members?registerDateStart=" + r + "&registerDateEnd=" + r);
        assertThat(same).extracting(m -> m.get("idMember").asLong()).contains(member.get("idMember").asLong());

        LocalDate day = FIRST.plusDays(3);
        long whole = sim.truth("metro").entriesPerDay().get(day);
        // a plain date is that day's 00:00:00: as an end bound it keeps the day out (no entry before 05:00)
        assertThat(metro.json("/api/v1/entries?take=1000&registerDateStart=" + day + "&registerDateEnd=" + day)).isEmpty();
        assertThat(metro.all("/api/v1/entries", "registerDateStart=" + day + "&registerDateEnd=" + day.plusDays(1), 1000))
                .hasSize((int) whole);
        assertThat(metro.get("/api/v1/entries?registerDateStart=01/05/2024").statusCode()).isEqualTo(400);
    }

    @Test
    void aWrongSecretOrUnknownKeyIsRefusedWith401() {
        assertThat(new EvoApi(sim.baseUrl(), sim.dns("metro"), "wrong").get("/api/v2/members").statusCode()).isEqualTo(401);
        assertThat(new EvoApi(sim.baseUrl(), sim.dns("metro"), sim.secret("coast")).get("/api/v2/members").statusCode())
                .isEqualTo(401);
        assertThat(new EvoApi(sim.baseUrl(), "nobody", "x").get("/api/v2/members").statusCode()).isEqualTo(401);
        assertThat(new EvoApi(sim.baseUrl(), null, null).get("/api/v2/members").statusCode()).isEqualTo(401);
        assertThat(sim.stats("metro").unauthorized()).isEqualTo(2);
        assertThat(sim.unknownKeyStats().unauthorized()).isEqualTo(2);
        assertThat(new EvoApi(sim, "coast").get("/api/v2/members").statusCode()).isEqualTo(200);
    }

    @Test
    void overTheRatePerKeyComes429WithRetryAfterAndUnderItNone() throws Exception {
        try (EvoSimulator limited = small().rateLimit(5, Duration.ofSeconds(2)).start()) {
            EvoApi api = new EvoApi(limited, "metro");
            for (int i = 0; i < 5; i++) {
                assertThat(api.get("/api/v2/employees").statusCode()).isEqualTo(200);
            }
            HttpResponse<String> refused = api.get("/api/v2/employees");
            assertThat(refused.statusCode()).isEqualTo(429);
            int wait = Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow());
            assertThat(wait).isBetween(1, 2);
            assertThat(new EvoApi(limited, "coast").get("/api/v2/employees").statusCode()).isEqualTo(200);
            Thread.sleep(wait * 1000L + 50);
            assertThat(api.get("/api/v2/employees").statusCode()).isEqualTo(200);
            assertThat(limited.stats("metro").rateLimited()).isEqualTo(1);
            assertThat(limited.stats("metro").served()).isEqualTo(6);
            assertThat(limited.stats("coast").rateLimited()).isZero();
            assertThat(limited.settings()).containsEntry("EVO_REQUESTS_PER_MINUTE", "150");
        }
        for (int i = 0; i < 60; i++) {
            assertThat(metro.get("/api/v2/employees").statusCode()).isEqualTo(200); // limit off
        }
        assertThat(sim.rateLimitedCount("metro")).isZero();
    }

    @Test
    void injectedFaultsAnswerOnceThenTheRequestSucceeds() {
        sim.failRequest("metro", "/api/v1/entries", 2, 503);
        assertThat(metro.get("/api/v1/entries?take=1").statusCode()).isEqualTo(200);
        assertThat(metro.get("/api/v1/entries?take=1").statusCode()).isEqualTo(503);
        assertThat(metro.get("/api/v1/entries?take=1").statusCode()).isEqualTo(200);
        sim.faults("metro").rateLimitNext(1, 3);
        HttpResponse<String> limited = metro.get("/api/v2/sales?take=1");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("3");
        assertThat(sim.stats("metro").failed()).isEqualTo(1);
        assertThat(sim.requestCount("metro", "/api/v1/entries")).isEqualTo(3);
        assertThat(sim.requestCount("coast")).isZero();
    }

    @Test
    void settingsPointTheLakeAtTheSimulator() {
        Map<String, String> s = sim.settings();
        assertThat(s).containsEntry("EVO_BASE_URL", sim.baseUrl()).containsEntry("EVO_SCOPES", "metro,coast")
                .containsEntry("EVO_METRO_DNS", sim.dns("metro")).containsEntry("EVO_COAST_SECRET_KEY", sim.secret("coast"))
                .containsEntry("EVO_START_DATE", "2024-05-01").doesNotContainKey("EVO_REQUESTS_PER_MINUTE");
        assertThat(sim.secret("metro")).isNotEqualTo(sim.secret("coast"));
        assertThat(sim.endDate()).isEqualTo(LocalDate.parse("2024-05-14"));
    }

    @Test
    void nestedListsComeOnlyWhenAskedFor() {
        assertThat(metro.json("/api/v2/members?take=1").get(0).has("memberships")).isFalse();
        JsonNode member = metro.json("/api/v2/members?take=1&showMemberships=true").get(0);
        assertThat(member.get("memberships")).isNotEmpty();
        assertThat(member.get("contacts")).isNotEmpty();
        assertThat(metro.json("/api/v2/sales?take=1").get(0).has("receivables")).isFalse();
        JsonNode sale = metro.json("/api/v2/sales?take=1&showReceivables=true").get(0);
        assertThat(sale.get("receivables")).isNotEmpty();
        String body = metro.get("/api/v2/sales?take=20&showReceivables=true").body();
        assertThat(body).containsPattern("\"saleValue\":\\d+\\.\\d\\d,").doesNotContainPattern("\"saleValue\":\\d+\\.\\d,")
                .containsPattern("\"ammount\":\\d+\\.\\d\\d,");
    }

    static String window(String filter, LocalDate day) {
        return filter + "Start=" + day + "T00:00:00&" + filter + "End=" + day + "T23:59:59";
    }
}
