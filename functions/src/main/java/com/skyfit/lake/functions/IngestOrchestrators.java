package com.skyfit.lake.functions;

import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.durabletask.TaskOrchestrationContext;
import com.microsoft.durabletask.azurefunctions.DurableOrchestrationTrigger;
import com.skyfit.lake.orchestrations.ExtractOneWindow;
import com.skyfit.lake.orchestrations.ExtractTotals;
import com.skyfit.lake.orchestrations.ExtractWindowsChunk;
import com.skyfit.lake.orchestrations.IngestOrchestration;
import com.skyfit.lake.orchestrations.IngestSummary;
import com.skyfit.lake.orchestrations.Names;
import com.skyfit.lake.pipeline.ExtractResult;

/** Registers the workflows of the orchestrations module with the host; no logic of their own. */
public class IngestOrchestrators {

    @FunctionName(Names.INGEST)
    public IngestSummary ingest(@DurableOrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        return new IngestOrchestration().execute(ctx);
    }

    @FunctionName(Names.EXTRACT_WINDOWS_CHUNK)
    public ExtractTotals extractWindowsChunk(@DurableOrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        return new ExtractWindowsChunk().execute(ctx);
    }

    @FunctionName(Names.EXTRACT_ONE_WINDOW)
    public ExtractResult extractOneWindow(@DurableOrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        return new ExtractOneWindow().execute(ctx);
    }
}
