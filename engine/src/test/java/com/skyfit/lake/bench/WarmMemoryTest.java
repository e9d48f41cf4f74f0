package com.skyfit.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmMemoryTest {
    private static final long MB = 1L << 20;

    @Test
    void readsMemFreeInBytes() {
        assertThat(WarmMemory.memFree(List.of("MemTotal:       24683520 kB", "MemFree:         3345688 kB",
                "MemAvailable:   23969828 kB")).getAsLong()).isEqualTo(3345688L * 1024);
        assertThat(WarmMemory.memFree(List.of("MemTotal: 1 kB"))).isEmpty();
    }

    @Test
    void eachPassReadsANewHoleOfTheFileIntoThePageCacheAndTheFileGoesOnClose(@TempDir Path dir) throws Exception {
        assumeTrue(WarmMemory.unavailable(dir).isEmpty(), "needs Linux and a file system with sparse files");
        long cap = 8 * MB;
        Path file = dir.resolve("warm.bin");
        Files.writeString(file, "left by an earlier run");
        try (WarmMemory warm = WarmMemory.open(file, cap, () -> 4096 * MB)) {
            assertThat(Files.size(file)).as("an earlier run's file replaced").isZero();
            assertThat(warm.touchFree()).isEqualTo(cap);
            assertThat(warm.touchFree()).isEqualTo(cap);
            assertThat(warm.length()).isEqualTo(2 * cap);
            assertThat(Files.size(file)).isEqualTo(2 * cap);
            assertThat(warm.touchedBytes()).isEqualTo(2 * cap);
            assertThat(warm.passes()).isEqualTo(2);
            // a hole: nothing is written to the disk
            assertThat(Long.parseLong(run("du", "-k", file.toString()).split("\\s+")[0])).as("KB on disk")
                    .isLessThan(1024);
            // and every page read is in the page cache (fincore, where util-linux has it)
            if (Files.isExecutable(Path.of("/usr/bin/fincore"))) {
                long resident = Long.parseLong(run("fincore", "--bytes", "--noheadings", "--output", "RES",
                        file.toString()).trim());
                assertThat(resident).as("bytes of the file in the page cache").isEqualTo(2 * cap);
            }
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void touchesTheFreeMemoryLessTheReserveInWholeMegabytesAndNothingWhenLittleIsFree(@TempDir Path dir)
            throws Exception {
        assumeTrue(WarmMemory.unavailable(dir).isEmpty(), "needs Linux and a file system with sparse files");
        AtomicLong free = new AtomicLong();
        try (WarmMemory warm = WarmMemory.open(dir.resolve("warm.bin"), Long.MAX_VALUE, free::get)) {
            free.set(WarmMemory.RESERVE_BYTES - MB);
            assertThat(warm.touchFree()).as("below the reserve").isZero();
            free.set(WarmMemory.RESERVE_BYTES + WarmMemory.MIN_TOUCH_BYTES - MB);
            assertThat(warm.touchFree()).as("less than a pass is worth").isZero();
            assertThat(warm.passes()).isZero();
            free.set(WarmMemory.RESERVE_BYTES + WarmMemory.MIN_TOUCH_BYTES + 12_345);
            assertThat(warm.touchFree()).as("rounded down to whole reads").isEqualTo(WarmMemory.MIN_TOUCH_BYTES);
            assertThat(warm.length()).isEqualTo(WarmMemory.MIN_TOUCH_BYTES);
            assertThat(warm.passes()).isEqualTo(1);
        }
    }

    @Test
    void saysWhyWhereHolesAreNotPageCache() {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isReadable(Path.of("/proc/meminfo")), "needs Linux /dev/shm");
        assertThat(WarmMemory.unavailable(shm.resolve("not-yet-made/bench"))).hasValueSatisfying(why ->
                assertThat(why).contains("tmpfs").contains("ext4"));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
