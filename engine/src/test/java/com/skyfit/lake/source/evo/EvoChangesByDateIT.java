package com.skyfit.lake.source.evo;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.pipeline.BatchRunner;
import com.skyfit.lake.pipeline.DefaultIngestEngine;
import com.skyfit.lake.pipeline.PlanRequest;
import com.skyfit.lake.simulator.EvoChanges;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.source.LocalRequestGate;
import com.skyfit.lake.source.Sources;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes that carry a date of their own, made by the simulator to OLD records between two runs (a sale removed, a
 * prospect converted, a contract canceled, all long after their register or sale date): the next incremental run,
 * which reads only recent windows, finds every one by its pass over the change's date, with no re-scan.
 */
class EvoChangesByDateIT {
    private static final List<String> ENTITIES = List.of("sales", "prospects", "member_memberships");

    @TempDir
    Path bronzeDir;

    @Test
    void anIncrementalRunCatchesRemovedSalesConvertedProspectsAndCanceledContractsOfOldRecords() {
        try (EvoSimulator sim = EvoSimulator.builder().scopes("north").branches(2).entries(9_000).requestsPerMinute(0)
                .start(); Database db = TestPostgres.newDatabase()) {
            db.inTransaction(c -> {
                try (java.sql.Statement st = c.createStatement()) {
                    for (String e : ENTITIES) {
                        st.execute("SELECT ops.create_staging_table('stg_evo', '" + e + "')");
                    }
                }
                return null;
            });
            Map<String, String> m = new HashMap<>(sim.settings());
            m.put("EVO_REQUESTS_PER_MINUTE", "6000");
            Settings settings = Settings.of(m);
            try (DefaultIngestEngine engine = new DefaultIngestEngine(settings, db, new LocalBronzeStore(bronzeDir),
                    Map.of("evo", Sources.get("evo").connector(settings, new LocalRequestGate())), List.of(),
                    Clock.systemUTC(), false)) {
                assertThat(run(engine, "full").error()).isNull();
                Instant salesMark = watermark(db, "sales");
                EvoChanges changes = sim.advance("north", new EvoSimulator.Advance(0, 0, 0, 5, 0, 7, 4, 6));
                assertThat(changes.removedSales()).hasSize(5);
                assertThat(changes.convertedProspects()).hasSize(4);
                assertThat(changes.canceledContracts()).hasSize(6);

                BatchRunner.Outcome inc = run(engine, "incremental");

                assertThat(inc.error()).isNull();
                assertThat(db.query("SELECT DISTINCT load_type FROM ops.runs WHERE batch_id = ?",
                        ps -> ps.setString(1, inc.batchId()), rs -> rs.getString(1))).containsExactly("incremental");
                // only recent windows: none reaches back to the start date
                assertThat(db.queryFirst("SELECT min(w.window_start) FROM ops.windows w JOIN ops.runs r USING (run_id) "
                        + "WHERE r.batch_id = ?", ps -> ps.setString(1, inc.batchId()),
                        rs -> rs.getTimestamp(1).toInstant()).orElseThrow())
                        .isAfter(sim.startDate().plusDays(10).atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
                assertThat(readBy(db, inc, "sales", "idSale", "removalDate", changes.time()))
                        .containsExactlyInAnyOrderElementsOf(changes.removedSales());
                assertThat(readBy(db, inc, "prospects", "idProspect", "conversionDate", changes.time()))
                        .containsExactlyInAnyOrderElementsOf(changes.convertedProspects());
                assertThat(readBy(db, inc, "member_memberships", "idMemberMembership", "cancelDate", changes.time()))
                        .containsExactlyInAnyOrderElementsOf(changes.canceledContracts());
                // the removal pass reads old sales, which must not pull the watermark back to their sale dates
                assertThat(watermark(db, "sales")).isEqualTo(salesMark);
            }
        }
    }

    private static BatchRunner.Outcome run(DefaultIngestEngine engine, String loadType) {
        return new BatchRunner(engine).run(new PlanRequest(null, "evo", List.of(), ENTITIES, loadType, "manual", null,
                null), 4, BatchRunner.Listener.NONE);
    }

    /** Ids of the records the batch staged whose change field holds the change's time. */
    private static List<Long> readBy(Database db, BatchRunner.Outcome o, String entity, String id, String field,
            String time) {
        return db.query("SELECT DISTINCT (s.raw->>'" + id + "')::bigint FROM stg_evo." + entity + "_raw s "
                + "JOIN ops.runs r ON r.run_id = s.run_id WHERE r.batch_id = ? AND s.raw->>'" + field + "' = ?", ps -> {
                    ps.setString(1, o.batchId());
                    ps.setString(2, time);
                }, rs -> rs.getLong(1));
    }

    private static Instant watermark(Database db, String entity) {
        return db.queryFirst("SELECT watermark FROM ops.watermarks WHERE source = 'evo' AND entity = ?",
                ps -> ps.setString(1, entity), rs -> rs.getTimestamp(1).toInstant()).orElseThrow();
    }
}
