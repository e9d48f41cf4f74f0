package com.skyfit.lake.staging;

import com.skyfit.lake.bronze.LocalBronzeStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingLoaderRetryIT {
    private static final List<Duration> FAST = List.of(Duration.ofMillis(10), Duration.ofMillis(10),
            Duration.ofMillis(10), Duration.ofMillis(10));
    private static Database db;

    @TempDir
    Path folder;

    @BeforeAll
    static void startDatabase() {
        db = TestPostgres.newDatabase();
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    private StagingLoader flakyLoader(FlakyDataSource flaky, List<Duration> schedule) {
        return new StagingLoader(new Database(flaky, "flaky test database", null), new LocalBronzeStore(folder),
                LoaderOptions.defaults().withRetrySchedule(schedule));
    }

    @Test
    void aLostConnectionIsRetriedOnTheScheduleUntilTheLoadSucceeds() throws Exception {
        String path = Parts.write(new LocalBronzeStore(folder), Parts.path("pipedrive", "deals", "retry-ok", 0),
                Parts.records(1, 20));
        FlakyDataSource flaky = new FlakyDataSource(db.dataSource(), 2, "08006");

        LoadResult result = flakyLoader(flaky, FAST).load(List.of(path), false);

        assertThat(result.filesLoaded()).isEqualTo(1);
        assertThat(result.rowsLoaded()).isEqualTo(20);
        assertThat(flaky.calls.get()).isEqualTo(3);
        assertThat(ledger(path)).containsEntry("status", "loaded").containsEntry("attempts", 1);
    }

    @Test
    void aPermanentErrorFailsThePartAtOnce() throws Exception {
        String path = Parts.write(new LocalBronzeStore(folder), Parts.path("pipedrive", "deals", "retry-permanent", 0),
                Parts.records(1, 20));
        FlakyDataSource flaky = new FlakyDataSource(db.dataSource(), 1, "42P01");

        LoadResult result = flakyLoader(flaky, FAST).load(List.of(path), false);

        assertThat(result.filesFailed()).isEqualTo(1);
        assertThat(result.files().get(0).error()).contains("42P01");
        // one load attempt, then one connection to record the failure: no retry
        assertThat(flaky.calls.get()).isEqualTo(2);
        assertThat(ledger(path)).containsEntry("status", "failed").containsEntry("attempts", 1);
    }

    @Test
    void aServerThatStaysDownEndsTheLoadAfterTheLastRetry() throws Exception {
        String path = Parts.write(new LocalBronzeStore(folder), Parts.path("pipedrive", "deals", "retry-down", 0),
                Parts.records(1, 20));
        FlakyDataSource flaky = new FlakyDataSource(db.dataSource(), 1000, "57P01");

        assertThatThrownBy(() -> flakyLoader(flaky, FAST.subList(0, 2)).load(List.of(path), false))
                .isInstanceOf(StagingLoadException.class)
                .hasMessageContaining("after 2 retries");
        assertThat(flaky.calls.get()).isEqualTo(3);
        assertThat(StagingLoaderIT.query(db, "SELECT * FROM ops.bronze_files WHERE blob_path = ?", path)).isEmpty();
    }

    private static Map<String, Object> ledger(String path) throws Exception {
        return StagingLoaderIT.query(db, "SELECT * FROM ops.bronze_files WHERE blob_path = ?", path).get(0);
    }
}
