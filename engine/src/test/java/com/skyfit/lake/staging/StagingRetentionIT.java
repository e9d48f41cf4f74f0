package com.skyfit.lake.staging;

import static com.skyfit.lake.staging.PartitionedStagingIT.part;
import static com.skyfit.lake.staging.PartitionedStagingIT.rows;
import static com.skyfit.lake.staging.PartitionedStagingIT.sales;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.bronze.BronzePart;
import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.core.CoreTables;
import com.skyfit.lake.core.TransformException;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.core.TransformRunner;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention drops a staging month only when bronze can give back everything in it and core has it, and a load
 * of every part rebuilds it with the same rows.
 */
class StagingRetentionIT {
    private static final LocalDate TODAY = LocalDate.of(2024, 9, 15);
    private static final Function<String, List<String>> SALES_READERS =
            t -> t.equals(CoreTables.EVO_SALES.stagingTable()) ? List.of(CoreTables.EVO_SALES.qualifiedName()) : List.of();

    @TempDir
    Path folder;
    private LocalBronzeStore store;
    private Database db;
    private StagingLoader loader;
    private TransformRunner transform;

    @BeforeEach
    void setUp() {
        store = new LocalBronzeStore(folder);
        db = TestPostgres.newDatabase();
        loader = new StagingLoader(db, store, LoaderOptions.defaults());
        transform = new TransformRunner(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private StagingRetention retention() {
        return new StagingRetention(db, SALES_READERS, Duration.ofSeconds(1));
    }

    private String write(LocalDate day, String run, int n, int from, int count) throws Exception {
        return Parts.write(store, part("sales", day, run, n), sales(from, count));
    }

    private void run(String runId, String status) {
        db.execute("INSERT INTO ops.runs (run_id, source, scope, entity, status, load_type, triggered_by) "
                + "VALUES (?, 'evo', 'gym', 'sales', ?, 'incremental', 'scheduler')", ps -> {
                    ps.setString(1, runId);
                    ps.setString(2, status);
                });
    }

    @Test
    void dropsOnlyOldMonthsWhosePartsAreAllLoadedAndTransformedAndALoadOfEveryPartRebuildsThem() throws Exception {
        // May: two runs, loaded and transformed: goes
        run("run-may", "success");
        run("run-may2", "failed");
        List<String> may = List.of(write(LocalDate.of(2024, 5, 2), "run-may", 0, 0, 300),
                write(LocalDate.of(2024, 5, 2), "run-may", 1, 300, 200),
                write(LocalDate.of(2024, 5, 30), "run-may2", 0, 450, 100));
        // June: one part loaded, one corrupt (failed): stays
        run("run-june", "success");
        String juneOk = write(LocalDate.of(2024, 6, 11), "run-june", 0, 1000, 50);
        String juneBad = Parts.writeBytes(store, part("sales", LocalDate.of(2024, 6, 11), "run-june", 1),
                "not gzip".getBytes());
        // July: loaded and transformed, but its run is still running (completion may read its rows): stays
        run("run-july", "running");
        String july = write(LocalDate.of(2024, 7, 3), "run-july", 0, 2000, 40);
        // March: one part loaded, one written by the extractor and never loaded: stays
        run("run-march", "success");
        String march = write(LocalDate.of(2024, 3, 1), "run-march", 0, 3000, 30);
        BronzePath marchLate = part("sales", LocalDate.of(2024, 3, 1), "run-march", 1);
        Parts.write(store, marchLate, sales(3030, 5));
        new FileLedger(db).recordWritten(marchLate, new BronzePart(marchLate.path(), 5, 100, "ab"),
                Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-02T00:00:00Z"));
        // August: too recent for 30 days (ingestion dates up to 2024-08-31): not even judged
        String august = write(LocalDate.of(2024, 8, 1), "run-august", 0, 4000, 20);

        LoadResult first = loader.load(concat(may, List.of(juneOk, juneBad, july, march, august)), false);
        assertThat(first.filesFailed()).isEqualTo(1);
        TransformResult built = transform.run(CoreTables.EVO_SALES, false);
        assertThat(built.inserted()).isEqualTo(690); // May re-read 450-499
        // April: loaded after the transform: not transformed yet, stays
        run("run-april", "success");
        String april = write(LocalDate.of(2024, 4, 20), "run-april", 0, 5000, 10);
        loader.load(List.of(april), false);
        List<String> mayRows = rows(db, "SELECT blob_path || ' ' || line_no || ' ' || raw::text FROM stg_evo.sales_raw_p202405 "
                + "ORDER BY 1");
        List<String> core = rows(db, "SELECT to_jsonb(s) - '_updated_at' - '_stg_id' FROM core.evo_sales s ORDER BY id_sale");

        List<StagingRetention.Outcome> outcomes = retention().prune(30, TODAY, "test");

        assertThat(outcomes).extracting(o -> o.partition() + " " + (o.dropped() ? "dropped" : "kept: " + o.reason()))
                .containsExactly(
                        "stg_evo.sales_raw_p202403 kept: 1 of its bronze parts are not loaded (written or failed)",
                        "stg_evo.sales_raw_p202404 kept: some of its rows are not transformed into core yet",
                        "stg_evo.sales_raw_p202405 dropped",
                        "stg_evo.sales_raw_p202406 kept: 1 of its bronze parts are not loaded (written or failed)",
                        "stg_evo.sales_raw_p202407 kept: a run of its parts is still running");
        StagingRetention.Outcome dropped = outcomes.get(2);
        assertThat(dropped.files()).isEqualTo(3);
        assertThat(dropped.rows()).isEqualTo(600);
        assertThat(dropped.bytes()).isPositive();
        assertThat(rows(db, "SELECT relname FROM pg_class WHERE relname LIKE 'sales\\_raw\\_%' AND relkind = 'r' ORDER BY 1"))
                .containsExactly("sales_raw_p202403", "sales_raw_p202404", "sales_raw_p202406", "sales_raw_p202407",
                        "sales_raw_p202408", "sales_raw_undated");
        assertThat(rows(db, "SELECT status || ' ' || (pruned_at IS NOT NULL) FROM ops.bronze_files "
                + "WHERE blob_path LIKE '%2024-05-%' ORDER BY blob_path")).containsExactly("pruned true", "pruned true",
                "pruned true");
        assertThat(rows(db, "SELECT staging_table || ' ' || partition_name || ' ' || range_start || ' ' || range_end || ' '"
                + " || files || ' ' || rows_dropped || ' ' || retention_days || ' ' || dropped_by FROM ops.staging_retention"))
                .containsExactly("stg_evo.sales_raw stg_evo.sales_raw_p202405 2024-05-01 2024-06-01 3 600 30 test");
        // core keeps what it has; a second pass finds nothing more to drop
        assertThat(rows(db, "SELECT to_jsonb(s) - '_updated_at' - '_stg_id' FROM core.evo_sales s ORDER BY id_sale"))
                .isEqualTo(core);
        assertThat(retention().prune(30, TODAY, "test")).noneMatch(StagingRetention.Outcome::dropped);

        // rebuilding core from staging now would lose May's rows: refused until the parts are back
        assertThatThrownBy(() -> transform.run(CoreTables.EVO_SALES, true)).isInstanceOf(TransformException.class)
                .hasMessageContaining("3 of its bronze parts").hasMessageContaining("skyfit load --all-runs");

        // what `skyfit load --all-runs` does: every part in bronze, the loaded ones skipped
        List<String> everything = store.list("bronze/").stream().filter(BronzePath::isBronzePart).toList();
        LoadResult reload = loader.load(everything, false);

        // May's three parts come back; so does March's part that was never loaded; June's corrupt part fails again
        assertThat(reload.filesLoaded()).isEqualTo(4);
        assertThat(reload.filesFailed()).isEqualTo(1);
        assertThat(rows(db, "SELECT blob_path || ' ' || line_no || ' ' || raw::text FROM stg_evo.sales_raw_p202405 "
                + "ORDER BY 1")).isEqualTo(mayRows);
        assertThat(rows(db, "SELECT DISTINCT status FROM ops.bronze_files WHERE blob_path LIKE '%2024-05-%'"))
                .containsExactly("loaded");
        TransformResult again = transform.run(CoreTables.EVO_SALES, false);
        assertThat(again.inserted()).isEqualTo(10 + 5); // April's, and March's late part's
        assertThat(again.updated()).isZero();
        assertThat(transform.run(CoreTables.EVO_SALES, true).inserted()).isEqualTo(705);
        assertThat(rows(db, "SELECT to_jsonb(s) - '_updated_at' - '_stg_id' FROM core.evo_sales s "
                + "WHERE _source_blob NOT LIKE '%2024-04-%' AND _source_blob <> '" + marchLate.path() + "' "
                + "ORDER BY id_sale")).isEqualTo(core);
    }

    @Test
    void aLoadInFlightKeepsItsMonthUntilItCommits() throws Exception {
        run("run-old", "success");
        String old = write(LocalDate.of(2024, 2, 1), "run-old", 0, 0, 20);
        loader.load(List.of(old), false);
        transform.run(CoreTables.EVO_SALES, false);
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT ops.lock_staging_partitions('stg_evo', 'sales', ARRAY[DATE '2024-02-01'])")) {
                ps.executeQuery().close();
            }
            List<StagingRetention.Outcome> held = retention().prune(30, TODAY, "test");
            assertThat(held).singleElement().satisfies(o -> {
                assertThat(o.dropped()).isFalse();
                assertThat(o.reason()).contains("held it longer than 1 s");
            });
            c.rollback();
        }

        assertThat(retention().prune(30, TODAY, "test")).singleElement()
                .satisfies(o -> assertThat(o.dropped()).isTrue());
    }

    @Test
    void offDropsNothingAndNeitherDoesATableNoCoreTableReads() throws Exception {
        run("run-e", "success");
        String entries = Parts.write(store, part("entries", LocalDate.of(2024, 1, 1), "run-e", 0),
                PartitionedStagingIT.entries(0, 5));
        loader.load(List.of(entries), false);

        assertThat(retention().prune(0, TODAY, "test")).isEmpty();
        assertThat(retention().prune(30, TODAY, "test")).singleElement().satisfies(o -> {
            assertThat(o.partition()).isEqualTo("stg_evo.entries_raw_p202401");
            assertThat(o.reason()).isEqualTo("no core table reads stg_evo.entries_raw yet");
        });
    }

    @Test
    void aWrongRetentionSettingNamesIt() {
        assertThat(StagingRetention.days(Settings.of(Map.of()))).isZero();
        assertThat(StagingRetention.days(Settings.of(Map.of(StagingRetention.RETENTION_DAYS, "90")))).isEqualTo(90);
        for (String wrong : List.of("ninety", "-1", "1.5")) {
            assertThatThrownBy(() -> StagingRetention.days(Settings.of(Map.of(StagingRetention.RETENTION_DAYS, wrong))))
                    .isInstanceOf(SettingsException.class).hasMessageContaining("SKYFIT_STAGING_RETENTION_DAYS");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
