package com.skyfit.lake.source;

import java.io.IOException;

/** Receives each source record as the exact bytes the API sent (one JSON value, no line breaks). */
@FunctionalInterface
public interface RecordSink {
    void accept(byte[] record) throws IOException;
}
