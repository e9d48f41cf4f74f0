package com.skyfit.lake.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The simulator's notion of "now". Real time by default; a test or demo can pin or advance it, so
 * that changes between runs get update times it can reason about without sleeping.
 */
public final class SimulatorClock extends Clock {
    private final AtomicReference<Instant> pinned = new AtomicReference<>();
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    public static SimulatorClock system() {
        return new SimulatorClock();
    }

    public static SimulatorClock fixed(Instant at) {
        SimulatorClock c = new SimulatorClock();
        c.set(at);
        return c;
    }

    /** Pins the clock at a fixed instant (until advanced or released). */
    public void set(Instant at) {
        pinned.set(at);
    }

    /** Moves the clock forward, pinned or not. */
    public void advance(Duration by) {
        Instant p = pinned.get();
        if (p != null) {
            pinned.set(p.plus(by));
        } else {
            offset.updateAndGet(o -> o.plus(by));
        }
    }

    /** Returns to real time (keeping any offset added by advance). */
    public void release() {
        pinned.set(null);
    }

    @Override
    public Instant instant() {
        Instant p = pinned.get();
        return p != null ? p : Instant.now().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
