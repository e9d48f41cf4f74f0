package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;
import com.skyfit.lake.source.evo.EvoSource;

/** The EVO timer, on the app setting EVO_SCHEDULE. */
public class EvoSchedule extends SourceSchedule {
    @FunctionName("EvoSchedule")
    public void run(@TimerTrigger(name = "timer", schedule = "%EVO_SCHEDULE%") String timer,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext, ExecutionContext context) {
        start(EvoSource.NAME, timer, durableContext, context);
    }
}
