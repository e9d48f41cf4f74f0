package com.skyfit.lake.orchestrations;

import com.microsoft.durabletask.FailureDetails;
import com.microsoft.durabletask.RetryContext;
import com.microsoft.durabletask.RetryHandler;
import java.time.Duration;

/**
 * The retry rule of an extract window: a throttled or flaky API gets four tries spread over several
 * minutes (30 s, 60 s, 120 s), but a failure no retry can fix (rejected credentials, a refused request,
 * an exhausted daily budget: the engine's PermanentExtractException) fails at once. Deterministic: the
 * waits are durable timers, the decision reads only the recorded failure.
 */
public final class ExtractRetry implements RetryHandler {
    public static final int MAX_ATTEMPTS = 4;
    public static final Duration FIRST_INTERVAL = Duration.ofSeconds(30);
    public static final Duration MAX_INTERVAL = Duration.ofMinutes(5);
    static final String PERMANENT = "PermanentExtractException";

    @Override
    public boolean handle(RetryContext ctx) {
        if (isPermanent(ctx.getLastFailure()) || ctx.getLastAttemptNumber() >= MAX_ATTEMPTS) {
            return false;
        }
        ctx.getOrchestrationContext().createTimer(delayAfter(ctx.getLastAttemptNumber())).await();
        return true;
    }

    /** The wait after attempt n (1-based): 30 s, 60 s, 120 s ... capped at 5 minutes. */
    public static Duration delayAfter(int attempt) {
        Duration d = FIRST_INTERVAL.multipliedBy(1L << Math.min(attempt - 1, 20));
        return d.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : d;
    }

    /** The host may wrap the activity's exception; its class name survives in the type, message or trace. */
    static boolean isPermanent(FailureDetails f) {
        if (f == null) {
            return false;
        }
        return contains(f.getErrorType()) || contains(f.getErrorMessage()) || contains(f.getStackTrace());
    }

    private static boolean contains(String s) {
        return s != null && s.contains(PERMANENT);
    }
}
