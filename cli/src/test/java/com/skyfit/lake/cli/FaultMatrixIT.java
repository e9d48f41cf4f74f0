package com.skyfit.lake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.PipedriveSimulator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault matrix, with real processes: the packaged CLI jar runs `skyfit run` against the Pipedrive simulator
 * and a PostgreSQL this test starts and stops. Each fault strikes one run; the next ordinary run, with no
 * manual step, must leave core equal to the source: nothing lost, nothing doubled, no run left 'running'.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixIT {
    private static final Path JAR = Path.of("target", "skyfit.jar").toAbsolutePath();
    private static final Path DIR = Path.of("target", "fault-matrix").toAbsolutePath();
    private static final List<String> ENTITIES = List.of("deals", "persons", "organizations", "activities", "pipelines",
            "stages", "users");

    private PipedriveSimulator sim;
    private EmbeddedPostgres pg;
    private int port;
    private Database db;
    private int mutations;

    @BeforeAll
    void start() throws IOException, InterruptedException {
        assertThat(JAR).as("the packaged CLI (mvn package builds it before the integration tests)").exists();
        ScratchFolder.recreate(DIR);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        pg = startPostgres();
        db = Database.external(url(), "postgres", Secret.of("postgres"));
        // Large enough that extract, load and transform each take a moment; a slow API stretches the extract.
        sim = PipedriveSimulator.builder().scopes("commercial").scale(3000).seed(11).start();
        sim.faults("commercial").delay(Duration.ofMillis(15));
        // a server's schema is brought up to date by the deploy step, never by a run: do it as an operator would
        Child migrate = Child.start(env(), "migrate", "migrate");
        assertThat(migrate.waitFor(Duration.ofMinutes(3))).as(migrate.output()).isZero();
    }

    @AfterAll
    void stop() throws IOException {
        if (sim != null) {
            sim.close();
        }
        if (db != null) {
            db.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Order(1)
    void killedInExtract() throws Exception {
        Child run = Child.start(env(), "extract", "run", "--source", "pipedrive");
        run.awaitLine("  extract ", Duration.ofMinutes(2)); // the first windows are in bronze, others still reading
        run.kill();
        assertThat(count("SELECT count(*) FROM ops.runs WHERE status = 'running'")).isPositive();
        assertThat(count("SELECT count(*) FROM ops.bronze_files WHERE status = 'written'")).isPositive();
    }

    @Test
    @Order(2)
    void samePartDeliveredTwiceAtOnce() throws Exception {
        assertThat(count("SELECT count(*) FROM ops.bronze_files WHERE status = 'loaded'")).isZero();
        // Each load is handed every part of the store at the same moment: the unloaded ones reach both.
        Child first = Child.start(env(), "load-1", "load", "--all-runs");
        Child second = Child.start(env(), "load-2", "load", "--all-runs");
        assertThat(first.waitFor(Duration.ofMinutes(2))).as(first.output()).isZero();
        assertThat(second.waitFor(Duration.ofMinutes(2))).as(second.output()).isZero();

        // Both loads were handed every part the killed run left; each part went into staging once.
        long parts = handed(first.output());
        assertThat(parts).isPositive();
        assertThat(handed(second.output())).isEqualTo(parts);
        assertThat(loaded(first.output()) + loaded(second.output())).isEqualTo(parts);
        assertStagingHoldsEachLoadedPartOnce();
    }

    @Test
    @Order(3)
    void killedInLoad() throws Exception {
        mutateSource();
        Child run = Child.start(env(), "load", "run", "--source", "pipedrive");
        run.awaitLine("phase: load", Duration.ofMinutes(3));
        Thread.sleep(300);
        run.kill();
        assertThat(count("SELECT count(*) FROM ops.runs WHERE status = 'running'")).isPositive();
    }

    @Test
    @Order(4)
    void killedInTransform() throws Exception {
        mutateSource();
        Child run = Child.start(env(), "transform", "run", "--source", "pipedrive");
        run.awaitLine("phase: transform", Duration.ofMinutes(3));
        Thread.sleep(300);
        run.kill();
        assertThat(count("SELECT count(*) FROM ops.runs WHERE status = 'running'")).isPositive();
    }

    @Test
    @Order(5)
    void postgresStoppedAndStartedDuringALoad() throws Exception {
        mutateSource();
        Child run = Child.start(env(), "pg-restart", "run", "--source", "pipedrive");
        run.awaitLine("phase: load", Duration.ofMinutes(3));
        awaitFirstLoadedPart(run);
        pg.close();
        Thread.sleep(2_000);
        pg = startPostgres();
        int exit = run.waitFor(Duration.ofMinutes(3));
        // The loader waited for the server and went on: the run finishes by itself.
        assertThat(exit).as(run.output()).isZero();
        assertThat(run.output()).contains("retry 1 of");
    }

    @Test
    @Order(6)
    void theNextOrdinaryRunFinishesTheJob() throws Exception {
        mutateSource();
        sim.faults("commercial").delay(Duration.ofSeconds(3)); // holds the run in extract while a second one tries
        Child run = Child.start(env(), "final", "run", "--source", "pipedrive");
        run.awaitLine("phase: extract", Duration.ofMinutes(2));
        // A second run of an entity whose owner is alive does not start, and says who owns it.
        Child second = Child.start(env(), "second", "run", "--source", "pipedrive", "--entity", "deals");
        int refused = second.waitFor(Duration.ofMinutes(2));
        sim.faults("commercial").delay(Duration.ofMillis(15));
        assertThat(refused).as(second.output()).isEqualTo(1);
        assertThat(second.output()).containsPattern(
                "not started: pipedrive commercial/deals is owned by run \\S+ of batch \\S+ since \\S+");
        assertThat(run.waitFor(Duration.ofMinutes(3))).as(run.output()).isZero();

        ByteArrayOutputStream table = new ByteArrayOutputStream();
        boolean matches = TruthCheck.verify(db, sim, new PrintStream(table, true, StandardCharsets.UTF_8));
        System.out.println(table.toString(StandardCharsets.UTF_8));
        assertThat(matches).as(table.toString(StandardCharsets.UTF_8)).isTrue();
        assertThat(count("SELECT count(*) FROM ops.runs WHERE status = 'running'")).isZero();
        assertThat(count("SELECT count(*) FROM ops.runs WHERE status = 'failed' AND error_message IS NULL")).isZero();
        assertThat(count("SELECT count(*) FROM ops.run_leases")).isZero();
        assertThat(count("SELECT count(*) FROM ops.bronze_files WHERE status <> 'loaded'")).isZero();
        assertStagingHoldsEachLoadedPartOnce();
        for (String entity : ENTITIES) {
            // Every core row was inserted once and counted once, on the run whose transform wrote it.
            assertThat(count("SELECT coalesce(sum(rows_inserted), 0) FROM ops.runs WHERE entity = '" + entity + "'"))
                    .as("rows counted inserted for " + entity)
                    .isEqualTo(count("SELECT count(*) FROM core.pd_" + entity));
        }
        assertThat(count("SELECT count(*) FROM ops.runs WHERE error_message LIKE 'abandoned%'")).isPositive();
    }

    /** Waits until the running batch has committed its first part into staging: the load is under way. */
    private void awaitFirstLoadedPart(Child run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (count("SELECT count(*) FROM ops.bronze_files f JOIN ops.runs r USING (run_id) WHERE f.status = 'loaded' "
                + "AND r.batch_id = (SELECT batch_id FROM ops.runs ORDER BY started_at DESC LIMIT 1)") == 0) {
            assertThat(System.nanoTime()).as("a part loaded by skyfit pg-restart:\n" + run.output()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void mutateSource() {
        mutations++;
        sim.mutate(40, 60, 10, 100 + mutations);
    }

    private void assertStagingHoldsEachLoadedPartOnce() {
        for (String entity : ENTITIES) {
            long mismatched = count("SELECT count(*) FROM ops.bronze_files f LEFT JOIN (SELECT blob_path, count(*) AS n "
                    + "FROM stg_pipedrive." + entity + "_raw GROUP BY blob_path) s USING (blob_path) "
                    + "WHERE f.entity = '" + entity + "' AND f.status = 'loaded' AND coalesce(s.n, 0) <> f.records");
            assertThat(mismatched).as("loaded " + entity + " parts whose staging rows differ from their records")
                    .isZero();
        }
    }

    private static long handed(String output) {
        Matcher m = Pattern.compile("loading (\\d+) bronze parts").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long loaded(String output) {
        Matcher m = Pattern.compile("loaded (\\d+), skipped").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return Long.parseLong(m.group(1));
    }

    private long count(String sql) {
        return db.queryFirst(sql, ps -> {}, rs -> rs.getLong(1)).orElseThrow();
    }

    private EmbeddedPostgres startPostgres() throws IOException {
        Path data = DIR.resolve("pg");
        Files.createDirectories(data);
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(DIR.toFile())
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .start();
    }

    private String url() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    private Map<String, String> env() {
        return Map.ofEntries(
                Map.entry("SKYFIT_HOME", DIR.resolve("home").toString()),
                Map.entry("SKYFIT_PG_URL", url()),
                Map.entry("SKYFIT_PG_USER", "postgres"),
                Map.entry("SKYFIT_PG_PASSWORD", "postgres"),
                Map.entry("SKYFIT_PG_RETRY_SECONDS", "1,1,2,2,3,3,4,4"),
                Map.entry("SKYFIT_BRONZE_PART_MAX_RECORDS", "1500"),
                Map.entry("SKYFIT_LOAD_BATCH_FILES", "2"),
                Map.entry("PIPEDRIVE_SCOPES", "commercial"),
                Map.entry("PIPEDRIVE_REQUESTS_PER_2S", "1000"),
                // every run reconciles, so the truth check holds the persons, organizations and activities
                // deleted between runs to account (their lists never show a deleted record)
                Map.entry("PIPEDRIVE_RECONCILE_DAYS", "0"),
                Map.entry("PIPEDRIVE_COMMERCIAL_BASE_URL", sim.baseUrl("commercial")),
                Map.entry("PIPEDRIVE_COMMERCIAL_API_TOKEN", sim.token("commercial")));
    }

    /** A `skyfit` process on the packaged jar; its output is kept in target/fault-matrix/{name}.log. */
    private static final class Child {
        private final Process process;
        private final List<String> lines = new ArrayList<>();
        private final String name;

        private Child(Process process, String name) {
            this.process = process;
            this.name = name;
            Thread reader = new Thread(this::read, "child-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Map<String, String> env, String name, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx512m", "-jar", JAR.toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("SKYFIT_") || k.startsWith("PIPEDRIVE_"));
            pb.environment().putAll(env);
            pb.environment().put("CI", "true"); // plain lines, no progress bar
            return new Child(pb.start(), name);
        }

        private void read() {
            try (var in = process.inputReader(StandardCharsets.UTF_8);
                    var log = Files.newBufferedWriter(DIR.resolve(name + ".log"), StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    log.write(line);
                    log.newLine();
                    log.flush();
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process was killed: its output simply ends
            }
        }

        void awaitLine(String prefix, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lines) {
                while (lines.stream().noneMatch(l -> l.startsWith(prefix))) {
                    long left = deadline - System.nanoTime();
                    assertThat(left).as("'" + prefix + "' from skyfit " + name + "; output so far:\n" + output())
                            .isPositive();
                    assertThat(process.isAlive() || lines.stream().anyMatch(l -> l.startsWith(prefix)))
                            .as("skyfit " + name + " ended before '" + prefix + "':\n" + output()).isTrue();
                    lines.wait(Math.max(1, Math.min(left / 1_000_000, 200)));
                }
            }
        }

        /** kill -9: no shutdown hook, no finally block, no clean-up of any kind. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        int waitFor(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("skyfit " + name + " did not finish within " + timeout + ":\n" + output());
            }
            Thread.sleep(100); // the reader drains the last lines
            return process.exitValue();
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}
