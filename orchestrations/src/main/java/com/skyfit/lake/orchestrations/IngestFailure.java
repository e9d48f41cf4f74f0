package com.skyfit.lake.orchestrations;

import com.microsoft.durabletask.CompositeTaskFailedException;
import com.microsoft.durabletask.FailureDetails;
import com.microsoft.durabletask.TaskFailedException;

/**
 * Why an ingest run failed, in words an operator can act on, plus the detail (remote stack trace) for
 * ops.runs.error_detail. Thrown out of an orchestrator, it fails the orchestration with this message.
 */
public final class IngestFailure extends RuntimeException {
    private static final int MAX_DETAIL = 8_000;
    private final String detail;

    public IngestFailure(String message, String detail) {
        super(message);
        this.detail = detail == null || detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL);
    }

    public String detail() {
        return detail;
    }

    /** A failed activity or sub-orchestration (after its retries), named by the task that failed. */
    public static IngestFailure of(TaskFailedException e) {
        return of(e.getTaskName(), e);
    }

    public static IngestFailure of(String what, TaskFailedException e) {
        FailureDetails d = e.getErrorDetails();
        String reason = d == null ? e.getMessage() : reason(d.getErrorMessage(), d.getStackTrace());
        return new IngestFailure(what + " failed: " + reason, d == null ? null : d.getStackTrace());
    }

    /** A failed sub-orchestration passes its own reason on unchanged (it already names its window). */
    public static IngestFailure passOn(TaskFailedException e) {
        FailureDetails d = e.getErrorDetails();
        return d == null ? of(e) : new IngestFailure(reason(d.getErrorMessage(), d.getStackTrace()), d.getStackTrace());
    }

    /**
     * The words of a failure. In the Functions host an orchestrator's exception reaches its parent
     * wrapped ("Unexpected failure in the task execution"), with ours further down the stack trace as
     * a cause: the innermost IngestFailure there is the reason worth showing.
     */
    static String reason(String errorMessage, String stackTrace) {
        String marker = "Caused by: " + IngestFailure.class.getName() + ": ";
        if (stackTrace == null || !stackTrace.contains(marker)) {
            return errorMessage;
        }
        String rest = stackTrace.substring(stackTrace.lastIndexOf(marker) + marker.length());
        int end = rest.indexOf("\n\tat ");
        return (end < 0 ? rest : rest.substring(0, end)).strip();
    }

    /**
     * A failed fan-in. In durabletask 1.4.0 a retried task inside allOf may surface as a plain
     * TaskFailedException instead, so callers catch both and both end up here.
     */
    public static IngestFailure of(CompositeTaskFailedException e) {
        for (Exception inner : e.getExceptions()) {
            if (inner instanceof TaskFailedException tfe) {
                return of(tfe);
            }
        }
        return new IngestFailure("A group of tasks failed: " + e.getMessage(), null);
    }
}
