package com.skyfit.lake.staging;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line is staged once although no unique index says so: the loader's delete must find every row a part has, and
 * the loader must never send a part twice in one COPY.
 */
class StagingLineOnceIT {
    @TempDir
    Path folder;
    private LocalBronzeStore store;
    private Database db;

    @BeforeEach
    void setUp() {
        store = new LocalBronzeStore(folder);
        db = TestPostgres.newDatabase();
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private StagingLoader loader() {
        return new StagingLoader(db, store, LoaderOptions.defaults());
    }

    private long count(String sql) {
        return Long.parseLong(PartitionedStagingIT.rows(db, sql).get(0));
    }

    /** The loader's outcome mapping takes a path listed twice; the part must still be staged once. */
    @Test
    void aPartListedTwiceInOneLoadIsStagedOnce() throws Exception {
        BronzePath part = Parts.path("pipedrive", "deals", "run-twice", 0);
        String path = Parts.write(store, part, Parts.records(0, 10));

        LoadResult r = loader().load(List.of(path, path), false);

        assertThat(r.files()).extracting(LoadResult.FileOutcome::status).containsExactly("loaded", "skipped");
        assertThat(count("SELECT count(*)::text FROM stg_pipedrive.deals_raw")).isEqualTo(10);
        assertThat(count("SELECT count(*)::text FROM (SELECT blob_path, line_no FROM stg_pipedrive.deals_raw "
                + "GROUP BY 1, 2 HAVING count(*) > 1) d")).isZero();
    }

    /** A second spelling of a part's number (part-000000) would open part-00000: it is refused, naming both. */
    @Test
    void aPartNamedTwoWaysInOneLoadIsStagedOnce() throws Exception {
        BronzePath part = Parts.path("pipedrive", "deals", "run-names", 0);
        String path = Parts.write(store, part, Parts.records(0, 10));
        String other = path.replace("part-00000", "part-000000");
        assertThat(BronzePath.isBronzePart(other)).isTrue();

        LoadResult r = loader().load(List.of(path, other), false);

        assertThat(r.files()).extracting(LoadResult.FileOutcome::status).containsExactly("loaded", "failed");
        assertThat(r.files().get(1).error()).contains("part-000000", "part-00000.jsonl.gz", "leading zeros");
        assertThat(count("SELECT count(*)::text FROM stg_pipedrive.deals_raw")).isEqualTo(10);
    }

    /**
     * A load that waited while its table was converted to month partitions (a migration applied while a loader runs)
     * starts again on the new table instead of copying into it as the plain table it read; and a forced reload
     * replaces a part's rows in the undated partition too (where a loader without ingestion_date put them).
     */
    @Test
    void aForcedReloadReplacesRowsAConversionRaceLeftInTheUndatedPartition() throws Exception {
        BronzePath part = new BronzePath("pipedrive", "main", "deals", LocalDate.of(2024, 5, 3), "run-race", 0);
        String path = Parts.write(store, part, Parts.records(0, 10));
        try (Connection conv = db.connection()) {
            conv.setAutoCommit(false);
            try (Statement st = conv.createStatement()) {
                st.execute("LOCK TABLE stg_pipedrive.deals_raw IN ACCESS EXCLUSIVE MODE");
            }
            CompletableFuture<LoadResult> load = CompletableFuture.supplyAsync(() -> loader().load(List.of(path), false));
            waitForALockWait();
            try (Statement st = conv.createStatement()) {
                st.execute("SELECT ops.create_partitioned_staging_table('stg_pipedrive', 'deals')");
            }
            conv.commit();
            assertThat(load.get(1, TimeUnit.MINUTES).filesLoaded()).isEqualTo(1);
        }
        // the load that waited for the conversion started again on the partitioned table: its lines have their month
        assertThat(count("SELECT count(*)::text FROM stg_pipedrive.deals_raw_p202405")).isEqualTo(10);
        // rows an older loader left undated (it copied without ingestion_date) are replaced by a forced reload too
        db.execute("INSERT INTO stg_pipedrive.deals_raw (scope, blob_path, line_no, run_id, raw) SELECT scope, blob_path,"
                + " line_no, run_id, raw FROM stg_pipedrive.deals_raw", ps -> {});
        assertThat(count("SELECT count(*)::text FROM stg_pipedrive.deals_raw_undated")).isEqualTo(10);

        loader().load(List.of(path), true);

        assertThat(count("SELECT count(*)::text FROM stg_pipedrive.deals_raw")).isEqualTo(10);
        assertThat(count("SELECT count(*)::text FROM stg_pipedrive.deals_raw_undated")).isZero();
    }

    private void waitForALockWait() throws Exception {
        for (int i = 0; i < 600; i++) {
            if (count("SELECT count(*)::text FROM pg_locks WHERE NOT granted AND locktype = 'relation'") > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the loader never waited for the table");
    }

    /**
     * A forced reload's delete goes through the BRIN index over blob_path, summarised first: pages not yet summarised
     * (autovacuum gets to them late) match every lookup, and a table loaded since its last ANALYZE looks small enough
     * for a sequential scan; either way each batch of a reload would read every page earlier batches wrote.
     */
    @Test
    void aForcedReloadOfOnePartReadsAFewPagesOfALargeTableNotAllOfThem() throws Exception {
        // autovacuum would read the table too, and its reads count in the same statistics
        db.execute("ALTER TABLE stg_pipedrive.deals_raw SET (autovacuum_enabled = false)", ps -> {});
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            paths.add(Parts.write(store, Parts.path("pipedrive", "deals", "run-big", i), Parts.records(i * 2500, 2500)));
        }
        assertThat(new StagingLoader(db, store, LoaderOptions.defaults().withBatchFiles(4)).load(paths, false)
                .filesLoaded()).isEqualTo(40);
        long pages = count("SELECT (pg_relation_size('stg_pipedrive.deals_raw') / 8192)::text");
        long[] before = heapStats();
        for (int i = 0; i < 200 && before[2] < 100_000; i++) {
            Thread.sleep(50); // the loaders' backends report their counters once idle, within about a second
            before = heapStats();
        }
        assertThat(before[2]).as("rows inserted by the first load").isEqualTo(100_000);
        // the first reload summarises every page the load wrote, once (the index's upkeep, paid once per page)
        assertThat(loader().load(List.of(paths.get(3)), true).filesLoaded()).isEqualTo(1);
        for (int i = 0; i < 200 && before[2] < 102_500; i++) {
            Thread.sleep(50);
            before = heapStats();
        }
        assertThat(before[2]).isEqualTo(102_500);

        assertThat(loader().load(List.of(paths.get(17)), true).filesLoaded()).isEqualTo(1);

        long[] after = heapStats();
        for (int i = 0; i < 200 && (after[1] - before[1] < 2500 || after[2] - before[2] < 2500); i++) {
            Thread.sleep(50); // the loader's backend reports its counters once idle, within about a second
            after = heapStats();
        }
        assertThat(after[1] - before[1]).as("rows deleted").isEqualTo(2500);
        assertThat(after[2] - before[2]).as("rows copied").isEqualTo(2500);
        // a delete touches a row's page once per row it deletes; beyond those, the pages the index led to, the ones
        // the COPY filled and the ones summarised since the last reload: a share of the table (measured 15 to 26 %,
        // as the statistics of the loader's other statements land), where a scan would touch all of it
        assertThat(after[0] - before[0] - 2500).as("heap pages touched beyond one per deleted row, of %d", pages)
                .isLessThan(pages / 2);
        assertThat(count("SELECT count(*)::text FROM stg_pipedrive.deals_raw")).isEqualTo(100_000);
    }

    /** Heap blocks touched (hit or read), rows deleted, rows inserted, as the statistics report them. */
    private long[] heapStats() {
        String[] f = PartitionedStagingIT.rows(db, "SELECT (coalesce(h.heap_blks_hit, 0) + coalesce(h.heap_blks_read, 0))"
                + " || ' ' || t.n_tup_del || ' ' || t.n_tup_ins FROM pg_statio_user_tables h JOIN pg_stat_user_tables t "
                + "USING (relid) WHERE relid = 'stg_pipedrive.deals_raw'::regclass").get(0).split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }
}
