package com.skyfit.lake.bench;

import java.util.Locale;

/**
 * What a benchmark measured: the loader (bronze parts to staging) against a plain COPY of the same
 * records, uncompressed, into a bare jsonb table.
 */
public record BenchResult(long records, long jsonBytes, Phase load, Phase loadBaseline) {

    /** One measured phase. */
    public record Phase(String name, long records, long jsonBytes, double seconds, long peakHeapBytes) {
        public double recordsPerSecond() {
            return seconds <= 0 ? 0 : records / seconds;
        }

        public double megabytesPerSecond() {
            return seconds <= 0 ? 0 : jsonBytes / 1e6 / seconds;
        }

        public String describe() {
            return String.format(Locale.ROOT, "%-14s %,10d records %8.2f s %10.0f records/s %7.1f MB/s  peak heap %,5d MB",
                    name, records, seconds, recordsPerSecond(), megabytesPerSecond(), peakHeapBytes >> 20);
        }
    }

    /** Loader speed over raw COPY speed; 1.0 means the loader costs nothing over COPY itself. */
    public double loadRatio() {
        return loadBaseline.recordsPerSecond() == 0 ? 0 : load.recordsPerSecond() / loadBaseline.recordsPerSecond();
    }

    public String summary() {
        return String.format(Locale.ROOT, "load_ratio=%.2f load_rps=%.0f", loadRatio(), load.recordsPerSecond());
    }
}
