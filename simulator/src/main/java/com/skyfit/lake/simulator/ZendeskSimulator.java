package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Zendesk Support API on a local port for one account: the cursor-based incremental exports of tickets and
 * users ({@code start_time}, then {@code cursor} until {@code end_of_stream}), the time-based export of
 * organizations ({@code start_time}, {@code end_time}, {@code next_page}, {@code end_of_stream}; a page holds every
 * record of its last second, so a burst larger than a page comes whole), and the lists of groups, ticket fields and
 * forms ({@code page[size]}, {@code meta.has_more}). Exports keep a request limit per window and answer 429 with
 * Retry-After beyond it. Authentication: Basic {email}/token:{token} or Bearer {oauth token}.
 */
public final class ZendeskSimulator implements AutoCloseable {
    public static final String EMAIL = "agent@skyfit.example";

    /** One request as the server saw it: when, the path, the query and the status sent. */
    public record Request(Instant at, String path, Map<String, String> query, int status) {}

    private final ZendeskData data;
    private final String apiToken;
    private final String oauthToken;
    private final int maxPerPage;
    private final boolean strictPages;
    private final SlidingWindowLimit exportLimit;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> failOnRequest = new ConcurrentHashMap<>();
    private final Map<String, Integer> served = new ConcurrentHashMap<>();
    private final int requestedPort;
    private LoopbackServer server;

    private ZendeskSimulator(Builder b) {
        this.data = new ZendeskData(b.scale, b.seed, b.realRecords, b.burstOrganizations);
        this.apiToken = "zd-api-" + Long.toHexString(b.seed * 7919 + 17) + "-token";
        this.oauthToken = "zd-oauth-" + Long.toHexString(b.seed * 104729 + 3) + "-token";
        this.maxPerPage = b.maxPerPage;
        this.strictPages = b.strictPages;
        this.exportLimit = new SlidingWindowLimit(b.exportLimit, b.exportWindow);
        this.requestedPort = b.port;
    }

    public static Builder builder() {
        return new Builder();
    }

    public synchronized ZendeskSimulator start() {
        if (server != null) {
            return this;
        }
        server = LoopbackServer.start(requestedPort, 4, "zendesk-simulator", this::handle);
        return this;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public String apiToken() {
        return apiToken;
    }

    public String oauthToken() {
        return oauthToken;
    }

    /** Every request received, in order (refused and rate-limited ones included). */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Requests of one path such as "/api/v2/incremental/tickets/cursor.json". */
    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The n-th request (1 = first) of the entity from now on answers HTTP 400, once: a read broken off midway. */
    public void failRequest(String entity, int n) {
        served.put(entity, 0);
        failOnRequest.put(entity, n);
    }

    /** New, changed and deleted tickets and changed users and organizations, all changed a minute ago. */
    public void mutate(int newTickets, int changed, int deleted) {
        data.mutate(newTickets, changed, deleted, Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    /** The records the account holds now, by id. */
    public Map<Long, JsonNode> truth(String entity) {
        return data.truth(entity);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        int status;
        try {
            status = answer(ex, path, q);
        } catch (RuntimeException e) {
            status = send(ex, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}", Map.of());
        }
        requests.add(new Request(Instant.now(), path, q, status));
    }

    private int answer(HttpExchange ex, String path, Map<String, String> q) throws IOException {
        if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
            return send(ex, 401, "{\"error\":\"Couldn't authenticate you\"}", Map.of());
        }
        String entity = entity(path);
        if (entity == null) {
            return send(ex, 404, "{\"error\":\"InvalidEndpoint\",\"description\":\"Not found\"}", Map.of());
        }
        Integer failAt = failOnRequest.get(entity);
        if (failAt != null && served.merge(entity, 1, Integer::sum).equals(failAt)) {
            failOnRequest.remove(entity);
            return send(ex, 400, "{\"error\":\"InvalidPaginationParameter\",\"description\":\"broken off\"}", Map.of());
        }
        boolean export = path.startsWith("/api/v2/incremental/");
        if (export) {
            long wait = exportLimit.waitMillis();
            if (wait > 0) {
                String seconds = String.valueOf(Math.max(1, (wait + 999) / 1000));
                return send(ex, 429, "{\"error\":\"APIRateLimitExceeded\"}", Map.of("Retry-After", seconds));
            }
        }
        int perPage = Math.min(maxPerPage, intParam(q, export ? "per_page" : "page[size]", maxPerPage));
        ObjectNode body = switch (entity) {
            case "tickets", "users" -> ZendeskPages.cursorExport(entity, data.inExportOrder(entity), q, perPage);
            case "organizations" -> ZendeskPages.timeExport(entity, data.inExportOrder(entity), q, perPage, baseUrl() + path,
                    strictPages);
            default -> ZendeskPages.list(entity, data.inExportOrder(entity), q, perPage);
        };
        if (body == null) {
            return send(ex, 400, "{\"error\":\"InvalidPaginationParameter\",\"description\":\"bad cursor or start_time\"}",
                    Map.of());
        }
        return send(ex, 200, ZendeskData.MAPPER.writeValueAsString(body), Map.of());
    }

    private boolean authorized(String header) {
        if (header == null) {
            return false;
        }
        if (header.equals("Bearer " + oauthToken)) {
            return true;
        }
        String basic = Base64.getEncoder().encodeToString((EMAIL + "/token:" + apiToken).getBytes(StandardCharsets.UTF_8));
        return header.equals("Basic " + basic);
    }

    private static String entity(String path) {
        for (String e : ZendeskData.ENTITIES) {
            if (path.equals("/api/v2/incremental/" + e + "/cursor.json") && (e.equals("tickets") || e.equals("users"))
                    || path.equals("/api/v2/incremental/organizations.json") && e.equals("organizations")
                    || path.equals("/api/v2/" + e + ".json") && List.of("groups", "ticket_fields", "ticket_forms").contains(e)) {
                return e;
            }
        }
        return null;
    }

    private static int intParam(Map<String, String> q, String name, int dflt) {
        try {
            return q.containsKey(name) ? Integer.parseInt(q.get(name)) : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            q.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static int send(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
        return status;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public static final class Builder {
        private int scale = 200;
        private long seed = 42;
        private boolean realRecords = true;
        private int burstOrganizations = 30;
        private int maxPerPage = 1000;
        private boolean strictPages;
        private int exportLimit = 10;
        private Duration exportWindow = Duration.ofMinutes(1);
        private int port = 0;

        /** Tickets generated (users: half, organizations: a tenth). */
        public Builder scale(int n) {
            this.scale = n;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder realRecords(boolean on) {
            this.realRecords = on;
            return this;
        }

        /** Organizations that share one updated_at second. */
        public Builder burstOrganizations(int n) {
            this.burstOrganizations = n;
            return this;
        }

        /** Most records a page holds (Zendesk: 1000 for exports, 100 for lists). */
        public Builder maxPerPage(int n) {
            this.maxPerPage = n;
            return this;
        }

        /** Time-export pages stop at per_page even inside one second (a server that splits a second). */
        public Builder strictPages(boolean on) {
            this.strictPages = on;
            return this;
        }

        /** Export requests allowed per window before 429 (Zendesk: 10 a minute). */
        public Builder exportLimit(int requests, Duration window) {
            this.exportLimit = requests;
            this.exportWindow = window;
            return this;
        }

        public Builder port(int p) {
            this.port = p;
            return this;
        }

        public ZendeskSimulator start() {
            return new ZendeskSimulator(this).start();
        }
    }
}
