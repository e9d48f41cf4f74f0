package com.skyfit.lake.cli;

import com.skyfit.lake.control.GapReport;
import java.io.PrintStream;
import java.util.List;

/** A gap report as aligned terminal tables: the days, the totals per scope and entity, and the resume commands. */
final class GapsTable {
    private GapsTable() {}

    static void print(GapReport r, boolean gapsOnly, PrintStream out) {
        out.printf("Gaps of source %s, %s .. %s (days of the source's own dates)%n%n", r.source(), r.from(), r.to());
        List<GapReport.Day> days = gapsOnly
                ? r.days().stream().filter(d -> !d.status().equals(GapReport.EXTRACTED) || d.suspicious()).toList()
                : r.days();
        int scopeWidth = width("scope", days.stream().map(GapReport.Day::scope).toList(),
                r.totals().stream().map(GapReport.Total::scope).toList());
        int entityWidth = width("entity", days.stream().map(GapReport.Day::entity).toList(),
                r.totals().stream().map(GapReport.Total::entity).toList());
        String dayFormat = "  %-" + scopeWidth + "s  %-" + entityWidth + "s  %-10s  %-10s  %10s  %10s  %5s  %s%n";
        if (days.isEmpty()) {
            out.println(gapsOnly ? "  every day extracted, none stands out" : "  no days");
        } else {
            out.printf(dayFormat, "scope", "entity", "day", "status", "records", "bronze", "reads", "note");
            for (GapReport.Day d : days) {
                out.println(String.format(dayFormat, d.scope(), d.entity(), d.day(), d.status() + (d.suspicious() ? "!" : ""),
                        count(d.records()), count(d.bronzeRecords()), d.reads(), d.note() == null ? "" : d.note())
                        .stripTrailing());
            }
        }
        out.println();
        out.println("Totals");
        String totalFormat = "  %-" + scopeWidth + "s  %-" + entityWidth
                + "s  %5s  %9s  %6s  %6s  %7s  %7s  %10s  %10s  %10s%n";
        out.printf(totalFormat, "scope", "entity", "days", "extracted", "partly", "failed", "missing", "running",
                "stand out", "records", "median/day");
        for (GapReport.Total t : r.totals()) {
            out.printf(totalFormat, t.scope(), t.entity(), t.days(), t.extracted(), t.partlyRead(), t.failed(),
                    t.missing(), t.running(), t.suspicious(), t.records(), count(t.medianRecords()));
        }
        out.println();
        if (r.resume().isEmpty()) {
            out.println("Nothing to resume: every day of the range was extracted or is being read.");
        } else {
            out.println("Resume the failed, missing and partly read days (each backfill reads only its own days):");
            r.resume().forEach(c -> out.println("  " + c.command()));
        }
        if (r.days().stream().anyMatch(GapReport.Day::suspicious)) {
            out.println();
            out.printf("Days marked ! were extracted with under %.0f %% of the range's median records: check the source"
                    + " for those days.%n", GapReport.SUSPICIOUS_SHARE * 100);
        }
    }

    @SafeVarargs
    private static int width(String header, List<String>... columns) {
        int w = header.length();
        for (List<String> c : columns) {
            for (String s : c) {
                w = Math.max(w, s.length());
            }
        }
        return w;
    }

    private static String count(Long n) {
        return n == null ? "-" : n.toString();
    }
}
