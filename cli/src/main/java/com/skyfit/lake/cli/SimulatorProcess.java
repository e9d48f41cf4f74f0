package com.skyfit.lake.cli;

import com.skyfit.lake.simulator.EvoSimulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The simulated EVO API in a JVM of its own, so the benchmark's heap is the lake's alone: the API is someone
 * else's process in production. The child prints the settings that reach it, then "ready", and stops when its
 * standard input says "quit" or closes (so it never outlives the benchmark).
 */
final class SimulatorProcess implements AutoCloseable {
    private static final String READY = "ready";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final Process process;
    private final Map<String, String> settings;

    private SimulatorProcess(Process process, Map<String, String> settings) {
        this.process = process;
        this.settings = settings;
    }

    /** Starts the child on this JVM's own classpath; fails with what the child printed if it never gets ready. */
    static SimulatorProcess start(String scope, long entries, LocalDate first, int days, int branches, long seed,
            int cacheMegabytes, int heapMegabytes) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heapMegabytes + "m",
                "-cp", System.getProperty("java.class.path"), SimulatorProcess.class.getName(), scope,
                Long.toString(entries), first.toString(), Integer.toString(days), Integer.toString(branches),
                Long.toString(seed), Integer.toString(cacheMegabytes)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> settings = new LinkedHashMap<>();
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
            if (line.equals(READY)) {
                // the child writes nothing more; its output is drained so it can never block on a full pipe
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "simulator-output");
                drain.setDaemon(true);
                drain.start();
                return new SimulatorProcess(p, settings);
            }
            int eq = line.indexOf('=');
            if (line.startsWith("EVO_") && eq > 0) {
                settings.put(line.substring(0, eq), line.substring(eq + 1));
            } else {
                seen.append(line).append('\n');
            }
        }
        p.destroyForcibly();
        throw new IOException("the EVO simulator process did not start: " + seen);
    }

    /** The EVO settings that point the lake at the child (EVO_BASE_URL, EVO_SCOPES, the key, EVO_START_DATE). */
    Map<String, String> settings() {
        return settings;
    }

    @Override
    public void close() {
        try (Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
            in.write("quit\n");
        } catch (IOException e) {
            // the child is gone already
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The child: scope entries first-day days branches seed cache-megabytes; the limit off. */
    public static void main(String[] args) throws IOException {
        try (EvoSimulator sim = EvoSimulator.builder().scopes(args[0]).entries(Long.parseLong(args[1]))
                .days(LocalDate.parse(args[2]), Integer.parseInt(args[3])).branches(Integer.parseInt(args[4]))
                .seed(Long.parseLong(args[5])).cacheMegabytes(Integer.parseInt(args[6])).requestsPerMinute(0)
                .start()) {
            // A simulator secret guards nothing real; handing it to the parent is what makes the simulator usable.
            sim.settings().forEach((k, v) -> System.out.println(k + "=" + v));
            System.out.println(READY);
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("quit")) {
                // nothing else is asked of the child
            }
        }
    }
}
