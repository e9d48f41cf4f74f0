package com.skyfit.lake.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long a full reload of production EVO from bronze (staging plus core, no extraction) would take on the
 * machine that ran the benchmark: each production entity's record count times the per-record cost measured for
 * the entity it is weighted by. An entity the benchmark did not measure takes the cost of the stand-in its volume
 * row names (members, the costliest per record of the small entities); the report prints which cost each row
 * used, so the assumption is visible next to the number.
 */
public final class ReloadProjection {

    /** One production entity: its record count and the measured entities whose cost it takes, in order of preference. */
    public record Volume(String entity, long records, List<String> weightedBy) {
        public Volume {
            if (records < 0) {
                throw new IllegalArgumentException("records must be >= 0: " + records);
            }
            weightedBy = List.copyOf(weightedBy);
        }
    }

    /** A row of the projection: the volume, the measured entity whose cost it took, and its hours. */
    public record Row(String entity, long records, String costOf, double secondsPerRecord, double hours) {}

    /**
     * Production EVO as of the last count: entries 110 M, sales 12.8 M, members 2.4 M with 10 M memberships,
     * prospects 612 K. Members are weighted by members (their nested contacts and memberships included); the 10 M
     * memberships as rows of their own by member_memberships, else members, so a contract is never counted at
     * less than what the benchmark measured for it.
     */
    public static final List<Volume> PRODUCTION = List.of(
            new Volume("entries", 110_000_000L, List.of("entries")),
            new Volume("sales", 12_800_000L, List.of("sales")),
            new Volume("members", 2_400_000L, List.of("members")),
            new Volume("member_memberships", 10_000_000L, List.of("member_memberships", "members")),
            new Volume("prospects", 612_000L, List.of("prospects", "members")));

    private final List<Row> rows;

    /**
     * @param secondsPerRecord measured cost per record, staging plus core, by entity
     * @throws IllegalArgumentException when a volume has no measured cost for any of its stand-ins
     */
    public ReloadProjection(List<Volume> volumes, Map<String, Double> secondsPerRecord) {
        List<Row> out = new ArrayList<>();
        for (Volume v : volumes) {
            String used = v.weightedBy().stream().filter(secondsPerRecord::containsKey).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no measured cost for " + v.entity()
                            + " (weighted by " + v.weightedBy() + "); measured: " + secondsPerRecord.keySet()));
            double cost = secondsPerRecord.get(used);
            if (!(cost >= 0) || Double.isInfinite(cost)) {
                throw new IllegalArgumentException("cost of " + used + " is not a usable number: " + cost);
            }
            out.add(new Row(v.entity(), v.records(), used, cost, v.records() * cost / 3600.0));
        }
        this.rows = List.copyOf(out);
    }

    /** Per-record cost by entity from each entity's measured seconds and records (an entity with no records is left out). */
    public static Map<String, Double> costs(Map<String, Double> seconds, Map<String, Long> records) {
        Map<String, Double> out = new LinkedHashMap<>();
        seconds.forEach((entity, s) -> {
            Long n = records.get(entity);
            if (n != null && n > 0) {
                out.put(entity, s / n);
            }
        });
        return out;
    }

    public List<Row> rows() {
        return rows;
    }

    public long records() {
        return rows.stream().mapToLong(Row::records).sum();
    }

    public double hours() {
        return rows.stream().mapToDouble(Row::hours).sum();
    }

    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Row r : rows) {
            lines.add(String.format(Locale.ROOT, "  %-20s %,13d records x %8.2f us (cost of %s) = %6.2f h",
                    r.entity(), r.records(), r.secondsPerRecord() * 1e6, r.costOf(), r.hours()));
        }
        lines.add(String.format(Locale.ROOT, "  %-20s %,13d records                                  = %6.2f h",
                "total", records(), hours()));
        return lines;
    }
}
