package com.skyfit.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineMemoryTest {

    private static void write(Path root, String file, String value) throws Exception {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, value + "\n");
    }

    private static void pageoutScheme(Path sys, String state) throws Exception {
        String k = "kernel/mm/damon/admin/kdamonds/0/";
        write(sys, k + "state", state);
        write(sys, k + "contexts/0/operations", "paddr");
        write(sys, k + "contexts/0/monitoring_attrs/intervals/aggr_us", "5000000");
        write(sys, k + "contexts/0/schemes/0/action", "pageout");
        write(sys, k + "contexts/0/schemes/0/access_pattern/age/min", "12");
        write(sys, k + "contexts/0/schemes/0/quotas/bytes", "134217728");
        write(sys, k + "contexts/0/schemes/0/quotas/reset_interval_ms", "1000");
        write(sys, k + "contexts/0/schemes/nr_schemes", "1");
    }

    @Test
    void namesARunningPageoutSchemeAndFreePageReporting(@TempDir Path sys) throws Exception {
        pageoutScheme(sys, "on");
        write(sys, "module/page_reporting/parameters/page_reporting_order", "9");
        balloon(sys, "0110010100000000");

        assertThat(new MachineMemory(sys).describe()).containsExactly(
                "machine: a kernel agent (DAMON) pages out memory untouched for 60 s, up to 128 MB every 1000 ms: "
                        + "files a step wrote a minute before may be read back from disk into memory the host must "
                        + "hand back first",
                "machine: free memory is reported to the host (virtio balloon) in blocks of 2048 KB of 4 KB pages: "
                        + "memory freed and taken again a moment later costs a host fault a page");
    }

    @Test
    void saysNothingOfAStoppedAgentOrOtherActions(@TempDir Path sys) throws Exception {
        pageoutScheme(sys, "off");
        assertThat(new MachineMemory(sys).describe()).isEmpty();

        pageoutScheme(sys, "on");
        write(sys, "kernel/mm/damon/admin/kdamonds/0/contexts/0/schemes/0/action", "stat");
        assertThat(new MachineMemory(sys).describe()).isEmpty();
    }

    @Test
    void theReportingParameterAloneIsNotReporting(@TempDir Path sys) throws Exception {
        write(sys, "module/page_reporting/parameters/page_reporting_order", "9");
        assertThat(new MachineMemory(sys).describe()).as("no balloon device").isEmpty();
        balloon(sys, "0110000100000000");
        assertThat(new MachineMemory(sys).describe()).as("a balloon without the reporting feature").isEmpty();
        balloon(sys, "0110010100000000");
        write(sys, "module/page_reporting/parameters/page_reporting_order", "4294967295");
        assertThat(new MachineMemory(sys).describe()).as("the kernel's not-set order").isEmpty();
    }

    @Test
    void aSchemeOverAProcesssVirtualMemoryIsNotThePageCache(@TempDir Path sys) throws Exception {
        pageoutScheme(sys, "on");
        write(sys, "kernel/mm/damon/admin/kdamonds/0/contexts/0/operations", "vaddr");
        assertThat(new MachineMemory(sys).describe()).isEmpty();
    }

    @Test
    void pausesARunningPageoutAgentUntilClosed(@TempDir Path sys) throws Exception {
        pageoutScheme(sys, "on");
        Path state = sys.resolve("kernel/mm/damon/admin/kdamonds/0/state");
        try (MachineMemory.Paused paused = new MachineMemory(sys).pausePageout()) {
            assertThat(paused.paused()).containsExactly(state);
            assertThat(paused.failed()).isEmpty();
            assertThat(Files.readString(state).strip()).isEqualTo("off");
            assertThat(new MachineMemory(sys).describe()).as("paused: nothing pages out").isEmpty();
        }
        assertThat(Files.readString(state).strip()).as("started again").isEqualTo("on");
    }

    @Test
    void leavesAStoppedAgentAndOtherSchemesAlone(@TempDir Path sys) throws Exception {
        pageoutScheme(sys, "off");
        Path state = sys.resolve("kernel/mm/damon/admin/kdamonds/0/state");
        try (MachineMemory.Paused paused = new MachineMemory(sys).pausePageout()) {
            assertThat(paused.paused()).isEmpty();
        }
        assertThat(Files.readString(state).strip()).as("not started by closing").isEqualTo("off");

        pageoutScheme(sys, "on");
        write(sys, "kernel/mm/damon/admin/kdamonds/0/contexts/0/schemes/0/action", "lru_prio");
        try (MachineMemory.Paused paused = new MachineMemory(sys).pausePageout()) {
            assertThat(paused.paused()).isEmpty();
            assertThat(Files.readString(state).strip()).isEqualTo("on");
        }
    }

    /** A balloon device bound to its driver, with its feature bits. */
    private static void balloon(Path sys, String features) throws Exception {
        write(sys, "bus/virtio/drivers/virtio_balloon/virtio0/features", features);
    }

    @Test
    void aMachineWithoutSysfsHasNothingToSay(@TempDir Path dir) {
        assertThat(new MachineMemory(dir.resolve("absent")).describe()).isEmpty();
    }
}
