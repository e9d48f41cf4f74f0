package com.skyfit.lake.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request to the simulated EVO, in the order the API decides: the key (Basic DNS:secret, else 401), the key's
 * sliding limit (else 429 with Retry-After), injected delays and faults, then the page.
 */
final class EvoHttp {
    private final Map<String, EvoScope> byDns;
    private final Map<String, EvoCounters> counters;
    private final EvoCounters unknownKey;
    private final Map<String, SlidingWindowLimit> limits;
    private final Map<String, Faults> faults;
    private final Faults allScopes;
    private final Map<String, int[]> pathFailures;

    EvoHttp(Map<String, EvoScope> byDns, Map<String, EvoCounters> counters, EvoCounters unknownKey,
            Map<String, SlidingWindowLimit> limits, Map<String, Faults> faults, Faults allScopes,
            Map<String, int[]> pathFailures) {
        this.byDns = byDns;
        this.counters = counters;
        this.unknownKey = unknownKey;
        this.limits = limits;
        this.faults = faults;
        this.allScopes = allScopes;
        this.pathFailures = pathFailures;
    }

    void handle(HttpExchange ex) throws IOException {
        long arrived = System.nanoTime();
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String[] user = credentials(ex.getRequestHeaders().getFirst("Authorization"));
            EvoScope s = user == null ? null : byDns.get(user[0]);
            EvoCounters count = s == null ? unknownKey : counters.get(s.name());
            count.arrived(path, arrived);
            answer(ex, count, s, user, path);
        }
    }

    private int answer(HttpExchange ex, EvoCounters count, EvoScope s, String[] user, String path) throws IOException {
        if (s == null || !s.secret().equals(user[1])) {
            return send(ex, count, 401, EvoRoutes.message("Authorization has been denied for this request."), null);
        }
        SlidingWindowLimit limit = limits.get(s.name());
        long wait = limit == null ? 0 : limit.waitMillis();
        if (wait > 0) {
            return send(ex, count, 429, EvoRoutes.message("Too many requests"), String.valueOf(Math.max(1, (wait + 999) / 1000)));
        }
        Faults own = faults.get(s.name());
        long delay = Math.max(own.delayMillis(), allScopes.delayMillis());
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int failStatus = pathFailure(s.name() + path);
        if (failStatus > 0) {
            return send(ex, count, failStatus, EvoRoutes.message("simulated server error"), null);
        }
        Faults.Decision d = own.decide();
        Faults source = own;
        if (d.serve()) {
            d = allScopes.decide();
            source = allScopes;
        }
        if (d.status() == 429) {
            return send(ex, count, 429, EvoRoutes.message("Too many requests"),
                    source.retryAfterHeader() ? String.valueOf(d.resetSeconds()) : null);
        }
        if (!d.serve()) {
            return send(ex, count, d.status(), EvoRoutes.message("simulated server error"), null);
        }
        if (!"GET".equals(ex.getRequestMethod())) {
            return send(ex, count, 405, EvoRoutes.message("method not allowed"), null);
        }
        try {
            return send(ex, count, 200, EvoRoutes.answer(s, path, query(ex.getRequestURI().getRawQuery())), null);
        } catch (EvoRoutes.Refused e) {
            return send(ex, count, e.status, EvoRoutes.message(e.getMessage()), null);
        } catch (RuntimeException e) {
            return send(ex, count, 500, EvoRoutes.message(e.getClass().getSimpleName()), null);
        }
    }

    /** The status to fail with when this request is the one a test asked to fail, else 0. */
    private int pathFailure(String key) {
        int[] failure = pathFailures.get(key);
        if (failure == null) {
            return 0;
        }
        synchronized (failure) {
            return --failure[0] == 0 && pathFailures.remove(key, failure) ? failure[1] : 0;
        }
    }

    private static String[] credentials(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            return colon < 0 ? null : new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Counted before the answer leaves, so a client that has its answer also sees it in the counters. */
    private static int send(HttpExchange ex, EvoCounters count, int status, byte[] body, String retryAfter)
            throws IOException {
        count.answered(status);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", retryAfter);
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        return status;
    }
}
