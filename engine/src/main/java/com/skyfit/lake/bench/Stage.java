package com.skyfit.lake.bench;

import java.util.Locale;

/**
 * One measured step of a benchmark: what it moved (records of one entity, or of all), how long it took and the
 * highest heap the process used meanwhile.
 */
public record Stage(String name, String entity, long records, double seconds, long peakHeapBytes) {

    public double recordsPerSecond() {
        return seconds <= 0 ? 0 : records / seconds;
    }

    public double secondsPerRecord() {
        return records == 0 ? 0 : seconds / records;
    }

    /** This stage's speed over the baseline's: 1.0 means it keeps the baseline's pace. */
    public double ratioTo(Stage baseline) {
        return baseline.recordsPerSecond() == 0 ? 0 : recordsPerSecond() / baseline.recordsPerSecond();
    }

    public String describe() {
        return String.format(Locale.ROOT, "%-16s %-20s %,11d records %8.2f s %,10.0f records/s %7.2f us/record  peak heap %,5d MB",
                name, entity, records, seconds, recordsPerSecond(), secondsPerRecord() * 1e6, peakHeapBytes >> 20);
    }

    /** What a measured step returns: the records it moved. */
    public interface Step {
        long run() throws Exception;
    }

    /** Runs the step with the heap sampled and the clock running, and names what it measured. */
    public static Stage measure(String name, String entity, Step step) {
        try (HeapSampler heap = new HeapSampler()) {
            long t0 = System.nanoTime();
            long records;
            try {
                records = step.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(name + " of " + entity + " failed: " + e.getMessage(), e);
            }
            return new Stage(name, entity, records, (System.nanoTime() - t0) / 1e9, heap.peakBytes());
        }
    }

    /** Sums stages of one kind (a stage's seconds and records over several entities). */
    public static Stage total(String name, Iterable<Stage> stages) {
        long records = 0;
        double seconds = 0;
        long heap = 0;
        for (Stage s : stages) {
            records += s.records();
            seconds += s.seconds();
            heap = Math.max(heap, s.peakHeapBytes());
        }
        return new Stage(name, "all", records, seconds, heap);
    }
}
