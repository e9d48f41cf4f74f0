package com.skyfit.lake.cli;

import com.skyfit.lake.cli.InProcessCli.Result;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.core.CoreTable;
import com.skyfit.lake.core.CoreTables;
import com.skyfit.lake.simulator.ChatwootSourceDatabase;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `skyfit` commands end to end, over a real PostgreSQL and the simulated source. */
class CommandLineIT {
    @TempDir
    Path home;

    private final PrintStream originalOut = System.out;

    @AfterEach
    void restore() {
        CliSettings.use(null);
        System.setOut(originalOut);
    }

    private Result run(Settings settings, String... args) {
        return InProcessCli.run(settings, args);
    }

    @Test
    void demoRunsFullThenIncrementalAndMatchesTheSource() {
        Result r = run(Settings.of(Map.of(Settings.HOME, home.toString())), "demo", "--scale", "60");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("== 1. full load", "== 3. incremental run", "OK, core matches the source",
                "== 5. bad input kept", "value not a number: 1.500,00", "== 3b. Zendesk incremental run")
                .containsPattern("default +conversations +\\d+ +\\d+ +[1-9]\\d* +0  match")
                .containsPattern("zendesk +tickets +\\d+ +\\d+ +\\d+ +0  match")
                .containsPattern("zendesk +custom fields .* match")
                .doesNotContain("MISMATCH");
        // The truth check covers deletes of every entity and archived deals, and each was found.
        String truth = r.out().substring(r.out().indexOf("== 4."), r.out().indexOf("== 5."));
        List<String[]> rows = truth.lines().filter(l -> l.startsWith("commercial") || l.startsWith("expansion"))
                .map(l -> l.trim().split("\\s+")).toList();
        assertThat(rows).hasSize(14).allSatisfy(c -> {
            assertThat(c[7]).as(String.join(" ", c)).isEqualTo("match");
            assertThat(Long.parseLong(c[4])).as("deleted " + String.join(" ", c)).isPositive();
            assertThat(Long.parseLong(c[5]) > 0).as("archived " + String.join(" ", c)).isEqualTo(c[1].equals("deals"));
        });
        assertEvoInDemo(r.out(), truth);
    }

    /** EVO's runs, its re-scan, and every EVO core table and fact checked for both keys, each a match. */
    private static void assertEvoInDemo(String out, String truth) {
        assertThat(out).contains("demo: simulated EVO with keys [metro, coast]", "== 3c. EVO incremental run",
                "== 3d. EVO full re-scan").containsPattern("core still has the old status of [1-9]\\d* members")
                .containsPattern("metro +entries +success +[1-9]\\d* ").containsPattern("coast +members +success ");
        for (String scope : List.of("metro", "coast")) {
            List<String> rows = truth.lines().filter(l -> l.startsWith(scope + " ")).toList();
            assertThat(rows).as(scope).allSatisfy(l -> assertThat(l).endsWith("  match"));
            for (String entity : EvoDemo.entities()) {
                assertThat(rows).as(scope + " " + entity).anyMatch(l -> l.matches(scope + " +" + entity
                        + " +[1-9]\\d* +[1-9]\\d* +\\d+ +0  match"));
            }
            assertThat(rows).anyMatch(l -> l.matches(scope + " +members Active +[1-9]\\d* +[1-9]\\d* .*"))
                    .anyMatch(l -> l.matches(scope + " +sales removed +([1-9]\\d*) +\\1 +\\1 +0  match"))
                    .anyMatch(l -> l.matches(scope + " +receivables 2 +[1-9]\\d* .*"))
                    .anyMatch(l -> l.matches(scope + " +sales total +([0-9.]+) +\\1 .*"))
                    .anyMatch(l -> l.matches(scope + " +entries/day +([1-9]\\d*) +\\1 +0 +0  match"));
        }
    }

    @Test
    void sandboxServesEvoAndTheSettingsItPrintsReachIt() throws Exception {
        // The test server first: its PostgreSQL binaries then live under target/, not in this test's folder, which
        // is gone when the JVM stops that server.
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        CliSettings.use(Settings.of(Map.of(Settings.HOME, home.toString())));
        java.io.PipedInputStream pipe = new java.io.PipedInputStream(1 << 16);
        System.setOut(new PrintStream(new java.io.PipedOutputStream(pipe), true, StandardCharsets.UTF_8));
        Thread sandbox = new Thread(() -> SkyfitCli.commandLine().execute("sandbox", "--scale", "20", "--entries", "600"));
        sandbox.start();
        Map<String, String> evo = new HashMap<>();
        StringBuilder printed = new StringBuilder();
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(pipe,
                StandardCharsets.UTF_8))) {
            for (String l = lines.readLine(); l != null && !l.startsWith("Press Ctrl+C"); l = lines.readLine()) {
                printed.append(l).append('\n');
                if (l.startsWith("export EVO_")) {
                    evo.put(l.substring(7, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
                }
            }
            System.setOut(originalOut);
            assertThat(printed).contains("Simulated EVO API", "./skyfit run --source evo", "/api/v1/entries?");
            assertThat(evo).containsKeys("EVO_BASE_URL", "EVO_SCOPES", "EVO_METRO_DNS", "EVO_METRO_SECRET_KEY",
                    "EVO_COAST_DNS", "EVO_COAST_SECRET_KEY", "EVO_START_DATE", "EVO_REQUESTS_PER_MINUTE");

            s.put(Settings.HOME, home.resolve("lake").toString());
            s.putAll(evo);
            Result first = run(Settings.of(s), "run", "--source", "evo");
            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(first.out()).containsPattern("metro +entries +success +[1-9]\\d* ")
                    .containsPattern("coast +members +success +[1-9]\\d* ")
                    .doesNotContain(evo.get("EVO_METRO_SECRET_KEY"));
            Result rescan = run(Settings.of(s), "run", "--source", "evo", "--full", "--entity", "members");
            assertThat(rescan.exit()).as(rescan.err()).isZero();
            assertThat(rescan.out()).containsPattern("metro +members +success +[1-9]\\d* ");
        } finally {
            System.setOut(originalOut);
            sandbox.interrupt();
            sandbox.join(30_000);
        }
        assertThat(sandbox.isAlive()).as("the sandbox stops when interrupted").isFalse();
    }

    @Test
    void runReadsZendeskAndARejectedTokenNamesTheSettingsToFix() {
        try (com.skyfit.lake.simulator.ZendeskSimulator sim = com.skyfit.lake.simulator.ZendeskSimulator.builder()
                .scale(20).exportLimit(1000, java.time.Duration.ofMinutes(1)).start()) {
            Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
            s.put(Settings.HOME, home.toString());
            s.put("ZENDESK_BASE_URL", sim.baseUrl());
            s.put("ZENDESK_OAUTH_TOKEN", sim.oauthToken());
            s.put("ZENDESK_EXPORT_REQUESTS_PER_MINUTE", "1000");
            Result ok = run(Settings.of(s), "run", "--source", "zendesk");
            assertThat(ok.exit()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("tickets", "ticket_forms", "success").doesNotContain(sim.oauthToken());

            s.put("ZENDESK_OAUTH_TOKEN", "revoked-oauth-token");
            Result rejected = run(Settings.of(s), "run", "--source", "zendesk", "--entity", "tickets");
            assertThat(rejected.exit()).isNotZero();
            assertThat(rejected.out() + rejected.err()).contains("HTTP 401", "ZENDESK_OAUTH_TOKEN")
                    .doesNotContain("revoked-oauth-token");
        }
        Result off = run(Settings.of(Map.of(Settings.HOME, home.toString())), "run", "--source", "zendesk");
        assertThat(off.exit()).isEqualTo(2);
        assertThat(off.err()).contains("ZENDESK_BASE_URL");
    }

    @Test
    void runLoadTransformAndStatusShareOneLedger() {
        try (PipedriveSimulator sim = PipedriveSimulator.builder().scopes("commercial").scale(30).start()) {
            Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
            s.put(Settings.HOME, home.toString());
            s.put("PIPEDRIVE_SCOPES", "commercial");
            s.put("PIPEDRIVE_COMMERCIAL_BASE_URL", sim.baseUrl("commercial"));
            s.put("PIPEDRIVE_COMMERCIAL_API_TOKEN", sim.token("commercial"));
            Settings settings = Settings.of(s);

            Result first = run(settings, "run", "--source", "pipedrive", "--triggered-by", "scheduler");
            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(first.out()).contains("deals", "success").doesNotContain(sim.token("commercial"));

            Result load = run(settings, "load", "--all-runs");
            assertThat(load.exit()).isZero();
            assertThat(load.out()).contains("loaded 0, skipped 7");

            Result transform = run(settings, "transform", "--full-refresh");
            assertThat(transform.exit()).isZero();
            assertThat(transform.out()).contains("pd_deals");

            Result status = run(settings, "status");
            assertThat(status.exit()).isZero();
            assertThat(status.out()).contains("scheduler", "core.pd_deals", "Failed bronze files: 0");
        }
    }

    @Test
    void runReadsChatwootFromItsDatabaseIncrementallyAndMarksDeletes() throws Exception {
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        ChatwootSourceDatabase source = ChatwootSourceDatabase.create(s.get("SKYFIT_PG_URL"), s.get("SKYFIT_PG_USER"),
                s.get("SKYFIT_PG_PASSWORD"), "chatwoot_cli_" + ProcessHandle.current().pid(), 40, 5);
        s.put(Settings.HOME, home.toString());
        s.put("CHATWOOT_SOURCE_JDBC_URL", source.jdbcUrl());
        s.put("CHATWOOT_SOURCE_USER", source.reader());
        s.put("CHATWOOT_SOURCE_PASSWORD", source.readerPassword());
        s.put("CHATWOOT_SOURCE_SSL_MODE", "disable");
        Settings settings = Settings.of(s);

        Result first = run(settings, "run", "--source", "chatwoot", "--triggered-by", "scheduler");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).containsPattern("default +conversations +success +40 +1 +40 +40 +0 +0 +0")
                .doesNotContain(source.readerPassword());

        var changes = source.mutate(2, 3, 1, 2, 8);
        Result second = run(settings, "run", "--source", "chatwoot");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).containsPattern("default +conversations +success +\\d+ +1 +\\d+ +2 +4 ")
                .containsPattern("default +conversation_ids +success +40 +1 +2 +0 +0 +0 +2 ");
        assertThat(changes.deleted()).hasSize(2);

        Result full = run(settings, "run", "--source", "chatwoot", "--full", "--entity", "conversations");
        assertThat(full.exit()).as(full.err()).isZero();
        assertThat(full.out()).containsPattern("default +conversations +success +40 +1 +40 +0 +0 +40 +0 ");

        Result status = run(settings, "status");
        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains("chatwoot", "core.chatwoot_conversations");
    }

    @Test
    void aWrongSettingStopsWithAMessageNamingIt() {
        Result noChatwoot = run(Settings.of(Map.of(Settings.HOME, home.toString())), "run", "--source", "chatwoot");
        assertThat(noChatwoot.exit()).isEqualTo(2);
        assertThat(noChatwoot.err()).contains("CHATWOOT_SOURCE_JDBC_URL");

        Result noScopes = run(Settings.of(Map.of(Settings.HOME, home.toString())), "run", "--source", "pipedrive");
        assertThat(noScopes.exit()).isEqualTo(2);
        assertThat(noScopes.err()).contains("PIPEDRIVE_SCOPES");

        Result noUrl = run(Settings.of(Map.of(Settings.HOME, home.toString(), "PIPEDRIVE_SCOPES", "commercial")),
                "run", "--source", "pipedrive");
        assertThat(noUrl.exit()).isEqualTo(2);
        assertThat(noUrl.err()).contains("PIPEDRIVE_COMMERCIAL_BASE_URL");

        Result badBronze = run(Settings.of(Map.of(Settings.HOME, home.toString(), "SKYFIT_BRONZE_URL", "ftp://nowhere")),
                "load");
        assertThat(badBronze.exit()).isEqualTo(2);
        assertThat(badBronze.err()).contains("SKYFIT_BRONZE_URL");
    }

    @Test
    void migrateBringsAServerUpToDateAndOtherCommandsRefuseAnOldSchema() {
        Map<String, String> s = new HashMap<>(TestPostgres.newEmptyDatabaseSettings());
        s.put(Settings.HOME, home.toString());
        Settings settings = Settings.of(s);

        Result refused = run(settings, "status");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("./skyfit migrate", "empty (never migrated)");
        Result pending = run(settings, "migrate", "--check");
        assertThat(pending.exit()).isEqualTo(1);
        assertThat(pending.out()).contains("pending");

        Result migrated = run(settings, "migrate");
        assertThat(migrated.exit()).as(migrated.err()).isZero();
        assertThat(migrated.out()).containsPattern("schema: empty -> version [0-9.]+ \\([1-9][0-9]* migration\\(s\\) applied\\)");
        assertThat(run(settings, "migrate", "--check").exit()).isZero();
        assertThat(run(settings, "status").exit()).isZero();
        assertThat(run(settings, "migrate").out()).contains("(0 migration(s) applied)");
    }

    @Test
    void benchPrintsItsRatiosLine() {
        Result r = run(Settings.of(Map.of(Settings.HOME, home.toString())), "bench", "--records", "3000");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("(a) load", "(b) load_baseline", "(c) core transform", "(d) transform_baseline")
                .containsPattern("bench: load_ratio=[0-9.]+ transform_ratio=[0-9.]+ load_rps=[0-9]+ transform_rps=[0-9]+");
    }

    @Test
    void sqlPrintsAndWritesTheTransformsGeneratedFromTheDeclarations() throws Exception {
        Result deals = run(Settings.of(Map.of()), "sql", "core.pd_deals");
        assertThat(deals.exit()).as(deals.err()).isZero();
        assertThat(deals.out()).isEqualTo(CoreTables.PD_DEALS.transformSql()).contains("INSERT INTO core.pd_deals");

        Result ddl = run(Settings.of(Map.of()), "sql", "evo_sales", "--ddl");
        assertThat(ddl.out()).startsWith("CREATE TABLE core.evo_sales (").contains("PRIMARY KEY (scope, id_sale)");

        Result unknown = run(Settings.of(Map.of()), "sql", "pd_leads");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no core table 'pd_leads'", "pd_deals", "evo_sales");

        Files.createDirectories(home.resolve("sql/transforms"));
        Result write = run(Settings.of(Map.of()), "sql", "--write", "--root", home.toString());
        assertThat(write.exit()).as(write.err()).isZero();
        for (CoreTable t : CoreTables.all()) {
            if (t.generated()) {
                assertThat(Files.readString(home.resolve(t.transformResource()))).isEqualTo(t.transformSql());
            } else {
                assertThat(home.resolve(t.transformResource())).as("a hand-written file is never overwritten")
                        .doesNotExist();
                assertThat(write.out()).contains("(hand-written)");
            }
        }
        Result handWrittenDdl = run(Settings.of(Map.of()), "sql", "chatwoot_id_listings", "--ddl");
        assertThat(handWrittenDdl.exit()).isEqualTo(2);
        assertThat(handWrittenDdl.err()).contains("hand-written", "migration");
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"demo", "run", "backfill", "gaps", "load", "transform", "status", "migrate", "sandbox", "bench"}) {
            Result r = run(Settings.of(Map.of()), cmd, "--help");
            assertThat(r.exit()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).contains("Usage: skyfit " + cmd);
        }
    }
}
