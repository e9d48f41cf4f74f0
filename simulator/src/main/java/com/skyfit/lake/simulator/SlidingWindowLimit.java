package com.skyfit.lake.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/** A server-side request limit: at most {@code limit} requests in any window of the given length. */
final class SlidingWindowLimit {
    private final int limit;
    private final Duration window;
    private final Deque<Long> times = new ArrayDeque<>();

    SlidingWindowLimit(int limit, Duration window) {
        this.limit = limit;
        this.window = window;
    }

    /** Zero when a request may go now (and counts it); else milliseconds until the oldest leaves the window. */
    synchronized long waitMillis() {
        long now = System.currentTimeMillis();
        while (!times.isEmpty() && times.peekFirst() <= now - window.toMillis()) {
            times.pollFirst();
        }
        if (times.size() >= limit) {
            return times.peekFirst() + window.toMillis() - now;
        }
        times.addLast(now);
        return 0;
    }
}
