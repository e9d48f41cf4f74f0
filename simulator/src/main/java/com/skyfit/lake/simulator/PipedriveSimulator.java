package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Pipedrive API on a local port, serving several company accounts ("scopes"), each under
 * {@code http://127.0.0.1:{port}/{scope}} with its own token, data, request budget and faults.
 * It answers the v2 list endpoints (cursor paging, updated_since/updated_until, sort_by,
 * deals status=deleted, archived deals at /api/v2/deals/archived) and v1 users (start/limit), with the
 * rate-limit headers of the real API.
 */
public final class PipedriveSimulator implements AutoCloseable {
    public static final Set<String> V2_ENTITIES =
            Set.of("deals", "persons", "organizations", "activities", "pipelines", "stages");
    public static final int MAX_LIMIT = 500;
    static final int BURST_LIMIT = 80;

    private final Map<String, ScopeData> data = new LinkedHashMap<>();
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private final Map<String, Faults> faults = new ConcurrentHashMap<>();
    private final Faults allScopes = new Faults();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, List<Request>> requests = new ConcurrentHashMap<>();
    private static final ThreadLocal<Request> ARRIVED = new ThreadLocal<>();
    private static final int REQUEST_LOG_LIMIT = 100_000;

    /** One request of a token as the server saw it: when it arrived (System.nanoTime), its path and the status sent. */
    public record Request(long arrivedNanos, String path, int status) {}
    private final Map<String, BurstWindow> windows = new ConcurrentHashMap<>();
    private final SimulatorClock clock;
    private final int requestedPort;
    private LoopbackServer server;

    private PipedriveSimulator(Builder b) {
        this.clock = b.clock;
        this.requestedPort = b.port;
        Random tokenRandom = new Random(b.seed);
        for (String scope : b.scopes) {
            data.put(scope, new ScopeData(b.scale, b.seed * 31 + scope.hashCode(), b.realRecords, b.oddValues));
            byte[] t = new byte[20];
            tokenRandom.nextBytes(t);
            tokens.put(scope, b.tokens.getOrDefault(scope, HexFormat.of().formatHex(t)));
            faults.put(scope, new Faults());
            windows.put(scope, new BurstWindow());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public synchronized PipedriveSimulator start() {
        if (server != null) {
            return this;
        }
        server = LoopbackServer.start(requestedPort, 8, "pipedrive-simulator", this::handle);
        return this;
    }

    public int port() {
        return server.port();
    }

    public List<String> scopes() {
        return List.copyOf(data.keySet());
    }

    public String baseUrl(String scope) {
        scopeData(scope);
        return "http://127.0.0.1:" + port() + "/" + scope;
    }

    public String token(String scope) {
        scopeData(scope);
        return tokens.get(scope);
    }

    public SimulatorClock clock() {
        return clock;
    }

    /** Faults of one scope. */
    public Faults faults(String scope) {
        scopeData(scope);
        return faults.get(scope);
    }

    /** Faults that apply to every scope (checked after the scope's own). */
    public Faults faults() {
        return allScopes;
    }

    /** Requests received for one scope and path such as "/api/v2/deals" (faulted ones included). */
    public long requestCount(String scope, String path) {
        LongAdder a = counts.get(scope + path);
        return a == null ? 0 : a.sum();
    }

    public long requestCount(String scope) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(scope + "/"))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    /** Every request of one scope's token, in arrival order (faulted and refused ones included). */
    public List<Request> requests(String scope) {
        List<Request> l = requests.getOrDefault(scope, List.of());
        synchronized (l) {
            return l.stream().sorted(java.util.Comparator.comparingLong(Request::arrivedNanos)).toList();
        }
    }

    public void resetCounts() {
        requests.clear();
        counts.clear();
    }

    /** Creates, updates and deletes records of one scope; changed records get an update time later than any before. */
    public Changes mutate(String scope, int newRecords, int updates, int deletes, long seed) {
        return scopeData(scope).mutate(newRecords, updates, deletes, seed, clock.instant());
    }

    /** The same change on every scope (each with its own seed derived from {@code seed}). */
    public Map<String, Changes> mutate(int newRecords, int updates, int deletes, long seed) {
        Map<String, Changes> out = new LinkedHashMap<>();
        for (String scope : data.keySet()) {
            out.put(scope, mutate(scope, newRecords, updates, deletes, seed * 31 + scope.hashCode()));
        }
        return out;
    }

    /**
     * The records of an entity the source lists, by id: deleted deals (status "deleted") and archived deals
     * included, records removed from their lists not (see {@link #removed}).
     */
    public Map<Long, JsonNode> truth(String scope, String entity) {
        requireEntity(entity);
        return scopeData(scope).truth(entity);
    }

    /** Records deleted out of their lists (persons, organizations, activities) or gone from a whole list. */
    public Map<Long, JsonNode> removed(String scope, String entity) {
        requireEntity(entity);
        return scopeData(scope).removed(entity);
    }

    /** Lists a removed record again with a new update time, as a restore at the source does. */
    public void restore(String scope, String entity, long id) {
        requireEntity(entity);
        scopeData(scope).restore(entity, id, clock.instant());
    }

    /** Archives or unarchives one deal, with a new update time. */
    public void archive(String scope, long dealId, boolean archived) {
        scopeData(scope).archive(dealId, archived, clock.instant());
    }

    public int size(String scope, String entity) {
        requireEntity(entity);
        return scopeData(scope).size(entity);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        ARRIVED.set(new Request(System.nanoTime(), ex.getRequestURI().getPath(), 0));
        try (ex) {
            String path = ex.getRequestURI().getPath();
            int slash = path.indexOf('/', 1);
            String scope = slash < 0 ? path.substring(1) : path.substring(1, slash);
            String rest = slash < 0 ? "" : path.substring(slash);
            ScopeData scopeData = data.get(scope);
            if (scopeData == null) {
                respond(ex, null, 404, error("unknown company account '" + scope + "'"));
                return;
            }
            counts.computeIfAbsent(scope + rest, k -> new LongAdder()).increment();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            Faults own = faults.get(scope);
            sleep(Math.max(own.delayMillis(), allScopes.delayMillis()));
            String token = ex.getRequestHeaders().getFirst("x-api-token");
            if (token == null) {
                token = query.get("api_token");
            }
            if (!tokens.get(scope).equals(token)) {
                respond(ex, scope, 401, error("unauthorized access"));
                return;
            }
            Faults.Decision d = own.decide();
            Faults source = own;
            if (d.serve()) {
                d = allScopes.decide();
                source = allScopes;
            }
            if (!d.serve()) {
                fault(ex, scope, d, source);
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                respond(ex, scope, 405, error("method not allowed"));
                return;
            }
            try {
                String entity = rest.substring(rest.lastIndexOf('/') + 1);
                respond(ex, scope, 200, own.damage(entity, allScopes.damage(entity, route(scopeData, rest, query))));
            } catch (BadRequest e) {
                respond(ex, scope, e.status, error(e.getMessage()));
            }
        }
    }

    private byte[] route(ScopeData scopeData, String rest, Map<String, String> q) {
        if (rest.startsWith("/api/v2/") && V2_ENTITIES.contains(rest.substring(8))) {
            return V2Lists.page(scopeData, rest.substring(8), q);
        }
        if (rest.equals("/api/v2/deals/archived")) {
            return V2Lists.page(scopeData, "deals", q, true);
        }
        if (rest.equals("/api/v1/users")) {
            return V2Lists.usersV1(scopeData, q);
        }
        throw new BadRequest(404, "unknown path " + rest);
    }

    private void fault(HttpExchange ex, String scope, Faults.Decision d, Faults source) throws IOException {
        if (d.status() == 429) {
            ex.getResponseHeaders().set("x-ratelimit-reset", String.valueOf(d.resetSeconds()));
            if (d.dailyBudgetExhausted()) {
                respond(ex, scope, 429, error("daily request limit reached"), 0);
                return;
            }
            if (source.retryAfterHeader()) {
                ex.getResponseHeaders().set("Retry-After", String.valueOf(d.resetSeconds()));
            }
            respond(ex, scope, 429, error("too many requests"));
            return;
        }
        respond(ex, scope, d.status(), error("simulated server error"));
    }

    private void respond(HttpExchange ex, String scope, int status, byte[] body) throws IOException {
        respond(ex, scope, status, body, -1);
    }

    private void respond(HttpExchange ex, String scope, int status, byte[] body, long dailyLeftOverride) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json; charset=utf-8");
        if (scope != null) {
            List<Request> log = requests.computeIfAbsent(scope, k -> new java.util.ArrayList<>());
            synchronized (log) {
                if (log.size() >= REQUEST_LOG_LIMIT) {
                    log.remove(0); // a long demo keeps the latest requests only
                }
                Request r = ARRIVED.get();
                log.add(new Request(r.arrivedNanos(), r.path(), status));
            }
            BurstWindow w = windows.get(scope);
            int used = w.hit();
            h.set("x-ratelimit-limit", String.valueOf(BURST_LIMIT));
            h.set("x-ratelimit-remaining", String.valueOf(Math.max(0, BURST_LIMIT - used)));
            if (!h.containsKey("x-ratelimit-reset")) {
                h.set("x-ratelimit-reset", String.valueOf(w.resetSeconds()));
            }
            long left = dailyLeftOverride >= 0 ? dailyLeftOverride : dailyLeft(scope);
            h.set("x-daily-requests-left", String.valueOf(left));
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private long dailyLeft(String scope) {
        long own = faults.get(scope).dailyLeft();
        long all = allScopes.dailyLeft();
        long left = own < 0 ? all : all < 0 ? own : Math.min(own, all);
        return left < 0 ? Math.max(0, 100_000 - requestCount(scope)) : left;
    }

    static byte[] error(String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var g = RecordFactory.JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeBooleanField("success", false);
            g.writeStringField("error", message);
            g.writeStringField("error_info", "Please check the API documentation for more information.");
            g.writeNullField("data");
            g.writeNullField("additional_data");
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private ScopeData scopeData(String scope) {
        ScopeData d = data.get(scope);
        if (d == null) {
            throw new IllegalArgumentException("unknown scope '" + scope + "', known: " + data.keySet());
        }
        return d;
    }

    private static void requireEntity(String entity) {
        if (!RecordFactory.ENTITIES.contains(entity)) {
            throw new IllegalArgumentException("unknown entity '" + entity + "', known: " + RecordFactory.ENTITIES);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void sleep(long millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A request the API refuses with a status and message. */
    static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** Requests of a token in the current 2-second window, as the x-ratelimit-* headers report them. */
    private static final class BurstWindow {
        private long windowStart;
        private int used;

        synchronized int hit() {
            long now = System.currentTimeMillis();
            if (now - windowStart >= 2000) {
                windowStart = now;
                used = 0;
            }
            return ++used;
        }

        synchronized int resetSeconds() {
            long left = 2000 - (System.currentTimeMillis() - windowStart);
            return (int) Math.max(1, (left + 999) / 1000);
        }
    }

    public static final class Builder {
        private final List<String> scopes = new ArrayList<>(List.of("commercial", "expansion"));
        private final Map<String, String> tokens = new LinkedHashMap<>();
        private int scale = 100;
        private long seed = 42;
        private int port;
        private boolean realRecords = true;
        private boolean oddValues = true;
        private SimulatorClock clock = SimulatorClock.system();

        public Builder scopes(String... names) {
            scopes.clear();
            scopes.addAll(List.of(names));
            return this;
        }

        /** Deals per scope; persons equal it, organizations are half, activities twice. */
        public Builder scale(int deals) {
            if (deals < 1) {
                throw new IllegalArgumentException("scale must be at least 1, got " + deals);
            }
            this.scale = deals;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder token(String scope, String token) {
            tokens.put(scope, token);
            return this;
        }

        /** Whether the real fixture records are served too (default true). */
        /**
         * One generated deal per scope carries values as a person might type them ("1.500,00", "31/12/2024")
         * instead of the API's types, so cast warnings can be seen end to end. On by default.
         */
        public Builder oddValues(boolean include) {
            this.oddValues = include;
            return this;
        }

        public Builder realRecords(boolean include) {
            this.realRecords = include;
            return this;
        }

        public Builder clock(SimulatorClock clock) {
            this.clock = clock;
            return this;
        }

        public PipedriveSimulator build() {
            return new PipedriveSimulator(this);
        }

        public PipedriveSimulator start() {
            return build().start();
        }
    }

    static Instant parseFilter(String name, String value) {
        Instant t = PipedriveTime.parseRfc3339(value);
        if (t == null) {
            throw new BadRequest(400, "Validation failed: " + name + ": Invalid date-time format, expected RFC 3339");
        }
        return t;
    }
}
