package com.skyfit.lake.functions;

import com.microsoft.durabletask.azurefunctions.DurableClientContext;
import com.skyfit.lake.orchestrations.DurableDriver;
import com.skyfit.lake.orchestrations.FailRequest;
import com.skyfit.lake.orchestrations.IngestInput;
import com.skyfit.lake.orchestrations.IngestSummary;
import com.skyfit.lake.orchestrations.Names;
import com.skyfit.lake.pipeline.ExtractResult;
import com.skyfit.lake.pipeline.PlanRequest;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs inside a JVM whose classpath is the packaged Function App folder (app jar and lib/) plus this
 * driver's own classes, and drives the app as the host would: the ingest orchestration and its
 * sub-orchestrations replayed by the real durabletask engine over real histories, every activity, the
 * blob-trigger adapter and the Durable client a timer uses. Settings come from the environment, as in
 * Azure. Prints one "ok" line per check and exits 0, or prints the failure and exits 1.
 */
public final class PackagedAppDriver {
    static final String DONE = "PACKAGED-APP OK";

    private PackagedAppDriver() {}

    public static void main(String[] args) {
        try {
            List<String> scopes = Arrays.asList(System.getenv("PIPEDRIVE_SCOPES").split(","));
            Path bronzeRoot = Path.of(java.net.URI.create(System.getenv("SKYFIT_BRONZE_URL")));
            ingestThroughTheOrchestrations(scopes, bronzeRoot);
            failRun(scopes);
            durableClientOfTheTimer();
            System.out.println(DONE);
            System.exit(0);
        } catch (Throwable e) {
            System.out.println("PACKAGED-APP FAILED: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    /** Full ingest, chunked (4 windows per chunk), half the parts loaded by the blob trigger, the rest by LoadParts. */
    private static void ingestThroughTheOrchestrations(List<String> scopes, Path bronzeRoot) throws Exception {
        FunctionHost host = new FunctionHost();
        List<String> delivered = new ArrayList<>();
        host.driver.beforeTimerFires(fireAt -> {
            List<String> parts = host.outputs(Names.EXTRACT_WINDOW, ExtractResult.class).stream()
                    .flatMap(r -> r.parts().stream()).toList();
            for (String part : parts.subList(0, parts.size() / 2)) {
                try {
                    byte[] content = Files.readAllBytes(bronzeRoot.resolve(part));
                    new LoadBronzePart().run(content, part.substring("bronze/".length()), FakeHttp.context("LoadBronzePart"));
                    delivered.add(part);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        IngestInput input = new IngestInput("packaged-full", "pipedrive", "full", "scheduler", null, null, scopes, null,
                2, 4, 60, 60);
        DurableDriver.Outcome out = host.driver.run(Names.INGEST, "ingest-packaged-full", input);
        check(!out.failed(), "ingest orchestration completed" + (out.failed() ? ": " + out.failureMessage() : ""));
        IngestSummary summary = host.driver.read(out.output(), IngestSummary.class);
        check(summary.windowsDone() == scopes.size() * 7, "every window extracted: " + summary);
        check(!delivered.isEmpty(), "blob trigger loaded " + delivered.size() + " parts");
        check(summary.partsLoadedDirectly() == summary.bronzeParts() - delivered.size(),
                "LoadParts loaded the other " + summary.partsLoadedDirectly() + " parts");
        for (String activity : List.of(Names.PLAN_RUN, Names.EXTRACT_WINDOW, Names.COUNT_UNLOADED_PARTS, Names.LOAD_PARTS,
                Names.TRANSFORM_CORE, Names.COMPLETE_RUN)) {
            check(!host.outputs(activity).isEmpty(), "activity " + activity + " ran");
        }
        check(host.driver.subOrchestrations.stream().anyMatch(s -> s.startsWith(Names.EXTRACT_WINDOWS_CHUNK + " ")),
                "sub-orchestration " + Names.EXTRACT_WINDOWS_CHUNK + " ran");
        check(host.driver.subOrchestrations.stream().anyMatch(s -> s.startsWith(Names.EXTRACT_ONE_WINDOW + " ")),
                "sub-orchestration " + Names.EXTRACT_ONE_WINDOW + " ran");
        System.out.println("ok summary " + DurableDriver.json(summary));
    }

    /** FailRun over a freshly planned batch marks its runs failed with the reason. */
    private static void failRun(List<String> scopes) {
        IngestActivities activities = new IngestActivities();
        String plan = DurableDriver.json(new PlanRequest("packaged-fail", "pipedrive", scopes.subList(0, 1),
                List.of("users"), "incremental", "manual", null, null));
        activities.planRun(plan, FakeHttp.context(Names.PLAN_RUN));
        String failed = activities.failRun(DurableDriver.json(new FailRequest("packaged-fail", "stopped by the packaged-app test",
                null)), FakeHttp.context(Names.FAIL_RUN));
        check("packaged-fail".equals(failed), "activity " + Names.FAIL_RUN + " ran");
    }

    /**
     * The timer's path through the Durable client: building the gRPC client needs protobuf and grpc from
     * lib/. No sidecar listens here, so the call must fail as an unreachable server, not a missing class.
     */
    private static void durableClientOfTheTimer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        DurableClientContext durable = new DurableClientContext();
        java.lang.reflect.Field url = DurableClientContext.class.getDeclaredField("rpcBaseUrl");
        url.setAccessible(true);
        url.set(durable, "http://127.0.0.1:" + port + "/durabletask/");
        try {
            new PipedriveSchedule().run("{}", durable, FakeHttp.context("PipedriveSchedule"));
            throw new IllegalStateException("the schedule reached a Durable sidecar that does not exist");
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String chain = e + " / " + root;
            check(chain.contains("UNAVAILABLE") || chain.contains("Connection refused"),
                    "Durable client built and failed only for want of a sidecar (" + chain + ")");
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("check failed: " + what);
        }
        System.out.println("ok " + what);
    }
}
