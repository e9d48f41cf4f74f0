package com.skyfit.lake.cli;

import com.skyfit.lake.cli.InProcessCli.Result;
import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bench.SaleGenerator;
import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.BronzeStore;
import com.skyfit.lake.bronze.BronzeStores;
import com.skyfit.lake.config.Secret;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staging size in status, staging retention by command, and a load of every part that rebuilds what it dropped. */
class StagingCommandsIT {
    @TempDir
    Path home;

    private final PrintStream originalOut = System.out;

    @AfterEach
    void restore() {
        CliSettings.use(null);
        System.setOut(originalOut);
    }

    private Result run(Settings settings, String... args) {
        return InProcessCli.run(settings, args);
    }

    private static void writePart(BronzeStore store, LocalDate day, String run, int part, int from, int count)
            throws Exception {
        try (BronzeStore.Upload up = store.create(new BronzePath("evo", "gym", "sales", day, run, part).path())) {
            GZIPOutputStream gz = new GZIPOutputStream(up.stream());
            for (int i = from; i < from + count; i++) {
                gz.write(SaleGenerator.sale(i));
                gz.write('\n');
            }
            gz.finish();
            up.commit();
        }
    }

    @Test
    void statusShowsStagingSizesAndPruneDropsOldMonthsThatLoadAllRunsBringsBack() throws Exception {
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        s.put(Settings.HOME, home.toString());
        Settings settings = Settings.of(s);
        BronzeStore store = BronzeStores.open(settings);
        writePart(store, LocalDate.of(2024, 5, 4), "run-1", 0, 0, 300);
        writePart(store, LocalDate.of(2024, 5, 4), "run-1", 1, 300, 200);
        writePart(store, LocalDate.of(2024, 6, 9), "run-2", 0, 500, 250);

        Result load = run(settings, "load", "--all-runs");
        assertThat(load.exit()).as(load.err()).isZero();
        assertThat(load.out()).contains("loaded 3, skipped 0");
        assertThat(run(settings, "transform").exit()).isZero();
        try (Database db = database(s)) {
            db.execute("ANALYZE stg_evo.sales_raw", ps -> {});
            List<String> staged = rows(db, "SELECT blob_path || line_no || raw::text FROM stg_evo.sales_raw ORDER BY 1");
            List<String> core = rows(db, "SELECT (to_jsonb(c) - '_stg_id' - '_updated_at')::text FROM core.evo_sales c "
                    + "ORDER BY id_sale");

            Result status = run(settings, "status");
            assertThat(status.exit()).isZero();
            assertThat(status.out()).contains("Staging size per source")
                    .containsPattern("stg_evo +\\d+ +2 +[0-9.]+ (kB|MB) +750\\n")
                    .containsPattern("stg_pipedrive +7 +0 +[0-9.]+ (kB|MB) +0\\n")
                    .containsPattern("stg_evo.sales_raw +2 month partitions 2024-05 to 2024-06, [0-9.]+ (kB|MB), ~750 rows");

            Result prune = run(settings, "staging", "prune", "--days", "30");
            assertThat(prune.exit()).as(prune.err()).isZero();
            assertThat(prune.out()).containsPattern("dropped stg_evo.sales_raw_p202405 +2 parts, 500 rows")
                    .containsPattern("dropped stg_evo.sales_raw_p202406 +1 parts, 250 rows");
            assertThat(run(settings, "status").out()).contains("3 bronze parts' staging rows dropped by retention")
                    .containsPattern("stg_evo +\\d+ +0 ");

            Result refresh = run(settings, "transform", "--full-refresh");
            assertThat(refresh.exit()).isNotZero();
            assertThat(refresh.err()).contains("skyfit load --all-runs");

            Result reload = run(settings, "load", "--all-runs");
            assertThat(reload.exit()).as(reload.err()).isZero();
            assertThat(reload.out()).contains("loaded 3, skipped 0");
            assertThat(rows(db, "SELECT blob_path || line_no || raw::text FROM stg_evo.sales_raw ORDER BY 1"))
                    .isEqualTo(staged);
            assertThat(run(settings, "load", "--all-runs").out()).contains("loaded 0, skipped 3");
            assertThat(run(settings, "transform", "--full-refresh").exit()).isZero();
            assertThat(rows(db, "SELECT (to_jsonb(c) - '_stg_id' - '_updated_at')::text FROM core.evo_sales c "
                    + "ORDER BY id_sale")).isEqualTo(core);
        }
    }

    @Test
    void aWrongRetentionSettingStopsTheCommandsNamingIt() {
        Map<String, String> s = new HashMap<>(TestPostgres.newDatabaseSettings());
        s.put(Settings.HOME, home.toString());
        s.put("SKYFIT_STAGING_RETENTION_DAYS", "a month");
        for (String[] args : List.of(new String[] {"staging", "prune"}, new String[] {"load"},
                new String[] {"transform"})) {
            Result r = run(Settings.of(s), args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).contains("SKYFIT_STAGING_RETENTION_DAYS", "a month");
        }
        s.put("SKYFIT_STAGING_RETENTION_DAYS", "0");
        Result off = run(Settings.of(s), "staging", "prune");
        assertThat(off.exit()).isZero();
        assertThat(off.out()).contains("staging retention is off");
    }

    private static Database database(Map<String, String> s) {
        return Database.external(s.get("SKYFIT_PG_URL"), s.get("SKYFIT_PG_USER"), Secret.of(s.get("SKYFIT_PG_PASSWORD")));
    }

    private static List<String> rows(Database db, String sql) {
        return db.query(sql, ps -> {}, rs -> rs.getString(1));
    }
}
