package com.skyfit.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.staging.LoadResult;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.staging.StagingLoader;
import com.skyfit.lake.testing.TestPostgres;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyBaselineIT {

    @Test
    void theBaselineCopiesExactlyTheRowsTheLoaderStagedWithTheSameLineage(@TempDir Path dir) throws Exception {
        BronzeStore store = new LocalBronzeStore(dir.resolve("store"));
        List<String> parts = new ArrayList<>();
        BronzePath first = new BronzePath("evo", "gym", "sales", LocalDate.of(2024, 3, 1), "run-1", 0);
        for (int p = 0; p < 5; p++) {
            String path = first.withPart(p).path();
            parts.add(path);
            try (BronzeStore.Upload up = store.create(path); OutputStream gz = new GZIPOutputStream(up.stream())) {
                for (int i = p * 300; i < p * 300 + 300; i++) {
                    gz.write(SaleGenerator.sale(i));
                    // a blank line is not a record but still counts as a line, for the loader and the baseline alike
                    gz.write(i % 100 == 7 ? "\n\n".getBytes() : "\n".getBytes());
                }
                ((GZIPOutputStream) gz).finish();
                up.commit();
            }
        }
        try (Database db = TestPostgres.newDatabase()) {
            LoadResult loaded = new StagingLoader(db, store, LoaderOptions.defaults().withBatchFiles(2)).load(parts, false);
            assertThat(loaded.rowsLoaded()).isEqualTo(1500);

            CopyBaseline baseline = CopyBaseline.prepare(db, store, parts, "stg_evo.sales_raw", 2, dir.resolve("scratch"));
            assertThat(baseline.streams()).isEqualTo(2);
            assertThat(baseline.lines()).isEqualTo(1500);
            Stage copied = Stage.measure("staging_baseline", "sales", baseline::copy);

            assertThat(copied.records()).isEqualTo(1500);
            assertThat(copied.recordsPerSecond()).isPositive();
            try (Connection c = db.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("""
                            SELECT (SELECT count(*) FROM bench.sales_copy),
                                   (SELECT count(*) FROM (
                                       SELECT scope, blob_path, line_no, run_id, raw FROM stg_evo.sales_raw
                                       EXCEPT
                                       SELECT scope, blob_path, line_no, run_id, raw FROM bench.sales_copy) d),
                                   (SELECT count(*) FROM pg_indexes WHERE schemaname = 'bench' AND tablename = 'sales_copy'),
                                   (SELECT count(DISTINCT stg_id) FROM bench.sales_copy)""")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1500);
                assertThat(rs.getLong(2)).as("staged rows the baseline lacks").isZero();
                assertThat(rs.getLong(3)).as("a plain table: no index").isZero();
                assertThat(rs.getLong(4)).as("the staging table's identity comes along").isEqualTo(1500);
            }

            baseline.deleteFiles();
            baseline.dropTable();
            assertThat(dir.resolve("scratch")).isEmptyDirectory();
            assertThat(db.queryFirst("SELECT to_regclass('bench.sales_copy') IS NULL", ps -> {}, rs -> rs.getBoolean(1)))
                    .as("the copy is dropped once measured").contains(true);
        }
    }
}
