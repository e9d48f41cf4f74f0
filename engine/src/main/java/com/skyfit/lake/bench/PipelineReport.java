package com.skyfit.lake.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints the pipeline benchmark: each size's stages and baselines with their ratios, the scale check, the
 * projected production reload and the extraction check, then one PASS / FAIL line per target and a last
 * {@code bench:} line of key=value pairs for scripts.
 *
 * <p>Targets: staging and core each at least {@value #MIN_RATIO} of their baselines, peak heap under
 * {@value #MAX_HEAP_MB} MB, per-record cost at the largest size at most {@value #MAX_COST_GROWTH} times the cost
 * at the smallest, the projected reload under {@value #MAX_RELOAD_HOURS} hours, and the extractor using at least
 * {@value #MIN_RATE_EFFICIENCY} of a key's budget with no 429. Ratios are taken from the first (smallest) size, the
 * size the targets are set at; the projection from the largest, the closest to production; the heap from every size.
 */
public final class PipelineReport {
    public static final double MIN_RATIO = 0.8;
    public static final long MAX_HEAP_MB = 512;
    public static final double MAX_COST_GROWTH = 1.10;
    public static final double MAX_RELOAD_HOURS = 2.0;
    public static final double MIN_RATE_EFFICIENCY = 0.9;

    /** One target: what was measured against what was asked; not measured when the run did not cover it. */
    public record Target(String name, String measured, Boolean passed) {
        public String line() {
            return String.format(Locale.ROOT, "target %-48s %-16s %s", name, measured,
                    passed == null ? "NOT MEASURED" : passed ? "PASS" : "FAIL");
        }
    }

    private final List<PipelineResult> sizes;
    private final RateCheck rate;
    private final ReloadProjection projection;

    /**
     * @param sizes      the sizes run, smallest first
     * @param rate       the extraction check, or null when it was skipped
     * @param production the volumes to project
     */
    public PipelineReport(List<PipelineResult> sizes, RateCheck rate, List<ReloadProjection.Volume> production) {
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("no size was measured");
        }
        this.sizes = List.copyOf(sizes);
        this.rate = rate;
        PipelineResult largest = sizes.get(sizes.size() - 1);
        this.projection = new ReloadProjection(production,
                ReloadProjection.costs(largest.secondsByEntity(), largest.recordsByEntity()));
    }

    public ReloadProjection projection() {
        return projection;
    }

    /** The per-record cost of the largest size over the smallest's; 0 with one size. */
    public double costGrowth() {
        if (sizes.size() < 2) {
            return 0;
        }
        double first = sizes.get(0).secondsPerRecord();
        double last = sizes.get(sizes.size() - 1).secondsPerRecord();
        return first == 0 ? 0 : last / first;
    }

    public long peakHeapBytes() {
        return sizes.stream().mapToLong(PipelineResult::peakHeapBytes).max().orElse(0);
    }

    public List<Target> targets() {
        PipelineResult base = sizes.get(0);
        List<Target> out = new ArrayList<>();
        out.add(new Target("staging >= " + MIN_RATIO + "x raw COPY (same streams)", f2(base.stagingRatio()) + "x",
                base.stagingRatio() >= MIN_RATIO));
        out.add(new Target("core >= " + MIN_RATIO + "x hand-written INSERT .. SELECT", f2(base.coreRatio()) + "x",
                base.coreRatio() >= MIN_RATIO));
        long heapMb = peakHeapBytes() >> 20;
        out.add(new Target("peak heap < " + MAX_HEAP_MB + " MB", heapMb + " MB", heapMb < MAX_HEAP_MB));
        out.add(sizes.size() < 2
                ? new Target("cost per record at largest <= " + MAX_COST_GROWTH + "x smallest", "one size run", null)
                : new Target("cost per record at " + count(last().size()) + " <= " + MAX_COST_GROWTH + "x at "
                        + count(base.size()), f2(costGrowth()) + "x", costGrowth() <= MAX_COST_GROWTH));
        out.add(new Target("projected production reload < " + MAX_RELOAD_HOURS + " h", f2(projection.hours()) + " h",
                projection.hours() < MAX_RELOAD_HOURS));
        out.add(rate == null
                ? new Target("extraction >= " + MIN_RATE_EFFICIENCY + " of the key's limit, no 429", "skipped", null)
                : new Target("extraction >= " + MIN_RATE_EFFICIENCY + " of the key's limit, no 429",
                        f2(rate.efficiency()) + ", " + rate.tooManyRequests() + " x 429",
                        rate.efficiency() >= MIN_RATE_EFFICIENCY && rate.tooManyRequests() == 0));
        return out;
    }

    private PipelineResult last() {
        return sizes.get(sizes.size() - 1);
    }

    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (PipelineResult r : sizes) {
            out.add("== size " + count(r.size()) + ": " + count(r.records()) + " staged records " + r.recordsByEntity());
            out.add("  " + r.extract().describe());
            for (int i = 0; i < r.staging().size(); i++) {
                Stage s = r.staging().get(i);
                Stage b = r.stagingBaselines().get(i);
                out.add("  " + s.describe());
                out.add("  " + b.describe());
                out.add(String.format(Locale.ROOT, "  ratio staging/%s %s = %sx", "raw COPY", s.entity(), f2(s.ratioTo(b))));
            }
            for (Stage s : r.core()) {
                out.add("  " + s.describe());
                r.coreBaselines().stream().filter(b -> b.entity().equals(s.entity())).findFirst().ifPresent(b -> {
                    out.add("  " + b.describe());
                    out.add(String.format(Locale.ROOT, "  ratio core/INSERT .. SELECT %s = %sx", s.entity(), f2(s.ratioTo(b))));
                });
                r.indexesAfter().stream().filter(b -> b.entity().equals(s.entity())).findFirst().ifPresent(b -> {
                    out.add("  " + b.describe());
                    out.add(String.format(Locale.ROOT, "  ratio core/INSERT .. SELECT with indexes built after %s = "
                            + "%sx (information: both sides build the secondary indexes after a load of %,d rows or more)", s.entity(),
                            f2(s.ratioTo(b)), com.skyfit.lake.core.TransformRunner.BULK_LOAD_ROWS));
                });
            }
            out.add(String.format(Locale.ROOT, "  staging ratio %sx, core ratio %sx (%s against baselines building "
                            + "their indexes after); cost per record: staging %s us + core %s us = %s us; peak heap %d MB",
                    f2(r.stagingRatio()), f2(r.coreRatio()),
                    Double.isNaN(r.coreRatioIndexesAfter()) ? "not measured" : f2(r.coreRatioIndexesAfter()) + "x",
                    f2(r.stagingSecondsPerRecord() * 1e6),
                    f2(r.coreSecondsPerRecord() * 1e6), f2(r.secondsPerRecord() * 1e6), r.peakHeapBytes() >> 20));
        }
        if (sizes.size() > 1) {
            out.add(String.format(Locale.ROOT, "== scale: cost per record %s us at %s, %s us at %s: %sx",
                    f2(sizes.get(0).secondsPerRecord() * 1e6), count(sizes.get(0).size()),
                    f2(last().secondsPerRecord() * 1e6), count(last().size()), f2(costGrowth())));
        }
        out.add("== projected full reload of production from bronze (staging + core; costs of size "
                + count(last().size()) + ", this machine)");
        out.addAll(projection.describe());
        out.add(rate == null ? "== extraction check skipped" : "== extraction against the rate limit: " + rate.describe());
        targets().forEach(t -> out.add(t.line()));
        out.add(summary());
        return out;
    }

    /** The last line, for scripts: every ratio and number the targets judge. */
    public String summary() {
        PipelineResult base = sizes.get(0);
        return String.format(Locale.ROOT, "bench: source=evo records=%d staging_ratio=%.2f core_ratio=%.2f "
                        + "peak_heap_mb=%d cost_us=%.2f cost_growth=%s reload_hours=%.2f extraction_efficiency=%s "
                        + "http_429=%s", base.size(), base.stagingRatio(), base.coreRatio(), peakHeapBytes() >> 20,
                base.secondsPerRecord() * 1e6, sizes.size() < 2 ? "none" : f2(costGrowth()), projection.hours(),
                rate == null ? "none" : f2(rate.efficiency()), rate == null ? "none" : rate.tooManyRequests());
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
