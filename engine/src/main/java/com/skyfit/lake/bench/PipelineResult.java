package com.skyfit.lake.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one size of the pipeline benchmark measured.
 *
 * @param size             the size asked for (entries, for EVO)
 * @param staging          the loader, one stage per entity; {@code stagingBaselines} the same lines by raw COPY
 * @param core             the transforms, one stage per core table; {@code coreBaselines} the hand-written
 *                         statements of the tables that have one
 * @param indexesAfter     the same hand-written statements, loading without the secondary indexes and building
 *                         them after, as the transform does on a large first load (information beside the target:
 *                         the same index work on both sides); empty when not measured
 * @param entityOfTable    the staging entity each core table reads
 */
public record PipelineResult(long size, Stage extract, List<Stage> staging, List<Stage> stagingBaselines,
        List<Stage> core, List<Stage> coreBaselines, List<Stage> indexesAfter, Map<String, String> entityOfTable) {

    public PipelineResult {
        staging = List.copyOf(staging);
        stagingBaselines = List.copyOf(stagingBaselines);
        core = List.copyOf(core);
        coreBaselines = List.copyOf(coreBaselines);
        indexesAfter = List.copyOf(indexesAfter);
        entityOfTable = Map.copyOf(entityOfTable);
    }

    public PipelineResult(long size, Stage extract, List<Stage> staging, List<Stage> stagingBaselines,
            List<Stage> core, List<Stage> coreBaselines, Map<String, String> entityOfTable) {
        this(size, extract, staging, stagingBaselines, core, coreBaselines, List.of(), entityOfTable);
    }

    /** The loader over raw COPY, all entities together (seconds summed over the same lines). */
    public double stagingRatio() {
        return Stage.total("staging", staging).ratioTo(Stage.total("staging_baseline", stagingBaselines));
    }

    /** The transforms over their hand-written baselines, the tables that have one together. */
    public double coreRatio() {
        List<String> compared = coreBaselines.stream().map(Stage::entity).toList();
        List<Stage> measured = core.stream().filter(s -> compared.contains(s.entity())).toList();
        return Stage.total("core", measured).ratioTo(Stage.total("core_baseline", coreBaselines));
    }

    /** The transforms over the baselines that also build their indexes after; NaN when not measured. */
    public double coreRatioIndexesAfter() {
        if (indexesAfter.isEmpty()) {
            return Double.NaN;
        }
        List<String> compared = indexesAfter.stream().map(Stage::entity).toList();
        List<Stage> measured = core.stream().filter(s -> compared.contains(s.entity())).toList();
        return Stage.total("core", measured).ratioTo(Stage.total("core_idx_after", indexesAfter));
    }

    public long records() {
        return staging.stream().mapToLong(Stage::records).sum();
    }

    public Map<String, Long> recordsByEntity() {
        Map<String, Long> out = new LinkedHashMap<>();
        staging.forEach(s -> out.put(s.entity(), s.records()));
        return out;
    }

    /** Seconds of staging plus core by staging entity (a core table counts for the entity it reads). */
    public Map<String, Double> secondsByEntity() {
        Map<String, Double> out = new LinkedHashMap<>();
        staging.forEach(s -> out.merge(s.entity(), s.seconds(), Double::sum));
        core.forEach(s -> out.merge(entityOfTable.getOrDefault(s.entity(), s.entity()), s.seconds(), Double::sum));
        return out;
    }

    /** Staging plus core seconds per staged record, all entities together: what a full reload from bronze costs. */
    public double secondsPerRecord() {
        long n = records();
        return n == 0 ? 0 : (Stage.total("staging", staging).seconds() + Stage.total("core", core).seconds()) / n;
    }

    public double stagingSecondsPerRecord() {
        return Stage.total("staging", staging).secondsPerRecord();
    }

    public double coreSecondsPerRecord() {
        long n = records();
        return n == 0 ? 0 : Stage.total("core", core).seconds() / n;
    }

    /** The highest heap any of the lake's stages used (extract, staging, core; baselines left out). */
    public long peakHeapBytes() {
        long peak = extract.peakHeapBytes();
        for (Stage s : staging) {
            peak = Math.max(peak, s.peakHeapBytes());
        }
        for (Stage s : core) {
            peak = Math.max(peak, s.peakHeapBytes());
        }
        return peak;
    }
}
