package com.skyfit.lake.control;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The answer of gap analysis for a source and a range of days: each day's status, the days that stand out (far fewer
 * records than the range's median for that scope and entity: zero entries in an open gym), totals, and the backfills
 * that read exactly the days not extracted. A backfill plans only its own range, so a command over a run of missing
 * days reads those days and nothing else; run twice or after a crash, it resumes its own unfinished run.
 */
public record GapReport(String source, LocalDate from, LocalDate to, List<Day> days, List<Total> totals,
        List<Resume> resume) {

    public static final String EXTRACTED = "extracted";
    public static final String RUNNING = "running";
    public static final String FAILED = "failed";
    public static final String MISSING = "missing";
    /** Read, but only part of the day: the read started before the day had ended, or the window began inside it. */
    public static final String PARTLY_READ = "partly read";
    /** A day with fewer records than this share of its scope and entity's median over the range stands out. */
    public static final double SUSPICIOUS_SHARE = 0.10;

    /** One day of one scope and entity; records and bronzeRecords are null when no day window read it. */
    public record Day(String scope, String entity, LocalDate day, String status, Long records, Long bronzeRecords,
            int reads, boolean suspicious, String note) {}

    /** Per scope and entity: days by status, suspicious days, the records of the days that have a count. */
    public record Total(String scope, String entity, int days, int extracted, int running, int failed, int missing,
            int suspicious, long records, Long medianRecords, int partlyRead) {}

    /**
     * A contiguous run of days to read again, for these scopes; allScopes when they are exactly the scopes a backfill
     * reads without --scope (the command then names none).
     */
    public record Resume(String entity, List<String> scopes, boolean allScopes, LocalDate from, LocalDate to,
            String command) {}

    public static GapReport of(String source, LocalDate from, LocalDate to, List<String> configuredScopes,
            List<GapAnalysis.DayRow> rows) {
        Map<String, List<GapAnalysis.DayRow>> byKey = new LinkedHashMap<>();
        rows.forEach(r -> byKey.computeIfAbsent(r.scope() + "\u0000" + r.entity(), k -> new ArrayList<>()).add(r));
        List<Day> days = new ArrayList<>();
        List<Total> totals = new ArrayList<>();
        Map<String, TreeSet<String>> ranges = new LinkedHashMap<>();
        for (List<GapAnalysis.DayRow> key : byKey.values()) {
            Long median = median(key);
            List<Day> keyDays = key.stream().map(r -> day(r, median)).toList();
            days.addAll(keyDays);
            totals.add(total(keyDays, median));
            for (LocalDate[] range : toRead(keyDays)) {
                ranges.computeIfAbsent(keyDays.get(0).entity() + "\u0000" + range[0] + "\u0000" + range[1],
                        k -> new TreeSet<>()).add(keyDays.get(0).scope());
            }
        }
        List<Resume> resume = new ArrayList<>();
        ranges.forEach((k, rangeScopes) -> {
            String[] p = k.split("\u0000");
            // without --scope a backfill reads every configured scope: only exactly those may go unnamed
            boolean all = !configuredScopes.isEmpty() && rangeScopes.equals(new TreeSet<>(configuredScopes));
            LocalDate f = LocalDate.parse(p[1]);
            LocalDate t = LocalDate.parse(p[2]);
            resume.add(new Resume(p[0], List.copyOf(rangeScopes), all, f, t,
                    command(source, all ? null : List.copyOf(rangeScopes), p[0], f, t)));
        });
        resume.sort(java.util.Comparator.comparing(Resume::entity).thenComparing(Resume::from)
                .thenComparing(r -> String.join(",", r.scopes())));
        return new GapReport(source, from, to, days, totals, resume);
    }

    /** The command line that reads one run of days again, in the backfill command's own options. */
    public static String command(String source, List<String> scopes, String entity, LocalDate from, LocalDate to) {
        return "./skyfit backfill --source " + source + (scopes == null ? "" : " --scope " + String.join(",", scopes))
                + " --entity " + entity + " --from " + from + " --to " + to;
    }

    /** True when some day was not extracted (failed, missing, partly read or still running) or stands out. */
    public boolean hasGaps() {
        return days.stream().anyMatch(d -> !d.status().equals(EXTRACTED) || d.suspicious());
    }

    private static Day day(GapAnalysis.DayRow r, Long median) {
        String status;
        String note;
        if (r.covered()) {
            status = EXTRACTED;
            note = null;
        } else if (r.running()) {
            status = RUNNING;
            note = "a live run is reading it";
        } else if (r.error() != null) {
            status = FAILED;
            note = r.error();
        } else if (r.partlyRead()) {
            status = PARTLY_READ;
            note = "read before the day had ended (or from inside it); the rest of the day was never read";
        } else {
            status = MISSING;
            note = r.plannedUnread() > 0 ? "planned by " + r.plannedUnread() + " run(s) that stopped before reading it"
                    : r.attempted() ? "only partly read" : "never planned";
        }
        boolean suspicious = status.equals(EXTRACTED) && r.records() != null && median != null && median > 0
                && r.records() < SUSPICIOUS_SHARE * median;
        if (suspicious) {
            note = r.records() + " records against a median of " + median + " for the range";
        }
        return new Day(r.scope(), r.entity(), r.day(), status, r.records(), r.bronzeRecords(), r.reads(), suspicious,
                note);
    }

    /** The median records of the extracted days that have a day count; null when none has. */
    private static Long median(List<GapAnalysis.DayRow> rows) {
        long[] counts = rows.stream().filter(r -> r.covered() && r.records() != null).mapToLong(GapAnalysis.DayRow::records)
                .sorted().toArray();
        if (counts.length == 0) {
            return null;
        }
        int mid = counts.length / 2;
        return counts.length % 2 == 1 ? counts[mid] : (counts[mid - 1] + counts[mid]) / 2;
    }

    private static Total total(List<Day> days, Long median) {
        Day first = days.get(0);
        return new Total(first.scope(), first.entity(), days.size(), count(days, EXTRACTED), count(days, RUNNING),
                count(days, FAILED), count(days, MISSING), (int) days.stream().filter(Day::suspicious).count(),
                days.stream().filter(d -> d.records() != null).mapToLong(Day::records).sum(), median,
                count(days, PARTLY_READ));
    }

    private static int count(List<Day> days, String status) {
        return (int) days.stream().filter(d -> d.status().equals(status)).count();
    }

    /** Contiguous runs of failed, missing or partly read days (a running day is left to its run). */
    private static List<LocalDate[]> toRead(List<Day> days) {
        List<LocalDate[]> out = new ArrayList<>();
        LocalDate start = null;
        LocalDate last = null;
        for (Day d : days) {
            boolean read = d.status().equals(FAILED) || d.status().equals(MISSING) || d.status().equals(PARTLY_READ);
            if (read && start == null) {
                start = d.day();
            }
            if (!read && start != null) {
                out.add(new LocalDate[] {start, last});
                start = null;
            }
            last = d.day();
        }
        if (start != null) {
            out.add(new LocalDate[] {start, last});
        }
        return out;
    }
}
