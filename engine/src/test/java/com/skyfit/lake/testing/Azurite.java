package com.skyfit.lake.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Azurite (Blob service only) for tests, started once per test JVM on a free port from the
 * pinned copy in tools/azurite. A clean clone works: when tools/azurite/node_modules is missing this
 * runs {@code npm ci} there first. Without Node.js the tests fail with a message that says so, rather
 * than skipping, so a green build always means the Azure store was really exercised.
 */
public final class Azurite {
    public static final String ACCOUNT = "devstoreaccount1";
    /** The emulator's published well-known key; it guards nothing. */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static Azurite instance;

    private final int port;

    private Azurite(int port) {
        this.port = port;
    }

    /** The shared emulator, started on first use. */
    public static synchronized Azurite get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    public int port() {
        return port;
    }

    /** Service endpoint, e.g. http://127.0.0.1:41234/devstoreaccount1 (no trailing slash). */
    public String blobEndpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    /** The SKYFIT_BRONZE_URL form for a container on this emulator. */
    public String containerUrl(String container) {
        return blobEndpoint() + "/" + container;
    }

    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    private static Azurite start() {
        Path tools = toolsDir();
        requireNode();
        Path main = tools.resolve("node_modules/azurite/dist/src/blob/main.js");
        if (!Files.isRegularFile(main)) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", tools.toString()), tools,
                    "npm ci in " + tools + " (installs the pinned Azurite)");
        }
        if (!Files.isRegularFile(main)) {
            throw new IllegalStateException("Azurite is still missing after npm ci: " + main);
        }
        try {
            Path location = Path.of("target", "azurite", String.valueOf(ProcessHandle.current().pid())).toAbsolutePath();
            Files.createDirectories(location);
            int port = freePort();
            Path log = location.resolve("azurite.log");
            Process process = new ProcessBuilder("node", main.toString(), "--silent", "--disableTelemetry",
                    "--location", location.toString(), "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port),
                    "--skipApiVersionCheck", "--loose")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process)));
            waitUntilAnswering(process, port, log);
            return new Azurite(port);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start Azurite: " + e.getMessage(), e);
        }
    }

    /** tools/azurite, found from the module folder the tests run in (engine/) or any folder below the root. */
    private static Path toolsDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("tools/azurite");
            if (Files.isRegularFile(candidate.resolve("package.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("tools/azurite/package.json not found above " + Path.of("").toAbsolutePath());
    }

    private static void requireNode() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            // falls through to the message below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("The Azure bronze store tests need Node.js (18 or newer) on PATH to run Azurite "
                + "from tools/azurite; install Node.js and run the build again");
    }

    private static void run(List<String> command, Path dir, String what) {
        try {
            Path log = Files.createTempFile("skyfit-npm", ".log");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " failed; output:\n" + tail(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException(what + " could not run (is npm on PATH?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void waitUntilAnswering(Process process, int port, Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Azurite exited with " + process.exitValue() + "; log:\n" + tail(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/" + ACCOUNT + "?comp=list")
                        .toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                int status = c.getResponseCode(); // any answer (403 without a signature) means it is serving
                c.disconnect();
                if (status > 0) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Azurite", e);
            }
        }
        stop(process);
        throw new IllegalStateException("Azurite did not answer on port " + port + " within 60 s; log:\n" + tail(log));
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
