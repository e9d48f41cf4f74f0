package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;
import com.skyfit.lake.source.pipedrive.PipedriveSource;

/** The Pipedrive timer, on the app setting PIPEDRIVE_SCHEDULE (daily by default). */
public class PipedriveSchedule extends SourceSchedule {
    @FunctionName("PipedriveSchedule")
    public void run(@TimerTrigger(name = "timer", schedule = "%PIPEDRIVE_SCHEDULE%") String timer,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext, ExecutionContext context) {
        start(PipedriveSource.NAME, timer, durableContext, context);
    }
}
