package com.skyfit.lake.orchestrations;

import com.microsoft.durabletask.RetryPolicy;
import com.microsoft.durabletask.TaskFailedException;
import com.microsoft.durabletask.TaskOptions;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationContext;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.WindowTask;
import java.time.Duration;

/**
 * One window's extract under its retry policy. A sub-orchestration of its own so that the policy holds
 * while many windows run side by side (see {@link WindowFanOut}). Returns paths and counts only.
 */
public final class ExtractOneWindow implements TaskOrchestration {

    /** A throttled or flaky API gets four tries spread over several minutes. */
    static final RetryPolicy EXTRACT_RETRY = new RetryPolicy(4, Duration.ofSeconds(30))
            .setBackoffCoefficient(2.0)
            .setMaxRetryInterval(Duration.ofMinutes(5));

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
