package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.microsoft.durabletask.azurefunctions.DurableClientInput;
import com.skyfit.lake.config.Settings;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * POST /api/backfill {"source","from","to","scopes"?,"entities"?}: validates, starts a backfill ingest
 * and answers 202 with the Durable status URLs; bad input answers 400 saying what is wrong.
 */
public class BackfillFunction {

    @FunctionName("Backfill")
    public HttpResponseMessage run(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "backfill",
                    authLevel = AuthorizationLevel.FUNCTION) HttpRequestMessage<Optional<String>> request,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext,
            ExecutionContext context) {
        Settings settings = EngineProvider.settings();
        BackfillValidator.Result checked = new BackfillValidator(FunctionSettings.backfillMaxDays(settings))
                .validate(request.getBody().orElse(null));
        if (!checked.valid()) {
            return request.createResponseBuilder(HttpStatus.BAD_REQUEST)
                    .header("Content-Type", "application/json")
                    .body(Json.write(Map.of("error", "invalid backfill request", "problems", checked.problems())))
                    .build();
        }
        IngestStarter.Started started = IngestStarter.startBackfill(durableContext.getClient(), settings,
                checked.request(), Instant.now());
        context.getLogger().info("Started backfill " + started.instanceId() + " of " + checked.request().source()
                + " " + checked.request().from() + ".." + checked.request().to());
        return durableContext.createCheckStatusResponse(request, started.instanceId());
    }
}
