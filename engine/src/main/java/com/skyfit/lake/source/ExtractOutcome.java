package com.skyfit.lake.source;

import java.time.Instant;

/**
 * What one read of a stream produced: records handed to the sink (unparsable ones included, as raw
 * lines), requests made, the watermark candidate (null when no record carried a cursor) and how many
 * records the strict parser refused, and the export cursor that continues after the read (null for streams
 * without one); the pipeline turns the candidate into the watermark once the
 * records are committed downstream.
 */
public record ExtractOutcome(long records, int requests, Instant maxCursor, long unparsable, String cursor) {
    public ExtractOutcome(long records, int requests, Instant maxCursor) {
        this(records, requests, maxCursor, 0, null);
    }

    public ExtractOutcome(long records, int requests, Instant maxCursor, long unparsable) {
        this(records, requests, maxCursor, unparsable, null);
    }
}
