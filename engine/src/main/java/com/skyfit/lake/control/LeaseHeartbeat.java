package com.skyfit.lake.control;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of the batches at work alive: one background thread refreshes them all, several times per
 * lease timeout, so a long extract, COPY or transform never looks dead. A refresh that fails (the database is
 * briefly away) is logged and tried again at the next beat.
 */
public final class LeaseHeartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseHeartbeat.class);

    private final RunLeases leases;
    private final ConcurrentHashMap<String, Integer> working = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    public LeaseHeartbeat(RunLeases leases) {
        this.leases = leases;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = interval(leases.timeout()).toMillis();
        timer.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /** Ends one keep-alive; closing never fails. */
    @FunctionalInterface
    public interface Handle extends AutoCloseable {
        @Override
        void close();
    }

    /** A quarter of the timeout, between one and thirty seconds. */
    static Duration interval(Duration timeout) {
        long ms = Math.max(1000, Math.min(30_000, timeout.toMillis() / 4));
        return Duration.ofMillis(ms);
    }

    /** Refreshes the batch's leases now and until the returned handle is closed. */
    public Handle keepAlive(String batchId) {
        if (batchId == null) {
            return () -> {};
        }
        working.merge(batchId, 1, Integer::sum);
        beat(batchId);
        return () -> working.computeIfPresent(batchId, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Refreshes the batch's leases once; a failure is logged, never thrown (the next beat tries again). */
    public void beat(String batchId) {
        try {
            leases.heartbeat(java.util.List.of(batchId));
        } catch (RuntimeException e) {
            LOG.warn("lease heartbeat of batch {} failed: {}", batchId, e.getMessage());
        }
    }

    private void beat() {
        if (working.isEmpty()) {
            return;
        }
        try {
            leases.heartbeat(java.util.List.copyOf(working.keySet()));
        } catch (RuntimeException e) {
            LOG.warn("lease heartbeat failed (retried at the next beat): {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
