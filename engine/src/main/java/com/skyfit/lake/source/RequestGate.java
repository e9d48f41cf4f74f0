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

    /** Blocks until the token may send one request; returns when its slot fell, on {@link System#nanoTime()}. */
    long acquire(String tokenKey, String label, Duration interval) throws IOException, InterruptedException;

    /**
     * The request whose slot fell at {@code slotNanos} goes out now. Later than its slot by more than a hundredth of
     * the interval and two milliseconds (a GC pause, a starved CPU, a slow step between gate and socket), it moves
     * every slot of the token not yet taken by that delay: the spacing only keeps a sliding window under its limit if
     * requests go out when their slots say, and two late ones with the next ones on time would put one request too
     * many in a window.
     */
    void sending(String tokenKey, String label, long slotNanos, Duration interval) throws IOException;

    /** Delays below this never move the slots: an unthrottled token would otherwise write on every request. */
    long LATE_FLOOR_NANOS = 2_000_000;

    /** How late a request went out after its slot, when that is late enough to move the token's next slots. */
    static long lateNanos(long slotNanos, Duration interval) {
        long late = System.nanoTime() - slotNanos;
        return late > Math.max(LATE_FLOOR_NANOS, interval.toNanos() / 100) ? late : 0;
    }

    /** No request of the token starts before now plus {@code wait}. */
    void pause(String tokenKey, String label, Duration wait) throws IOException;
}
