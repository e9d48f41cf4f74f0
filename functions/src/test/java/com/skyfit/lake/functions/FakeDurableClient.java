package com.skyfit.lake.functions;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.NewOrchestrationInstanceOptions;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.OrchestrationStatusQuery;
import com.microsoft.durabletask.OrchestrationStatusQueryResult;
import com.microsoft.durabletask.PurgeInstanceCriteria;
import com.microsoft.durabletask.PurgeResult;
import com.microsoft.durabletask.TestMetadata;
import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A Durable client that records what it is asked to start and knows the instances a test gives it. */
final class FakeDurableClient extends DurableTaskClient {
    record Scheduled(String name, String instanceId, Object input) {}

    final List<Scheduled> scheduled = new ArrayList<>();
    final Map<String, OrchestrationRuntimeStatus> instances = new HashMap<>();

    FakeDurableClient withInstance(String instanceId, OrchestrationRuntimeStatus status) {
        instances.put(instanceId, status);
        return this;
    }

    /** The binding the host injects, around this client; the status response mimics the real 202. */
    DurableClientContext context() {
        FakeDurableClient client = this;
        return new DurableClientContext() {
            @Override
            public DurableTaskClient getClient() {
                return client;
            }

            @Override
            public HttpResponseMessage createCheckStatusResponse(HttpRequestMessage<?> request, String instanceId) {
                String status = "http://localhost:7071/runtime/webhooks/durabletask/instances/" + instanceId;
                return request.createResponseBuilder(HttpStatus.ACCEPTED)
                        .header("Location", status)
                        .header("Content-Type", "application/json")
                        .body("{\"id\":\"" + instanceId + "\",\"statusQueryGetUri\":\"" + status + "\"}")
                        .build();
            }
        };
    }

    @Override
    public String scheduleNewOrchestrationInstance(String name, NewOrchestrationInstanceOptions options) {
        scheduled.add(new Scheduled(name, options.getInstanceId(), options.getInput()));
        instances.put(options.getInstanceId(), OrchestrationRuntimeStatus.PENDING);
        return options.getInstanceId();
    }

    @Override
    public OrchestrationMetadata getInstanceMetadata(String instanceId, boolean getInputsAndOutputs) {
        OrchestrationRuntimeStatus status = instances.get(instanceId);
        return status == null ? null : TestMetadata.of(instanceId, "IngestOrchestration", status);
    }

    @Override
    public void raiseEvent(String instanceId, String eventName, Object eventPayload) {
        throw new UnsupportedOperationException();
    }

    @Override
    public OrchestrationMetadata waitForInstanceStart(String instanceId, Duration timeout, boolean getInputsAndOutputs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public OrchestrationMetadata waitForInstanceCompletion(String instanceId, Duration timeout, boolean getInputsAndOutputs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void terminate(String instanceId, Object output) {
        throw new UnsupportedOperationException();
    }

    @Override
    public OrchestrationStatusQueryResult queryInstances(OrchestrationStatusQuery query) {
        queries.add(query);
        List<OrchestrationMetadata> found = new ArrayList<>();
        for (Map.Entry<String, OrchestrationRuntimeStatus> e : instances.entrySet()) {
            boolean prefix = query.getInstanceIdPrefix() == null || e.getKey().startsWith(query.getInstanceIdPrefix());
            boolean status = query.getRuntimeStatusList().isEmpty() || query.getRuntimeStatusList().contains(e.getValue());
            if (prefix && status) {
                found.add(com.microsoft.durabletask.TestMetadata.of(e.getKey(), "IngestOrchestration", e.getValue()));
            }
        }
        return com.microsoft.durabletask.TestMetadata.page(found);
    }

    final List<OrchestrationStatusQuery> queries = new ArrayList<>();

    @Override
    public void createTaskHub(boolean recreateIfExists) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void deleteTaskHub() {
        throw new UnsupportedOperationException();
    }

    @Override
    public PurgeResult purgeInstance(String instanceId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public PurgeResult purgeInstances(PurgeInstanceCriteria criteria) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String restartInstance(String instanceId, boolean restartWithNewInstanceId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void suspendInstance(String instanceId, String reason) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void resumeInstance(String instanceId, String reason) {
        throw new UnsupportedOperationException();
    }
}
