package com.skyfit.lake.cli;

import com.skyfit.lake.simulator.PipedriveSimulator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "Serve the simulated Pipedrive API (two company accounts) and a simulated Chatwoot database "
                + "(an embedded PostgreSQL under {SKYFIT_HOME}/sandbox) until interrupted, and print the settings that "
                + "point `skyfit run` at them.")
final class SandboxCommand implements Callable<Integer> {
    @Option(names = "--scale", defaultValue = "1000", description = "Deals per scope (default: ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--conversations", description = "Conversations in the simulated Chatwoot (default: the scale).")
    Integer conversations;

    @Option(names = "--port", defaultValue = "0", description = "Port to listen on (default: any free port).")
    int port;

    @Option(names = "--seed", defaultValue = "42", description = "Data seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        java.nio.file.Path folder = CliSettings.load().home().resolve("sandbox");
        ScratchFolder.recreate(folder);
        try (PipedriveSimulator sim = PipedriveSimulator.builder().scopes("commercial", "expansion").scale(scale)
                .seed(seed).port(port).start();
                com.skyfit.lake.control.Database server = com.skyfit.lake.control.Database.embedded(folder.resolve("pg"))) {
            var chatwoot = ChatwootDemo.create(server, conversations == null ? scale : conversations, seed);
            System.out.println("Simulated Pipedrive API is serving. Use it from another shell:");
            System.out.println();
            System.out.println("export PIPEDRIVE_SCOPES=" + String.join(",", sim.scopes()));
            for (String scope : sim.scopes()) {
                String key = "PIPEDRIVE_" + scope.toUpperCase(java.util.Locale.ROOT);
                System.out.println("export " + key + "_BASE_URL=" + sim.baseUrl(scope));
                // A simulator token guards nothing real; printing it is what makes the sandbox usable.
                System.out.println("export " + key + "_API_TOKEN=" + sim.token(scope));
            }
            System.out.println();
            System.out.println("Simulated Chatwoot database (its analytics view; the login may only read it):");
            System.out.println();
            // Like the token above: a sandbox password guards nothing real, and the sandbox is useless without it.
            ChatwootDemo.settings(chatwoot).entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> System.out.println("export " + e.getKey() + "=" + e.getValue()));
            System.out.println();
            System.out.println("./skyfit run --source pipedrive");
            System.out.println("./skyfit run --source chatwoot");
            System.out.println("curl -H \"x-api-token: $PIPEDRIVE_COMMERCIAL_API_TOKEN\" "
                    + sim.baseUrl("commercial") + "/api/v2/deals?limit=2");
            System.out.println();
            System.out.println("Press Ctrl+C to stop.");
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
