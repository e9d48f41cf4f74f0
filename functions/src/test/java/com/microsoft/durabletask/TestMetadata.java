package com.microsoft.durabletask;

import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestrationState;

/** Builds the client's OrchestrationMetadata (package-private constructors) for fake Durable clients. */
public final class TestMetadata {
    private TestMetadata() {}

    public static OrchestrationMetadata of(String instanceId, String name, OrchestrationRuntimeStatus status) {
        OrchestrationState state = OrchestrationState.newBuilder()
                .setInstanceId(instanceId)
                .setName(name)
                .setOrchestrationStatus(OrchestrationRuntimeStatus.toProtobuf(status))
                .build();
        return new OrchestrationMetadata(state, new JacksonDataConverter(), false);
    }

    public static OrchestrationStatusQueryResult page(java.util.List<OrchestrationMetadata> states) {
        return new OrchestrationStatusQueryResult(states, null);
    }
}
