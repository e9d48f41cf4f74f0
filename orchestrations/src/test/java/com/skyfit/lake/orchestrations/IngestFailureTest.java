package com.skyfit.lake.orchestrations;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngestFailureTest {

    @Test
    void theReasonOfAWrappedOrchestratorFailureIsTheInnermostIngestFailure() {
        String trace = """
                java.lang.RuntimeException: Unexpected failure in the task execution
                \tat com.microsoft.durabletask.azurefunctions.internal.middleware.OrchestrationMiddleware.invoke
                Caused by: com.skyfit.lake.orchestrations.IngestFailure: ExtractWindowsChunk failed: inner
                \tat com.skyfit.lake.orchestrations.IngestOrchestration.execute
                Caused by: com.skyfit.lake.orchestrations.IngestFailure: ExtractWindow pipedrive/commercial/deals [a, b) failed: HTTP 401
                \tat com.skyfit.lake.orchestrations.ExtractOneWindow.execute
                """;

        assertThat(IngestFailure.reason("Unexpected failure in the task execution", trace))
                .isEqualTo("ExtractWindow pipedrive/commercial/deals [a, b) failed: HTTP 401");
    }

    @Test
    void anActivityFailureKeepsItsOwnMessage() {
        assertThat(IngestFailure.reason("HTTP 503 from the source", "java.lang.IllegalStateException: HTTP 503\n\tat x"))
                .isEqualTo("HTTP 503 from the source");
        assertThat(IngestFailure.reason("no trace", null)).isEqualTo("no trace");
    }
}
