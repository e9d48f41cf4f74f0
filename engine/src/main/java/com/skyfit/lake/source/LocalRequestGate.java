package com.skyfit.lake.source;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request gate of one process, for readers with no database (tests and tools that only extract).
 * The engine uses {@link PgRequestGate}, so every process and instance shares one budget per token.
 */
public final class LocalRequestGate implements RequestGate {
    private final Map<String, Slots> tokens = new ConcurrentHashMap<>();

    private static final class Slots {
        long next;
        long pausedUntil;
    }

    @Override
    public long acquire(String tokenKey, String label, Duration interval) throws InterruptedException {
        Slots s = tokens.computeIfAbsent(tokenKey, k -> new Slots());
        while (true) {
            long wait;
            long slot;
            synchronized (s) {
                long now = System.nanoTime();
                slot = Math.max(now, Math.max(s.next, s.pausedUntil));
                s.next = slot + interval.toNanos();
                wait = slot - now;
            }
            if (wait <= 0) {
                return slot;
            }
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            synchronized (s) {
                if (s.pausedUntil <= System.nanoTime()) {
                    return slot;
                }
            }
        }
    }

    @Override
    public void sending(String tokenKey, String label, long slotNanos, Duration interval) {
        long late = RequestGate.lateNanos(slotNanos, interval);
        if (late > 0) {
            Slots s = tokens.computeIfAbsent(tokenKey, k -> new Slots());
            synchronized (s) {
                s.next += late;
            }
        }
    }

    @Override
    public void pause(String tokenKey, String label, Duration wait) {
        Slots s = tokens.computeIfAbsent(tokenKey, k -> new Slots());
        synchronized (s) {
            s.pausedUntil = Math.max(s.pausedUntil, System.nanoTime() + wait.toNanos());
        }
    }
}
