package com.skyfit.lake.pipeline;

import com.skyfit.lake.source.RecordSink;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the pipeline needs from a configured source: its scopes and entities, how each entity is read
 * incrementally and in which windows, and the reading itself. A REST source adapts its declarative
 * definition to this ({@code RestConnector}); a source of another kind (a database read by watermark) implements
 * it itself. The planner and the extract step know nothing else about a source.
 */
public interface SourceConnector extends AutoCloseable {

    String name();

    List<String> scopes();

    List<String> entities();

    /** True when the entity can be read by update-time window; false for small lists read whole each run. */
    boolean supportsUpdatedFilter(String entity);

    /**
     * How often an incremental run of the entity reads it whole, unfiltered, to find the keys the source no longer
     * lists (its API lists no deleted records); null when the entity needs no such read.
     */
    default Duration reconcileEvery(String entity) {
        return null;
    }

    /**
     * The size of the entity's windows: a range is planned as consecutive windows of this size, each one extract
     * activity and one line in gap analysis. Null: one window per run (from the watermark less the overlap to now).
     */
    default Duration windowSize(String entity) {
        return null;
    }

    /**
     * How often an incremental run of the entity instead re-reads its whole range from {@link #startDate()} (records
     * that change without a new date); null: never. The planner records such a run as a full load.
     */
    default Duration rescanEvery(String entity) {
        return null;
    }

    /** Where full loads and re-scans of windowed entities start; null when the source has no start date set. */
    default Instant startDate() {
        return null;
    }

    /** How far back an incremental run re-reads before the watermark (records are deduplicated downstream). */
    Duration overlap();

    /**
     * How far back an incremental run of this entity re-reads before its watermark: the source's overlap unless the
     * entity declares its own look-back (event-dated records that reach the source days late).
     */
    default Duration overlap(String entity) {
        return overlap();
    }

    /** Reads one window of one entity of one scope into the sink, verbatim records, and returns counts. */
    Extracted extract(String scope, String entity, Instant updatedSince, Instant updatedUntil, RecordSink sink)
            throws IOException, InterruptedException;

    /**
     * True when the entity is read by an opaque export cursor: the cursor a read returns is stored once its data
     * is in core, and the next incremental read continues from it.
     */
    default boolean resumesByCursor(String entity) {
        return false;
    }

    /** As above, continuing from a stored export cursor when {@code resumeCursor} is not null. */
    default Extracted extract(String scope, String entity, Instant updatedSince, Instant updatedUntil,
            String resumeCursor, RecordSink sink) throws IOException, InterruptedException {
        return extract(scope, entity, updatedSince, updatedUntil, sink);
    }

    /**
     * Records read (unparsable ones included: they reach bronze as raw lines that staging flags
     * invalid), the watermark candidate (null when none; the lowest of the passes' highest update
     * times, never past now plus the allowed clock skew), how many records could not be parsed, and the export
     * cursor that continues after the read (null for entities without one).
     */
    record Extracted(long records, Instant maxCursor, long unparsable, String cursor) {
        public Extracted(long records, Instant maxCursor) {
            this(records, maxCursor, 0, null);
        }

        public Extracted(long records, Instant maxCursor, long unparsable) {
            this(records, maxCursor, unparsable, null);
        }
    }

    @Override
    default void close() {}
}
