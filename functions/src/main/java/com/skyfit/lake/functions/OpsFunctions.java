package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.skyfit.lake.control.OpsQueries;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** GET /api/runs and GET /api/health: the ops tables as JSON, for operators and monitors. */
public class OpsFunctions {

    /** ?source=pipedrive narrows to one source; ?limit=N (1..500, default 50) caps the recent runs. */
    @FunctionName("Runs")
    public HttpResponseMessage runs(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "runs",
                    authLevel = AuthorizationLevel.FUNCTION) HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        String source = request.getQueryParameters().get("source");
        int limit;
        try {
            limit = Integer.parseInt(request.getQueryParameters().getOrDefault("limit", "50"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 500) {
            return json(request, HttpStatus.BAD_REQUEST, Map.of("error", "limit must be a whole number from 1 to 500"));
        }
        OpsQueries ops = EngineProvider.ops();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("latestPerEntity", ops.latestRunPerEntity().stream()
                .filter(r -> source == null || source.equals(r.source())).toList());
        body.put("recent", ops.recentRuns(source, limit));
        body.put("failedFiles", ops.failedFiles(100));
        return json(request, HttpStatus.OK, body);
    }

    /** 200 when all is well, 503 when degraded (so a plain HTTP monitor can alert), with the reasons. */
    @FunctionName("Health")
    public HttpResponseMessage health(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "health",
                    authLevel = AuthorizationLevel.FUNCTION) HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        Duration stale = Duration.ofHours(FunctionSettings.healthStaleHours(EngineProvider.settings()));
        OpsQueries.Health health = EngineProvider.ops().health(Instant.now(), stale);
        return json(request, "ok".equals(health.status()) ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, health);
    }

    private static HttpResponseMessage json(HttpRequestMessage<?> request, HttpStatus status, Object body) {
        return request.createResponseBuilder(status).header("Content-Type", "application/json").body(Json.write(body)).build();
    }
}
