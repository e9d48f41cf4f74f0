package com.skyfit.lake.orchestrations;

import com.microsoft.durabletask.TaskFailedException;
import com.microsoft.durabletask.TaskOptions;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationContext;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.WindowTask;

/**
 * One window's extract under its retry policy. A sub-orchestration of its own so that the policy holds
 * while many windows run side by side (see {@link WindowFanOut}). Returns paths and counts only.
 */
public final class ExtractOneWindow implements TaskOrchestration {

    /** Transient failures are retried with backoff; permanent ones (auth, budget) fail at once. */
    static final ExtractRetry EXTRACT_RETRY = new ExtractRetry();

    @Override
    public void run(TaskOrchestrationContext ctx) {
        ctx.complete(execute(ctx));
    }

    public ExtractResult execute(TaskOrchestrationContext ctx) {
        WindowTask window = ctx.getInput(WindowTask.class);
        try {
            return ctx.callActivity(Names.EXTRACT_WINDOW, window, new TaskOptions(EXTRACT_RETRY), ExtractResult.class).await();
        } catch (TaskFailedException e) {
            throw IngestFailure.of(WindowFanOut.describe(window), e);
        }
    }
}
