package com.skyfit.lake.source.evo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small EVO API on a real HTTP server, as the contract describes it: Basic auth per key (DNS and secret key),
 * bare arrays paged by take/skip with each endpoint's largest take (a larger one is refused with 400), inclusive
 * {field}Start / {field}End filters of local times, branches whole in one answer, faults on demand, and an optional
 * sliding-window rate limit per key answered with 429 and Retry-After.
 */
final class EvoTestApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An endpoint: its largest take (0: no paging) and, per date filter, the record field it compares. */
    record Endpoint(int maxTake, Map<String, String> filters) {}

    static final Map<String, Endpoint> ENDPOINTS = Map.of(
            "/api/v1/configuration", new Endpoint(0, Map.of()),
            "/api/v2/members", new Endpoint(50, Map.of("registerDate", "registerDate")),
            "/api/v2/membermembership", new Endpoint(25, Map.of("registerDate", "registerDate")),
            "/api/v2/sales", new Endpoint(100, Map.of("dateSale", "saleDate")),
            "/api/v1/receivables", new Endpoint(50, Map.of("updateDate", "updateDate")),
            "/api/v1/entries", new Endpoint(1000, Map.of("registerDate", "date")),
            "/api/v1/prospects", new Endpoint(50, Map.of("registerDate", "registerDate")),
            "/api/v2/employees", new Endpoint(50, Map.of()));

    /** One request as the server saw it: the key's DNS, the path, the decoded query (sorted), when, and the answer. */
    record Request(String dns, String path, Map<String, String> query, long nanos, int status) {
        String queryText() {
            return String.join("&", query.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
    }

    /** An answer forced on the next request of a path: a status and, for 429, a Retry-After in seconds. */
    record Fault(String path, int status, String retryAfter) {}

    private final HttpServer server;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, List<Map<String, Object>>> data = new ConcurrentHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final Map<String, Deque<Long>> recent = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile int slidingLimit;
    private volatile long slidingNanos;

    EvoTestApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        ENDPOINTS.keySet().forEach(p -> {
            data.put(p, new CopyOnWriteArrayList<>());
            server.createContext(p, this::serve);
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void key(String dns, String secret) {
        secrets.put(dns, secret);
    }

    void add(String path, Map<String, Object> record) {
        data.get(path).add(new TreeMap<>(record));
    }

    void clear(String path) {
        data.get(path).clear();
    }

    synchronized void fault(String path, int status, String retryAfter) {
        faults.add(new Fault(path, status, retryAfter));
    }

    /** At most {@code limit} requests of one key in any {@code windowNanos}; above it 429 with Retry-After: 1. */
    void slidingLimit(int limit, long windowNanos) {
        this.slidingLimit = limit;
        this.slidingNanos = windowNanos;
    }

    List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    private synchronized Fault nextFault(String path) {
        for (Fault f : faults) {
            if (f.path().equals(path)) {
                faults.remove(f);
                return f;
            }
        }
        return null;
    }

    private void serve(HttpExchange x) throws IOException {
        long now = System.nanoTime();
        String path = x.getRequestURI().getPath();
        Map<String, String> q = query(x.getRequestURI().getRawQuery());
        String dns = authenticated(x.getRequestHeaders().getFirst("Authorization"));
        if (dns == null) {
            log(null, path, q, now, 401);
            send(x, 401, Map.of("message", "Authorization has been denied for this request."), null);
            return;
        }
        if (slidingLimit > 0 && !withinLimit(dns, now)) {
            log(dns, path, q, now, 429);
            send(x, 429, Map.of("message", "Too many requests"), "1");
            return;
        }
        Fault fault = nextFault(path);
        if (fault != null) {
            log(dns, path, q, now, fault.status());
            send(x, fault.status(), Map.of("message", "injected"), fault.retryAfter());
            return;
        }
        Endpoint e = ENDPOINTS.get(path);
        int take = e.maxTake() == 0 ? Integer.MAX_VALUE : Integer.parseInt(q.getOrDefault("take", "50"));
        if (take > e.maxTake() && e.maxTake() > 0 || take < 1) {
            log(dns, path, q, now, 400);
            send(x, 400, Map.of("message", "take must be <= " + e.maxTake()), null);
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> r : data.get(path)) {
            if (matches(e, q, r)) {
                rows.add(r);
            }
        }
        long skip = e.maxTake() == 0 ? 0 : Long.parseLong(q.getOrDefault("skip", "0"));
        List<Map<String, Object>> page = rows.stream().skip(skip).limit(take).toList();
        log(dns, path, q, now, 200);
        send(x, 200, page, null);
    }

    private synchronized boolean withinLimit(String dns, long now) {
        Deque<Long> times = recent.computeIfAbsent(dns, k -> new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst() <= now - slidingNanos) {
            times.removeFirst();
        }
        if (times.size() >= slidingLimit) {
            return false;
        }
        times.addLast(now);
        return true;
    }

    private static boolean matches(Endpoint e, Map<String, String> q, Map<String, Object> r) {
        for (Map.Entry<String, String> f : e.filters().entrySet()) {
            Object value = r.get(f.getValue());
            String start = q.get(f.getKey() + "Start");
            String end = q.get(f.getKey() + "End");
            if (start == null && end == null) {
                continue;
            }
            if (value == null) {
                return false;
            }
            LocalDateTime t = LocalDateTime.parse((String) value);
            if (start != null && t.isBefore(bound(start)) || end != null && t.isAfter(bound(end))) {
                return false;
            }
        }
        return true;
    }

    /** yyyy-MM-ddTHH:mm:ss, or a plain date meaning its midnight. */
    private static LocalDateTime bound(String v) {
        return v.length() == 10 ? LocalDate.parse(v).atStartOfDay() : LocalDateTime.parse(v);
    }

    private String authenticated(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return null;
        }
        String pair = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        String dns = pair.substring(0, colon);
        return pair.substring(colon + 1).equals(secrets.get(dns)) ? dns : null;
    }

    private void log(String dns, String path, Map<String, String> q, long nanos, int status) {
        requests.add(new Request(dns, path, q, nanos, status));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new TreeMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                q.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return q;
    }

    private static void send(HttpExchange x, int status, Object body, String retryAfter) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().add("Content-Type", "application/json");
        if (retryAfter != null) {
            x.getResponseHeaders().add("Retry-After", retryAfter);
        }
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
