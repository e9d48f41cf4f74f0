package com.skyfit.lake.staging;

/** Receives the loader's progress after each batch of parts (for a progress bar or log lines). */
@FunctionalInterface
public interface LoadListener {
    LoadListener NONE = p -> { };

    void onProgress(Progress progress);

    /**
     * @param filesDone  parts finished so far (loaded, skipped or failed)
     * @param filesTotal parts in this load call
     * @param rows       staging rows written so far
     * @param bytes      uncompressed bronze bytes read so far
     */
    record Progress(long filesDone, long filesTotal, long rows, long bytes) {}
}
