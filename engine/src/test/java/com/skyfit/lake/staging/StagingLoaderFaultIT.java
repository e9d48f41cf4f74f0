package com.skyfit.lake.staging;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.bronze.LocalBronzeStore;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.control.FileLedger;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input and failing storage: each part's trouble stays that part's, and nothing is lost. */
class StagingLoaderFaultIT {
    private static final List<Duration> FAST = List.of(Duration.ofMillis(10), Duration.ofMillis(10));
    private static final AtomicInteger RUN = new AtomicInteger();
    private static Database db;

    @TempDir
    Path folder;
    LocalBronzeStore store;
    String runId;

    @BeforeAll
    static void startDatabase() {
        db = TestPostgres.newDatabase();
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    @BeforeEach
    void setUp(TestInfo test) {
        store = new LocalBronzeStore(folder);
        runId = "f" + RUN.incrementAndGet() + "-" + test.getTestMethod().orElseThrow().getName();
    }

    private StagingLoader loader(com.skyfit.lake.bronze.BronzeStore s, LoaderOptions options) {
        return new StagingLoader(db, s, options.withRetrySchedule(FAST));
    }

    @Test
    void aReadThatBreaksOnceIsRetriedInPlace() throws Exception {
        String path = Parts.write(store, Parts.path("pipedrive", "deals", runId, 0), Parts.records(1, 2000));
        FaultyStore faulty = new FaultyStore(store).failReads(path, 1);

        LoadResult result = loader(faulty, LoaderOptions.defaults()).load(List.of(path), false);

        assertThat(result.filesLoaded()).isEqualTo(1);
        assertThat(result.rowsLoaded()).isEqualTo(2000);
        assertThat(faulty.opens(path)).isEqualTo(2);
        assertThat(ledger(path)).containsEntry("status", "loaded").containsEntry("attempts", 1);
    }

    @Test
    void aReadThatKeepsBreakingLeavesThePartForTheNextBatchWhileTheOthersLoad() throws Exception {
        String flaky = Parts.write(store, Parts.path("pipedrive", "deals", runId, 0), Parts.records(1, 2000));
        String good = Parts.write(store, Parts.path("pipedrive", "deals", runId, 1), Parts.records(5000, 10));
        FaultyStore faulty = new FaultyStore(store).failReads(flaky, 1000).unchecked();

        // one connection: the two parts share a batch (on two, each would be a batch of its own)
        LoadResult first = loader(faulty, LoaderOptions.defaults().withParallelism(1)).load(List.of(flaky, good), false);

        assertThat(first.files()).extracting(LoadResult.FileOutcome::status).containsExactly("failed", "loaded");
        assertThat(first.files().get(0).error()).contains("could not be read").contains("transient");
        // one batch attempt, then the part alone: first try plus two retries
        assertThat(faulty.opens(flaky)).isEqualTo(1 + 1 + FAST.size());
        assertThat(ledger(flaky)).containsEntry("status", "written").containsEntry("attempts", 1);
        assertThat((String) ledger(flaky).get("error_message")).contains("Connection reset");
        assertThat(count(flaky)).isZero();
        assertThat(new FileLedger(db).unloaded(null)).contains(flaky).doesNotContain(good);

        LoadResult next = loader(store, LoaderOptions.defaults()).load(new FileLedger(db).unloaded(null), false);

        assertThat(next.filesLoaded()).isEqualTo(1);
        assertThat(count(flaky)).isEqualTo(2000);
        assertThat(ledger(flaky)).containsEntry("status", "loaded").containsEntry("attempts", 2)
                .containsEntry("error_message", null);
    }

    @Test
    void aCorruptPartFailsForGoodWithoutRetriesAndTheRestGoesOn() throws Exception {
        byte[] gz = Parts.gzip(String.join("\n", Parts.records(1, 3000)).getBytes(StandardCharsets.UTF_8));
        for (int i = gz.length / 2; i < gz.length / 2 + 64; i++) {
            gz[i] = (byte) (i * 31);
        }
        String bad = Parts.writeBytes(store, Parts.path("pipedrive", "deals", runId, 0), gz);
        String good = Parts.write(store, Parts.path("pipedrive", "deals", runId, 1), Parts.records(1, 10));
        FaultyStore counting = new FaultyStore(store);

        // one connection: the two parts share a batch (on two, each would be a batch of its own)
        LoadResult result = loader(counting, LoaderOptions.defaults().withParallelism(1)).load(List.of(bad, good),
                false);

        assertThat(result.files()).extracting(LoadResult.FileOutcome::status).containsExactly("failed", "loaded");
        assertThat(counting.opens(bad)).isEqualTo(2); // in the batch, then alone: never retried
        assertThat(ledger(bad)).containsEntry("status", "failed");
        assertThat((String) ledger(bad).get("error_message")).contains("gzip");
        assertThat(new FileLedger(db).unloaded(null)).doesNotContain(bad);
    }

    @Test
    void aFailureNeverOverwritesALoadedPart() throws Exception {
        BronzePath part = Parts.path("pipedrive", "deals", runId, 0);
        String path = Parts.write(store, part, Parts.records(1, 50));
        loader(store, LoaderOptions.defaults()).load(List.of(path), false);
        // a twin delivery reloads it (forced) while its read breaks for good, and then while it breaks for now
        FaultyStore broken = new FaultyStore(store).failReads(path, 1000);

        LoadResult forced = loader(store, LoaderOptions.defaults().withLimits(1024, 1024)).load(List.of(path), true);
        LoadResult transientFailure = loader(broken, LoaderOptions.defaults()).load(List.of(path), true);

        assertThat(forced.files().get(0).status()).isEqualTo("failed");
        assertThat(forced.files().get(0).error()).contains(LoaderOptions.MAX_PART_BYTES);
        assertThat(transientFailure.files().get(0).status()).isEqualTo("failed");
        assertThat(ledger(path)).containsEntry("status", "loaded").containsEntry("attempts", 1)
                .containsEntry("error_message", null);
        assertThat(count(path)).isEqualTo(50);
        try (var c = db.connection()) {
            c.setAutoCommit(false);
            FileLedger ledger = new FileLedger(db);
            ledger.lock(c, List.of(path));
            ledger.markFailed(c, part, "late failure of a twin");
            ledger.markRetryLater(c, part, "late transient failure of a twin");
            c.commit();
        }
        assertThat(ledger(path)).containsEntry("status", "loaded").containsEntry("error_message", null);
    }

    @Test
    void aTwinThatCannotReadThePartNeverLeavesItFailedOverTheOtherTwinsLoad() throws Exception {
        StagingLoader healthy = loader(store, LoaderOptions.defaults());
        StagingLoader broken = loader(new FaultyStore(store).garbage(), LoaderOptions.defaults());
        ExecutorService twins = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 20; i++) {
                String path = Parts.write(store, Parts.path("pipedrive", "deals", runId, i), Parts.records(1, 200));
                CountDownLatch start = new CountDownLatch(1);
                boolean force = i % 2 == 0;
                Future<LoadResult> good = twins.submit(() -> {
                    start.await();
                    return healthy.load(List.of(path), false);
                });
                Future<LoadResult> bad = twins.submit(() -> {
                    start.await();
                    return broken.load(List.of(path), force);
                });
                start.countDown();
                good.get();
                bad.get();
                // whichever twin took the lock first, the part ends loaded: a failure never lands over 'loaded'
                assertThat(ledger(path)).as("part " + i).containsEntry("status", "loaded").containsEntry("error_message", null);
                assertThat(count(path)).isEqualTo(200);
            }
        } finally {
            twins.shutdownNow();
        }
    }

    @Test
    void aLineOverTheCapBecomesATruncatedInvalidRowAndTheRestLoads() throws Exception {
        String huge = "{\"id\":2,\"notes\":\"" + "x".repeat(LoaderOptions.DEFAULT_MAX_LINE_BYTES) + "\"}";
        List<String> lines = new ArrayList<>(Parts.records(1, 1));
        lines.add(huge);
        lines.addAll(Parts.records(3, 1));
        String path = Parts.write(store, Parts.path("pipedrive", "activities", runId, 0), lines);

        LoadResult result = loader(store, LoaderOptions.defaults()).load(List.of(path), false);

        assertThat(result.filesLoaded()).isEqualTo(1);
        assertThat(result.rowsLoaded()).isEqualTo(3);
        assertThat(result.rowsInvalid()).isEqualTo(1);
        List<Map<String, Object>> rows = StagingLoaderIT.query(db, "SELECT line_no, validation_status, error_message,"
                + " length(raw #>> '{}') AS kept FROM stg_pipedrive.activities_raw WHERE blob_path = ? ORDER BY line_no", path);
        assertThat(rows).extracting(r -> r.get("validation_status")).containsExactly("valid", "invalid", "valid");
        assertThat((String) rows.get(1).get("error_message"))
                .contains("line is " + huge.length() + " bytes").contains(LoaderOptions.MAX_LINE_BYTES);
        assertThat(rows.get(1).get("kept")).isEqualTo(SlowLineEncoder.KEPT_PREFIX);
    }

    @Test
    void numbersAndNestingJsonbRefusesMakeOnlyTheirLineInvalid() throws Exception {
        String path = Parts.write(store, Parts.path("pipedrive", "deals", runId, 0), List.of(
                "{\"id\":1,\"value\":1e1000000}",
                "{\"id\":2,\"value\":1e131071}",
                "{\"id\":3,\"value\":1.5e-16383}",
                "[".repeat(20_000) + "]".repeat(20_000),
                "{\"id\":5,\"value\":12.5}"));

        LoadResult result = loader(store, LoaderOptions.defaults()).load(List.of(path), false);

        assertThat(result.filesLoaded()).isEqualTo(1);
        assertThat(result.rowsLoaded()).isEqualTo(5);
        assertThat(result.rowsInvalid()).isEqualTo(3);
        List<Map<String, Object>> rows = StagingLoaderIT.query(db, "SELECT line_no, validation_status, error_message"
                + " FROM stg_pipedrive.deals_raw WHERE blob_path = ? ORDER BY line_no", path);
        assertThat(rows).extracting(r -> r.get("validation_status"))
                .containsExactly("invalid", "valid", "invalid", "invalid", "valid");
        assertThat((String) rows.get(0).get("error_message")).contains("1e1000000").contains("too large for jsonb");
        assertThat((String) rows.get(2).get("error_message")).contains("16383");
        assertThat((String) rows.get(3).get("error_message")).containsIgnoringCase("nesting depth");
        assertThat(ledger(path)).containsEntry("status", "loaded").containsEntry("invalid_rows", 3L);
    }

    @Test
    void aLineTooDeepForTheServersStackIsInvalidInsteadOfFailingThePart() throws Exception {
        String path = Parts.write(store, Parts.path("pipedrive", "deals", runId, 0), List.of(
                "{\"id\":1}", "[".repeat(100_000) + "]".repeat(100_000), "{\"id\":3}"));

        LoadResult result = loader(store, LoaderOptions.defaults()).load(List.of(path), false);

        assertThat(result.filesLoaded()).isEqualTo(1);
        assertThat(result.rowsLoaded()).isEqualTo(3);
        assertThat(result.rowsInvalid()).isEqualTo(1);
        assertThat(ledger(path)).containsEntry("status", "loaded");
    }

    @Test
    void aPathWithAnImpossibleDateIsAClearErrorNamingItWhileTheRestLoads() throws Exception {
        String impossible = "bronze/pipedrive/scope=main/entity=deals/ingestion_date=2026-02-30/run_id=" + runId
                + "/part-00000.jsonl.gz";
        String good = Parts.write(store, Parts.path("pipedrive", "deals", runId, 0), Parts.records(1, 3));

        LoadResult result = loader(store, LoaderOptions.defaults()).load(List.of(impossible, good), false);

        assertThat(result.files()).extracting(LoadResult.FileOutcome::status).containsExactly("failed", "loaded");
        assertThat(result.files().get(0).error()).contains(impossible).contains("impossible ingestion_date 2026-02-30");
    }

    @Test
    void aPartOverTheSizeCapFailsWithTheSettingNamedAndTheOthersLoad() throws Exception {
        String big = Parts.write(store, Parts.path("pipedrive", "deals", runId, 0), Parts.records(1, 5000));
        String small = Parts.write(store, Parts.path("pipedrive", "deals", runId, 1), Parts.records(1, 5));

        // one connection: the two parts share a batch, which the part over the cap splits
        LoadResult result = loader(store, LoaderOptions.defaults().withLimits(1024, 64 * 1024).withParallelism(1))
                .load(List.of(big, small), false);

        assertThat(result.files()).extracting(LoadResult.FileOutcome::status).containsExactly("failed", "loaded");
        assertThat(ledger(big)).containsEntry("status", "failed");
        assertThat((String) ledger(big).get("error_message")).contains(LoaderOptions.MAX_PART_BYTES).contains("65536");
        assertThat(count(big)).isZero();
    }

    private Map<String, Object> ledger(String path) throws Exception {
        List<Map<String, Object>> rows = StagingLoaderIT.query(db, "SELECT * FROM ops.bronze_files WHERE blob_path = ?", path);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private long count(String path) throws Exception {
        BronzePath p = BronzePath.parse(path);
        return (Long) StagingLoaderIT.query(db, "SELECT count(*) AS n FROM stg_" + p.source() + "." + p.entity()
                + "_raw WHERE blob_path = ?", path).get(0).get("n");
    }
}
