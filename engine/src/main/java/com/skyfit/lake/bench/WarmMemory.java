package com.skyfit.lake.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The machine's free memory touched before a benchmark step, untimed, and left as clean page cache: a step then
 * runs, at every size, in memory the guest has touched before, as a long-running server does.
 *
 * <p>Why: on a virtual machine whose host takes the guest's free memory back (virtio-balloon free page reporting:
 * memory free for a few seconds is handed to the host), the first touch of such a page costs the guest tens of
 * microseconds. Measured on the benchmark machine: 15.6 GB read into the page cache in 201 s the first time, in
 * 2.4 s the second. A COPY of 5 M staging rows after the page cache was dropped cost 4.34 us a row, against 2.77 at
 * 1 M; with the memory touched first, 2.95 and 2.93. A larger size needs more memory than the steps before it freed,
 * so without this it pays for the host's memory and the smaller size does not: the scale check would measure the
 * host.
 *
 * <p>How: a sparse file grows by the free memory less {@link #RESERVE_BYTES} and that new region is read through.
 * Reading a hole costs no disk I/O; each page read becomes a clean page of zeros in the page cache, which the kernel
 * reclaims (cheaply: the page is the guest's already) when a step needs the memory. Only free memory is read into,
 * so the touch itself evicts nothing; what the kernel reclaims later, when a step needs memory, is its own choice.
 * Memory a step frees can be handed back to the host again within seconds, so the next pass touches it again. The
 * file is deleted on {@link #close()}.
 */
public final class WarmMemory implements AutoCloseable {
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    /** Left free: the kernel's own watermarks, and room for an allocation before reclaim starts. */
    static final long RESERVE_BYTES = 256L << 20;
    /** Below this much free memory a touch is not worth a pass. */
    static final long MIN_TOUCH_BYTES = 64L << 20;
    private static final int READ_BYTES = 1 << 20;
    /** File systems whose holes read as page cache pages, with no disk I/O (tmpfs maps a shared zero page instead). */
    static final Set<String> SPARSE_FILE_SYSTEMS = Set.of("ext4", "xfs", "btrfs");

    private final Path file;
    private final long cap;
    private final LongSupplier free;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(READ_BYTES);
    private long length;
    private long touched;
    private int passes;
    private double seconds;

    private WarmMemory(Path file, long cap, LongSupplier free) {
        this.file = file;
        this.cap = cap;
        this.free = free;
    }

    /**
     * Why memory cannot be warmed through a file in {@code dir} (not Linux: no {@code /proc/meminfo}; a file system
     * whose holes are not read into the page cache for free), or empty when it can.
     */
    public static Optional<String> unavailable(Path dir) {
        if (!Files.isReadable(MEMINFO)) {
            return Optional.of(MEMINFO + " is not readable (warming memory needs Linux)");
        }
        if (freeBytes().isEmpty()) {
            return Optional.of(MEMINFO + " has no readable MemFree line");
        }
        try {
            Path existing = dir.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            String type = existing == null ? "unknown" : Files.getFileStore(existing).type();
            if (!SPARSE_FILE_SYSTEMS.contains(type)) {
                return Optional.of(dir + " is on " + type + ", not one of " + SPARSE_FILE_SYSTEMS.stream().sorted()
                        .toList() + " (warming reads holes of a sparse file into the page cache)");
            }
        } catch (IOException e) {
            return Optional.of("the file system of " + dir + " could not be read: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Warms through a new, empty sparse file (replacing one left by an earlier run); every touch unbounded. */
    public static WarmMemory open(Path file) throws IOException {
        return open(file, Long.MAX_VALUE, () -> freeBytes().orElse(0));
    }

    /** As {@link #open(Path)}, touching at most {@code cap} bytes a pass, with the free memory told (tests). */
    static WarmMemory open(Path file, long cap, LongSupplier free) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        Files.createFile(file);
        return new WarmMemory(file, cap, free);
    }

    /**
     * Reads the free memory, less the reserve, into the page cache: the file grows by that much (a hole) and the new
     * region is read. Returns the bytes touched (0 when less than {@link #MIN_TOUCH_BYTES} was free).
     */
    public synchronized long touchFree() throws IOException {
        long bytes = Math.min(cap, free.getAsLong() - RESERVE_BYTES) & ~(READ_BYTES - 1L);
        if (bytes <= 0 || bytes < Math.min(cap, MIN_TOUCH_BYTES)) {
            return 0;
        }
        long start = length;
        long began = System.nanoTime();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(start + bytes);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = start;
            while (at < start + bytes) {
                buf.clear();
                int n = ch.read(buf, at);
                if (n <= 0) {
                    throw new IOException("reading " + file + " at " + at + " returned " + n);
                }
                at += n;
            }
        }
        length = start + bytes;
        touched += bytes;
        passes++;
        seconds += (System.nanoTime() - began) / 1e9;
        return bytes;
    }

    /** Bytes touched by every pass so far. */
    public synchronized long touchedBytes() {
        return touched;
    }

    /** Passes that touched memory. */
    public synchronized int passes() {
        return passes;
    }

    /** Seconds every pass took so far (untimed by the benchmark, shown beside it). */
    public synchronized double seconds() {
        return seconds;
    }

    /** The file's length: every region touched so far. */
    synchronized long length() {
        return length;
    }

    public Path file() {
        return file;
    }

    /** Deletes the file; its pages leave the page cache with it. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }

    /** {@code MemFree} of {@code /proc/meminfo}, in bytes. */
    static OptionalLong freeBytes() {
        try {
            return memFree(Files.readAllLines(MEMINFO));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The {@code MemFree: N kB} line of a meminfo text, in bytes. */
    static OptionalLong memFree(List<String> meminfo) {
        for (String line : meminfo) {
            if (line.startsWith("MemFree:")) {
                String[] f = line.substring("MemFree:".length()).trim().split("\\s+");
                long kb = Long.parseLong(f[0]);
                return OptionalLong.of(f.length > 1 && f[1].equalsIgnoreCase("kB") ? kb << 10 : kb);
            }
        }
        return OptionalLong.empty();
    }
}
