package com.skyfit.lake.cli;

import com.skyfit.lake.bronze.BronzeStores;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.pipeline.Connectors;
import com.skyfit.lake.simulator.ChatwootChanges;
import com.skyfit.lake.simulator.ChatwootSourceDatabase;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.simulator.ZendeskSimulator;
import com.skyfit.lake.source.pipedrive.PipedriveConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Simulated Pipedrive (two scopes), Zendesk, Chatwoot (a database with its analytics view) and EVO "
                + "(two keys, three gyms each) -> bronze -> staging -> core: a full load, changes at the sources, an "
                + "incremental run, EVO's full re-scan; exits 0 only if core matches the simulators' truth. Works in "
                + "{SKYFIT_HOME}/demo, recreated each time.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    SharedOptions.Simulation simulation;

    @Mixin
    SharedOptions.Workers workers;

    @Override
    public Integer call() throws Exception {
        Settings base = CliSettings.load();
        Path home = base.home().resolve("demo");
        ScratchFolder.recreate(home);
        long started = System.nanoTime();
        int scale = simulation.scaleOr(2000);
        long seed = simulation.seed;
        try (PipedriveSimulator sim = PipedriveSimulator.builder().scopes("commercial", "expansion").scale(scale)
                .seed(seed).start(); ZendeskSimulator zendesk = ZendeskDemo.start(scale, seed, 0);
                EvoSimulator evo = EvoDemo.start(EvoDemo.entries(scale), seed, 0)) {
            Map<String, String> demo = new HashMap<>();
            demo.put(Settings.HOME, home.toString());
            demo.put(Settings.PG_URL, null);
            demo.put(Settings.PG_USER, null);
            demo.put(Settings.PG_PASSWORD, null);
            demo.put(Settings.BRONZE_URL, null);
            demo.put(Settings.PG_FSYNC, "false"); // recreated on every demo: speed over crash safety
            SourceKeys pd = PipedriveConfig.KEYS;
            demo.put(pd.scopes(), String.join(",", sim.scopes()));
            demo.put(pd.requestsPer(2), "400");
            // Every run reconciles, so the persons, organizations and activities deleted below are found at once
            // (in production every 7 days: their lists never show a deleted record).
            demo.put(pd.reconcileDays(), "0");
            for (String scope : sim.scopes()) {
                demo.put(pd.baseUrl(scope), sim.baseUrl(scope));
                demo.put(pd.apiToken(scope), sim.token(scope));
            }
            demo.putAll(ZendeskDemo.settings(zendesk));
            demo.putAll(EvoDemo.settings(evo));
            Settings settings = base.with(demo);
            System.out.printf("demo: simulated Pipedrive with scopes %s, %d deals each, in %s%n", sim.scopes(), scale, home);
            // Chatwoot is a database: it lives beside the warehouse on the same embedded server, so the
            // warehouse starts first and the Chatwoot settings are known before the connectors are built.
            Database warehouse = Database.open(settings);
            ChatwootSourceDatabase chatwoot;
            try {
                chatwoot = ChatwootDemo.create(warehouse, scale, seed);
            } catch (RuntimeException e) {
                warehouse.close();
                throw e;
            }
            settings = settings.with(ChatwootDemo.settings(chatwoot));
            System.out.printf("demo: simulated Chatwoot database with %d conversations at %s%n", scale, chatwoot.jdbcUrl());
            System.out.printf("demo: simulated EVO with keys %s, %d gym entries over %d days from %s, at %s%n",
                    evo.scopes(), EvoDemo.entries(scale), EvoDemo.DAYS, evo.startDate(), evo.baseUrl());
            try (DefaultIngestEngine engine = new DefaultIngestEngine(settings, warehouse, BronzeStores.open(settings),
                    Connectors.configured(settings), Clock.systemUTC(), true)) {
                System.out.println("demo: database " + engine.database().description());
                System.out.println("demo: bronze   " + engine.store().describe());
                BatchRunner runner = new BatchRunner(engine);

                System.out.println();
                System.out.println("== 1. full load of both Pipedrive scopes, of Zendesk (its exports meet a 429 and "
                        + "wait), of Chatwoot and of both EVO keys (every entity in its own date windows from EVO_START_DATE)");
                boolean ok = batch(engine, runner, "pipedrive", "full");
                ok &= batch(engine, runner, "zendesk", "full");
                ok &= batch(engine, runner, "chatwoot", "full");
                ok &= batch(engine, runner, "evo", "full");

                var changes = sim.mutate(scale / 20 + 1, scale / 10 + 1, scale / 50 + 1, seed + 1);
                ChatwootChanges talk = chatwoot.mutate(scale / 20 + 1, scale / 10 + 1, scale / 20 + 1, scale / 50 + 1,
                        seed + 1);
                System.out.println();
                zendesk.mutate(scale / 20 + 1, scale / 10 + 1, scale / 50 + 1);
                System.out.println("== 2. changes at the sources: Pipedrive " + summary(changes) + "Zendesk "
                        + (scale / 20 + 1) + " new, " + (scale / 10 + 1) + " changed, " + (scale / 50 + 1)
                        + " deleted tickets; Chatwoot " + talk.summary());
                var gyms = evo.advance(1, seed + 1);
                System.out.println("   EVO " + EvoDemo.summary(gyms));
                // One short burst of rate limiting per scope shows the client waiting as the server says.
                for (String scope : sim.scopes()) {
                    sim.faults(scope).rateLimitNext(1, 1);
                }
                System.out.println("== 3. incremental run (from the watermarks, less the overlap; Pipedrive's whole lists "
                        + "and, with PIPEDRIVE_RECONCILE_DAYS=0, its unfiltered reads flag what the source no longer lists)");
                ok &= batch(engine, runner, "pipedrive", "incremental");
                System.out.println("== 3b. Zendesk incremental run (tickets and users from the stored export cursor)");
                ok &= batch(engine, runner, "zendesk", "incremental");
                ok &= batch(engine, runner, "chatwoot", "incremental");
                // One 429 on one EVO key: that key pauses as Retry-After says (a second), the other goes on.
                evo.faults(evo.scopes().get(0)).rateLimitNext(1, 1);
                System.out.println("== 3c. EVO incremental run (the days from each watermark less EVO_LOOKBACK_DAYS, so "
                        + "late entries are caught; receivables by update date)");
                ok &= batch(engine, runner, "evo", "incremental");
                System.out.printf("== 3d. EVO full re-scan (as EVO_RESCAN_SCHEDULE or `run --source evo --full` does): "
                        + "core still has the old status of %d members, changed at the source without a new date "
                        + "(an incremental run reads only the recent weeks)%n", EvoDemo.staleMembers(engine.database(), evo));
                ok &= batch(engine, runner, "evo", "full");

                System.out.println();
                System.out.println("== 4. core tables against the simulators' truth");
                ok &= TruthCheck.verify(engine.database(), sim, System.out);
                ok &= ZendeskDemo.verify(engine.database(), zendesk, System.out);
                ok &= ChatwootDemo.verify(engine.database(), chatwoot, System.out);
                ok &= EvoDemo.verify(engine.database(), evo, System.out);

                System.out.println();
                System.out.println("== 5. bad input kept, not lost (values the source sent that do not cast)");
                var issues = new com.skyfit.lake.control.OpsQueries(engine.database()).validationIssues();
                issues.forEach(i -> System.out.printf("%-28s %-8s %4d rows  e.g. %s%n", i.stagingTable(), i.status(),
                        i.rows(), i.example()));
                if (issues.isEmpty()) {
                    System.out.println("none");
                }
                System.out.printf("%ndemo: %s in %.1f s. Explore: SKYFIT_HOME=%s ./skyfit status%n",
                        ok ? "OK, core matches the source" : "FAILED", (System.nanoTime() - started) / 1e9, home);
                return ok ? 0 : 1;
            }
        }
    }

    private boolean batch(DefaultIngestEngine engine, BatchRunner runner, String source, String loadType) {
        try (Console console = new Console(System.out)) {
            BatchRunner.Outcome o = runner.run(new PlanRequest(null, source, List.of(), List.of(), loadType, "manual",
                    null, null), workers.workers, console);
            console.close();
            boolean ok = RunReport.print(engine.database(), o.batchId(), System.out);
            if (o.error() != null) {
                System.out.println("batch failed: " + o.error().getMessage());
            }
            return ok && o.error() == null;
        }
    }

    private static String summary(Map<String, com.skyfit.lake.simulator.Changes> changes) {
        StringBuilder b = new StringBuilder();
        changes.forEach((scope, c) -> b.append(scope).append(": ").append(c.summary()).append("; "));
        return b.toString();
    }
}
