package com.skyfit.lake.simulator;

import java.util.Map;

/**
 * Requests one EVO key sent, as the simulator saw them: all of them, those answered 200, 429 (over the rate, or
 * injected), 401, 5xx (injected) and other refusals (400/404), per path, and the first and last arrival
 * ({@code System.nanoTime()}, 0 when none) from which a rate per minute follows.
 */
public record EvoRequestStats(long requests, long served, long rateLimited, long unauthorized, long failed,
        long refused, Map<String, Long> perPath, long firstNanos, long lastNanos) {

    /** Requests per minute between the first and the last arrival (0 with fewer than two requests). */
    public double perMinute() {
        return requests < 2 || lastNanos == firstNanos ? 0 : (requests - 1) * 60e9 / (lastNanos - firstNanos);
    }
}
