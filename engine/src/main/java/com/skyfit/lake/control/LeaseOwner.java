package com.skyfit.lake.control;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Who holds a run lease. A CLI process is named {@code pid@host/start}, where host is the host name plus a short
 * digest of the machine's boot id and its process namespace, so two machines or containers that share a host name
 * never read each other's pids. A lease left by a process of this host that no longer exists (killed, crashed)
 * is dead at once, without waiting for its heartbeat to age.
 * A Function App batch has no process of its own (its activities run anywhere): only the heartbeat counts.
 */
public record LeaseOwner(String id) {
    private static final String HOST = hostName();

    /** The current process, recognisable as gone by the next process on this host. */
    public static LeaseOwner currentProcess() {
        return of(ProcessHandle.current());
    }

    /** A process of this host. */
    public static LeaseOwner of(ProcessHandle process) {
        return new LeaseOwner(process.pid() + "@" + HOST + "/" + startMillis(process).orElse(0L));
    }

    /**
     * A batch driven by durable orchestration: alive as long as its activities refresh the heartbeat. Stored as
     * 'orchestration' (the comment of V005__run_leases.sql says 'batch'; a landed migration is never edited).
     */
    public static LeaseOwner orchestration() {
        return new LeaseOwner("orchestration");
    }

    /** True when the id names a process of this host that has ended (or whose pid now belongs to another). */
    static boolean isGoneOnThisHost(String ownerId) {
        int at = ownerId.indexOf('@');
        int slash = ownerId.lastIndexOf('/');
        if (at <= 0 || slash <= at || !ownerId.substring(at + 1, slash).equals(HOST)) {
            return false;
        }
        try {
            long pid = Long.parseLong(ownerId.substring(0, at));
            long start = Long.parseLong(ownerId.substring(slash + 1));
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            // A pid reused by a later process has another start time (allowing for the clock-tick rounding).
            return p.isEmpty() || !p.get().isAlive()
                    || (start != 0 && startMillis(p.get()).map(s -> Math.abs(s - start) > 1000).orElse(false));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Optional<Long> startMillis(ProcessHandle p) {
        return p.info().startInstant().map(i -> i.toEpochMilli());
    }

    private static String hostName() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            name = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
        }
        return name.replaceAll("[@/]", "_") + "~" + namespaceDigest();
    }

    /** Boot id and pid namespace (Linux): which pids this process can see. Empty elsewhere. */
    private static String namespaceDigest() {
        try {
            String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            String pidNamespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((bootId + "|" + pidNamespace).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (Exception e) {
            return "";
        }
    }
}
