package com.skyfit.lake.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PipedriveSimulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private PipedriveSimulator sim;

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial", "expansion").scale(120).seed(7)
                .clock(SimulatorClock.fixed(Instant.parse("2025-03-01T12:00:00Z"))).start();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void sameSeedGivesSameDataAndScopesDiffer() {
        try (PipedriveSimulator twin = PipedriveSimulator.builder().scale(120).seed(7).build()) {
            assertThat(twin.truth("commercial", "deals")).isEqualTo(sim.truth("commercial", "deals"));
            assertThat(twin.token("commercial")).isEqualTo(sim.token("commercial"));
        }
        assertThat(sim.truth("commercial", "deals")).isNotEqualTo(sim.truth("expansion", "deals"));
        assertThat(sim.token("commercial")).isNotEqualTo(sim.token("expansion"));
    }

    @Test
    void servesRealRecordsBesideGeneratedOnesWithShapeOfTheRealApi() {
        Map<Long, JsonNode> deals = sim.truth("commercial", "deals");
        assertThat(deals).containsKeys(11L, 13L, 14L, 1001L);
        assertThat(deals).hasSize(123);
        JsonNode real = deals.get(11L);
        JsonNode generated = deals.get(1001L);
        assertThat(generated.fieldNames()).toIterable().containsExactlyElementsOf(() -> real.fieldNames());
        assertThat(generated.get("update_time").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        assertThat(sim.size("commercial", "persons")).isEqualTo(123);
        assertThat(sim.size("commercial", "organizations")).isEqualTo(63);
        assertThat(sim.size("commercial", "activities")).isEqualTo(243);
        assertThat(sim.size("commercial", "users")).isEqualTo(8);
    }

    @Test
    void cursorPagingVisitsEveryRecordOnceInOrder() throws Exception {
        for (String sort : List.of("id", "update_time")) {
            List<JsonNode> seen = readAll("commercial", "/api/v2/activities", "limit=50&sort_by=" + sort);
            assertThat(seen).hasSize(243);
            Set<Long> ids = new HashSet<>();
            seen.forEach(r -> ids.add(r.get("id").asLong()));
            assertThat(ids).hasSize(243);
            for (int i = 1; i < seen.size(); i++) {
                String key = sort.equals("id") ? "id" : "update_time";
                assertThat(seen.get(i - 1).get(key).asText().compareTo(seen.get(i).get(key).asText()) <= 0
                        || sort.equals("id") && seen.get(i - 1).get("id").asLong() < seen.get(i).get("id").asLong())
                        .isTrue();
            }
        }
        assertThat(sim.requestCount("commercial", "/api/v2/activities")).isEqualTo(10);
    }

    @Test
    void limitOverFiveHundredIsRefusedOnV2AndCappedOnV1() throws Exception {
        HttpResponse<String> v2 = get("commercial", "/api/v2/deals?limit=501");
        assertThat(v2.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(v2.body()).get("error").asText()).contains("limit");
        JsonNode v1 = JSON.readTree(get("commercial", "/api/v1/users?limit=1000").body());
        assertThat(v1.at("/additional_data/pagination/limit").asInt()).isEqualTo(500);
    }

    @Test
    void usersPageWithStartAndLimit() throws Exception {
        List<Long> ids = new ArrayList<>();
        int start = 0;
        while (true) {
            JsonNode page = JSON.readTree(get("commercial", "/api/v1/users?limit=3&start=" + start).body());
            page.get("data").forEach(u -> ids.add(u.get("id").asLong()));
            JsonNode p = page.at("/additional_data/pagination");
            if (!p.get("more_items_in_collection").asBoolean()) {
                break;
            }
            start = p.get("next_start").asInt();
        }
        assertThat(ids).hasSize(8).doesNotHaveDuplicates().containsAll(sim.truth("commercial", "users").keySet());
    }

    @Test
    void updatedSinceIsInclusiveAndUpdatedUntilExclusive() throws Exception {
        Map<Long, JsonNode> persons = sim.truth("commercial", "persons");
        List<String> times = persons.values().stream().map(p -> p.get("update_time").asText()).sorted().toList();
        String mid = times.get(times.size() / 2);
        Instant since = Instant.parse(mid.replace(' ', 'T') + "Z");
        Instant until = since.plus(Duration.ofDays(30));
        List<JsonNode> got = readAll("commercial", "/api/v2/persons",
                "limit=500&updated_since=" + enc(since.toString()) + "&updated_until=" + enc(until.toString()));
        long expected = times.stream().filter(t -> t.compareTo(mid) >= 0
                && t.compareTo(until.toString().replace('T', ' ').replace("Z", "")) < 0).count();
        assertThat(got).hasSize((int) expected).isNotEmpty();
        assertThat(got).allMatch(p -> p.get("update_time").asText().compareTo(mid) >= 0);
        assertThat(get("commercial", "/api/v2/persons?updated_since=yesterday").statusCode()).isEqualTo(400);
    }

    @Test
    void wrongOrMissingTokenIsUnauthorizedAndQueryTokenWorks() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(
                URI.create(sim.baseUrl("commercial") + "/api/v2/deals")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).get("success").asBoolean()).isFalse();
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl("commercial") + "/api/v2/deals"))
                .header("x-api-token", sim.token("expansion")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(401);
        HttpResponse<String> query = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl("commercial")
                + "/api/v2/deals?api_token=" + sim.token("commercial"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(query.statusCode()).isEqualTo(200);
        assertThat(query.headers().firstValue("x-ratelimit-limit")).isPresent();
        assertThat(query.headers().firstValue("x-ratelimit-remaining")).isPresent();
        assertThat(query.headers().firstValue("x-ratelimit-reset")).isPresent();
        assertThat(query.headers().firstValue("x-daily-requests-left")).isPresent();
    }

    @Test
    void faultsCountDownPerScope() throws Exception {
        sim.faults("commercial").rateLimitNext(2, 3);
        HttpResponse<String> r1 = get("commercial", "/api/v2/stages");
        assertThat(r1.statusCode()).isEqualTo(429);
        assertThat(r1.headers().firstValue("Retry-After")).contains("3");
        assertThat(r1.headers().firstValue("x-ratelimit-reset")).contains("3");
        assertThat(get("expansion", "/api/v2/stages").statusCode()).isEqualTo(200);
        assertThat(get("commercial", "/api/v2/stages").statusCode()).isEqualTo(429);
        assertThat(get("commercial", "/api/v2/stages").statusCode()).isEqualTo(200);

        sim.faults("commercial").rateLimitNext(1, 2, false);
        HttpResponse<String> noRetryAfter = get("commercial", "/api/v2/stages");
        assertThat(noRetryAfter.headers().firstValue("Retry-After")).isEmpty();
        assertThat(noRetryAfter.headers().firstValue("x-ratelimit-reset")).contains("2");

        sim.faults().failNext(2, 502);
        assertThat(get("expansion", "/api/v2/stages").statusCode()).isEqualTo(502);
        assertThat(get("commercial", "/api/v2/stages").statusCode()).isEqualTo(502);
        assertThat(get("commercial", "/api/v2/stages").statusCode()).isEqualTo(200);
    }

    @Test
    void dailyBudgetRunsOutWithZeroRequestsLeft() throws Exception {
        sim.faults("expansion").dailyBudget(2);
        assertThat(get("expansion", "/api/v2/pipelines").headers().firstValue("x-daily-requests-left")).contains("1");
        assertThat(get("expansion", "/api/v2/pipelines").statusCode()).isEqualTo(200);
        HttpResponse<String> over = get("expansion", "/api/v2/pipelines");
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.headers().firstValue("x-daily-requests-left")).contains("0");
        assertThat(get("commercial", "/api/v2/pipelines").statusCode()).isEqualTo(200);
    }

    @Test
    void delaySlowsResponses() throws Exception {
        sim.faults("commercial").delay(Duration.ofMillis(300));
        long t0 = System.nanoTime();
        assertThat(get("commercial", "/api/v2/pipelines").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void mutateCreatesUpdatesAndDeletesWithLaterUpdateTimes() throws Exception {
        String before = sim.truth("commercial", "deals").values().stream()
                .map(d -> d.get("update_time").asText()).max(String::compareTo).orElseThrow();
        Changes c = sim.mutate("commercial", 5, 8, 3, 99);
        assertThat(c.created("deals")).hasSize(5);
        assertThat(c.created("persons")).hasSize(5);
        assertThat(c.deleted("deals")).hasSize(3);
        assertThat(c.updated("deals").size() + c.updated("persons").size() + c.updated("organizations").size()
                + c.updated("activities").size()).isEqualTo(8);
        Map<Long, JsonNode> deals = sim.truth("commercial", "deals");
        assertThat(deals).hasSize(128); // deleted and archived deals are still the source's
        for (long id : c.deleted("deals")) {
            assertThat(deals.get(id).get("status").asText()).isEqualTo("deleted");
            assertThat(deals.get(id).get("update_time").asText()).isGreaterThan(before);
        }
        assertThat(c.time()).isEqualTo(Instant.parse("2025-03-01T12:00:00Z"));

        // Archived deals leave the plain list for their own; deleted ones are only listed with status=deleted.
        assertThat(c.archived()).hasSize(3).doesNotContainAnyElementsOf(c.deleted("deals"));
        List<JsonNode> listed = readAll("commercial", "/api/v2/deals", "limit=500");
        assertThat(listed).hasSize(122).noneMatch(d -> c.deleted("deals").contains(d.get("id").asLong()))
                .noneMatch(d -> c.archived().contains(d.get("id").asLong()));
        List<JsonNode> archived = readAll("commercial", "/api/v2/deals/archived", "limit=500");
        assertThat(archived).extracting(d -> d.get("id").asLong()).containsExactlyInAnyOrderElementsOf(c.archived());
        assertThat(archived).allSatisfy(d -> {
            assertThat(d.get("is_archived").asBoolean()).isTrue();
            assertThat(d.get("archive_time").asText()).isEqualTo(d.get("update_time").asText());
        });
        // Persons, organizations and activities are deleted out of their lists; one pipeline, stage and user
        // leaves its whole list.
        for (String entity : List.of("persons", "organizations", "activities", "pipelines", "stages", "users")) {
            List<Long> gone = c.deleted(entity);
            assertThat(gone).as(entity).hasSize(List.of("persons", "organizations", "activities").contains(entity) ? 3 : 1);
            assertThat(sim.removed("commercial", entity).keySet()).as(entity).containsExactlyInAnyOrderElementsOf(gone);
            assertThat(sim.truth("commercial", entity).keySet()).as(entity).doesNotContainAnyElementsOf(gone);
            String path = entity.equals("users") ? "/api/v1/users" : "/api/v2/" + entity;
            HttpResponse<String> page = get("commercial", path + "?limit=500");
            List<Long> listedIds = new ArrayList<>();
            JSON.readTree(page.body()).get("data").forEach(r -> listedIds.add(r.get("id").asLong()));
            assertThat(listedIds).as(entity).isNotEmpty().doesNotContainAnyElementsOf(gone);
        }
        // A restored person is listed again with a new update time; an unarchived deal returns to the plain list.
        long person = c.deleted("persons").get(0);
        sim.restore("commercial", "persons", person);
        assertThat(sim.removed("commercial", "persons")).doesNotContainKey(person);
        assertThat(readAll("commercial", "/api/v2/persons", "limit=500&updated_since=" + enc(c.time().plusSeconds(1).toString())))
                .extracting(p -> p.get("id").asLong()).containsExactly(person);
        sim.archive("commercial", c.archived().get(0), false);
        assertThat(readAll("commercial", "/api/v2/deals", "limit=500")).hasSize(123);
        List<JsonNode> deleted = readAll("commercial", "/api/v2/deals", "limit=500&status=deleted");
        assertThat(deleted).extracting(d -> d.get("id").asLong()).containsExactlyInAnyOrderElementsOf(c.deleted("deals"));

        List<JsonNode> changed = readAll("commercial", "/api/v2/deals",
                "limit=500&sort_by=update_time&updated_since=" + enc(c.time().toString()));
        assertThat(changed).extracting(d -> d.get("id").asLong())
                .containsAll(c.created("deals")).containsAll(c.updated("deals"));

        // A second change in the same clock second still lands strictly later.
        Changes again = sim.mutate("commercial", 1, 0, 0, 100);
        assertThat(again.time()).isAfter(c.time());
        assertThat(sim.truth("expansion", "deals")).hasSize(123);
    }

    private List<JsonNode> readAll(String scope, String path, String params) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            String url = path + "?" + params + (cursor == null ? "" : "&cursor=" + enc(cursor));
            HttpResponse<String> r = get(scope, url);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode page = JSON.readTree(r.body());
            page.get("data").forEach(out::add);
            JsonNode next = page.at("/additional_data/next_cursor");
            cursor = next.isNull() ? null : next.asText();
        } while (cursor != null);
        return out;
    }

    private HttpResponse<String> get(String scope, String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl(scope) + pathAndQuery))
                .header("x-api-token", sim.token(scope)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
