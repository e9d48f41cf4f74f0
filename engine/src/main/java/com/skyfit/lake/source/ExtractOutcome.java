package com.skyfit.lake.source;

import java.time.Instant;

/**
 * What one read of a stream produced: records handed to the sink, requests made, and the largest
 * cursor value seen (null when no record carried one); the pipeline turns it into the watermark
 * once the records are committed downstream.
 */
public record ExtractOutcome(long records, int requests, Instant maxCursor) {}
