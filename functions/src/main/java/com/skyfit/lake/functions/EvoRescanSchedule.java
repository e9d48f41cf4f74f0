package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;

/**
 * The EVO re-scan timer, on the app setting EVO_RESCAN_SCHEDULE: a full load of the entities of EVO_RESCAN_ENTITIES,
 * so members whose status changed without a new date reach core. The same orchestration as the scheduled run.
 */
public class EvoRescanSchedule extends SourceSchedule {
    /** The source's registered name. */
    static final String SOURCE = "evo";

    @FunctionName("EvoRescanSchedule")
    public void run(@TimerTrigger(name = "timer", schedule = "%EVO_RESCAN_SCHEDULE%") String timer,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext, ExecutionContext context) {
        startRescan(SOURCE, timer, durableContext, context);
    }
}
