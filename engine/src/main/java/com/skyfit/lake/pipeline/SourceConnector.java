package com.skyfit.lake.pipeline;

import com.skyfit.lake.source.RecordSink;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the pipeline needs from a configured source: its scopes and entities, how each entity is read
 * incrementally, and the reading itself. Each source (Pipedrive today) adapts its declarative
 * definition to this; the planner and the extract step know nothing else about it.
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

    /** How far back an incremental run re-reads before the watermark (records are deduplicated downstream). */
    Duration overlap();

    /** Reads one window of one entity of one scope into the sink, verbatim records, and returns counts. */
    Extracted extract(String scope, String entity, Instant updatedSince, Instant updatedUntil, RecordSink sink)
            throws IOException, InterruptedException;

    /**
     * Records read (unparsable ones included: they reach bronze as raw lines that staging flags
     * invalid), the watermark candidate (null when none; the lowest of the passes' highest update
     * times, never past now plus the allowed clock skew) and how many records could not be parsed.
     */
    record Extracted(long records, Instant maxCursor, long unparsable) {
        public Extracted(long records, Instant maxCursor) {
            this(records, maxCursor, 0);
        }
    }

    @Override
    default void close() {}
}
