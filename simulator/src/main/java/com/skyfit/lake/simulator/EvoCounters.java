package com.skyfit.lake.simulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Per-key request counters, cheap enough for millions of requests (no log of each one). */
final class EvoCounters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder served = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder unauthorized = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final Map<String, LongAdder> perPath = new ConcurrentHashMap<>();
    private final AtomicLong first = new AtomicLong();
    private final AtomicLong last = new AtomicLong();

    void arrived(String path, long nanos) {
        requests.increment();
        perPath.computeIfAbsent(path, p -> new LongAdder()).increment();
        first.compareAndSet(0, nanos);
        last.accumulateAndGet(nanos, Math::max);
    }

    void answered(int status) {
        if (status == 200) {
            served.increment();
        } else if (status == 429) {
            rateLimited.increment();
        } else if (status == 401) {
            unauthorized.increment();
        } else if (status >= 500) {
            failed.increment();
        } else {
            refused.increment();
        }
    }

    synchronized void reset() {
        for (LongAdder a : new LongAdder[] {requests, served, rateLimited, unauthorized, failed, refused}) {
            a.reset();
        }
        perPath.clear();
        first.set(0);
        last.set(0);
    }

    EvoRequestStats snapshot() {
        Map<String, Long> paths = new TreeMap<>();
        perPath.forEach((p, n) -> paths.put(p, n.sum()));
        return new EvoRequestStats(requests.sum(), served.sum(), rateLimited.sum(), unauthorized.sum(), failed.sum(),
                refused.sum(), paths, first.get(), last.get());
    }
}
