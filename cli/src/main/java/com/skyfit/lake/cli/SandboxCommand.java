package com.skyfit.lake.cli;

import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.simulator.ZendeskSimulator;
import com.skyfit.lake.source.pipedrive.PipedriveConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "Serve the simulated Pipedrive API (two company accounts), Zendesk API, EVO API (two keys, three "
                + "gyms each) and a simulated Chatwoot database (an embedded PostgreSQL under {SKYFIT_HOME}/sandbox) until "
                + "interrupted, and print the settings that point `skyfit run` at them.")
final class SandboxCommand implements Callable<Integer> {
    @Mixin
    SharedOptions.Simulation simulation;

    @Option(names = "--conversations", description = "Conversations in the simulated Chatwoot (default: the scale).")
    Integer conversations;

    @Option(names = "--entries", description = "Gym entries in the simulated EVO over its " + EvoDemo.DAYS
            + " days (default: 5 x the scale, at least 1500; members, sales and prospects in proportion).")
    Long entries;

    @Option(names = "--port", defaultValue = "0", description = "Port to listen on (default: any free port).")
    int port;

    @Override
    public Integer call() throws Exception {
        java.nio.file.Path folder = CliSettings.load().home().resolve("sandbox");
        ScratchFolder.recreate(folder);
        int scale = simulation.scaleOr(1000);
        long seed = simulation.seed;
        try (PipedriveSimulator sim = PipedriveSimulator.builder().scopes("commercial", "expansion").scale(scale)
                .seed(seed).port(port).start();
                ZendeskSimulator zendesk = ZendeskDemo.start(scale, seed, 0);
                EvoSimulator evo = EvoDemo.start(entries == null ? EvoDemo.entries(scale) : entries, seed, 0);
                com.skyfit.lake.control.Database server = com.skyfit.lake.control.Database.embedded(folder.resolve("pg"))) {
            var chatwoot = ChatwootDemo.create(server, conversations == null ? scale : conversations, seed);
            System.out.println("Simulated Pipedrive API is serving. Use it from another shell:");
            System.out.println();
            SourceKeys pd = PipedriveConfig.KEYS;
            System.out.println("export " + pd.scopes() + "=" + String.join(",", sim.scopes()));
            for (String scope : sim.scopes()) {
                System.out.println("export " + pd.baseUrl(scope) + "=" + sim.baseUrl(scope));
                // A simulator token guards nothing real; printing it is what makes the sandbox usable.
                System.out.println("export " + pd.apiToken(scope) + "=" + sim.token(scope));
            }
            System.out.println();
            System.out.println("Simulated Zendesk API:");
            System.out.println();
            // A simulator token guards nothing real; printing it is what makes the sandbox usable.
            ZendeskDemo.settings(zendesk).forEach((k, v) -> System.out.println("export " + k + "=" + v));
            System.out.println();
            System.out.println("Simulated Chatwoot database (its analytics view; the login may only read it):");
            System.out.println();
            // Like the token above: a sandbox password guards nothing real, and the sandbox is useless without it.
            ChatwootDemo.settings(chatwoot).entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> System.out.println("export " + e.getKey() + "=" + e.getValue()));
            System.out.println();
            System.out.printf("Simulated EVO API (%s to %s; at most %d requests a minute per key, as the lake sends):%n%n",
                    evo.startDate(), evo.endDate(), EvoDemo.REQUESTS_PER_MINUTE);
            // Like the tokens above: a simulator secret key guards nothing real.
            EvoDemo.settings(evo).forEach((k, v) -> System.out.println("export " + k + "=" + v));
            System.out.println();
            System.out.println("./skyfit run --source pipedrive");
            System.out.println("./skyfit run --source zendesk");
            System.out.println("./skyfit run --source chatwoot");
            System.out.println("./skyfit run --source evo");
            System.out.println("./skyfit run --source evo --full    # the re-scan that catches members' status changes");
            System.out.println("curl -H \"x-api-token: $PIPEDRIVE_COMMERCIAL_API_TOKEN\" "
                    + sim.baseUrl("commercial") + "/api/v2/deals?limit=2");
            System.out.println("curl -u \"$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN\" \"$ZENDESK_BASE_URL"
                    + "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=2\"");
            String key = evo.scopes().get(0).toUpperCase(java.util.Locale.ROOT);
            System.out.println("curl -u \"$EVO_" + key + "_DNS:$EVO_" + key + "_SECRET_KEY\" \"$EVO_BASE_URL"
                    + "/api/v1/entries?registerDateStart=" + evo.endDate() + "T00:00:00&registerDateEnd=" + evo.endDate()
                    + "T23:59:59&take=2&skip=0\"");
            System.out.println();
            System.out.println("Press Ctrl+C to stop.");
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException stop) {
                // Stopped by whoever started it (a test, an embedding host): that is the whole request, so the flag is
                // not set again; it would break the closing below and leave the embedded PostgreSQL running.
            }
        }
        return 0;
    }
}
