package com.skyfit.lake.staging;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bench.SaleGenerator;
import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.core.CoreTables;
import com.skyfit.lake.core.TransformResult;
import com.skyfit.lake.core.TransformRunner;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EVO entries and sales staged by ingestion month: partitions made on demand, idempotent loads, same core rows. */
class PartitionedStagingIT {
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

    static BronzePath part(String entity, LocalDate day, String run, int n) {
        return new BronzePath("evo", "gym", entity, day, run, n);
    }

    static List<String> entries(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "{\"date\":\"2024-05-01T07:" + (i / 60 % 60) + ":"
                + (i % 60) + "\",\"idMember\":" + i + ",\"idProspect\":null,\"idBranch\":" + (1 + i % 3)
                + ",\"entryType\":\"Membership\",\"device\":\"Turnstile 1\",\"blockReason\":null}").toList();
    }

    static List<String> sales(int from, int count) {
        return IntStream.range(from, from + count)
                .mapToObj(i -> new String(SaleGenerator.sale(i), StandardCharsets.UTF_8)).toList();
    }

    private StagingLoader loader() {
        return new StagingLoader(db, store, LoaderOptions.defaults());
    }

    @Test
    void partsOfTwoMonthsLandInTwoPartitionsWithTheirIngestionDate() throws Exception {
        String may = Parts.write(store, part("entries", LocalDate.of(2024, 5, 3), "run-may", 0), entries(0, 30));
        String june = Parts.write(store, part("entries", LocalDate.of(2024, 6, 20), "run-june", 0), entries(30, 20));

        // one connection: both parts in one batch, one COPY routed to two partitions
        LoadResult r = new StagingLoader(db, store, LoaderOptions.defaults().withParallelism(1))
                .load(List.of(may, june), false);

        assertThat(r.filesLoaded()).isEqualTo(2);
        assertThat(rows("SELECT count(DISTINCT xmin::text)::text FROM stg_evo.entries_raw")).containsExactly("1");
        assertThat(rows("SELECT tableoid::regclass::text || ' ' || ingestion_date || ' ' || count(*) "
                + "FROM stg_evo.entries_raw GROUP BY tableoid, ingestion_date ORDER BY 1"))
                .containsExactly("stg_evo.entries_raw_p202405 2024-05-03 30", "stg_evo.entries_raw_p202406 2024-06-20 20");
        assertThat(rows("SELECT count(*)::text FROM stg_evo.entries_raw_undated")).containsExactly("0");
    }

    @Test
    void loadingAPartAgainLeavesOneCopyOfEachLine() throws Exception {
        String path = Parts.write(store, part("entries", LocalDate.of(2024, 7, 1), "run-twice", 0), entries(0, 40));
        loader().load(List.of(path), false);
        List<String> before = rows("SELECT line_no || ' ' || raw::text FROM stg_evo.entries_raw ORDER BY line_no");

        LoadResult again = loader().load(List.of(path), false);
        LoadResult forced = loader().load(List.of(path), true);

        assertThat(again.filesSkipped()).isEqualTo(1);
        assertThat(forced.filesLoaded()).isEqualTo(1);
        assertThat(rows("SELECT line_no || ' ' || raw::text FROM stg_evo.entries_raw ORDER BY line_no"))
                .hasSize(40).isEqualTo(before);
        assertThat(rows("SELECT status || ' ' || staging_rows FROM ops.bronze_files")).containsExactly("loaded 40");
    }

    @Test
    void loadersStartingANewMonthAtOnceMakeOnePartitionAndLoadEveryPartOnce() throws Exception {
        LocalDate day = LocalDate.of(2025, 3, 9);
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            own.add(Parts.write(store, part("entries", day, "run-c" + i, 0), entries(i * 100, 25)));
        }
        // and one part delivered to every loader at once
        String twin = Parts.write(store, part("entries", day, "run-twin", 0), entries(900, 10));
        CyclicBarrier start = new CyclicBarrier(4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<LoadResult>> loads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                List<String> mine = List.of(own.get(i), twin);
                loads.add(pool.submit(() -> {
                    start.await();
                    return new StagingLoader(db, store, LoaderOptions.defaults().withBatchFiles(2)
                            .withParallelism(1)).load(mine, false); // its own part and the twin in one batch
                }));
            }
            for (Future<LoadResult> f : loads) {
                assertThat(f.get(2, java.util.concurrent.TimeUnit.MINUTES).filesFailed()).isZero();
            }
            // the partition function itself, asked by several transactions for a month none has yet
            CyclicBarrier together = new CyclicBarrier(4); // as many as the pool has connections
            List<Future<String>> made = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                made.add(pool.submit(() -> {
                    try (Connection c = db.connection()) {
                        c.setAutoCommit(false);
                        together.await();
                        try (PreparedStatement ps = c.prepareStatement(
                                "SELECT ops.ensure_staging_partition('stg_evo', 'entries', DATE '2025-04-17')")) {
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                String name = rs.getString(1);
                                c.commit();
                                return name;
                            }
                        }
                    }
                }));
            }
            for (Future<String> f : made) {
                assertThat(f.get(2, java.util.concurrent.TimeUnit.MINUTES)).isEqualTo("entries_raw_p202504");
            }
        } finally {
            pool.shutdown();
        }
        assertThat(rows("SELECT relname FROM pg_class WHERE relname LIKE 'entries\\_raw\\_p%' AND relkind = 'r' ORDER BY 1"))
                .containsExactly("entries_raw_p202503", "entries_raw_p202504");
        assertThat(rows("SELECT count(*) || ' ' || count(DISTINCT (blob_path, line_no)) FROM stg_evo.entries_raw"))
                .containsExactly("110 110");
        assertThat(rows("SELECT DISTINCT status FROM ops.bronze_files")).containsExactly("loaded");
    }

    @Test
    void aLineThatIsNoJsonIsKeptInvalidInItsMonth() throws Exception {
        List<String> lines = new ArrayList<>(entries(0, 3));
        lines.add(1, "{\"date\": broken");
        String path = Parts.write(store, part("entries", LocalDate.of(2024, 11, 30), "run-bad", 0), lines);

        LoadResult r = loader().load(List.of(path), false);

        assertThat(r.rowsInvalid()).isEqualTo(1);
        assertThat(rows("SELECT tableoid::regclass || ' ' || line_no || ' ' || validation_status || ' ' || ingestion_date "
                + "FROM stg_evo.entries_raw ORDER BY line_no")).containsExactly(
                "stg_evo.entries_raw_p202411 1 valid 2024-11-30", "stg_evo.entries_raw_p202411 2 invalid 2024-11-30",
                "stg_evo.entries_raw_p202411 3 valid 2024-11-30", "stg_evo.entries_raw_p202411 4 valid 2024-11-30");
    }

    @Test
    void coreSalesFromPartitionedStagingAreTheSameAsFromAPlainStagingTable() throws Exception {
        List<String> parts = List.of(
                Parts.write(store, part("sales", LocalDate.of(2024, 1, 5), "run-a", 0), sales(0, 400)),
                Parts.write(store, part("sales", LocalDate.of(2024, 1, 5), "run-a", 1), sales(400, 300)),
                // a later run reads sales 600-699 again: the newest version wins across partitions
                Parts.write(store, part("sales", LocalDate.of(2024, 2, 7), "run-b", 0), sales(600, 500)));
        try (Database plain = TestPostgres.newDatabase()) {
            try (Connection c = plain.connection(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE stg_evo.sales_raw");
                st.execute("SELECT ops.create_staging_table('stg_evo', 'sales')");
            }
            List<String> expected = loadAndTransform(plain, parts);
            List<String> actual = loadAndTransform(db, parts);

            assertThat(actual).hasSize(1100).isEqualTo(expected);
        }
        assertThat(rows("SELECT count(DISTINCT tableoid) FROM stg_evo.sales_raw")).containsExactly("2");
    }

    @Test
    void aCastProblemIsFlaggedOnItsOwnRowNotOnTheRowAtTheSameAddressInAnotherMonth() throws Exception {
        String bad = new String(SaleGenerator.sale(1), StandardCharsets.UTF_8).replaceFirst("\"idMember\":\\d+",
                "\"idMember\":\"not-a-number\"");
        String jan = Parts.write(store, part("sales", LocalDate.of(2024, 1, 2), "run-x", 0), List.of(bad));
        String feb = Parts.write(store, part("sales", LocalDate.of(2024, 2, 2), "run-y", 0), sales(2, 1));
        loader().load(List.of(jan, feb), false);
        assertThat(rows("SELECT ctid::text FROM stg_evo.sales_raw")).containsOnly("(0,1)");

        TransformResult r = new TransformRunner(db).run(CoreTables.EVO_SALES, false);

        assertThat(r.warned()).isEqualTo(1);
        assertThat(rows("SELECT ingestion_date || ' ' || validation_status FROM stg_evo.sales_raw ORDER BY 1"))
                .containsExactly("2024-01-02 warning", "2024-02-02 valid");
    }

    /** Loads the parts, transforms core.evo_sales, returns its rows without the columns that differ by load. */
    private List<String> loadAndTransform(Database target, List<String> parts) {
        LoadResult r = new StagingLoader(target, store, LoaderOptions.defaults().withBatchFiles(1)).load(parts, false);
        assertThat(r.filesLoaded()).isEqualTo(parts.size());
        new TransformRunner(target).run(CoreTables.EVO_SALES, false);
        return rows(target, "SELECT to_jsonb(s) - '_stg_id' - '_updated_at' FROM core.evo_sales s ORDER BY id_sale");
    }

    private List<String> rows(String sql) {
        return rows(db, sql);
    }

    static List<String> rows(Database d, String sql) {
        return d.query(sql, ps -> {}, rs -> rs.getString(1));
    }
}
