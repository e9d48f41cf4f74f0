package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.staging.StagingLoader;
import com.skyfit.lake.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions with the same update time are ordered by lineage (run, bronze part, line), never by load order, and
 * core's lineage still names a live staging row after a part is force-reloaded.
 */
class VersionOrderIT {
    private static final String DEALS = "stg_pipedrive.deals_raw";
    private static final String SAME_TIME = "2023-03-01 10:00:00";

    @TempDir
    Path folder;
    private Database db;
    private Staging staging;
    private TransformRunner runner;

    @BeforeEach
    void setUp() {
        db = TestPostgres.newDatabase();
        staging = new Staging(db);
        runner = new TransformRunner(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private String deal(long id, int value) {
        return Staging.record("deals", id).put("value", value).put("update_time", SAME_TIME).toString();
    }

    private BigDecimal value(long id) {
        return (BigDecimal) staging.one("SELECT value FROM core.pd_deals WHERE id = " + id).get("value");
    }

    @Test
    void anOlderRunLoadedLaterDoesNotWinASameTimeTie() {
        // the newer run's part is loaded first, so the older run's row gets the higher stg_id
        staging.insert(DEALS, "commercial", "bronze/run=run-2/part-00000.jsonl.gz", 1, "run-2", deal(11, 2000));
        staging.insert(DEALS, "commercial", "bronze/run=run-1/part-00000.jsonl.gz", 1, "run-1", deal(11, 1000));

        TransformResult r = runner.run(CoreTables.PD_DEALS, false);

        assertThat(r.perRun()).containsExactly(new TransformResult.RunCounts("run-2", 1, 1, 0, 0, 0));
        assertThat(value(11)).isEqualByComparingTo("2000");

        // the older run's part loaded again later (new stg_id, as a forced reload gives it) changes nothing
        staging.execute("DELETE FROM " + DEALS + " WHERE run_id = 'run-1'");
        staging.insert(DEALS, "commercial", "bronze/run=run-1/part-00000.jsonl.gz", 1, "run-1", deal(11, 1000));
        TransformResult late = runner.run(CoreTables.PD_DEALS, false);

        assertThat(late.perRun()).containsExactly(new TransformResult.RunCounts("run-1", 1, 0, 0, 1, 0));
        assertThat(value(11)).isEqualByComparingTo("2000");
    }

    @Test
    void withinARunTheLaterPartAndLineWin() {
        staging.insert(DEALS, "commercial", "bronze/run=run-1/part-00002.jsonl.gz", 1, "run-1", deal(11, 3000));
        staging.insert(DEALS, "commercial", "bronze/run=run-1/part-00001.jsonl.gz", 9, "run-1", deal(11, 1000));
        staging.insert(DEALS, "commercial", "bronze/run=run-1/part-00002.jsonl.gz", 2, "run-1", deal(11, 4000));
        staging.insert(DEALS, "commercial", "bronze/run=run-1/part-00001.jsonl.gz", 8, "run-1", deal(11, 2000));

        runner.run(CoreTables.PD_DEALS, false);

        assertThat(value(11)).isEqualByComparingTo("4000");
    }

    @Test
    void aForcedReloadKeepsCoreLineagePointingAtLiveStagingRows() throws Exception {
        BronzeStore store = new LocalBronzeStore(folder);
        String part = writePart(store, new BronzePath("pipedrive", "main", "deals", LocalDate.of(2024, 5, 1),
                "20240501T000000Z-run1", 0), Staging.fixture("pipedrive", "deals").stream().map(Object::toString).toList());
        StagingLoader loader = new StagingLoader(db, store, LoaderOptions.defaults());
        loader.load(List.of(part), false);
        runner.run(CoreTables.PD_DEALS, false);
        List<Map<String, Object>> before = staging.rows("SELECT id, _source_blob, _source_line, _run_id, _updated_at "
                + "FROM core.pd_deals ORDER BY id");

        loader.load(List.of(part), true);
        assertThat(lineageThatResolves()).as("the reload gave the lines new staging ids").isZero();
        TransformResult again = runner.run(CoreTables.PD_DEALS, false);

        assertThat(again.perRun()).containsExactly(
                new TransformResult.RunCounts("20240501T000000Z-run1", 3, 0, 0, 3, 0));
        assertThat(lineageThatResolves()).isEqualTo(3);
        assertThat(staging.rows("SELECT id, _source_blob, _source_line, _run_id, _updated_at "
                + "FROM core.pd_deals ORDER BY id")).isEqualTo(before);
    }

    @Test
    void lineageOfAnUnchangedRowFollowsItsPartThroughAReloadEvenWhenALaterCopyWins() {
        String sale = "{\"idSale\": 5, \"idMember\": 9, \"saleItens\": [{\"saleValue\": 10}]}";
        staging.insert("stg_evo.sales_raw", "gym", "p1", 1, "run-1", sale);
        runner.run(CoreTables.EVO_SALES, false);
        staging.insert("stg_evo.sales_raw", "gym", "p2", 1, "run-2", sale);
        assertThat(runner.run(CoreTables.EVO_SALES, false).unchanged()).isEqualTo(1);

        // both parts reloaded: the later copy wins but changes nothing, so core keeps naming p1, at its new id
        staging.execute("DELETE FROM stg_evo.sales_raw");
        staging.insert("stg_evo.sales_raw", "gym", "p1", 1, "run-1", sale);
        staging.insert("stg_evo.sales_raw", "gym", "p2", 1, "run-2", sale);
        TransformResult r = runner.run(CoreTables.EVO_SALES, false);

        assertThat(r.inserted() + r.updated()).isZero();
        assertThat(staging.one("SELECT count(*) AS n FROM core.evo_sales c JOIN stg_evo.sales_raw s "
                + "ON s.stg_id = c._stg_id AND s.blob_path = c._source_blob AND s.line_no = c._source_line "
                + "WHERE c._source_blob = 'p1'").get("n")).isEqualTo(1L);
    }

    /** Core rows whose _stg_id names the staging row of the same part, line and run. */
    private long lineageThatResolves() {
        return (Long) staging.one("SELECT count(*) AS n FROM core.pd_deals c JOIN " + DEALS + " s "
                + "ON s.stg_id = c._stg_id AND s.blob_path = c._source_blob AND s.line_no = c._source_line "
                + "AND s.run_id = c._run_id").get("n");
    }

    private static String writePart(BronzeStore store, BronzePath path, List<String> lines) throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            for (String l : lines) {
                out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        try (BronzeStore.Upload up = store.create(path.path())) {
            up.stream().write(gz.toByteArray());
            up.commit();
        }
        return path.path();
    }
}
