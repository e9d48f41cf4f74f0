package com.skyfit.lake.simulator;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The EVO (W12) integration API on a local port for several keys ("scopes"), each a gym network with its own
 * branches, Basic credentials (DNS and secret key), request limit and faults. Bare JSON arrays, take/skip with each
 * endpoint's largest take (a larger one is refused with 400), inclusive Start/End date filters, 429 with
 * Retry-After over a sliding 60-second window per key. Records are generated per day from a seed when asked, so a
 * network of millions of entries costs memory for a few days, not for the network.
 */
public final class EvoSimulator implements AutoCloseable {
    /** The changes one {@link #advance} makes to a scope. */
    public record Advance(int newDays, int memberChanges, int receivableChanges, int saleRemovals, int lateEntries,
            long seed) {}

    private final Map<String, EvoScope> scopes = new LinkedHashMap<>();
    private final Map<String, EvoScope> byDns = new ConcurrentHashMap<>();
    private final Map<String, EvoCounters> counters = new ConcurrentHashMap<>();
    private final Map<String, SlidingWindowLimit> limits = new ConcurrentHashMap<>();
    private final Map<String, Faults> faults = new ConcurrentHashMap<>();
    private final Faults allScopes = new Faults();
    private final EvoCounters unknownKey = new EvoCounters();
    private final Map<String, int[]> pathFailures = new ConcurrentHashMap<>();
    private final EvoSimulatorBuilder settings;
    private final SimulatorClock clock;
    private LoopbackServer server;

    EvoSimulator(EvoSimulatorBuilder settings) {
        this.settings = settings;
        this.clock = settings.clock;
        for (EvoScope s : settings.scopes()) {
            scopes.put(s.name(), s);
            byDns.put(s.dns(), s);
            counters.put(s.name(), new EvoCounters());
            faults.put(s.name(), new Faults());
            if (settings.limit > 0) {
                limits.put(s.name(), new SlidingWindowLimit(settings.limit, settings.window));
            }
        }
    }

    public static EvoSimulatorBuilder builder() {
        return new EvoSimulatorBuilder();
    }

    /**
     * Serves a simulated EVO until the process stops and prints the settings that reach it.
     * Arguments: [entries (default 20000)] [port (default any free one)].
     */
    public static void main(String[] args) throws InterruptedException {
        EvoSimulator sim = builder().entries(args.length > 0 ? Long.parseLong(args[0]) : 20_000)
                .port(args.length > 1 ? Integer.parseInt(args[1]) : 0).start();
        // A simulator secret guards nothing real; printing it is what makes the simulator usable.
        sim.settings().forEach((k, v) -> System.out.println("export " + k + "=" + v));
        new java.util.concurrent.CountDownLatch(1).await();
    }

    public synchronized EvoSimulator start() {
        if (server == null) {
            EvoHttp http = new EvoHttp(byDns, counters, unknownKey, limits, faults, allScopes, pathFailures);
            server = LoopbackServer.start(settings.port, 8, "evo-simulator", http::handle);
        }
        return this;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public List<String> scopes() {
        return List.copyOf(scopes.keySet());
    }

    public String dns(String scope) {
        return scope(scope).dns();
    }

    public String secret(String scope) {
        return scope(scope).secret();
    }

    /** First served day; the lake's EVO_START_DATE. */
    public LocalDate startDate() {
        return settings.start;
    }

    /** Last served day (moves with {@link #advance}). */
    public LocalDate endDate() {
        EvoScope any = scopes.values().iterator().next();
        return any.date(any.days() - 1);
    }

    /**
     * The settings that point the lake at this simulator: EVO_BASE_URL, EVO_SCOPES, EVO_{SCOPE}_DNS,
     * EVO_{SCOPE}_SECRET_KEY, EVO_START_DATE, and EVO_REQUESTS_PER_MINUTE when the limit is on (the same rate).
     */
    public Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("EVO_BASE_URL", baseUrl());
        out.put("EVO_SCOPES", String.join(",", scopes.keySet()));
        for (EvoScope s : scopes.values()) {
            String prefix = "EVO_" + s.name().toUpperCase(Locale.ROOT) + "_";
            out.put(prefix + "DNS", s.dns());
            out.put(prefix + "SECRET_KEY", s.secret());
        }
        out.put("EVO_START_DATE", settings.start.toString());
        if (settings.limit > 0) {
            out.put("EVO_REQUESTS_PER_MINUTE", String.valueOf(settings.limit * 60_000L / settings.window.toMillis()));
        }
        return out;
    }

    /** Faults of one scope (rateLimitNext, failNext, delay), checked before those of every scope. */
    public Faults faults(String scope) {
        scope(scope);
        return faults.get(scope);
    }

    public Faults faults() {
        return allScopes;
    }

    /** The {@code nth} request (1 = the next) of a scope to a path such as "/api/v1/entries" answers {@code status}, once. */
    public void failRequest(String scope, String path, int nth, int status) {
        scope(scope);
        pathFailures.put(scope + path, new int[] {nth, status});
    }

    public EvoRequestStats stats(String scope) {
        scope(scope);
        return counters.get(scope).snapshot();
    }

    /** Requests whose Basic user is no scope's DNS. */
    public EvoRequestStats unknownKeyStats() {
        return unknownKey.snapshot();
    }

    public long requestCount(String scope) {
        return stats(scope).requests();
    }

    public long requestCount(String scope, String path) {
        return stats(scope).perPath().getOrDefault(path, 0L);
    }

    /** 429s served to a scope, over the rate or injected. */
    public long rateLimitedCount(String scope) {
        return stats(scope).rateLimited();
    }

    public void resetCounts() {
        counters.values().forEach(EvoCounters::reset);
        unknownKey.reset();
    }

    public EvoTruth truth(String scope) {
        return new EvoTruth(scope(scope));
    }

    /** One change of one scope; its time is the clock's now less a minute, on the gym's wall clock. */
    public synchronized EvoChanges advance(String scope, Advance plan) {
        LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        return EvoAdvance.apply(scope(scope), plan, EvoTime.second(now.minusMinutes(1)));
    }

    /**
     * Moves every scope on by {@code newDays} with changes in proportion to its size: about 5% of members change
     * status, 5% of sales get a receivable received or canceled, 2% of sales are removed, and the last day already
     * served gets 10% more entries. Keep the last day before today, so no record lies in the lake's future.
     */
    public Map<String, EvoChanges> advance(int newDays, long seed) {
        Map<String, EvoChanges> out = new TreeMap<>();
        for (EvoScope s : scopes.values()) {
            long lastDay = s.entries().dayCount(s.days() - 1);
            Advance plan = new Advance(newDays, (int) (s.members().total() / 20 + 1), (int) (s.sales().total() / 20 + 1),
                    (int) (s.sales().total() / 50 + 1), (int) Math.max(1, lastDay / 10), seed);
            out.put(s.name(), advance(s.name(), plan));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private EvoScope scope(String name) {
        EvoScope s = scopes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown EVO scope '" + name + "', known: " + scopes.keySet());
        }
        return s;
    }
}
