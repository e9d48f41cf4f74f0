package com.skyfit.lake.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two engines (two extractors, each with its own connection pool to one PostgreSQL) read with one
 * token from one simulated API that records when each request arrived: together they keep the token's
 * rate, and a 429 answered to one pauses the other too.
 */
class SharedRequestGateIT {
    private static final long MS = 1_000_000;

    PipedriveSimulator sim;
    Map<String, String> pg;
    Database first;
    Database second;

    @BeforeEach
    void start() {
        sim = PipedriveSimulator.builder().scopes("commercial").scale(120).seed(5).start();
        pg = TestPostgres.newDatabaseSettings();
        first = Database.external(pg.get("SKYFIT_PG_URL"), pg.get("SKYFIT_PG_USER"), Secret.of(pg.get("SKYFIT_PG_PASSWORD")));
        second = Database.external(pg.get("SKYFIT_PG_URL"), pg.get("SKYFIT_PG_USER"), Secret.of(pg.get("SKYFIT_PG_PASSWORD")));
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
        sim.close();
    }

    private Extractor engine(Database db, int requestsPer2s) {
        Map<String, String> s = new HashMap<>();
        s.put("PIPEDRIVE_SCOPES", "commercial");
        s.put("PIPEDRIVE_COMMERCIAL_BASE_URL", sim.baseUrl("commercial"));
        s.put("PIPEDRIVE_COMMERCIAL_API_TOKEN", sim.token("commercial"));
        s.put("PIPEDRIVE_PAGE_SIZE", "20");
        s.put("PIPEDRIVE_REQUESTS_PER_2S", String.valueOf(requestsPer2s));
        s.put("PIPEDRIVE_HTTP_RETRIES", "3");
        Sources.Entry entry = Sources.get("pipedrive");
        SourceConfig config = entry.config(Settings.of(s));
        return entry.extractor(config, new PgRequestGate(db.dataSource()));
    }

    /** Both engines read at once, each its own entities; returns when both are done. */
    private void readTogether(Extractor a, List<String> aEntities, Extractor b, List<String> bEntities) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(aEntities.size() + bEntities.size());
        try {
            List<Callable<ExtractOutcome>> work = new ArrayList<>();
            for (String e : aEntities) {
                work.add(() -> read(a, e));
            }
            for (String e : bEntities) {
                work.add(() -> read(b, e));
            }
            for (Future<ExtractOutcome> f : pool.invokeAll(work)) {
                assertThat(f.get().records()).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private ExtractOutcome read(Extractor x, String entity) throws Exception {
        ScopeConfig scope = ((Sources.Entry) Sources.get("pipedrive")).config(Settings.of(Map.of(
                "PIPEDRIVE_SCOPES", "commercial", "PIPEDRIVE_COMMERCIAL_BASE_URL", sim.baseUrl("commercial"),
                "PIPEDRIVE_COMMERCIAL_API_TOKEN", sim.token("commercial")))).scope("commercial");
        return x.read(x.definition().stream(entity), scope, null, null, r -> {});
    }

    @Test
    void twoEnginesTogetherStayWithinTheTokensRate() throws Exception {
        int perWindow = 20; // one request per 100 ms
        readTogether(engine(first, perWindow), List.of("deals", "persons"), engine(second, perWindow),
                List.of("organizations", "activities"));

        List<PipedriveSimulator.Request> log = sim.requests("commercial");
        assertThat(log).hasSizeGreaterThan(25);
        int busiest = 0;
        for (int i = 0; i < log.size(); i++) {
            int n = 0;
            for (int j = i; j < log.size() && log.get(j).arrivedNanos() - log.get(i).arrivedNanos() < 2000 * MS; j++) {
                n++;
            }
            busiest = Math.max(busiest, n);
        }
        // Slots are 100 ms apart at the database; a loaded machine delays some arrivals more than others,
        // so a few requests of tolerance. Two engines each keeping the rate alone reach 32 here (all requests).
        assertThat(busiest).isLessThanOrEqualTo(perWindow + 3);
        // Over the whole read the pair sends at the token's rate, not twice it.
        long span = log.get(log.size() - 1).arrivedNanos() - log.get(0).arrivedNanos();
        assertThat(span).isGreaterThanOrEqualTo((log.size() - 4) * 100 * MS);
        // The budget row names the scope, never the token.
        List<String> rows = first.query("SELECT token_key || ' ' || label FROM ops.request_gate", ps -> {},
                rs -> rs.getString(1));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).contains("pipedrive/commercial").doesNotContain(sim.token("commercial"));
    }

    @Test
    void a429AnsweredToOneEnginePausesTheOtherUntilTheServersResetTime() throws Exception {
        sim.faults("commercial").rateLimitNext(1, 2);
        readTogether(engine(first, 40), List.of("deals"), engine(second, 40), List.of("persons"));

        List<PipedriveSimulator.Request> log = sim.requests("commercial");
        PipedriveSimulator.Request limited = log.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        long t = limited.arrivedNanos();
        // Requests already on their way when the 429 was answered may land; nothing starts after that until the reset.
        List<PipedriveSimulator.Request> duringPause = log.stream()
                .filter(r -> r.arrivedNanos() > t + 600 * MS && r.arrivedNanos() < t + 1900 * MS).toList();
        assertThat(duringPause).isEmpty();
        for (String path : List.of("/commercial/api/v2/deals", "/commercial/api/v2/persons")) {
            assertThat(log.stream().filter(r -> r.path().equals(path) && r.arrivedNanos() >= t + 1900 * MS))
                    .as("requests of " + path + " after the pause").isNotEmpty();
        }
        Duration pausedFor = Duration.ofNanos(log.stream().filter(r -> r.arrivedNanos() > t + 600 * MS)
                .mapToLong(PipedriveSimulator.Request::arrivedNanos).min().orElseThrow() - t);
        assertThat(pausedFor).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }
}
