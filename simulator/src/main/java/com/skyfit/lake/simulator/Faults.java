package com.skyfit.lake.simulator;

import java.time.Duration;

/**
 * Switchable misbehaviour of one scope (or of every scope), settable while the server runs.
 * Each switch counts down per request, so a test says "the next 2 requests answer 429" and the
 * third one succeeds. All methods are thread-safe.
 */
public final class Faults {
    /** What the simulator does with one request before serving it. */
    record Decision(int status, int resetSeconds, boolean dailyBudgetExhausted) {
        static final Decision SERVE = new Decision(0, 0, false);

        boolean serve() {
            return status == 0;
        }
    }

    private int rateLimited;
    private int rateLimitReset = 1;
    private boolean retryAfterHeader = true;
    private int failures;
    private int failureStatus = 500;
    private long dailyBudget = -1;
    private long used;
    private long delayMillis;
    private String hostileEntity;
    private int hostilePages;
    private HostileRecord hostile;

    /** The next {@code count} requests answer 429 with x-ratelimit-reset and Retry-After of {@code resetSeconds}. */
    public synchronized Faults rateLimitNext(int count, int resetSeconds) {
        return rateLimitNext(count, resetSeconds, true);
    }

    /** As above; without Retry-After the client must read x-ratelimit-reset alone. */
    public synchronized Faults rateLimitNext(int count, int resetSeconds, boolean withRetryAfter) {
        this.rateLimited = count;
        this.rateLimitReset = resetSeconds;
        this.retryAfterHeader = withRetryAfter;
        return this;
    }

    /** The next {@code count} requests answer {@code status} (500, 502, 503...). */
    public synchronized Faults failNext(int count, int status) {
        this.failures = count;
        this.failureStatus = status;
        return this;
    }

    /** After {@code requests} more requests, every request answers 429 with x-daily-requests-left: 0. */
    public synchronized Faults dailyBudget(long requests) {
        this.dailyBudget = requests;
        this.used = 0;
        return this;
    }

    /** Every response waits this long before it is written. */
    public synchronized Faults delay(Duration delay) {
        this.delayMillis = delay.toMillis();
        return this;
    }

    /**
     * The next {@code pages} list pages of {@code entity} (e.g. "deals") that hold records come with
     * the given damage in their first record (or, for TRUNCATED_PAGE, cut short).
     */
    public synchronized Faults hostileRecords(String entity, int pages, HostileRecord kind) {
        this.hostileEntity = entity;
        this.hostilePages = pages;
        this.hostile = kind;
        return this;
    }

    /** The page as it leaves the server, damaged when a hostile-record switch applies to it. */
    synchronized byte[] damage(String entity, byte[] page) {
        if (hostilePages <= 0 || !entity.equals(hostileEntity) || !HostileRecord.hasRecords(page)) {
            return page;
        }
        hostilePages--;
        return hostile.apply(page);
    }

    public synchronized Faults clear() {
        hostilePages = 0;
        rateLimited = 0;
        failures = 0;
        dailyBudget = -1;
        used = 0;
        delayMillis = 0;
        return this;
    }

    synchronized long delayMillis() {
        return delayMillis;
    }

    synchronized boolean retryAfterHeader() {
        return retryAfterHeader;
    }

    /** Requests left today, or -1 when no budget is set. */
    synchronized long dailyLeft() {
        return dailyBudget < 0 ? -1 : Math.max(0, dailyBudget - used);
    }

    synchronized Decision decide() {
        if (dailyBudget >= 0) {
            if (used >= dailyBudget) {
                return new Decision(429, secondsToMidnight(), true);
            }
            used++;
        }
        if (rateLimited > 0) {
            rateLimited--;
            return new Decision(429, rateLimitReset, false);
        }
        if (failures > 0) {
            failures--;
            return new Decision(failureStatus, 0, false);
        }
        return Decision.SERVE;
    }

    private static int secondsToMidnight() {
        long now = System.currentTimeMillis() / 1000;
        return (int) (86_400 - now % 86_400);
    }
}
