package com.skyfit.lake.staging;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.control.PgRetry;
import java.time.Duration;
import java.util.List;

/**
 * How the staging loader batches, retries and bounds what it reads.
 *
 * @param batchFiles      at most this many consecutive parts of the same staging table share one COPY and one
 *                        transaction; with more than one connection the batches shrink towards the end of a load
 *                        ({@link StagingLoader#batches})
 * @param retrySchedule   waits between attempts after a transient failure, PostgreSQL or storage (one retry
 *                        per entry)
 * @param copyBufferBytes size of each write to the COPY stream; larger writes mean fewer round trips
 * @param parallelism     batches loaded at once, each on its own connection; PostgreSQL parses JSON for
 *                        one COPY on one core, so a second stream uses the second core
 * @param maxLineBytes    a longer line is kept as an invalid row, truncated, instead of being buffered whole
 * @param maxPartBytes    uncompressed bytes read from one part before it fails as too large (a gzip bomb or
 *                        a part written under far larger limits never streams without end)
 */
public record LoaderOptions(int batchFiles, List<Duration> retrySchedule, int copyBufferBytes, int parallelism,
        int maxLineBytes, long maxPartBytes) {
    public static final String BATCH_FILES = "SKYFIT_LOAD_BATCH_FILES";
    public static final String PARALLELISM = "SKYFIT_LOAD_PARALLELISM";
    public static final String MAX_LINE_BYTES = "SKYFIT_MAX_LINE_BYTES";
    public static final String MAX_PART_BYTES = "SKYFIT_MAX_PART_BYTES";
    public static final int DEFAULT_BATCH_FILES = 8;
    public static final int DEFAULT_PARALLELISM = 2;
    public static final int DEFAULT_COPY_BUFFER_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_LINE_BYTES = 16 << 20;
    /** jsonb holds at most 256 MiB; a line near that could never load anyway. */
    public static final int LIMIT_MAX_LINE_BYTES = 128 << 20;
    public static final long DEFAULT_MAX_PART_BYTES = 1L << 30;

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
        if (maxLineBytes < 16 || maxLineBytes > LIMIT_MAX_LINE_BYTES) {
            throw new IllegalArgumentException("maxLineBytes must be between 16 and " + LIMIT_MAX_LINE_BYTES);
        }
        if (maxPartBytes < maxLineBytes) {
            throw new IllegalArgumentException("maxPartBytes must be at least maxLineBytes");
        }
        retrySchedule = List.copyOf(retrySchedule);
    }

    public static LoaderOptions defaults() {
        return new LoaderOptions(DEFAULT_BATCH_FILES, PgRetry.DEFAULT_SCHEDULE, DEFAULT_COPY_BUFFER_BYTES,
                DEFAULT_PARALLELISM, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_PART_BYTES);
    }

    public static LoaderOptions fromSettings(Settings settings) {
        int maxLine = settings.integer(MAX_LINE_BYTES, DEFAULT_MAX_LINE_BYTES, 1024, LIMIT_MAX_LINE_BYTES);
        return new LoaderOptions(
                settings.integer(BATCH_FILES, DEFAULT_BATCH_FILES, 1, 1000),
                settings.secondsList(Settings.PG_RETRY_SECONDS, PgRetry.DEFAULT_SCHEDULE),
                DEFAULT_COPY_BUFFER_BYTES,
                settings.integer(PARALLELISM, DEFAULT_PARALLELISM, 1, 16),
                maxLine,
                settings.longValue(MAX_PART_BYTES, DEFAULT_MAX_PART_BYTES, Math.max(1L << 20, maxLine), 64L << 30));
    }

    public LoaderOptions withBatchFiles(int n) {
        return new LoaderOptions(n, retrySchedule, copyBufferBytes, parallelism, maxLineBytes, maxPartBytes);
    }

    public LoaderOptions withRetrySchedule(List<Duration> schedule) {
        return new LoaderOptions(batchFiles, schedule, copyBufferBytes, parallelism, maxLineBytes, maxPartBytes);
    }

    public LoaderOptions withParallelism(int n) {
        return new LoaderOptions(batchFiles, retrySchedule, copyBufferBytes, n, maxLineBytes, maxPartBytes);
    }

    public LoaderOptions withLimits(int lineBytes, long partBytes) {
        return new LoaderOptions(batchFiles, retrySchedule, copyBufferBytes, parallelism, lineBytes, partBytes);
    }
}
