package com.skyfit.lake.orchestrations;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import com.microsoft.durabletask.OrchestrationRunner;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.ExecutionStartedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.HistoryEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestrationInstance;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestratorCompletedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestratorRequest;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestratorResponse;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestratorStartedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.SubOrchestrationInstanceCompletedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.SubOrchestrationInstanceCreatedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.SubOrchestrationInstanceFailedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.TaskCompletedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.TaskFailedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.TaskFailureDetails;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.TaskScheduledEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.TimerCreatedEvent;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.TimerFiredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the protobuf history the Durable host hands an orchestrator, so a test can run the real
 * replay engine ({@link OrchestrationRunner#loadAndRun(byte[], TaskOrchestration)}) one episode at a time.
 * Events go to "new" until {@link #run} moves them to "past", as the host does after each episode.
 */
final class History {
    private final String instanceId;
    private final List<HistoryEvent> past = new ArrayList<>();
    private final List<HistoryEvent> fresh = new ArrayList<>();

    History(String instanceId) {
        this.instanceId = instanceId;
    }

    History started(Instant now, String name, String inputJson) {
        orchestratorStarted(now);
        ExecutionStartedEvent.Builder started = ExecutionStartedEvent.newBuilder()
                .setName(name)
                .setOrchestrationInstance(OrchestrationInstance.newBuilder().setInstanceId(instanceId));
        if (inputJson != null) {
            started.setInput(StringValue.of(inputJson));
        }
        return add(event(-1, now).setExecutionStarted(started));
    }

    History orchestratorStarted(Instant now) {
        return add(event(-1, now).setOrchestratorStarted(OrchestratorStartedEvent.getDefaultInstance()));
    }

    History taskScheduled(int id, String name, String inputJson) {
        TaskScheduledEvent.Builder b = TaskScheduledEvent.newBuilder().setName(name);
        if (inputJson != null) {
            b.setInput(StringValue.of(inputJson));
        }
        return add(event(id, null).setTaskScheduled(b));
    }

    History taskCompleted(int id, String resultJson) {
        TaskCompletedEvent.Builder b = TaskCompletedEvent.newBuilder().setTaskScheduledId(id);
        if (resultJson != null) {
            b.setResult(StringValue.of(resultJson));
        }
        return add(event(-1, null).setTaskCompleted(b));
    }

    History taskFailed(int id, String errorType, String message) {
        return add(event(-1, null).setTaskFailed(TaskFailedEvent.newBuilder()
                .setTaskScheduledId(id).setFailureDetails(failure(errorType, message))));
    }

    History timerCreated(int id, Instant fireAt) {
        return add(event(id, null).setTimerCreated(TimerCreatedEvent.newBuilder().setFireAt(ts(fireAt))));
    }

    History timerFired(int id, Instant fireAt) {
        return add(event(-1, fireAt).setTimerFired(TimerFiredEvent.newBuilder().setTimerId(id).setFireAt(ts(fireAt))));
    }

    History subOrchestrationCreated(int id, String name, String childInstanceId, String inputJson) {
        SubOrchestrationInstanceCreatedEvent.Builder b = SubOrchestrationInstanceCreatedEvent.newBuilder()
                .setName(name).setInstanceId(childInstanceId);
        if (inputJson != null) {
            b.setInput(StringValue.of(inputJson));
        }
        return add(event(id, null).setSubOrchestrationInstanceCreated(b));
    }

    History subOrchestrationCompleted(int id, String resultJson) {
        SubOrchestrationInstanceCompletedEvent.Builder b = SubOrchestrationInstanceCompletedEvent.newBuilder().setTaskScheduledId(id);
        if (resultJson != null) {
            b.setResult(StringValue.of(resultJson));
        }
        return add(event(-1, null).setSubOrchestrationInstanceCompleted(b));
    }

    History subOrchestrationFailed(int id, String errorType, String message) {
        return add(event(-1, null).setSubOrchestrationInstanceFailed(SubOrchestrationInstanceFailedEvent.newBuilder()
                .setTaskScheduledId(id).setFailureDetails(failure(errorType, message))));
    }

    /** A child failed as the host reports it: with the failure details the child completed with. */
    History subOrchestrationFailed(int id, TaskFailureDetails details) {
        return add(event(-1, null).setSubOrchestrationInstanceFailed(SubOrchestrationInstanceFailedEvent.newBuilder()
                .setTaskScheduledId(id).setFailureDetails(details)));
    }

    History orchestratorCompleted() {
        return add(event(-1, null).setOrchestratorCompleted(OrchestratorCompletedEvent.getDefaultInstance()));
    }

    /** The request for the next episode: everything seen so far as past, the rest as new. */
    byte[] request() {
        return OrchestratorRequest.newBuilder()
                .setInstanceId(instanceId)
                .addAllPastEvents(past)
                .addAllNewEvents(fresh)
                .build()
                .toByteArray();
    }

    /** Runs one episode through the real replay engine; the new events become past. */
    OrchestratorResponse run(TaskOrchestration orchestration) {
        byte[] request = request();
        past.addAll(fresh);
        fresh.clear();
        return parse(OrchestrationRunner.loadAndRun(request, orchestration));
    }

    static OrchestratorResponse parse(byte[] response) {
        try {
            return OrchestratorResponse.parseFrom(response);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    int size() {
        return past.size() + fresh.size();
    }

    private History add(HistoryEvent.Builder e) {
        fresh.add(e.build());
        return this;
    }

    private static HistoryEvent.Builder event(int id, Instant at) {
        return HistoryEvent.newBuilder().setEventId(id).setTimestamp(ts(at == null ? Instant.EPOCH : at));
    }

    private static TaskFailureDetails failure(String errorType, String message) {
        return TaskFailureDetails.newBuilder().setErrorType(errorType).setErrorMessage(message)
                .setStackTrace(StringValue.of(errorType + ": " + message + "\n\tat remote")).build();
    }

    static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
