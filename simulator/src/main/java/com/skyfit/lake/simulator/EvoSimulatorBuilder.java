package com.skyfit.lake.simulator;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * How a simulated EVO is made. Sizes are totals over all scopes, shared evenly; members default to entries / 45,
 * sales to entries / 9, prospects to members / 4 (production's proportions); each member has 1-7 contracts
 * (about 4), each sale 1-3 items and 1-3 receivables. Days default to the 30 days that end the day before
 * yesterday, so {@code advance(1, ..)} adds yesterday and nothing served lies in the future.
 */
public final class EvoSimulatorBuilder {
    final List<String> names = new ArrayList<>(List.of("metro", "coast"));
    final Map<String, String> secrets = new HashMap<>();
    final Map<String, String> dnsNames = new HashMap<>();
    int branches = 3;
    long entries = 20_000;
    long members = -1;
    long sales = -1;
    long prospects = -1;
    long seed = 42;
    LocalDate start;
    int days = 30;
    int limit = 40;
    Duration window = Duration.ofSeconds(60);
    int port;
    long cacheBytes = 32L << 20;
    SimulatorClock clock = SimulatorClock.system();

    EvoSimulatorBuilder() {}

    /** Scope names (one per EVO key); letters, digits and underscores, as they go into setting names. */
    public EvoSimulatorBuilder scopes(String... scopes) {
        for (String s : scopes) {
            if (!s.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("scope '" + s + "' must be letters, digits and underscores");
            }
        }
        names.clear();
        names.addAll(List.of(scopes));
        return this;
    }

    public EvoSimulatorBuilder branches(int perScope) {
        if (perScope < 1 || perScope > 99) {
            throw new IllegalArgumentException("branches per scope must be 1..99, got " + perScope);
        }
        this.branches = perScope;
        return this;
    }

    /** Entries over all scopes and days; the other kinds follow unless set. */
    public EvoSimulatorBuilder entries(long total) {
        this.entries = requireCount(total);
        return this;
    }

    public EvoSimulatorBuilder members(long total) {
        this.members = requireCount(total);
        return this;
    }

    public EvoSimulatorBuilder sales(long total) {
        this.sales = requireCount(total);
        return this;
    }

    public EvoSimulatorBuilder prospects(long total) {
        this.prospects = requireCount(total);
        return this;
    }

    public EvoSimulatorBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The first day served (EVO_START_DATE) and how many days follow it, that day included. */
    public EvoSimulatorBuilder days(LocalDate first, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("days must be at least 1, got " + count);
        }
        this.start = first;
        this.days = count;
        return this;
    }

    /** Requests per key in any 60 seconds before 429 (EVO: 40); 0 switches the limit off. */
    public EvoSimulatorBuilder requestsPerMinute(int n) {
        return rateLimit(n, Duration.ofSeconds(60));
    }

    /** A limit over another window, for tests that cannot wait a minute; 0 requests switches it off. */
    public EvoSimulatorBuilder rateLimit(int requests, Duration window) {
        this.limit = Math.max(0, requests);
        this.window = window;
        return this;
    }

    public EvoSimulatorBuilder port(int port) {
        this.port = port;
        return this;
    }

    public EvoSimulatorBuilder secret(String scope, String secret) {
        secrets.put(scope, secret);
        return this;
    }

    public EvoSimulatorBuilder dns(String scope, String dns) {
        dnsNames.put(scope, dns);
        return this;
    }

    /** Heap per scope for generated days kept for their next pages (default 32 MB; 0 generates every page anew). */
    public EvoSimulatorBuilder cacheMegabytes(int mb) {
        this.cacheBytes = Math.max(0, mb) * (1L << 20);
        return this;
    }

    public EvoSimulatorBuilder clock(SimulatorClock clock) {
        this.clock = clock;
        return this;
    }

    public EvoSimulator build() {
        if (start == null) {
            start = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(days + 1L);
        }
        return new EvoSimulator(this);
    }

    public EvoSimulator start() {
        return build().start();
    }

    List<EvoScope> scopes() {
        long m = members >= 0 ? members : entries / 45;
        long s = sales >= 0 ? sales : entries / 9;
        long p = prospects >= 0 ? prospects : m / 4;
        Random keys = new Random(seed);
        List<EvoScope> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String secret = new UUID(keys.nextLong(), keys.nextLong()).toString().toUpperCase(Locale.ROOT);
            EvoScope.Sizes sizes = new EvoScope.Sizes(share(entries, i), share(m, i), share(s, i), share(p, i));
            out.add(new EvoScope(i, name, dnsNames.getOrDefault(name, "skyfit" + name.toLowerCase(Locale.ROOT)),
                    secrets.getOrDefault(name, secret), seed * 1_000_003L + i * 7919L + name.hashCode(), start, days,
                    branches, sizes, cacheBytes));
        }
        return out;
    }

    private long share(long total, int i) {
        return total / names.size() + (i < total % names.size() ? 1 : 0);
    }

    private static long requireCount(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("a record count cannot be negative, got " + n);
        }
        return n;
    }
}
