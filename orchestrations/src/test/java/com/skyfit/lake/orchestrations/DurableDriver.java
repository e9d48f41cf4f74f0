package com.skyfit.lake.orchestrations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.CompleteOrchestrationAction;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestrationStatus;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestratorAction;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.OrchestratorResponse;
import com.microsoft.durabletask.implementation.protobuf.OrchestratorService.TaskFailureDetails;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A tiny stand-in for the Durable host around the real replay engine: it runs an orchestration
 * episode by episode on {@link History}, answers one outstanding task per episode (oldest first, so the
 * orchestrator sees slots free up one by one), fires timers by moving a fake clock, and runs
 * sub-orchestrations to completion. Every scheduled activity is recorded with its input.
 * A window counts as in flight from its ExtractOneWindow scheduling until its result is handed back.
 * Public (and shipped in the test-jar) so that the Function App's tests can drive the same orchestrations
 * over real activities.
 */
public final class DurableDriver {
    public static final ObjectMapper JSON = new ObjectMapper();
    static final java.time.Duration TIMER_LAG = java.time.Duration.ofMillis(50);

    public record Call(String instanceId, String name, String input) {}

    public record Outcome(OrchestrationStatus status, String output, String failureMessage, String customStatus, int episodes,
            TaskFailureDetails failure) {
        public boolean failed() {
            return status == OrchestrationStatus.ORCHESTRATION_STATUS_FAILED;
        }
    }

    private final Map<String, Supplier<TaskOrchestration>> orchestrations = new HashMap<>();
    private final Map<String, Function<String, Object>> activities = new HashMap<>();
    private BiFunction<String, String, String> dispatcher;
    private Consumer<Instant> beforeTimerFires = fireAt -> {};
    public final List<Call> calls = new ArrayList<>();
    public final List<Instant> timers = new ArrayList<>();
    public final List<String> subOrchestrations = new ArrayList<>();
    private Instant clock = Instant.parse("2026-03-01T06:00:00Z");
    private int windowsInFlight;
    /** The most ExtractOneWindow sub-orchestrations outstanding at once, over all instances. */
    int maxWindowsInFlight;
    private final Map<String, Integer> maxHistory = new HashMap<>();

    private sealed interface Pending permits Activity, Timer, Child {}

    private record Activity(int id, String name, String input) implements Pending {}

    private record Timer(int id, Instant fireAt) implements Pending {}

    private record Child(int id, String name, String instanceId, String input) implements Pending {}

    public DurableDriver orchestration(String name, Supplier<TaskOrchestration> factory) {
        orchestrations.put(name, factory);
        return this;
    }

    /** The handler gets the activity input as JSON and returns a value (sent back as JSON) or throws. */
    public DurableDriver activity(String name, Function<String, Object> handler) {
        activities.put(name, handler);
        return this;
    }

    /**
     * Every activity without a handler of its own goes here: (name, input JSON as the orchestrator wrote it)
     * -> result JSON exactly as the history should hold it. Lets a caller apply the host's own conversions.
     */
    public DurableDriver activities(BiFunction<String, String, String> dispatcher) {
        this.dispatcher = dispatcher;
        return this;
    }

    /** Runs just before a timer fires, with its fire time: what happens in the world while an orchestrator sleeps. */
    public DurableDriver beforeTimerFires(Consumer<Instant> hook) {
        this.beforeTimerFires = hook;
        return this;
    }

    public Outcome run(String name, String instanceId, Object input) {
        History h = new History(instanceId);
        h.started(clock, name, json(input));
        Deque<Pending> outstanding = new ArrayDeque<>();
        TaskOrchestration orchestration = orchestrations.get(name).get();
        for (int episode = 1; ; episode++) {
            OrchestratorResponse response = h.run(orchestration);
            String status = response.hasCustomStatus() ? response.getCustomStatus().getValue() : null;
            for (OrchestratorAction a : response.getActionsList()) {
                switch (a.getOrchestratorActionTypeCase()) {
                    case SCHEDULETASK -> {
                        String in = a.getScheduleTask().hasInput() ? a.getScheduleTask().getInput().getValue() : null;
                        h.taskScheduled(a.getId(), a.getScheduleTask().getName(), in);
                        calls.add(new Call(instanceId, a.getScheduleTask().getName(), in));
                        outstanding.add(new Activity(a.getId(), a.getScheduleTask().getName(), in));
                    }
                    case CREATETIMER -> {
                        Instant fireAt = History.instant(a.getCreateTimer().getFireAt());
                        h.timerCreated(a.getId(), fireAt);
                        timers.add(fireAt);
                        outstanding.add(new Timer(a.getId(), fireAt));
                    }
                    case CREATESUBORCHESTRATION -> {
                        var c = a.getCreateSubOrchestration();
                        String in = c.hasInput() ? c.getInput().getValue() : null;
                        h.subOrchestrationCreated(a.getId(), c.getName(), c.getInstanceId(), in);
                        subOrchestrations.add(c.getName() + " " + c.getInstanceId());
                        if (Names.EXTRACT_ONE_WINDOW.equals(c.getName())) {
                            maxWindowsInFlight = Math.max(maxWindowsInFlight, ++windowsInFlight);
                        }
                        outstanding.add(new Child(a.getId(), c.getName(), c.getInstanceId(), in));
                    }
                    case COMPLETEORCHESTRATION -> {
                        CompleteOrchestrationAction c = a.getCompleteOrchestration();
                        return new Outcome(c.getOrchestrationStatus(), c.hasResult() ? c.getResult().getValue() : null,
                                c.hasFailureDetails() ? c.getFailureDetails().getErrorMessage() : null, status, episode,
                                c.hasFailureDetails() ? c.getFailureDetails() : null);
                    }
                    default -> throw new AssertionError("unexpected action " + a);
                }
            }
            h.orchestratorCompleted();
            maxHistory.merge(instanceId, h.size(), Math::max);
            if (outstanding.isEmpty()) {
                throw new AssertionError(instanceId + " is waiting on nothing after episode " + episode);
            }
            answer(h, outstanding.removeFirst());
        }
    }

    private void answer(History h, Pending p) {
        if (p instanceof Timer t) {
            // a real host starts the episode a moment after the fire time (1.4.0 re-arms a timer seen firing exactly on time)
            clock = clock.isAfter(t.fireAt()) ? clock : t.fireAt().plus(TIMER_LAG);
            beforeTimerFires.accept(t.fireAt());
            h.orchestratorStarted(clock).timerFired(t.id(), t.fireAt());
        } else if (p instanceof Activity a) {
            h.orchestratorStarted(clock);
            Function<String, Object> handler = activities.get(a.name());
            if (handler == null && dispatcher == null) {
                h.taskFailed(a.id(), "java.lang.IllegalStateException", "no activity named " + a.name());
                return;
            }
            try {
                h.taskCompleted(a.id(), handler != null ? json(handler.apply(a.input())) : dispatcher.apply(a.name(), a.input()));
            } catch (RuntimeException e) {
                h.taskFailed(a.id(), e.getClass().getName(), e.getMessage());
            }
        } else if (p instanceof Child c) {
            Outcome child = run(c.name(), c.instanceId(), new RawJson(c.input()));
            if (Names.EXTRACT_ONE_WINDOW.equals(c.name())) {
                windowsInFlight--;
            }
            h.orchestratorStarted(clock);
            if (child.failed()) {
                h.subOrchestrationFailed(c.id(), asTheHostReportsIt(child.failure()));
            } else {
                h.subOrchestrationCompleted(c.id(), child.output());
            }
        }
    }

    /**
     * The Functions middleware rethrows an orchestrator's exception wrapped in a RuntimeException with a
     * generic message; the parent sees that message, with the real failure as a cause in the trace.
     */
    private static TaskFailureDetails asTheHostReportsIt(TaskFailureDetails child) {
        String wrapped = "java.lang.RuntimeException: Unexpected failure in the task execution\n\tat middleware\n"
                + "Caused by: java.lang.reflect.InvocationTargetException\n\tat worker\n"
                + "Caused by: " + child.getErrorType() + ": " + child.getErrorMessage() + "\n\tat orchestrator\n";
        return TaskFailureDetails.newBuilder().setErrorType("java.lang.RuntimeException")
                .setErrorMessage("Unexpected failure in the task execution")
                .setStackTrace(com.google.protobuf.StringValue.of(wrapped)).build();
    }

    /** The largest history (events) an instance reached: what chunking keeps small. */
    public int historySize(String instanceId) {
        return maxHistory.getOrDefault(instanceId, 0);
    }

    public List<Call> calls(String name) {
        return calls.stream().filter(c -> c.name().equals(name)).toList();
    }

    public <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private record RawJson(String json) {}

    public static String json(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof RawJson raw) {
            return raw.json();
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
