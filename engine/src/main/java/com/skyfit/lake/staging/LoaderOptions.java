package com.skyfit.lake.staging;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.PgRetry;
import java.time.Duration;
import java.util.List;

/**
 * How the staging loader batches and retries.
 *
 * @param batchFiles      consecutive parts of the same staging table that share one COPY and one transaction
 * @param retrySchedule   waits between attempts after a transient PostgreSQL failure (one retry per entry)
 * @param copyBufferBytes size of each write to the COPY stream; larger writes mean fewer round trips
 * @param parallelism     batches loaded at once, each on its own connection; PostgreSQL parses JSON for
 *                        one COPY on one core, so a second stream uses the second core
 */
public record LoaderOptions(int batchFiles, List<Duration> retrySchedule, int copyBufferBytes, int parallelism) {
    public static final String BATCH_FILES = "SKYFIT_LOAD_BATCH_FILES";
    public static final String PARALLELISM = "SKYFIT_LOAD_PARALLELISM";
    public static final int DEFAULT_BATCH_FILES = 8;
    public static final int DEFAULT_PARALLELISM = 2;
    public static final int DEFAULT_COPY_BUFFER_BYTES = 1 << 20;

    public LoaderOptions {
        if (batchFiles < 1) {
            throw new IllegalArgumentException("batchFiles must be >= 1");
        }
        if (copyBufferBytes < 4096) {
            throw new IllegalArgumentException("copyBufferBytes must be >= 4096");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1");
        }
        retrySchedule = List.copyOf(retrySchedule);
    }

    public static LoaderOptions defaults() {
        return new LoaderOptions(DEFAULT_BATCH_FILES, PgRetry.DEFAULT_SCHEDULE, DEFAULT_COPY_BUFFER_BYTES,
                DEFAULT_PARALLELISM);
    }

    public static LoaderOptions fromSettings(Settings settings) {
        return new LoaderOptions(
                settings.integer(BATCH_FILES, DEFAULT_BATCH_FILES, 1, 1000),
                settings.secondsList(Settings.PG_RETRY_SECONDS, PgRetry.DEFAULT_SCHEDULE),
                DEFAULT_COPY_BUFFER_BYTES,
                settings.integer(PARALLELISM, DEFAULT_PARALLELISM, 1, 16));
    }

    public LoaderOptions withBatchFiles(int n) {
        return new LoaderOptions(n, retrySchedule, copyBufferBytes, parallelism);
    }

    public LoaderOptions withRetrySchedule(List<Duration> schedule) {
        return new LoaderOptions(batchFiles, schedule, copyBufferBytes, parallelism);
    }

    public LoaderOptions withParallelism(int n) {
        return new LoaderOptions(batchFiles, retrySchedule, copyBufferBytes, n);
    }
}
