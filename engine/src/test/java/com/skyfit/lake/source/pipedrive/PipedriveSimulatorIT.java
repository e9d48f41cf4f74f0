package com.skyfit.lake.source.pipedrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.simulator.Changes;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.source.BudgetExhaustedException;
import com.skyfit.lake.source.ExtractOutcome;
import com.skyfit.lake.source.Extractor;
import com.skyfit.lake.source.HttpReader;
import com.skyfit.lake.source.RestConfig;
import com.skyfit.lake.source.ScopeConfig;
import com.skyfit.lake.source.Sources;
import com.skyfit.lake.source.StreamSpec;
import com.skyfit.lake.source.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Pipedrive source end to end against the simulator: what the source reads is what the API holds. */
class PipedriveSimulatorIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private PipedriveSimulator sim;
    private RestConfig config;
    private Extractor extractor;

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial", "expansion").scale(250).seed(11).start();
        Map<String, String> s = new HashMap<>();
        s.put("PIPEDRIVE_SCOPES", "commercial,expansion");
        s.put("PIPEDRIVE_PAGE_SIZE", "100");
        s.put("PIPEDRIVE_REQUESTS_PER_2S", "200");
        for (String scope : sim.scopes()) {
            s.put(PipedriveConfig.KEYS.baseUrl(scope), sim.baseUrl(scope));
            s.put(PipedriveConfig.KEYS.apiToken(scope), sim.token(scope));
        }
        config = (RestConfig) Sources.get("pipedrive").config(Settings.of(s));
        extractor = new Extractor(config.definition(),
                new HttpReader(config.http().withBackoff(Duration.ofMillis(10), Duration.ofMillis(50))));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** What one read of one entity of one scope collected, by id. */
    record Read(Map<Long, JsonNode> records, ExtractOutcome outcome) {}

    private Read read(String scope, String entity, Instant since) throws Exception {
        Map<Long, JsonNode> got = new LinkedHashMap<>();
        StreamSpec stream = config.definition().stream(entity);
        ExtractOutcome out = extractor.read(stream, config.scope(scope), since, null, bytes -> {
            JsonNode n = JSON.readTree(bytes);
            assertThat(got.put(n.get("id").asLong(), n)).as("duplicate %s id %s", entity, n.get("id")).isNull();
        });
        assertThat(out.records()).isEqualTo(got.size());
        return new Read(got, out);
    }

    private Map<String, Map<String, Read>> readAllScopesInParallel(Map<String, Instant> since) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Map<String, Future<Map<String, Read>>> futures = new LinkedHashMap<>();
            for (ScopeConfig scope : config.scopes()) {
                futures.put(scope.name(), pool.submit(() -> {
                    Map<String, Read> perEntity = new LinkedHashMap<>();
                    for (String entity : config.definition().entities()) {
                        perEntity.put(entity, read(scope.name(), entity, since.get(scope.name() + "/" + entity)));
                    }
                    return perEntity;
                }));
            }
            Map<String, Map<String, Read>> out = new LinkedHashMap<>();
            for (var e : futures.entrySet()) {
                out.put(e.getKey(), e.getValue().get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fullThenIncrementalReadOfTwoScopesInParallelMatchesTheSimulator() throws Exception {
        sim.mutate(0, 0, 4, 5); // some deals are already deleted before the first run
        Map<String, Map<String, Read>> full = readAllScopesInParallel(Map.of());
        Map<String, Instant> watermarks = new ConcurrentHashMap<>();
        for (String scope : sim.scopes()) {
            for (String entity : config.definition().entities()) {
                Read r = full.get(scope).get(entity);
                Map<Long, JsonNode> truth = sim.truth(scope, entity);
                assertThat(r.records()).as("%s %s", scope, entity).isEqualTo(truth);
                watermarks.put(scope + "/" + entity, r.outcome().maxCursor().minus(config.overlap()));
            }
            assertThat(full.get(scope).get("deals").records().values())
                    .filteredOn(d -> d.get("status").asText().equals("deleted")).hasSize(4);
            // 250 deals + 3 real ones over pages of 100, then the deleted pass and the archived pass: 3 + 1 + 1 requests.
            assertThat(full.get(scope).get("deals").outcome().requests()).isEqualTo(5);
        }
        assertThat(full.get("commercial").get("deals").records()).isNotEqualTo(full.get("expansion").get("deals").records());

        Map<String, Changes> changes = sim.mutate(7, 16, 3, 77);
        Map<String, Map<String, Read>> incremental = readAllScopesInParallel(watermarks);
        for (String scope : sim.scopes()) {
            Changes c = changes.get(scope);
            Map<String, Read> got = incremental.get(scope);
            for (String entity : List.of("deals", "persons", "organizations", "activities")) {
                // Exactly the records changed since the watermark (minus overlap): the deals deleted
                // before the first run fall inside the overlap and come again, to be deduped downstream.
                Instant since = watermarks.get(scope + "/" + entity);
                assertThat(got.get(entity).records().keySet()).as("%s %s", scope, entity)
                        .containsExactlyInAnyOrderElementsOf(sim.truth(scope, entity).values().stream()
                                .filter(r -> !Timestamps.parse(r.get("update_time").asText()).isBefore(since))
                                .map(r -> r.get("id").asLong()).toList())
                        .containsAll(union(c.created(entity), c.updated(entity),
                                entity.equals("deals") ? c.deleted(entity) : List.of()))
                        // deleted persons, organizations and activities are listed no more
                        .noneMatch(id -> !entity.equals("deals") && c.deleted(entity).contains(id));
            }
            // Far fewer than a full read: only the changes and the overlap's few neighbours.
            assertThat(got.get("persons").records().size()).isLessThan(c.created("persons").size() + c.updated("persons").size() + 5);
            for (long id : c.deleted("deals")) {
                assertThat(got.get("deals").records().get(id).get("status").asText()).isEqualTo("deleted");
            }
            for (long id : c.archived()) {
                assertThat(got.get("deals").records().get(id).get("is_archived").asBoolean()).isTrue();
            }
            assertThat(got.get("deals").outcome().maxCursor()).isEqualTo(c.time());
            // Small lists are snapshots: read whole again.
            assertThat(got.get("stages").records()).isEqualTo(sim.truth(scope, "stages"));
            assertThat(got.get("users").records()).isEqualTo(sim.truth(scope, "users"));
            Map<Long, JsonNode> truthDeals = sim.truth(scope, "deals");
            got.get("deals").records().forEach((id, d) -> assertThat(d).isEqualTo(truthDeals.get(id)));
        }
    }

    @Test
    void exhaustedDailyBudgetStopsOnlyThatScope() throws Exception {
        sim.faults("expansion").dailyBudget(2);
        assertThatThrownBy(() -> read("expansion", "deals", null)).isInstanceOf(BudgetExhaustedException.class)
                .hasMessageContaining("expansion").hasMessageContaining("watermark unchanged");
        assertThat(read("commercial", "deals", null).records()).hasSize(sim.size("commercial", "deals"));
        assertThat(sim.requestCount("expansion", "/api/v2/deals")).isEqualTo(3);
    }

    @Test
    void transientFaultsAndRateLimitsAreRiddenOut() throws Exception {
        sim.faults("commercial").failNext(2, 503);
        assertThat(read("commercial", "persons", null).records()).isEqualTo(sim.truth("commercial", "persons"));
        sim.faults("commercial").rateLimitNext(1, 1, false);
        long t0 = System.nanoTime();
        assertThat(read("commercial", "pipelines", null).records()).isEqualTo(sim.truth("commercial", "pipelines"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @SafeVarargs
    private static List<Long> union(List<Long>... lists) {
        return List.of(lists).stream().flatMap(List::stream).distinct().collect(Collectors.toList());
    }
}
