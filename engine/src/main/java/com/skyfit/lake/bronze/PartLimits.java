package com.skyfit.lake.bronze;

import com.skyfit.lake.config.Settings;

/**
 * When a bronze part is full. Bounded parts keep every consumer's memory bounded too: the blob-triggered
 * loader on Functions reads a whole part into memory, and a retried load redoes one part, not a window.
 */
public record PartLimits(int maxRecords, long maxUncompressedBytes) {
    public static final String MAX_RECORDS = "SKYFIT_BRONZE_PART_MAX_RECORDS";
    public static final String MAX_BYTES = "SKYFIT_BRONZE_PART_MAX_BYTES";
    public static final int DEFAULT_MAX_RECORDS = 50_000;
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    public PartLimits {
        if (maxRecords < 1 || maxUncompressedBytes < 1) {
            throw new IllegalArgumentException("part limits must be positive, got " + maxRecords + " records / "
                    + maxUncompressedBytes + " bytes");
        }
    }

    public static PartLimits defaults() {
        return new PartLimits(DEFAULT_MAX_RECORDS, DEFAULT_MAX_BYTES);
    }

    public static PartLimits from(Settings settings) {
        return new PartLimits(
                settings.integer(MAX_RECORDS, DEFAULT_MAX_RECORDS, 1, 10_000_000),
                settings.longValue(MAX_BYTES, DEFAULT_MAX_BYTES, 1024, 4L * 1024 * 1024 * 1024));
    }
}
