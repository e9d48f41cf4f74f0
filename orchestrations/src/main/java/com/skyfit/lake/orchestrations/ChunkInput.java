package com.skyfit.lake.orchestrations;

import com.skyfit.lake.pipeline.WindowTask;
import java.util.List;

/**
 * Input of one {@link ExtractWindowsChunk}: a slice of the plan's windows, the slice's position in the
 * plan (firstWindowIndex names the window instances) and the in-flight cap.
 */
public record ChunkInput(String batchId, int chunkIndex, int firstWindowIndex, List<WindowTask> windows,
        int maxParallelWindows) {}
