package com.skyfit.lake.functions;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.durabletask.TaskOrchestrationContext;
import com.microsoft.durabletask.azurefunctions.DurableActivityTrigger;
import com.microsoft.durabletask.azurefunctions.DurableOrchestrationTrigger;
import com.skyfit.lake.orchestrations.DurableDriver;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Durable host as far as the Function App can tell: the orchestration test driver runs the real replay
 * engine, and every orchestrator and activity it schedules is looked up by its {@code @FunctionName} on the
 * app's own classes and invoked as the Java worker would. Activity inputs arrive as the JSON the orchestrator
 * wrote; results leave as the worker writes them (Jackson over fields, a String as a JSON string), so the
 * orchestrator reads back exactly what it would in Azure.
 */
final class FunctionHost {
    /** The worker's own mapper for function return values. */
    private static final ObjectMapper WORKER_JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final List<Class<?>> APP = List.of(IngestOrchestrators.class, IngestActivities.class);

    /** One activity execution: what went in and what came back (null output when it threw). */
    record Execution(String name, String input, String output, String error) {}

    final DurableDriver driver = new DurableDriver();
    final List<Execution> executions = new ArrayList<>();
    private final Map<String, Method> activities = new HashMap<>();

    FunctionHost() {
        for (Class<?> type : APP) {
            for (Method m : type.getMethods()) {
                FunctionName name = m.getAnnotation(FunctionName.class);
                if (name == null) {
                    continue;
                }
                if (triggeredBy(m, DurableOrchestrationTrigger.class)) {
                    driver.orchestration(name.value(), () -> ctx -> ctx.complete(orchestrate(m, ctx)));
                } else if (triggeredBy(m, DurableActivityTrigger.class)) {
                    activities.put(name.value(), m);
                }
            }
        }
        driver.activities(this::activity);
    }

    /** Results of every execution of one activity, in order, as the history holds them. */
    List<String> outputs(String activity) {
        return executions.stream().filter(e -> e.name().equals(activity) && e.output() != null)
                .map(Execution::output).toList();
    }

    <T> List<T> outputs(String activity, Class<T> type) {
        return outputs(activity).stream().map(json -> driver.read(json, type)).toList();
    }

    private String activity(String name, String input) {
        Method m = activities.get(name);
        if (m == null) {
            throw new IllegalStateException("The Function App has no activity named " + name);
        }
        try {
            String output = workerJson(invoke(m, input, FakeHttp.context(name)));
            executions.add(new Execution(name, input, output, null));
            return output;
        } catch (RuntimeException e) {
            executions.add(new Execution(name, input, null, e.getMessage()));
            throw e;
        }
    }

    private static Object orchestrate(Method m, TaskOrchestrationContext ctx) {
        return invoke(m, ctx);
    }

    private static Object invoke(Method m, Object... args) {
        try {
            Object target = m.getDeclaringClass().getDeclaredConstructor().newInstance();
            return m.invoke(target, m.getParameterCount() == 1 ? new Object[] {args[0]} : args);
        } catch (InvocationTargetException e) {
            // the function's own exception, as the worker reports it (and OrchestratorBlockedException must pass)
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call " + m, e);
        }
    }

    private static String workerJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return WORKER_JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean triggeredBy(Method m, Class<? extends java.lang.annotation.Annotation> trigger) {
        return m.getParameterCount() > 0 && m.getParameters()[0].isAnnotationPresent(trigger);
    }
}
