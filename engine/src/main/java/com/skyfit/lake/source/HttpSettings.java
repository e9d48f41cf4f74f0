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
        Duration clockSkew,
        boolean slidingWindow) {

    public static final long DEFAULT_MAX_BODY_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);

    public static HttpSettings defaults() {
        return new HttpSettings(5, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(120),
                20, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(120), DEFAULT_MAX_BODY_BYTES,
                DEFAULT_CLOCK_SKEW, false);
    }

    public HttpSettings withRetries(int n) {
        return new HttpSettings(n, backoffBase, backoffMax, maxRetryWait, requestsPerWindow, window, connectTimeout,
                requestTimeout, maxBodyBytes, clockSkew, slidingWindow);
    }

    public HttpSettings withBackoff(Duration base, Duration max) {
        return new HttpSettings(retries, base, max, maxRetryWait, requestsPerWindow, window, connectTimeout,
                requestTimeout, maxBodyBytes, clockSkew, slidingWindow);
    }

    public HttpSettings withMaxRetryWait(Duration wait) {
        return new HttpSettings(retries, backoffBase, backoffMax, wait, requestsPerWindow, window, connectTimeout,
                requestTimeout, maxBodyBytes, clockSkew, slidingWindow);
    }

    public HttpSettings withRate(int requests, Duration per) {
        return new HttpSettings(retries, backoffBase, backoffMax, maxRetryWait, requests, per, connectTimeout,
                requestTimeout, maxBodyBytes, clockSkew, slidingWindow);
    }

    public HttpSettings withMaxBodyBytes(long bytes) {
        return new HttpSettings(retries, backoffBase, backoffMax, maxRetryWait, requestsPerWindow, window,
                connectTimeout, requestTimeout, bytes, clockSkew, slidingWindow);
    }

    public HttpSettings withClockSkew(Duration skew) {
        return new HttpSettings(retries, backoffBase, backoffMax, maxRetryWait, requestsPerWindow, window,
                connectTimeout, requestTimeout, maxBodyBytes, skew, slidingWindow);
    }

    /**
     * The budget is counted by the server in a sliding window (any {@code window} of time holds at most
     * {@code requestsPerWindow} requests): see {@link #requestInterval()}.
     */
    public HttpSettings withSlidingWindow() {
        return new HttpSettings(retries, backoffBase, backoffMax, maxRetryWait, requestsPerWindow, window,
                connectTimeout, requestTimeout, maxBodyBytes, clockSkew, true);
    }

    /**
     * Time between two requests of one token. Spread evenly, N requests take window / N each. Against a sliding
     * window that spacing puts the first and the (N+1)th request exactly one window apart, so a few milliseconds of
     * delay on the way to the server put N+1 in one window and earn a 429: a sliding budget is spaced by
     * window / (N - 1) instead, so N requests span the window and the next comes a whole interval later (a single
     * request per window: two windows). That costs one request in N of the rate (39 of 40 a minute).
     */
    public Duration requestInterval() {
        if (!slidingWindow) {
            return window.dividedBy(requestsPerWindow);
        }
        return requestsPerWindow > 1 ? window.dividedBy(requestsPerWindow - 1) : window.multipliedBy(2);
    }
}
