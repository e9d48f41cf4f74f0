package com.skyfit.lake.source;

import java.time.Duration;

/**
 * Request behaviour of one source: bounded retries with exponential backoff for transient failures,
 * the longest wait a rate-limit answer may impose, and the per-scope request budget.
 */
public record HttpSettings(
        int retries,
        Duration backoffBase,
        Duration backoffMax,
        Duration maxRetryWait,
        int requestsPerWindow,
        Duration window,
        Duration connectTimeout,
        Duration requestTimeout) {

    public static HttpSettings defaults() {
        return new HttpSettings(5, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(120),
                20, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(120));
    }

    public HttpSettings withRetries(int n) {
        return new HttpSettings(n, backoffBase, backoffMax, maxRetryWait, requestsPerWindow, window, connectTimeout, requestTimeout);
    }

    public HttpSettings withBackoff(Duration base, Duration max) {
        return new HttpSettings(retries, base, max, maxRetryWait, requestsPerWindow, window, connectTimeout, requestTimeout);
    }

    public HttpSettings withMaxRetryWait(Duration wait) {
        return new HttpSettings(retries, backoffBase, backoffMax, wait, requestsPerWindow, window, connectTimeout, requestTimeout);
    }

    public HttpSettings withRate(int requests, Duration per) {
        return new HttpSettings(retries, backoffBase, backoffMax, maxRetryWait, requests, per, connectTimeout, requestTimeout);
    }
}
