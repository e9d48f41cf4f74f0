package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;
import com.skyfit.lake.source.zendesk.ZendeskSource;

/** The Zendesk timer, on the app setting ZENDESK_SCHEDULE. */
public class ZendeskSchedule extends SourceSchedule {
    @FunctionName("ZendeskSchedule")
    public void run(@TimerTrigger(name = "timer", schedule = "%ZENDESK_SCHEDULE%") String timer,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext, ExecutionContext context) {
        start(ZendeskSource.NAME, timer, durableContext, context);
    }
}
