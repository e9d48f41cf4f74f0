package com.skyfit.lake.source;

import java.time.Duration;

/**
 * Request behaviour of one source: bounded retries with exponential backoff for transient failures,
 * the longest wait a rate-limit answer may impose, the per-token request budget, the largest response
 * body read into memory, and how far past now a source's update time may move the watermark (the
 * source's clock may run ahead of ours, or a record may carry a wrong, future time).
 */
public record HttpSettings(
        int retries,
        Duration backoffBase,
        Duration backoffMax,
        Duration maxRetryWait,
        int requestsPerWindow,
        Duration window,
        Duration connectTimeout,
        Duration requestTimeout,
        long maxBodyBytes,
        Duration clockSkew) {

    public static final long DEFAULT_MAX_BODY_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);

    public static HttpSettings defaults() {
        return new HttpSettings(5, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(120),
                20, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(120), DEFAULT_MAX_BODY_BYTES,
                DEFAULT_CLOCK_SKEW);
    }

    public HttpSettings withRetries(int n) {
        return new HttpSettings(n, backoffBase, backoffMax, maxRetryWait, requestsPerWindow, window, connectTimeout,
                requestTimeout, maxBodyBytes, clockSkew);
    }

    public HttpSettings withBackoff(Duration base, Duration max) {
        return new HttpSettings(retries, base, max, maxRetryWait, requestsPerWindow, window, connectTimeout,
                requestTimeout, maxBodyBytes, clockSkew);
    }

    public HttpSettings withMaxRetryWait(Duration wait) {
        return new HttpSettings(retries, backoffBase, backoffMax, wait, requestsPerWindow, window, connectTimeout,
                requestTimeout, maxBodyBytes, clockSkew);
    }

    public HttpSettings withRate(int requests, Duration per) {
        return new HttpSettings(retries, backoffBase, backoffMax, maxRetryWait, requests, per, connectTimeout,
                requestTimeout, maxBodyBytes, clockSkew);
    }

    public HttpSettings withMaxBodyBytes(long bytes) {
        return new HttpSettings(retries, backoffBase, backoffMax, maxRetryWait, requestsPerWindow, window,
                connectTimeout, requestTimeout, bytes, clockSkew);
    }

    public HttpSettings withClockSkew(Duration skew) {
        return new HttpSettings(retries, backoffBase, backoffMax, maxRetryWait, requestsPerWindow, window,
                connectTimeout, requestTimeout, maxBodyBytes, skew);
    }

    /** Time between two requests of one token when they are spread evenly over the window. */
    public Duration requestInterval() {
        return window.dividedBy(requestsPerWindow);
    }
}
