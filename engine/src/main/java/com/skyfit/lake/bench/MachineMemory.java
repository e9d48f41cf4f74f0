package com.skyfit.lake.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the machine itself does with memory behind a benchmark's back, read from Linux's sysfs and printed in the
 * benchmark's header, so a number can be read with it: a kernel agent paging idle page cache out (DAMON schemes whose
 * action is {@code pageout}), and free memory handed back to a hypervisor (the virtio-balloon's free page reporting).
 *
 * <p>On the benchmark machine both run: page cache untouched for about a minute is paged out (up to 128 MB a
 * second), and memory free for a moment is reported to the host, whose next touch by the guest then costs tens of
 * microseconds a page. A step at 5 M entries then reads back files an earlier step wrote and pays for memory the
 * 1 M size did not ("What the machine does with memory" in docs/benchmark.md). {@link #describe()} only reads;
 * {@link #pausePageout()} pauses the pageout agents until its handle is closed.
 */
public final class MachineMemory {
    private final Path sys;

    /** Reads the machine's own {@code /sys}. */
    public MachineMemory() {
        this(Path.of("/sys"));
    }

    /** Reads a sysfs tree rooted elsewhere (tests). */
    MachineMemory(Path sys) {
        this.sys = sys;
    }

    /** One line per agent found; empty when none is (or this is not Linux). */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        damonPageout().ifPresent(out::add);
        pageReporting().ifPresent(out::add);
        return out;
    }

    /** Running DAMON schemes that page memory out: the idle age and the quota of the first, and how many. */
    Optional<String> damonPageout() {
        List<String> found = new ArrayList<>();
        for (Path kdamond : pageoutKdamonds()) {
            for (Path scheme : pageoutSchemes(kdamond)) {
                long aggrUs = number(scheme.getParent().getParent().resolve("monitoring_attrs/intervals/aggr_us"))
                        .orElse(0L);
                long age = number(scheme.resolve("access_pattern/age/min")).orElse(0L);
                long quotaBytes = number(scheme.resolve("quotas/bytes")).orElse(0L);
                long resetMs = number(scheme.resolve("quotas/reset_interval_ms")).orElse(0L);
                String idle = aggrUs > 0 ? String.format(java.util.Locale.ROOT, "untouched for %d s",
                        Math.round(age * aggrUs / 1e6)) : "idle";
                String rate = quotaBytes > 0 && resetMs > 0 ? String.format(java.util.Locale.ROOT,
                        ", up to %s every %d ms", quotaBytes >= 1 << 20 ? (quotaBytes >> 20) + " MB"
                                : (quotaBytes >> 10) + " KB", resetMs) : "";
                found.add(idle + rate);
            }
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("machine: a kernel agent (DAMON) pages out memory " + found.get(0)
                + (found.size() > 1 ? " (" + found.size() + " such schemes)" : "")
                + ": files a step wrote a minute before may be read back from disk into memory the host must hand "
                + "back first");
    }

    /**
     * Pauses every running DAMON kdamond that pages the page cache out (writes {@code off} to its state) until the
     * returned handle is closed (writes {@code on} again); what could not be paused (not root) is listed in it. A
     * benchmark keeps the machine's background work off its clock, as it does with checkpoints and autovacuum: the
     * agent pages out a file a step wrote a minute before, and the next step reads it back from disk into memory the
     * host has to hand back. A shutdown hook restores the state if the process is stopped; a killed process leaves
     * the agent paused (start it again with {@code echo on > /sys/kernel/mm/damon/admin/kdamonds/N/state}).
     */
    public Paused pausePageout() {
        List<Path> paused = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Path kdamond : pageoutKdamonds()) {
            Path state = kdamond.resolve("state");
            try {
                Files.writeString(state, "off");
                paused.add(state);
            } catch (IOException | RuntimeException e) {
                failed.add(state + ": " + e.getMessage());
            }
        }
        return new Paused(paused, failed);
    }

    /** Running kdamonds with a page-cache pageout scheme. */
    private List<Path> pageoutKdamonds() {
        List<Path> out = new ArrayList<>();
        for (Path kdamond : children(sys.resolve("kernel/mm/damon/admin/kdamonds"))) {
            if ("on".equals(read(kdamond.resolve("state")).orElse("")) && !pageoutSchemes(kdamond).isEmpty()) {
                out.add(kdamond);
            }
        }
        return out;
    }

    /** A kdamond's schemes that page out physical memory (the page cache among it). */
    private static List<Path> pageoutSchemes(Path kdamond) {
        List<Path> out = new ArrayList<>();
        for (Path context : children(kdamond.resolve("contexts"))) {
            if (!"paddr".equals(read(context.resolve("operations")).orElse(""))) {
                continue; // a process's virtual memory: not the page cache
            }
            for (Path scheme : children(context.resolve("schemes"))) {
                if ("pageout".equals(read(scheme.resolve("action")).orElse(""))) {
                    out.add(scheme);
                }
            }
        }
        return out;
    }

    /** What {@link #pausePageout()} paused; {@link #close()} starts it again. */
    public static final class Paused implements AutoCloseable {
        private final List<Path> states;
        private final List<String> failed;
        private final Thread hook;
        private boolean restored;

        Paused(List<Path> states, List<String> failed) {
            this.states = List.copyOf(states);
            this.failed = List.copyOf(failed);
            this.hook = new Thread(this::restore, "damon-restore");
            if (!this.states.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(hook);
            }
        }

        /** The agents paused (their state files). */
        public List<Path> paused() {
            return states;
        }

        /** Agents that could not be paused, with why (e.g. not root). */
        public List<String> failed() {
            return failed;
        }

        private synchronized void restore() {
            if (restored) {
                return;
            }
            restored = true;
            for (Path state : states) {
                try {
                    Files.writeString(state, "on");
                } catch (IOException | RuntimeException e) {
                    System.err.println("could not start " + state + " again: " + e.getMessage());
                }
            }
        }

        @Override
        public void close() {
            restore();
            if (!states.isEmpty()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down: the hook runs, and finds the agents started again
                }
            }
        }
    }

    /**
     * Free page reporting to the hypervisor: a virtio balloon device bound to its driver that offers it (feature bit
     * {@value #VIRTIO_BALLOON_F_REPORTING}), with the smallest block reported. The kernel's parameter alone says
     * nothing: it exists wherever the kernel was built with it, device or not.
     */
    Optional<String> pageReporting() {
        Path driver = sys.resolve("bus/virtio/drivers/virtio_balloon");
        boolean reporting = false;
        try (Stream<Path> s = Files.isDirectory(driver) ? Files.list(driver) : Stream.empty()) {
            for (Path device : s.filter(p -> p.getFileName().toString().startsWith("virtio")).toList()) {
                String features = read(device.resolve("features")).orElse("");
                reporting |= features.length() > VIRTIO_BALLOON_F_REPORTING
                        && features.charAt(VIRTIO_BALLOON_F_REPORTING) == '1';
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        Optional<Long> order = number(sys.resolve("module/page_reporting/parameters/page_reporting_order"));
        if (!reporting || order.isEmpty() || order.get() < 0 || order.get() > MAX_PLAUSIBLE_ORDER) {
            return Optional.empty();
        }
        return Optional.of(String.format(java.util.Locale.ROOT, "machine: free memory is reported to the host "
                        + "(virtio balloon) in blocks of %d KB of 4 KB pages: memory freed and taken again a moment "
                        + "later costs a host fault a page", 4L << order.get()));
    }

    /** The balloon's free page reporting feature: its index in the device's {@code features} bit string. */
    static final int VIRTIO_BALLOON_F_REPORTING = 5;
    /** Orders above this are the kernel's "not set" markers, not block sizes. */
    private static final long MAX_PLAUSIBLE_ORDER = 20;

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> number(Path file) {
        return read(file).flatMap(s -> {
            try {
                return Optional.of(Long.parseLong(s));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}
