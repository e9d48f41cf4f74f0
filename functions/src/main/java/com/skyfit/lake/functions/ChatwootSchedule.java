package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;
import com.skyfit.lake.source.chatwoot.ChatwootSource;

/** The Chatwoot timer, on the app setting CHATWOOT_SCHEDULE (daily by default). */
public class ChatwootSchedule extends SourceSchedule {
    @FunctionName("ChatwootSchedule")
    public void run(@TimerTrigger(name = "timer", schedule = "%CHATWOOT_SCHEDULE%") String timer,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext, ExecutionContext context) {
        start(ChatwootSource.NAME, timer, durableContext, context);
    }
}
