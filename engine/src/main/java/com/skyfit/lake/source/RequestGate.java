package com.skyfit.lake.source;

import java.io.IOException;
import java.time.Duration;

/**
 * The request budget of a token, shared by everything that sends with it: each request waits for its
 * slot (slots are spaced evenly so at most the configured number fall in any window), and a 429 on one
 * request pauses every request of the token until the server's reset time.
 * Keys identify a token without revealing it ({@link ScopeConfig#tokenKey()}).
 */
public interface RequestGate {

    /** Blocks until the token may send one request. */
    void acquire(String tokenKey, String label, Duration interval) throws IOException, InterruptedException;

    /** No request of the token starts before now plus {@code wait}. */
    void pause(String tokenKey, String label, Duration wait) throws IOException;
}
